"""Robots directives, parsed: meta tags by name (robots and crawler tokens), any case,
quoting, whitespace and position; X-Robots-Tag rules per path in each host file format."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen.audit.robots import header_rules, noindex_metas, page_noindex, robots_metas


def test_meta_tags_are_read_by_name_any_case_and_quoting() -> None:
    page = ('<head><META NAME="GoogleBot" CONTENT=" NoIndex ,follow">'
            "<meta name=robots content=none />"
            '<meta property="og:title" content="noindex">'
            '<meta name="description" content="noindex">'
            "<meta content='nosnippet' name='bingbot'></head>"
            "<body><meta name='&#114;obots' content='noindex'></body>")
    found = [(m.name, sorted(m.directives)) for m in robots_metas(page)]
    assert found == [("googlebot", ["follow", "noindex"]), ("robots", ["none"]),
                     ("bingbot", ["nosnippet"]), ("robots", ["noindex"])]
    assert [m.name for m in noindex_metas(page)] == ["googlebot", "robots", "robots"]


def test_values_after_a_colon_are_not_crawler_names() -> None:
    metas = robots_metas('<meta name="robots" content="max-snippet:-1, unavailable_after: '
                         '2030-01-01">')
    assert metas[0].name == "robots" and not metas[0].noindex


def test_a_page_without_robots_noindex_is_not_noindex() -> None:
    assert not page_noindex('<meta name="googlebot" content="noindex">')
    assert page_noindex('<meta name="ROBOTS" content="NONE">')


@given(st.sampled_from(["noindex", "none"]),
       st.lists(st.sampled_from(["follow", "nofollow", "noarchive", "max-snippet:5"]),
                max_size=3),
       st.sampled_from(["robots", "googlebot", "googlebot-news", "bingbot", "yandex"]),
       st.sampled_from([" ", "\t", "", "\n "]), st.booleans())
def test_noindex_is_found_in_any_combination(directive: str, others: list[str], name: str,
                                             space: str, upper: bool) -> None:
    parts = [*others, directive] if upper else [directive, *others]
    content = ("," + space).join(parts)
    content = content.upper() if upper else content
    tag = f'<meta name="{name.upper() if upper else name}" content="{space}{content}{space}">'
    assert [m.name for m in noindex_metas(f"<p>x</p>{tag}<p>y</p>")] == [name]


@given(st.text(max_size=200))
def test_any_text_parses_without_error(text: str) -> None:
    robots_metas("<meta name=robots content='" + text + "'>" + text)
    for name in ("_headers", ".htaccess", "_sitegen/nginx.conf", "vercel.json"):
        header_rules(name, text)


def test_header_rules_per_path_in_every_format() -> None:
    netlify = header_rules("_headers", "/*\n  X-Robots-Tag: noindex, nofollow\n/a/*\n"
                                       "  x-robots-tag: googlebot: none\n")
    assert [(r.pattern, r.noindex, r.everywhere) for r in netlify] == [
        ("/*", True, True), ("/a/*", True, False)]
    apache = header_rules(".htaccess", '<IfModule mod_headers.c>\n  Header always set '
                                       'X-Robots-Tag "noindex"\n</IfModule>\n<Files "x.pdf">\n'
                                       "Header set X-Robots-Tag NOINDEX\n</Files>\n")
    assert [(r.pattern, r.everywhere) for r in apache] == [("*", True), ("x.pdf", False)]
    nginx = header_rules("_sitegen/nginx.conf", 'add_header X-Robots-Tag "noindex" always;\n'
                                                "location /a/ { add_header X-Robots-Tag none; }\n")
    assert [(r.pattern, r.noindex) for r in nginx] == [("*", True), ("/a/", True)]
    vercel = header_rules("vercel.json", '{"headers":[{"source":"/(.*)","headers":[{"key":'
                                         '"x-robots-tag","value":"NoIndex"}]}]}')
    assert [(r.pattern, r.noindex, r.everywhere) for r in vercel] == [("/(.*)", True, True)]
    assert header_rules("vercel.json", "not json") == []


def test_every_name_value_of_a_tag_is_looked_at() -> None:
    """Only a tag with a crawler's name is parsed: the name is looked for after every
    `name=` of the tag (one may sit inside another attribute's value) in any quoting."""
    page = ('<meta data-x="a name=viewport" name="robots" content="noindex">'
            '<meta content="noindex" name==googlebot>'
            "<meta content='noindex' NAME = 'bingbot'>"
            '<meta name=robots/ content=noindex>'
            '<meta name="description" content="robots noindex googlebot">'
            '<meta property="og:title" content="name=robots noindex">'
            '<meta name="&#x72;obots" content="noindex">')
    found = [(m.name, sorted(m.directives)) for m in robots_metas(page)]
    assert found == [("robots", ["noindex"]), ("googlebot", ["noindex"]),
                     ("bingbot", ["noindex"]), ("robots", ["noindex"])]


@pytest.mark.parametrize("before", ["", "İstanbul ", "مرحبا ", "🏪 ", "\udcff"])
def test_meta_tags_after_any_text_as_text_or_bytes(before: str) -> None:
    """Tag names in any ASCII case after text in any script (a page whose lowercase is of
    another length, RTL, emoji, a lone surrogate): the same tags, from text or bytes."""
    page = (f"<p>{before}</p><META NAME=ROBOTS content='noindex'><Meta\tname=googlebot "
            'content="nofollow"><metadata name=robots content=noindex>')
    found = [(m.name, sorted(m.directives)) for m in robots_metas(page)]
    assert found == [("robots", ["noindex"]), ("googlebot", ["nofollow"])]
    data = page.encode("utf-8", "surrogatepass")
    assert [(m.name, sorted(m.directives)) for m in robots_metas(data)] == found


def test_bytes_that_are_not_utf8_are_read_not_refused() -> None:
    """A file read from disk may hold bytes that are not UTF-8, inside a tag too."""
    data = b"<p>\xff\xfe</p><meta name=robots content='noindex' data-x='\xc3'>"
    assert [(m.name, sorted(m.directives)) for m in robots_metas(data)] == \
        [("robots", ["noindex"])]
    assert page_noindex(data)
