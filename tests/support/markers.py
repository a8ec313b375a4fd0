"""The locator's data as the browser reads it: the records of a build's
`locations/markers.json` with their place fields filled in, and great-circle distances, for
the tests that compute what a page must show (tests/browser/test_locator_browser.py,
test_nearest_browser.py)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any


def locations(site: Path) -> list[dict[str, Any]]:
    data = json.loads((site / "locations/markers.json").read_text(encoding="utf-8"))
    out = []
    for row in data["locs"]:
        item = dict(zip(data["fields"], row, strict=True))
        place = data["places"][item["place"]]
        item.update(url=place[0] + item["slug"] + "/", city=place[1], region=place[2],
                    group=place[3], country=place[4],
                    categories=[data["cats"][i] for i in item["cats"]])
        out.append(item)
    return out


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lat1, lng1), (lat2, lng2) = map(lambda p: (math.radians(p[0]), math.radians(p[1])), (a, b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + \
        math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))
