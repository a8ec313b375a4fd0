"""The production lead endpoint in a non-public page (audit/checks.py `production_endpoint`):
found in a form's action or formaction or a data attribute, written any way a URL can be;
the quick look for quoted links first finds every page the full search finds."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen.audit.checks import production_endpoint
from sitegen.audit.context import FileFacts, GuardContext
from sitegen.config.policy import Policy
from sitegen.config.urlnorm import under

POLICY = Policy(name="staging", kind="staging", indexable=False, protection="none",
                analytics=None, forms="disabled", forms_endpoint=None, data="real",
                banner=None, base_url="https://staging.example.com", password=None)
ENDPOINT = "https://hooks.juniperoak.example/leads"
GUARD = GuardContext(production_endpoints=(ENDPOINT,))
ATTRIBUTE = re.compile(r"\s(action|formaction|data-[\w-]+)=[\"']([^\"']*)[\"']", re.I)


def _found(page: str) -> list[str]:
    facts = FileFacts("a/index.html", page.encode("utf-8", "surrogatepass"), POLICY, GUARD)
    facts.page = page
    return [d.message for d in production_endpoint(facts)]


def _expected(page: str) -> list[str]:
    """The search the check makes, without its quick look first."""
    for attribute, value in ATTRIBUTE.findall(page):
        if "//" in value and under(value.strip(), ENDPOINT):
            return [f"{attribute}={value} posts to the production lead endpoint in 'staging'"]
    return []


@pytest.mark.parametrize("page", [
    f'<form id="lead-form" action="{ENDPOINT}">',
    f"<button formAction='{ENDPOINT}/x'>",
    '<form data-endpoint="HTTPS://Hooks.JuniperOak.example.:443/%6Ceads">',
    f'<p title="//t action="{ENDPOINT}">',  # a value the search reads inside another's
])
def test_the_endpoint_is_found_however_written(page: str) -> None:
    assert _found(page) == _expected(page) != []


@given(st.lists(st.sampled_from([
    " ", "\n", "=", '"', "'", "action", "formaction", "data-x", "DATA-", "title",
    "<form ", ">", "//", ENDPOINT, "hooks.juniperoak.example", "/leads", "https:",
    "HTTPS://HOOKS.juniperoak.example:443/leads?a", "%6C", "</script>", "javascript:",
    "\u202e", "🗺"]), max_size=20).map("".join))
def test_the_quick_look_misses_nothing_the_search_finds(page: str) -> None:
    assert _found(page) == _expected(page)
