"""One test per guard rail: plant the violation and both `sitegen check` and the build fail.

For `sitegen check`, the violation is planted in a copy of a good build. For the build, it is
planted in the build's temporary folder just before the audit (the way a faulty template,
producer or content file would put it there), and the build must exit 1 naming the file and
the rule, leaving the previous output in place. A few violations are also produced the
natural way: a theme override or a content page.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from support.envsites import ENV, PASSWORD, WEBHOOK, build_env, example_site, invoke, key_of

import sitegen
import sitegen.builder.stages
import sitegen.builder.workers
from sitegen.audit.tree import WrittenTree
from sitegen.output.protect import PAYLOAD, Protection, envelope_bytes, prompt_payload

PRODUCTION_HOST = "www.juniperoak.example"
STAGING_URL = "https://staging.juniperoak.example"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = example_site(tmp_path_factory.mktemp("guards") / "site")
    for env in ("uat", "development", "production"):
        build_env(root, env)
    build_env(root, "staging", PLANTED_ENV)
    return root


# The plants below name files by their production paths: the staging folders they are planted
# into keep them (private paths are tested in test_private_paths.py; a build reports what its
# audit finds by production path).
PLANTED_ENV = {**ENV, "SITEGEN_PROTECTION__PRIVATE_PATHS": "false"}


# --- planting helpers ----------------------------------------------------------------------

@dataclass(frozen=True)
class PageEdit:
    """Change one page as its template would: in the build, the rendered HTML is changed
    (before encryption); in a built folder, the page is edited (decrypted, changed and
    re-encrypted with the build's key when the build is protected)."""

    rel: str
    change: Callable[[str, Path], str]

    def on_folder(self, root: Path, protection: Protection | None, site: Path) -> None:
        path = root / self.rel
        text = path.read_text(encoding="utf-8")
        payload = prompt_payload(text)
        if payload is None:
            new = self.change(text, site)
            assert new != text, f"plant did not change {self.rel}"
            path.write_text(new, encoding="utf-8")
            return
        assert protection is not None
        inner = protection.decrypt(payload).decode()
        new = self.change(inner, site)
        assert new != inner, f"plant did not change {self.rel}"
        sealed = envelope_bytes(protection.encrypt(new.encode())).decode()
        path.write_text(PAYLOAD.sub(lambda m: m.group(0).replace(m.group(1), sealed), text),
                        encoding="utf-8")


@dataclass(frozen=True)
class FilePlant:
    """Write, replace or remove a file (as a faulty producer or content file would)."""

    plant: Callable[[Path, Protection | None, Path], None]

    def on_folder(self, root: Path, protection: Protection | None, site: Path) -> None:
        self.plant(root, protection, site)


Plant = PageEdit | FilePlant


def _edit(rel: str, change: Callable[[str], str]) -> PageEdit:
    return PageEdit(rel, lambda text, site: change(text))


def _write(rel: str, data: str | bytes) -> FilePlant:
    def plant(root: Path, protection: Protection | None, site: Path) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
    return FilePlant(plant)


def _remove(rel: str) -> FilePlant:
    def plant(root: Path, protection: Protection | None, site: Path) -> None:
        (root / rel).unlink()
    return FilePlant(plant)


def _in_head(snippet: str) -> Callable[[str], str]:
    return lambda text: text.replace("</head>", snippet + "\n</head>", 1)


def _foreign_key(rel: str) -> FilePlant:
    """Re-encrypt a page with a key the build does not have."""
    def plant(root: Path, protection: Protection | None, site: Path) -> None:
        assert protection is not None
        path = root / rel
        text = path.read_text(encoding="utf-8")
        inner = protection.decrypt(prompt_payload(text) or {})
        other = Protection(bytes(32), protection.salt, protection.iterations)
        sealed = envelope_bytes(other.encrypt(inner)).decode()
        path.write_text(PAYLOAD.sub(lambda m: m.group(0).replace(m.group(1), sealed), text),
                        encoding="utf-8")
    return FilePlant(plant)


def _prompt_in_production(rel: str) -> FilePlant:
    def plant(root: Path, protection: Protection | None, site: Path) -> None:
        key = Protection(bytes(32), bytes(16), 600_000)
        sealed = envelope_bytes(key.encrypt(b"<p>x</p>")).decode()
        (root / rel).write_text(
            '<!doctype html><html><head><title>Password required</title></head><body>'
            f'<script type="application/json" id="sitegen-protected">{sealed}</script>'
            '</body></html>', encoding="utf-8")
    return FilePlant(plant)


def _build_marker(data: str) -> FilePlant:
    def plant(root: Path, protection: Protection | None, site: Path) -> None:
        path = root / "_sitegen" / "build.json"
        marker = json.loads(path.read_text(encoding="utf-8"))
        marker["data"] = data
        path.write_text(json.dumps(marker), encoding="utf-8")
    return FilePlant(plant)


def _staging_token(rel: str) -> PageEdit:
    def change(text: str, site: Path) -> str:
        token = key_of(site / "dist" / "staging").token
        return text.replace("</main>", f"<p>{token}</p></main>", 1)
    return PageEdit(rel, change)


def _prompt_edit(rel: str, change: Callable[[str], str]) -> FilePlant:
    """Change the password page itself (outside its ciphertext)."""
    def plant(root: Path, protection: Protection | None, site: Path) -> None:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        assert prompt_payload(text) is not None
        changed = change(text)
        assert changed != text and prompt_payload(changed) == prompt_payload(text)
        path.write_text(changed, encoding="utf-8")
    return FilePlant(plant)


def _prompt_head(rel: str, snippet: str) -> FilePlant:
    """Add to the password page's head."""
    return _prompt_edit(rel, lambda text: text.replace("</head>", snippet + "\n</head>", 1))


def _append(rel: str, code: str) -> FilePlant:
    def plant(root: Path, protection: Protection | None, site: Path) -> None:
        path = root / rel
        path.write_bytes(path.read_bytes() + code.encode())
    return FilePlant(plant)


def _build_marker_kind(kind: str) -> FilePlant:
    def plant(root: Path, protection: Protection | None, site: Path) -> None:
        path = root / "_sitegen" / "build.json"
        marker = json.loads(path.read_text(encoding="utf-8"))
        marker["behaves_like"], marker["indexable"] = kind, False
        path.write_text(json.dumps(marker), encoding="utf-8")
    return FilePlant(plant)


ABOUT = "about/index.html"
LOCATION = "locations/us/ca/san-francisco/juniper-oak-coffee-hayes-valley/index.html"
SITEMAP_PROD = ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/'
                f'schemas/sitemap/0.9">\n  <url><loc>https://{PRODUCTION_HOST}/</loc></url>\n'
                '</urlset>\n')

CASES: list[tuple[str, str, str, Plant]] = [
    # production
    ("production", "guard.noindex-in-production", ABOUT,
     _edit(ABOUT, _in_head('<meta name="robots" content="noindex">'))),
    # the robots meta of the 404 and thank-you pages, on a page the build did not declare
    ("production", "guard.noindex-in-production", ABOUT,
     _edit(ABOUT, _in_head('<meta name="robots" content="noindex, follow">'))),
    # robots meta tags addressed to one crawler, any case, any place, `none`
    ("production", "guard.noindex-in-production", LOCATION,
     _edit(LOCATION, _in_head('<META NAME="GoogleBot" CONTENT=" NoIndex ,follow">'))),
    ("production", "guard.noindex-in-production", ABOUT,
     _edit(ABOUT, lambda t: t.replace("</main>", "<meta name=bingbot content='max-snippet:-1,"
                                      "NONE'></main>", 1))),
    ("production", "guard.noindex-in-production", ABOUT,
     _edit(ABOUT, _in_head('<meta content="noarchive,\tnoindex" name="robots"/>'))),
    # X-Robots-Tag for one path, in each host file format
    ("production", "guard.noindex-header-in-production", "_headers",
     _write("_headers", "/about/*\n  x-robots-tag: googlebot: none\n")),
    ("production", "guard.noindex-header-in-production", ".htaccess",
     _write(".htaccess", '<Files "index.html">\n  Header always set X-Robots-Tag "NOINDEX"\n'
                         "</Files>\n")),
    ("production", "guard.noindex-header-in-production", "_sitegen/nginx.conf",
     _write("_sitegen/nginx.conf", "location /about/ {\n  add_header X-Robots-Tag "
                                   "'noindex, nofollow' always;\n}\n")),
    # a page the build declares noindex (404) listed in the sitemap
    ("production", "guard.noindex-in-sitemap", "sitemap.xml",
     _write("sitemap.xml", SITEMAP_PROD.replace(f"{PRODUCTION_HOST}/<", f"{PRODUCTION_HOST}"
                                                "/404.html<"))),
    # the private markers: banner, build marker, a staging host
    ("production", "guard.private-marker-in-production", ABOUT,
     _edit(ABOUT, lambda t: t.replace("<main", '<div class="note env-banner" role="note">'
                                      "STAGING: this is not the public site.</div><main", 1))),
    ("production", "guard.private-marker-in-production", "_sitegen/build.json",
     _build_marker_kind("staging")),
    ("production", "guard.private-marker-in-production", LOCATION,
     _edit(LOCATION, lambda t: t.replace(
         "</main>", '<a href="https://STAGING.juniperoak.example./about/">x</a></main>', 1))),
    ("production", "guard.noindex-header-in-production", "_headers",
     _write("_headers", "/*\n  X-Robots-Tag: noindex\n")),
    ("production", "guard.noindex-header-in-production", "vercel.json",
     _write("vercel.json", json.dumps({"headers": [{"source": "/(.*)", "headers": [
         {"key": "X-Robots-Tag", "value": "noindex"}]}]}))),
    ("production", "guard.robots-disallow-in-production", "robots.txt",
     _write("robots.txt", "User-agent: *\nDisallow: /\n")),
    ("production", "guard.protection-in-production", ABOUT, _prompt_in_production(ABOUT)),
    ("production", "guard.protection-in-production", "locations/markers.json",
     _write("locations/markers.json", envelope_bytes(
         Protection(bytes(32), bytes(16), 600_000).encrypt(b"{}")))),
    ("production", "guard.protection-in-production", "api/locations.json",  # read in windows
     _write("api/locations.json", envelope_bytes(
         Protection(bytes(32), bytes(16), 600_000).encrypt(b"[" + b" " * (9 << 20) + b"]")))),
    ("production", "guard.protection-in-production", ".htpasswd",
     _write(".htpasswd", "staging:$2y$12$abcdefghijklmnopqrstuv\n")),
    ("production", "guard.staging-secret-in-production", ABOUT,
     _edit(ABOUT, lambda t: t.replace("</main>", f"<p>{PASSWORD}</p></main>", 1))),
    ("production", "guard.staging-secret-in-production", LOCATION, _staging_token(LOCATION)),
    ("production", "guard.staging-secret-in-production", ABOUT,
     _edit(ABOUT, lambda t: t.replace(
         "</main>", f'<a href="{STAGING_URL}/#token=AAAAAAAAAAAAAAAAAAAAAAAAAAAA">x</a></main>',
         1))),
    ("production", "guard.canonical-host", ABOUT,
     _edit(ABOUT, lambda t: t.replace(f'rel="canonical" href="https://{PRODUCTION_HOST}',
                                      f'rel="canonical" href="{STAGING_URL}'))),
    ("production", "guard.og-url-host", ABOUT,
     _edit(ABOUT, lambda t: t.replace(f'property="og:url" content="https://{PRODUCTION_HOST}',
                                      f'property="og:url" content="{STAGING_URL}'))),
    ("production", "guard.jsonld-url-host", LOCATION,
     _edit(LOCATION, lambda t: t.replace(f'"url":"https://{PRODUCTION_HOST}',
                                         f'"url":"{STAGING_URL}', 1))),
    ("production", "guard.sitemap-host", "sitemap.xml",
     _write("sitemap.xml", SITEMAP_PROD.replace(PRODUCTION_HOST, "staging.juniperoak.example"))),
    ("production", "guard.sample-data-in-production", "_sitegen/build.json",
     _build_marker("sample")),
    ("production", "guard.sample-data-in-production", LOCATION,
     _edit(LOCATION, lambda t: re.sub(r"mailto:[^\"]+", "mailto:a@example.invalid", t))),
    # a feed bigger than the guard reads at once, the marker across two of its windows
    ("production", "guard.sample-data-in-production", "api/big.json",
     _write("api/big.json", "[" + " " * ((4 << 20) - 10) + '"a@example.invalid"'
            + " " * (5 << 20) + "]")),
    ("production", "seo.missing-canonical", ABOUT,
     _edit(ABOUT, lambda t: re.sub(r'<link rel="canonical"[^>]*>\n', "", t))),
    # staging (encrypted)
    ("staging", "guard.missing-noindex", ABOUT,
     _edit(ABOUT, lambda t: re.sub(r'<meta name="robots"[^>]*>\n', "", t))),
    ("staging", "guard.missing-robots-header", "_headers", _remove("_headers")),
    ("staging", "guard.missing-robots-header", ".htaccess",
     _write(".htaccess", "# nothing here\n")),
    ("staging", "guard.robots-allows-crawling", "robots.txt",
     _write("robots.txt", "User-agent: *\nAllow: /\n")),
    ("staging", "guard.analytics-outside-production", ABOUT,
     _edit(ABOUT, _in_head('<script async src="https://www.googletagmanager.com/gtag/js?'
                           'id=G-X"></script>'))),
    ("staging", "guard.analytics-outside-production", ABOUT,
     _edit(ABOUT, _in_head('<script src="/_assets/js/consent.js" defer></script>'))),
    ("staging", "guard.production-form-endpoint", LOCATION,
     _edit(LOCATION, lambda t: t.replace('<form id="lead-form"',
                                         f'<form id="lead-form" action="{WEBHOOK}"', 1))),
    ("staging", "guard.production-form-endpoint", LOCATION,
     _edit(LOCATION, lambda t: t.replace('<form id="lead-form"',
                                         f'<form id="lead-form" data-endpoint="{WEBHOOK}"', 1))),
    # trackers by any name: an allowlist of origins, in tags and in inline code
    ("staging", "guard.foreign-origin", ABOUT,
     _edit(ABOUT, _in_head("<script>!function(f,b,e,v,n,t,s){t=b.createElement(e);t.async=!0;"
                           "t.src=v;s=b.getElementsByTagName(e)[0];s.parentNode.insertBefore(t,"
                           "s)}(window,document,'script','https://connect.facebook.net/en_US/"
                           "fbevents.js');fbq('init','1');</script>"))),
    ("staging", "guard.foreign-origin", ABOUT,
     _edit(ABOUT, _in_head('<script src="https://cdn.segment.com/analytics.js/v1/k/'
                           'analytics.min.js"></script>'))),
    ("staging", "guard.foreign-origin", LOCATION,
     _edit(LOCATION, _in_head("<script>(function(h,o,t,j,a,r){r=o.createElement('script');"
                              "r.src=t+h._hjSettings.hjid+j;})(window,document,"
                              "'//static.hotjar.com/c/hotjar-','.js?sv=');</script>"))),
    ("staging", "guard.foreign-origin", ABOUT,
     _edit(ABOUT, _in_head('<script>(function(c,l,a,r,i,t,y){t=l.createElement(r);'
                           't.src="https://www.clarity.ms/tag/"+i;})(window,document,'
                           '"clarity","script","x");</script>'))),
    ("staging", "guard.foreign-origin", ABOUT,
     _edit(ABOUT, _in_head('<link rel="preload" as="script" '
                           'href="https://us-assets.i.posthog.com/static/array.js">'))),
    ("staging", "guard.foreign-origin", ABOUT,
     _edit(ABOUT, lambda t: t.replace("</body>", "<script defer src='https://static.cloudflare"
                                      "insights.com/beacon.min.js' data-cf-beacon='{}'>"
                                      "</script></body>", 1))),
    ("staging", "guard.foreign-origin", ABOUT,
     _edit(ABOUT, lambda t: t.replace("</main>", '<img src="https://px.ads.example/p.gif" '
                                      'alt=""></main>', 1))),
    # the password page itself
    ("staging", "guard.foreign-origin", ABOUT,
     _prompt_head(ABOUT, '<script async src="https://www.googletagmanager.com/gtag/js?'
                         'id=G-X"></script>')),
    ("staging", "guard.missing-noindex", LOCATION,
     _prompt_edit(LOCATION, lambda t: re.sub(r'<meta name="robots"[^>]*>', "", t))),
    # analytics code in a script file the pages load
    ("staging", "guard.foreign-origin", "_assets/js/site.js",
     _append("_assets/js/site.js", '\nfetch("https://api.segment.io/v1/t",{method:"POST"});\n')),
    # the plaintext allowlist of a protected build
    ("staging", "guard.unlisted-file", "_assets/js/site.js",
     _append("_assets/js/site.js", "\nwindow.x=1;\n")),
    ("staging", "guard.unlisted-file", "_assets/js/extra.js",
     _write("_assets/js/extra.js", "window.x=1;\n")),
    ("staging", "guard.unlisted-file", "brochure.pdf",
     _write("brochure.pdf", b"%PDF-1.4\n% Juniper & Oak price list\n")),
    ("staging", "guard.unlisted-file", "locations/stores.tsv",
     _write("locations/stores.tsv", "id\tname\n1\tJuniper & Oak Coffee Hayes Valley\n")),
    ("uat", "guard.unlisted-file", "notes.yaml", _write("notes.yaml", "password: x\n")),
    # the production endpoint, written another way
    ("staging", "guard.production-form-endpoint", LOCATION,
     _edit(LOCATION, lambda t: t.replace('<form id="lead-form"', '<form id="lead-form" '
                                         'action="HTTPS://Hooks.JuniperOak.example.:443/%6Ceads"',
                                         1))),
    ("development", "guard.foreign-origin", ABOUT,
     _edit(ABOUT, _in_head('<script src="//cdn.segment.com/analytics.js"></script>'))),
    ("staging", "guard.readable-while-protected", ABOUT,
     _write(ABOUT, "<!doctype html><html><head><meta name=\"robots\" content=\"noindex\">"
                   "<link rel=\"canonical\" href=\"/\"></head><body>Hayes</body></html>")),
    ("staging", "guard.readable-while-protected", "locations/markers.json",
     _write("locations/markers.json", '{"locs": [["Juniper & Oak Coffee"]]}')),
    ("staging", "guard.readable-while-protected", "feed.xml",
     _write("feed.xml", "<rss><title>Hayes Valley</title></rss>")),
    ("staging", "guard.cannot-decrypt", ABOUT, _foreign_key(ABOUT)),
    ("staging", "guard.sitemap-on-production-host", "sitemap.xml",
     _write("sitemap.xml", SITEMAP_PROD)),
    # uat (basic auth) and development
    ("uat", "guard.basic-auth-missing", "_headers",
     _write("_headers", "/*\n  X-Robots-Tag: noindex, nofollow\n")),
    ("uat", "guard.missing-noindex", ABOUT,
     _edit(ABOUT, lambda t: re.sub(r'<meta name="robots"[^>]*>\n', "", t))),
    ("development", "guard.missing-noindex", ABOUT,
     _edit(ABOUT, lambda t: re.sub(r'<meta name="robots"[^>]*>\n', "", t))),
    ("development", "guard.analytics-outside-production", ABOUT,
     _edit(ABOUT, _in_head('<script defer data-domain="x" '
                           'src="https://plausible.io/js/script.js"></script>'))),
    ("development", "guard.missing-robots-header", "vercel.json", _remove("vercel.json")),
]


def _ids() -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for env, rule, _rel, _plant in CASES:
        key = f"{env}-{rule}"
        seen[key] = seen.get(key, 0) + 1
        out.append(key if seen[key] == 1 else f"{key}-{seen[key]}")
    return out


def _assert_names(result_text: str, rel: str, rule: str) -> None:
    lines = result_text.splitlines()
    assert any(line.startswith(f"{rel}: {rule}: ") for line in lines), result_text


@pytest.mark.parametrize(("env", "rule", "rel", "plant"), CASES, ids=_ids())
def test_guard_rail_fails_check_and_build(site: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch,
                                          env: str, rule: str, rel: str, plant: Plant) -> None:
    good = site / "dist" / env
    # sitegen check on a planted copy of a good build
    folder = tmp_path / env
    shutil.copytree(good, folder)
    protection = key_of(folder) if (folder / "_sitegen" / "protection.json").is_file() else None
    plant.on_folder(folder, protection, site)
    result = invoke("check", "--env", env, "--source", site, folder, env=ENV)
    assert result.exit_code == 1, result.output
    _assert_names(result.stderr, rel, rule)

    # the build: a template renders the page that way, or a producer writes the file
    # (without the build cache, so every page is rendered and the build is not skipped)
    shutil.rmtree(site / ".sitegen" / "cache", ignore_errors=True)
    before = (good / "index.html").read_bytes()
    if isinstance(plant, PageEdit):
        render = sitegen.builder.workers.render_page

        def faulty_render(env_: Any, page: Any, extra: Any) -> str:
            html = render(env_, page, extra)
            return plant.change(html, site) if page.output == plant.rel else html

        monkeypatch.setattr(sitegen.builder.workers, "render_page", faulty_render)
    else:
        audit = sitegen.builder.stages.finish_audit

        def planted_audit(root: Path, policy: Any, config: Any, guard: Any,
                          tree: WrittenTree) -> Any:
            plant.on_folder(root, guard.protection if guard is not None else None, site)
            # the planted file was written by a producer, not judged by a render worker, and
            # after the manifest listed the folder: the audit lists it again
            judged = {path: found for path, found in tree.judged.items() if path != rel}
            return audit(root, policy, config, guard,
                         dataclasses.replace(tree, judged=judged, files=None))

        monkeypatch.setattr(sitegen.builder.stages, "finish_audit", planted_audit)
    built = invoke("build", "--env", env, "--source", site, env=PLANTED_ENV)
    assert built.exit_code == 1, built.output
    _assert_names(built.stderr, rel, rule)
    assert built.stderr.splitlines()[-1].endswith("nothing was written")
    assert (good / "index.html").read_bytes() == before, "a failed build replaced the output"


def test_every_rule_of_the_table_has_a_test() -> None:
    """Each rule id of the table is planted above (robots.txt missing: the test below)."""
    from sitegen.audit.rules import RULES

    tested = {rule for _, rule, _, _ in CASES} | {"guard.robots"}
    assert {rule.id for rule in RULES} <= tested, {rule.id for rule in RULES} - tested


def test_robots_txt_missing_fails_check(site: Path, tmp_path: Path) -> None:
    folder = tmp_path / "production"
    shutil.copytree(site / "dist" / "production", folder)
    (folder / "robots.txt").unlink()
    result = invoke("check", "--env", "production", "--source", site, folder, env=ENV)
    assert result.exit_code == 1, result.output
    _assert_names(result.stderr, "robots.txt", "guard.robots")


@pytest.mark.parametrize("env", ["production", "staging", "uat", "development"])
def test_the_clean_example_build_passes_every_rule(site: Path, env: str) -> None:
    result = invoke("check", "--env", env, "--source", site, site / "dist" / env, env=ENV)
    assert result.exit_code == 0, result.output
    assert "all checks passed" in result.output


def test_a_build_without_analytics_ships_no_analytics_scripts(site: Path) -> None:
    for env in ("staging", "uat", "development"):
        scripts = {p.name for p in (site / "dist" / env / "_assets" / "js").iterdir()}
        assert "site.js" in scripts
        assert not scripts & {"consent.js", "track.js"}, (env, scripts)
    production = {p.name for p in (site / "dist" / "production" / "_assets" / "js").iterdir()}
    assert "track.js" in production or "consent.js" in production


# --- natural ways to break a build ---------------------------------------------------------

def _theme_override(site: Path, template: str, change: Callable[[str], str]) -> None:
    source = Path(sitegen.__file__).parent / "themes" / "default" / "templates" / template
    target = site / "themes" / "juniper" / "templates" / template
    target.parent.mkdir(parents=True, exist_ok=True)
    text = source.read_text(encoding="utf-8")
    new = change(text)
    assert new != text
    target.write_text(new, encoding="utf-8")


def test_theme_that_drops_the_robots_meta_fails_the_staging_build(tmp_path: Path) -> None:
    site = example_site(tmp_path / "site")
    _theme_override(site, "base.html", lambda t: t.replace(
        '<meta name="robots" content="{{ policy.robots_meta }}">', ""))
    result = invoke("build", "--env", "staging", "--source", site, env=ENV)
    assert result.exit_code == 1, result.output
    _assert_names(result.stderr, "index.html", "guard.missing-noindex")
    _assert_names(result.stderr, ABOUT, "guard.missing-noindex")
    assert not (site / "dist" / "staging").exists()


def test_theme_that_adds_analytics_fails_the_staging_build(tmp_path: Path) -> None:
    site = example_site(tmp_path / "site")
    _theme_override(site, "base.html", _in_head(
        "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push("
        "arguments);}gtag('config','G-XXXX');</script>"))
    result = invoke("build", "--env", "staging", "--source", site, env=ENV)
    assert result.exit_code == 1, result.output
    _assert_names(result.stderr, "index.html", "guard.analytics-outside-production")
    # ...while production, where analytics belongs, builds.
    assert invoke("build", "--env", "production", "--source", site, env=ENV).exit_code == 0


def test_a_local_script_with_analytics_fails_the_staging_build_once_per_page(
        tmp_path: Path) -> None:
    """A page that loads a theme script holding analytics code is named with the script;
    a page that also has analytics code of its own is named once, by the audit."""
    site = example_site(tmp_path / "site")
    script = site / "themes" / "juniper" / "static" / "js" / "stats.js"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text("window.dataLayer=[];function gtag(){}gtag('js',new Date());\n",
                      encoding="utf-8")
    _theme_override(site, "base.html", _in_head(
        '<script src="/_assets/js/stats.js"></script>'
        '{% if page.url == "/" %}<script>gtag("config","G-X")</script>{% endif %}'))
    result = invoke("build", "--env", "staging", "--source", site, env=ENV)
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert f"{ABOUT}: guard.analytics-outside-production: page loads /_assets/js/stats.js, " \
        "which contains analytics code (gtag() in 'staging' (analytics belongs only in the " \
        "production config)" in lines, result.stderr
    home = [line for line in lines if line.startswith("index.html: guard.analytics")]
    assert home == ["index.html: guard.analytics-outside-production: analytics code in "
                    "environment 'staging' (analytics belongs only in the production config)"]


def test_theme_that_adds_noindex_fails_the_production_build(tmp_path: Path) -> None:
    site = example_site(tmp_path / "site")
    _theme_override(site, "base.html", _in_head('<meta name="robots" content="noindex">'))
    result = invoke("build", "--env", "production", "--source", site, env=ENV)
    assert result.exit_code == 1, result.output
    _assert_names(result.stderr, "index.html", "guard.noindex-in-production")


def test_staging_password_in_content_fails_the_production_build(tmp_path: Path) -> None:
    site = example_site(tmp_path / "site")
    about = site / "content" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + f"\n\nPreview password: {PASSWORD}\n",
                     encoding="utf-8")
    result = invoke("build", "--env", "production", "--source", site, env=ENV)
    assert result.exit_code == 1, result.output
    _assert_names(result.stderr, ABOUT, "guard.staging-secret-in-production")
    # The same content is fine in staging, where only reviewers with the password read it.
    assert invoke("build", "--env", "staging", "--source", site, env=ENV).exit_code == 0


def test_share_link_pasted_into_content_fails_the_production_build(tmp_path: Path) -> None:
    site = example_site(tmp_path / "site")
    build_env(site, "staging")
    link = invoke("share-link", "--env", "staging", "--source", site, env=ENV)
    assert link.exit_code == 0, link.output
    token = link.output.strip().split("#token=")[1]
    about = site / "content" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + f"\n\nReview code `{token}`\n",
                     encoding="utf-8")
    result = invoke("build", "--env", "production", "--source", site, env=ENV)
    assert result.exit_code == 1, result.output
    _assert_names(result.stderr, ABOUT, "guard.staging-secret-in-production")


def test_staging_posting_to_the_production_webhook_fails(tmp_path: Path) -> None:
    site = example_site(tmp_path / "site")
    environ = {**ENV, "SITEGEN_LEADS__SANDBOX_URL": WEBHOOK}
    result = invoke("build", "--env", "staging", "--source", site, env=environ)
    assert result.exit_code == 1, result.output
    _assert_names(result.stderr, "contact/index.html", "guard.production-form-endpoint")
