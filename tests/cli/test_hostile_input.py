"""Hostile input changes nothing: no injected markup, no path outside the site, no hang.

The property test builds small sites in-process with generated hostile text in every field of
the dataset, a page's front matter and body, and the site name, then parses every file the
build wrote: HTML with html.parser (every element, attribute and script), JSON-LD, inline
JSON, the feeds (json, csv), the sitemap (XML).
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
import time
import xml.etree.ElementTree as ET
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from support.sites import (
    BASE_CONFIG,
    assert_fails,
    build,
    csv_text,
    generated_rows,
    make_site,
    run_cli,
    small_site,
    summary,
)

from sitegen.builder.pipeline import build as build_site
from sitegen.builder.run import BuildOptions
from sitegen.data.markup import CONTENT_TAGS, DATA_TAGS, render_trusted, render_untrusted
from sitegen.diagnostics import SitegenError
from sitegen.model.urls import output_path, slug, url_problem
from sitegen.output.write import AtomicOutput

CORPUS = [
    "<script>alert(1)</script>", "</script>", '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)", "'", '"', "{{7*7}}", "{% raw %}", "../../etc/passwd",
    "\u202eevil\u202c", "😀☕", "\x01\x02\x07\x1b[31m\x7f", "</title><script>alert(1)</script>",
    "<!--", "]]>", "<svg onload=alert(1)>", "&lt;script&gt;", "&amp;&#0;", "${7*7}",
    "[x](javascript:alert(1))", "<a href=\"javascript:alert(1)\">x</a>", "\\", "%00%2e%2e/",
    "\u2028\u2029", "'; alert(1); '", "<style>*{x:expression(alert(1))}</style>",
    ',"lat":1.5,"lng":2.5,',  # what the GeoJSON feature removes from a record's JSON
]
# Any text without NUL (a C string terminator no text field can hold) or lone surrogates.
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
               max_size=30)
HOSTILE = st.one_of(st.sampled_from(CORPUS), TEXT,
                    st.tuples(st.sampled_from(CORPUS), TEXT).map("".join))

SAFE_SCRIPT_TYPES = {"application/ld+json", "application/json"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "poster", "data", "xlink:href",
                  "srcset", "background", "cite"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")


class Elements(HTMLParser):
    """Every element and attribute of a page, and the text of every script."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self._script: dict[str, str] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        self.elements.append((tag, attributes))
        if tag == "script":
            self._script, self._text = attributes, []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._text)))
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._text.append(data)


def elements(path: Path) -> Elements:
    parser = Elements()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def scheme_of(value: str) -> str:
    return re.sub(r"[\x00-\x20]", "", value).lower()


def shape(root: Path) -> tuple[set[str], set[str]]:
    """Tags and attribute names a build uses, for the benign baseline."""
    tags: set[str] = set()
    names: set[str] = set()
    for path in root.rglob("*.html"):
        for tag, attrs in elements(path).elements:
            tags.add(tag)
            names.update(attrs)
    return tags, names


JS_CLASS = 'document.documentElement.classList.add("js")'
MAP_SCRIPT = 'document.addEventListener("DOMContentLoaded", function () {\nvar map_locator = L.map('


def check_output(root: Path, allowed_tags: set[str], allowed_attributes: set[str]) -> None:
    """No injected element, attribute, handler, script or URL; every data file parses."""
    for path in sorted(root.rglob("*.html")):
        rel = path.relative_to(root).as_posix()
        page = elements(path)
        for tag, attrs in page.elements:
            assert tag in allowed_tags, (rel, tag, attrs)
            for name, value in attrs.items():
                assert not name.startswith("on"), (rel, tag, name, value)
                assert name in allowed_attributes, (rel, tag, name)
                if name in URL_ATTRIBUTES:
                    assert not scheme_of(value).startswith(BAD_SCHEMES), (rel, tag, name, value)
                if name in ("data-hours", "data-special"):
                    json.loads(value)
        inline = 0
        for attrs, text in page.scripts:
            if "src" in attrs:
                assert attrs["src"].startswith("/_assets/"), (rel, attrs)
                assert not text.strip(), (rel, text)
            elif attrs.get("type") in SAFE_SCRIPT_TYPES:
                json.loads(text)
            elif text == JS_CLASS:  # the theme's constant: CSS knows JavaScript runs
                assert not attrs, (rel, attrs)
            else:
                inline += 1
                assert rel == "locations/map/index.html" and not attrs, (rel, attrs)
                assert text.lstrip().startswith(MAP_SCRIPT), (rel, text[:80])
        assert inline <= 1, rel
    api = root / "api"
    feed = json.loads((api / "locations.json").read_text(encoding="utf-8"))
    assert feed["count"] == len(feed["locations"])
    for path in (api / "locations").glob("*.json"):
        json.loads(path.read_text(encoding="utf-8"))
    geo = json.loads((api / "locations.geojson").read_text(encoding="utf-8"))
    assert len(geo["features"]) == feed["count"]
    rows = list(csv.reader(io.StringIO((api / "locations.csv").read_text(encoding="utf-8"),
                                       newline="")))
    assert len(rows) == feed["count"] + 1 and len({len(r) for r in rows}) == 1
    json.loads((root / "locations" / "markers.json").read_text(encoding="utf-8"))
    json.loads((api / "manifest.json").read_text(encoding="utf-8"))
    for path in root.glob("sitemap*.xml"):
        ET.fromstring(path.read_bytes())


def assert_geojson_is_the_records(root: Path) -> None:
    """The GeoJSON, byte for byte, is the JSON feed's records encoded as Point features
    whose properties are the record without lat and lng."""
    records = json.loads((root / "api/locations.json").read_text(encoding="utf-8"))["locations"]
    features = [{"type": "Feature", "id": r["id"],
                 "geometry": {"type": "Point", "coordinates": [r["lng"], r["lat"]]},
                 "properties": {k: v for k, v in r.items() if k not in ("lat", "lng")}}
                for r in records]
    expected = json.dumps({"type": "FeatureCollection", "features": features},
                          ensure_ascii=False, separators=(",", ":")) + "\n"
    assert (root / "api/locations.geojson").read_bytes() == expected.encode("utf-8")


def yaml_string(text: str) -> str:
    """A YAML double-quoted scalar: JSON's escapes, and escapes for what YAML refuses raw."""
    return re.sub(r"[\x7f-\x84\x86-\x9f\ufffe\uffff]", lambda m: f"\\u{ord(m.group()):04x}",
                  json.dumps(text, ensure_ascii=False))


def hostile_site(root: Path, values: list[str]) -> Path:
    """Three locations with `values` (cycled) in every dataset field that takes text."""
    def value(n: int) -> str:
        return values[n % len(values)]

    rows = []
    for index, row in enumerate(generated_rows(3), start=1):
        faqs = json.dumps([{"question": f"Q {value(index + 9)}",
                            "answer": f"A {value(index + 10)}"}])
        rows.append({**row,
                     "id": f"{value(index)}-{index}", "name": f"{value(index + 1)} {index}",
                     "street": f"{value(index + 2)} {index}", "city": f"{value(index + 3)} c",
                     "region": f"{value(index + 4)} r", "postal_code": value(index + 5),
                     "country": f"{value(index + 6)} C", "neighbourhood": value(index + 7),
                     "description": value(index + 8), "faqs": faqs,
                     "categories": f"{value(index + 11)},{value(index + 12)}",
                     "phone": value(index + 13), "email": value(index + 14),
                     "website": "https://example.com/" + value(index + 15),
                     "image": "https://img.example.com/" + value(index + 16),
                     "booking_url": "https://book.example.com/?q=" + value(index + 17),
                     "services": value(index + 18), "slug": value(index + 19)})
    config = BASE_CONFIG.replace("name: Test Stores", f"name: {yaml_string(value(20))}")
    front = (f"---\ntitle: {yaml_string(value(21))}\n"
             f"description: {yaml_string(value(22))}\n---\n{value(23)}\n")
    return make_site(root, {"config/base.yaml": config,
                            "locations/locations.csv": csv_text(rows, quoting=csv.QUOTE_ALL),
                            "content/about.md": front})


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> tuple[set[str], set[str]]:
    root = tmp_path_factory.mktemp("benign")
    site = hostile_site(root / "site", ["plain text"])
    build_site(BuildOptions(site, "production", environ={}, jobs=1))
    tags, names = shape(site / "dist" / "production")
    nh3_attributes = {"href", "title", "src", "alt", "width", "height", "scope", "colspan",
                      "rel"}
    return tags | DATA_TAGS | CONTENT_TAGS, names | nh3_attributes


@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate],  # no shrinking: each example is a build
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(values=st.lists(HOSTILE, min_size=1, max_size=24))
@example(values=[',"lat":1.5,"lng":2.5,'])  # in every field: the GeoJSON keeps it
def test_hostile_text_everywhere_injects_nothing(
        baseline: tuple[set[str], set[str]], values: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        site = hostile_site(Path(folder) / "site", values)
        root = build_site(BuildOptions(site, "production", environ={}, jobs=1)).out_dir
        check_output(root, *baseline)
        assert_geojson_is_the_records(root)
        assert {p.name for p in site.iterdir()} <= {
            ".sitegen", "config", "content", "dist", "locations"}
        assert all(p.resolve().is_relative_to(root) for p in root.rglob("*"))
        names = {f"{values[(n + 1) % len(values)]} {n}".strip() for n in (1, 2, 3)}
        found = set()
        for path in root.rglob("index.html"):
            for attrs, text in elements(path).scripts:
                if attrs.get("type") == "application/ld+json":
                    data = json.loads(text)
                    if str(data.get("@id", "")).endswith("#location"):
                        found.add(data["name"])
        assert found == names  # the text survives, escaped, exactly


# --- Markdown and URLs --------------------------------------------------------------------------

def test_dataset_markdown_is_sanitised_and_content_markdown_cannot_use_javascript() -> None:
    # Starts with text: in CommonMark a line that starts with a tag is a raw HTML block, in
    # which the Markdown link at the end would stay text.
    hostile = ("Intro <script>alert(1)</script><img src=x onerror=alert(1)>"
               "[a](javascript:alert(1)) <a href=\"JaVaScRiPt:alert(1)\">b</a> "
               "<a href=\"data:text/html,<script>alert(1)</script>\">c</a> "
               "<iframe src=\"https://evil.example\"></iframe> [ok](https://example.com)")
    data = render_untrusted(hostile)
    content = render_trusted(hostile + '\n\n<img src="javascript:alert(1)" alt="x">')
    for html in (data, content):
        parser = Elements()
        parser.feed(html)
        for tag, attrs in parser.elements:
            assert tag not in ("script", "iframe"), html
            assert not any(name.startswith("on") for name in attrs), html
            for name in ("href", "src"):
                assert not scheme_of(attrs.get(name, "")).startswith(BAD_SCHEMES), html
        assert '<a href="https://example.com"' in html
    assert "<img" not in data  # not on the dataset's allowlist at all


@pytest.mark.parametrize("field", ["website", "image", "booking_url"])
def test_urls_from_data_must_be_http_or_site_relative(tmp_path: Path, field: str) -> None:
    """A URL that is not http(s) or site-relative is left off with a warning (an optional
    field never costs the row its page) and appears nowhere in the output."""
    rows = generated_rows(3)
    bad = {1: "javascript:alert(1)", 2: " JaVaScRiPt:alert(1)", 3: "//evil.example/x"}
    csv_rows = [{**row, field: bad[n]} for n, row in enumerate(rows, start=1)]
    site = small_site(tmp_path / "site", csv_rows)
    result = build(site)
    assert result.stderr.splitlines() == [
        f"locations/locations.csv:2: {field}: warning: 'javascript:alert(1)' is not an "
        "http(s) or site-relative URL (left off the page; write https://... or /path)",
        f"locations/locations.csv:3: {field}: warning: 'JaVaScRiPt:alert(1)' is not an "
        "http(s) or site-relative URL (left off the page; write https://... or /path)",
        f"locations/locations.csv:4: {field}: warning: '//evil.example/x' is not an "
        "http(s) or site-relative URL (left off the page; write https://... or /path)",
    ]
    assert summary(result)["built"] == 3
    for page in (site / "dist" / "production").rglob("*"):
        if page.is_file() and page.suffix in (".html", ".json", ".csv", ".xml", ".js"):
            text = page.read_text(encoding="utf-8").lower()
            assert "javascript:alert" not in text and "evil.example" not in text, page


# --- paths --------------------------------------------------------------------------------------

TRAVERSAL = ["../../x", "..", "/etc", "/etc/passwd", ".", "../", "..\\..\\x", "a/../../b",
             "%2e%2e%2f", "x" * 300, "é" * 200, "😀" * 100, "\u202e..", "CON", "~root"]


def test_slugs_from_hostile_names_stay_inside_the_output_folder(tmp_path: Path) -> None:
    rows = []
    for n, text in enumerate(TRAVERSAL, start=1):
        row = generated_rows(1, start=n)[0]
        rows.append({**row, "name": text, "slug": text if n % 2 else "", "id": text + str(n),
                     "city": text if n % 3 == 0 else row["city"]})
    site = small_site(tmp_path / "site", rows, config=BASE_CONFIG + (
        "urls:\n  location: /stores/{city}/{id}/{slug}/\n"))
    build(site)
    root = (site / "dist" / "production").resolve()
    files = [p for p in root.rglob("*")]
    assert files and all(p.resolve().is_relative_to(root) for p in files)
    assert all(len(p.name.encode()) <= 255 for p in files)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert {p.name for p in site.iterdir()} <= {".sitegen", "config", "dist", "locations"}
    for text in TRAVERSAL:
        assert 0 < len(slug(text)) <= 80 and "/" not in slug(text) and slug(text) not in (
            ".", "..")


@pytest.mark.parametrize("url", ["/../x/", "/a/../../b/", "/a\x00b/", "/a\\b/",
                                 "/" + "x" * 256 + "/", "/" + "é" * 128 + "/"])
def test_output_paths_never_leave_the_site(url: str) -> None:
    with pytest.raises(ValueError):
        output_path(url)
    assert url_problem(url) is not None


@pytest.mark.parametrize("rel", ["../x.html", "a/../../x.html", "/etc/passwd", "a\x00b.html"])
def test_the_writer_refuses_paths_outside_its_folder(tmp_path: Path, rel: str) -> None:
    with AtomicOutput(tmp_path / "out") as output, pytest.raises(SitegenError):
        output.path_for(rel)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize(("url", "message"), [
    ("/../../etc/x/", "'/../../etc/x/' leaves the site folder (a '..' or '.' segment)"),
    ("http://evil.example/", "'http://evil.example/' is not a site path (write one starting "
     "with a single /, e.g. /about/)"),
    ("/a\\u0000b/", "'/a\\x00b/' contains a control character, a backslash, ? or #"),
    ("/" + "a" * 300 + "/", "'/" + "a" * 79 + "' has a segment longer than 255 bytes, the "
     "file name limit"),
])
def test_front_matter_urls_must_stay_inside_the_site(tmp_path: Path, url: str,
                                                     message: str) -> None:
    site = small_site(tmp_path / "site", extra={
        "content/x.md": f'---\ntitle: X\nurl: "{url}"\n---\nhi\n'})
    assert_fails(run_cli("build", "--source", site), [
        f"content/x.md:2: url: {message} (the url of a page is a path inside the site)"])
    assert not (site / "dist").exists()


def test_symlinks_in_content_pointing_outside_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret", encoding="utf-8")
    site = small_site(tmp_path / "site")
    (site / "content").mkdir()
    (site / "content" / "leak.txt").symlink_to(secret)
    (site / "content" / "up").symlink_to(tmp_path)
    assert_fails(run_cli("build", "--source", site), [
        "content/leak.txt: symlink points outside the site (copy the file into content/ "
        "instead)"])


# --- oversized input ----------------------------------------------------------------------------

def timed(*args: str | Path) -> tuple[float, object]:
    started = time.monotonic()
    result = run_cli(*args)
    return time.monotonic() - started, result


def test_a_50_mb_cell_is_a_row_error(tmp_path: Path) -> None:
    """In a JSON file, which is parsed whole; a CSV file is refused as it streams
    (test_resource_limits.py)."""
    rows = generated_rows(3)
    rows[1]["description"] = "x" * (50 * 1024 * 1024)
    site = small_site(tmp_path / "site", rows, config=BASE_CONFIG.replace(
        "locations.csv", "locations.json"), extra={"locations/locations.json": json.dumps(rows)})
    seconds, result = timed("build", "--source", site)
    assert_fails(result, [  # type: ignore[arg-type]
        "locations/locations.json:2: description: value is 52,428,800 characters long; the "
        "limit is 100,000 per cell (shorten it; long texts belong in "
        "content/locations/<id>.md)"])
    assert seconds < 60


def test_a_million_rows_fail_fast_before_validation(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site")
    with (site / "locations" / "locations.csv").open("a", encoding="utf-8") as handle:
        handle.write("".join(f"X{i},n,s,c,IL,1,US,1,1,,,\n" for i in range(1_000_000)))
    seconds, result = timed("build", "--source", site)
    assert_fails(result, [  # type: ignore[arg-type]
        "locations/locations.csv: more than 500,000 rows (locations.max_rows) (raise "
        "locations.max_rows if the dataset really is this large, or split it)"])
    assert seconds < 60
    small = small_site(tmp_path / "small", generated_rows(5),
                       config=BASE_CONFIG + "  max_rows: 4\n")
    assert_fails(run_cli("build", "--source", small), [
        "locations/locations.csv: more than 4 rows (locations.max_rows) (raise "
        "locations.max_rows if the dataset really is this large, or split it)"])


DEEP = "[" * 10_000 + "]" * 10_000


@pytest.mark.parametrize(("files", "expected"), [
    ({"config/base.yaml": BASE_CONFIG + f"x: {DEEP}\n"},
     "config/base.yaml: YAML nested too deeply (keep nesting under 100 levels)"),
    ({"content/x.md": f"---\ntitle: {DEEP}\n---\nhi\n"},
     "content/x.md: YAML nested too deeply (keep nesting under 100 levels)"),
    ({"config/base.yaml": BASE_CONFIG.replace("locations.csv", "locations.json"),
      "locations/locations.json": DEEP},
     "locations/locations.json: nested too deeply (a location file is a list of flat "
     "records)"),
    ({"config/base.yaml": BASE_CONFIG.replace("locations.csv", "locations.yaml"),
      "locations/locations.yaml": DEEP},
     "locations/locations.yaml: nested too deeply (a location file is a list of flat "
     "records)"),
])
def test_10000_levels_of_nesting_end_with_a_clear_error(
        tmp_path: Path, files: dict[str, str], expected: str) -> None:
    site = small_site(tmp_path / "site", extra=files)
    seconds, result = timed("build", "--source", site)
    assert_fails(result, [expected])  # type: ignore[arg-type]
    assert seconds < 60


def test_a_zip_bomb_workbook_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site", config=BASE_CONFIG.replace("locations.csv",
                                                                     "locations.xlsx"))
    bomb = site / "locations" / "locations.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive, \
            archive.open("xl/worksheets/sheet1.xml", "w") as member:
        chunk = b"\0" * (1 << 20)
        for _ in range(8):
            member.write(chunk)
    seconds, result = timed("build", "--source", site)
    assert result.returncode == 1  # type: ignore[attr-defined]
    [line, _closing] = result.err_lines  # type: ignore[attr-defined]
    assert re.fullmatch(r"locations/locations\.xlsx: refusing to open: compression ratio "
                        r"\d+:1 exceeds 100:1 \(possible zip bomb\) \(export the sheet as "
                        r"CSV\)", line), line
    assert seconds < 60


def test_hostile_config_values_are_refused_or_sanitised(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site", config=BASE_CONFIG + (
        "maps:\n  attribution: '<img src=x onerror=alert(1)><a href=\"javascript:alert(1)\">"
        "OSM</a> <script>alert(1)</script>'\n"))
    build(site)
    root = site / "dist" / "production"
    pages = [root / "locations" / "map" / "index.html",
             next(p for p in root.rglob("index.html") if "test-store-" in p.parent.name)]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "onerror" not in text and "javascript:alert" not in text, page
        assert "alert(1)</script>" not in text, page
    bad = make_site(tmp_path / "bad", {"config/base.yaml": BASE_CONFIG.replace(
        "  name: Test Stores", "  name: Test Stores\n  logo: javascript:alert(1)"),
        "locations/locations.csv": csv_text(generated_rows(3))})
    assert_fails(run_cli("build", "--source", bad), [
        "config/base.yaml:4: site.logo: must be an http(s) URL or a site-relative path such "
        "as /logo.svg"])
    seo = make_site(tmp_path / "seo", {"config/base.yaml": BASE_CONFIG + (
        "seo:\n  location_title: '{name.__class__} {0}'\n"),
        "locations/locations.csv": csv_text(generated_rows(3))})
    assert_fails(run_cli("build", "--source", seo), [
        "config/base.yaml:8: seo.location_title: '{name.__class__}' is not a placeholder: "
        "write names such as {name}, {city} or {site}"])


# --- the dev server (sitegen serve, serve.py), over real HTTP -----------------------------------

SECRET = "hostile-input-secret-5f2b"


@pytest.mark.parametrize("target", [
    "/..%2f..%2fetc/passwd", "/%2e%2e/", "/%2e%2e/secret.txt", "/..\\..\\",
    "/..\\..\\secret.txt", "/\x00", "/index.html\x00", "/%00", "/index.html%00.css",
    "/locations/..%2f..%2f..%2fsecret.txt", "/%2E%2E%2Fsecret.txt",
])
def test_the_dev_server_refuses_traversal(target: str, dev_server: object) -> None:
    status, reply = dev_server.raw_request(f"GET {target} HTTP/1.0")  # type: ignore[attr-defined]
    assert status == 400, reply[:300]
    assert SECRET.encode() not in reply and b"root:x:0:0" not in reply


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory: pytest.TempPathFactory) -> object:
    from support.serve import ServeProcess

    site = small_site(tmp_path_factory.mktemp("serve") / "site",
                      extra={"secret.txt": SECRET})
    with ServeProcess(site) as server:
        server.wait_outcome()
        status, _, body = server.http("/")
        assert status == 200 and b"</html>" in body, server.transcript()
        yield server
