/* sitegen consent.js: analytics only after the visitor accepts (analytics.consent: true).
 *
 * The page loads this file instead of the provider's snippet, with the provider settings in
 * data attributes (data-provider, data-id, data-domain, data-url; a custom snippet sits in
 * <template id="sitegen-analytics-snippet">). It shows an accessible banner with Accept and
 * Decline (styled by the theme: .consent-banner in site.css, in the brand's colours),
 * stores the choice in localStorage ("sitegen-consent"), and loads the provider
 * script only after Accept (now, or on a later visit). Nothing is loaded after Decline or
 * while the visitor has not chosen. `window.sitegenConsent.reset()` forgets the choice (link
 * to it from the privacy page, e.g. <button onclick="sitegenConsent.reset()">).
 */
(function () {
  "use strict";
  // What this script says, in the page's language (site.js runs first and reads them).
  var t = window.sitegenStrings.say;
  var KEY = "sitegen-consent";
  var script = document.currentScript ||
    document.querySelector("script[src*='/_assets/js/consent.js']");
  if (!script) { return; }
  var settings = {
    provider: script.getAttribute("data-provider") || "",
    id: script.getAttribute("data-id") || "",
    domain: script.getAttribute("data-domain") || location.hostname,
    url: script.getAttribute("data-url") || ""
  };

  function stored() {
    try { return localStorage.getItem(KEY); } catch (e) { return null; }
  }

  function store(value) {
    try { localStorage.setItem(KEY, value); } catch (e) { /* storage disabled: ask again */ }
  }

  function addScript(src, attributes) {
    var element = document.createElement("script");
    element.src = src;
    element.async = true;
    Object.keys(attributes || {}).forEach(function (name) {
      element.setAttribute(name, attributes[name]);
    });
    document.head.appendChild(element);
  }

  var loaded = false;
  function load() {
    if (loaded) { return; }
    loaded = true;
    if (settings.provider === "ga4" && settings.id) {
      window.dataLayer = window.dataLayer || [];
      window.gtag = function () { window.dataLayer.push(arguments); };
      window.gtag("js", new Date());
      window.gtag("config", settings.id);
      addScript("https://www.googletagmanager.com/gtag/js?id=" + encodeURIComponent(settings.id));
    } else if (settings.provider === "plausible") {
      addScript(settings.url || "https://plausible.io/js/script.js",
        { "data-domain": settings.domain });
    } else if (settings.provider === "matomo" && settings.url) {
      var base = settings.url.replace(/\/?$/, "/");
      var paq = window._paq = window._paq || [];
      paq.push(["trackPageView"]);
      paq.push(["enableLinkTracking"]);
      paq.push(["setTrackerUrl", base + "matomo.php"]);
      paq.push(["setSiteId", settings.id]);
      addScript(base + "matomo.js");
    } else if (settings.provider === "custom") {
      var template = document.getElementById("sitegen-analytics-snippet");
      if (!template || !template.content) { return; }
      Array.prototype.forEach.call(template.content.childNodes, function (node) {
        if (node.nodeName === "SCRIPT") {
          var copy = document.createElement("script");
          Array.prototype.forEach.call(node.attributes, function (attribute) {
            copy.setAttribute(attribute.name, attribute.value);
          });
          copy.text = node.text;
          document.head.appendChild(copy);
        } else {
          document.head.appendChild(document.importNode(node, true));
        }
      });
    }
  }

  var banner = null;
  function close() {
    if (banner && banner.parentNode) { banner.parentNode.removeChild(banner); }
    banner = null;
  }

  function ask() {
    if (banner) { return; }
    banner = document.createElement("section");
    banner.className = "consent-banner";
    banner.setAttribute("role", "region");
    banner.setAttribute("aria-label", t("consent_label"));
    var text = document.createElement("p");
    text.id = "consent-text";
    text.textContent = t("consent_text");
    var accept = document.createElement("button");
    accept.type = "button";
    accept.className = "button";
    accept.textContent = t("accept");
    accept.setAttribute("aria-describedby", "consent-text");
    var decline = document.createElement("button");
    decline.type = "button";
    decline.className = "button secondary";
    decline.textContent = t("decline");
    decline.setAttribute("aria-describedby", "consent-text");
    accept.addEventListener("click", function () { store("accepted"); close(); load(); });
    decline.addEventListener("click", function () { store("declined"); close(); });
    banner.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { close(); }
    });
    var buttons = document.createElement("div");
    buttons.className = "consent-buttons";
    buttons.appendChild(accept);
    buttons.appendChild(decline);
    banner.appendChild(text);
    banner.appendChild(buttons);
    document.body.appendChild(banner);
  }

  window.sitegenConsent = {
    reset: function () {
      try { localStorage.removeItem(KEY); } catch (e) { /* ignore */ }
      ask();
    },
    choice: stored
  };

  function start() {
    var choice = stored();
    if (choice === "accepted") { load(); } else if (choice !== "declined") { ask(); }
  }
  if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
})();
