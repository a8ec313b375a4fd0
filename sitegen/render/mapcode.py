"""The Map Search map's code without importing folium in every build.

folium (with numpy and requests) costs most of a second to import and render, paid by one
render worker of every build. What it renders for the map depends on three values: the tiles
URL, the attribution and the box of the locations. So folium draws the map once per machine
and version (of folium, branca and sitegen's map code) with stand-in values, checks that
filling another set of values into that drawing gives exactly what it renders for them
(quotes, `<`, `&`, non-ASCII text, negative coordinates), and the drawing is kept in the
user's cache (usercache.py). Every build then fills in its own values with folium's own
JSON encoding. When the check fails (a folium that encodes differently), or the tiles are
a provider name folium looks up, or the attribution is empty (which folium refuses),
folium renders the map as before: the page is the same bytes either way.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from sitegen.files import replace_file
from sitegen.model.views import SearchMap
from sitegen.render.maps import MapParts
from sitegen.usercache import user_cache

STAND_IN = SearchMap("https://sitegen.invalid/stand-in/{z}/{x}/{y}.png",
                     "sitegen attribution stand-in", ((11.125, 22.25), (33.375, 44.5)))
PROBE = SearchMap("https://t.example/{z}/{x}/{y}.png?k=<a>&b='c'\"d\"",
                  '&copy; <a href="https://e.example/">É\u202e🗺</a> \'x\' </script>',
                  ((-33.875, -151.25), (51.5, 0.0625)))
_KEPT = 4  # serve draws a new map after an edit that moves the box: keep a few


def _js(value: Any) -> str:
    """A value as folium writes it into the map's script (JSON, HTML-unsafe characters as
    Unicode escapes): the check below proves the encoding is the same."""
    return (json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026").replace("'", "\\u0027"))


def _box(search: SearchMap) -> str:
    return _js([list(corner) for corner in search.box])


def _values(search: SearchMap) -> list[str]:
    return [_js(search.tiles), _js(search.attribution), _box(search)]


_STAND_INS = re.compile("|".join(map(re.escape, _values(STAND_IN))))


def fill(drawing: MapParts, search: SearchMap) -> MapParts:
    """The drawing of the stand-ins with `search`'s values in their places (in one pass: a
    value that contains another stand-in's text stays as it is)."""
    values = dict(zip(_values(STAND_IN), _values(search), strict=True))

    def swap(text: str) -> str:
        return _STAND_INS.sub(lambda match: values[match.group()], text)
    return dataclasses.replace(drawing, head=swap(drawing.head), html=swap(drawing.html),
                               script=swap(drawing.script))


def folium_drawing(search: SearchMap) -> MapParts:
    """folium's rendering of the map (imported here, only when it draws one)."""
    from sitegen.render.search_map import render_search_map
    return render_search_map(search.tiles, search.attribution,
                             [list(corner) for corner in search.box])


def fillable(search: SearchMap) -> bool:
    """Whether folium passes these values through as they are: a tiles URL (a name without
    `/` is a provider folium looks up) and an attribution (folium refuses none)."""
    return "/" in search.tiles and bool(search.attribution)


def _version_key() -> str:
    """folium's and branca's versions and the code that draws and fills (the stand-ins)."""
    here = Path(__file__).parent
    code = [(here / name).read_bytes() for name in ("search_map.py", "mapcode.py")]
    versions = [metadata.version(name) for name in ("folium", "branca")]
    return hashlib.sha256(repr((versions, code)).encode()).hexdigest()[:32]


def _make_drawing() -> MapParts | None:
    """folium's drawing of the stand-ins, if every stand-in appears once, nowhere else a
    value could, and the probe's filled drawing is folium's own bytes; else None."""
    drawing = folium_drawing(STAND_IN)
    whole = drawing.head + drawing.html + drawing.script
    if any(whole.count(value) != 1 for value in _values(STAND_IN)):
        return None
    if fill(drawing, PROBE) != folium_drawing(PROBE):
        return None
    return drawing


@functools.lru_cache(maxsize=1)
def stand_in_drawing() -> MapParts | None:
    """The drawing from the user's cache, else made (and kept) now."""
    path = user_cache("maps") / f"{_version_key()}.json"
    try:
        kept = json.loads(path.read_bytes())
        return MapParts(**kept["drawing"]) if kept["fillable"] else None
    except (OSError, ValueError, KeyError, TypeError):
        pass
    drawing = _make_drawing()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_file(path, json.dumps({
            "fillable": drawing is not None,
            "drawing": dataclasses.asdict(drawing) if drawing else None}).encode())
    except OSError:
        pass  # a read-only cache: drawn again next time
    return drawing


@dataclass(frozen=True)
class RenderedMap:
    """The `map` of the Map Search page's template: the model's SearchMap (tiles,
    attribution, box, fingerprint) and the parts folium drew (head, html, script...)."""

    search: SearchMap
    parts: MapParts

    def __getattr__(self, name: str) -> Any:
        if name in MapParts.__dataclass_fields__:
            return getattr(self.parts, name)
        return getattr(self.search, name)


@functools.lru_cache(maxsize=_KEPT)
def rendered_map(search: SearchMap) -> RenderedMap:
    """The Map Search map, drawn once for each different SearchMap."""
    drawing = stand_in_drawing() if fillable(search) else None
    parts = fill(drawing, search) if drawing is not None else folium_drawing(search)
    return RenderedMap(search, parts)
