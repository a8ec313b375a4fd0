"""The example site built in every environment: each file obeys its environment's policy.

development, staging (encrypted, masked), uat (behaves like staging, basic auth) and
production, all from one copy of the example site; pages are read with html.parser, and the
encrypted staging pages are also decrypted and checked as the browser would show them.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import phonenumbers
import pytest
import yaml
from support.envsites import (
    ENV,
    ENVIRONMENTS,
    PASSWORD,
    WEBHOOK,
    build_env,
    example_site,
    html_pages,
    invoke,
    key_of,
    page_html,
    source_rows,
)
from support.sites import tree_hashes

from sitegen.config.load import load_config
from sitegen.config.policy import LOCAL_INBOX, resolve_policy
from sitegen.output.hostconfig import HOST_FILES, NGINX_SNIPPET
from sitegen.output.protect import is_protected_path, parse_envelope, prompt_payload

PRODUCTION = "https://www.juniperoak.example"
STAGING = "https://staging.juniperoak.example"
ANALYTICS = ("plausible.io", "googletagmanager", "gtag(", "_paq", "matomo", "consent.js")


class Page(HTMLParser):
    """Everything the policy tests look at in one page."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.robots: str | None = None
        self.canonical: str | None = None
        self.og_url: str | None = None
        self.title = ""
        self.banner = ""
        self.scripts: list[str] = []
        self.script_text: list[str] = []
        self.jsonld: list[object] = []
        self.forms: list[dict[str, str]] = []
        self.labels: dict[str, str] = {}
        self.inputs: dict[str, dict[str, str]] = {}
        self.alerts: list[str] = []
        self.buttons: list[dict[str, str]] = []
        self.payload = False
        self._capture: str | None = None
        self._text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta" and a.get("name") == "robots":
            self.robots = a.get("content")
        elif tag == "meta" and a.get("property") == "og:url":
            self.og_url = a.get("content")
        elif tag == "link" and a.get("rel") == "canonical":
            self.canonical = a.get("href")
        elif tag == "script" and a.get("src"):
            self.scripts.append(a["src"])
        elif tag == "form":
            self.forms.append(a)
        elif tag == "label" and a.get("for"):
            self.labels[a["for"]] = ""
        elif tag == "input" and a.get("id"):
            self.inputs[a["id"]] = a
        elif tag == "button":
            self.buttons.append(a)
        if a.get("role") == "alert":
            self.alerts.append(a.get("id", ""))
        if tag == "script" and a.get("id") == "sitegen-protected":
            self.payload = True
        if tag == "title":
            self._capture, self._text = "title", []
        elif tag == "div" and "env-banner" in a.get("class", ""):
            self._capture, self._text = "banner", []
        elif tag == "script" and a.get("type") == "application/ld+json":
            self._capture, self._text = "jsonld", []
        elif tag == "script" and not a.get("src"):
            self._capture, self._text = "script", []

    def handle_endtag(self, tag: str) -> None:
        if self._capture is None:
            return
        text = "".join(self._text)
        if self._capture == "title" and tag == "title":
            self.title = text
        elif self._capture == "banner" and tag == "div":
            self.banner = " ".join(text.split())
        elif self._capture == "jsonld" and tag == "script":
            self.jsonld.append(json.loads(text))
        elif self._capture == "script" and tag == "script":
            self.script_text.append(text)
        else:
            return
        self._capture = None

    def handle_data(self, data: str) -> None:
        if self._capture:
            self._text.append(data)

    def jsonld_urls(self) -> list[str]:
        found: list[str] = []

        def walk(node: object) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if key in ("url", "@id", "item") and isinstance(value, str):
                        found.append(value)
                    walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(self.jsonld)
        return found

    def location(self) -> dict | None:
        return next((d for d in self.jsonld if isinstance(d, dict)
                     and str(d.get("@id", "")).endswith("#location")), None)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return example_site(tmp_path_factory.mktemp("environments") / "site")


@pytest.fixture(scope="module")
def builds(site: Path) -> dict[str, Path]:
    return {env: build_env(site, env) for env in ENVIRONMENTS}


def _has_analytics(text: str) -> bool:
    return any(marker in text for marker in ANALYTICS)


# --- the policies --------------------------------------------------------------------------

def test_each_environment_resolves_its_policy(site: Path) -> None:
    policies = {env: resolve_policy(load_config(site, env, environ=ENV), ENV)
                for env in ENVIRONMENTS}
    dev, staging, uat, prod = (policies[e] for e in ENVIRONMENTS)
    assert (dev.indexable, dev.protection, dev.analytics, dev.forms, dev.forms_endpoint,
            dev.data, dev.banner) == (False, "none", None, "local", LOCAL_INBOX, "real",
                                      "DEVELOPMENT")
    assert (staging.indexable, staging.protection, staging.analytics, staging.forms,
            staging.data, staging.banner, staging.password) == (
        False, "encrypt", None, "disabled", "masked", "STAGING", PASSWORD)
    assert (uat.kind, uat.protection, uat.banner, uat.username) == (
        "staging", "basic-auth", "UAT", "staging")
    assert prod.indexable and prod.protection == "none" and prod.banner is None
    assert prod.analytics is not None and prod.analytics.provider == "plausible"
    assert (prod.forms, prod.forms_endpoint, prod.data, prod.base_url) == (
        "live", WEBHOOK, "real", PRODUCTION)
    assert prod.robots_meta is None and staging.robots_meta == "noindex, nofollow"


def test_staging_with_a_sandbox_endpoint_posts_there(site: Path) -> None:
    environ = {**ENV, "SITEGEN_LEADS__SANDBOX_URL": "https://sandbox.example.test/leads"}
    policy = resolve_policy(load_config(site, "staging", environ=environ), environ)
    assert (policy.forms, policy.forms_endpoint) == ("sandbox",
                                                     "https://sandbox.example.test/leads")


def test_a_separate_dataset_in_the_staging_config_means_sample_data(tmp_path: Path) -> None:
    site = example_site(tmp_path / "site")
    config = site / "config" / "staging.yaml"
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["locations"] = {"source": "locations/locations.csv"}
    config.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert resolve_policy(load_config(site, "staging", environ=ENV), ENV).data == "sample"


@pytest.mark.parametrize(("env", "layer", "key", "words"), [
    ("staging", {"analytics": {"provider": "plausible"}}, "analytics.provider",
     "analytics is not allowed in staging"),
    ("uat", {"analytics": {"provider": "ga4", "id": "G-1"}}, "analytics.provider",
     "analytics is not allowed in staging"),
    ("production", {"protection": {"mode": "encrypt"}}, "protection.mode",
     "production cannot be protected"),
    ("production", {"locations": {"mask": ["phone"]}}, "locations.mask",
     "production must publish real data"),
])
def test_impossible_configs_are_refused_with_key_and_reason(
        tmp_path: Path, env: str, layer: dict, key: str, words: str) -> None:
    site = example_site(tmp_path / "site")
    path = site / "config" / f"{env}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for section, values in layer.items():
        data.setdefault(section, {}).update(values)
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    for verb in ("build", "config"):
        result = invoke(verb, "--env", env, "--source", site, env=ENV)
        assert result.exit_code == 1, result.output
        line = next(line for line in result.stderr.splitlines() if key in line)
        assert line.startswith(f"config/{env}.yaml:"), line
        assert words in line, line
    assert not (site / "dist").exists()


def test_production_without_base_url_is_refused(tmp_path: Path) -> None:
    site = example_site(tmp_path / "site")
    base = site / "config" / "base.yaml"
    base.write_text(base.read_text(encoding="utf-8").replace(
        "base_url: https://www.juniperoak.example\n", ""), encoding="utf-8")
    result = invoke("build", "--env", "production", "--source", site)
    assert result.exit_code == 1
    assert "base_url: production needs a base URL for canonical and sitemap URLs" \
        in result.stderr, result.output


# --- production ----------------------------------------------------------------------------

def test_production_every_page_is_public_tracked_and_on_the_production_host(
        builds: dict[str, Path]) -> None:
    out = builds["production"]
    pages = html_pages(out)
    assert len(pages) > 100
    declared = json.loads((out / "_sitegen" / "build.json").read_text())["noindex_pages"]
    assert declared == ["404.html", "thanks/index.html"]
    for path in pages:
        rel = path.relative_to(out).as_posix()
        page = Page(path.read_text(encoding="utf-8"))
        assert not page.payload, rel
        assert page.banner == "", rel
        assert page.robots == ("noindex, follow" if rel in declared else None), rel
        assert page.canonical and page.canonical.startswith(PRODUCTION + "/"), rel
        assert page.og_url and page.og_url.startswith(PRODUCTION + "/"), rel
        for url in page.jsonld_urls():
            if url.startswith("http") and "juniperoak" in url and "instagram" not in url:
                assert url.startswith(PRODUCTION + "/"), (rel, url)
        assert "https://plausible.io/js/script.js" in page.scripts, rel
    robots = (out / "robots.txt").read_text(encoding="utf-8")
    assert "Disallow: /\n" not in robots
    assert f"Sitemap: {PRODUCTION}/sitemap.xml" in robots
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    locs = [line.split("<loc>")[1].split("</loc>")[0] for line in sitemap.splitlines()
            if "<loc>" in line]
    assert locs and all(urlsplit(u).netloc == "www.juniperoak.example" for u in locs)
    for name in HOST_FILES:
        assert not (out / name).exists(), name
    marker = json.loads((out / "_sitegen" / "build.json").read_text(encoding="utf-8"))
    assert marker["data"] == "real" and marker["indexable"] is True


def test_production_builds_are_byte_identical(site: Path, builds: dict[str, Path],
                                              tmp_path: Path) -> None:
    again = build_env(site, "production", out=tmp_path / "again")
    assert tree_hashes(again) == tree_hashes(builds["production"])


# --- staging -------------------------------------------------------------------------------

def test_staging_every_page_is_a_prompt_and_decrypts_to_a_private_page(
        builds: dict[str, Path]) -> None:
    out = builds["staging"]
    protection = key_of(out)
    pages = html_pages(out)
    assert len(pages) > 100
    for path in pages:
        rel = path.relative_to(out).as_posix()
        prompt = Page(path.read_text(encoding="utf-8"))
        assert prompt.payload, rel
        assert prompt.robots == "noindex, nofollow", rel
        assert prompt.title == "Password required", rel
        assert prompt.banner == "STAGING: this is not the public site.", rel
        assert "sitegen-password" in prompt.labels, rel
        assert prompt.inputs["sitegen-password"]["type"] == "password", rel
        assert "sitegen-error" in prompt.alerts, rel
        assert any(b.get("type") == "submit" for b in prompt.buttons), rel
        assert prompt.canonical is None and prompt.jsonld == [], rel
        real = Page(page_html(path, protection))
        assert not real.payload, rel
        assert real.robots == "noindex, nofollow", rel
        assert real.banner == "STAGING: this is not the public site.", rel
        assert not any(_has_analytics(s) for s in real.scripts + real.script_text), rel
        assert real.canonical is None or real.canonical.startswith(STAGING + "/"), rel
        for form in real.forms:
            assert WEBHOOK not in form.values(), rel
        assert any(src.startswith("/_assets/js/unlock.js") for src in real.scripts), rel


def test_staging_data_files_are_encrypted_envelopes(builds: dict[str, Path]) -> None:
    out = builds["staging"]
    protection = key_of(out)
    checked = 0
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out).as_posix()
        if path.is_file() and is_protected_path(rel) and not rel.endswith(".html"):
            envelope = parse_envelope(path.read_bytes())
            assert envelope is not None, rel
            assert envelope["iterations"] >= 600_000
            protection.decrypt(envelope)
            checked += 1
    assert checked >= 1
    # The marker data, under its private name (output/private.py).
    markers = [value for path in out.glob("*.json")
               if (envelope := parse_envelope(path.read_bytes())) and "type" not in envelope
               and "locs" in (value := json.loads(protection.decrypt(envelope)))]
    assert len(markers) == 1 and markers[0]["locs"]


def test_staging_robots_sitemap_and_host_headers(builds: dict[str, Path]) -> None:
    for env in ("staging", "uat", "development"):
        out = builds[env]
        assert (out / "robots.txt").read_text(encoding="utf-8") == "User-agent: *\nDisallow: /\n"
        assert not list(out.glob("sitemap*.xml")), env
        assert "X-Robots-Tag: noindex" in (out / "_headers").read_text(encoding="utf-8")
        assert 'Header always set X-Robots-Tag "noindex' in \
            (out / ".htaccess").read_text(encoding="utf-8")
        assert 'add_header X-Robots-Tag "noindex' in \
            (out / NGINX_SNIPPET).read_text(encoding="utf-8")
        vercel = json.loads((out / "vercel.json").read_text(encoding="utf-8"))
        assert vercel["headers"][0]["headers"] == [{"key": "X-Robots-Tag",
                                                    "value": "noindex, nofollow"}]


def test_staging_masks_phones_and_emails_deterministically(
        site: Path, builds: dict[str, Path], tmp_path: Path) -> None:
    out = builds["staging"]
    protection = key_of(out)
    real = {row["store_code"]: row for row in source_rows()}
    seen = 0
    masked_pages: dict[str, str] = {}
    for path in html_pages(out):
        text = page_html(path, protection)
        page = Page(text)
        location = page.location()
        if location is None:
            continue
        masked_pages[path.relative_to(out).as_posix()] = text
        country = location["address"]["addressCountry"]
        if "telephone" in location:
            number = phonenumbers.parse(location["telephone"], country)
            assert phonenumbers.is_possible_number(number), location["telephone"]
            assert phonenumbers.region_code_for_number(number) in (country, "US", "CA")
        if "email" in location:
            assert location["email"].endswith("@example.invalid"), location["email"]
        seen += 1
    assert seen == len(real)
    all_text = "\n".join(masked_pages.values())
    for row in real.values():
        assert row["Phone"] not in all_text
        assert row["Email"] not in all_text
    # Masking is deterministic: another build shows the same pages (new salt, same text).
    again = build_env(site, "staging", out=tmp_path / "again")
    other = key_of(again)
    assert other.salt != protection.salt
    for rel, text in masked_pages.items():
        assert page_html(again / rel, other) == text, rel


def test_staging_builds_differ_byte_wise_but_production_does_not(
        builds: dict[str, Path]) -> None:
    staging = builds["staging"]
    index = (staging / "index.html").read_text(encoding="utf-8")
    assert prompt_payload(index) is not None
    meta = json.loads((staging / "_sitegen" / "protection.json").read_text(encoding="utf-8"))
    assert meta["iterations"] >= 600_000 and len(meta["salt"]) >= 22
    assert PASSWORD not in index


# --- uat (basic auth) and development ------------------------------------------------------

def test_uat_behaves_like_staging_with_basic_auth(builds: dict[str, Path]) -> None:
    out = builds["uat"]
    for path in html_pages(out):
        rel = path.relative_to(out).as_posix()
        page = Page(path.read_text(encoding="utf-8"))
        assert not page.payload, rel
        assert page.robots == "noindex, nofollow", rel
        assert page.banner == "UAT: this is not the public site.", rel
        assert not any(_has_analytics(s) for s in page.scripts + page.script_text), rel
    # uat is deployed to Netlify (protection.host): only Netlify's auth rule is written.
    headers = (out / "_headers").read_text(encoding="utf-8").splitlines()
    assert headers[headers.index("/*") + 1:] == [
        "  X-Robots-Tag: noindex, nofollow", f"  Basic-Auth: staging:{PASSWORD}"]
    assert not (out / ".htpasswd").exists()
    assert "AuthType Basic" not in (out / ".htaccess").read_text(encoding="utf-8")
    assert "auth_basic" not in (out / NGINX_SNIPPET).read_text(encoding="utf-8")


def test_development_is_private_untracked_and_posts_locally(builds: dict[str, Path]) -> None:
    out = builds["development"]
    for path in html_pages(out):
        rel = path.relative_to(out).as_posix()
        page = Page(path.read_text(encoding="utf-8"))
        assert page.robots == "noindex, nofollow", rel
        assert page.banner == "DEVELOPMENT: this is not the public site.", rel
        assert not any(_has_analytics(s) for s in page.scripts + page.script_text), rel
        for form in page.forms:  # lead forms (the locator's search is a GET to the List view)
            if form.get("method") == "post":
                assert form.get("action", LOCAL_INBOX) == LOCAL_INBOX, rel
            else:
                assert form.get("action", "/locations/list/") == "/locations/list/", rel
    assert not (out / ".htpasswd").exists()
    assert not (out / "_sitegen" / "protection.json").exists()


def test_check_passes_on_every_fresh_build(site: Path, builds: dict[str, Path]) -> None:
    for env, out in builds.items():
        result = invoke("check", "--env", env, "--source", site, out, env=ENV)
        assert result.exit_code == 0, result.output
        assert "all checks passed" in result.output
