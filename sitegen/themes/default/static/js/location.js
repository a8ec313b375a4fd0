// Highlights today's row in the hours table, in the location's own time zone.
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
})();
