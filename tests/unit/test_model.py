"""The model stage from in-memory inputs: locations placed at their URLs, then the hubs,
pages and nearby lists of the site (model/site.py), without reading or writing a file."""

from __future__ import annotations

import pytest
from support.sites import sample_location

from sitegen.config.policy import Policy
from sitegen.config.schema import SiteConfig
from sitegen.data.locations import Location, ValidationResult
from sitegen.diagnostics import Report, SitegenError
from sitegen.model.content import Content, ContentPage
from sitegen.model.site import add_nearby, build_model, place
from sitegen.model.urls import require_url_fields

POLICY = Policy(name="production", kind="production", indexable=True, protection="none",
                analytics=None, forms="disabled", forms_endpoint=None, data="real",
                banner=None, base_url="https://example.com", password=None)
CONFIG = SiteConfig.model_validate({"base_url": "https://example.com",
                                    "site": {"name": "Beans"}})


def _locations() -> list[Location]:
    return [
        sample_location(id="S3", name="Beans Mission", city="San Francisco", region="CA",
                        street="1 Valencia St", lat=37.76, lng=-122.42, row=4),
        sample_location(id="S1", name="Beans Hayes", city="San Francisco", region="CA",
                        street="2 Hayes St", lat=37.77, lng=-122.42, row=2),
        sample_location(id="S2", name="Beans Oakland", city="Oakland", region="CA",
                        street="3 Broadway", lat=37.80, lng=-122.27, row=3),
    ]


def _content(*pages: ContentPage) -> Content:
    return Content(list(pages), {}, [])


def test_place_gives_each_location_its_url_and_sorts_by_it() -> None:
    locations = _locations()
    placed = place(CONFIG, POLICY, locations)
    assert [loc.url for loc in placed.locations] == [
        "/locations/ca/oakland/beans-oakland/",
        "/locations/ca/san-francisco/beans-hayes/",
        "/locations/ca/san-francisco/beans-mission/"]
    assert placed.locations is locations  # sorted in place
    assert [values["city"] for values in placed.segments] == [
        "oakland", "san-francisco", "san-francisco"]
    assert all(len(loc.fingerprint) == 32 for loc in placed.locations)


def test_a_location_url_does_not_depend_on_row_order() -> None:
    forward = {loc.id: loc.url for loc in place(CONFIG, POLICY, _locations()).locations}
    backward = {loc.id: loc.url for loc in
                place(CONFIG, POLICY, list(reversed(_locations()))).locations}
    assert forward == backward


def test_several_countries_add_a_country_level_to_the_default_pattern() -> None:
    locations = [*_locations(), sample_location(id="T1", name="Beans Queen West",
                                                city="Toronto", region="ON", country="CA",
                                                lat=43.64, lng=-79.41)]
    placed = place(CONFIG, POLICY, locations)
    assert placed.pattern == "/locations/{country}/{region}/{city}/{slug}/"
    assert "/locations/ca/on/toronto/beans-queen-west/" in [loc.url for loc in locations]


def test_the_model_has_every_page_of_the_site() -> None:
    model = build_model(place(CONFIG, POLICY, _locations()), _content(), Report())
    by_kind: dict[str, list[str]] = {}
    for page in model.pages:
        by_kind.setdefault(page.kind, []).append(page.url)
    assert by_kind["home"] == ["/"]
    assert by_kind["hub"] == ["/locations/", "/locations/ca/", "/locations/ca/oakland/",
                              "/locations/ca/san-francisco/"]
    assert by_kind["location"] == [loc.url for loc in model.locations]
    assert by_kind["locator-map"] == ["/locations/map/"]
    assert by_kind["404"] == ["/404.html"]
    assert [p.output for p in model.pages if not p.indexable] == ["404.html"]
    region = model.root.children[0]
    assert (region.level, region.name) == ("region", "California")
    assert [hub.name for hub in region.children] == ["Oakland", "San Francisco"]
    assert [loc.id for loc in region.children[1].locations] == ["S1", "S3"]


def test_nearby_lists_are_the_nearest_other_locations_in_the_site_unit() -> None:
    placed = place(CONFIG, POLICY, _locations())
    model = build_model(placed, _content(), Report())
    hayes = model.nearby["S1"]
    assert hayes == []  # filled once the search answers
    add_nearby(model, placed)
    page = next(page for page in model.pages if page.url == model.locations[0].url)
    assert page.context["nearby"] is model.nearby[model.locations[0].id]
    assert [entry.location.id for entry in hayes] == ["S3", "S2"]
    assert 0 < hayes[0].distance < hayes[1].distance
    assert all(entry.location.id != "S1" for entry in hayes)


def test_a_content_page_at_a_location_url_is_refused_with_both_pages_named() -> None:
    page = ContentPage("content/clash.md", "/locations/ca/oakland/beans-oakland/", "Clash", "",
                       "page.html", "<p>x</p>")
    with pytest.raises(SitegenError) as caught:
        build_model(place(CONFIG, POLICY, _locations()), _content(page), Report())
    # named after the page that comes second (a location page: by its URL)
    assert [d.format() for d in caught.value.diagnostics] == [
        "/locations/ca/oakland/beans-oakland/: url: two pages write "
        "locations/ca/oakland/beans-oakland/index.html "
        "(page /locations/ca/oakland/beans-oakland/ and location "
        "/locations/ca/oakland/beans-oakland/) (change one page's url)"]


def test_a_location_without_a_field_its_url_needs_is_an_error_or_skipped() -> None:
    locations = _locations()
    locations[1].region = None
    result = ValidationResult(locations, 3, 0)
    report = Report()
    kept = require_url_fields(result, "/locations/{region}/{city}/{slug}/", report,
                              skip_bad_rows=False)
    assert [loc.id for loc in kept.locations] == ["S3", "S2"]
    assert [d.format() for d in report.items] == [
        "locations.csv:2: region: required by the URL pattern "
        "/locations/{region}/{city}/{slug}/ (fill region or change urls.location)"]
    report = Report()
    skipped = require_url_fields(result, "/locations/{region}/{city}/{slug}/", report,
                                 skip_bad_rows=True)
    assert skipped.rows_skipped == 1
    assert [d.severity for d in report.items] == ["warning", "warning"]
