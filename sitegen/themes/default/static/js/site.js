/* site.js, on every page: the menu button of narrow screens, and "Use my location" of the
 * front-door search (partials/finder.html), which asks for the position here and then opens
 * the Map view sorted by distance (the map page locates at once: the permission is given). */
(function () {
  "use strict";
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
        status.textContent = "Your browser cannot share your location: search by city instead.";
        return;
      }
      status.textContent = "Finding your location…";
      near.disabled = true;
      navigator.geolocation.getCurrentPosition(function () {
        window.location.href = near.getAttribute("data-near-me");
      }, function (error) {
        near.disabled = false;
        status.textContent = "Your location is not available" +
          (error && error.message ? " (" + error.message + ")" : "") + ": search by city instead.";
      }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 });
    });
  });
})();
