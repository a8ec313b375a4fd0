/* overview-map.js: the map of a hub's locations on the home page, /locations/ and the hub
 * pages ([data-overview-map]). Leaflet, MarkerCluster and the marker data load only when the
 * map is in the window and the page is idle, so the page itself stays light; the locations
 * shown are those whose production path starts with the hub's (data-prefix). Without JavaScript, or
 * until it loads, the box is a link to the Map view. */
(function () {
  "use strict";
  var nodes = document.querySelectorAll("[data-overview-map]");
  if (!nodes.length || !window.Locator) { return; }
  var el = Locator.el;

  function popup(loc) {
    return el("div", { className: "map-popup" }, [
      el("p", { className: "map-popup-name" }, [el("a", { href: loc.url }, [loc.name])]),
      el("p", {}, [loc.address])
    ]);
  }

  function show(node) {
    Promise.all([Locator.loadLeaflet(node), Locator.load(node.getAttribute("data-src"))]).then(function (done) {
      var L = window.L;
      var prefix = node.getAttribute("data-prefix") || "/";
      var shown = done[1].filter(function (loc) { return loc.path.indexOf(prefix) === 0; });
      if (!shown.length) { return; }
      var map = L.map(node, { scrollWheelZoom: false });
      L.tileLayer(node.getAttribute("data-tiles"), {
        attribution: node.getAttribute("data-attribution") || "", maxZoom: 19, detectRetina: true
      }).addTo(map);
      map.fitBounds(L.latLngBounds(shown.map(function (loc) { return [loc.lat, loc.lng]; })),
        { padding: [24, 24], maxZoom: 14 });
      // The markers in a task of their own: the map and its tiles first, two short tasks.
      return new Promise(function (resolve) { window.setTimeout(resolve, 0); }).then(function () {
        var icon = Locator.markerIcon(L, node);
        var layer = L.markerClusterGroup ? L.markerClusterGroup({ showCoverageOnHover: false }) : L.layerGroup();
        shown.forEach(function (loc) {
          var marker = L.marker([loc.lat, loc.lng], { title: loc.name, alt: loc.name, icon: icon });
          marker.bindPopup(function () { return popup(loc); });
          layer.addLayer(marker);
        });
        layer.addTo(map);
        node.classList.add("is-ready");
      });
    }).catch(function (error) {
      if (window.console) { window.console.error(error); }
    });
  }

  Locator.whenVisible(nodes, show);
})();
