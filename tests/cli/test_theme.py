"""The theme from config, location photos and the front door, read from built files.

Brand settings (`theme.*`) reach every page and the password page; bad values are exact
diagnostics; photos get AVIF/WebP derivatives with the same bytes every build; search
placeholders come from the data; headings never skip a level on any page type.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image
from support.sites import (
    BASE_CONFIG,
    assert_fails,
    build,
    copy_example,
    generated_rows,
    run_cli,
    small_site,
)

BRAND = """\
theme:
  colors:
    primary: "#ffcc00"
    header: "#102030"
  logo: /logo.svg
"""
HAYES = "locations/us/ca/san-francisco/juniper-oak-coffee-hayes-valley/index.html"
PASSWORD = {"SITEGEN_STAGING_PASSWORD": "correct horse battery"}


def photo(width: int = 1200, height: int = 800, colour: tuple[int, int, int] = (40, 90, 60),
          fmt: str = "JPEG") -> bytes:
    image = Image.new("RGB", (width, height), colour)
    for x in range(0, width, 50):
        image.paste((250, 240, 220), (x, 0, x + 10, height))
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def rows_with_images(*images: str) -> list[dict[str, str]]:
    rows = generated_rows(len(images))
    for row, image in zip(rows, images, strict=True):
        row["image"] = image
    return rows


def page_text(site: Path, rel: str, env: str = "production") -> str:
    return (site / "dist" / env / rel).read_text(encoding="utf-8")


# --- the brand from config -------------------------------------------------------------------

@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = copy_example(tmp_path_factory.mktemp("theme") / "site")
    build(site, "--env", "production")
    build(site, "--env", "staging", env=PASSWORD)
    return site


def test_brand_colours_fonts_and_logo_on_every_page(example: Path) -> None:
    out = example / "dist/production"
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 100
    rule = re.compile(r'<style>:root\{--accent:#1f4d3a;--accent-ink:#f6f1e7;--decor:#b07a45;'
                      r'[^<]*--font-headings:Georgia, "Times New Roman", serif\}</style>')
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert rule.search(text), page
        assert '<meta name="theme-color" content="#16382a">' in text, page
        assert '<img src="/images/logo.svg" alt="" width="96" height="96">' in text, page


def test_the_password_page_wears_the_brand(example: Path) -> None:
    prompt = page_text(example, "index.html", "staging")  # named so under private paths too
    assert "Password required" in prompt and "Juniper & Oak Coffee</span>" not in prompt
    assert '<p class="prompt-brand"><img src="/images/logo.svg" alt="" width="96" ' \
           'height="96"><span>Juniper &amp; Oak Coffee</span></p>' in prompt
    assert ":root{--accent:#1f4d3a;" in prompt
    assert "background:var(--accent,#1a5fb4)" in prompt  # the button takes the brand colour


def test_text_colours_are_chosen_by_contrast_and_shorthand_keeps_its_folder(
        tmp_path: Path) -> None:
    site = small_site(tmp_path / "site", config=BASE_CONFIG + "theme: brand\n", extra={
        "themes/brand/static/css/brand.css": "h1 { letter-spacing: 0; }\n",
        "content/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40"></svg>'})
    override = {"SITEGEN_THEME__COLORS__PRIMARY": "#FFCC00",
                "SITEGEN_THEME__COLORS__HEADER": "#102030", "SITEGEN_THEME__LOGO": "/logo.svg"}
    build(site, env=override)
    home = page_text(site, "index.html")
    # A later layer's theme.colors keeps `theme: brand` (the folder's stylesheet is linked).
    assert "/_assets/css/brand.css?v=" in home
    assert ("<style>:root{--accent:#ffcc00;--accent-ink:#111111;--header-bg:#102030;"
            "--header-ink:#ffffff;--marker:#ffcc00;--marker-ink:#111111}</style>") in home
    assert '<img src="/logo.svg" alt="" width="120" height="40">' in home
    shown = run_cli("config", "--source", site, env=override)
    assert "theme.name: brand  # config/base.yaml:7" in shown.out_lines
    assert "theme.colors.primary: '#ffcc00'  # $SITEGEN_THEME__COLORS__PRIMARY" in \
        shown.out_lines


def test_self_hosted_fonts_are_declared_and_preloaded(tmp_path: Path) -> None:
    config = BASE_CONFIG + """theme:
  name: brand
  fonts:
    body: Brand Sans, system-ui, sans-serif
    files:
      - {family: Brand Sans, src: fonts/brand.woff2, weight: 100 900}
"""
    site = small_site(tmp_path / "site", config=config,
                      extra={"themes/brand/static/fonts/brand.woff2": b"wOF2 not a real font"})
    build(site)
    home = page_text(site, "index.html")
    url = re.search(r'<link rel="preload" href="(/_assets/fonts/brand\.woff2\?v=[0-9a-f]{10})" '
                    r'as="font" type="font/woff2" crossorigin>', home)
    assert url, home[:2000]
    assert (f'@font-face{{font-family:"Brand Sans";src:url({url.group(1)}) format("woff2");'
            'font-weight:100 900;font-style:normal;font-display:swap}') in home
    assert "--font:Brand Sans, system-ui, sans-serif" in home
    assert (site / "dist/production/_assets/fonts/brand.woff2").is_file()


@pytest.mark.parametrize(("theme", "expected"), [
    ('theme:\n  colors:\n    primary: red\n',
     ["config/base.yaml:9: theme.colors.primary: 'red' is not a colour: write #rgb or #rrggbb, "
      "e.g. '#1f4d3a' (quoted: YAML reads # as a comment)"]),
    ('theme:\n  colors:\n    primary: "#fff;}</style><script>alert(1)</script>"\n',
     ["config/base.yaml:9: theme.colors.primary: '#fff;}</style><script>alert(1)</script>' is "
      "not a colour: write #rgb or #rrggbb, e.g. '#1f4d3a' (quoted: YAML reads # as a comment)"]),
    ('theme:\n  colours:\n    primary: "#123456"\n',
     ["config/base.yaml:8: theme.colours: unknown key 'colours' (did you mean 'colors'?)"]),
    ('theme:\n  fonts:\n    body: "Inter</style>, sans-serif"\n',
     ["config/base.yaml:9: theme.fonts.body: write a CSS font-family list, e.g. 'Inter, "
      "system-ui, sans-serif' (letters, digits, spaces, commas, quotes, -)"]),
    ('theme:\n  logo: "javascript:alert(1)"\n',
     ["config/base.yaml:8: theme.logo: must be an http(s) URL or a site-relative path such as "
      "/logo.svg"]),
    ('theme:\n  name: brand\n  fonts:\n    files:\n      - {family: Brand, src: fonts/x.woff2}\n',
     ["config/base.yaml:10: theme.fonts.files[0].src: fonts/x.woff2 is not in "
      "themes/brand/static/ (put the font file there, or fix the path)"]),
    ('theme:\n  fonts:\n    files:\n      - {family: Brand, src: ../../etc/passwd.woff2}\n',
     ["config/base.yaml:9: theme.fonts.files[0].src: must be a .woff2 or .woff file inside "
      "the theme's static folder, e.g. fonts/brand.woff2"]),
])
def test_bad_theme_settings_are_exact_diagnostics(tmp_path: Path, theme: str,
                                                  expected: list[str]) -> None:
    site = small_site(tmp_path / "site", config=BASE_CONFIG + theme,
                      extra={"themes/brand/static/css/x.css": ""})
    assert_fails(run_cli("build", "--source", site), expected)


# --- location photos -------------------------------------------------------------------------

def test_a_photo_gets_avif_and_webp_sizes_with_the_same_bytes_every_build(
        tmp_path: Path) -> None:
    rows = rows_with_images("/img/shop.jpg", "https://cdn.example.com/shop.jpg", "/img/plan.svg")
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200"></svg>'
    site = small_site(tmp_path / "site", rows, extra={
        "content/img/shop.jpg": photo(1200, 800), "content/img/plan.svg": svg})
    build(site, env={"XDG_CACHE_HOME": str(tmp_path / "cache-a")})
    out = site / "dist/production"
    first = {p.name: p.read_bytes() for p in (out / "_assets/img").iterdir()}
    assert sorted(first) == sorted(f"shop-{name}" for name in
                                   [n.split("shop-", 1)[1] for n in first])
    widths = sorted({int(name.rsplit("-", 1)[1].split(".")[0]) for name in first})
    assert widths == [480, 960, 1200]  # never wider than the original
    assert sorted({name.rsplit(".", 1)[1] for name in first}) == ["avif", "webp"]
    for name, data in first.items():
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == ("AVIF" if name.endswith(".avif") else "WEBP")
            assert image.width == int(name.rsplit("-", 1)[1].split(".")[0])
            assert "exif" not in image.info

    shop = page_text(site, "locations/il/peoria/test-store-0001/index.html")
    picture = re.search(r"<picture>.*?</picture>", shop, re.S)
    assert picture, shop
    assert re.fullmatch(
        r'<picture><source type="image/avif" srcset="/_assets/img/shop-[0-9a-f]{10}-480\.avif '
        r'480w, /_assets/img/shop-[0-9a-f]{10}-960\.avif 960w, /_assets/img/shop-[0-9a-f]{10}-'
        r'1200\.avif 1200w" sizes="[^"]+"><source type="image/webp" srcset="[^"]+" sizes="[^"]+">'
        r'<img class="photo" src="/img/shop\.jpg" alt="Test Store 0001" width="1200" '
        r'height="800" decoding="async"></picture>', picture.group(0))
    remote = page_text(site, "locations/il/chicago/test-store-0002/index.html")
    assert '<img class="photo" src="https://cdn.example.com/shop.jpg" alt="Test Store 0002" ' \
           'decoding="async">' in remote and "<picture>" not in remote
    plan = page_text(site, "locations/wi/madison/test-store-0003/index.html")
    assert 'src="/img/plan.svg" alt="Test Store 0003" width="300" height="200"' in plan

    # Another machine (an empty cache) makes the same files, byte for byte.
    build(site, "--force", env={"XDG_CACHE_HOME": str(tmp_path / "cache-b")})
    again = {p.name: p.read_bytes() for p in (out / "_assets/img").iterdir()}
    assert again == first
    cached = sorted((tmp_path / "cache-b/sitegen/images").iterdir())
    assert len(cached) == 6


def test_a_changed_photo_renders_its_pages_again(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site", rows_with_images("/img/a.png", ""),
                      extra={"content/img/a.png": photo(600, 400, fmt="PNG")})
    build(site)
    page = "locations/il/peoria/test-store-0001/index.html"
    before = page_text(site, page)
    assert 'width="600" height="400"' in before
    (site / "content/img/a.png").write_bytes(photo(800, 600, (200, 30, 30), fmt="PNG"))
    build(site)
    after = page_text(site, page)
    assert 'width="800" height="600"' in after
    old_names = set(re.findall(r"/_assets/img/[\w.-]+", before))
    assert old_names and not old_names & set(re.findall(r"/_assets/img/[\w.-]+", after))


def test_missing_and_unreadable_photos_are_diagnostics(tmp_path: Path) -> None:
    rows = rows_with_images("/img/missing.jpg", "/img/broken.jpg", "/img/ok.jpg")
    site = small_site(tmp_path / "site", rows, extra={
        "content/img/broken.jpg": b"this is text, not a JPEG",
        "content/img/ok.jpg": photo(500, 300)})
    result = run_cli("build", "--source", site)
    assert_fails(result, [
        "locations/locations.csv:2: image: '/img/missing.jpg' is not a file of the content "
        "folder (add content/img/missing.jpg, or correct the path)",
        "locations/locations.csv:3: image: content/img/broken.jpg is not a readable image "
        "(not a format Pillow recognises) (save it again as JPEG, PNG, WebP "
        "or AVIF, or point the image column at another file)",
    ])


def test_a_phone_photo_turned_by_exif_is_sized_upright_and_a_truncated_one_is_reported(
        tmp_path: Path) -> None:
    """A phone stores a portrait photo landscape with an orientation tag: the page gives
    the size it is shown at, and its derivatives are upright. A file cut short is an error
    naming its row, as an unreadable one."""
    turned = Image.open(io.BytesIO(photo(800, 600)))
    exif = Image.Exif()
    exif[0x0112] = 6  # turn a quarter clockwise to show
    out = io.BytesIO()
    turned.save(out, "JPEG", exif=exif.tobytes())
    rows = rows_with_images("/img/portrait.jpg", "/img/cut.jpg")
    site = small_site(tmp_path / "site", rows, extra={
        "content/img/portrait.jpg": out.getvalue(), "content/img/cut.jpg": photo()[:2000]})
    environ = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = run_cli("build", "--source", site, env=environ)
    assert_fails(result, [
        "locations/locations.csv:3: image: content/img/cut.jpg is not a readable image "
        "(image file is truncated (30 bytes not processed)) (save it again as JPEG, PNG, "
        "WebP or AVIF, or point the image column at another file)"])
    (site / "content/img/cut.jpg").write_bytes(photo(500, 300))
    build(site, env=environ)
    page = page_text(site, "locations/il/peoria/test-store-0001/index.html")
    assert 'alt="Test Store 0001" width="600" height="800"' in page
    largest = max((site / "dist/production/_assets/img").glob("portrait-*-600.webp"))
    with Image.open(largest) as image:
        assert image.size == (600, 800)


# --- the front door ----------------------------------------------------------------------------

def test_search_placeholders_come_from_the_data(tmp_path: Path) -> None:
    rows = generated_rows(5)
    uk = [("Manchester", "M1 1AE"), ("Manchester", "M4 1HQ"), ("Manchester", "M3 4EN"),
          ("Leeds", "LS1 4DY"), ("Leeds", "LS2 7EY")]
    for row, (city, postcode) in zip(rows, uk, strict=True):
        row.update(city=city, postal_code=postcode, country="GB", region="ENG",
                   phone="0161 496 0000", lat="53.48", lng="-2.24")
    site = small_site(tmp_path / "site", rows,
                      config=BASE_CONFIG.replace("phone_region: US", "phone_region: GB"))
    build(site)
    out = site / "dist/production"
    for rel in ("index.html", "locations/index.html", "locations/list/index.html",
                "locations/map/index.html"):
        assert 'placeholder="e.g. Manchester or M1 1AE"' in \
            (out / rel).read_text(encoding="utf-8"), rel
    assert not [p for p in out.rglob("*.html") if "97214" in p.read_text(encoding="utf-8")]


def test_the_home_search_is_a_plain_form_to_the_list_view(example: Path) -> None:
    home = page_text(example, "index.html")
    form = re.search(r'<form class="finder" action="([^"]+)" method="get" role="search"', home)
    assert form and form.group(1) == "/locations/list/"
    assert re.search(r'<input type="search" id="home-q" name="q"[^>]* placeholder="e\.g\. '
                     r'New York or 10\d{3}">', home)
    assert 'data-near-me="/locations/map/?sort=distance"' in home


class _Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.levels: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if re.fullmatch(r"h[1-6]", tag):
            self.levels.append(int(tag[1]))


def test_headings_never_skip_a_level_on_any_page(example: Path) -> None:
    out = example / "dist/production"
    kinds: set[str] = set()
    for page in sorted(out.rglob("*.html")):
        parser = _Headings()
        text = page.read_text(encoding="utf-8")
        parser.feed(text)
        kinds.add(re.search(r'<body class="page-([\w-]+)"', text).group(1))
        levels = parser.levels
        assert levels and levels[0] == 1 and levels.count(1) == 1, page
        for before, after in zip(levels, levels[1:], strict=False):
            assert after <= before + 1, (page, levels)
    assert kinds >= {"home", "hub", "location", "locator-map", "locator-list", "locator-cards",
                     "page", "404"}
