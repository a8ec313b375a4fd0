// Analytics events for calls to action and sent leads; included only where analytics is on.
// Uses whichever tracker the page loaded (Plausible, gtag or Matomo); does nothing otherwise.
(function () {
  "use strict";
  function send(name, props) {
    try {
      if (typeof window.plausible === "function") {
        window.plausible(name, { props: props });
      } else if (typeof window.gtag === "function") {
        window.gtag("event", name === "Lead" ? "generate_lead" : "cta_click", props);
      } else if (window._paq && window._paq.push) {
        window._paq.push(["trackEvent", name, props.cta || "sent", props.location || ""]);
      }
    } catch (err) { /* analytics must never block a link or a form */ }
  }
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
})();
