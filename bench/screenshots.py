"""Screenshots of the four location views for the README: docs/screenshots/{view}.png.

Views: map, list, cards and detail (a location page).

    python bench/screenshots.py            # builds the example site into a temporary folder

Builds the bundled example site, serves it on 127.0.0.1 and photographs each view at 1280x800
in Debian's Chromium. Map tiles are blocked (no network), so maps show a neutral background.
The clock is fixed (a Wednesday, 10:30 in New York) so the open-now badges are the same each run.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

from support.browser import launch, open_page, serve  # noqa: E402

from sitegen.build.pipeline import build  # noqa: E402
from sitegen.build.run import BuildOptions  # noqa: E402

OUT = REPO / "docs" / "screenshots"
CLOCK = "2026-06-17T10:30:00-04:00"
DETAIL = "/locations/us/ca/san-francisco/juniper-oak-coffee-hayes-valley/"


def take(site: Path, out: Path = OUT) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    shots = []
    with serve(site) as base, launch() as browser:
        for name, path, ready in (
            ("map", "/locations/map/", ".marker-cluster, .leaflet-marker-icon"),
            ("list", "/locations/list/", ".open-badge:not([hidden])"),
            ("cards", "/locations/cards/", ".open-badge:not([hidden])"),
            ("detail", DETAIL, ".leaflet-marker-icon"),
        ):
            with open_page(browser, base) as page:
                page.clock.set_fixed_time(CLOCK)
                page.goto(base + path)
                page.wait_for_selector(ready)
                page.wait_for_timeout(600)  # marker and cluster animations
                if name == "detail":  # the address, map and hours rather than the intro
                    page.evaluate("document.getElementById('contact-heading').scrollIntoView();"
                                  "window.scrollBy(0, -16)")
                target = out / f"{name}.png"
                page.screenshot(path=str(target))
                shots.append(target)
    return shots


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        build(BuildOptions(REPO, "production", out=Path(tmp) / "site", environ={}))
        for shot in take(Path(tmp) / "site"):
            print(shot.relative_to(REPO))


if __name__ == "__main__":
    main()
