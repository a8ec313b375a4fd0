"""10,000 locations: every locator view stays small and the marker data stays compact.

The dataset comes from bench/generate.py (seeded, so the sizes are the same each run).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from bench.generate import write_site
from sitegen.builder.pipeline import build
from sitegen.builder.run import BuildOptions

COUNT = 10_000
MAX_HTML = 300 * 1024
MAX_DATA = int(2.5 * 1024 * 1024)


@pytest.mark.slow
def test_views_stay_small_with_10000_locations(tmp_path: Path) -> None:
    source = write_site(tmp_path / "site", COUNT, seed=7)
    started = time.perf_counter()
    result = build(BuildOptions(source, "production", out=tmp_path / "out", environ={}))
    seconds = time.perf_counter() - started
    out = result.out_dir
    assert result.locations_built == COUNT

    views = [out / "locations/map/index.html", out / "locations/index.html"]
    for view in ("list", "cards"):
        pages = sorted((out / "locations" / view).rglob("index.html"))
        assert len(pages) == COUNT // 50  # page 1 plus page/2/ ... page/200/
        views += pages
    sizes = {p.relative_to(out).as_posix(): p.stat().st_size for p in views}
    biggest = max(sizes, key=sizes.__getitem__)
    assert sizes[biggest] < MAX_HTML, f"{biggest} is {sizes[biggest]} bytes"

    data = out / "locations/markers.json"
    assert data.stat().st_size < MAX_DATA
    assert len(json.loads(data.read_bytes())["locs"]) == COUNT
    print(f"\n{COUNT} locations built in {seconds:.1f} s; map page "
          f"{sizes['locations/map/index.html']} B, largest view {biggest} {sizes[biggest]} B, "
          f"markers.json {data.stat().st_size} B")
