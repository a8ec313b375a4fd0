"""The types of the site model: pages, the hub tree and the model itself.

Kept apart from the code that builds them (site.py) so every stage can name them: the view
pages (views.py) are made while the model is built, and render, output and audit read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from sitegen.config.policy import Policy
from sitegen.config.schema import SiteConfig
from sitegen.data.ledger import Ledger
from sitegen.data.locations import Location
from sitegen.model.content import Content
from sitegen.model.urls import output_path


@dataclass
class Hub:
    """A level of the location tree (all, a country, a region, a city) and its page."""

    level: str
    name: str
    url: str
    parent: Hub | None = None
    children: list[Hub] = field(default_factory=list)
    locations: list[Location] = field(default_factory=list)

    def breadcrumbs(self) -> list[tuple[str, str]]:
        trail: list[tuple[str, str]] = []
        node: Hub | None = self
        while node is not None:
            trail.append((node.name, node.url))
            node = node.parent
        return list(reversed(trail))


@dataclass(slots=True)
class Nearby:
    location: Location
    distance: float

    per_page: ClassVar[bool] = True  # fingerprinted inline (builder/fingerprint.PerPage)


@dataclass(slots=True)
class Page:
    """One output page: where it goes, which template renders it, and its own data."""

    url: str
    template: str
    kind: str
    title: str
    description: str
    context: dict[str, Any] = field(default_factory=dict)
    indexable: bool = True
    lastmod: str | None = None
    # Its language in a site of several (model/languages.py; "" with one), and the pages
    # that are the same page in each language, itself included: ((code, url), ...).
    lang: str = ""
    alternates: tuple[tuple[str, str], ...] = ()
    # The file's path, made once: the build keys its per-page records (audits, digests,
    # cache entries) by this one string instead of a copy each.
    output: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.output = output_path(self.url)


@dataclass
class SiteModel:
    config: SiteConfig
    policy: Policy
    locations: list[Location]
    root: Hub
    pages: list[Page]
    static_files: list[tuple[Any, str]]
    nearby: dict[str, list[Nearby]]
    location_pattern: str
    content: Content | None = None
    # Derived data kept between in-place edits (serve sets it; a one-off build does not
    # hold on to it): feed fragments and marker rows, by location fingerprint.
    memo: dict[str, Any] | None = None
    # Locations closed on the build date (no page; feeds list them when
    # feeds.include_closed), and the redirects of the build, old path -> new path, sorted
    # (model/redirects.py).
    closed: list[Location] = field(default_factory=list)
    redirects: list[tuple[str, str]] = field(default_factory=list)
    ledger: Ledger | None = None  # the redirects ledger the build read (data/ledger.py)
    # The brand (render/branding.Brand) and the location photos (render/images.Pictures),
    # for templates: made by the build once the model is complete.
    brand: Any = None
    pictures: Any = None
    # The rows of `locator.postcodes` (data/postcodes.Centroid), for the place index.
    postcodes: list[Any] = field(default_factory=list)
    # A site of several languages: each other language's own model (its config, locations,
    # hub tree and pages, which `pages` holds too), by language code (model/languages.py).
    languages: dict[str, SiteModel] = field(default_factory=dict)
    lang: str = ""  # the language of such a model ("" for the default language's)

    def drop_page_data(self) -> None:
        """Empty every page's context, in place (the `ctas_for` lookup shares the location
        pages' dicts), and the nearby lists. A one-off build calls it once its render
        workers have forked with their own copy: from then on it reads only the pages'
        URLs, paths and dates, and the workers' results take the memory instead of adding
        to it."""
        for page in self.pages:
            page.context.clear()
        self.nearby.clear()
        for view in self.languages.values():
            view.nearby.clear()
