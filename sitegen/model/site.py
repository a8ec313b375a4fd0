"""The site model: every page the build will write, with its URL, template and data.

Everything is gathered here before anything is rendered or written, so URL collisions,
missing hub levels and broken nearby links are found before the output folder is touched.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sitegen.config.languages import home_url
from sitegen.config.policy import Policy
from sitegen.config.schema import SiteConfig
from sitegen.data.locations import Faq, Location
from sitegen.data.places import country_name, region_name
from sitegen.diagnostics import Diagnostic, Report, SitegenError
from sitegen.model.content import Content, ContentPage, LocationContent
from sitegen.model.lifecycle import add_front_matter_promotions, settle
from sitegen.model.nearby import Neighbours, neighbours, to_unit
from sitegen.model.pages import Hub, Nearby, Page, SiteModel
from sitegen.model.phrases import ALL_LOCATIONS, NOT_FOUND, NOT_FOUND_DESCRIPTION, phrase
from sitegen.model.urls import (
    assign_slugs,
    fill,
    hub_patterns,
    location_pattern,
    segment_values,
)
from sitegen.model.views import view_pages


def location_fingerprint(row_key: str, url: str) -> str:
    """A location's fingerprint: its validated row's content key and its URL."""
    return hashlib.blake2b(f"{row_key}|{url}".encode(), digest_size=16).hexdigest()


def place_locations(locations: list[Location], pattern: str) -> list[dict[str, str]]:
    """Give each location its slug, URL and fingerprint, and sort `locations` by URL in
    place; each one's URL segment values, in the new order (slugged once, for its slug's
    scope, its URL and its hubs)."""
    segments = [segment_values(location) for location in locations]
    assign_slugs(locations, pattern, segments)
    for location, values in zip(locations, segments, strict=True):
        values["slug"] = location.slug
        location.url = fill(pattern, values)
        location.fingerprint = location_fingerprint(location.fingerprint, location.url)
    ordered = sorted(zip(locations, segments, strict=True), key=lambda pair: pair[0].url)
    locations[:] = [location for location, _ in ordered]
    return [values for _, values in ordered]


@dataclass(frozen=True)
class Placed:
    """The locations with their slugs, URLs and fingerprints, in URL order: the first part
    of the model, before the hubs and pages are made."""

    config: SiteConfig
    policy: Policy
    locations: list[Location]
    pattern: str  # the location URL pattern (location_pattern)
    segments: list[dict[str, str]]  # each location's URL segment values, in the same order
    today: datetime.date | None = None  # the build date the statuses were settled on
    closed: list[Location] = field(default_factory=list)  # closed on that date: no page
    postcodes: list[Any] = field(default_factory=list)  # locator.postcodes rows
    # Each location's nearest (`nearby_search`), when a build searches beside the rest of
    # the model (builder/stages.py); otherwise add_nearby searches.
    neighbours: Callable[[], Neighbours] | None = None

    def located_model(self) -> SiteModel:
        """The model of the placed locations alone: all that the location artifacts read
        (feeds, markers), so a build can write them while it makes the rest."""
        config = self.config
        return SiteModel(config, self.policy, self.locations,
                         Hub("root", "Locations", config.urls.locations), [], [], {},
                         self.pattern, closed=self.closed, postcodes=self.postcodes)


def nearby_search(placed: Placed) -> Callable[[], Neighbours]:
    """The search for each placed location's nearest others: a call that pickles small (the
    coordinates), so a build can run it in another process while it makes the rest."""
    return functools.partial(neighbours, [(loc.lat, loc.lng) for loc in placed.locations],
                             placed.config.nearby.count)


def place(config: SiteConfig, policy: Policy, locations: list[Location],
          today: datetime.date | None = None) -> Placed:
    """Give every location its URL (place_locations, which sorts `locations` in place),
    closed ones too (so a closing never moves another location's URL), then settle each
    status on `today` (model/lifecycle.py) and set the closed ones apart."""
    pattern = location_pattern(config, locations)
    segments = place_locations(locations, pattern)
    if today is None:
        return Placed(config, policy, locations, pattern, segments)
    settle(locations, today)
    live = [(loc, values) for loc, values in zip(locations, segments, strict=True)
            if loc.status != "closed"]
    closed = [loc for loc in locations if loc.status == "closed"]
    return Placed(config, policy, [loc for loc, _ in live], pattern,
                  [values for _, values in live], today, closed)


def build_model(placed: Placed, content: Content, report: Report) -> SiteModel:
    """The model of the placed locations and the content: hubs, pages, nearby lists."""
    config, policy, locations = placed.config, placed.policy, placed.locations
    pattern = placed.pattern
    ordered = list(zip(locations, placed.segments, strict=True))
    _apply_location_content(locations, content.locations, report)
    add_front_matter_promotions(locations, content.locations, placed.today, report)
    root = _hubs(config, ordered, pattern)
    pages: list[Page] = []
    pages.extend(_content_page(config, page) for page in content.pages)
    home = home_url(config)
    if not any(page.url == home for page in content.pages):
        pages.append(Page(home, "home.html", "home", config.site.name,
                          config.site.description, {"body_html": ""}))
    pages.extend(_hub_pages(config, root))
    pages.extend(view_pages(config, root))
    # Each location's page holds its nearby list, filled by add_nearby once the search
    # answers (in a build, it runs in another process while the model is made).
    nearby: dict[str, list[Nearby]] = {loc.id: [] for loc in locations}
    pages.extend(location_page(config, loc, nearby[loc.id], content.locations) for loc in
                 locations)
    for page in pages:  # a temporary closure's structured data starts on the build date
        if page.kind == "location" and page.context["location"].status == \
                "temporarily_closed":
            page.context["closed_from"] = placed.today
    lang = config.site.language
    pages.append(Page(home + "404.html", "404.html", "404", phrase(NOT_FOUND, {}, lang),
                      phrase(NOT_FOUND_DESCRIPTION, {}, lang), {}, indexable=False))
    check_unique_urls(pages)
    return SiteModel(config, policy, locations, root, pages, content.static_files, nearby,
                     pattern, closed=placed.closed, postcodes=placed.postcodes)


def _apply_location_content(locations: list[Location], extra: dict[str, LocationContent],
                            report: Report) -> None:
    keys = {loc.id for loc in locations} | {loc.slug for loc in locations}
    for key, item in sorted(extra.items()):
        if key not in keys:
            report.warning(item.source, None, None, f"no location has the id or slug '{key}'",
                           "rename the file to a location's id (e.g. its store code)")


def _content_for(location: Location, extra: dict[str, LocationContent]) -> LocationContent | None:
    return extra.get(location.id) or extra.get(location.slug)


def _hubs(config: SiteConfig, located: list[tuple[Location, dict[str, str]]],
          pattern: str) -> Hub:
    """The hub tree; `located`: each location with its segment values, in URL order."""
    root = Hub("root", "Locations", config.urls.locations)
    levels = hub_patterns(pattern)
    index: dict[str, Hub] = {}
    for location, values in located:
        root.locations.append(location)
        parent = root
        for level, level_pattern in levels:
            url = fill(level_pattern, values)
            hub = index.get(url)
            if hub is None:
                hub = Hub(level, _level_name(level, location), url, parent)
                index[url] = hub
                parent.children.append(hub)
            hub.locations.append(location)
            parent = hub
    for hub in index.values():
        hub.children.sort(key=lambda h: h.name.casefold())
    root.children.sort(key=lambda h: h.name.casefold())
    return root


def _level_name(level: str, location: Location) -> str:
    if level == "country":
        return country_name(location.country)
    if level == "region":
        return region_name(location.region, location.country)
    return str(getattr(location, level, "") or "")


def _all_hubs(root: Hub) -> list[Hub]:
    out, stack = [], [root]
    while stack:
        hub = stack.pop()
        out.append(hub)
        stack.extend(reversed(hub.children))
    return out


def _hub_pages(config: SiteConfig, root: Hub) -> list[Page]:
    pages = []
    for hub in _all_hubs(root):
        place = "all regions" if hub.level == "root" else hub.name
        if hub.parent is not None and hub.parent.level != "root" and hub.level == "city":
            place = f"{hub.name}, {hub.parent.name}"
        values = {"place": place, "count": len(hub.locations), "site": config.site.name}
        lang = config.site.language
        title = phrase(ALL_LOCATIONS if hub.level == "root" else config.seo.hub_title,
                       values, lang)
        pages.append(Page(hub.url, "hub.html", "hub", title,
                          phrase(config.seo.hub_description, values, lang), {"hub": hub}))
    return pages


def _content_page(config: SiteConfig, page: ContentPage) -> Page:
    home = page.url == home_url(config)
    title = page.title if home else phrase(config.seo.title, {
        "title": page.title, "site": config.site.name}, config.site.language)
    kind = "home" if home else "page"
    return Page(page.url, page.template, kind, title, page.description,
                {"body_html": page.body_html, "heading": page.title, "meta": page.meta,
                 "source": page.source, "key": page.key},
                indexable=page.meta.get("robots") != "noindex")


def location_page(config: SiteConfig, location: Location, nearby: list[Nearby],
                   extra: dict[str, LocationContent]) -> Page:
    item = _content_for(location, extra)
    meta = item.meta if item else {}
    values = _location_values(config, location)
    lang = config.site.language
    title = str(meta["title"]) if meta.get("title") else \
        phrase(config.seo.location_title, values, lang)
    description = str(meta["description"]) if meta.get("description") else \
        phrase(config.seo.location_description, values, lang)
    faqs = list(location.faqs)
    for faq in meta.get("faqs") or []:
        if isinstance(faq, dict) and faq.get("question") and faq.get("answer"):
            faqs.append(Faq(str(faq["question"]), str(faq["answer"])))
    context = {
        "location": location,
        "nearby": nearby,
        "faqs": faqs,
        "promotions": list(location.promotions),
        "extra_html": item.body_html if item else "",
        "region_name": region_name(location.region, location.country),
        "country_name": country_name(location.country),
    }
    return Page(location.url, "location.html", "location", title, description, context,
                lastmod=meta.get("lastmod") and str(meta["lastmod"]))


def _location_values(config: SiteConfig, location: Location) -> dict[str, str]:
    return {
        "name": location.name, "street": location.street or "",
        "city": location.city_shown or "",
        "region": region_name(location.region_shown, location.country),
        "postal_code": location.postal_code or "", "country": country_name(location.country),
        "neighbourhood": location.neighbourhood or location.city or "",
        "site": config.site.name, "id": location.id,
    }


def add_nearby(model: SiteModel, placed: Placed) -> None:
    """Each location's nearest others, into the list its page holds, in the model and in
    each language's: asked of the search (`placed.neighbours`) once the rest of the model is
    made, as late as can be (a build runs it in another process meanwhile)."""
    found = (placed.neighbours or nearby_search(placed))()
    for view in (model, *model.languages.values()):
        per_km = to_unit(1.0, view.config.site.unit)
        locations = view.locations
        for i, location in enumerate(locations):
            view.nearby[location.id].extend(
                Nearby(locations[j], round(km * per_km, 1)) for j, km in found.of(i))


def check_unique_urls(pages: list[Page]) -> None:
    seen: dict[str, Page] = {}
    problems = []
    for page in pages:
        try:
            page.output  # noqa: B018 - refuses a path leaving the output folder
        except ValueError:
            problems.append(Diagnostic(page.context.get("source", page.url), None, "url",
                                       f"'{page.url[:80]}' leaves the output folder or is "
                                       "not a valid file name",
                                       "slugs and URLs must stay inside the site"))
            continue
        other = seen.get(page.output)
        if other is not None:
            problems.append(Diagnostic(page.context.get("source", page.url), None, "url",
                                       f"two pages write {page.output} ({other.kind} "
                                       f"{other.url} and {page.kind} {page.url})",
                                       "change one page's url"))
        seen[page.output] = page
    if problems:
        raise SitegenError(problems)
