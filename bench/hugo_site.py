"""Write bench/chain.py's locations as a Hugo site that builds the same parts as sitegen.

The theme is `bench/hugo/` (copied to `themes/chain/`): detail pages with the LocalBusiness
and BreadcrumbList JSON-LD (opening and holiday hours as schema.org specifications), the
hours table, the Markdown description, a lead form and the 5 nearest; the locations, state
and city hubs with counts; a list view of 50 locations a page; the home page, a 404 page,
robots.txt and the sitemap. It renders element for element what sitegen's default theme
writes for the same location, without the map, card and feed outputs sitegen also makes.

Hugo cannot compute what sitegen computes while it builds, so this writer does it, untimed,
and hands Hugo the results: the 5 nearest locations of each page (front matter), the parsed
weeks and holiday sets with their display text, JSON and schema.org specifications (`data/`,
shared by index as a chain's values are), both phone formats, and each page's place in the
list (its `weight`). This favours Hugo: sitegen parses the rows, validates them, finds the
nearest locations and formats hours and phones inside its timed build.
"""

from __future__ import annotations

import datetime
import json
import math
import shutil
from collections import defaultdict
from pathlib import Path

import numpy as np
import yaml
from slugify import slugify

from bench.chain import BRAND, DAYS, DOMAIN, HOLIDAY_SETS, REPO, WEEKS, ChainLocation, Holiday

THEME = Path(__file__).resolve().parent / "hugo"
KEYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SHORT = ("mo", "tu", "we", "th", "fr", "sa", "su")
CONSENT = "I agree that Juniper & Oak may use my details to answer this enquiry."
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
CONFIG = f"""\
baseURL = "https://www.{DOMAIN}/"
languageCode = "en"
title = "{BRAND}"
theme = "chain"
disableKinds = ["taxonomy", "term", "RSS"]
paginate = 50
enableRobotsTXT = true

[frontmatter]
lastmod = [":fileModTime"]

[params]
business_type = "CafeOrCoffeeShop"
analytics_domain = "{DOMAIN}"
consent_text = "{CONSENT}"
"""


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _clock12(clock: str) -> str:
    """'06:30' -> '6:30 AM', as sitegen's 12h clock writes it."""
    hours, minutes = divmod(_minutes(clock) % 1440, 60)
    return f"{(hours - 1) % 12 + 1}:{minutes:02d} {'AM' if hours < 12 else 'PM'}"


def _span_text(span: tuple[str, str] | None) -> str:
    if span is None:
        return "Closed"
    if span == ("00:00", "24:00"):
        return "Open 24 hours"
    return f"{_clock12(span[0])} – {_clock12(span[1])}"


def _groups(days: tuple[tuple[str, str] | None, ...]) -> list[tuple[int, int]]:
    """Runs of consecutive days with the same hours, as (first, last) day indexes."""
    runs: list[tuple[int, int]] = []
    for index, span in enumerate(days):
        if runs and days[runs[-1][1]] == span:
            runs[-1] = (runs[-1][0], index)
        else:
            runs.append((index, index))
    return runs


def _compact(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def week_data(days: tuple[tuple[str, str] | None, ...]) -> dict[str, object]:
    """What the theme shows of one week: summary, table rows, data-hours JSON, JSON-LD specs."""
    summary = "; ".join(
        (DAYS[first] if first == last else f"{DAYS[first]} to {DAYS[last]}") + ": "
        + _span_text(days[first]) for first, last in _groups(days))
    by_hours: dict[tuple[str, str], list[str]] = defaultdict(list)
    for day, span in zip(DAYS, days, strict=True):
        if span is not None:
            by_hours[span].append(f"https://schema.org/{day}")
    return {
        "summary": summary,
        "rows": [{"key": key, "day": day, "text": _span_text(span)}
                 for key, day, span in zip(KEYS, DAYS, days, strict=True)],
        "json": _compact({short: [] if span is None else [[_minutes(span[0]), _minutes(span[1])]]
                          for short, span in zip(SHORT, days, strict=True)}),
        "specs": [{"@type": "OpeningHoursSpecification", "closes": closes, "dayOfWeek": names,
                   "opens": opens} for (opens, closes), names in by_hours.items()],
    }


def holiday_data(holidays: tuple[Holiday, ...]) -> dict[str, object]:
    items, specs, spans = [], [], {}
    for day in holidays:
        date = datetime.date.fromisoformat(day.date)
        items.append({"date": day.date, "display": date.strftime("%A %-d %B %Y"),
                      "label": day.label, "text": _span_text(day.hours)})
        opens, closes = day.hours or ("00:00", "00:00")
        specs.append({"@type": "OpeningHoursSpecification", "closes": closes, "opens": opens,
                      "validFrom": day.date, "validThrough": day.date})
        spans[day.date] = [[_minutes(opens), _minutes(closes)]] if day.hours else []
    return {"items": items, "specs": specs, "json": _compact(spans)}


def nearest(locations: list[ChainLocation], k: int = 5) -> list[list[tuple[int, float]]]:
    """Each location's k nearest others as (index, km), nearest first: candidates from
    one-degree cells in a square grown until its edge is farther than every k-th nearest."""
    lat = np.radians([loc.lat for loc in locations])
    lng = np.radians([loc.lng for loc in locations])
    xyz = np.column_stack((np.cos(lat) * np.cos(lng), np.cos(lat) * np.sin(lng), np.sin(lat)))
    cells: dict[tuple[int, int], list[int]] = defaultdict(list)
    for index, loc in enumerate(locations):
        cells[(math.floor(loc.lat), math.floor(loc.lng))].append(index)
    out: list[list[tuple[int, float]]] = [[] for _ in locations]
    for (row, col), members in cells.items():
        for start in range(0, len(members), 256):
            block = np.array(members[start:start + 256])
            for index, near in zip(block, _block_nearest(xyz, cells, (row, col), block, k),
                                   strict=True):
                out[int(index)] = near
    return out


def _block_nearest(xyz: np.ndarray, cells: dict[tuple[int, int], list[int]],
                   cell: tuple[int, int], block: np.ndarray, k: int
                   ) -> list[list[tuple[int, float]]]:
    row, col = cell
    ring = 1
    while True:
        candidates = np.array([j for dr in range(-ring, ring + 1) for dc in range(-ring, ring + 1)
                               for j in cells.get((row + dr, col + dc), ())])
        if len(candidates) > k:
            chord = np.linalg.norm(xyz[block][:, None, :] - xyz[candidates][None], axis=2)
            km = 2 * 6371.0088 * np.arcsin(np.minimum(chord / 2, 1.0))
            km[block[:, None] == candidates[None, :]] = np.inf
            order = np.argsort(km, axis=1, kind="stable")[:, :k]
            widest = min(89.0, max(abs(row), abs(row + 1)) + ring)
            reach = ring * 111.19 * math.cos(math.radians(widest))
            if ring >= 180 or km[np.arange(len(block)), order[:, -1]].max() <= reach:
                return [[(int(candidates[j]), round(float(km[m, j]), 1)) for j in order[m]]
                        for m in range(len(block))]
        ring += 1


def _front(data: dict[str, object], body: str = "") -> str:
    return "---\n" + yaml.dump(data, Dumper=DUMPER, allow_unicode=True, sort_keys=False) \
        + "---\n" + body


def _static(site: Path) -> None:
    """The default theme's CSS, JS and favicon, so Hugo copies assets as sitegen does."""
    import sitegen
    found = next(Path(sitegen.__file__).parent.rglob("static/css/site.css"), None)
    if found is None:
        raise SystemExit("sitegen's default theme has no static/css/site.css to copy")
    shutil.copytree(found.parents[1], site / "static" / "_assets", dirs_exist_ok=True)
    shutil.copy(REPO / "content" / "favicon.svg", site / "static" / "favicon.svg")


def write_hugo_site(folder: Path, locations: list[ChainLocation]) -> Path:
    """The Hugo site of `locations`: config, theme, data and one content file a page."""
    folder = Path(folder)
    content = folder / "content" / "locations"
    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "static").mkdir(exist_ok=True)
    content.mkdir(parents=True, exist_ok=True)
    shutil.copytree(THEME, folder / "themes" / "chain", dirs_exist_ok=True)
    _static(folder)
    (folder / "config.toml").write_text(CONFIG, encoding="utf-8")
    weeks = [week for week, _ in WEEKS]
    (folder / "data" / "weeks.json").write_text(
        json.dumps([week_data(week.days) for week in weeks], ensure_ascii=False), "utf-8")
    (folder / "data" / "holidays.json").write_text(
        json.dumps([holiday_data(days) for days in HOLIDAY_SETS], ensure_ascii=False), "utf-8")
    (folder / "content" / "_index.md").write_text(_front(
        {"title": BRAND, "description": "Find a café near you."},
        "Find one of our cafés near you.\n"), "utf-8")
    (content / "_index.md").write_text(_front({"title": "Locations", "level": "root"}), "utf-8")
    (content / "list").mkdir(exist_ok=True)
    (content / "list" / "_index.md").write_text(
        _front({"title": "List", "level": "list", "layout": "listview"}), "utf-8")

    urls = [f"/locations/{loc.city.state.code.lower()}/{slugify(loc.city.name)}/"
            f"{slugify(loc.name)}/" for loc in locations]
    order = sorted(range(len(locations)), key=lambda i: (
        locations[i].city.state.name, locations[i].city.name, locations[i].name))
    weight = {index: rank + 1 for rank, index in enumerate(order)}
    hubs: set[str] = set()
    for index, (loc, near) in enumerate(zip(locations, nearest(locations), strict=True)):
        state, city = loc.city.state, loc.city
        folder_path = content / state.code.lower() / slugify(city.name)
        if str(folder_path) not in hubs:
            hubs.add(str(folder_path))
            folder_path.mkdir(parents=True, exist_ok=True)
            (folder_path.parent / "_index.md").write_text(_front(
                {"title": state.name, "level": "state", "query": state.name}), "utf-8")
            (folder_path / "_index.md").write_text(_front(
                {"title": city.name, "level": "city", "query": f"{city.name} {state.name}"}),
                "utf-8")
        page = {
            "title": loc.name, "weight": weight[index],
            "seo_title": f"{loc.name}, {loc.street}, {city.name} | Coffee in {city.name}",
            "description": f"Visit {loc.name} at {loc.street}, {city.name}: opening hours, "
                           "directions, phone, services and nearby stores.",
            "id": loc.id, "name": loc.name, "street": loc.street, "city": city.name,
            "region": state.code, "region_name": state.name, "postal_code": loc.postal_code,
            "lat": loc.lat, "lng": loc.lng, "phone": loc.phone, "phone_e164": loc.phone_e164,
            "email": loc.email, "image": loc.image, "timezone": state.zone,
            "week": weeks.index(loc.week),
            "holidays": HOLIDAY_SETS.index(loc.holidays) if loc.holidays else -1,
            "categories": list(loc.categories),
            "nearby": [{"url": urls[j], "name": locations[j].name,
                        "street": locations[j].street, "km": f"{km:.1f}"} for j, km in near],
        }
        (folder_path / f"{slugify(loc.name)}.md").write_text(
            _front(page, loc.description + "\n"), "utf-8")
    return folder
