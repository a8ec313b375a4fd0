"""Guard rails: the audit rules that keep a build inside its environment's policy.

The audit (tree.py) runs these on every build (on the temporary folder, before the swap) and
in `sitegen check`. Each finding names the file and a stable rule (the page rules marked
pages.py and tree.py are judged there):

production (public, indexable):
  guard.noindex-in-production            noindex robots meta on a page (pages.py)
  guard.noindex-header-in-production     X-Robots-Tag noindex in _headers/.htaccess/nginx/vercel
  guard.robots-disallow-in-production    robots.txt disallows / (tree.py)
  guard.protection-in-production         a prompt page, encrypted payload or auth rule
  guard.staging-secret-in-production     a staging password or share token in any file
  guard.canonical-host                   canonical URL not on the production host (pages.py)
  guard.og-url-host                      og:url not on the production host
  guard.jsonld-url-host                  a JSON-LD url/@id/item not on the production host
  guard.sitemap-host                     a sitemap <loc> not on the production host
  guard.sample-data-in-production        build marker says sample/masked data, or a value
                                         at the masked domain example.invalid
  seo.missing-canonical                  a page without canonical link (pages.py)
staging and development (private):
  guard.missing-noindex                  a page (or prompt page) without noindex (pages.py)
  guard.missing-robots-header            a host config file missing or without X-Robots-Tag
  guard.robots-allows-crawling           robots.txt not disallowing / (tree.py)
  guard.analytics-outside-production     analytics code in a page or a script it loads
  guard.production-form-endpoint         a form posting to the production lead endpoint
  guard.readable-while-protected         a page or data file that is not encrypted (encrypt)
  guard.basic-auth-missing               the host's auth rules missing (basic-auth)
  guard.cannot-decrypt                   a protected page the build's key cannot open
  guard.sitemap-on-production-host       a sitemap listing production URLs

Where they run: `page_guards` (the production URL-host rules) runs with the page rules of
pages.py in `audit_page`, i.e. in the render workers on the fresh HTML during a build; the
rest runs in `guard_tree` over the written folder (each file read once), after the protect step.
Pages of an encrypted build are decrypted with the build's key (derived from the password,
which `sitegen check` needs anyway) so every page rule also runs on the real page.
The build writes `_sitegen/build.json` (environment, data mode...) for these rules
(output/artifacts.py).

The staging secrets production is searched for: the password of every protected environment
of the site whose variable is set (at least 8 characters; shorter ones would match innocent
text), and the current share token of each such environment built in `<site>/dist/<env>/`.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sitegen.audit.findings import ANALYTICS_MARKERS, finding, has_noindex
from sitegen.config.load import LoadedConfig, load_config
from sitegen.config.policy import Policy
from sitegen.data.masking import MASKED_DOMAIN
from sitegen.diagnostics import Diagnostic, SitegenError
from sitegen.files import walk
from sitegen.output.hostconfig import AUTH_FILES, AUTH_RULES, HEADER_FILES
from sitegen.output.protect import (
    BUILD_FILE,
    PAYLOAD_ID,
    PROTECTION_FILE,
    UNLOCK_JS,
    Protection,
    is_protected_path,
    load_protection,
    may_be_envelope,
    open_file,
    parse_envelope,
    prompt_payload,
)

MIN_SECRET_LENGTH = 8
OG_URL = re.compile(r"<meta\s+property=[\"']og:url[\"']\s+content=[\"']([^\"']*)[\"']", re.I)
# The block is everything up to the first </script>, as a lazy (.*?) would take it, but consumed
# in runs (possessively, so a block without </script> fails at once), not one character at a
# time.
JSONLD = re.compile(r"<script\s+type=[\"']application/ld\+json[\"']\s*>"
                    r"((?:[^<]++|<(?!/script>))*+)</script>", re.IGNORECASE)
JSONLD_URL = re.compile(r'"(?:url|@id|item)"\s*:\s*"(https?://[^"]*)"')
SCRIPT_SRC = re.compile(r"<script\b[^>]*\bsrc=[\"']([^\"'#?]+)", re.IGNORECASE)
ENDPOINT_ATTR = re.compile(r"\s(action|formaction|data-[\w-]+)=[\"']([^\"']*)[\"']", re.I)
NOINDEX_HEADER = re.compile(r"x-robots-tag[^\n]*noindex", re.IGNORECASE)
TOKEN_LINK = re.compile(rb"#token=[A-Za-z0-9_-]{20,}")
LOC = re.compile(r"<loc>\s*([^<\s]+)\s*</loc>")
CONSENT_SCRIPT = "/_assets/js/consent.js"
MASKED_BYTES = MASKED_DOMAIN.encode()
PAYLOAD_BYTES = PAYLOAD_ID.encode()
TEXT_SUFFIXES = (".html", ".htm", ".json", ".geojson", ".csv", ".xml", ".txt", ".js", ".css",
                 ".svg", ".ics", ".vcf", ".webmanifest", ".conf")


@dataclass(frozen=True)
class GuardContext:
    """Facts the rules need beyond a file: the folder it is in (`root`: the scripts a page
    loads are read from it), the production host and lead endpoints, the staging secrets
    production must not contain, and the key of an encrypted build."""

    production_host: str | None = None
    production_endpoints: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()
    protection: Protection | None = None
    protection_problem: Diagnostic | None = None
    root: Path | None = None

    @functools.cached_property
    def secret_bytes(self) -> tuple[bytes, ...]:
        return tuple(secret.encode() for secret in self.secrets if secret)


def guard_context(loaded: LoadedConfig, policy: Policy, folder: Path,
                  environ: Mapping[str, str] | None = None,
                  protection: Protection | None = None) -> GuardContext:
    environ = os.environ if environ is None else environ
    host, endpoints = _production_facts(loaded, environ)
    secrets = _staging_secrets(loaded, environ) if policy.kind == "production" else ()
    problem = None
    if protection is None and policy.protection == "encrypt" and policy.password \
            and (folder / PROTECTION_FILE).is_file():
        try:
            protection = load_protection(folder, policy.password)
        except SitegenError as exc:
            problem = finding(PROTECTION_FILE, "guard.cannot-decrypt",
                              exc.diagnostics[0].message, exc.diagnostics[0].hint or "")
    return GuardContext(host, endpoints, secrets, protection, problem, folder)


def _production_facts(loaded: LoadedConfig, environ: Mapping[str, str]
                      ) -> tuple[str | None, tuple[str, ...]]:
    config = loaded.config
    if loaded.kind != "production":
        try:
            config = load_config(loaded.source, "production", environ=environ).config
        except SitegenError:
            return None, ()
    host = urlsplit(config.base_url).netloc if config.base_url else None
    endpoints = [config.leads.webhook_url] if config.leads.webhook_url else []
    if config.leads.formspree_id:
        endpoints.append(f"https://formspree.io/f/{config.leads.formspree_id}")
    return host, tuple(endpoints)


def _staging_secrets(loaded: LoadedConfig, environ: Mapping[str, str]) -> tuple[str, ...]:
    """Passwords (from the environment) and current share tokens of every protected
    environment of the site, to look for in production output."""
    names = {"staging"} | {p.stem for p in (loaded.source / "config").glob("*.yaml")}
    secrets: set[str] = set()
    for name in sorted(names - {"base", "production"}):
        try:
            other = load_config(loaded.source, name, environ=environ)
        except SitegenError:
            continue
        if other.kind == "production":
            continue
        password = environ.get(other.config.protection.password_env)
        if not password:
            continue
        if len(password) >= MIN_SECRET_LENGTH:
            secrets.add(password)
        built = loaded.source / "dist" / name
        if (built / PROTECTION_FILE).is_file():
            try:
                protection = load_protection(built, password)
            except SitegenError:
                continue
            secrets.add(protection.token)
    return tuple(sorted(secrets))


def unwrap(rel: str, text: str, policy: Policy, guard: GuardContext, plain: str | None = None
           ) -> tuple[str | None, list[Diagnostic]]:
    """The page to audit: the page itself, the decrypted page behind a prompt page (`plain`
    when the caller sealed it itself), or None when it cannot be opened. Also judges the
    prompt page itself."""
    return _unwrap(rel, (text, prompt_payload(text)), policy, guard, plain)


def _unwrap(rel: str, page: tuple[str, dict[str, Any] | None], policy: Policy,
            guard: GuardContext, plain: str | None) -> tuple[str | None, list[Diagnostic]]:
    """`unwrap` of a page whose payload (`page`: its text and payload) was parsed already."""
    text, payload = page
    if payload is None:
        return text, []
    if policy.indexable:
        return None, [finding(rel, "guard.protection-in-production",
                               "page is a password prompt with an encrypted payload",
                               "production is public: protection belongs in staging only")]
    findings = []
    if not has_noindex(text):
        findings.append(finding(rel, "guard.missing-noindex",
                                 f"prompt page lacks noindex in '{policy.name}'",
                                 "rebuild with sitegen; prompt pages carry noindex"))
    if plain is not None:
        return plain, findings
    if guard.protection is None:
        return None, findings
    try:
        inner = guard.protection.decrypt(payload).decode("utf-8", errors="replace")
    except SitegenError:
        findings.append(finding(rel, "guard.cannot-decrypt",
                                 "the build's key cannot decrypt this page",
                                 "rebuild: pages of one build share one key"))
        return None, findings
    return inner, findings


def page_text(text: str, guard: GuardContext) -> str | None:
    """The page behind a prompt page (decrypted with the build's key), the page itself when
    it is not protected, or None when it cannot be opened (guard_tree reports why)."""
    payload = prompt_payload(text)
    if payload is None:
        return text
    if guard.protection is None:
        return None
    try:
        return guard.protection.decrypt(payload).decode("utf-8", errors="replace")
    except SitegenError:
        return None


def page_guards(rel: str, text: str, policy: Policy) -> list[Diagnostic]:
    """Rules that need only the page and the policy: run by pages.audit_page, in the render
    workers during a build (in parallel, cached with the page) and by `sitegen check`."""
    return _production_page(rel, text, policy) if policy.indexable else []


def _host(url: str) -> str:
    return urlsplit(url.strip()).netloc


def _on_base(url: str, base: str) -> bool:
    """Whether an absolute URL is on the base URL's scheme and host (fast path first)."""
    if url.startswith(base) and (len(url) == len(base) or url[len(base)] in "/?#"):
        return True
    return _host(url) == _host(base)


def _production_page(rel: str, text: str, policy: Policy) -> list[Diagnostic]:
    out = []
    host = _host(policy.base_url)
    base = policy.base_url.rstrip("/")
    end = text.find("</head>")
    text = text[:end] if end >= 0 else text  # og:url and JSON-LD live in <head>
    for url in OG_URL.findall(text):
        if not _on_base(url, base):
            out.append(finding(rel, "guard.og-url-host",
                                f"og:url {url} is not on the production host {host}",
                                "og:url must use base_url"))
            break
    for url in _jsonld_urls(text):
        if not _on_base(url, base):
            out.append(finding(rel, "guard.jsonld-url-host",
                                f"JSON-LD URL {url} is not on the production host {host}",
                                "JSON-LD url and @id fields must use base_url"))
            break
    return out


def _jsonld_urls(text: str) -> list[str]:
    """Absolute URLs in the url, @id and item fields of the page's JSON-LD blocks."""
    urls: list[str] = []
    for block in JSONLD.findall(text):
        urls.extend(JSONLD_URL.findall(block))
    return urls


@functools.lru_cache(maxsize=256)
def _analytics_marker(path: str, mtime_ns: int) -> str | None:
    """The first analytics marker in a script file (cached: every page loads the same few)."""
    script = Path(path).read_text(encoding="utf-8", errors="replace")
    return next((m for m in ANALYTICS_MARKERS if m in script), None)


def _private_page(rel: str, text: str, policy: Policy, guard: GuardContext
                  ) -> list[Diagnostic]:
    out = []
    if CONSENT_SCRIPT in text:
        out.append(finding(rel, "guard.analytics-outside-production",
                            f"page loads the analytics consent script in '{policy.name}'",
                            "analytics belongs only in the production config"))
    else:
        for src in sorted(set(SCRIPT_SRC.findall(text))):
            if not src.startswith("/") or src.startswith("//") or not src.endswith(".js"):
                continue
            if guard.root is None:
                break  # no folder: the scripts a page loads are not looked at
            path = os.path.join(guard.root, src.lstrip("/"))
            try:
                found = os.stat(path)  # one call (a page loads the same few scripts)
            except OSError:
                continue
            if stat.S_ISREG(found.st_mode):
                marker = _analytics_marker(path, found.st_mtime_ns)
                if marker:
                    # A page with analytics code of its own has its finding from the audit
                    # (looked for here only now, not on every page).
                    if not any(m in text for m in ANALYTICS_MARKERS):
                        out.append(finding(rel, "guard.analytics-outside-production",
                                            f"page loads {src}, which contains analytics "
                                            f"code ({marker}) in '{policy.name}'",
                                            "analytics belongs only in the production "
                                            "config"))
                    break
    endpoints = [e.rstrip("/") for e in guard.production_endpoints if e]
    if endpoints:
        for attribute, value in ENDPOINT_ATTR.findall(text):
            target = value.strip().rstrip("/")
            if any(target == e or target.startswith(e + "/") or target.startswith(e + "?")
                   for e in endpoints):
                out.append(finding(rel, "guard.production-form-endpoint",
                                    f"{attribute}={value} posts to the production lead "
                                    f"endpoint in '{policy.name}'",
                                    "non-public environments post to leads.sandbox_url or "
                                    "disable forms"))
                break
    return out


def guard_tree(root: Path, policy: Policy, guard: GuardContext,
               files: list[str] | None = None,
               judged: Mapping[str, list[Diagnostic]] | None = None) -> list[Diagnostic]:
    """Rules over the whole folder (pages, host files, data files, secrets, markers); every
    file is read once. `files`: the folder's listing (`walk`), when the caller has it;
    `judged`: the `guard_file` findings of files the render workers already judged."""
    files = walk(root) if files is None else files
    judged = judged or {}
    if guard.root != root:
        guard = dataclasses.replace(guard, root=root)
    out: list[Diagnostic] = []
    for rel in files:
        if rel in judged:
            out.extend(judged[rel])
            continue
        path = os.path.join(root, rel)
        if policy.indexable and _judged_in_windows(rel) and os.path.getsize(path) > BIG_FILE:
            out.extend(_production_file_in_windows(rel, path, policy, guard))
            continue
        with open(path, "rb") as handle:
            out.extend(guard_file(rel, handle.read(), policy, guard))
    if policy.indexable:
        return out + _production_tree(root, files, policy, guard)
    return out + _private_tree(root, files, policy, guard)


def guard_file(rel: str, data: bytes, policy: Policy, guard: GuardContext,
               plain: str | None = None) -> list[Diagnostic]:
    """The rules about one file of the folder (`sitegen serve` re-checks just the files an
    edit rewrote; the rules about the whole folder are in guard_tree). `plain`: the page
    before a render worker sealed it, judged instead of decrypting `data` again."""
    if policy.indexable:
        return _production_file(rel, data, policy, guard)
    out: list[Diagnostic] = []
    payload = None
    if rel.endswith((".html", ".htm")):
        # A sealed page is decoded and its payload parsed once, for both sets of rules.
        text = data.decode("utf-8", errors="replace")
        payload = prompt_payload(text)
        inner, problems = _unwrap(rel, (text, payload), policy, guard, plain)
        out.extend(problems)
        if inner is not None:
            out.extend(_private_page(rel, inner, policy, guard))
    out.extend(_private_file(rel, data, policy, guard, payload is not None))
    return out


def _read(root: Path, rel: str) -> str:
    return (root / rel).read_text(encoding="utf-8", errors="replace")


def _noindex_header(name: str, text: str) -> bool:
    """Whether a host config file sets X-Robots-Tag: noindex (vercel.json is JSON)."""
    if name != "vercel.json":
        return bool(NOINDEX_HEADER.search(text))
    try:
        rules = json.loads(text).get("headers", [])
        return any(str(h.get("key", "")).lower() == "x-robots-tag"
                   and "noindex" in str(h.get("value", "")).lower()
                   for rule in rules for h in rule.get("headers", []))
    except (ValueError, AttributeError, TypeError):
        return False


def _production_tree(root: Path, files: list[str], policy: Policy, guard: GuardContext
                     ) -> list[Diagnostic]:
    out = []
    present = set(files)
    for name in HEADER_FILES:
        if name in present and _noindex_header(name, _read(root, name)):
            out.append(finding(name, "guard.noindex-header-in-production",
                                "host config adds X-Robots-Tag noindex to production responses",
                                "remove the header: production must be indexable"))
    protection_files = [PROTECTION_FILE, UNLOCK_JS, *AUTH_FILES]
    for name in protection_files:
        if name in present:
            out.append(finding(name, "guard.protection-in-production",
                                "protection file in the public production build",
                                "production is public: protection belongs in staging only"))
    if "_headers" in present and "basic-auth:" in _read(root, "_headers").lower():
        out.append(finding("_headers", "guard.protection-in-production",
                            "Basic-Auth rule in the public production build",
                            "production is public: protection belongs in staging only"))
    if ".htaccess" in present and "authtype" in _read(root, ".htaccess").lower():
        out.append(finding(".htaccess", "guard.protection-in-production",
                            "AuthType rule in the public production build",
                            "production is public: protection belongs in staging only"))
    if BUILD_FILE in present:
        try:
            marker = json.loads(_read(root, BUILD_FILE))
        except ValueError:
            marker = {}
        if isinstance(marker, dict) and marker.get("data", "real") != "real":
            out.append(finding(BUILD_FILE, "guard.sample-data-in-production",
                                f"the build used {marker.get('data')} data",
                                "production must be built from the real dataset"))
    return out


def _production_file(rel: str, data: bytes, policy: Policy, guard: GuardContext
                     ) -> list[Diagnostic]:
    out = []
    if PAYLOAD_BYTES in data and rel.endswith((".html", ".htm")):
        out.extend(unwrap(rel, data.decode("utf-8", errors="replace"), policy, guard)[1])
    if is_protected_path(rel) and not rel.endswith((".html", ".htm")) \
            and parse_envelope(data) is not None:
        out.append(finding(rel, "guard.protection-in-production",
                            "data file is an encrypted envelope",
                            "production is public: protection belongs in staging only"))
    if any(secret in data for secret in guard.secret_bytes) \
            or (b"#token=" in data and TOKEN_LINK.search(data)):
        out.append(finding(rel, "guard.staging-secret-in-production",
                            "file contains a staging password or share-link token",
                            "remove it and rotate the staging password"))
    if MASKED_BYTES in data and rel.endswith(TEXT_SUFFIXES):
        out.append(finding(rel, "guard.sample-data-in-production",
                            f"file contains masked or sample values (@{MASKED_DOMAIN})",
                            "production must be built from the real dataset"))
    if _is_sitemap(rel):
        host = _host(policy.base_url)
        wrong = [u for u in LOC.findall(data.decode("utf-8", "replace")) if _host(u) != host]
        if wrong:
            out.append(finding(rel, "guard.sitemap-host",
                                f"sitemap URL {wrong[0]} is not on the production host {host}",
                                "sitemap URLs must use base_url"))
    return out


BIG_FILE = 8 << 20
_WINDOW = 4 << 20


def _judged_in_windows(rel: str) -> bool:
    """Files whose production rules look for markers only: not pages (the payload rule
    decodes them) or sitemaps (their URLs are parsed)."""
    return not (rel.endswith((".html", ".htm")) or _is_sitemap(rel))


def _production_file_in_windows(rel: str, path: str, policy: Policy, guard: GuardContext
                                ) -> list[Diagnostic]:
    """`_production_file` of a big data file (a feed of every location), read in windows
    that overlap by more than any marker, so the build does not hold it whole; each rule is
    reported once, as for the whole file. A file whose start could be an
    encrypted envelope is judged whole, as the envelope rule parses it."""
    overlap = max((len(m) for m in (*guard.secret_bytes, MASKED_BYTES, PAYLOAD_BYTES)),
                  default=0) + 64  # and a `#token=` link of 20 characters or more
    found: dict[str | None, Diagnostic] = {}
    tail = b""
    with open(path, "rb") as handle:
        while chunk := handle.read(_WINDOW):
            if not tail and is_protected_path(rel) and may_be_envelope(chunk):
                return _production_file(rel, chunk + handle.read(), policy, guard)
            for found_one in _production_file(rel, tail + chunk, policy, guard):
                found.setdefault(found_one.rule, found_one)
            tail = chunk[-overlap:]
    return list(found.values())


def _is_sitemap(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return name.startswith("sitemap") and name.endswith(".xml")


def _private_tree(root: Path, files: list[str], policy: Policy, guard: GuardContext
                  ) -> list[Diagnostic]:
    out = []
    present = set(files)
    for name in HEADER_FILES:
        if name not in present:
            out.append(finding(name, "guard.missing-robots-header",
                                f"host config file is missing in '{policy.name}'",
                                "the build writes it; deploy the whole folder"))
        elif not _noindex_header(name, _read(root, name)):
            out.append(finding(name, "guard.missing-robots-header",
                                "host config lacks X-Robots-Tag noindex",
                                "every response of a private environment must carry it"))
    if policy.protection == "encrypt":
        if guard.protection_problem is not None:
            out.append(guard.protection_problem)
        elif PROTECTION_FILE not in present:
            out.append(finding(PROTECTION_FILE, "guard.cannot-decrypt",
                                "protection metadata is missing: pages cannot be checked, "
                                "and share links cannot be made", "rebuild with sitegen"))
    if policy.protection == "basic-auth":
        out.extend(_basic_auth(root, present, policy.host))
    return out


def _private_file(rel: str, data: bytes, policy: Policy, guard: GuardContext,
                  prompt: bool | None = None) -> list[Diagnostic]:
    """`prompt`: whether the page is a prompt page, when the caller parsed it already."""
    out = []
    if policy.protection == "encrypt" and is_protected_path(rel):
        if rel.endswith((".html", ".htm")):
            encrypted = prompt if prompt is not None else \
                prompt_payload(data.decode("utf-8", "replace")) is not None
        else:
            encrypted = parse_envelope(data) is not None
        if not encrypted:
            out.append(finding(rel, "guard.readable-while-protected",
                                f"file is readable without the password in '{policy.name}'",
                                "every page and data file of an encrypted build must be "
                                "encrypted; write data files before the protect step"))
    if guard.production_host and _is_sitemap(rel):
        if guard.protection is not None:
            try:
                data = open_file(guard.protection, data) or data
            except SitegenError:
                return out
        urls = LOC.findall(data.decode("utf-8", "replace"))
        if any(_host(u) == guard.production_host for u in urls):
            out.append(finding(rel, "guard.sitemap-on-production-host",
                                f"sitemap lists URLs on the production host "
                                f"{guard.production_host} in '{policy.name}'",
                                "non-public environments publish no sitemap"))
    return out


def _basic_auth(root: Path, present: set[str], host: str | None) -> list[Diagnostic]:
    """The file that makes `host` (protection.host) require basic auth, and the rules in it."""
    out = []
    for name, needle in AUTH_RULES.get(host or "", ()):
        if name not in present or needle not in _read(root, name).lower():
            out.append(finding(name, "guard.basic-auth-missing",
                                f"nothing makes {host} require basic auth",
                                "rebuild with protection.mode: basic-auth and "
                                "protection.host set to where the build is deployed"))
    return out
