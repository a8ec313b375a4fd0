"""The audit's rule table: every rule the build's guard step and `sitegen check` apply, with
its id, its scope, the environments (policy kinds) it applies to and its check function.

Scopes: `page` (one page's HTML and the policy: run where the page is rendered, cached
with it), `file` (one file of the folder with the build's context: the scripts a page loads,
secrets, the key), `tree` (the whole folder: host files, robots.txt, markers, the pages'
results together). `when` narrows a rule to a protection mode or to builds without
analytics. Every finding carries its rule id (`Diagnostic.rule`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from sitegen.audit import allowlist, checks
from sitegen.audit.context import FileFacts, PageFacts, TreeFacts
from sitegen.config.policy import Policy
from sitegen.diagnostics import Diagnostic

Scope = Literal["page", "file", "tree"]
PRODUCTION = frozenset({"production"})
PRIVATE = frozenset({"staging", "development"})
EVERY = PRODUCTION | PRIVATE


def _always(policy: Policy) -> bool:
    return True


def _encrypted(policy: Policy) -> bool:
    return policy.protection == "encrypt"


def _no_analytics(policy: Policy) -> bool:
    return policy.analytics is None


def _protected(policy: Policy) -> bool:
    return policy.protected


@dataclass(frozen=True)
class Rule:
    id: str
    scope: Scope
    kinds: frozenset[str]
    check: Callable[[Any], list[Diagnostic]]
    about: str
    when: Callable[[Policy], bool] = _always

    def applies(self, policy: Policy) -> bool:
        return policy.kind in self.kinds and self.when(policy)


R = Rule
RULES: tuple[Rule, ...] = (
    # page
    R("guard.missing-noindex", "page", PRIVATE, checks.missing_noindex,
      "a page without a robots noindex meta tag"),
    R("guard.analytics-outside-production", "page", EVERY, checks.analytics_in_page,
      "analytics code in a page of a build without analytics", _no_analytics),
    R("guard.foreign-origin", "page", PRIVATE, checks.foreign_loads,
      "a page loads a script, style, frame, image... from an origin not allowed"),
    R("seo.missing-canonical", "page", EVERY, checks.missing_canonical,
      "a page without canonical link"),
    R("guard.canonical-host", "page", PRODUCTION, checks.canonical_host,
      "canonical URL not on the production origin"),
    R("guard.og-url-host", "page", PRODUCTION, checks.og_url_host,
      "og:url not on the production origin"),
    R("guard.jsonld-url-host", "page", PRODUCTION, checks.jsonld_url_host,
      "a JSON-LD url/@id/item not on the production origin"),
    R("guard.private-marker-in-production", "page", PRODUCTION, checks.banner_in_production,
      "the environment banner of a non-public build on a page"),
    # file
    R("guard.protection-in-production", "file", PRODUCTION, checks.protection_in_production,
      "a prompt page or an encrypted data file"),
    R("guard.staging-secret-in-production", "file", PRODUCTION, checks.staging_secret,
      "a staging password or share token in any file"),
    R("guard.sample-data-in-production", "file", PRODUCTION, checks.masked_data,
      "a value at the masked domain example.invalid"),
    R("guard.private-marker-in-production", "file", PRODUCTION, checks.staging_host,
      "a non-public environment's host in any text file"),
    R("guard.sitemap-host", "file", PRODUCTION, checks.sitemap_host,
      "a sitemap <loc> not on the production origin"),
    R("guard.missing-noindex", "file", PRIVATE, checks.opened("guard.missing-noindex"),
      "a prompt page without noindex"),
    R("guard.cannot-decrypt", "file", PRIVATE, checks.opened("guard.cannot-decrypt"),
      "a protected page the build's key cannot open", _encrypted),
    R("guard.analytics-outside-production", "file", PRIVATE,
      checks.analytics_in_loaded_script, "a page loads a script with analytics code"),
    R("guard.foreign-origin", "file", PRIVATE, checks.foreign_code,
      "a script or stylesheet names an origin not allowed"),
    R("guard.foreign-origin", "file", PRIVATE, checks.prompt_loads,
      "the password page loads from outside, or has analytics code", _protected),
    R("guard.production-form-endpoint", "file", PRIVATE, checks.production_endpoint,
      "a form posting to the production lead endpoint"),
    R("guard.readable-while-protected", "file", PRIVATE, checks.readable_while_protected,
      "a page or data file that is not encrypted", _encrypted),
    R("guard.sitemap-on-production-host", "file", PRIVATE, checks.sitemap_on_production_host,
      "a sitemap listing production URLs"),
    # tree
    R("guard.noindex-in-production", "tree", PRODUCTION, checks.undeclared_noindex,
      "a robots meta noindex (any crawler) on a page the build did not declare"),
    R("guard.noindex-in-sitemap", "tree", PRODUCTION, checks.declared_in_sitemap,
      "a sitemap listing a page declared noindex"),
    R("guard.noindex-header-in-production", "tree", PRODUCTION,
      checks.noindex_header_in_production, "X-Robots-Tag noindex in a host file"),
    R("guard.protection-in-production", "tree", PRODUCTION,
      checks.protection_files_in_production, "protection files or auth rules"),
    R("guard.sample-data-in-production", "tree", PRODUCTION, checks.sample_marker,
      "the build marker says sample or masked data"),
    R("guard.private-marker-in-production", "tree", PRODUCTION, checks.environment_marker,
      "the build marker names a non-public environment"),
    R("guard.robots", "tree", EVERY, checks.robots_missing, "robots.txt is missing"),
    R("guard.robots-disallow-in-production", "tree", PRODUCTION, checks.robots_disallow,
      "robots.txt disallows /"),
    R("guard.robots-allows-crawling", "tree", PRIVATE, checks.robots_allows,
      "robots.txt does not disallow /, or names a sitemap"),
    R("guard.missing-robots-header", "tree", PRIVATE, checks.missing_robots_header,
      "a host file missing or without X-Robots-Tag noindex for every path"),
    R("guard.cannot-decrypt", "tree", PRIVATE, checks.protection_metadata,
      "protection metadata missing or not matching the password", _encrypted),
    R("guard.basic-auth-missing", "tree", PRIVATE, checks.basic_auth_missing,
      "the host's auth rules missing (basic-auth)"),
    R("guard.unlisted-file", "tree", PRIVATE, allowlist.unlisted_files,
      "a file of a protected build that is neither encrypted, a registered static asset "
      "its pages reference, nor a file the policy writes", _protected),
)


@functools.lru_cache(maxsize=64)
def rules_for(scope: Scope, policy: Policy) -> tuple[Rule, ...]:
    """The rules of a scope that apply to a policy (asked for every page and file)."""
    return tuple(rule for rule in RULES if rule.scope == scope and rule.applies(policy))


def _run(rules: Iterable[Rule], subject: Any) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for rule in rules:
        out.extend(rule.check(subject))
    return out


def page_rules(facts: PageFacts) -> list[Diagnostic]:
    return _run(rules_for("page", facts.policy), facts)


def file_rules(facts: FileFacts) -> list[Diagnostic]:
    return _run(rules_for("file", facts.policy), facts)


def tree_rules(facts: TreeFacts) -> list[Diagnostic]:
    return _run(rules_for("tree", facts.policy), facts)
