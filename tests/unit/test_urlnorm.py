"""URL comparisons normalise scheme and host case, default ports, percent-encoding, IDNA and
trailing dots: one helper (config/urlnorm.py) for every comparison."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen.config.urlnorm import (
    VERBATIM,
    _parsed,
    normal_url,
    origin,
    same_origin,
    same_url,
    under,
)

WEBHOOK = "https://hooks.juniperoak.example/leads"


@pytest.mark.parametrize("variant", [
    "HTTPS://HOOKS.JUNIPEROAK.EXAMPLE/leads",
    "https://hooks.juniperoak.example:443/leads",
    "https://hooks.juniperoak.example./leads",
    "https://hooks.juniperoak.example/%6Ceads",
    "https://hooks.juniperoak.example/leads/",
    "https://hooks.juniperoak.example/x/../leads",
    " https://Hooks.JuniperOak.example.:443/%6ceads/ ",
])
def test_variants_of_one_endpoint_are_the_same(variant: str) -> None:
    assert same_url(variant, WEBHOOK)
    assert under(variant.strip() + "?x=1", WEBHOOK)


@pytest.mark.parametrize("other", [
    "http://hooks.juniperoak.example/leads",
    "https://hooks.juniperoak.example:8443/leads",
    "https://hooks.juniperoak.example/leads%2Fx",
    "https://hooks-juniperoak.example/leads",
    "https://hooks.juniperoak.example/lead",
])
def test_different_endpoints_differ(other: str) -> None:
    assert not same_url(other, WEBHOOK)


def test_idna_and_origins() -> None:
    assert origin("https://Bücher.example:443/x") == "https://xn--bcher-kva.example"
    assert same_origin("https://xn--bcher-kva.example/", "https://bücher.EXAMPLE./y")
    assert origin("//cdn.example/a.js") == "https://cdn.example"
    assert origin("/local.js") == "" and origin("http://[::1]:80/") == "http://[::1]"
    assert origin("http://a.example:8000/") == "http://a.example:8000"


def test_escapes_of_reserved_characters_keep_their_meaning() -> None:
    assert normal_url("https://a.example/a%2fb%7E") == "https://a.example/a%2Fb~"
    assert normal_url("https://a.example") == "https://a.example/"


URLS = st.builds(
    lambda scheme, host, port, path: f"{scheme}://{host}{port}/{path}",
    st.sampled_from(["http", "https", "HTTPS"]),
    st.from_regex(r"[a-zA-Z0-9]{1,10}(\.[a-zA-Z0-9]{1,10}){0,2}\.?", fullmatch=True),
    st.sampled_from(["", ":80", ":443", ":8080"]),
    st.text(alphabet="abc/%7E~-._!é<>\"' ", max_size=20))


@given(URLS)
def test_normal_form_is_stable(url: str) -> None:
    once = normal_url(url)
    assert normal_url(once) == once
    assert same_url(url, once)
    scheme, rest = url.split("://", 1)
    host, _, path = rest.partition("/")
    assert same_url(f"{scheme.upper()}://{host.upper()}/{path}", url)


@given(st.text(alphabet="/abc.~%?#:@!$&'()*+,;= \t\né<>\"\x00\x7f", max_size=24))
def test_a_site_path_taken_as_it_is_is_what_parsing_it_gives(text: str) -> None:
    path = "/" + text
    if VERBATIM.fullmatch(path):
        assert normal_url(path) == _parsed(path) == path
    else:
        assert normal_url(path) == _parsed(path)
