"""Responsive location photos: AVIF and WebP copies at a few widths, made with Pillow.

A location's `image` that names a raster file of the site's `content/` folder (JPEG, PNG,
WebP, AVIF) gets a `<picture>`: AVIF and WebP sources at 480, 960 and 1440 px wide (never
wider than the original), and the original as the `<img>` with its width and height. Decisions:

- An SVG is shown as given (it scales by itself), with its own width and height.
- An http(s) image is shown as given, without `srcset`: a build never fetches images (no
  network failure can break it, and the image's host stays in charge of its file).
- The copies are build output: the same bytes every time (fixed encoder settings, no
  metadata kept, the photo turned upright first), named by the original's content hash under
  `/_assets/img/`, and cached by that hash in `$XDG_CACHE_HOME/sitegen/images/` (else
  `~/.cache/...`), so a build encodes only images it has never seen, whichever site folder
  or output it builds.
- A missing or unreadable image file is an error naming the row and the field.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitegen.data.locations import Location
from sitegen.diagnostics import Report
from sitegen.usercache import user_cache

WIDTHS = (480, 960, 1440)
RASTER = (".jpg", ".jpeg", ".png", ".webp", ".avif")
# (extension, MIME type, Pillow format, encoder settings). Bump VERSION with any change here:
# it is part of every cached file's name.
FORMATS = (
    ("avif", "image/avif", "AVIF", {"quality": 55, "speed": 8, "max_threads": 1}),
    ("webp", "image/webp", "WEBP", {"quality": 78, "method": 4}),
)
VERSION = "1"
MAX_PIXELS = 50_000_000
SIZES = "(min-width: 60rem) 36rem, 100vw"


@dataclass(frozen=True, slots=True)
class Source:
    type: str
    srcset: str


@dataclass(frozen=True, slots=True)
class Picture:
    """What a template needs to show one image: `<picture>` sources and the `<img>`."""

    src: str
    width: int | None
    height: int | None
    sources: tuple[Source, ...] = ()
    sizes: str = SIZES


class Pictures:
    """The `picture_for(url)` template function: the Picture of an image URL, or None for
    an image the build knows nothing of (an http(s) URL). `fingerprint` covers every
    picture, so a changed photo re-renders the pages that show photos."""

    def __init__(self, pictures: dict[str, Picture]):
        self._pictures = pictures
        self.fingerprint = hashlib.blake2b(repr(sorted(pictures.items())).encode(),
                                           digest_size=16).hexdigest()

    def __call__(self, url: str | None) -> Picture | None:
        return self._pictures.get(url) if url else None


def cache_folder() -> Path:
    return user_cache("images")


def widths_for(width: int) -> list[int]:
    """480, 960, 1440, each narrower than the original, and the original's own width up to
    the largest."""
    return [w for w in WIDTHS if w < width] + [min(width, WIDTHS[-1])]


def svg_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of an SVG from its root element (width/height, else viewBox)."""
    match = re.search(rb"<svg\b[^>]*>", data[:4096])
    if match is None:
        return None
    tag = match.group(0).decode("utf-8", "replace")

    def attribute(name: str) -> str | None:
        found = re.search(rf'\s{name}\s*=\s*["\']([^"\']*)["\']', tag)
        return found.group(1) if found else None

    width, height = attribute("width"), attribute("height")
    if width and height and re.fullmatch(r"\d+(\.\d+)?(px)?", width) \
            and re.fullmatch(r"\d+(\.\d+)?(px)?", height):
        return round(float(width.removesuffix("px"))), round(float(height.removesuffix("px")))
    box = (attribute("viewBox") or "").replace(",", " ").split()
    try:
        if len(box) == 4 and float(box[2]) > 0 and float(box[3]) > 0:
            return round(float(box[2])), round(float(box[3]))
    except ValueError:
        return None
    return None


def _open(data: bytes) -> Any:
    """The image, read as far as its header; raises OSError or ValueError when it is not
    an image Pillow recognises, or one too large to decode safely."""
    from PIL import Image, UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except UnidentifiedImageError:
            raise ValueError("not a format Pillow recognises") from None
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise ValueError(str(exc)) from None
    if image.width * image.height > MAX_PIXELS:
        raise ValueError(f"{image.width}x{image.height} pixels is more than {MAX_PIXELS:,}")
    return image


# EXIF orientations that turn the image a quarter: its upright width is its stored height.
_QUARTER_TURNS = {5, 6, 7, 8}


def _upright_size(image: Any) -> tuple[int, int]:
    """The width and height the image is shown at, from its header: a build whose every
    derivative is cached decodes nothing."""
    if image.getexif().get(0x0112) in _QUARTER_TURNS:
        return image.height, image.width
    return image.width, image.height


def _decoded(image: Any) -> Any:
    """The image fully decoded, upright, in RGB(A); raises OSError for a truncated file."""
    from PIL import ImageOps

    image.load()
    upright = ImageOps.exif_transpose(image)
    return upright.convert("RGBA" if upright.mode in ("RGBA", "LA", "P") else "RGB")


def encode(image: Any, width: int, pillow_format: str, settings: dict[str, Any]) -> bytes:
    """One derivative: resized with Lanczos, saved without metadata."""
    from PIL import Image

    height = max(1, round(image.height * width / image.width))
    # Always a copy: `save` keeps its settings on the image object, and the threads encode
    # from one shared original (its own bytes would take another thread's settings).
    copy = image.copy() if width == image.width else image.resize((width, height),
                                                                  Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, pillow_format, **settings)
    return out.getvalue()


@dataclass(frozen=True)
class _Job:
    image: Any
    width: int
    fmt: tuple[str, str, str, dict[str, Any]]
    target: Path


def _run(job: _Job) -> None:
    data = encode(job.image, job.width, job.fmt[2], job.fmt[3])
    job.target.parent.mkdir(parents=True, exist_ok=True)
    tmp = job.target.with_name(f".{job.target.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, job.target)


def _stem(url: str) -> str:
    stem = url.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return re.sub(r"[^a-z0-9-]+", "-", stem.lower()).strip("-")[:40] or "image"


@dataclass
class _Planned:
    picture: Picture
    files: list[tuple[Path, str]]


def _plan(url: str, data: bytes, jobs: list[_Job]) -> _Planned:
    """The picture of a raster image and the derivative files it needs (queueing the jobs
    of those not in the cache); raises OSError or ValueError for an unreadable image."""
    image = _open(data)
    width_shown, height_shown = _upright_size(image)
    digest = hashlib.sha256(data).hexdigest()[:16]
    cache = cache_folder()
    sources, files = [], []
    decoded = None
    for fmt in FORMATS:
        entries = []
        for width in widths_for(width_shown):
            name = f"{_stem(url)}-{digest[:10]}-{width}.{fmt[0]}"
            cached = cache / f"{digest}-v{VERSION}-{width}.{fmt[0]}"
            if not cached.is_file():
                decoded = _decoded(image) if decoded is None else decoded
                jobs.append(_Job(decoded, width, fmt, cached))
            files.append((cached, f"_assets/img/{name}"))
            entries.append(f"/_assets/img/{name} {width}w")
        sources.append(Source(fmt[1], ", ".join(entries)))
    return _Planned(Picture(url, width_shown, height_shown, tuple(sources)), files)


def prepare(locations: list[Location], static_files: list[tuple[Path, str]],
            report: Report, jobs: int = 1) -> tuple[Pictures, list[tuple[Path, str]]]:
    """The pictures of every location image found in `content/` (`static_files`), and the
    derivative files to publish as (cached file, output path); problems go to `report`."""
    content = {"/" + rel: path for path, rel in static_files}
    pictures: dict[str, Picture] = {}
    files: list[tuple[Path, str]] = []
    queued: list[_Job] = []
    seen: set[str] = set()
    for location in sorted(locations, key=lambda loc: (loc.source, loc.row)):
        url = location.image
        if not url or url in seen or url.startswith(("http://", "https://")):
            continue
        seen.add(url)
        path = content.get(url.split("?", 1)[0].split("#", 1)[0])
        if path is None:
            report.error(location.source, location.row, "image",
                         f"'{url[:80]}' is not a file of the content folder",
                         f"add content{url.split('?', 1)[0][:80]}, or correct the path")
            continue
        try:
            data = path.read_bytes()
            if path.suffix.lower() == ".svg":
                size = svg_size(data)
                pictures[url] = Picture(url, *(size or (None, None)))
            elif path.suffix.lower() in RASTER:
                planned = _plan(url, data, queued)
                pictures[url] = planned.picture
                files.extend(planned.files)
        except (OSError, ValueError, SyntaxError) as exc:
            report.error(location.source, location.row, "image",
                         f"content{url[:80]} is not a readable image ({exc})",
                         "save it again as JPEG, PNG, WebP or AVIF, or point the image "
                         "column at another file")
    if queued:
        # Pillow's encoders release the GIL: threads encode side by side.
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            list(pool.map(_run, queued))
    return Pictures(pictures), sorted(set(files), key=lambda item: item[1])
