"""Calls to action: the buttons a location shows (call, directions, book, email, custom links).

Which buttons, in which order, is decided per location from the most specific list that
exists, each one a complete list (an `inherit` entry splices in the next, less specific one):

    content/locations/<id>.md front matter `ctas:`  >  the dataset's `ctas` column
    >  config `ctas.locations.<id>`  >  config `ctas.categories.<first matching category>`
    >  config `ctas.site`

Everything is resolved and checked before rendering (a bad URL is a diagnostic naming the
file), and stored on the location page's context as `ctas`; cards ask `ctas_for(location)`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import quote

from pydantic import TypeAdapter, ValidationError

from sitegen.config.schema import CTA_BUILTINS, CtaItem, SiteConfig, expand_cta_entries
from sitegen.data.locations import Location
from sitegen.diagnostics import Report
from sitegen.model.content import Content, LocationContent
from sitegen.model.pages import Page, SiteModel
from sitegen.model.urls import DIRECTIONS

DEFAULT_LABELS = {
    "call": "Call {phone}",
    "directions": "Directions to {name}",
    "book": "Book at {name}",
    "email": "Email {name}",
    "website": "Website",
}
SECONDARY_BY_DEFAULT = {"website"}
EXTERNAL = {"directions", "book", "website"}
_ITEMS = TypeAdapter(list[CtaItem])
_SAFE_SCHEMES = ("http://", "https://", "tel:", "mailto:", "sms:")
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20]")


@dataclass(frozen=True, slots=True)
class Cta:
    """One rendered call to action; `href` None means plain text (an unlinkable phone)."""

    kind: str
    label: str
    href: str | None
    primary: bool = True
    external: bool = False
    # A built-in label ("Directions to {name}") and the values it was filled with, so the
    # theme can say it in the page's language (render/i18n.py); "" for the site's own label.
    template: str = ""
    values: tuple[tuple[str, str], ...] = ()

    per_page: ClassVar[bool] = True  # fingerprinted inline (builder/fingerprint.PerPage)


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def _values(location: Location) -> dict[str, str]:
    return {
        "id": location.id, "slug": location.slug, "name": location.name,
        "street": location.street or "", "city": location.city or "",
        "region": location.region or "", "postal_code": location.postal_code or "",
        "country": location.country or "",
        "phone": location.phone.display if location.phone else "",
        "url": location.url,
    }


def safe_href(value: str) -> bool:
    """http(s), tel:, mailto:, sms: or site-relative; never javascript:, data: or //host."""
    lowered = _CONTROL_OR_SPACE.sub("", value).lower()
    if lowered.startswith(_SAFE_SCHEMES):
        return True
    return value.startswith("/") and not value.startswith("//") and "\\" not in value


def _fill_url(template: str, values: dict[str, str]) -> str:
    return template.format_map(_Blank({k: quote(v, safe="") for k, v in values.items()}))


def _fill_label(template: str, values: dict[str, str]) -> str:
    return " ".join(template.format_map(_Blank(values)).split())


def parse_override(value: Any) -> list[CtaItem]:
    """A front matter list, or a dataset cell: a JSON list or `call, directions, book`."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            value = json.loads(text)
        else:
            value = [part.strip() for part in text.split(",") if part.strip()]
    if not isinstance(value, list):
        raise ValueError("ctas must be a list, e.g. [call, directions, {label: ..., url: ...}]")
    return _ITEMS.validate_python(expand_cta_entries(value))


def _problem(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = "ctas" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}"
                                 for p in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        return f"{where}: {message[:1].lower()}{message[1:]}"
    if isinstance(exc, json.JSONDecodeError):
        return f"ctas: invalid JSON: {exc.msg}"
    return f"ctas: {exc}"


@dataclass(frozen=True, slots=True)
class _Filling:
    """What one location's calls to action are filled in with: its values once."""

    location: Location
    values: dict[str, str]
    directions_url: str


class CtaResolver:
    """Resolves every location's list once; the results are plain data for the templates."""

    def __init__(self, config: SiteConfig, labels: dict[str, str] | None = None):
        self.config = config
        chosen = labels or config.ctas.labels
        self.labels: dict[str, str] = {**DEFAULT_LABELS, **{k: v for k, v in chosen.items()}}

    def chain(self, location: Location, overrides: list[list[CtaItem]]) -> list[list[CtaItem]]:
        """The candidate lists, most specific first (only the first one is used, plus inherits)."""
        settings = self.config.ctas
        lists = list(overrides)
        if location.id in settings.locations:
            lists.append(settings.locations[location.id])
        for category in location.categories:
            if category in settings.categories:
                lists.append(settings.categories[category])
                break
        lists.append(settings.site)
        return lists

    def items(self, lists: list[list[CtaItem]]) -> list[CtaItem]:
        if not lists:
            return []
        head, rest = lists[0], lists[1:]
        out: list[CtaItem] = []
        for item in head:
            if item.type == "inherit":
                out.extend(self.items(rest))
            else:
                out.append(item)
        return out

    def build(self, location: Location, items: list[CtaItem], directions_url: str,
              problem: Callable[[str], None]) -> list[Cta]:
        out: list[Cta] = []
        seen: set[tuple[str, str | None]] = set()
        filling = _Filling(location, _values(location), directions_url)
        for item in items:
            cta = self._one(filling, item, problem)
            if cta is not None and (cta.kind, cta.href) not in seen:
                seen.add((cta.kind, cta.href))
                out.append(cta)
        return out

    def _one(self, filling: _Filling, item: CtaItem, problem: Callable[[str], None]
             ) -> Cta | None:
        location, values = filling.location, filling.values
        kind = item.type
        label_template = item.label or self.labels.get(kind, "")
        primary = item.style != "secondary" if item.style else kind not in SECONDARY_BY_DEFAULT
        href: str | None
        if item.url:
            href = _fill_url(item.url, values)
        elif kind == "call":
            if not location.phone:
                return None
            href = f"tel:{location.phone.e164}" if location.phone.e164 else None
            if href is None:  # shown as written, without a link, as before
                return Cta(kind, f"Phone: {location.phone.display}", None, primary)
        elif kind == "directions":
            href = filling.directions_url
        elif kind == "book":
            href = location.booking_url
        elif kind == "email":
            href = f"mailto:{location.email}" if location.email else None
        elif kind == "website":
            href = location.website
        else:  # a custom link without a url is refused by the schema
            href = None
        if not href:
            return None
        if not safe_href(href):
            problem(f"'{href[:80]}' is not an http(s), tel:, mailto: or site-relative URL")
            return None
        label = _fill_label(label_template, values) or kind.title()
        external = kind in EXTERNAL or href.startswith(("http://", "https://"))
        if label_template != DEFAULT_LABELS.get(kind):  # the site's own label
            return Cta(kind, label, href, primary, external)
        return Cta(kind, label, href, primary, external, label_template,
                   tuple((key, str(values.get(key) or "")) for key in ("name", "phone")))


def directions_url(config: SiteConfig, location: Location) -> str:
    """The map link for the location's coordinates (written with digits, `-` and `.`, or
    `nan`/`inf`, none of which a URL escapes)."""
    return DIRECTIONS[config.site.directions].format(
        lat=f"{location.lat:.6f}", lng=f"{location.lng:.6f}")


def _content_for(location: Location, content: Content) -> LocationContent | None:
    return content.locations.get(location.id) or content.locations.get(location.slug)


def attach(model: SiteModel, content: Content, report: Report) -> None:
    """Resolve every location's CTAs into its page context (`ctas`, `card_ctas`)."""
    resolver = CtaResolver(model.config)
    for page in model.pages:
        if page.kind == "location":
            attach_page(model, page, content, report, resolver)


def attach_page(model: SiteModel, page: Page, content: Content, report: Report,
                resolver: CtaResolver | None = None) -> None:
    """Resolve one location page's CTAs (also used by `sitegen serve` after an edit)."""
    resolver = resolver or CtaResolver(model.config)
    card_kinds = set(model.config.ctas.card)
    location: Location = page.context["location"]
    overrides: list[list[CtaItem]] = []
    item = _content_for(location, content)
    if item is not None and item.meta.get("ctas") is not None:
        try:
            overrides.append(parse_override(item.meta["ctas"]))
        except (ValueError, ValidationError) as exc:
            report.error(item.source, 2, None, _problem(exc),
                         "write a list of call, directions, book, email, website, inherit "
                         "or {label: ..., url: ...}")
    cell = location.extra.get("ctas")
    if cell not in (None, ""):
        try:
            overrides.append(parse_override(cell))
        except (ValueError, ValidationError) as exc:
            report.error(location.source, location.row, None, _problem(exc),
                         'write call, directions, book or a JSON list such as '
                         '[{"label": "Order", "url": "https://..."}]')
    source = item.source if item is not None and overrides else location.source

    def problem(message: str, location: Location = location, source: str = source) -> None:
        report.error(source, location.row if source == location.source else None,
                     "ctas", message, "write https://..., tel:, mailto: or /path")

    items = resolver.items(resolver.chain(location, overrides))
    ctas = resolver.build(location, items, directions_url(model.config, location), problem)
    page.context["ctas"] = ctas
    page.context["card_ctas"] = [c for c in ctas if c.kind in card_kinds]


class CtaLookup:
    """The `ctas_for(location, where="card")` template function, for cards and list views.

    `fingerprint` digests every location's list, so an incremental build re-renders the pages
    that call it when any call to action changes. The per-location digests are made the
    first time the fingerprint is asked for (by the pages that call `ctas_for`), not when
    the lookup is made, before any page is rendered. Serve keeps them and redoes only an
    edited location's."""

    def __init__(self, model: SiteModel):
        self._contexts: dict[str, dict[str, Any]] = {}
        self._digests: dict[str, bytes] | None = None
        self._fingerprint: str | None = None
        self._lang = model.lang  # a site of several languages: this language's pages
        for page in model.pages:
            self.update(page)

    def update(self, page: Page) -> None:
        """Take one location page's (possibly re-resolved) CTAs."""
        if page.kind == "location" and "ctas" in page.context and page.lang == self._lang:
            ident = page.context["location"].id
            self._contexts[ident] = page.context
            if self._digests is not None:
                self._digests[ident] = self._digest(ident)
                self._fingerprint = None

    def _digest(self, ident: str) -> bytes:
        context = self._contexts[ident]
        return hashlib.blake2b(repr((ident, context["card_ctas"], context["ctas"]))
                               .encode("utf-8", "surrogatepass"), digest_size=16).digest()

    @property
    def fingerprint(self) -> str:
        if self._digests is None:
            self._digests = {ident: self._digest(ident) for ident in self._contexts}
        if self._fingerprint is None:
            self._fingerprint = hashlib.sha256(
                b"".join(self._digests[k] for k in sorted(self._digests))).hexdigest()
        return self._fingerprint

    def __call__(self, location: Location, where: str = "card") -> list[Cta]:
        context = self._contexts.get(location.id)
        if context is None:
            return []
        return context["ctas"] if where == "detail" else context["card_ctas"]


def lookup(model: SiteModel) -> CtaLookup:
    return CtaLookup(model)


__all__ = ["CTA_BUILTINS", "Cta", "CtaResolver", "attach", "lookup", "parse_override"]
