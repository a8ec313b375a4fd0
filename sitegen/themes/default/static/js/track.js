// Analytics events for calls to action, sent leads and locator searches that found nothing
// or fell back to the nearest locations; included only where analytics is on (the script's
// data-ctas and data-searches say which). Uses whichever tracker the page loaded
// (Plausible, gtag or Matomo); does nothing otherwise.
(function () {
  "use strict";
  var script = document.currentScript;
  var ctas = !script || script.hasAttribute("data-ctas") || !script.hasAttribute("data-searches");
  var searches = script && script.hasAttribute("data-searches");
  var GTAG = { CTA: "cta_click", Lead: "generate_lead", Search: "locator_search" };
  function send(name, props) {
    try {
      if (typeof window.plausible === "function") {
        window.plausible(name, { props: props });
      } else if (typeof window.gtag === "function") {
        window.gtag("event", GTAG[name], props);
      } else if (window._paq && window._paq.push) {
        window._paq.push(["trackEvent", name, props.cta || props.outcome || "sent",
          props.location || props.place || ""]);
      }
    } catch (err) { /* analytics must never block a link or a form */ }
  }
  if (ctas) {
    document.addEventListener("click", function (e) {
      var link = e.target && e.target.closest ? e.target.closest("a[data-cta]") : null;
      if (link) {
        send("CTA", { cta: link.getAttribute("data-cta"),
                      location: link.getAttribute("data-location") || "" });
      }
    }, true);
    document.addEventListener("sitegen:lead", function (e) {
      send("Lead", { location: (e.detail && e.detail.location) || "",
                     page: (e.detail && e.detail.page) || "" });
    });
  }
  // locator.js: {outcome: "none" | "nearest" | "radius", place: a town or postcode area,
  // radius}; never the words typed.
  if (searches) {
    document.addEventListener("sitegen:search", function (e) {
      var d = e.detail || {};
      send("Search", { outcome: String(d.outcome || ""), place: String(d.place || ""),
                       radius: String(d.radius || "") });
    });
  }
})();
