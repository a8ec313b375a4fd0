"""Private paths: which attributes of a decrypted page follow the renamed files
(output/private.py `Rewriter.page`): URL attributes after a space, in any ASCII case, either
quote; nothing else."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen.output.private import PathKey, Rewriter, plan

FILES = ["index.html", "locations/ca/sf/index.html", "_assets/img/shop.jpg",
         "feeds/locations.json", "_assets/css/site.css"]
KEY = PathKey(b"k" * 32)
PLAN = plan(FILES, KEY, set(), set())
REWRITER = Rewriter(PLAN, "https://staging.example.com", "https://www.example.com")
PAGE = PLAN.urls["/locations/ca/sf/"]
IMAGE = PLAN.urls["/_assets/img/shop.jpg"]


def body(text: str) -> str:
    """The rewritten text without the preview note (put first)."""
    return REWRITER.page(text, "/x/").split("</p>", 1)[1]


@pytest.mark.parametrize("name", ["href", "HREF", "hRef", "action", "formAction", "poster",
                                  "data-url", "DATA-Link", "data-prefixes"])
@pytest.mark.parametrize("space", [" ", "\n", "\t"])
@pytest.mark.parametrize("quote", ['"', "'"])
def test_url_attributes_follow_the_renamed_page(name: str, space: str, quote: str) -> None:
    text = f"<a{space}{name}={quote}/locations/ca/sf/#hours{quote}>"
    assert body(text) == f"<a{space}{name}={quote}{PAGE}#hours{quote}>"


@pytest.mark.parametrize("text", [
    '<a xhref="/locations/ca/sf/">', '<img/src="/locations/ca/sf/">', '<a href=/locations/ca/sf/>',
    '<div data-prefix="/locations/">', '<a title="/locations/ca/sf/">', 'href="/locations/ca/sf/"',
    '<a \u017frc="/locations/ca/sf/">', '<a href="/elsewhere/">', '<a data-="/locations/ca/sf/">',
    '<a href="//locations/ca/sf/">', '<a href="https://other.example/locations/ca/sf/">'])
def test_anything_else_is_left_as_written(text: str) -> None:
    assert body(text) == text


def test_images_become_encrypted_sources() -> None:
    text = ('<img src="/_assets/img/shop.jpg" srcset="/_assets/img/shop.jpg 1x, '
            'https://staging.example.com/_assets/img/shop.jpg 2x" alt="">'
            '<a href="/_assets/css/site.css">')
    assert body(text) == (f'<img data-sitegen-src="{IMAGE}" data-sitegen-srcset="{IMAGE} 1x, '
                          f'https://staging.example.com{IMAGE} 2x" alt="">'
                          '<a href="/_assets/css/site.css">')


HOSTILE = st.sampled_from([" ", "\n", "=", '"', "'", "/", "href", "HREF", "src", "srcset",
                           "data-", "prefix", "<a ", ">", "/locations/ca/sf/", "</script>",
                           "javascript:", "../", "\u202e", "🗺", "&amp;", "#", "?"])


@given(st.lists(HOSTILE, max_size=16).map("".join))
def test_only_link_values_change(text: str) -> None:
    """Whatever the text, the rewrite changes nothing but the renamed files' URLs (and an
    image's attribute names): mapping those back gives the text as written."""
    back = body(text).replace("data-sitegen-srcset=", "srcset=") \
        .replace("data-sitegen-src=", "src=").replace(PAGE, "/locations/ca/sf/") \
        .replace(IMAGE, "/_assets/img/shop.jpg")
    assert back == text
