"""Broken inputs give the exact diagnostics `file:row: field: message (hint)` and exit code 1.

Each case is one broken site fed to `sitegen build`; the whole of stderr is compared line by
line, so a changed word, a lost hint, a missing diagnostic or a traceback fails the case. The
cases are independent sites, so they are built side by side before the assertions run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from support.sites import (
    Run,
    assert_fails,
    csv_text,
    generated_rows,
    run_cli,
    run_many,
    small_site,
)

CONFIG = """\
base_url: https://www.example.com
site:
  name: Test Stores
nearby:
  count: 3
locations:
  source: locations/locations.csv
  phone_region: US
"""
# Whatever a case appends starts on line 9, inside `locations:`.

SECRET_HINT = "secrets come only from environment variables, e.g. SITEGEN_STAGING_PASSWORD"
FIX_YAML = "check indentation and quoting on that line"


def _rows(**changes: dict[str, str]) -> list[dict[str, str]]:
    """Six valid rows (file lines 2-7), with `line<N>={field: value}` changes."""
    rows = generated_rows(6)
    for key, values in changes.items():
        rows[int(key.removeprefix("line")) - 2].update(values)
    return rows


@dataclass
class Case:
    expected: list[str]
    config: str = CONFIG
    rows: list[dict[str, str]] | None = None
    files: Mapping[str, str | bytes] = field(default_factory=dict)
    folders: tuple[str, ...] = ()
    links: Mapping[str, str] = field(default_factory=dict)  # symlink -> target
    args: tuple[str, ...] = ()
    env: Mapping[str, str] | None = None


CASES: dict[str, Case] = {
    # --- config files ---
    "unknown-keys-with-and-without-a-close-match": Case(
        ["config/base.yaml:6: nearby.radius: unknown key 'radius' (allowed keys: count)",
         "config/base.yaml:10: locatoins: unknown key 'locatoins' (did you mean 'locations'?)"],
        config=CONFIG.replace("  count: 3\n", "  count: 3\n  radius: 5\n")
        + "locatoins:\n  id: id\n"),
    "values-not-allowed": Case(
        ["config/base.yaml:5: nearby.count: input should be less than or equal to 50",
         "config/base.yaml:9: locations.on_error: input should be 'fail' or 'skip' "
         "(allowed: 'fail' or 'skip')"],
        config=CONFIG.replace("count: 3", "count: 500") + "  on_error: ignore\n"),
    "yaml-indentation": Case(
        ["config/base.yaml:4: invalid YAML: expected <block end>, but found "
         f"'<block mapping start>' ({FIX_YAML})"],
        config=CONFIG.replace("  name: Test Stores", "  name: Test Stores\n unit: km")),
    "yaml-unclosed-quote": Case(
        ["config/base.yaml:3: invalid YAML: found unexpected end of stream while scanning a "
         f"quoted scalar ({FIX_YAML})"],
        config=CONFIG.replace("  name: Test Stores", '  name: "Test Stores')),
    "yaml-unclosed-bracket": Case(
        ["config/base.yaml:9: invalid YAML: expected ',' or ']', but got '<stream end>' while "
         f"parsing a flow sequence ({FIX_YAML})"],
        config=CONFIG + "site_links: [a, b\n\n"),
    "yaml-duplicate-key": Case(
        ["config/base.yaml:9: nearby: duplicate key (remove one of the two)"],
        config=CONFIG + "nearby:\n  count: 4\n"),
    "three-mistakes-three-diagnostics": Case(
        ["config/base.yaml:3: site.nmae: unknown key 'nmae' (did you mean 'name'?)",
         "config/base.yaml:5: nearby.count: input should be a valid integer, unable to parse "
         "string as an integer (write a whole number)",
         "config/base.yaml:10: sitemap.max_url: unknown key 'max_url' (did you mean 'max_urls'?)"],
        config=CONFIG.replace("  name:", "  nmae:").replace("count: 3", "count: lots")
        + "sitemap:\n  max_url: 100\n"),
    "mistakes-in-two-files": Case(
        ["config/base.yaml:5: nearby.count: input should be a valid integer, unable to parse "
         "string as an integer (write a whole number)",
         "config/production.yaml:2: sitemap.max_urls: input should be greater than or equal "
         "to 1"],
        config=CONFIG.replace("count: 3", "count: lots"),
        files={"config/production.yaml": "sitemap:\n  max_urls: 0\n"}),
    "secrets-in-config-files": Case(
        ["config/base.yaml:3: site.nmae: unknown key 'nmae' (did you mean 'name'?)",
         f"config/base.yaml:10: protection.password: secrets must not be written in config "
         f"files ({SECRET_HINT})",
         f"config/production.yaml:2: leads.api_token: secrets must not be written in config "
         f"files ({SECRET_HINT})"],
        config=CONFIG.replace("  name:", "  nmae:") + "protection:\n  password: hunter2\n",
        files={"config/production.yaml": "leads:\n  api_token: abc123\n"}),
    "unknown-key-from-env-variable": Case(
        ["$SITEGEN_NEARBY__CUONT: nearby.cuont: unknown key 'cuont' (did you mean 'count'?)"],
        env={"SITEGEN_NEARBY__CUONT": "4"}),
    "base-url-flag-not-absolute": Case(
        ["--base-url: base_url: must be an absolute http(s) URL such as "
         "https://www.example.com"],
        args=("--base-url", "www.example.com")),
    # --- environments ---
    "custom-env-without-behaves-like": Case(
        ["config/uat.yaml:1: environment.behaves_like: environment 'uat' must declare which "
         "built-in environment it behaves like (add `environment: {behaves_like: staging}` "
         "(or development, production))"],
        files={"config/uat.yaml": "base_url: https://uat.example.com\n"},
        args=("--env", "uat"), env={"SITEGEN_STAGING_PASSWORD": "pw"}),
    "unknown-env": Case(
        ["config/qa.yaml: unknown environment 'qa' (use one of development, staging, "
         "production, or create config/qa.yaml with `environment: {behaves_like: staging}`)"],
        args=("--env", "qa")),
    "analytics-in-staging": Case(
        ["config/staging.yaml:4: analytics.provider: analytics is not allowed in staging "
         "environment 'staging': testers would pollute the production figures "
         "(set analytics only in config/production.yaml)"],
        files={"config/staging.yaml": "protection:\n  mode: none\nanalytics:\n  provider: ga4\n"
                                      "  id: G-TEST123\n"},
        args=("--env", "staging")),
    "analytics-from-env-variable-in-development": Case(
        ["$SITEGEN_ANALYTICS__PROVIDER: analytics.provider: analytics is not allowed in "
         "development environment 'development': testers would pollute the production "
         "figures (set analytics only in config/production.yaml)"],
        args=("--env", "development"), env={"SITEGEN_ANALYTICS__PROVIDER": "plausible"}),
    # --- the dataset ---
    "row-errors-all-reported": Case(
        ["locations/locations.csv:2: name: required field is missing "
         "(every location needs a name)",
         "locations/locations.csv:3: lat: 139.7817 is out of range [-90, 90] "
         "(check that latitude and longitude are not swapped)",
         "locations/locations.csv:4: hours: warning: Sat: invalid time '25' in '10-25' "
         "(times run from 00:00 to 24:00; shown on the page as written)",
         "locations/locations.csv:6: id: duplicate id 'ST-0004' (first used on row 5) "
         "(every location needs its own id)",
         "locations/locations.csv:7: lng: '-89,64' is not a number "
         "(use a dot as decimal separator)",
         "locations/locations.csv: 4 errors in the dataset"],
        rows=_rows(line2={"name": ""}, line3={"lat": "139.7817"},
                   line4={"hours": "Mon-Fri 9am-5pm; Sat 10-25"}, line6={"id": "ST-0004"},
                   line7={"lng": "-89,64"})),
    "row-errors-name-the-mapped-column": Case(
        ["locations/locations.csv:2: name (column 'Store Name'): required field is missing "
         "(every location needs a name)",
         "locations/locations.csv:3: hours (column 'Opening'): warning: hours 'whenever' do "
         "not say which days (write hours like Mon-Fri 9am-5pm; Sat 10-14; Sun closed; shown "
         "on the page as written)",
         "locations/locations.csv: 1 error in the dataset"],
        config=CONFIG + "  fields:\n    name: Store Name\n    hours: Opening\n",
        rows=[{("Store Name" if k == "name" else "Opening" if k == "hours" else k): v
               for k, v in row.items()}
              for row in _rows(line2={"name": "  "}, line3={"hours": "whenever"})]),
    "mapping-mistakes": Case(
        ["locations/locations.csv: locations.fields.name: column 'Store Nme' is not in the "
         "file (the file's columns are 'id', 'name', 'street', 'city', 'region', "
         "'postal_code', 'country', 'lat', 'lng', 'phone', 'hours', 'description')",
         "locations/locations.csv: locations.fields.zipcode: 'zipcode' is not a field "
         "sitegen knows (did you mean 'postal_code'? use 'extra.zipcode: <column>' to keep a "
         "column under a name of your own)"],
        config=CONFIG + "  fields:\n    name: Store Nme\n    zipcode: postal_code\n"),
    "dataset-missing": Case(
        ["locations/stores.csv: cannot read file: No such file or directory "
         "(check locations.source)"],
        config=CONFIG.replace("locations/locations.csv", "locations/stores.csv")),
    "dataset-unreadable": Case(
        ["locations/stores.csv: cannot read file: Is a directory (check locations.source)"],
        config=CONFIG.replace("locations/locations.csv", "locations/stores.csv"),
        folders=("locations/stores.csv",)),  # a folder cannot be read as a file, even by root
    "dataset-unsupported-type": Case(
        ["locations/stores.txt: unsupported file type '.txt' (supported: .csv, .tsv, .json, "
         ".jsonl, .ndjson, .yaml, .yml, .geojson, .xlsx, .sqlite, .sqlite3, .db; "
         "or set locations.format)"],
        config=CONFIG.replace("locations/locations.csv", "locations/stores.txt"),
        files={"locations/stores.txt": "id,name\n"}),
    # --- content ---
    "content-errors-all-reported": Case(
        ["content/about.md:4: cannot decode byte 0xe9 as utf-8 (save the file as UTF-8)",
         "content/gone.md: cannot read file: broken symbolic link (fix or remove the link)",
         "content/news.md:2: invalid YAML: expected ',' or ']', but got '<stream end>' while "
         f"parsing a flow sequence ({FIX_YAML})",
         "content/team.md:2: colour: unknown front matter key 'colour' (allowed: categories, "
         "ctas, description, draft, faqs, image, lastmod, menu, template, title, url, weight)"],
        files={"content/about.md": "---\ntitle: About\n---\nCaf\xe9 au lait\n".encode("cp1252"),
               "content/news.md": "---\ntitle: [News\n---\nNews.\n",
               "content/team.md": "---\ntitle: Team\ncolour: red\n---\nUs.\n"},
        links={"content/gone.md": "content/deleted.md"}),
}


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Run]]:
    root = tmp_path_factory.mktemp("broken")
    calls = []
    for name, case in CASES.items():
        site = small_site(root / name, case.rows, config=case.config, extra=case.files)
        for folder in case.folders:
            (site / folder).mkdir(parents=True)
        for link, target in case.links.items():
            (site / link).parent.mkdir(parents=True, exist_ok=True)
            (site / link).symlink_to(site / target)
        calls.append((("build", "--source", site, *case.args), case.env))
    runs = run_many(calls)
    return {name: (root / name, run) for name, run in zip(CASES, runs, strict=True)}


@pytest.mark.parametrize("name", list(CASES))
def test_exact_diagnostics(outcomes: dict[str, tuple[Path, Run]], name: str) -> None:
    site, result = outcomes[name]
    assert_fails(result, CASES[name].expected)
    assert not (site / "dist").exists() or not any((site / "dist").iterdir())


# --- cases with more than one step -------------------------------------------------------------

def test_time_zone_and_holiday_problems_are_warnings_on_every_row(tmp_path: Path) -> None:
    """An unknown time zone or unreadable holiday hours cost the row nothing but the value:
    the zone at the coordinates is used, the holiday list is left off."""
    rows = _rows(line2={"timezone": "Mars/Olympus", "special_hours": ""},
                 line3={"special_hours": "2026-12-25 closed; 2026-12-25 09:00-12:00"},
                 line4={"timezone": "Mars/Olympus"},
                 line5={"special_hours": "2026-12-25 closed; 2026-12-25 09:00-12:00"})
    site = small_site(tmp_path / "site", rows, config=CONFIG)
    result = run_cli("build", "--source", site)
    zone = ("(write an IANA name such as Europe/London or America/New_York; the zone at the "
            "coordinates is used)")
    twice = ("(give each date once, e.g. 2026-12-25 09:00-12:00,13:00-16:00; left off the "
             "page)")
    assert result.returncode == 0, str(result)
    assert result.err_lines == [
        f"locations/locations.csv:2: timezone: warning: unknown time zone 'Mars/Olympus' {zone}",
        f"locations/locations.csv:3: special_hours: warning: date 2026-12-25 is listed twice "
        f"{twice}",
        f"locations/locations.csv:4: timezone: warning: unknown time zone 'Mars/Olympus' {zone}",
        f"locations/locations.csv:5: special_hours: warning: date 2026-12-25 is listed twice "
        f"{twice}",
    ]
    pages = list((site / "dist" / "production" / "locations").rglob("index.html"))
    zones = {page.read_text().split('data-timezone="', 1)[1].split('"', 1)[0]
             for page in pages if 'data-timezone="' in page.read_text()}
    assert zones == {"America/Chicago"}

def test_custom_environment_with_behaves_like_builds(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site", extra={
        "config/uat.yaml": "environment:\n  behaves_like: development\n"})
    result = run_cli("build", "--source", site, "--env", "uat")
    assert result.returncode == 0, str(result)
    assert result.out_lines[0] == f"built uat into {site / 'dist' / 'uat'}"


def test_production_without_base_url_is_refused(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site", config=CONFIG.replace("base_url: https://www.example.com\n",
                                                               ""))
    result = run_cli("build", "--source", site)
    assert result.returncode == 1, str(result)
    assert "Traceback" not in result.stderr
    assert len(result.err_lines) == 2, str(result)
    assert result.err_lines[0] == (
        "config/production.yaml: base_url: production needs a base URL for canonical and "
        "sitemap URLs (set base_url in config/base.yaml or config/production.yaml, or "
        "SITEGEN_BASE_URL)"), str(result)
    assert not (site / "dist").exists()
    # ...and the same site builds once the URL comes from the environment.
    fixed = run_cli("build", "--source", site, env={"SITEGEN_BASE_URL": "https://x.example"})
    assert fixed.returncode == 0, str(fixed)


def test_missing_site_folder(tmp_path: Path) -> None:
    assert_fails(run_cli("build", "--source", tmp_path / "nowhere"), [
        f"{tmp_path / 'nowhere'}: site folder does not exist "
        "(pass --source DIR or run sitegen in the site folder)"])


def test_failed_build_keeps_previous_output(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site", config=CONFIG)
    first = run_cli("build", "--source", site)
    assert first.returncode == 0, str(first)
    before = sorted(p.relative_to(site).as_posix() for p in (site / "dist").rglob("*"))
    rows = generated_rows(3)
    rows[2]["lat"] = "north"
    (site / "locations" / "locations.csv").write_text(csv_text(rows), encoding="utf-8")
    assert_fails(run_cli("build", "--source", site), [
        "locations/locations.csv:4: lat: 'north' is not a number (write a decimal number)",
        "locations/locations.csv: 1 error in the dataset"])
    assert sorted(p.relative_to(site).as_posix() for p in (site / "dist").rglob("*")) == before
