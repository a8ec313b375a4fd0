"""Where a page loads from: every subresource URL (tags, srcset, inline code and styles),
judged by an allowlist of origins."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen.audit.origins import allowed_origins, code_origins, foreign, loaded_urls

ALLOWED = allowed_origins("https://www.juniperoak.example",
                          ("https://tile.openstreetmap.org/{z}/{x}/{y}.png",))


def test_every_kind_of_load_is_found() -> None:
    page = ('<SCRIPT SRC="https://cdn.segment.com/a.js"></SCRIPT>'
            "<img srcset='/a.png 1x, https://px.example/b.png 2x' src=/a.png>"
            '<iframe src="//www.googletagmanager.com/ns.html"></iframe>'
            '<link rel="Stylesheet preload" href="https://fonts.example/f.css">'
            '<a href="https://elsewhere.example/">a link is not a load</a>'
            '<form action="https://forms.example/">neither is a form</form>'
            '<div style="background:url(&quot;https://bg.example/i.png&quot;)"></div>'
            "<style>@import 'https://css.example/x.css';</style>"
            "<script>var s='//static.hotjar.com/c/hotjar-';</script>"
            '<script type="application/ld+json">{"url": "https://data.example/"}</script>'
            '<script>L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png")</script>')
    assert foreign(loaded_urls(page), ALLOWED) == [
        "https://cdn.segment.com/a.js", "https://px.example/b.png",
        "//www.googletagmanager.com/ns.html", "https://fonts.example/f.css",
        "https://css.example/x.css", "//static.hotjar.com", "https://bg.example/i.png"]


def test_own_origin_in_any_spelling_is_allowed() -> None:
    page = ('<script src="HTTPS://WWW.JuniperOak.example.:443/_assets/js/a.js"></script>'
            '<img src="/x.png"><img src="data:image/png;base64,AA">')
    assert foreign(loaded_urls(page), ALLOWED) == []


def test_code_names_origins_but_not_xml_namespaces() -> None:
    code = 'fetch("https://api.segment.io/v1/t");var n="http://www.w3.org/2000/svg";'
    assert code_origins(code) == ["https://api.segment.io"]


@given(st.text(alphabet="<>\"' =/:abcdefghijklmnopqrstuvwxyzSRC.", max_size=300))
def test_any_markup_parses(text: str) -> None:
    for url in loaded_urls(text):
        assert url == url.strip()


def test_style_attributes_in_any_case_and_spacing_are_loads() -> None:
    """Inline styles are found wherever `style` is written as an attribute, in any case and
    spacing, in pages whose text lowercases to a different length too (İ)."""
    page = ('<p STYLE="background:url(https://a.example/1.png)">İstanbul</p>'
            "<div\nstyle\n=\n'background:url(//b.example/2.png)'>"
            '<p data-style="url(https://not.example/x.png)" class="style">'
            '<span style=background:url(https://c.example/3.png)>')
    assert foreign(loaded_urls(page), ALLOWED) == [
        "https://a.example/1.png", "//b.example/2.png", "https://c.example/3.png"]
    assert foreign(loaded_urls(page.replace("İ", "I")), ALLOWED) == \
        foreign(loaded_urls(page), ALLOWED)


@pytest.mark.parametrize("extra", ["", "İ"])
def test_loading_tags_and_script_ends_in_any_case(extra: str) -> None:
    """Tag names and a script's end tag in any ASCII case, in a page whose lowercase text
    keeps its length and in one where it does not (İ): a script body runs to its end tag."""
    page = (f'<p>{extra}</p><SCRIPT SRC="https://a.example/1.js"></SCRIPT>'
            '<Img sRc="//b.example/2.png" alt="">'
            '<script>fetch("https://c.example/t")</SCRIPT><p>https://d.example/text</p>'
            '<LINK REL="stylesheet" HREF="https://e.example/s.css">'
            '<STYLE>@import "https://f.example/i.css";</Style>')
    assert foreign(loaded_urls(page), ALLOWED) == [
        "https://a.example/1.js", "//b.example/2.png", "https://c.example",
        "https://e.example/s.css", "https://f.example/i.css"]


LOAD_TAGS = ['<SCRIPT SRC="https://a.example/1.js"></SCRIPT>', "<img src='//b.example/2.png'>",
             '<p style="background:url(https://c.example/3.png)">', "<Style>@import "
             "'https://d.example/4.css';</STYLE>", '<script>fetch("https://e.example/")</script>']


@given(st.lists(st.tuples(st.sampled_from(LOAD_TAGS), st.text(max_size=20).filter(
    lambda s: "<" not in s and ">" not in s and "style" not in s.lower())), max_size=8))
def test_text_between_tags_in_any_script_changes_no_load(parts: list[tuple[str, str]]) -> None:
    """Non-ASCII text (Turkish İ, RTL, emoji, lone surrogates) between the tags: the same
    loads as with none, whether the page comes as text or as its UTF-8 bytes."""
    page = "".join(tag + text for tag, text in parts)
    plain = "".join(tag for tag, _ in parts)
    assert loaded_urls(page) == loaded_urls(plain)
    assert loaded_urls(page.encode("utf-8", "surrogatepass")) == loaded_urls(plain)
