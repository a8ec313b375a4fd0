"""The policy an environment resolves to.

Templates and stages read this object (`policy.indexable`, `policy.analytics`...) and never
compare environment names, so a theme cannot ship `noindex` to production by testing a string.
A config that asks for something its environment forbids is refused here, at load time.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from sitegen.config.load import LoadedConfig
from sitegen.config.schema import (
    AUTH_HOSTS,
    PLAIN_HOSTS,
    LeadsSection,
    ProtectionMode,
    SiteConfig,
)
from sitegen.config.secrets import password_problem
from sitegen.diagnostics import Diagnostic, SitegenError

FormsMode = Literal["live", "sandbox", "disabled", "local"]
DataMode = Literal["real", "sample", "masked"]


@dataclass(frozen=True)
class Analytics:
    provider: str
    id: str | None
    domain: str | None
    url: str | None
    snippet: str | None
    consent: bool


@dataclass(frozen=True)
class Policy:
    """What an environment is allowed to do; the only thing templates consult."""

    name: str
    kind: Literal["development", "staging", "production"]
    indexable: bool
    protection: Literal["encrypt", "basic-auth", "none"]
    analytics: Analytics | None
    forms: FormsMode
    forms_endpoint: str | None
    data: DataMode
    banner: str | None
    base_url: str
    password: str | None
    username: str = "staging"
    # Origins a build without analytics may load from besides its own (the map tiles',
    # the map attribution's, audit.allowed_origins): audit/origins.py.
    origins: tuple[str, ...] = ()
    host: str | None = None  # protection.host: where the build is deployed

    @property
    def protected(self) -> bool:
        return self.protection != "none"

    @property
    def robots_meta(self) -> str | None:
        return None if self.indexable else "noindex, nofollow"


DEV_BASE_URL = "http://127.0.0.1:8000"
LOCAL_INBOX = "/_sitegen/leads"
FORMSPREE_ACTION = "https://formspree.io/f/{id}"
THANKS_URL = "/thanks/"


HUBSPOT_ACTION = "{endpoint}/submissions/v3/integration/submit/{portal}/{form}"
SALESFORCE_ACTION = "{endpoint}/servlet/servlet.WebToLead?encoding=UTF-8"


def hubspot_action(leads: LeadsSection) -> str | None:
    hub = leads.hubspot
    return HUBSPOT_ACTION.format(endpoint=hub.endpoint, portal=hub.portal_id,
                                 form=hub.form_id) if hub else None


def salesforce_action(leads: LeadsSection) -> str | None:
    sf = leads.salesforce
    return SALESFORCE_ACTION.format(endpoint=sf.endpoint) if sf else None


def live_endpoint(leads: LeadsSection) -> str | None:
    """Production's lead destination: the webhook, else HubSpot, else Salesforce, else
    Formspree, else Netlify Forms (which takes POSTs on the site itself, so the form posts to
    the thank-you page); else none."""
    if leads.webhook_url:
        return leads.webhook_url
    if leads.hubspot or leads.salesforce:
        return hubspot_action(leads) or salesforce_action(leads)
    if leads.formspree_id:
        return FORMSPREE_ACTION.format(id=leads.formspree_id)
    if leads.netlify:
        return THANKS_URL
    return None


def insecure_destinations(leads: LeadsSection, kind: str) -> list[tuple[str, ...]]:
    """The config keys of the `http://` destinations an environment's forms post to:
    production's webhook and routes, staging's sandbox (never printed: webhook URLs are
    secrets)."""
    if kind == "production":
        targets = [(("leads", "webhook_url"), leads.webhook_url),
                   (("leads", "hubspot", "endpoint"), hubspot_action(leads)),
                   (("leads", "salesforce", "endpoint"), salesforce_action(leads))] + [
            (("leads", "routes", key), url) for key, url in sorted(leads.routes.items())]
    else:
        targets = [(("leads", "sandbox_url"), leads.sandbox_url)]
    return [key for key, url in targets if url and url.lower().startswith("http://")]


def password_problems(loaded: LoadedConfig, policy: Policy) -> list[Diagnostic]:
    """A build's refusal of a weak staging password (config/secrets.py), and its warning,
    on every build, that a staging-like environment is not protected."""
    variable = loaded.config.protection.password_env
    if policy.password is not None:
        host = urlsplit(policy.base_url).hostname or ""
        weak = password_problem(policy.password, (loaded.config.site.name, host, policy.name,
                                                  policy.username, *host.split(".")))
        if weak:
            return [Diagnostic("environment", None, variable,
                               f"the password in ${variable} is too weak: {weak}",
                               "choose one of 12 or more characters that is hard to guess; "
                               "`sitegen share-link --new-password` prints a strong one")]
    if policy.kind == "staging" and not policy.protected:
        origin = loaded.origin_of(("protection", "acknowledge_public"))
        return [Diagnostic(origin.path or "config", origin.line, "protection.mode",
                           f"'{policy.name}' is not protected: anyone with its URL can read "
                           "it (protection.acknowledge_public)",
                           "remove protection.mode: none to protect it", "warning")]
    return []


def acknowledged_public(loaded: LoadedConfig) -> bool:
    """Whether a config file (not a variable or a flag) sets protection.acknowledge_public."""
    origin = loaded.origin_of(("protection", "acknowledge_public"))
    return loaded.config.protection.acknowledge_public and origin.layer == "file"


def resolve_policy(loaded: LoadedConfig, environ: Mapping[str, str] | None = None,
                   *, require_password: bool = True) -> Policy:
    """Resolve the environment's policy, refusing impossible or unsafe configs with the key."""
    environ = os.environ if environ is None else environ
    cfg = loaded.config
    kind = loaded.kind
    problems: list[Diagnostic] = []

    def refuse(key: tuple[str, ...], message: str, hint: str) -> None:
        origin = loaded.origin_of(key)
        # A value nobody set is missing from the environment's own file: point there.
        path = origin.path or (f"config/{loaded.env}.yaml" if origin.layer == "default"
                               else origin.layer)
        problems.append(Diagnostic(path, origin.line, ".".join(key), message, hint))

    analytics_on = cfg.analytics.provider != "none"
    mode = cfg.protection.mode
    if kind == "production":
        if analytics_on and cfg.analytics.provider != "custom" and not cfg.analytics.id \
                and cfg.analytics.provider != "plausible":
            refuse(("analytics", "id"), f"analytics provider '{cfg.analytics.provider}' "
                   "needs an id", "set analytics.id")
        if mode not in (None, "none"):
            refuse(("protection", "mode"), "production cannot be protected: it is public",
                   "remove protection.mode from the production config")
        if not cfg.base_url:
            refuse(("base_url",), "production needs a base URL for canonical and sitemap URLs",
                   "set base_url in config/base.yaml or config/production.yaml, "
                   "or SITEGEN_BASE_URL")
        if cfg.locations.mask:
            refuse(("locations", "mask"), "production must publish real data, not masked data",
                   "move locations.mask to config/staging.yaml")
        protection: ProtectionMode = "none"
    else:
        if analytics_on:
            refuse(("analytics", "provider"),
                   f"analytics is not allowed in {kind} environment '{loaded.env}': "
                   "testers would pollute the production figures",
                   "set analytics only in config/production.yaml")
        protection = mode or ("encrypt" if kind == "staging" else "none")
        if kind == "staging" and protection == "none" and not acknowledged_public(loaded):
            refuse(("protection", "mode"),
                   f"protection.mode: none makes '{loaded.env}' readable by anyone with its "
                   "URL, although it behaves like staging",
                   "keep it protected (remove protection.mode), or acknowledge a public "
                   f"preview with protection.acknowledge_public: true in config/{loaded.env}"
                   ".yaml")

    if kind != "development" and not cfg.leads.allow_insecure:
        for key in insecure_destinations(cfg.leads, kind):
            refuse(key, f"an http:// lead destination: {kind} forms would send visitors' "
                   "details unencrypted, and browsers block a background post to it from an "
                   "https:// page",
                   "use the receiver's https:// address; for a test receiver, set "
                   "leads.allow_insecure: true")

    if protection == "basic-auth":
        host = cfg.protection.host
        if host is None or host in PLAIN_HOSTS:
            what = f"'{host}' cannot enforce basic auth: it serves every file as it is" \
                if host else "basic auth needs to know where the build is deployed"
            refuse(("protection", "host"), what,
                   "use protection.mode: encrypt (it works on any static host), or set "
                   f"protection.host to one of {', '.join(AUTH_HOSTS)}")

    password = None
    if protection != "none":
        variable = cfg.protection.password_env
        password = environ.get(variable) or None
        if password is None and require_password:
            problems.append(Diagnostic(
                "environment", None, variable,
                f"environment '{loaded.env}' is password protected but ${variable} is not set",
                f"export {variable}=... (a CI secret of 12 or more characters; "
                "`sitegen share-link --new-password` prints a strong one)"))
    if problems:
        raise SitegenError(problems)

    if kind == "production":
        endpoint = live_endpoint(cfg.leads)
        forms: FormsMode = "live" if endpoint else "disabled"
    elif kind == "staging":
        forms = "sandbox" if cfg.leads.sandbox_url else "disabled"
        endpoint = cfg.leads.sandbox_url
    else:
        forms, endpoint = "local", LOCAL_INBOX

    analytics = None
    if kind == "production" and analytics_on:
        a = cfg.analytics
        analytics = Analytics(a.provider, a.id, a.domain, a.url, a.snippet, a.consent)

    data: DataMode = "real"
    if kind != "production":
        if cfg.locations.mask:
            data = "masked"
        elif loaded.origin_of(("locations", "source")).path == f"config/{loaded.env}.yaml":
            data = "sample"

    banner = None
    if kind != "production":
        banner = cfg.environment.banner or loaded.env.upper()
    base_url = cfg.base_url or DEV_BASE_URL
    return Policy(name=loaded.env, kind=kind, indexable=kind == "production",
                  protection=protection, analytics=analytics, forms=forms,
                  forms_endpoint=endpoint, data=data, banner=banner, base_url=base_url,
                  password=password, username=cfg.protection.username,
                  origins=allowed_origins(cfg), host=cfg.protection.host)


def allowed_origins(cfg: SiteConfig) -> tuple[str, ...]:
    """The origins besides its own a page may load from: the map tiles' and the links of
    the map attribution (written into the map's script), and audit.allowed_origins."""
    links = re.findall(r"https?://[^\s\"'<>]+", cfg.maps.attribution)
    return tuple(dict.fromkeys([cfg.maps.tiles, *links, *cfg.audit.allowed_origins]))
