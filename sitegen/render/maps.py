"""Maps: the self-hosted Leaflet files and the detail map (search_map.py renders the Map Search
map with folium).

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

import xstatic.pkg.leaflet as xs_leaflet
import xstatic.pkg.leaflet_markercluster as xs_cluster

from sitegen.config.schema import SiteConfig
from sitegen.data.locations import Location
from sitegen.data.markup import clean_inline

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


@dataclass(frozen=True, slots=True)
class DetailMap:
    """What location.html needs for the small map centred on one location (attributes, not
    dict keys: Jinja looks a name up as an attribute first, and a dict's failed lookup
    raised an AttributeError seven times a page)."""

    css: list[str]
    js: list[str]
    lat: str
    lng: str
    zoom: int
    tiles: str
    attribution: str


def detail_map(config: SiteConfig, location: Location) -> DetailMap:
    return DetailMap([LEAFLET_CSS], [LEAFLET_JS], f"{location.lat:.6f}", f"{location.lng:.6f}",
                     config.maps.zoom, config.maps.tiles, clean_inline(config.maps.attribution))
