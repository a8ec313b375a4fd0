"""Screenshots of every page type, for the visual regression test and the README.

`capture(page, base, shot)` opens one page type at one window size the same way every time:
the clock fixed (a Wednesday, 10:30 in New York, so the open-now badges do not change),
animations and transitions off, map tiles blocked (a neutral background: no network), and
waits for what the page draws with script (markers, badges) before taking the first screen.

`reduce(png)` makes the small picture that is committed and compared: half size, 48 colours.
`compare(actual, reference)` is the share of pixels that differ noticeably (in brightness by
more than 40 of 255): the test allows a little (TOLERANCE), for antialiasing.

Regenerate the references (tests/visual/) and docs/screenshots/ after an intended change:

    python bench/screenshots.py --update-references
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageChops

REFERENCES = Path(__file__).resolve().parents[1] / "visual"
CLOCK = "2026-06-17T10:30:00-04:00"
HAYES = "/locations/us/ca/san-francisco/juniper-oak-coffee-hayes-valley/"
SIZES = {"desktop": (1366, 900), "mobile": (390, 844)}
TOLERANCE = 0.015
NO_MOTION = ("*, *::before, *::after { animation: none !important; transition: none !important;"
             " caret-color: transparent !important; scroll-behavior: auto !important; }")


@dataclass(frozen=True)
class Shot:
    name: str
    path: str
    ready: str  # a selector that exists once the page has drawn what script draws
    staging: bool = False  # taken from the encrypted staging build (the password page)


SHOTS = (
    Shot("home", "/", ".tile"),
    Shot("locations", "/locations/", ".tile"),
    Shot("hub", "/locations/us/ca/", ".tile"),
    Shot("city", "/locations/us/ca/san-francisco/", ".open-badge:not([hidden])"),
    Shot("map", "/locations/map/", ".leaflet-marker-icon"),
    Shot("list", "/locations/list/", ".open-badge:not([hidden])"),
    Shot("cards", "/locations/cards/", ".open-badge:not([hidden])"),
    Shot("location", HAYES, "[data-today-hours]:not([hidden])"),
    Shot("page", "/about/", "main h1"),
    Shot("contact", "/contact/", "form.lead-form"),
    Shot("404", "/404.html", "main h1"),
    Shot("unlock", "/", "#sitegen-password", staging=True),
)
# A right-to-left page: the example site built with `site.language: ar` (RTL_ENVIRON), the
# mirrored theme compared with its own references.
RTL_SHOT = Shot("location-rtl", HAYES, "[data-today-hours]:not([hidden])")
RTL_ENVIRON = {"SITEGEN_SITE__LANGUAGE": "ar"}


def capture(page: Any, base: str, shot: Shot, *, masked: bool = True) -> bytes:
    """The first screen of one page type, as PNG bytes; `masked`: the maps painted over in
    their background colour. Where the marker clusters of a map fall depends on the order in
    which the page settled (a few pixels of map size change the clusters), so the compared
    pictures check the map's box, not what is in it (tests/test_theme_browser.py checks the
    markers themselves)."""
    open_shot(page, base, shot)
    return screenshot(page, masked)


def screenshot(page: Any, masked: bool) -> bytes:
    maps = [page.locator(".leaflet-container")] if masked else []
    return page.screenshot(mask=maps, mask_color="#e7e4dc")


def open_shot(page: Any, base: str, shot: Shot) -> None:
    """Open one page type and wait until it has drawn what script draws."""
    page.clock.set_fixed_time(CLOCK)
    page.goto(base + shot.path)
    page.add_style_tag(content=NO_MOTION)
    page.wait_for_selector(shot.ready, state="attached")
    page.evaluate("document.fonts.ready")
    if page.evaluate(HALF_SHOWN):  # such a map loads by itself (js/overview-map.js)
        page.wait_for_selector(".overview-map.is-ready .leaflet-marker-icon")
    settle(page)


HALF_SHOWN = """() => Array.from(document.querySelectorAll('[data-overview-map]')).some(map => {
    const box = map.getBoundingClientRect();
    return Math.min(box.bottom, innerHeight) - Math.max(box.top, 0) >= box.height / 2; })"""
MARKERS = """() => Array.from(document.querySelectorAll('.leaflet-marker-icon'),
    icon => icon.style.transform + icon.textContent).join('|')"""


def settle(page: Any) -> None:
    """Wait until the map markers stop moving (zoom and cluster animations), 3 s at most."""
    before = page.evaluate(MARKERS)
    for _ in range(10):
        page.wait_for_timeout(300)
        now = page.evaluate(MARKERS)
        if now == before:
            return
        before = now


def reduce(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    half = image.resize((image.width // 2, image.height // 2), Image.Resampling.BOX)
    return half.quantize(48, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)


def save(image: Image.Image, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    image.save(target, "PNG", optimize=True)


def compare(actual: Image.Image, reference: Image.Image) -> tuple[float, Image.Image]:
    """(share of noticeably different pixels, an image of where they are)."""
    a, b = actual.convert("RGB"), reference.convert("RGB")
    if a.size != b.size:
        return 1.0, a
    diff = ImageChops.difference(a, b)
    mask = diff.convert("L").point(lambda v: 255 if v > 40 else 0)
    changed = mask.histogram()[255] / (a.width * a.height)
    return changed, mask


def reference_path(shot: Shot, size: str) -> Path:
    return REFERENCES / f"{shot.name}-{size}.png"


def assert_like_reference(actual: Image.Image, shot: Shot, size: str, evidence: Path) -> None:
    """The screenshot differs from its committed reference by at most TOLERANCE; if not,
    the actual picture and a map of the changed pixels are saved in `evidence`."""
    reference = reference_path(shot, size)
    assert reference.is_file(), f"no reference {reference.name}: run " \
        "python bench/screenshots.py --update-references"
    changed, mask = compare(actual, Image.open(reference))
    if changed > TOLERANCE:
        save(actual, evidence / f"actual-{reference.name}")
        save(mask.convert("P"), evidence / f"diff-{reference.name}")
    assert changed <= TOLERANCE, (
        f"{reference.name}: {changed:.1%} of the picture changed (allowed {TOLERANCE:.1%}); "
        f"see {evidence}. If the change is intended: "
        "python bench/screenshots.py --update-references")
