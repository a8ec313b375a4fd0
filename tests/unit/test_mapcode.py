"""The Map Search map drawn once by folium with stand-ins, then filled in per build: the
same bytes as folium's own rendering for any tiles URL, attribution and box; kept in the
user's cache; folium itself for values it does not pass through."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.model.views import SearchMap
from sitegen.render import mapcode

HOSTILE = st.sampled_from(["<script>", "</script>", '"', "'", "&amp;", "javascript:",
                           "../", "\u202e", "שלום", "🗺", "\\", "\n", "{z}", "\u2028"])
TEXT = st.lists(st.one_of(HOSTILE, st.text(max_size=8)), max_size=6).map("".join)
COORDINATE = st.floats(min_value=-180, max_value=180, allow_nan=False)


@pytest.fixture(autouse=True)
def cache_folder(tmp_path_factory: pytest.TempPathFactory,
                 monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    mapcode.stand_in_drawing.cache_clear()
    yield folder
    mapcode.stand_in_drawing.cache_clear()


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tiles=TEXT, attribution=TEXT, box=st.tuples(COORDINATE, COORDINATE, COORDINATE,
                                                    COORDINATE))
def test_a_filled_drawing_is_folium_s_own_rendering(tiles: str, attribution: str,
                                                     box: tuple[float, ...]) -> None:
    search = SearchMap("https://tiles.example/" + tiles, attribution or "x",
                       ((box[0], box[1]), (box[2], box[3])))
    drawing = mapcode.stand_in_drawing()
    assert drawing is not None
    assert mapcode.fill(drawing, search) == mapcode.folium_drawing(search)


def test_a_value_holding_another_stand_in_is_filled_in_as_it_is() -> None:
    attribution = mapcode.STAND_IN.tiles + " " + json.dumps(mapcode.STAND_IN.attribution)
    search = SearchMap(mapcode.STAND_IN.attribution + "/x", attribution, ((1.0, 2.0),
                                                                            (3.0, 4.0)))
    drawing = mapcode.stand_in_drawing()
    assert drawing is not None
    assert mapcode.fill(drawing, search) == mapcode.folium_drawing(search)


def test_the_drawing_is_kept_in_the_users_cache(cache_folder: Path) -> None:
    first = mapcode.stand_in_drawing()
    kept = list((cache_folder / "sitegen" / "maps").glob("*.json"))
    assert len(kept) == 1 and json.loads(kept[0].read_bytes())["fillable"] is True
    mapcode.stand_in_drawing.cache_clear()
    kept[0].write_text(json.dumps({"fillable": True, "drawing": {
        **json.loads(kept[0].read_bytes())["drawing"], "html": "<div>from the cache</div>"}}))
    assert mapcode.stand_in_drawing().html == "<div>from the cache</div>"  # type: ignore[union-attr]
    mapcode.stand_in_drawing.cache_clear()
    kept[0].write_text("{not json")
    assert mapcode.stand_in_drawing() == first  # a damaged file is drawn again


def test_provider_names_and_an_empty_attribution_go_to_folium() -> None:
    box = ((1.0, 2.0), (3.0, 4.0))
    assert not mapcode.fillable(SearchMap("OpenStreetMap", "x", box))
    assert not mapcode.fillable(SearchMap("https://t.example/{z}/{x}/{y}.png", "", box))
    provider = mapcode.rendered_map(SearchMap("OpenStreetMap", "x", box))
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in provider.script
    with pytest.raises(ValueError, match="attribution"):
        mapcode.rendered_map(SearchMap("https://t.example/{z}/{x}/{y}.png", "", box))
