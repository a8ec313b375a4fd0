"""A site's brand from `theme.*`: colours, fonts, logo and map marker, for every page.

Every page, the password page included, inlines one small `:root{...}` rule (and the
`@font-face` rules of self-hosted fonts) after the theme's stylesheets, so a brand changes the
default theme's look from config, without a stylesheet or a fork. The values are checked by
the config schema (hex colours, font-family lists, plain paths): the CSS is assembled from
allowed values, never escaped. Text colours on the primary and header colours default to
black or white, whichever contrasts more.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sitegen.config.load import LoadedConfig
from sitegen.config.schema import SiteConfig
from sitegen.diagnostics import Diagnostic, SitegenError
from sitegen.render.images import svg_size

# theme.colors key -> the default theme's CSS custom property.
COLOR_VARIABLES = {
    "primary": "--accent", "on_primary": "--accent-ink", "secondary": "--decor",
    "text": "--ink", "muted": "--muted", "background": "--bg", "surface": "--panel",
    "border": "--line", "header": "--header-bg", "on_header": "--header-ink",
    "open": "--ok", "closed": "--warn",
}
INKS = ("#ffffff", "#111111")


@dataclass(frozen=True, slots=True)
class Logo:
    src: str
    width: int | None
    height: int | None


@dataclass(frozen=True, slots=True)
class Brand:
    """The resolved brand, as templates use it (the `brand` global)."""

    css: str  # custom properties and @font-face rules; safe to inline in <style>
    theme_color: str | None  # <meta name="theme-color">
    logo: Logo | None
    marker_icon: str | None
    marker_size: tuple[int, int]
    preload_fonts: tuple[str, ...]


def luminance(colour: str) -> float:
    """WCAG relative luminance of `#rgb` or `#rrggbb`."""
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    channels = []
    for i in (0, 2, 4):
        c = int(digits[i:i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def ink_for(background: str) -> str:
    """White or near-black, whichever reads better on `background`."""
    return max(INKS, key=lambda ink: contrast(ink, background))


def colour_values(config: SiteConfig) -> dict[str, str]:
    """The configured colours by CSS property, with the text colours filled in."""
    colours = config.theme.colors.model_dump(exclude_none=True)
    if "primary" in colours and "on_primary" not in colours:
        colours["on_primary"] = ink_for(colours["primary"])
    if "header" in colours and "on_header" not in colours:
        colours["on_header"] = ink_for(colours["header"])
    values = {variable: colours[key] for key, variable in COLOR_VARIABLES.items()
              if key in colours}
    marker = config.theme.marker.color or colours.get("primary")
    if marker:
        values["--marker"] = marker
        values["--marker-ink"] = ink_for(marker)
    fonts = config.theme.fonts
    if fonts.body:
        values["--font"] = fonts.body
    if fonts.headings:
        values["--font-headings"] = fonts.headings
    return values


def root_rule(config: SiteConfig) -> str:
    values = colour_values(config)
    if not values:
        return ""
    return ":root{" + ";".join(f"{name}:{value}" for name, value in values.items()) + "}"


def _logo(config: SiteConfig, source: Path) -> Logo | None:
    src = config.theme.logo or config.site.logo
    if not src:
        return None
    size = None
    if src.startswith("/"):
        path = source / "content" / src.split("?", 1)[0].lstrip("/")
        try:
            data = path.read_bytes()
        except OSError:
            data = None  # the audit reports the broken link
        if data is not None:
            size = svg_size(data) if path.suffix.lower() == ".svg" else _raster_size(data)
    return Logo(src, *(size or (None, None)))


def _raster_size(data: bytes) -> tuple[int, int] | None:
    import io

    from PIL import Image, UnidentifiedImageError
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except (OSError, UnidentifiedImageError, ValueError):
        return None


def resolve_brand(loaded: LoadedConfig) -> Brand:
    """The brand of a build. `theme.fonts.files` must be in the site theme's static folder
    (published under /_assets/, linked with a content hash like every theme asset)."""
    config = loaded.config
    static = loaded.source / "themes" / config.theme.name / "static" \
        if config.theme.name else None
    faces, preload, problems = [], [], []
    for index, font in enumerate(config.theme.fonts.files):
        path = static / font.src if static is not None else None
        if path is None or not path.is_file():
            where = f"themes/{config.theme.name}/static/" if config.theme.name else \
                "a site theme's static/ folder (set theme.name)"
            origin = loaded.origin_of(("theme", "fonts", "files"))
            problems.append(Diagnostic(
                origin.path or origin.layer, origin.line, f"theme.fonts.files[{index}].src",
                f"{font.src} is not in {where}", "put the font file there, or fix the path"))
            continue
        url = f"/_assets/{font.src}?v={hashlib.sha256(path.read_bytes()).hexdigest()[:10]}"
        fmt = "woff2" if font.src.lower().endswith(".woff2") else "woff"
        faces.append(f"@font-face{{font-family:\"{font.family}\";src:url({url}) "
                     f"format(\"{fmt}\");font-weight:{font.weight};font-style:{font.style};"
                     "font-display:swap}")
        if fmt == "woff2":
            preload.append(url)
    if problems:
        raise SitegenError(problems)
    css = "".join(faces) + root_rule(config)
    if "<" in css:  # the schema allows no such character; never let one reach <style>
        raise ValueError("unexpected '<' in the theme's CSS")
    theme = config.theme
    return Brand(css, theme.colors.header or theme.colors.primary,
                 _logo(config, loaded.source), theme.marker.icon, theme.marker.size,
                 tuple(preload))
