/* site.js, on every page and the first of the theme's scripts (base.html loads it in the
 * head, deferred): the strings every script says (window.sitegenStrings), the menu button
 * of narrow screens, and "Use my location" of the front-door search (partials/finder.html),
 * which asks for the position here and then opens the Map view sorted by distance (the map
 * page locates at once: the permission is given). */
(function () {
  "use strict";
  // What the theme's scripts say, in the page's language: the page's JSON
  // (partials/strings.html), read once. say("closes_at", {time: "18:00"}) fills its
  // {placeholders}; value("days") is a value as it is (a list of names, a locale).
  var all = null;
  function value(key) {
    if (!all) {
      var node = document.getElementById("sitegen-strings");
      try { all = JSON.parse(node ? node.textContent : "{}"); } catch (e) { all = {}; }
    }
    return all[key];
  }
  function say(key, params) {
    return String(value(key) || key).replace(/\{(\w+)\}/g, function (whole, name) {
      return params && Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole;
    });
  }
  window.sitegenStrings = { value: value, say: say };
  var t = say;
  var button = document.querySelector("[data-menu-button]");
  var nav = button && document.getElementById(button.getAttribute("aria-controls"));
  if (button && nav) {
    button.addEventListener("click", function () {
      var open = nav.classList.toggle("is-open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && nav.classList.contains("is-open")) {
        nav.classList.remove("is-open");
        button.setAttribute("aria-expanded", "false");
        button.focus();
      }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-near-me]"), function (near) {
    var status = near.parentNode.querySelector("[data-near-me-status]");
    near.addEventListener("click", function () {
      if (!navigator.geolocation) {
        status.textContent = t("no_geolocation");
        return;
      }
      status.textContent = t("finding");
      near.disabled = true;
      navigator.geolocation.getCurrentPosition(function () {
        window.location.href = near.getAttribute("data-near-me");
      }, function (error) {
        near.disabled = false;
        status.textContent = t("unavailable_city",
          { reason: error && error.message ? " (" + error.message + ")" : "" });
      }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 });
    });
  });
})();
