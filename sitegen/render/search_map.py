"""folium rendering of the Map Search map (imported only when that map is rendered).

folium's CDN defaults (jQuery, Bootstrap, Font Awesome...) are replaced per instance by the
self-hosted Leaflet files, and every element id is set from a stable name, so two builds give
byte-identical HTML. The markers are not in the page: `locator-map.js` adds them from the
marker data file.
"""

from __future__ import annotations

from typing import cast

import folium
from branca.element import CssLink, Figure, JavascriptLink
from folium.plugins import MarkerCluster
from folium.template import Template

from sitegen.render.maps import CLUSTER_CSS, CLUSTER_JS, LEAFLET_CSS, LEAFLET_JS, MAP_ID, MapParts


class _LocatorMap(folium.Map):
    """folium's Map without its full-window page styles (html, body {height: 100%}...), and
    whose first view is the box of the locations (`bounds`): made without a centre and zoom
    and fitted before any layer is added, the map asks for one round of tiles, not a round at
    a starting zoom and a second at the fitted one."""

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
                {crs: L.CRS.{{ this.crs }}, ...{{ this.options|tojavascript }}}
            ).fitBounds({{ this.bounds|tojson }}, {padding: [20, 20]});
        {% endmacro %}
    """)

    def __init__(self, bounds: list[list[float]]):
        super().__init__(tiles=None, control_scale=True)
        self.options.pop("zoom", None)
        self.bounds = bounds


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


def render_search_map(tiles: str, attribution: str, box: list[list[float]]) -> MapParts:
    """The Map Search map, rendered by folium; deterministic for the same input."""
    fmap = _LocatorMap(box)
    fmap._id = MAP_ID
    # Per instance, so other folium users in the process keep their defaults.
    fmap.default_js = [("leaflet", LEAFLET_JS)]
    fmap.default_css = [("leaflet_css", LEAFLET_CSS)]
    # detect_retina: tiles of the next zoom on high-density screens, drawn at half size.
    _child(fmap, folium.TileLayer(tiles=tiles, attr=attribution, name="Map", max_zoom=19,
                                  max_native_zoom=19, detect_retina=True), "tiles")
    cluster = MarkerCluster(name="Locations", control=False, show_coverage_on_hover=False,
                            chunked_loading=True)
    cluster.default_js = [("markercluster", CLUSTER_JS)]
    cluster.default_css = [(f"markercluster_css_{n}", url) for n, url in enumerate(CLUSTER_CSS)]
    _child(fmap, cluster, "locations")
    _child(fmap, _Handles(MAP_ID, fmap, cluster), "handles")

    figure = cast(Figure, fmap.get_root())
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
