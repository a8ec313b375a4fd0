// The location page: today's row in the hours table, the "Open now" badge and today's hours
// at the top, all in the location's own time zone (data-timezone), with holiday hours
// (data-special) respected, and its status (data-status, data-status-date: coming soon,
// temporarily closed) until the day it opens.
(function () {
  "use strict";
  var article = document.querySelector("article.location");
  if (!article || !window.Locator) { return; }
  var zone = article.getAttribute("data-timezone") || undefined;
  function parse(text) {
    try { return JSON.parse(text || "null"); } catch (e) { return null; }
  }
  var table = document.querySelector("table.hours");
  var place = {
    hours: table && parse(table.getAttribute("data-hours")),
    special: table && parse(table.getAttribute("data-special")),
    timeZone: zone,
    status: article.getAttribute("data-status") || "open",
    statusDate: article.getAttribute("data-status-date") || ""
  };
  var now = new Date();
  var pending = Locator.lifecycleStatus(place, now);
  var banner = document.querySelector("[data-status-banner]");
  if (banner && !pending) {
    banner.hidden = true;  // the opening or reopening day has come since the build
  }
  if (!table) { return; }
  var day = Locator.weekday(now, zone);  // one Intl formatter for the whole page
  var row = table.querySelector('tr[data-day="' + day + '"]');
  if (row) { row.classList.add("today"); row.setAttribute("aria-current", "date"); }

  var badge = document.querySelector("[data-open-status]");
  if (!badge) { return; }
  var clock = badge.getAttribute("data-clock");
  Locator.showStatus(badge, place, clock);
  var today = document.querySelector("[data-today-hours]");
  var text = today && !pending && Locator.todayHours(place.hours, place.special, zone, now, clock);
  if (text) {
    today.textContent = Locator.t("today_hours", { hours: text });
    today.hidden = false;
  }
})();
