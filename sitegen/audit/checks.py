"""The check function of every audit rule (rules.py lists them with their id, scope and
environments). A check takes the subject of its scope (context.py) and returns findings
named by its rule; it does not test the environment itself: the table says where it runs.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path

from sitegen.audit.context import FileFacts, PageFacts, TreeFacts
from sitegen.audit.findings import ANALYTICS_BYTES, ANALYTICS_MARKERS, finding
from sitegen.audit.origins import allowed_origins, code_origins, foreign, loaded_urls
from sitegen.audit.robots import header_rules
from sitegen.config.urlnorm import normal_url, origin, same_origin, under
from sitegen.data.masking import MASKED_DOMAIN
from sitegen.diagnostics import Diagnostic
from sitegen.output.hostconfig import AUTH_FILES, AUTH_RULES, HEADER_FILES
from sitegen.output.protect import (
    PAYLOAD_ID,
    PROTECTION_FILE,
    UNLOCK_JS,
    is_protected_path,
    open_file,
    parse_envelope,
)
from sitegen.render import maps

CANONICAL = re.compile(r"<link\s+rel=[\"']canonical[\"']\s+href=[\"']([^\"']*)[\"']", re.I)
OG_URL = re.compile(r"<meta\s+property=[\"']og:url[\"']\s+content=[\"']([^\"']*)[\"']", re.I)
# The block is everything up to the first </script>, consumed in runs (possessively, so a
# block without </script> fails at once), not one character at a time.
JSONLD = re.compile(r"<script\s+type=[\"']application/ld\+json[\"']\s*>"
                    r"((?:[^<]++|<(?!/script>))*+)</script>", re.IGNORECASE)
JSONLD_URL = re.compile(r'"(?:url|@id|item)"\s*:\s*"(https?://[^"]*)"')
SCRIPT_SRC = re.compile(r"<script\b[^>]*\bsrc=[\"']([^\"'#?]+)", re.IGNORECASE)
ENDPOINT_ATTR = re.compile(r"\s(action|formaction|data-[\w-]+)=[\"']([^\"']*)[\"']", re.I)
# A quoted value with `//` in it, at every `=` (a lookahead: overlapping values included).
QUOTED_LINK = re.compile(r"""=(?=["']([^"']*//[^"']*)["'])""")
TOKEN_LINK = re.compile(rb"#token=[A-Za-z0-9_-]{20,}")
LOC = re.compile(r"<loc>\s*([^<\s]+)\s*</loc>")
# The environment banner of a non-public build (partials/banner.html, the prompt page).
BANNER = re.compile(rb"class\s*=\s*[\"']?[^\"'>]*\benv-banner\b|this is not the public site")
CONSENT_SCRIPT = "/_assets/js/consent.js"
MASKED_BYTES = MASKED_DOMAIN.encode()
PAYLOAD_BYTES = PAYLOAD_ID.encode()
TEXT_SUFFIXES = (".html", ".htm", ".json", ".geojson", ".csv", ".xml", ".txt", ".js", ".css",
                 ".svg", ".ics", ".vcf", ".webmanifest", ".conf")
PUBLIC = "production is public: protection belongs in staging only"
NO_ANALYTICS = "analytics belongs only in the production config"


def _head_of(text: str) -> str:
    end = text.find("</head>")
    return text[:end] if end >= 0 else text


def _show(url: str, limit: int = 80) -> str:
    return url if len(url) <= limit else url[:limit] + "..."


# --- page scope ----------------------------------------------------------------------------

def missing_noindex(p: PageFacts) -> list[Diagnostic]:
    if any(meta.noindex and meta.name == "robots" for meta in p.metas):
        return []
    return [finding(p.rel, "guard.missing-noindex",
                    f"page lacks noindex in the non-public environment '{p.policy.name}'",
                    "templates must render policy.robots_meta in <head>")]


def analytics_in_page(p: PageFacts) -> list[Diagnostic]:
    if any(marker in p.data for marker in ANALYTICS_BYTES):
        return [finding(p.rel, "guard.analytics-outside-production",
                        f"analytics code in environment '{p.policy.name}'", NO_ANALYTICS)]
    return []


def foreign_loads(p: PageFacts) -> list[Diagnostic]:
    allowed = allowed_origins(p.policy.base_url, p.policy.origins)
    found = foreign(loaded_urls(p.data, p.lowered), allowed)
    if not found:
        return []
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    return [finding(p.rel, "guard.foreign-origin",
                    f"page loads {_show(found[0])}{more} from outside the build's origin in "
                    f"'{p.policy.name}'",
                    "a build without analytics loads only from its own origin and "
                    "audit.allowed_origins (map tiles): remove it or list its origin")]


def missing_canonical(p: PageFacts) -> list[Diagnostic]:
    if CANONICAL.search(p.head) is not None:
        return []
    if p.policy.indexable and any(meta.noindex for meta in p.metas):
        return []  # a declared noindex page (404, thank-you) needs none
    return [finding(p.rel, "seo.missing-canonical", "page has no canonical link",
                    "render <link rel=\"canonical\"> in the base template")]


def canonical_host(p: PageFacts) -> list[Diagnostic]:
    canonical = CANONICAL.search(p.head)
    if canonical is None or same_origin(canonical.group(1), p.policy.base_url):
        return []
    return [finding(p.rel, "guard.canonical-host",
                    f"canonical points at {origin(canonical.group(1)) or canonical.group(1)}, "
                    f"not the production origin {origin(p.policy.base_url)}",
                    "set base_url for production")]


def og_url_host(p: PageFacts) -> list[Diagnostic]:
    for url in OG_URL.findall(p.head):
        if not same_origin(url, p.policy.base_url):
            return [finding(p.rel, "guard.og-url-host",
                            f"og:url {url} is not on the production origin "
                            f"{origin(p.policy.base_url)}", "og:url must use base_url")]
    return []


def jsonld_url_host(p: PageFacts) -> list[Diagnostic]:
    for block in JSONLD.findall(_head_of(p.text)):
        for url in JSONLD_URL.findall(block):
            if not same_origin(url, p.policy.base_url):
                return [finding(p.rel, "guard.jsonld-url-host",
                                f"JSON-LD URL {url} is not on the production origin "
                                f"{origin(p.policy.base_url)}",
                                "JSON-LD url and @id fields must use base_url")]
    return []


def banner_in_production(p: PageFacts) -> list[Diagnostic]:
    lowered = p.lowered  # a plain search first: an ignore-case pattern scans slowly
    if (b"env-banner" in lowered or b"not the public site" in lowered) \
            and BANNER.search(lowered):
        return [finding(p.rel, "guard.private-marker-in-production",
                        "page carries the environment banner of a non-public build",
                        "production shows no environment banner: remove it from the "
                        "template or content")]
    return []


# --- file scope ----------------------------------------------------------------------------

def protection_in_production(f: FileFacts) -> list[Diagnostic]:
    if f.payload is not None:
        return [finding(f.rel, "guard.protection-in-production",
                        "page is a password prompt with an encrypted payload", PUBLIC)]
    if is_protected_path(f.rel) and not f.is_page and parse_envelope(f.data) is not None:
        return [finding(f.rel, "guard.protection-in-production",
                        "data file is an encrypted envelope", PUBLIC)]
    return []


def staging_secret(f: FileFacts) -> list[Diagnostic]:
    if any(secret in f.data for secret in f.guard.secret_bytes) \
            or (b"#token=" in f.data and TOKEN_LINK.search(f.data)):
        return [finding(f.rel, "guard.staging-secret-in-production",
                        "file contains a staging password or share-link token",
                        "remove it and rotate the staging password")]
    return []


def masked_data(f: FileFacts) -> list[Diagnostic]:
    if MASKED_BYTES in f.data and f.rel.endswith(TEXT_SUFFIXES):
        return [finding(f.rel, "guard.sample-data-in-production",
                        f"file contains masked or sample values (@{MASKED_DOMAIN})",
                        "production must be built from the real dataset")]
    return []


@functools.lru_cache(maxsize=16)
def _hosts_pattern(hosts: tuple[bytes, ...]) -> re.Pattern[bytes]:
    return re.compile(rb"(?<![\w.-])(?:" + b"|".join(re.escape(h) for h in hosts)
                      + rb")\.?(?![\w-])")


def staging_host(f: FileFacts) -> list[Diagnostic]:
    hosts = f.guard.host_bytes
    if not hosts or not f.rel.endswith(TEXT_SUFFIXES):
        return []
    lowered = f.lowered  # a plain search first: an ignore-case pattern scans slowly
    if not any(host in lowered for host in hosts):
        return []
    found = _hosts_pattern(hosts).search(lowered)
    if found is None:
        return []
    return [finding(f.rel, "guard.private-marker-in-production",
                    f"file names the non-public host {found.group(0).decode(errors='replace')}",
                    "production links only to itself: replace the staging URL")]


def sitemap_host(f: FileFacts) -> list[Diagnostic]:
    if not is_sitemap(f.rel):
        return []
    base = f.policy.base_url
    wrong = [u for u in LOC.findall(f.data.decode("utf-8", "replace"))
             if not same_origin(u, base)]
    if not wrong:
        return []
    return [finding(f.rel, "guard.sitemap-host",
                    f"sitemap URL {wrong[0]} is not on the production origin {origin(base)}",
                    "sitemap URLs must use base_url")]


def opened(rule: str) -> Callable[[FileFacts], list[Diagnostic]]:
    """The check of a rule that opening a prompt page reports (guards.open_page)."""
    def check(f: FileFacts) -> list[Diagnostic]:
        return [d for d in f.opened if d.rule == rule]
    check.__name__ = f"opened_{rule.rsplit('.', 1)[-1].replace('-', '_')}"
    return check


@functools.lru_cache(maxsize=256)
def _analytics_marker(path: str, mtime_ns: int) -> str | None:
    """The first analytics marker in a script file (cached: every page loads the same few)."""
    script = Path(path).read_text(encoding="utf-8", errors="replace")
    return next((m for m in ANALYTICS_MARKERS if m in script), None)


def analytics_in_loaded_script(f: FileFacts) -> list[Diagnostic]:
    text, root = f.page, f.guard.root
    if text is None:
        return []
    if CONSENT_SCRIPT in text:
        return [finding(f.rel, "guard.analytics-outside-production",
                        f"page loads the analytics consent script in '{f.policy.name}'",
                        NO_ANALYTICS)]
    if root is None:
        return []  # no folder: the scripts a page loads are not looked at
    for src in sorted(set(SCRIPT_SRC.findall(text))):
        if not src.startswith("/") or src.startswith("//") or not src.endswith(".js"):
            continue
        path = os.path.join(root, src.lstrip("/"))
        try:
            found = os.stat(path)  # one call (a page loads the same few scripts)
        except OSError:
            continue
        if stat.S_ISREG(found.st_mode):
            marker = _analytics_marker(path, found.st_mtime_ns)
            if marker:
                # A page with analytics code of its own has its finding from the page rule.
                if not any(m in text for m in ANALYTICS_MARKERS):
                    return [finding(f.rel, "guard.analytics-outside-production",
                                    f"page loads {src}, which contains analytics code "
                                    f"({marker}) in '{f.policy.name}'", NO_ANALYTICS)]
                return []
    return []


@functools.lru_cache(maxsize=4096)
def _under_endpoint(value: str, endpoints: tuple[str, ...]) -> bool:
    """Whether a URL is one of the endpoints or below one (a page repeats its links)."""
    return any(under(value, endpoint) for endpoint in endpoints)


def production_endpoint(f: FileFacts) -> list[Diagnostic]:
    endpoints = tuple(e for e in f.guard.production_endpoints if e)
    if f.page is None or not endpoints:
        return []
    # Every quoted value after an `=` with `//` in it holds each value ENDPOINT_ATTR can
    # find that names an endpoint: a page with none under an endpoint is not searched with
    # ENDPOINT_ATTR, whose leading space is tried at every space of the page.
    if not any(_under_endpoint(value.strip(), endpoints)
               for value in QUOTED_LINK.findall(f.page)):
        return []
    for attribute, value in ENDPOINT_ATTR.findall(f.page):
        if "//" in value and _under_endpoint(value.strip(), endpoints):
            return [finding(f.rel, "guard.production-form-endpoint",
                            f"{attribute}={value} posts to the production lead endpoint in "
                            f"'{f.policy.name}'",
                            "non-public environments post to leads.sandbox_url or disable "
                            "forms")]
    return []


def prompt_loads(f: FileFacts) -> list[Diagnostic]:
    """The password page itself (not only the page behind it) loads nothing from outside
    and carries no analytics code."""
    if f.payload is None:
        return []
    analytics, found = _prompt_problems(f.prompt.decode("utf-8", "replace"),
                                        f.policy.base_url, f.policy.origins)
    out = []
    if analytics:
        out.append(finding(f.rel, "guard.analytics-outside-production",
                           f"the password page has analytics code in '{f.policy.name}'",
                           NO_ANALYTICS))
    if found:
        out.append(finding(f.rel, "guard.foreign-origin",
                           f"the password page loads {_show(found[0])} from outside the "
                           f"build's origin in '{f.policy.name}'",
                           "the password page loads only the build's own unlock script"))
    return out


@functools.lru_cache(maxsize=16)
def _prompt_problems(text: str, base_url: str, origins: tuple[str, ...]
                     ) -> tuple[bool, tuple[str, ...]]:
    """Whether a password page (without its ciphertext) has analytics code, and what it
    loads from outside the build's origins: judged once per distinct page text."""
    return any(marker in text for marker in ANALYTICS_MARKERS), \
        tuple(foreign(loaded_urls(text), allowed_origins(base_url, origins)))


def readable_while_protected(f: FileFacts) -> list[Diagnostic]:
    if not is_protected_path(f.rel):
        return []
    encrypted = f.payload is not None if f.is_page else parse_envelope(f.data) is not None
    if encrypted:
        return []
    return [finding(f.rel, "guard.readable-while-protected",
                    f"file is readable without the password in '{f.policy.name}'",
                    "every page and data file of an encrypted build must be encrypted; "
                    "write data files before the protect step")]


def sitemap_on_production_host(f: FileFacts) -> list[Diagnostic]:
    host = f.guard.production_host
    if not host or not is_sitemap(f.rel):
        return []
    data = f.data
    if f.guard.protection is not None:
        try:
            data = open_file(f.guard.protection, data) or data
        except Exception:  # noqa: BLE001 - a sitemap it cannot open is judged by its rule
            return []
    urls = LOC.findall(data.decode("utf-8", "replace"))
    if any(same_origin(u, f"https://{host}") for u in urls):
        return [finding(f.rel, "guard.sitemap-on-production-host",
                        f"sitemap lists URLs on the production host {host} in "
                        f"'{f.policy.name}'", "non-public environments publish no sitemap")]
    return []


@functools.lru_cache(maxsize=1)
def vendor_digests() -> frozenset[str]:
    """The sha256 of the vendored files sitegen ships as they are (Leaflet)."""
    return frozenset(hashlib.sha256(data).hexdigest() for data in maps.asset_files().values())


def foreign_code(f: FileFacts) -> list[Diagnostic]:
    """A script or stylesheet that names an origin outside the allowed ones (a tracker's
    endpoint, whatever it is called); the vendored files, pinned by hash, excepted."""
    if not f.rel.endswith((".js", ".mjs", ".css")) or b"//" not in f.data:
        return []
    if hashlib.sha256(f.data).hexdigest() in vendor_digests():
        return []
    allowed = allowed_origins(f.policy.base_url, f.policy.origins)
    found = foreign(code_origins(f.data.decode("utf-8", "replace")), allowed)
    if not found:
        return []
    return [finding(f.rel, "guard.foreign-origin",
                    f"code names {_show(found[0])}, outside the build's origin in "
                    f"'{f.policy.name}'",
                    "a build without analytics loads only from its own origin and "
                    "audit.allowed_origins: remove it or list its origin")]


def is_sitemap(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return name.startswith("sitemap") and name.endswith(".xml")


# --- tree scope ----------------------------------------------------------------------------

def _page_path(rel: str) -> str:
    return "/" + (rel[:-len("index.html")] if rel.endswith("index.html") else rel)


def noindex_finding(rel: str, tag: str) -> Diagnostic:
    """A robots noindex meta on a page the build did not declare not indexable."""
    return finding(rel, "guard.noindex-in-production",
                   f"page has {tag} in an indexable environment",
                   "only pages the build declares (404, the form's thank-you page, front "
                   "matter robots: noindex) may")


def undeclared_noindex(t: TreeFacts) -> list[Diagnostic]:
    return [noindex_finding(rel, tag) for rel, tag in sorted(t.pages.noindex.items())
            if rel not in t.pages.declared]


def declared_in_sitemap(t: TreeFacts) -> list[Diagnostic]:
    paths = {normal_url(_page_path(rel)).rstrip("/") for rel in t.pages.declared}
    out = []
    for rel in t.files:
        if not is_sitemap(rel):
            continue
        for url in LOC.findall(t.read(rel)):
            path = normal_url("/" + url.split("//", 1)[-1].partition("/")[2]).rstrip("/")
            if path in paths:
                out.append(finding(rel, "guard.noindex-in-sitemap",
                                   f"sitemap lists {url}, a page declared noindex",
                                   "a noindex page is left out of the sitemap"))
                break
    return out


def noindex_header_in_production(t: TreeFacts) -> list[Diagnostic]:
    declared = {_page_path(rel) for rel in t.pages.declared} | set(t.pages.declared)
    out = []
    for name in HEADER_FILES:
        if name not in t.present:
            continue
        for rule in header_rules(name, t.read(name)):
            if rule.noindex and rule.pattern not in declared:
                out.append(finding(name, "guard.noindex-header-in-production",
                                   f"host config adds X-Robots-Tag "
                                   f"{', '.join(sorted(rule.directives))} to {rule.pattern} "
                                   "in production",
                                   "remove the header: production must be indexable"))
    return out


def missing_robots_header(t: TreeFacts) -> list[Diagnostic]:
    out = []
    for name in HEADER_FILES:
        if name not in t.present:
            out.append(finding(name, "guard.missing-robots-header",
                               f"host config file is missing in '{t.policy.name}'",
                               "the build writes it; deploy the whole folder"))
        elif not any(r.noindex and r.everywhere for r in header_rules(name, t.read(name))):
            out.append(finding(name, "guard.missing-robots-header",
                               "host config lacks X-Robots-Tag noindex on every response",
                               "every response of a private environment must carry it"))
    return out


def protection_files_in_production(t: TreeFacts) -> list[Diagnostic]:
    out = [finding(name, "guard.protection-in-production",
                   "protection file in the public production build", PUBLIC)
           for name in (PROTECTION_FILE, UNLOCK_JS, *AUTH_FILES) if name in t.present]
    if "_headers" in t.present and "basic-auth:" in t.read("_headers").lower():
        out.append(finding("_headers", "guard.protection-in-production",
                           "Basic-Auth rule in the public production build", PUBLIC))
    if ".htaccess" in t.present and "authtype" in t.read(".htaccess").lower():
        out.append(finding(".htaccess", "guard.protection-in-production",
                           "AuthType rule in the public production build", PUBLIC))
    return out


def sample_marker(t: TreeFacts) -> list[Diagnostic]:
    data = t.marker.get("data", "real")
    if data != "real":
        return [finding("_sitegen/build.json", "guard.sample-data-in-production",
                        f"the build used {data} data",
                        "production must be built from the real dataset")]
    return []


def environment_marker(t: TreeFacts) -> list[Diagnostic]:
    marker = t.marker
    if not marker:
        return []
    if marker.get("behaves_like", "production") != "production" \
            or marker.get("indexable") is False:
        return [finding("_sitegen/build.json", "guard.private-marker-in-production",
                        f"build marker names the non-public environment "
                        f"'{marker.get('environment')}'",
                        "deploy a production build to production")]
    return []


def _robots_blocks_all(t: TreeFacts) -> bool | None:
    if "robots.txt" not in t.present:
        return None
    return bool(re.search(r"^Disallow:\s*/\s*$", t.read("robots.txt"), re.MULTILINE))


def robots_missing(t: TreeFacts) -> list[Diagnostic]:
    if "robots.txt" in t.present:
        return []
    return [finding("robots.txt", "guard.robots", "robots.txt is missing",
                    "the build writes it; check the output folder")]


def robots_disallow(t: TreeFacts) -> list[Diagnostic]:
    if _robots_blocks_all(t):
        return [finding("robots.txt", "guard.robots-disallow-in-production",
                        "robots.txt disallows the whole site in production",
                        "production must be crawlable")]
    return []


def robots_allows(t: TreeFacts) -> list[Diagnostic]:
    blocks = _robots_blocks_all(t)
    if blocks is None or (blocks and "Sitemap:" not in t.read("robots.txt")):
        return []
    return [finding("robots.txt", "guard.robots-allows-crawling",
                    f"robots.txt lets crawlers into '{t.policy.name}'",
                    "non-public environments must disallow /")]


def protection_metadata(t: TreeFacts) -> list[Diagnostic]:
    if t.policy.protection != "encrypt":
        return []
    if t.guard.protection_problem is not None:
        return [t.guard.protection_problem]
    if PROTECTION_FILE not in t.present:
        return [finding(PROTECTION_FILE, "guard.cannot-decrypt",
                        "protection metadata is missing: pages cannot be checked, and share "
                        "links cannot be made", "rebuild with sitegen")]
    return []


def basic_auth_missing(t: TreeFacts) -> list[Diagnostic]:
    """The file that makes the host (protection.host) require basic auth, and the rules in
    it."""
    if t.policy.protection != "basic-auth":
        return []
    host = t.policy.host
    return [finding(name, "guard.basic-auth-missing", f"nothing makes {host} require basic auth",
                    "rebuild with protection.mode: basic-auth and protection.host set to "
                    "where the build is deployed")
            for name, needle in AUTH_RULES.get(host or "", ())
            if name not in t.present or needle not in t.read(name).lower()]

