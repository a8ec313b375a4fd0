// The location page: today's row in the hours table, the "Open now" badge and today's hours
// at the top, all in the location's own time zone (data-timezone), with holiday hours
// (data-special) respected.
(function () {
  "use strict";
  var article = document.querySelector("article.location");
  var table = document.querySelector("table.hours");
  if (!article || !table) { return; }
  var zone = article.getAttribute("data-timezone") || undefined;
  var day;
  try {
    day = new Intl.DateTimeFormat("en-US", { weekday: "long", timeZone: zone }).format(new Date());
  } catch (e) {
    day = new Intl.DateTimeFormat("en-US", { weekday: "long" }).format(new Date());
  }
  var row = table.querySelector('tr[data-day="' + day.toLowerCase() + '"]');
  if (row) { row.classList.add("today"); row.setAttribute("aria-current", "date"); }

  var badge = document.querySelector("[data-open-status]");
  if (!badge || !window.Locator) { return; }
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
