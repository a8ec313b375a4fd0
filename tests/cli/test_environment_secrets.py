"""Secrets and config-time refusals of issue 20: staging passwords strong enough for an
offline guessing attack, an unprotected staging-like environment only when a config file
says so (warned on every build), nothing published under the theme assets folder, content
files of a protected build encrypted or refused, trackers caught whatever their name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.envsites import ENV, PASSWORD, example_site, invoke

from sitegen.config.secrets import password_problem

VARIABLE = "SITEGEN_STAGING_PASSWORD"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return example_site(tmp_path / "site")


@pytest.mark.parametrize(("password", "reason"), [
    ("x", "it has 1 characters; at least 12 are needed"),
    ("s3cret-pw", "it has 9 characters; at least 12 are needed"),
    ("Password1234", "this is similar to a commonly used password (strength 1 of 4; 3 is "
                     "needed)"),
])
def test_a_weak_staging_password_is_refused(site: Path, password: str, reason: str) -> None:
    result = invoke("build", "--env", "staging", "--source", site,
                    env={**ENV, VARIABLE: password})
    assert result.exit_code == 1, result.output
    assert f"environment: {VARIABLE}: the password in ${VARIABLE} is too weak: {reason} " \
        "(choose one of 12 or more characters that is hard to guess; `sitegen share-link " \
        "--new-password` prints a strong one)" in result.stderr.splitlines()
    assert password not in result.stderr.replace(reason, "")
    assert not (site / "dist" / "staging").exists()


def test_the_site_name_does_not_make_a_password_strong(site: Path) -> None:
    result = invoke("build", "--env", "staging", "--source", site,
                    env={**ENV, VARIABLE: "juniperoakstaging"})
    assert result.exit_code == 1, result.output
    assert "is too weak" in result.stderr


def test_share_link_makes_a_strong_new_password(site: Path) -> None:
    first = invoke("share-link", "--new-password")
    second = invoke("share-link", "--new-password")
    assert first.exit_code == 0 and second.exit_code == 0
    password = first.stdout.strip()
    assert len(password) == 24 and password != second.stdout.strip()
    assert password_problem(password, ("juniperoak", "staging")) is None
    assert "password variable" in first.stderr
    built = invoke("build", "--env", "staging", "--source", site, env={VARIABLE: password})
    assert built.exit_code == 0, built.output


def test_the_missing_password_error_does_not_suggest_turning_protection_off(
        site: Path) -> None:
    result = invoke("build", "--env", "staging", "--source", site)
    assert result.exit_code == 1
    assert f"environment: {VARIABLE}: environment 'staging' is password protected but " \
        f"${VARIABLE} is not set (export {VARIABLE}=... (a CI secret of 12 or more " \
        "characters; `sitegen share-link --new-password` prints a strong one))" \
        in result.stderr.splitlines()
    assert "mode: none" not in result.stderr


def test_an_unprotected_staging_needs_an_acknowledgement_in_a_config_file(site: Path) -> None:
    unprotected = {**ENV, "SITEGEN_PROTECTION__MODE": "none"}
    refused = invoke("build", "--env", "staging", "--source", site, env=unprotected)
    assert refused.exit_code == 1, refused.output
    assert "protection.mode: none makes 'staging' readable by anyone with its URL, although " \
        "it behaves like staging (keep it protected (remove protection.mode), or acknowledge " \
        "a public preview with protection.acknowledge_public: true in config/staging.yaml)" \
        in refused.stderr
    # a variable is not a config file: CI cannot turn protection off by itself
    by_variable = invoke("build", "--env", "staging", "--source", site,
                         env={**unprotected, "SITEGEN_PROTECTION__ACKNOWLEDGE_PUBLIC": "true"})
    assert by_variable.exit_code == 1, by_variable.output
    config = site / "config" / "staging.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "protection:\n  mode: encrypt\n", "protection:\n  mode: none\n  acknowledge_public: "
        "true\n"), encoding="utf-8")
    warning = ("config/staging.yaml:6: protection.mode: warning: 'staging' is not protected: "
               "anyone with its URL can read it (protection.acknowledge_public) (remove "
               "protection.mode: none to protect it)")
    for _ in range(2):  # on every build, the unchanged one too
        built = invoke("build", "--env", "staging", "--source", site, env=ENV)
        assert built.exit_code == 0, built.output
        assert warning in built.stderr.splitlines() + built.stdout.splitlines(), built.output


def test_a_content_page_under_the_assets_folder_is_refused(site: Path) -> None:
    (site / "content" / "styles.md").write_text("---\nurl: /_Assets/css/\n---\nHi\n",
                                                encoding="utf-8")
    result = invoke("build", "--env", "staging", "--source", site, env=ENV)
    assert result.exit_code == 1, result.output
    assert "content/styles.md:2: url: '/_Assets/css/' lies under /_assets/, the folder of the " \
        "theme's static assets and build metadata (published unencrypted): choose another " \
        "url (the url of a page is a path inside the site)" in result.stderr.splitlines()


def test_a_location_pattern_under_the_assets_folder_is_refused(site: Path) -> None:
    result = invoke("build", "--env", "staging", "--source", site,
                    env={**ENV, "SITEGEN_URLS__LOCATION": "/_assets/{slug}/"})
    assert result.exit_code == 1, result.output
    assert "lies under /_assets/, the folder of the theme's static assets and build " \
        "metadata (published unencrypted): choose another path" in result.stderr
    assert "urls.location" in result.stderr


@pytest.mark.parametrize("name", ["price-list.tsv", "stores.jsonl", "notes.yaml",
                                  "menu.pdf"])
def test_a_content_file_a_protected_build_cannot_encrypt_is_refused(site: Path,
                                                                    name: str) -> None:
    (site / "content" / name).write_bytes(b"Juniper & Oak Coffee, Hayes Valley\n")
    about = site / "content" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + f"\n[file](/{name})\n",
                     encoding="utf-8")
    result = invoke("build", "--env", "staging", "--source", site, env=ENV)
    assert result.exit_code == 1, result.output
    assert f"{name}: guard.unlisted-file: plain file in the protected build 'staging' is a " \
        "content file that would be published unencrypted" in result.stderr
    assert not (site / "dist" / "staging").exists()
    # production publishes it as it is
    assert invoke("build", "--env", "production", "--source", site, env=ENV).exit_code == 0


def test_a_theme_script_that_calls_a_tracker_fails_the_staging_build(site: Path) -> None:
    script = site / "themes" / "juniper" / "static" / "js" / "stats.js"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text('navigator.sendBeacon("https://eu.i.posthog.com/e/", "{}");\n',
                      encoding="utf-8")
    base = site / "themes" / "juniper" / "templates" / "base.html"
    base.parent.mkdir(parents=True, exist_ok=True)
    base.write_text('{% extends "default/base.html" %}{% block head %}{{ super() }}'
                    '<script src="/_assets/js/stats.js" defer></script>{% endblock %}',
                    encoding="utf-8")
    result = invoke("build", "--env", "staging", "--source", site, env=ENV)
    assert result.exit_code == 1, result.output
    assert "_assets/js/stats.js: guard.foreign-origin: code names https://eu.i.posthog.com, " \
        "outside the build's origin in 'staging'" in result.stderr


def test_a_page_declared_noindex_in_front_matter(site: Path) -> None:
    (site / "content" / "landing.md").write_text(
        "---\ntitle: Spring offer\nrobots: noindex\n---\nFor subscribers.\n", encoding="utf-8")
    result = invoke("build", "--env", "production", "--source", site, env=ENV)
    assert result.exit_code == 0, result.output
    out = site / "dist" / "production"
    assert '<meta name="robots" content="noindex, follow">' in \
        (out / "landing" / "index.html").read_text(encoding="utf-8")
    assert "/landing/" not in (out / "sitemap.xml").read_text(encoding="utf-8")
    marker = json.loads((out / "_sitegen" / "build.json").read_text(encoding="utf-8"))
    assert "landing/index.html" in marker["noindex_pages"]
    (site / "content" / "landing.md").write_text("---\nrobots: hidden\n---\nx\n",
                                                  encoding="utf-8")
    bad = invoke("build", "--env", "production", "--source", site, env=ENV)
    assert bad.exit_code == 1
    assert "content/landing.md:2: robots: robots must be one of index, noindex" in bad.stderr


def test_the_example_password_is_strong() -> None:
    assert password_problem(PASSWORD) is None
