/* cards.js: the open-now badges of location cards outside the locator views (hub pages),
 * from the marker data, in each location's time zone. */
(function () {
  "use strict";
  var cards = document.querySelectorAll(".loc-card[data-url] [data-open]");
  var source = document.querySelector("[data-overview-map]");
  if (!cards.length || !window.Locator || !source) { return; }
  var holder = document.querySelector("[data-clock]");
  var clock = holder ? holder.getAttribute("data-clock") : "24h";
  Locator.load(source.getAttribute("data-src")).then(function (all) {
    var byUrl = {};
    all.forEach(function (loc) { byUrl[loc.url] = loc; });
    Array.prototype.forEach.call(cards, function (badge) {
      var loc = byUrl[badge.closest("[data-url]").getAttribute("data-url")];
      if (loc) { Locator.showStatus(badge, loc, clock); }
    });
  }, function (error) {
    if (window.console) { window.console.error(error); }
  });
})();
