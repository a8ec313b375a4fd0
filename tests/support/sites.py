"""Sites and runs for the tests: run the real CLI, make sites, read what a build wrote.

Everything here goes through the public surface: the `sitegen` command with a clean
environment (run in this process by click's test runner, or as a subprocess where a test needs
a process of its own), site folders written into `tmp_path`, and the files a build writes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from click.testing import CliRunner

from sitegen.cli import main
from sitegen.data.locations import Location
from sitegen.data.phones import parse_phone

REPO = Path(__file__).resolve().parents[2]
# Bytecode of the CLI's modules, cached outside the work tree so each run starts faster.
PYCACHE = Path(tempfile.gettempdir()) / "sitegen-tests-pycache"
WORKERS = max(2, os.cpu_count() or 2)
EXAMPLE_PARTS = ("config", "locations", "content", "themes")

# `N rows read, N locations built, N rows skipped, N warnings, N pages in X.X s`
SUMMARY = re.compile(
    r"^(?P<read>\d+) rows read, (?P<built>\d+) locations built, (?P<skipped>\d+) rows skipped, "
    r"(?P<warnings>\d+) warnings?, (?P<pages>\d+) pages in \d+\.\d s$")


def shared_dataset(*parts: str) -> Path | None:
    """A file of the project's shared/ folder: beside the repo (CI), or /work/shared."""
    for root in (REPO.parent / "shared", Path("/work/shared")):
        candidate = root.joinpath("datasets", *parts)
        if candidate.is_file():
            return candidate
    return None


# --- running the CLI -------------------------------------------------------------------------

@dataclass
class Run:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def out_lines(self) -> list[str]:
        return self.stdout.splitlines()

    @property
    def err_lines(self) -> list[str]:
        return self.stderr.splitlines()

    def __str__(self) -> str:  # shown by pytest when an assertion about a run fails
        return (f"sitegen {' '.join(self.args)} -> {self.returncode}\n--- stdout\n{self.stdout}"
                f"--- stderr\n{self.stderr}")


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The variables a user's shell would have, minus every SITEGEN_* and CI setting."""
    env = {name: os.environ[name] for name in ("PATH", "HOME", "TMPDIR", "SYSTEMROOT")
           if name in os.environ}
    env.update({"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONIOENCODING": "utf-8",
                "PYTHONPATH": str(REPO), "PYTHONPYCACHEPREFIX": str(PYCACHE)})
    env.update(extra or {})
    return env


def run_many(calls: Sequence[tuple[Sequence[str | os.PathLike[str]], Mapping[str, str] | None]]
             ) -> list[Run]:
    """Run independent CLI calls side by side (each is a separate process); results in order."""
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(lambda call: run_process(*call[0], env=call[1]), calls))


def run_process(*args: str | os.PathLike[str], env: Mapping[str, str] | None = None,
                cwd: Path | None = None, timeout: float = 600) -> Run:
    """Run `python -m sitegen ARGS` as a process of its own; never raises on a non-zero exit."""
    done = subprocess.run(cli_command(*args), capture_output=True, text=True, encoding="utf-8",
                          env=clean_env(env), cwd=cwd or REPO, timeout=timeout,
                          stdin=subprocess.DEVNULL)
    return Run(tuple(map(str, args)), done.returncode, done.stdout, done.stderr)


def cli_command(*args: str | os.PathLike[str]) -> list[str]:
    return [sys.executable, "-m", "sitegen", *map(str, args)]


def run_cli(*args: str | os.PathLike[str], env: Mapping[str, str] | None = None,
            cwd: Path | None = None) -> Run:
    """Run the `sitegen` command ARGS as a user would (the environment of `clean_env`, the
    working folder `cwd`, no input), in this process through click's test runner: the same
    command, options, output and exit code as `python -m sitegen`, without a new
    interpreter importing everything again for each call. Never raises on a non-zero exit;
    an unexpected exception is its traceback on stderr, as the process would show it."""
    wanted = clean_env(env)
    environ: dict[str, str | None] = {name: None for name in os.environ if name not in wanted}
    environ.update(wanted)
    previous = os.getcwd()
    os.chdir(cwd or REPO)
    try:
        result = CliRunner().invoke(main, [str(a) for a in args], env=environ,
                                    prog_name="python -m sitegen", catch_exceptions=True)
    finally:
        os.chdir(previous)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
    return Run(tuple(map(str, args)), result.exit_code, result.stdout, stderr)


def build(source: Path, *args: str, env: Mapping[str, str] | None = None) -> Run:
    """A build that must succeed; returns the run (its summary is the last stdout line)."""
    result = run_cli("build", "--source", source, *args, env=env)
    assert result.returncode == 0, str(result)
    assert "Traceback" not in result.stderr, str(result)
    return result


def summary(result: Run) -> dict[str, int]:
    match = SUMMARY.match(result.out_lines[-1]) if result.out_lines else None
    assert match, f"last line is not a build summary:\n{result}"
    return {k: int(v) for k, v in match.groupdict().items()}


def assert_fails(result: Run, expected: list[str], *, code: int = 1) -> None:
    """Exit code 1, exactly these diagnostic lines (in order), then the closing count line."""
    assert result.returncode == code, str(result)
    assert "Traceback" not in result.stderr, str(result)
    errors = sum(1 for line in expected if ": warning: " not in line)
    closing = f"error: {errors} problem{'s' if errors != 1 else ''} found; nothing was written"
    assert result.err_lines == [*expected, closing], str(result)


# --- making sites ----------------------------------------------------------------------------

BASE_CONFIG = """\
base_url: https://www.example.com
site:
  name: Test Stores
locations:
  source: locations/locations.csv
  phone_region: US
"""

COLUMNS = ("id", "name", "street", "city", "region", "postal_code", "country", "lat", "lng",
           "phone", "hours", "description")


def make_site(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write `{relative path: text or bytes}` under root; text is written as UTF-8."""
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8", newline="")
    return root


def csv_text(rows: Iterable[Mapping[str, object]], columns: Iterable[str] | None = None,
             delimiter: str = ",", quoting: int = csv.QUOTE_MINIMAL) -> str:
    """A CSV file's text. QUOTE_ALL for values holding a bare \\r: the minimal quoting
    leaves it unquoted (it is not in the line terminator), which a reader rightly takes for
    the end of the record."""
    rows = list(rows)
    names = list(columns) if columns is not None else list(rows[0])
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=names, delimiter=delimiter, lineterminator="\n",
                            quoting=quoting)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


CITIES = (
    ("Springfield", "IL", 39.80, -89.64), ("Peoria", "IL", 40.69, -89.59),
    ("Chicago", "IL", 41.88, -87.63), ("Madison", "WI", 43.07, -89.40),
    ("Milwaukee", "WI", 43.04, -87.91), ("Des Moines", "IA", 41.59, -93.62),
)


def generated_rows(count: int, *, start: int = 1, prefix: str = "ST") -> list[dict[str, str]]:
    """`count` valid, distinct locations; the description carries the id ("ref ST-0001")."""
    rows = []
    for number in range(start, start + count):
        city, region, lat, lng = CITIES[number % len(CITIES)]
        ident = f"{prefix}-{number:04d}"
        rows.append({
            "id": ident, "name": f"Test Store {number:04d}", "street": f"{number} Main Street",
            "city": city, "region": region, "postal_code": f"{60000 + number:05d}",
            "country": "US", "lat": f"{lat + (number % 41) * 0.02:.5f}",
            "lng": f"{lng - (number // 41 % 43) * 0.02:.5f}",
            "phone": f"(217) 555-{number % 10000:04d}", "hours": "Mon-Fri 9am-5pm; Sat 10-14",
            "description": f"ref {ident}",
        })
    return rows


def small_site(root: Path, rows: list[Mapping[str, object]] | None = None, *,
               config: str = BASE_CONFIG, extra: Mapping[str, str | bytes] | None = None) -> Path:
    rows = generated_rows(3) if rows is None else rows
    return make_site(root, {"config/base.yaml": config,
                            "locations/locations.csv": csv_text(rows), **(extra or {})})


def copy_example(dest: Path) -> Path:
    """A copy of the bundled example site (without any dist/ of the working tree)."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in EXAMPLE_PARTS:
        if (REPO / part).is_dir():
            shutil.copytree(REPO / part, dest / part)
    return dest


# --- reading a build -------------------------------------------------------------------------

def tree_hashes(root: Path) -> dict[str, str]:
    """sha256 of every file under root, by relative path."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@dataclass
class Html:
    """What the tests need from one page, read with the stdlib parser."""

    body_class: str = ""
    h1: str = ""
    title: str = ""
    robots: str | None = None
    canonical: str | None = None
    json_ld: list[dict] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    hours: dict[str, str] = field(default_factory=dict)
    lang: str = ""  # <html lang>
    alternates: dict[str, str] = field(default_factory=dict)  # hreflang -> href

    def location_ld(self) -> dict | None:
        return next((d for d in self.json_ld if str(d.get("@id", "")).endswith("#location")),
                    None)


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Html()
        self._stack: list[str] = []
        self._capture: str | None = None
        self._text: list[str] = []
        self._hours_day: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.page.lang = a.get("lang", "")
        elif tag == "link" and a.get("rel") == "alternate" and "hreflang" in a:
            self.page.alternates[a["hreflang"]] = a.get("href", "")
        elif tag == "body":
            self.page.body_class = a.get("class", "")
        elif tag == "meta" and a.get("name") == "robots":
            self.page.robots = a.get("content")
        elif tag == "link" and a.get("rel") == "canonical":
            self.page.canonical = a.get("href")
        elif tag == "a" and "href" in a:
            self.page.links.append(a["href"])
        elif tag == "tr" and a.get("data-day"):
            self._hours_day = a["data-day"]
        if tag in ("h1", "title") or (tag == "script" and a.get("type") == "application/ld+json") \
                or (tag == "td" and self._hours_day):
            self._capture, self._text = tag, []

    def handle_endtag(self, tag: str) -> None:
        if tag != self._capture:
            return
        text = "".join(self._text)
        if tag == "h1":
            self.page.h1 = " ".join(text.split())
        elif tag == "title":
            self.page.title = text
        elif tag == "script":
            self.page.json_ld.append(json.loads(text))
        elif tag == "td" and self._hours_day:
            self.page.hours[self._hours_day] = " ".join(text.split())
            self._hours_day = None
        self._capture = None

    def handle_data(self, data: str) -> None:
        if self._capture:
            self._text.append(data)


def parse_html(path: Path) -> Html:
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser.page


def location_pages(root: Path) -> dict[str, Html]:
    """Every location page of a build, by its URL path."""
    pages = {}
    for path in sorted(root.rglob("index.html")):
        page = parse_html(path)
        if "page-location" in page.body_class.split():
            url = "/" + path.parent.relative_to(root).as_posix() + "/"
            pages[url] = page
    return pages


def id_urls(root: Path) -> set[tuple[str, str]]:
    """(id, URL path) of every location page; generated rows carry "ref <id>" as description."""
    out = set()
    for url, page in location_pages(root).items():
        ld = page.location_ld()
        assert ld is not None, f"{url} has no location JSON-LD"
        assert urlsplit(ld["url"]).path == url
        match = re.fullmatch(r"ref (\S+)", ld.get("description", ""))
        assert match, f"{url}: description {ld.get('description')!r} carries no id"
        out.add((match.group(1), url))
    return out


def sample_location(**changes: object) -> Location:
    """A valid location (the example site's Hayes Valley café), with `changes`."""
    phone, _ = parse_phone("(415) 555-0142", "US")
    values: dict[str, object] = dict(
        id="JO-SF-001", name="Juniper & Oak Coffee — Hayes Valley", street="432 Hayes St",
        city="San Francisco", region="CA", postal_code="94102", country="US", lat=37.77,
        lng=-122.42, phone=phone, email="hayes@juniperoak.example",
        website="https://hayes.juniperoak.example/", hours=None, special_hours=[],
        timezone=None, categories=["Café"], description="Two blocks from Patricia's Green.",
        image=None, faqs=[], neighbourhood="Hayes Valley", booking_url=None, extra={},
        source="locations.csv", row=2)
    values.update(changes)
    return Location(**values)  # type: ignore[arg-type]
