// The small map on a location page: plain Leaflet, one marker (the brand's pin), tiles from
// the site config. Leaflet loads only when the map scrolls into view (locator.js).
(function () {
  "use strict";
  var node = document.getElementById("location-map");
  if (!node || !window.Locator) { return; }
  Locator.whenVisible([node], function () {
    Locator.loadLeaflet(node).then(function () {
      var L = window.L;
      var at = [Number(node.getAttribute("data-lat")), Number(node.getAttribute("data-lng"))];
      var map = L.map(node, { scrollWheelZoom: false })
        .setView(at, Number(node.getAttribute("data-zoom")) || 15);
      L.tileLayer(node.getAttribute("data-tiles"), {
        attribution: node.getAttribute("data-attribution") || "", maxZoom: 19, detectRetina: true
      }).addTo(map);
      var name = node.getAttribute("data-name") || "";
      L.marker(at, { title: name, alt: name, keyboard: false, interactive: false,
        icon: Locator.markerIcon(L, node) }).addTo(map);
      node.classList.add("is-ready");
    }).catch(function (error) {
      if (window.console) { window.console.error(error); }
    });
  });
})();
