"""Private paths: which attributes of a decrypted page follow the renamed files
(output/private.py `Rewriter.page`): URL attributes after a space, in any ASCII case, either
quote; nothing else."""

from __future__ import annotations

import json
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen.output.private import JSON_UNUSUAL_START, LAST_SPACE, PathKey, Rewriter, plan

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


JSON_STRINGS = st.one_of(
    st.sampled_from(["/locations/ca/sf/", "/_assets/img/shop.jpg", "/feeds/locations.json",
                     "https://staging.example.com/locations/ca/sf/#hours", " /locations/ca/sf/",
                     "/locations/ca/sf/?a=1", "/elsewhere/", "//locations/ca/sf/", "a/b",
                     "locs", "places", "\\", '"', "\u202e/", "🗺", "</script>", "\ud800/"]),
    st.text(max_size=12))
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | JSON_STRINGS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(JSON_STRINGS, inner,
                                                                max_size=4),
    max_leaves=20)


@given(JSON_VALUES, st.sampled_from([None, 1]), st.booleans())
def test_json_text_rewrites_what_the_parsed_value_rewrite_does(
        value: object, indent: int | None, ascii_only: bool) -> None:
    """The scan of a data file's text changes exactly the string values the walk of its
    parsed value changes, whatever the JSON's spacing and escaping (object keys stay)."""
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only).encode(
        "utf-8", "surrogatepass" if not ascii_only else "strict")
    if not ascii_only and "\\ud800" in json.dumps(value):
        return  # not UTF-8: no build writes such a file
    assert json.loads(REWRITER.json_text(text)) == REWRITER.data(json.loads(text))


def test_json_text_of_a_feed() -> None:
    text = json.dumps({"url": "https://staging.example.com/locations/ca/sf/",
                       "/locations/ca/sf/": "/locations/ca/sf/#map",
                       "image": "/_assets/img/shop.jpg", "css": "/_assets/css/site.css",
                       "escaped": "\\/locations\\/ca\\/sf\\/"},
                      separators=(",", ":")).encode()
    text = text.replace(b"\\\\/", b"\\/")  # a JSON writer that escapes slashes
    assert json.loads(REWRITER.json_text(text)) == {
        "url": f"https://staging.example.com{PAGE}", "/locations/ca/sf/": f"{PAGE}#map",
        "image": IMAGE, "css": "/_assets/css/site.css", "escaped": PAGE}


def test_every_whitespace_character_is_looked_for() -> None:
    """`Rewriter.target` strips what `str.isspace` holds: the text scan knows them all."""
    assert max(code for code in range(sys.maxunicode + 1) if chr(code).isspace()) \
        == LAST_SPACE


SPACES = [chr(code) for code in range(LAST_SPACE + 1) if chr(code).isspace()]


@given(st.lists(st.sampled_from(['"', "\\", "a", "\u2019", "\u00e9", *SPACES]), max_size=12)
       .map("".join))
def test_unusual_string_starts_are_found_exactly(text: str) -> None:
    """A quote followed by a backslash or a space of 0x20 and above (the strings the text
    scan leaves to the parser), and nothing else; its quick look at the next byte included."""
    data = text.encode("utf-8")
    expected = any(text[i] == '"' and (text[i + 1] == "\\" or (
        text[i + 1].isspace() and ord(text[i + 1]) >= 0x20)) for i in range(len(text) - 1))
    assert (JSON_UNUSUAL_START.search(data) is not None) == expected


def test_every_space_after_a_quote_is_unusual() -> None:
    found = [space for space in [*SPACES, "\\"]
             if JSON_UNUSUAL_START.search(f'"{space}x"'.encode()) is not None]
    assert found == [space for space in [*SPACES, "\\"] if ord(space) >= 0x20]


@pytest.mark.parametrize("start", [" ", "\u3000", "\u00a0", "\\n", "\\u002f"])
def test_json_text_with_a_link_after_whitespace_or_an_escape(start: str) -> None:
    text = ('{"a":"' + start + ('locations/ca/sf/"}' if start == "\\u002f"
                                 else '/locations/ca/sf/"}')).encode()
    assert json.loads(REWRITER.json_text(text) or b"") == {"a": PAGE}


def test_json_text_that_is_not_json_is_left_alone() -> None:
    assert REWRITER.json_text(b'{"locs": "places", "a": " /locations/ca/sf/"') is None


@pytest.mark.parametrize("text", [b'["/locations/ca/sf/\\x"]', b'["/locations/ca/sf/\xff"]'])
def test_json_text_leaves_a_string_that_is_not_json_as_it_is(text: bytes) -> None:
    assert REWRITER.json_text(text + b', "/locations/ca/sf/"') == \
        text + b', "' + PAGE.encode() + b'"'


BASE = "https://staging.example.com"


@pytest.mark.parametrize(("text", "expected"), [
    (f"id,url\n1,{BASE}/locations/ca/sf/\n", f"id,url\n1,{BASE}{PAGE}\n"),
    (f'1,"{BASE}/locations/ca/sf/#hours",x', f'1,"{BASE}{PAGE}#hours",x'),
    (f"<loc>{BASE}/_assets/img/shop.jpg</loc>", f"<loc>{BASE}{IMAGE}</loc>"),
    (f"URL;VALUE=URI:{BASE}/locations/ca/sf/\r\n", f"URL;VALUE=URI:{BASE}{PAGE}\r\n"),
])
def test_text_data_files_follow_the_renamed_files(text: str, expected: str) -> None:
    assert REWRITER.text(text.encode()) == expected.encode()


@given(st.lists(HOSTILE | st.sampled_from([BASE, BASE + "/", ",", ";", "\r\n", "\u00e9"]),
                max_size=16).map("".join))
def test_text_changes_only_the_base_urls_of_renamed_files(text: str) -> None:
    """Mapping the private names back gives the text as written (None: nothing changed)."""
    written = REWRITER.text(text.encode("utf-8"))
    assert written != text.encode("utf-8")
    back = (written or text.encode("utf-8")).decode("utf-8") \
        .replace(BASE + PAGE, BASE + "/locations/ca/sf/") \
        .replace(BASE + IMAGE, BASE + "/_assets/img/shop.jpg")
    assert back == text
