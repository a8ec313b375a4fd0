"""Screenshots of every page type: the visual test's references and the README's pictures.

    python bench/screenshots.py                       # docs/screenshots/*.webp only
    python bench/screenshots.py --update-references   # and tests/visual/*.png

Builds the example site (production, staging for the password page, and production in
Arabic for the right-to-left page) into a temporary folder, serves it on 127.0.0.1 and
photographs the first screen of each page type at 1366x900 and 390x844 in Debian's
Chromium, the way tests/test_theme_browser.py does (tests/support/visual.py: fixed clock,
no animations, map tiles blocked). Run it with
`--update-references` after an intended change of the theme, and commit the new pictures.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

from PIL import Image  # noqa: E402
from support.browser import launch, open_page, serve  # noqa: E402
from support.visual import (  # noqa: E402
    RTL_ENVIRON,
    RTL_SHOT,
    SHOTS,
    SIZES,
    open_shot,
    reduce,
    reference_path,
    save,
    screenshot,
)

from sitegen.builder.pipeline import build  # noqa: E402
from sitegen.builder.run import BuildOptions  # noqa: E402

DOCS = REPO / "docs" / "screenshots"
# The README's pictures: (shot, size).
README = (("home", "desktop"), ("home", "mobile"), ("map", "desktop"), ("map", "mobile"),
          ("location", "desktop"), ("location", "mobile"), ("list", "desktop"),
          ("cards", "desktop"), ("hub", "desktop"), ("unlock", "mobile"))
PASSWORD = "screenshots only"


def build_sites(tmp: Path) -> tuple[Path, Path, Path]:
    production, staging, rtl = tmp / "production", tmp / "staging", tmp / "rtl"
    build(BuildOptions(REPO, "production", out=production, environ={}))
    build(BuildOptions(REPO, "staging", out=staging,
                       environ={"SITEGEN_STAGING_PASSWORD": PASSWORD}))
    build(BuildOptions(REPO, "production", out=rtl, environ=RTL_ENVIRON))
    return production, staging, rtl


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--update-references", action="store_true",
                        help="also rewrite the visual test's references in tests/visual/")
    options = parser.parse_args()
    wanted = set(README)
    with tempfile.TemporaryDirectory() as tmp:
        production, staging, rtl = build_sites(Path(tmp))
        with serve(production) as base, serve(staging) as locked, serve(rtl) as mirrored, \
                launch() as browser:
            if options.update_references:
                for size, (width, height) in SIZES.items():
                    with open_page(browser, mirrored, viewport={"width": width,
                                                                "height": height}) as page:
                        open_shot(page, mirrored, RTL_SHOT)
                        target = reference_path(RTL_SHOT, size)
                        save(reduce(screenshot(page, masked=True)), target)
                        print(target.relative_to(REPO))
            for shot in SHOTS:
                for size, (width, height) in SIZES.items():
                    host = locked if shot.staging else base
                    with open_page(browser, host, viewport={"width": width,
                                                            "height": height}) as page:
                        open_shot(page, host, shot)
                        png = screenshot(page, masked=False)
                        if options.update_references:
                            target = reference_path(shot, size)
                            save(reduce(screenshot(page, masked=True)), target)
                            print(target.relative_to(REPO))
                    if (shot.name, size) in wanted:
                        target = DOCS / f"{shot.name}-{size}.webp"
                        target.parent.mkdir(parents=True, exist_ok=True)
                        Image.open(io.BytesIO(png)).convert("RGB").save(
                            target, "WEBP", quality=80, method=6)
                        print(target.relative_to(REPO))


if __name__ == "__main__":
    main()
