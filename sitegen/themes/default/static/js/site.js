/* site.js, on every page: the menu button of narrow screens, and "Use my location" of the
 * front-door search (partials/finder.html), which asks for the position here and then opens
 * the Map view sorted by distance (the map page locates at once: the permission is given). */
(function () {
  "use strict";
  // What this script says, in the page's language (partials/strings.html).
  function t(key, params) {
    var node = document.getElementById("sitegen-strings");
    var all = {};
    try { all = JSON.parse(node ? node.textContent : "{}"); } catch (e) { /* none */ }
    return String(all[key] || key).replace(/\{(\w+)\}/g, function (whole, name) {
      return params && Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole;
    });
  }
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
