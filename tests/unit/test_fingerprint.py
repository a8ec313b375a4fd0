"""Page fingerprints (builder/fingerprint.py) on their own: what changes a page's fingerprint
(its data, its templates, the globals its templates read) and what does not."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import jinja2
from support.sites import sample_location

from sitegen.builder.fingerprint import Digester, PageFingerprints, template_closure
from sitegen.data.locations import Faq
from sitegen.model.ctas import Cta
from sitegen.model.pages import Hub, Nearby, Page


def _env(tmp_path: Path, templates: dict[str, str]) -> jinja2.Environment:
    for name, text in templates.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(tmp_path)))


def test_equal_data_gives_equal_digests_whatever_the_key_order() -> None:
    digest = Digester().digest
    assert digest({"a": 1, "b": [1, "x", None]}) == digest({"b": [1, "x", None], "a": 1})
    assert digest({"a": 1}) != digest({"a": "1"})  # type and value, not text alone
    assert digest([1, 2]) != digest([2, 1])


def test_the_per_page_classes_opt_into_inline_digests() -> None:
    assert Nearby.per_page is True and Cta.per_page is True and Faq.per_page is True
    assert not hasattr(Hub, "per_page")


def test_a_per_page_record_is_digested_inline_and_a_shared_object_once() -> None:
    """A per-page record is digested from its text each time (a page's own nearby entry
    can change between two digests); a shared object (a hub, held by many pages) is
    digested once per digester, which is why serve carries digesters over selectively."""
    digester = Digester()
    entry = Nearby(sample_location(), 1.5)
    before = digester.digest([entry])
    entry.distance = 2.5
    assert digester.digest([entry]) != before
    hub = Hub("city", "Oakland", "/locations/ca/oakland/")
    first = digester.digest({"hub": hub})
    hub.name = "Renamed"
    assert digester.digest({"hub": hub}) == first  # memoised for this digester
    assert Digester().digest({"hub": hub}) != first


def test_an_object_with_a_fingerprint_is_digested_by_it() -> None:
    @dataclasses.dataclass
    class Fingerprinted:
        data: str
        fingerprint: str

    digest = Digester().digest
    assert digest(Fingerprinted("a", "same")) == digest(Fingerprinted("b", "same"))
    assert digest(Fingerprinted("a", "one")) != digest(Fingerprinted("a", "two"))


def test_a_template_closure_covers_what_it_extends_and_includes(tmp_path: Path) -> None:
    env = _env(tmp_path, {
        "base.html": "<title>{{ site_name }}</title>{% block main %}{% endblock %}",
        "page.html": "{% extends 'base.html' %}{% block main %}{% include 'part.html' %}"
                     "{{ body }}{% endblock %}",
        "part.html": "<nav>{{ menu }}</nav>",
        "other.html": "unrelated"})
    digest, variables = template_closure(env, "page.html")
    assert variables == {"site_name", "body", "menu"}
    (tmp_path / "other.html").write_text("changed", encoding="utf-8")
    assert template_closure(env, "page.html")[0] == digest
    (tmp_path / "part.html").write_text("<nav>{{ menu }}!</nav>", encoding="utf-8")
    assert template_closure(env, "page.html")[0] != digest


def test_a_dynamic_include_depends_on_every_template(tmp_path: Path) -> None:
    env = _env(tmp_path, {"page.html": "{% include name %}", "a.html": "a", "b.html": "b"})
    digest, _ = template_closure(env, "page.html")
    (tmp_path / "b.html").write_text("b changed", encoding="utf-8")
    assert template_closure(env, "page.html")[0] != digest


def test_a_page_fingerprint_follows_its_data_and_the_globals_it_reads(tmp_path: Path) -> None:
    env = _env(tmp_path, {"page.html": "{{ title_global }} {{ body }}"})

    def fingerprint(body: str, globals_: dict[str, object]) -> str:
        page = Page("/a/", "page.html", "page", "A", "about a", {"body": body})
        return PageFingerprints(env, "base", globals_).page(page)

    first = fingerprint("x", {"title_global": "T", "unread": 1})
    assert fingerprint("x", {"title_global": "T", "unread": 2}) == first
    assert fingerprint("x", {"title_global": "U", "unread": 1}) != first
    assert fingerprint("y", {"title_global": "T", "unread": 1}) != first
    page = Page("/a/", "page.html", "page", "A", "about a", {"body": "x"})
    fingerprints = PageFingerprints(env, "base", {"title_global": "T"})
    assert fingerprints.page(page, lastmod="2026-01-02") != fingerprints.page(page)
