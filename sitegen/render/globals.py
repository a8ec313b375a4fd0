"""The template globals every page of a build can read: the site, the policy, the menus, URL
helpers, the calls to action of any location and whether lead forms are on."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from sitegen.config.languages import home_url, language_name
from sitegen.model import ctas, leads
from sitegen.model.pages import SiteModel
from sitegen.model.views import data_url
from sitegen.render import seo
from sitegen.render.frontdoor import map_assets, search_hint
from sitegen.render.templates import asset_hashes, asset_url_function


def template_globals(model: SiteModel, dirs: list[Path]) -> dict[str, Any]:
    config, policy = model.config, model.policy
    hashes = asset_hashes(dirs)
    theme_css = sorted(p for p in hashes if p.startswith("css/") and p.endswith(".css")
                       and p != "css/site.css" and _owned_by_site_theme(p, dirs))
    nav = [p for p in model.pages if p.kind == "page" and p.lang == model.lang
           and not p.context["meta"].get("footer")]
    menu = sorted(nav, key=lambda p: (p.context["meta"].get("weight", 50), p.url))
    header = [{"url": p.url, "title": p.context["heading"]} for p in menu
              if p.context["meta"].get("menu", True)]
    return {
        "site": config.site,
        "lang": config.site.language,  # the language of the pages rendered with these
        "home_url": home_url(config),
        "language_name": language_name,
        "config": config,
        "policy": policy,
        "urls": config.urls,
        "root": model.root,
        "nav": header,
        "footer_nav": [{"url": p.url, "title": p.context["heading"]} for p in menu],
        # The pages the header links to (it marks the current one): its fragment's key.
        "nav_urls": frozenset([config.urls.locations, config.urls.map,
                               *(item["url"] for item in header)]),
        "absolute": lambda url: seo.absolute(policy.base_url, url),
        "asset_url": asset_url_function(hashes),
        "theme_stylesheets": theme_css,
        "site_host": policy.base_url.split("://", 1)[-1].split("/", 1)[0],
        "ctas_for": ctas.lookup(model),
        "lead_forms": leads.forms_enabled(config),
        "brand": model.brand,
        "picture_for": model.pictures,
        "search_hint": search_hint(model.locations),
        "hint_for": search_hint,
        "directions_for": functools.partial(ctas.directions_url, config),
        "markers_url": data_url(config),
        "map_assets": map_assets(config),
    }


def _owned_by_site_theme(rel: str, dirs: list[Path]) -> bool:
    return any((d / "static" / rel).is_file() for d in dirs[:-1])
