// The location page: today's row in the hours table, the "Open now" badge and today's hours
// at the top, all in the location's own time zone (data-timezone), with holiday hours
// (data-special) respected.
(function () {
  "use strict";
  var article = document.querySelector("article.location");
  var table = document.querySelector("table.hours");
  if (!article || !table || !window.Locator) { return; }
  var zone = article.getAttribute("data-timezone") || undefined;
  var day = Locator.weekday(new Date(), zone);  // one Intl formatter for the whole page
  var row = table.querySelector('tr[data-day="' + day + '"]');
  if (row) { row.classList.add("today"); row.setAttribute("aria-current", "date"); }

  var badge = document.querySelector("[data-open-status]");
  if (!badge) { return; }
  function parse(text) {
    try { return JSON.parse(text || "null"); } catch (e) { return null; }
  }
  var place = {
    hours: parse(table.getAttribute("data-hours")),
    special: parse(table.getAttribute("data-special")),
    timeZone: zone
  };
  var clock = badge.getAttribute("data-clock");
  Locator.showStatus(badge, place, clock);
  var today = document.querySelector("[data-today-hours]");
  var text = today && Locator.todayHours(place.hours, place.special, zone, new Date(), clock);
  if (text) {
    today.textContent = "Today: " + text;
    today.hidden = false;
  }
})();
