"""Maps: the self-hosted Leaflet files, the folium-rendered Map Search map, the detail map.

Leaflet and Leaflet.markercluster are copied out of the `xstatic-leaflet` and
`xstatic-leaflet-markercluster` packages into `/_assets/leaflet/` and `/_assets/markercluster/`,
so no page loads a script or stylesheet from a CDN. The Map Search map is built with folium, with
its CDN defaults (jQuery, Bootstrap, Font Awesome...) replaced per instance by those local files
and every element id set from a stable name, so two builds give byte-identical HTML. The
markers are not in the page: `locator-map.js` adds them from the marker data file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
import xstatic.pkg.leaflet as xs_leaflet
import xstatic.pkg.leaflet_markercluster as xs_cluster
from branca.element import CssLink, JavascriptLink
from folium.map import FitBounds
from folium.plugins import MarkerCluster
from folium.template import Template

from sitegen.config_schema import SiteConfig
from sitegen.locations import Location

# Published path under /_assets/ -> (package data folder, file inside it).
ASSET_FILES: dict[str, tuple[str, str]] = {
    "leaflet/leaflet.js": (xs_leaflet.BASE_DIR, "leaflet.js"),
    "leaflet/leaflet.css": (xs_leaflet.BASE_DIR, "leaflet.css"),
    "leaflet/images/layers.png": (xs_leaflet.BASE_DIR, "images/layers.png"),
    "leaflet/images/layers-2x.png": (xs_leaflet.BASE_DIR, "images/layers-2x.png"),
    "leaflet/images/marker-icon.png": (xs_leaflet.BASE_DIR, "images/marker-icon.png"),
    "leaflet/images/marker-icon-2x.png": (xs_leaflet.BASE_DIR, "images/marker-icon-2x.png"),
    "leaflet/images/marker-shadow.png": (xs_leaflet.BASE_DIR, "images/marker-shadow.png"),
    "markercluster/leaflet.markercluster.js": (xs_cluster.BASE_DIR, "leaflet.markercluster.js"),
    "markercluster/MarkerCluster.css": (xs_cluster.BASE_DIR, "MarkerCluster.css"),
    "markercluster/MarkerCluster.Default.css": (xs_cluster.BASE_DIR,
                                                "MarkerCluster.Default.css"),
}
LEAFLET_JS = f"/_assets/leaflet/leaflet.js?v={xs_leaflet.VERSION}"
LEAFLET_CSS = f"/_assets/leaflet/leaflet.css?v={xs_leaflet.VERSION}"
CLUSTER_JS = f"/_assets/markercluster/leaflet.markercluster.js?v={xs_cluster.VERSION}"
CLUSTER_CSS = [f"/_assets/markercluster/MarkerCluster.css?v={xs_cluster.VERSION}",
               f"/_assets/markercluster/MarkerCluster.Default.css?v={xs_cluster.VERSION}"]
MAP_ID = "locator"


def asset_files(_model: Any = None) -> dict[str, bytes]:
    """The Leaflet files as `{_assets/...: bytes}` (an artifacts producer)."""
    files = {}
    for rel, (folder, name) in ASSET_FILES.items():
        data = (Path(folder) / name).read_bytes()
        if name.endswith(".js"):  # the .map files are not published; don't ask for them
            data = data.replace(b"//# sourceMappingURL=leaflet.js.map", b"")
        files["_assets/" + rel] = data
    return files


@dataclass(frozen=True)
class MapParts:
    """A folium map cut into the pieces a page template places: head, body, scripts."""

    head: str
    html: str
    script_urls: list[str]
    script: str
    map_name: str
    cluster_name: str


class _LocatorMap(folium.Map):
    """folium's Map without its full-window page styles (html, body {height: 100%}...)."""

    _template = Template("""
        {% macro header(this, kwargs) %}
            <style>#{{ this.get_name() }} {position: relative; width: 100%; height: 100%;}</style>
        {% endmacro %}
        {% macro html(this, kwargs) %}
            <div class="folium-map" id={{ this.get_name()|tojson }}></div>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.map(
                {{ this.get_name()|tojson }},
                {center: {{ this.location|tojson }}, crs: L.CRS.{{ this.crs }},
                 ...{{ this.options|tojavascript }}}
            );
        {% endmacro %}
    """)


class _Handles(folium.MacroElement):
    """Publishes the map and cluster layer for `locator-map.js` as `window.sitegenMaps[id]`."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            (window.sitegenMaps = window.sitegenMaps || {})[{{ this.key|tojson }}] = {
                map: {{ this.map.get_name() }}, cluster: {{ this.cluster.get_name() }}
            };
        {% endmacro %}
    """)

    def __init__(self, key: str, map_: folium.Map, cluster: MarkerCluster):
        super().__init__()
        self._name = "Handles"
        self.key, self.map, self.cluster = key, map_, cluster


def _child(parent: folium.Element, child: folium.Element, stable_id: str) -> None:
    """Add `child` with a stable id: folium's ids are random (uuid) by default."""
    child._id = stable_id
    parent.add_child(child)


def bounds(locations: list[Location]) -> list[list[float]]:
    if not locations:
        return [[-60.0, -170.0], [75.0, 170.0]]
    lats = [loc.lat for loc in locations]
    lngs = [loc.lng for loc in locations]
    return [[round(min(lats), 5), round(min(lngs), 5)], [round(max(lats), 5), round(max(lngs), 5)]]


def search_map(config: SiteConfig, locations: list[Location]) -> MapParts:
    """The Map Search map, rendered by folium; deterministic for the same input."""
    box = bounds(locations)
    centre = [round((box[0][0] + box[1][0]) / 2, 5), round((box[0][1] + box[1][1]) / 2, 5)]
    fmap = _LocatorMap(location=centre, zoom_start=4, tiles=None, control_scale=True)
    fmap._id = MAP_ID
    # Per instance, so other folium users in the process keep their defaults.
    fmap.default_js = [("leaflet", LEAFLET_JS)]
    fmap.default_css = [("leaflet_css", LEAFLET_CSS)]
    _child(fmap, folium.TileLayer(tiles=config.maps.tiles, attr=config.maps.attribution,
                                  name="Map", max_zoom=19, max_native_zoom=19), "tiles")
    cluster = MarkerCluster(name="Locations", control=False, show_coverage_on_hover=False,
                            chunked_loading=True)
    cluster.default_js = [("markercluster", CLUSTER_JS)]
    cluster.default_css = [(f"markercluster_css_{n}", url) for n, url in enumerate(CLUSTER_CSS)]
    _child(fmap, cluster, "locations")
    _child(fmap, FitBounds(box, padding=(20, 20)), "bounds")
    _child(fmap, _Handles(MAP_ID, fmap, cluster), "handles")

    figure = fmap.get_root()
    figure.render()
    head, script_urls = [], []
    for name, element in figure.header._children.items():
        if name == "meta_http":
            continue
        if isinstance(element, JavascriptLink):
            script_urls.append(element.url)
        elif isinstance(element, CssLink):
            head.append(f'<link rel="stylesheet" href="{element.url}">')
        else:
            head.append(_tidy(element.render()))
    script = _tidy(figure.script.render()).replace("</", "<\\/")
    return MapParts("\n".join(head), _tidy(figure.html.render()), script_urls, script,
                    fmap.get_name(), cluster.get_name())


def _tidy(text: str) -> str:
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())



def detail_map(config: SiteConfig, location: Location) -> dict[str, Any]:
    """What location.html needs for the small map centred on one location."""
    return {
        "css": [LEAFLET_CSS],
        "js": [LEAFLET_JS],
        "lat": f"{location.lat:.6f}",
        "lng": f"{location.lng:.6f}",
        "zoom": config.maps.zoom,
        "tiles": config.maps.tiles,
        "attribution": config.maps.attribution,
    }
