"""What the audit rules read: the facts of the build they judge (GuardContext), and the
subject of each rule scope (one page, one file, the whole folder).

The staging secrets production is searched for: the password of every protected environment
of the site whose variable is set (at least 8 characters; shorter ones would match innocent
text), and the current share token of each such environment built in `<site>/dist/<env>/`.
The staging hosts: the base_url host of every non-production environment of the site
(loopback hosts excepted: a development server's address names no private build).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sitegen.audit.findings import finding
from sitegen.audit.registry import registry
from sitegen.audit.robots import RobotsMeta, robots_metas
from sitegen.config.load import LoadedConfig, load_config
from sitegen.config.policy import Policy
from sitegen.config.urlnorm import normal_host
from sitegen.diagnostics import Diagnostic, SitegenError
from sitegen.output.protect import (
    PAYLOAD_CLOSE,
    PAYLOAD_OPEN,
    PROTECTION_FILE,
    Protection,
    load_protection,
)

MIN_SECRET_LENGTH = 8
PAYLOAD_OPEN_BYTES, PAYLOAD_CLOSE_BYTES = PAYLOAD_OPEN.encode(), PAYLOAD_CLOSE.encode()
LOOPBACK = ("127.0.0.1", "localhost", "::1", "0.0.0.0")


@dataclass(frozen=True)
class GuardContext:
    """Facts the rules need beyond a file: the folder it is in (`root`: the scripts a page
    loads are read from it), the production host and lead endpoints, the staging secrets
    and hosts production must not contain, the key of an encrypted build, and the static
    assets the build may ship (`registered`: path -> sha256 of its source)."""

    production_host: str | None = None
    production_endpoints: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()
    protection: Protection | None = None
    protection_problem: Diagnostic | None = None
    root: Path | None = None
    staging_hosts: tuple[str, ...] = ()
    registered: Mapping[str, str] = field(default_factory=dict)

    @functools.cached_property
    def secret_bytes(self) -> tuple[bytes, ...]:
        return tuple(secret.encode() for secret in self.secrets if secret)

    @functools.cached_property
    def host_bytes(self) -> tuple[bytes, ...]:
        return tuple(host.encode() for host in self.staging_hosts)


@dataclass(frozen=True)
class SiteFacts:
    """The site's other environments, as production's rules see them."""

    host: str | None
    endpoints: tuple[str, ...]
    secrets: tuple[str, ...]
    staging_hosts: tuple[str, ...]


def guard_context(loaded: LoadedConfig, policy: Policy, folder: Path,
                  environ: Mapping[str, str] | None = None,
                  protection: Protection | None = None) -> GuardContext:
    environ = os.environ if environ is None else environ
    host, endpoints = _production_facts(loaded, environ)
    secrets, hosts = _staging_facts(loaded, environ, host) \
        if policy.kind == "production" else ((), ())
    problem = None
    if protection is None and policy.protection == "encrypt" and policy.password \
            and (folder / PROTECTION_FILE).is_file():
        try:
            protection = load_protection(folder, policy.password)
        except SitegenError as exc:
            problem = finding(PROTECTION_FILE, "guard.cannot-decrypt",
                              exc.diagnostics[0].message, exc.diagnostics[0].hint or "")
    registered: dict[str, str] = {}
    if policy.protected:
        with contextlib.suppress(SitegenError):  # no theme folder: the build reports it
            registered = registry(loaded.source, loaded.config.theme.name)
    return GuardContext(host, endpoints, secrets, protection, problem, folder, hosts,
                        registered)


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


def _staging_facts(loaded: LoadedConfig, environ: Mapping[str, str], production: str | None
                   ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Passwords (from the environment) and current share tokens of every protected
    environment of the site, and the hosts of every non-production one."""
    names = {"staging"} | {p.stem for p in (loaded.source / "config").glob("*.yaml")}
    secrets: set[str] = set()
    hosts: set[str] = set()
    own = normal_host(urlsplit(f"https://{production}").hostname or "") if production else ""
    for name in sorted(names - {"base", "production"}):
        try:
            other = load_config(loaded.source, name, environ=environ)
        except SitegenError:
            continue
        if other.kind == "production":
            continue
        if other.config.base_url:
            host = normal_host(urlsplit(other.config.base_url).hostname or "")
            if host and host != own and host not in LOOPBACK:
                hosts.add(host)
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
    return tuple(sorted(secrets)), tuple(sorted(hosts))


@dataclass
class PageFacts:
    """Scope `page`: one page's HTML (decrypted), judged with the policy alone (in the
    render workers, cached with the page)."""

    rel: str
    text: str
    data: bytes
    policy: Policy

    @functools.cached_property
    def head(self) -> str:
        return self.text.split("</head>", 1)[0]

    @functools.cached_property
    def metas(self) -> list[RobotsMeta]:
        return robots_metas(self.data, self.lowered)

    @functools.cached_property
    def lowered(self) -> bytes:
        return self.data.lower()


@dataclass
class FileFacts:
    """Scope `file`: one file of the folder, with the build's context. `page`: the HTML a
    page shows (decrypted behind a prompt page; None for other files or a page that cannot
    be opened), `payload`: a prompt page's envelope, `opened`: the findings of opening it."""

    rel: str
    data: bytes
    policy: Policy
    guard: GuardContext
    page: str | None = None
    payload: dict[str, Any] | None = None
    opened: list[Diagnostic] = field(default_factory=list)

    @property
    def is_page(self) -> bool:
        return self.rel.endswith((".html", ".htm"))

    @functools.cached_property
    def lowered(self) -> bytes:
        return self.data.lower()

    @functools.cached_property
    def prompt(self) -> bytes:
        """A prompt page without its ciphertext, which names nothing: the rest is the
        build's one password page, the same for each of its pages (judged once)."""
        data = self.data
        start = data.find(PAYLOAD_OPEN_BYTES)
        end = data.find(PAYLOAD_CLOSE_BYTES, start + len(PAYLOAD_OPEN_BYTES))
        return data[:start] + data[end:]


@dataclass
class PagesSeen:
    """What the page audits of a folder found, for the tree rules: the pages the build
    declared not indexable, the pages that carry a noindex robots meta (rel -> the tag),
    and every site path a page names (links, sources, `/_assets/` paths in attributes)."""

    declared: set[str] = field(default_factory=set)
    noindex: dict[str, str] = field(default_factory=dict)
    assets: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Written:
    """A folder as the build knows it before the tree rules: its listing (None: list it),
    the findings of the files already judged (by path), and what its pages' audits found."""

    files: list[str] | None = None
    judged: Mapping[str, list[Diagnostic]] = field(default_factory=dict)
    pages: PagesSeen = field(default_factory=PagesSeen)


@dataclass
class TreeFacts:
    """Scope `tree`: the whole folder, and what its pages' audits found."""

    root: Path
    files: list[str]
    policy: Policy
    guard: GuardContext
    pages: PagesSeen = field(default_factory=PagesSeen)

    @functools.cached_property
    def present(self) -> set[str]:
        return set(self.files)

    def read(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8", errors="replace")

    @functools.cached_property
    def marker(self) -> dict[str, Any]:
        try:
            value = json.loads(self.read("_sitegen/build.json"))
        except (OSError, ValueError):
            return {}
        return value if isinstance(value, dict) else {}
