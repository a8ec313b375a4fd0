/* locator-map.js: the Map Search view. The map and its (empty) cluster layer are created by
 * the folium script in the page and published as window.sitegenMaps.locator; this adds the
 * markers from the marker data and keeps them in step with the result list beside the map. */
(function () {
  "use strict";
  // folium's script makes the map when the page is parsed (DOMContentLoaded), after this
  // deferred script has run: start then, in a task of its own (making the map lays the page
  // out; two short tasks rather than one long one).
  if (!(window.sitegenMaps && window.sitegenMaps.locator)) {
    document.addEventListener("DOMContentLoaded", function () { window.setTimeout(start, 0); });
  } else {
    start();
  }

  function start() {
    var root = document.getElementById("locator");
    var handles = window.sitegenMaps && window.sitegenMaps.locator;
    if (!root || !window.Locator || !handles) { return; }
    var L = window.L;
    var el = Locator.el;
    var map = handles.map;
    var cluster = handles.cluster;
    var list = root.querySelector("[data-results]");
    var serverOnly = root.querySelectorAll("[data-server-only]");
    var markers = {};  // location index -> marker, made on first use
    var pin = Locator.markerIcon(L, root.querySelector(".map-panel"));
    var layout = root.querySelector("[data-map-layout]");
    var toggle = root.querySelector("[data-map-toggle]");
    var here = null;   // "you are here" marker and radius circle
    var ctx = null;
    var fitted = false;
    var pending = null;  // the markers of the last render, placed in a task of their own
    // A phone shows the map or the list (locator.css): the list is drawn when it is shown.
    var narrow = window.matchMedia ? window.matchMedia("(max-width: 63.99rem)") : null;
    var unlisted = null;  // the results of the last render, not drawn yet

    function popup(loc) {
      return el("div", { className: "map-popup" }, [
        el("p", { className: "map-popup-name" }, [el("a", { href: loc.url }, [loc.name])]),
        el("p", {}, [loc.address]),
        el("p", {}, [Locator.badge(loc, ctx.clock), " ", Locator.distanceNode(loc, ctx.unit)]),
        el("p", { className: "map-popup-links" }, [
          el("a", { href: loc.url }, [Locator.t("details")]), " · ",
          el("a", { href: Locator.directionsUrl(ctx.directions, loc), rel: "noopener" }, [Locator.t("directions")])
        ])
      ]);
    }

    function markerFor(loc) {
      if (!markers[loc.index]) {
        var marker = L.marker([loc.lat, loc.lng], { title: loc.name, alt: loc.name, icon: pin });
        marker.bindPopup(function () { return popup(loc); });
        markers[loc.index] = marker;
      }
      return markers[loc.index];
    }

    // markercluster's zoomToShowLayer never calls back when the map does not actually move
    // (a pan to where it already is, or a call during another zoom): after a short wait the
    // popup is opened anyway, from the marker's own zoom level if it is still clustered.
    function showOnMap(loc) {
      placeMarkers();
      var marker = markerFor(loc);
      var opened = false;
      function open() {
        if (opened) { return; }
        opened = true;
        marker.openPopup();
      }
      cluster.zoomToShowLayer(marker, open);
      window.setTimeout(function () {
        if (opened) { return; }
        if (map.hasLayer(marker)) { open(); return; }
        map.setView(marker.getLatLng(), map.getMaxZoom(), { animate: false });
        cluster.zoomToShowLayer(marker, open);
      }, 800);
    }

    function renderItems(slice) {
      var first = null;
      slice.forEach(function (loc) {
        var item = Locator.resultItem(loc, ctx);
        var button = el("button", { type: "button", className: "show-on-map" }, [Locator.icon("map"),
          el("span", { "aria-hidden": "true" }, [Locator.t("map")]),
          el("span", { className: "visually-hidden" }, [Locator.t("show_on_map", { name: loc.name })])]);
        button.addEventListener("click", function () { showMap(); showOnMap(loc); });
        item.querySelector(".result-actions").appendChild(button);
        list.appendChild(item);
        first = first || item.querySelector("a");
      });
      return first;
    }

    // Narrow screens show the map or the list (the Map / List buttons); wide ones both.
    function listHidden() {
      return Boolean(narrow && narrow.matches) && layout.getAttribute("data-show") === "map";
    }
    function drawList(results) {
      unlisted = null;
      list.textContent = "";
      pager.show(results);
    }
    function listShown() {
      if (unlisted && !listHidden()) { drawList(unlisted); }
    }
    if (narrow && narrow.addEventListener) { narrow.addEventListener("change", listShown); }

    function setShown(which) {
      layout.setAttribute("data-show", which);
      listShown();
      Array.prototype.forEach.call(toggle.querySelectorAll("button"), function (button) {
        button.setAttribute("aria-pressed", button.getAttribute("data-show") === which ? "true" : "false");
      });
      if (which === "map") { map.invalidateSize(); }
    }
    function showMap() { if (layout.getAttribute("data-show") !== "map") { setShown("map"); } }
    toggle.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-show]");
      if (button) { setShown(button.getAttribute("data-show")); }
    });

    var pager = Locator.Pager(root.querySelector("[data-show-more]"), 50, renderItems);

    function fit(results) {
      if (!results.length) { return; }
      map.invalidateSize({ animate: false });  // the page around the map may have moved since
      var points = results.slice(0, ctx.origin && ctx.sort === "distance" && !ctx.state.radius ? 5 : results.length)
        .map(function (loc) { return [loc.lat, loc.lng]; });
      if (ctx.origin) { points.push([ctx.origin.lat, ctx.origin.lng]); }
      map.fitBounds(L.latLngBounds(points), { padding: [30, 30], maxZoom: 14 });
    }

    // The list is drawn in the search's task (on a phone, when it is shown), the markers in
    // the next one: short tasks rather than one long one that keeps the page from answering.
    function placeMarkers() {
      if (!pending) { return; }
      var job = pending;
      pending = null;
      cluster.clearLayers();
      cluster.addLayers(job.results.map(markerFor));
      if (job.fit) { fit(job.results); }
    }

    function render(results, context) {
      ctx = context;
      Array.prototype.forEach.call(serverOnly, function (node) { node.hidden = true; });
      if (listHidden()) { unlisted = results; } else { drawList(results); }
      if (here) {
        here.circle.setRadius(ctx.state.radius ? Number(ctx.state.radius) * (ctx.unit === "mi" ? 1609.344 : 1000) : 0);
      }
      // The page's own map already shows every location: the first, unfiltered render
      // keeps that view (no second zoom, no second round of tiles).
      pending = { results: results, fit: Boolean(ctx.active || ctx.origin || fitted) };
      fitted = true;
      window.setTimeout(placeMarkers, 0);
    }

    // The origin of the distances: the visitor's position or the place searched for.
    function located(origin, context) {
      ctx = context;
      var key = origin ? origin.lat + "," + origin.lng + " " + ctx.originLabel : "";
      if (here && here.key === key) { return; }
      if (here) { here.layer.remove(); here = null; }
      if (!origin) { return; }
      var dot = L.circleMarker([origin.lat, origin.lng], { radius: 8, weight: 3, color: "#fff",
        fillColor: "#1a73e8", fillOpacity: 1 }).bindTooltip(ctx.originLabel || Locator.t("you_are_here"));
      var circle = L.circle([origin.lat, origin.lng], { radius: 0, weight: 1, fillOpacity: 0.06 });
      here = { key: key, circle: circle, layer: L.layerGroup([circle, dot]).addTo(map) };
    }

    Locator.start(root, { render: render, located: located });
  }
})();
