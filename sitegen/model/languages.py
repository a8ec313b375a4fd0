"""A site in several languages: each other language's pages, and which pages are the same.

The default language's model is made as for a site of one language. Each other language
gets a model of its own from the same placed locations: its config (config/languages.py:
the site's name in that language, every URL under its folder), its locations with their
`name@fr` style text (the default language's where a translation is missing), its content
(`about.fr.md` where there is one, the default language's file otherwise) and so its own hub
tree, locator views, location pages, home and 404. Its pages join the site's; every page
then knows the same page in each language (Page.alternates), for hreflang links, the
sitemap's alternates and the language switcher.

A location's URL in another language is its default URL under that language's folder, with
the location's own `slug@fr` when it has one: a changed translated name never moves a URL.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict

from sitegen.config.languages import (
    home_url,
    localized_config,
    prefixed,
    site_languages,
    url_prefix,
)
from sitegen.config.schema import SiteConfig
from sitegen.data.locations import Location
from sitegen.diagnostics import Report
from sitegen.model.content import Content, ContentPage
from sitegen.model.pages import Page, SiteModel
from sitegen.model.site import Placed, build_model, check_unique_urls, location_fingerprint
from sitegen.model.urls import fill, slug

# The fields whose missing translation `sitegen validate` reports (once per field and
# language); a missing `slug@fr` is no problem: the default slug is used.
REPORTED = ("name", "description", "faqs", "hours_note")


def default_config(config: SiteConfig) -> SiteConfig:
    """The config the default language's pages are made with: its `site.locales` entry
    applied (and its folder, with `site.default_language_prefix`); the config itself for a
    site of one language that sets neither."""
    site = config.site
    own = len(site_languages(config)) > 1 or site.locales or site.default_language_prefix
    return localized_config(config, site_languages(config)[0]) if own else config


def add_languages(model: SiteModel, placed: Placed, content: Content, report: Report) -> None:
    """Add every other language's pages to `model` (and its model to `model.languages`),
    then link each page with the same page in the other languages; a site of one language
    is left as it is."""
    config = model.config
    codes = site_languages(config)
    if home_url(config) != "/":  # default_language_prefix: / leads to the default's home
        model.pages.append(Page("/", "redirect.html", "redirect", config.site.name, "",
                                {"target": home_url(config)}, indexable=False))
    if len(codes) < 2:
        return
    keys = {id(page): _key(page, url_prefix(config, codes[0])) for page in model.pages}
    for code in codes[1:]:
        local = _placed_in(placed, code)
        scratch = Report()  # the default language's model reported the same problems
        view = build_model(local, _content_in(content, code, url_prefix(config, code)),
                           scratch)
        report.extend(d for d in scratch.errors if d not in report.items)
        view.lang = code
        for page in view.pages:
            page.lang = code
            keys[id(page)] = _key(page, url_prefix(config, code))
        model.languages[code] = view
        model.pages.extend(view.pages)
    check_unique_urls(model.pages)
    _link(model.pages, keys, codes)
    report_fallbacks(model.locations, codes, report)


def _placed_in(placed: Placed, code: str) -> Placed:
    """The placed locations as language `code` shows them: its text, its URLs."""
    config = placed.config
    pattern = prefixed(url_prefix(config, code), placed.pattern.removeprefix(
        url_prefix(config, config.site.language)))
    locations, segments = [], []
    for location, values in zip(placed.locations, placed.segments, strict=True):
        local = translated(location, code)
        values = {**values, "slug": local.slug}
        local.url = fill(pattern, values)
        local.fingerprint = location_fingerprint(location.fingerprint, local.url)
        locations.append(local)
        segments.append(values)
    return dataclasses.replace(placed, config=localized_config(config, code),
                               locations=locations, pattern=pattern, segments=segments,
                               closed=[])


def translated(location: Location, code: str) -> Location:
    """A copy of `location` with language `code`'s text where it has some."""
    texts = location.translations.get(code, {})
    changes = {name: texts[name] for name in REPORTED if name in texts}
    own = slug(texts["slug"]) if "slug" in texts else location.slug
    return dataclasses.replace(location, **changes, slug=own,
                               promotions=list(location.promotions))


def _content_in(content: Content, code: str, prefix: str) -> Content:
    """Language `code`'s content: each page's translation where there is one (else the
    default language's page), under the language's folder."""
    own = content.translated.get(code) or Content([], {}, [])
    mine = {page.key: page for page in own.pages}
    pages: list[ContentPage] = []
    for page in content.pages:
        chosen = mine.pop(page.key, page)
        pages.append(dataclasses.replace(chosen, url=prefixed(prefix, chosen.url),
                                         key=page.key))
    pages.extend(dataclasses.replace(page, url=prefixed(prefix, page.url))
                 for page in mine.values())  # a page in this language alone
    return Content(pages, {**content.locations, **own.locations}, [])


def _key(page: Page, prefix: str) -> tuple[str, str]:
    """What a page is, whatever its language: the same key for the same page in each."""
    if page.kind == "location":
        return "location", page.context["location"].id
    key = page.context.get("key")
    if page.kind in ("page", "home") and key:
        return "content", str(key)
    return "url", page.url.removeprefix(prefix)


def _link(pages: list[Page], keys: dict[int, tuple[str, str]], codes: list[str]) -> None:
    """Give every page the same page in each language (itself included), in the order of
    `site.languages`; a page in one language alone gets none."""
    found: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for page in pages:
        if page.kind != "redirect":
            found[keys[id(page)]][page.lang or codes[0]] = page.url
    for page in pages:
        if page.kind == "redirect":
            continue
        urls = found[keys[id(page)]]
        if len(urls) > 1:
            page.alternates = tuple((code, urls[code]) for code in codes if code in urls)


def report_fallbacks(locations: list[Location], codes: list[str], report: Report) -> None:
    """One warning per field and language for the locations that show the default
    language's text: always for names, for other fields when the dataset translates that
    field into that language for some location."""
    for code in codes[1:]:
        for name in REPORTED:
            given = any(name in loc.translations.get(code, {}) for loc in locations)
            if name != "name" and not given:
                continue
            missing = [loc for loc in locations if getattr(loc, name)
                       and name not in loc.translations.get(code, {})]
            if not missing:
                continue
            first = missing[0]
            count = len(missing)
            many = count != 1
            report.warning(first.source, first.row, f"{name}@{code}",
                           f"{count} location{'s' if many else ''} ha{'ve' if many else 's'} "
                           f"no {name}@{code} (first: id '{first.id}'): "
                           f"{'their' if many else 'its'} {code} page{'s' if many else ''} "
                           f"show{'' if many else 's'} the {codes[0]} {name}",
                           f"fill the {name}@{code} column (or the \"{code}\" entry of a "
                           f"{name} mapping) to translate it")
