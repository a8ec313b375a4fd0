"""The redirects of a build: every old location URL, answered in one hop by a live page.

Where each old path goes (docs/lifecycle.md):

- a URL the ledger lists under a location that has a page now -> that page;
- the URL of a location closed on the build date (its current URL and every URL the ledger
  lists under it) -> the nearest location open that day within `redirects.nearest_km`
  (ties: the smaller id), else the nearest hub above its URL (its city hub while the city
  has locations, else its region's ...);
- a URL under an id the dataset no longer has -> the nearest hub above that URL;
- a path of the ledger's `paths:` -> its target, a location id or a path; a path that is
  itself an old path is followed (chains collapse to their last page); a loop, or a
  target that is no page of the build, is an error naming the ledger line.

A path that is a page of this build is never redirected (the live page wins). Protected
builds write no redirects at all: their host rules and stubs would publish locations'
names in paths outside the protection, and their URLs are not the public ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sitegen.data.ledger import Ledger
from sitegen.data.locations import Location
from sitegen.diagnostics import Report
from sitegen.model.nearby import EARTH_KM
from sitegen.model.pages import Page, SiteModel
from sitegen.model.phrases import MOVED, MOVED_DESCRIPTION, phrase

REDIRECT_TEMPLATE = "redirect.html"


@dataclass(frozen=True)
class _Source:
    """Why an old path redirects: a location id (`ident`), or a ledger `paths:` target."""

    ident: str | None = None
    target: str | None = None


def km_between(a: Location, b: Location) -> float:
    """Great-circle distance in kilometres (haversine)."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlng = lat2 - lat1, math.radians(b.lng - a.lng)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlng / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


class _Resolver:
    def __init__(self, model: SiteModel, ledger: Ledger, rel: str, report: Report) -> None:
        self.model, self.ledger, self.rel, self.report = model, ledger, rel, report
        self.pages = {page.url for page in model.pages}
        self.hubs = {page.url for page in model.pages if page.kind == "hub"}
        self.live = {loc.id: loc.url for loc in model.locations}
        self.closed = {loc.id: loc for loc in model.closed}
        self.open = sorted((loc for loc in model.locations if loc.status == "open"),
                           key=lambda loc: loc.id)
        self.sources = self._sources()

    def _sources(self) -> dict[str, _Source]:
        sources: dict[str, _Source] = {}
        for ident, urls in sorted(self.ledger.locations.items()):
            for url in urls:
                first = sources.get(url)
                if first is not None and first.ident != ident:
                    if url not in self.pages:
                        self.report.warning(self.rel, self.ledger.lines.get(
                            ("locations", ident)), f"locations.{ident}",
                            f"{url} is listed under {first.ident} too; it redirects as "
                            f"{first.ident}'s", "keep each path under one location id")
                    continue
                sources[url] = _Source(ident=ident)
        for loc in self.model.closed:
            sources.setdefault(loc.url, _Source(ident=loc.id))
        for old, target in sorted(self.ledger.paths.items()):
            sources[old] = _Source(target=target)
        return {old: why for old, why in sources.items() if old not in self.pages}

    def hub_above(self, path: str) -> str:
        """The nearest hub page above `path` (the locations index, or the home page)."""
        parts = [part for part in path.split("/") if part]
        while parts:
            parts.pop()
            url = "/" + "".join(part + "/" for part in parts)
            if url in self.hubs:
                return url
        return self.model.config.urls.locations if self.model.config.urls.locations in \
            self.pages else "/"

    def closed_target(self, location: Location) -> str:
        limit = self.model.config.redirects.nearest_km
        best = min(((km_between(location, other), other.id, other.url) for other in self.open
                    if other.id != location.id), default=None)
        if best is not None and best[0] <= limit:
            return best[2]
        return self.hub_above(location.url)

    def of_id(self, ident: str, old: str) -> str | None:
        if ident in self.live:
            return self.live[ident]
        if ident in self.closed:
            return self.closed_target(self.closed[ident])
        return None

    def resolve(self, old: str) -> str | None:
        """Where `old` ends up in one hop, following `paths:` chains; None with an error."""
        chain = [old]
        why = self.sources[old]
        while True:
            if why.ident is not None:
                return self.of_id(why.ident, old) or self.hub_above(old)
            target = why.target or ""
            if not target.startswith("/"):
                found = self.of_id(target, old)
                if found is None:
                    self._error(chain[0], f"no location has the id '{target}'",
                                "write an id of the dataset or a path of the site")
                return found
            if target in self.pages:
                return target
            if target in chain:
                self._error(chain[0], "redirect loop: " + " -> ".join([*chain, target]),
                            "point one of these paths at a page of the site")
                return None
            if target not in self.sources:
                self._error(chain[0], f"{target} is not a page of this build",
                            "point it at a page the site has, or a location id")
                return None
            chain.append(target)
            why = self.sources[target]

    def _error(self, old: str, message: str, hint: str) -> None:
        self.report.error(self.rel, self.ledger.lines.get(("paths", old)), f"paths.{old}",
                          message, hint)


def plan_redirects(model: SiteModel, ledger: Ledger, report: Report) -> list[tuple[str, str]]:
    """Every old path of the ledger and of the closed locations with its final page."""
    if model.policy.protected:
        return []
    resolver = _Resolver(model, ledger, model.config.redirects.ledger, report)
    redirects = []
    for old in sorted(resolver.sources):
        target = resolver.resolve(old)
        if target is not None and target != old:
            redirects.append((old, target))
    return redirects


def attach(model: SiteModel, ledger: Ledger, report: Report) -> None:
    """Set `model.redirects` and add a stub page at each old path (redirects.stubs)."""
    model.redirects = plan_redirects(model, ledger, report)
    if not model.config.redirects.stubs:
        return
    outputs = {page.output for page in model.pages}
    for old, new in model.redirects:
        lang = model.config.site.language
        page = Page(old, REDIRECT_TEMPLATE, "redirect", phrase(MOVED, {}, lang),
                    phrase(MOVED_DESCRIPTION, {"target": new}, lang), {"target": new},
                    indexable=False)
        if page.output not in outputs:
            model.pages.append(page)
