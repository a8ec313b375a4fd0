"""The languages of a site (`site.languages`) and what each one changes in the config.

The first language is the default: its pages keep today's URLs (under its own prefix only
with `site.default_language_prefix`); every other language's pages live under its
`site.locales.<code>.url_prefix`, `/{code}/` by default. A site with one language is exactly
the site it was before languages existed.
"""

from __future__ import annotations

import functools

from sitegen.config.schema import SiteConfig, UrlsSection


def site_languages(config: SiteConfig) -> list[str]:
    """The site's language codes, the default first."""
    return list(config.site.languages) or [config.site.language]


def multilingual(config: SiteConfig) -> bool:
    return len(site_languages(config)) > 1


def url_prefix(config: SiteConfig, code: str) -> str:
    """The folder `code`'s pages live under, without its last slash ("/fr"); "" for the
    default language at today's paths."""
    if code == site_languages(config)[0] and not config.site.default_language_prefix:
        return ""
    locale = config.site.locales.get(code)
    prefix = locale.url_prefix if locale and locale.url_prefix else f"/{code.lower()}/"
    return prefix.rstrip("/")


def home_url(config: SiteConfig) -> str:
    """The home page of the language `config` is localized to ("/", "/fr/")."""
    return url_prefix(config, config.site.language) + "/"


def prefixed(prefix: str, url: str) -> str:
    """A site path moved under a language's folder ("/fr" + "/about/" -> "/fr/about/")."""
    return prefix + url if url.startswith("/") else url


def localized_config(config: SiteConfig, code: str) -> SiteConfig:
    """The config as the pages of language `code` read it: the site's name, description and
    language in that language, every URL pattern under its folder."""
    locale = config.site.locales.get(code)
    site = config.site.model_copy(update={
        "language": code,
        "name": locale.name if locale and locale.name else config.site.name,
        "description": locale.description if locale and locale.description is not None
        else config.site.description})
    prefix = url_prefix(config, code)
    urls = UrlsSection.model_construct(**{
        name: prefixed(prefix, getattr(config.urls, name)) for name in UrlsSection.model_fields},
        _fields_set=config.urls.model_fields_set)
    return config.model_copy(update={"site": site, "urls": urls})


@functools.cache
def language_name(code: str) -> str:
    """The language's name in itself ("Français", "Deutsch"), as a language switcher
    labels it: Babel's display name, its first letter capitalised."""
    from babel import Locale

    name = Locale.parse(code, sep="-").get_display_name(code.replace("-", "_")) or code
    return name[:1].upper() + name[1:]

