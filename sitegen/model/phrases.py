"""The titles and descriptions the model writes, kept with their message and values.

A page's title is English text (`Phrase` is a `str`), so English pages, fingerprints and
everything that reads a title as text are unchanged; the renderer says it again in the
page's language from the theme's catalog (render/i18n.localized), where the catalog has
the message. The config's `seo.*` templates are messages too: the defaults are in the
default theme's catalogs, a site's own template is shown as written unless its theme's
catalog translates it.
"""

from __future__ import annotations

import re
from typing import Any

# The messages of this module are listed for the catalog in render/i18n.MODEL_MESSAGES.
ALL_LOCATIONS = "All locations | {site}"
MAP_TITLE = "Map of all locations | {site}"
MAP_DESCRIPTION = ("Search {count} {site} locations on a map by name, city, postcode or "
                   "service, or find the nearest to you.")
VIEW_TITLES = {"list": "All locations: list | {site}", "cards": "All locations: cards | {site}"}
VIEW_PAGE_TITLES = {"list": "All locations: list, page {number} of {pages} | {site}",
                    "cards": "All locations: cards, page {number} of {pages} | {site}"}
VIEW_DESCRIPTION = "All {count} {site} locations by region and city."
VIEW_PAGE_DESCRIPTION = "All {count} {site} locations by region and city, page {number} of {pages}."
NOT_FOUND = "Page not found"
NOT_FOUND_DESCRIPTION = "The page you asked for does not exist."
THANKS_TITLE = "Thank you | {site}"
THANKS_DESCRIPTION = "Your message has been sent."
MOVED = "This page has moved"
MOVED_DESCRIPTION = "This page has moved to {target}"
MESSAGES = (ALL_LOCATIONS, MAP_TITLE, MAP_DESCRIPTION, *VIEW_TITLES.values(),
            *VIEW_PAGE_TITLES.values(), VIEW_DESCRIPTION, VIEW_PAGE_DESCRIPTION, NOT_FOUND,
            NOT_FOUND_DESCRIPTION, THANKS_TITLE, THANKS_DESCRIPTION, MOVED, MOVED_DESCRIPTION)

_STRAY_COMMA = re.compile(r"\s*,[\s,]*(?=([.|])|$)")


class Phrase(str):
    """English text with the message (`msgid`) and `values` it was written from."""

    msgid: str
    values: dict[str, Any]


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def fill_template(template: str, values: dict[str, Any]) -> str:
    """`template` with its `{name}` placeholders filled; a missing or blank value leaves no
    stray comma or separator behind ("at {street}, {city}." with no city)."""
    text = " ".join(template.format_map(_Blank(values)).split())
    return _STRAY_COMMA.sub(lambda m: " " if m.group(1) == "|" else "",
                            text.replace(" ,", ",")).strip(" ,|")


def phrase(msgid: str, values: dict[str, Any], lang: str) -> str:
    """`msgid` filled with `values`: a `Phrase` on a page in another language than English
    (the messages' own), plain text on an English page, which keeps no values."""
    text = fill_template(msgid, values)
    if lang.split("-", 1)[0].lower() == "en":
        return text
    said = Phrase(text)
    said.msgid, said.values = msgid, values
    return said
