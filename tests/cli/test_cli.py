"""The `sitegen` command as a user runs it: verbs, exit codes, summary line, config layers."""

from __future__ import annotations

import re
from pathlib import Path

from support.sites import (
    SUMMARY,
    assert_fails,
    build,
    generated_rows,
    parse_html,
    run_cli,
    run_many,
    small_site,
    summary,
)

KNOWN_VERBS = {"build", "init", "validate", "config", "check"}


def test_init_then_build_production_and_staging(tmp_path: Path) -> None:
    site = tmp_path / "x"
    created = run_cli("init", site)
    assert created.returncode == 0, str(created)
    assert created.out_lines[-1] == f"next: sitegen build --source {site}"

    production = build(site)
    assert production.out_lines[0] == f"built production into {site / 'dist' / 'production'}"
    # The summary is the last line, exactly in this shape.
    assert re.fullmatch(
        r"\d+ rows read, \d+ locations built, \d+ rows skipped, \d+ warnings?, "
        r"\d+ pages in \d+\.\d s", production.out_lines[-1]), str(production)
    assert SUMMARY.pattern.startswith("^")
    counts = summary(production)
    assert (counts["read"], counts["built"], counts["skipped"], counts["warnings"]) == (3, 3, 0, 0)
    assert counts["pages"] >= 3 + 1 + 2  # locations, home, hubs at least
    out = site / "dist" / "production"
    for rel in ("index.html", "404.html", "robots.txt", "sitemap.xml", "locations/index.html"):
        assert (out / rel).is_file(), rel
    home = parse_html(out / "index.html")
    assert home.robots is None
    assert home.canonical == "https://www.example.com/"
    checked = run_cli("check", "--source", site)
    assert checked.returncode == 0, str(checked)
    assert checked.out_lines[-1].startswith(f"{out}: all checks passed for production")

    refused = run_cli("build", "--source", site, "--env", "staging")
    assert refused.returncode == 1, str(refused)
    assert "Traceback" not in refused.stderr
    assert any("SITEGEN_STAGING_PASSWORD" in line and "not set" in line
               for line in refused.err_lines), str(refused)
    assert not (site / "dist" / "staging").exists()

    staging = build(site, "--env", "staging", env={"SITEGEN_STAGING_PASSWORD": "s3cret-pw"})
    assert staging.out_lines[0] == f"built staging into {site / 'dist' / 'staging'}"
    assert summary(staging)["built"] == 3
    staged = site / "dist" / "staging"
    assert "Disallow: /" in (staged / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert not (staged / "sitemap.xml").exists()
    assert list(staged.rglob("*.html")), "staging wrote no pages"
    # A build of another environment leaves the production output alone.
    assert parse_html(out / "index.html").canonical == "https://www.example.com/"


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine", encoding="utf-8")
    result = run_cli("init", tmp_path / "full")
    assert_fails(result, [f"{tmp_path / 'full'}: folder is not empty (choose a new folder name)"])
    assert (tmp_path / "full" / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_every_verb_has_help_with_an_example() -> None:
    top = run_cli("--help")
    assert top.returncode == 0, str(top)
    assert "Example" in top.stdout
    lines = top.out_lines
    listed = lines[lines.index("Commands:") + 1:]
    verbs = [line.split()[0] for line in listed if line.startswith("  ") and line.strip()]
    assert set(verbs) >= KNOWN_VERBS, verbs
    for result in run_many([((verb, "--help"), None) for verb in verbs]):
        assert result.returncode == 0, str(result)
        assert "Example" in result.stdout, str(result)


def test_usage_errors_exit_2_without_traceback(site: Path) -> None:
    unknown_option, unknown_verb, missing_argument = run_many([
        (("build", "--source", site, "--no-such-flag"), None),
        (("frobnicate",), None),
        (("init",), None)])
    assert unknown_option.err_lines[-1] == "Error: No such option '--no-such-flag'."
    assert unknown_verb.err_lines[-1] == "Error: No such command 'frobnicate'."
    assert missing_argument.err_lines[-1] == "Error: Missing argument 'DIRECTORY'."
    for result in (unknown_option, unknown_verb, missing_argument):
        assert result.returncode == 2, str(result)
        assert "Traceback" not in result.stderr
        assert result.stdout == ""
    assert not (site / "dist").exists()


def test_validate_checks_without_writing(tmp_path: Path) -> None:
    good = small_site(tmp_path / "good")
    rows = generated_rows(2)
    rows[1]["lat"] = "91.5"
    bad = small_site(tmp_path / "bad", rows)
    valid, invalid = run_many([(("validate", "--source", good), None),
                               (("validate", "--source", bad), None)])
    assert valid.returncode == 0, str(valid)
    assert re.fullmatch(r"3 rows read, 3 locations valid, 0 rows skipped, 0 warnings, "
                        r"\d+ pages planned in \d+\.\d s", valid.out_lines[-1]), str(valid)
    assert_fails(invalid, [
        "locations/locations.csv:3: lat: 91.5 is out of range [-90, 90] "
        "(check that latitude and longitude are not swapped)",
        "locations/locations.csv: 1 error in the dataset",
    ])
    assert not (good / "dist").exists() and not (bad / "dist").exists()


def test_config_shows_each_value_and_the_layer_that_set_it(site: Path) -> None:
    (site / "config" / "development.yaml").write_text(
        "# dev\nbase_url: http://localhost:9000\n", encoding="utf-8")
    hook = "https://hooks.example.com/leads?key=abc"
    production, development = run_many([
        (("config", "--source", site),
         {"SITEGEN_LEADS__WEBHOOK_URL": hook, "SITEGEN_MAPS": "{zoom: 15}"}),
        (("config", "--source", site, "--env", "development"), None)])
    assert production.returncode == 0, str(production)
    lines = production.out_lines
    assert lines[0] == "# environment: production (behaves like production)"
    assert f"leads.webhook_url: {hook}  # $SITEGEN_LEADS__WEBHOOK_URL" in lines
    assert "maps.zoom: 15  # $SITEGEN_MAPS" in lines  # a YAML map value names each key it sets
    assert "base_url: https://www.example.com  # config/base.yaml:1" in lines
    assert "site.name: Test Stores  # config/base.yaml:3" in lines
    # Keys of a section the file sets, but not the keys themselves, keep their defaults.
    assert "site.unit: km  # default" in lines
    assert "leads.formspree_id: null  # default" in lines

    assert development.returncode == 0, str(development)
    lines = development.out_lines
    assert lines[0] == "# environment: development (behaves like development)"
    assert "base_url: http://localhost:9000  # config/development.yaml:2" in lines
    assert "site.name: Test Stores  # config/base.yaml:3" in lines
    assert "leads.webhook_url: null  # default" in lines


def test_base_url_flag_beats_env_variable_beats_file(tmp_path: Path) -> None:
    sites = [small_site(tmp_path / name) for name in ("file", "env", "flag")]
    from_env = {"SITEGEN_BASE_URL": "https://env.example.org"}
    runs = run_many([(("build", "--source", sites[0]), None),
                     (("build", "--source", sites[1]), from_env),
                     (("build", "--source", sites[2], "--base-url",
                       "https://pr-42.preview.example.net/"), from_env)])
    for run in runs:
        assert run.returncode == 0, str(run)
    expected = ["https://www.example.com/", "https://env.example.org/",
                "https://pr-42.preview.example.net/"]
    for site, base in zip(sites, expected, strict=True):
        out = site / "dist" / "production"
        assert parse_html(out / "index.html").canonical == base
        sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
        locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
        assert locs and all(loc.startswith(base) for loc in locs), sitemap


def _skip_site(tmp_path: Path) -> Path:
    rows = generated_rows(5)
    rows[1]["lat"] = "123.4"            # line 3 of the file
    rows[3]["name"] = ""                # line 5 of the file
    config = ("base_url: https://www.example.com\nlocations:\n  on_error: skip\n"
              "  phone_region: US\n")
    return small_site(tmp_path / "site", rows, config=config)


def test_on_error_skip_outside_production_reports_every_skipped_row(tmp_path: Path) -> None:
    site = _skip_site(tmp_path)
    result = build(site, "--env", "development")
    counts = summary(result)
    assert (counts["read"], counts["built"], counts["skipped"]) == (5, 3, 2)
    assert counts["read"] == counts["built"] + counts["skipped"]
    assert result.err_lines == [
        "locations/locations.csv:3: lat: warning: 123.4 is out of range [-90, 90] "
        "(check that latitude and longitude are not swapped)",
        "locations/locations.csv:3: warning: row skipped "
        "(fix the errors above; locations.on_error: skip is active)",
        "locations/locations.csv:5: name: warning: required field is missing "
        "(every location needs a name)",
        "locations/locations.csv:5: warning: row skipped "
        "(fix the errors above; locations.on_error: skip is active)",
    ]
    assert counts["warnings"] == len(result.err_lines)


def test_on_error_skip_does_not_apply_in_production(tmp_path: Path) -> None:
    site = _skip_site(tmp_path)
    assert_fails(run_cli("build", "--source", site), [
        "locations/locations.csv:3: lat: 123.4 is out of range [-90, 90] "
        "(check that latitude and longitude are not swapped)",
        "locations/locations.csv:5: name: required field is missing "
        "(every location needs a name)",
        "locations/locations.csv: 2 errors in the dataset",
    ])
    assert not (site / "dist" / "production").exists()


def test_config_is_shown_even_when_the_policy_refuses_it(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site")
    base = site / "config" / "base.yaml"
    base.write_text(base.read_text().replace("base_url: https://www.example.com\n", ""))
    result = run_cli("config", "--source", site)
    assert result.returncode == 1, str(result)
    assert "base_url: null  # default" in result.out_lines
    assert result.err_lines[0] == (
        "config/production.yaml: base_url: production needs a base URL for canonical and "
        "sitemap URLs (set base_url in config/base.yaml or config/production.yaml, or "
        "SITEGEN_BASE_URL)")
