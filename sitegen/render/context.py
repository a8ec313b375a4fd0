"""Per-page template data derived from the model: JSON-LD, breadcrumbs, directions.

Kept apart from the templates so the structured data is built as data (and tested as data),
and apart from the model so the model stays a plain description of pages.
"""

from __future__ import annotations

from typing import Any

from sitegen.config.languages import home_url, multilingual
from sitegen.data.hours import SpecialDay
from sitegen.data.markup import render_untrusted
from sitegen.memo import by_identity
from sitegen.model import ctas, leads
from sitegen.model.pages import Hub, Page, SiteModel
from sitegen.render import mapcode, maps, seo

CHILD_LABELS = {"country": "countries", "region": "regions", "city": "cities"}


@by_identity
def special_hours_data(days: list[SpecialDay]) -> dict[str, list[list[int]]]:
    """`{"2026-12-25": [], "2026-12-24": [[420, 840]]}`: holiday hours for the browser."""
    return {day.date.isoformat(): [list(i) for i in day.intervals] for day in days}


def page_extras(model: SiteModel, page: Page, hubs_by_url: dict[str, Hub]) -> dict[str, Any]:
    config, policy = model.config, model.policy
    extras: dict[str, Any] = {"jsonld": [], "og_image": None}
    if page.kind == "home":
        extras["jsonld"] = seo.home_jsonld(config, policy)
    elif page.kind == "hub":
        hub: Hub = page.context["hub"]
        trail = [("Home", home_url(config)), *hub.breadcrumbs()]
        extras["trail"] = trail
        extras["jsonld"] = [seo.breadcrumb_jsonld(policy, trail)]
        child = hub.children[0].level if hub.children else "city"
        extras["child_label"] = CHILD_LABELS.get(child, "areas")
    elif page.kind == "locator-map":
        extras["map"] = mapcode.rendered_map(page.context["map"])
    elif page.kind == "location":
        location = page.context["location"]
        parent_url = location.url.rstrip("/").rsplit("/", 1)[0] + "/"
        parent = hubs_by_url.get(parent_url, model.root)
        trail = [("Home", home_url(config)), *parent.breadcrumbs(),
                 (location.name, location.url)]
        extras["trail"] = trail
        extras["description_html"] = render_untrusted(location.description) \
            if location.description else ""
        jsonld = [seo.location_jsonld(config, policy, location, page.context.get("closed_from")),
                  seo.breadcrumb_jsonld(policy, trail)]
        if page.context["faqs"]:
            jsonld.append(seo.faq_jsonld(page.context["faqs"]))
        extras["jsonld"] = jsonld
        extras["directions_url"] = ctas.directions_url(config, location)
        extras["location_map"] = maps.detail_map(config, location)
        # Most locations have no holidays, each with its own empty list: not worth memoising.
        extras["special_json"] = special_hours_data(location.special_hours) \
            if location.special_hours else {}
        if location.image:
            extras["og_image"] = location.image if location.image.startswith("http") else \
                seo.absolute(policy.base_url, location.image)
    if multilingual(config):
        extras["jsonld"] = [*extras["jsonld"],
                            seo.webpage_jsonld(policy, page, config.site.language)]
    form = leads.page_form(config, policy, page)
    if form is not None:
        extras["lead_form"] = form
    return extras


def all_hubs(model: SiteModel) -> dict[str, Hub]:
    """Every hub by URL, each language's too."""
    out: dict[str, Hub] = {}
    stack = [model.root, *(view.root for view in model.languages.values())]
    while stack:
        hub = stack.pop()
        out[hub.url] = hub
        stack.extend(hub.children)
    return out
