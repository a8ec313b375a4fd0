"""Draws the example site's few location "photos": neutral café fronts made with Pillow.

    python bench/example_photos.py     # writes content/images/stores/<id>.jpg

The example site needs some raster images so that its detail pages show the responsive
photo (AVIF/WebP `srcset` made at build time, sitegen/render/images.py); these are drawn, not
photographed, so the repository holds no one's copyrighted picture. They are committed:
run this only to change them. Each is 1440x960 so every derivative width (480, 960, 1440) is
made.
"""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "content" / "images" / "stores"
GREEN, DEEP, OAK, CREAM = (31, 77, 58), (22, 56, 42), (176, 122, 69), (246, 241, 231)
# store id -> (sky top, sky bottom, facade colour)
STORES = {
    "jo-sf-001": ((126, 172, 214), (236, 222, 196), (226, 214, 190)),
    "jo-pdx-001": ((150, 170, 180), (220, 224, 220), (120, 72, 52)),
    "jo-sea-001": ((120, 140, 160), (206, 212, 214), (70, 84, 92)),
    "jo-nyc-001": ((112, 160, 210), (232, 214, 186), (150, 66, 48)),
    "jo-van-001": ((132, 168, 196), (224, 226, 222), (96, 90, 84)),
    "jo-tor-001": ((104, 150, 200), (240, 220, 190), (196, 160, 98)),
}
W, H = 1440, 960


def gradient(top: tuple[int, int, int], bottom: tuple[int, int, int]) -> Image.Image:
    image = Image.new("RGB", (W, H))
    draw = ImageDraw.Draw(image)
    for y in range(H):
        t = y / (H - 1)
        draw.line([(0, y), (W, y)], fill=tuple(round(a + (b - a) * t) for a, b in
                                               zip(top, bottom, strict=True)))
    return image


def shade(colour: tuple[int, int, int], factor: float) -> tuple[int, int, int]:
    return tuple(max(0, min(255, round(c * factor))) for c in colour)  # type: ignore[return-value]


def storefront(name: str, sky: tuple[tuple[int, int, int], tuple[int, int, int]],
               facade: tuple[int, int, int]) -> Image.Image:
    rng = random.Random(name)
    image = gradient(*sky)
    draw = ImageDraw.Draw(image)
    # neighbouring buildings and the facade
    draw.rectangle([0, 120, 180, H], fill=shade(facade, 0.8))
    draw.rectangle([1260, 90, W, H], fill=shade(facade, 0.75))
    draw.rectangle([180, 60, 1260, H], fill=facade)
    for x in range(230, 1220, 170):  # upper windows
        draw.rectangle([x, 120, x + 110, 300], fill=shade(sky[0], 0.85))
        draw.rectangle([x, 120, x + 110, 300], outline=CREAM, width=8)
    # sign board, awning with stripes, shop window, door
    draw.rectangle([300, 350, 1140, 440], fill=DEEP)
    for i, x in enumerate(range(330, 1110, 60)):
        draw.ellipse([x, 380, x + 24, 404], fill=OAK if i % 3 else CREAM)
    stripes = [GREEN, CREAM]
    for i, x in enumerate(range(220, 1220, 100)):
        draw.polygon([(x, 470), (x + 100, 470), (x + 120, 560), (x + 20, 560)],
                     fill=stripes[i % 2])
    draw.rectangle([240, 560, 1200, 900], fill=shade(facade, 0.6))
    warm = (250, 214, 150)
    draw.rectangle([270, 590, 820, 880], fill=warm)
    draw.rectangle([880, 590, 1170, 900], fill=DEEP)
    draw.rectangle([910, 620, 1140, 860], fill=shade(warm, 0.9))
    draw.ellipse([1100, 740, 1120, 760], fill=OAK)
    # people and counter inside, as soft shapes
    for _ in range(4):
        x = rng.randint(300, 760)
        draw.ellipse([x, 660, x + 40, 700], fill=shade(OAK, 0.7))
        draw.rounded_rectangle([x - 10, 700, x + 50, 820], 20, fill=shade(GREEN, 1.1))
    draw.rectangle([270, 800, 820, 880], fill=shade(OAK, 0.8))
    for x in range(290, 800, 70):  # cups on the counter
        draw.rectangle([x, 780, x + 26, 800], fill=CREAM)
    # pavement, a bench and planters
    draw.rectangle([0, 900, W, H], fill=(150, 146, 138))
    draw.rectangle([60, 860, 220, 880], fill=OAK)
    for x in (40, 1280):
        draw.rectangle([x, 820, x + 100, 900], fill=shade(OAK, 0.7))
        draw.ellipse([x - 20, 740, x + 120, 840], fill=GREEN)
    return image.filter(ImageFilter.GaussianBlur(1.2))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (top, bottom, facade) in STORES.items():
        target = OUT / f"{name}.jpg"
        storefront(name, (top, bottom), facade).save(target, "JPEG", quality=72,
                                                     optimize=True, progressive=True)
        print(target.relative_to(REPO), target.stat().st_size)


if __name__ == "__main__":
    main()
