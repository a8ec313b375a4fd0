// The small map on a location page: plain Leaflet, one marker (the brand's pin), tiles from
// the site config.
(function () {
  "use strict";
  var node = document.getElementById("location-map");
  if (!node || !window.L) { return; }
  var L = window.L;
  var at = [Number(node.getAttribute("data-lat")), Number(node.getAttribute("data-lng"))];
  var map = L.map(node, { scrollWheelZoom: false }).setView(at, Number(node.getAttribute("data-zoom")) || 15);
  L.tileLayer(node.getAttribute("data-tiles"), {
    attribution: node.getAttribute("data-attribution") || "", maxZoom: 19
  }).addTo(map);
  var name = node.getAttribute("data-name") || "";
  L.marker(at, { title: name, alt: name, keyboard: false, interactive: false,
    icon: window.Locator ? Locator.markerIcon(L, node) : new L.Icon.Default() }).addTo(map);
  node.classList.add("is-ready");
})();
