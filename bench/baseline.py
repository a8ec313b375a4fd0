"""The floor to compare sitegen against: a plain jinja2 + Python-Markdown script.

It renders a comparable site from the same generated CSV with 2 worker processes, and does
nothing else: no validation, no audit, no build cache, no feeds, no atomic swap.
`bench/run.py` times it in the same session as sitegen, in two variants:

- `comparable` (the default, the comparator of issue 8): each detail page carries what
  sitegen's default theme puts on it, element for element: the head (title, description,
  canonical, Open Graph and Twitter tags, stylesheets), LocalBusiness JSON-LD with the
  opening hours and holiday hours as schema.org specifications, BreadcrumbList JSON-LD, a
  header and footer, breadcrumbs, an intro sentence, the address with call and directions
  links, a map element, a seven-day hours table, the Markdown description, the services and
  the 5 nearest; region and city hubs and a list page in the same layout; a sitemap.
- `minimal` (the comparator until the sixth session): the same parts at a quarter of the
  size: no layout, no Open Graph, hours as written in the row, JSON-LD without hours.

    python -m bench.baseline SITE_FOLDER OUT_FOLDER [--jobs 2] [--pages minimal]
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import re
import sys
from collections import defaultdict
from pathlib import Path

import jinja2
import markdown
import numpy as np
from slugify import slugify

BASE = "https://www.example.com"
SITE = "Juniper & Oak Coffee"
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
DAY_INDEX = {**{d[:2].lower(): i for i, d in enumerate(DAYS)},
             **{d[:3].lower(): i for i, d in enumerate(DAYS)}}
SPAN = re.compile(r"^(\w+)(?:-(\w+))?\s+(.+)$")
TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$")

LAYOUT = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<meta name="description" content="{{ summary }}">
<link rel="canonical" href="{{ base }}{{ url }}">
<meta property="og:type" content="{{ og_type }}">
<meta property="og:title" content="{{ title }}">
<meta property="og:description" content="{{ summary }}">
<meta property="og:url" content="{{ base }}{{ url }}">
<meta property="og:site_name" content="{{ site }}">
<meta name="twitter:card" content="summary">
<meta name="twitter:title" content="{{ title }}">
<meta name="twitter:description" content="{{ summary }}">
<link rel="icon" href="/_assets/favicon.svg">
<link rel="stylesheet" href="/_assets/css/site.css">
<link rel="stylesheet" href="/_assets/leaflet/leaflet.css">
<link rel="stylesheet" href="/_assets/css/locator.css">
{% for item in jsonld %}
<script type="application/ld+json">{{ item | tojson }}</script>
{% endfor %}
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header"><div class="wrap">
<a class="brand" href="/"><span>{{ site }}</span></a>
<nav aria-label="Main"><ul><li><a href="/locations/">Locations</a></li>
<li><a href="/locations/map/">Map</a></li></ul></nav>
</div></header>
<main id="main"><div class="wrap">
<nav class="breadcrumbs" aria-label="Breadcrumb"><ol>
{% for name, link in crumbs %}<li><a href="{{ link }}">{{ name }}</a></li>
{% endfor %}<li><span aria-current="page">{{ heading }}</span></li></ol></nav>
{% block main %}{% endblock %}
</div></main>
<footer class="site-footer"><div class="wrap"><p>&copy; {{ site }}</p>
<nav aria-label="Footer"><ul><li><a href="/locations/">All locations</a></li></ul></nav>
</div></footer>
<script src="/_assets/leaflet/leaflet.js" defer></script>
<script src="/_assets/js/location-map.js" defer></script>
<script src="/_assets/js/locator.js" defer></script>
</body>
</html>"""
DETAIL_FULL = """{% extends "layout" %}{% block main %}
<article class="location" data-timezone="{{ r.timezone }}">
<h1>{{ r.name }}</h1>
<p class="intro">{{ intro }}</p>
<div class="location-grid">
<section><h2>Address and contact</h2>
<address>{{ r.street }}<br>{{ r.city }}, {{ r.region }} {{ r.postal_code }}<br>
{{ r.country }}</address>
<ul class="actions">
<li><a class="button" href="tel:{{ r.phone }}" data-cta="call">Call {{ r.phone }}</a></li>
<li><a class="button"
href="https://www.google.com/maps/dir/?api=1&amp;destination={{ r.lat }},{{ r.lng }}"
rel="noopener" data-cta="directions">Directions to {{ r.name }}</a></li>
</ul>
<div class="detail-map" id="location-map" role="region" aria-label="Map of {{ r.name }}"
data-lat="{{ r.lat }}" data-lng="{{ r.lng }}" data-zoom="13" data-name="{{ r.name }}"></div>
</section>
<section><h2>Opening hours</h2>
<table class="hours" data-hours='{{ hours_json }}'><caption>Opening hours</caption><tbody>
{% for day, text in week %}<tr data-day="{{ day | lower }}"><th scope="row">{{ day }}</th>
<td>{{ text }}</td></tr>
{% endfor %}</tbody></table>
{% if special %}<h3>Holiday hours</h3><table class="hours special"><tbody>
{% for date, text, label in special %}<tr><th scope="row">{{ date }} {{ label }}</th>
<td>{{ text }}</td></tr>
{% endfor %}</tbody></table>{% endif %}
</section>
</div>
<section><h2>About {{ r.name }}</h2><div class="prose">{{ description_html | safe }}</div></section>
{% if services %}<section><h2>Services</h2><ul class="tags">
{% for s in services %}<li>{{ s }}</li>{% endfor %}</ul></section>{% endif %}
<section><h2>Nearby locations</h2><ul class="nearby">
{% for n in nearby %}<li><a href="{{ n.url }}">{{ n.name }}, {{ n.street }}</a>
<span class="distance">{{ n.km }} km</span></li>
{% endfor %}</ul></section>
</article>{% endblock %}"""
HUB_FULL = """{% extends "layout" %}{% block main %}
<h1>{{ heading }}</h1><p class="lead">{{ links | length }} entries.</p>
<ul class="cards">{% for name, link, line in links %}
<li><a href="{{ link }}">{{ name }}</a> {{ line }}</li>{% endfor %}</ul>{% endblock %}"""

DETAIL_MINIMAL = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{{ r.name }} | Locations</title>
<meta name="description" content="{{ r.name }}, {{ r.street }}">
<link rel="canonical" href="https://www.example.com{{ url }}">
<script type="application/ld+json">{{ ld | tojson }}</script></head><body><main>
<h1>{{ r.name }}</h1>
<address>{{ r.street }}, {{ r.city }}, {{ r.region }} {{ r.postal_code }}</address>
<p><a href="tel:{{ r.phone }}">{{ r.phone }}</a></p>
<table>{% for day, text in hours %}
<tr><th>{{ day }}</th><td>{{ text }}</td></tr>{% endfor %}</table>
<div>{{ description_html | safe }}</div>
<ul>{% for n in nearby %}
<li><a href="{{ n.url }}">{{ n.name }}</a> {{ n.km }} km</li>{% endfor %}</ul>
</main></body></html>"""
HUB_MINIMAL = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{{ heading }}</title></head><body><main><h1>{{ heading }}</h1><ul>
{% for name, link, line in links %}<li><a href="{{ link }}">{{ name }}</a></li>{% endfor %}
</ul></main></body></html>"""

ENV = jinja2.Environment(autoescape=True, loader=jinja2.DictLoader({
    "layout": LAYOUT, "detail": DETAIL_FULL, "hub": HUB_FULL,
    "detail-minimal": DETAIL_MINIMAL, "hub-minimal": HUB_MINIMAL}))

_ROWS: list[dict[str, str]] = []
_URLS: list[str] = []
_NEAR: list[list[tuple[int, float]]] = []
_OUT = Path()
_FULL = True


def _nearest(rows: list[dict[str, str]], k: int = 5) -> list[list[tuple[int, float]]]:
    lat = np.radians([float(r["lat"]) for r in rows])
    lng = np.radians([float(r["lng"]) for r in rows])
    xyz = np.column_stack((np.cos(lat) * np.cos(lng), np.cos(lat) * np.sin(lng), np.sin(lat)))
    cells = defaultdict(list)
    for i, (a, b) in enumerate(zip(np.degrees(lat) // 1, np.degrees(lng) // 1, strict=True)):
        cells[(a, b)].append(i)
    out = []
    for i, (a, b) in enumerate(zip(np.degrees(lat) // 1, np.degrees(lng) // 1, strict=True)):
        cand = [j for da in (-1, 0, 1) for db in (-1, 0, 1) for j in cells[(a + da, b + db)]
                if j != i]
        d = 2 * 6371 * np.arcsin(np.linalg.norm(xyz[cand] - xyz[i], axis=1) / 2)
        best = np.argsort(d)[:k]
        out.append([(cand[j], round(float(d[j]), 1)) for j in best])
    return out


def _clock(text: str) -> str:
    """'7am', '6pm', '06:30' -> 'HH:MM'."""
    match = TIME.match(text.strip().lower())
    if match is None:
        return text
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half == "pm" and hour < 12:
        hour += 12
    elif half == "am" and hour == 12:
        hour = 0
    return f"{hour:02d}:{minute:02d}"


def _week(hours: str) -> list[str | None]:
    """'Mon-Fri 7am-6pm; Sat 8am-2pm; Sun closed' -> an 'HH:MM–HH:MM' or None per day."""
    week: list[str | None] = [None] * 7
    for part in hours.split(";"):
        match = SPAN.match(part.strip())
        if match is None:
            continue
        first, last, times = match.groups()
        if first.lower() == "daily":
            days = range(7)
        else:
            start, end = DAY_INDEX[first[:3].lower()], DAY_INDEX[(last or first)[:3].lower()]
            days = range(start, end + 1)
        text = None if times.strip().lower() == "closed" else \
            "–".join(_clock(t) for t in times.split("-", 1))
        for day in days:
            week[day] = text
    return week


def _special(text: str) -> list[tuple[str, str, str]]:
    out = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        date, times, label = (part.split(" ", 2) + ["", ""])[:3]
        out.append((date, "closed" if times == "closed" else
                    "–".join(_clock(t) for t in times.split("-", 1)), label))
    return out


def _render_full(index: int, r: dict[str, str], url: str) -> str:
    week = _week(r["hours"])
    special = _special(r["special_hours"])
    specs = [{"@type": "OpeningHoursSpecification", "dayOfWeek": f"https://schema.org/{day}",
              "opens": text.split("–")[0], "closes": text.split("–")[-1]}
             for day, text in zip(DAYS, week, strict=True) if text]
    special_specs = [{"@type": "OpeningHoursSpecification", "validFrom": date,
                      "validThrough": date,
                      "opens": "00:00" if text == "closed" else text.split("–")[0],
                      "closes": "00:00" if text == "closed" else text.split("–")[-1]}
                     for date, text, _ in special]
    city_url = url.rsplit("/", 2)[0] + "/"
    crumbs = [("Home", "/"), ("Locations", "/locations/"),
              (r["region"], city_url.rsplit("/", 2)[0] + "/"), (r["city"], city_url)]
    ld = [{"@context": "https://schema.org", "@type": "LocalBusiness",
           "@id": BASE + url + "#location", "name": r["name"], "url": BASE + url,
           "telephone": r["phone"], "description": r["description"][:300],
           "address": {"@type": "PostalAddress", "streetAddress": r["street"],
                       "addressLocality": r["city"], "addressRegion": r["region"],
                       "postalCode": r["postal_code"], "addressCountry": r["country"]},
           "geo": {"@type": "GeoCoordinates", "latitude": float(r["lat"]),
                   "longitude": float(r["lng"])},
           "openingHoursSpecification": specs,
           "specialOpeningHoursSpecification": special_specs},
          {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
              {"@type": "ListItem", "position": i + 1, "name": name, "item": BASE + link}
              for i, (name, link) in enumerate([*crumbs, (r["name"], url)])]}]
    nearby = [{"url": _URLS[j], "name": _ROWS[j]["name"], "street": _ROWS[j]["street"],
               "km": km} for j, km in _NEAR[index]]
    services = [s.strip() for s in r["categories"].split(",") if s.strip()]
    open_days = [f"{day}: {text}" for day, text in zip(DAYS, week, strict=True) if text]
    intro = (f"{r['name']} is at {r['street']}, {r['city']}. Opening hours are "
             f"{'; '.join(open_days)}. This location offers {', '.join(services).lower()}. "
             f"The nearest other location is {nearby[0]['name']}, {nearby[0]['km']} km away."
             if nearby else f"{r['name']} is at {r['street']}, {r['city']}.")
    return ENV.get_template("detail").render(
        r=r, url=url, base=BASE, site=SITE, og_type="business.business",
        title=f"{r['name']}, {r['street']}, {r['city']} | {SITE}",
        summary=f"{r['name']} at {r['street']}, {r['city']}. Opening hours, directions, "
                "phone and services.",
        jsonld=ld, crumbs=crumbs, heading=r["name"], intro=intro,
        week=[(day, text or "closed") for day, text in zip(DAYS, week, strict=True)],
        hours_json=json.dumps({day[:2].lower(): text for day, text in
                               zip(DAYS, week, strict=True)}, sort_keys=True),
        special=special, services=services, nearby=nearby,
        description_html=markdown.markdown(r["description"]))


def _render_minimal(index: int, r: dict[str, str], url: str) -> str:
    ld = {"@context": "https://schema.org", "@type": "LocalBusiness", "name": r["name"],
          "url": BASE + url, "telephone": r["phone"],
          "address": {"@type": "PostalAddress", "streetAddress": r["street"]},
          "geo": {"@type": "GeoCoordinates", "latitude": r["lat"], "longitude": r["lng"]}}
    hours = [(part.split(" ", 1)[0], part.split(" ", 1)[-1]) for part in r["hours"].split("; ")]
    nearby = [{"url": _URLS[j], "name": _ROWS[j]["name"], "km": km} for j, km in _NEAR[index]]
    return ENV.get_template("detail-minimal").render(
        r=r, url=url, ld=ld, hours=hours, nearby=nearby,
        description_html=markdown.markdown(r.get("description", "")))


def _render(index: int) -> None:
    r, url = _ROWS[index], _URLS[index]
    html = (_render_full if _FULL else _render_minimal)(index, r, url)
    target = _OUT / url.strip("/") / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")


def _hub_pages() -> list[tuple[str, str, list[tuple[str, str]], list[tuple[str, str, str]]]]:
    """(url, heading, breadcrumbs, links) of the root, region, city and list pages."""
    regions: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for i, r in enumerate(_ROWS):
        regions[r["region"]][r["city"]].append(i)
    home = [("Home", "/")]
    pages = [("/locations/", "All locations", home,
              [(k, f"/locations/{slugify(k)}/", f"{sum(map(len, regions[k].values()))} "
                "locations") for k in sorted(regions)])]
    for region, cities in regions.items():
        base = f"/locations/{slugify(region)}/"
        crumbs = [*home, ("Locations", "/locations/")]
        pages.append((base, f"Locations in {region}", crumbs,
                      [(c, f"{base}{slugify(c)}/", f"{len(cities[c])} locations")
                       for c in sorted(cities)]))
        for city, members in cities.items():
            pages.append((f"{base}{slugify(city)}/", f"Locations in {city}",
                          [*crumbs, (region, base)],
                          [(_ROWS[i]["name"], _URLS[i], f"{_ROWS[i]['street']}, "
                            f"{_ROWS[i]['phone']}") for i in members]))
    pages.append(("/locations/list/", "All locations, as a list",
                  [*home, ("Locations", "/locations/")],
                  [(r["name"], u, f"{r['street']}, {r['city']}")
                   for r, u in zip(_ROWS, _URLS, strict=True)]))
    return pages


def main() -> None:
    global _ROWS, _URLS, _NEAR, _OUT, _FULL
    parser = argparse.ArgumentParser()
    parser.add_argument("site", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--pages", choices=("comparable", "minimal"), default="comparable")
    args = parser.parse_args()
    _FULL = args.pages == "comparable"
    with open(args.site / "locations" / "locations.csv", encoding="utf-8", newline="") as fh:
        _ROWS = list(csv.DictReader(fh))
    _URLS = [f"/locations/{slugify(r['region'])}/{slugify(r['city'])}/{slugify(r['name'])}/"
             for r in _ROWS]
    _NEAR = _nearest(_ROWS)
    _OUT = args.out
    with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
        pool.map(_render, range(len(_ROWS)), chunksize=200)
    hub = ENV.get_template("hub" if _FULL else "hub-minimal")
    pages = _hub_pages()
    for url, heading, crumbs, links in pages:
        target = _OUT / url.strip("/") / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(hub.render(
            url=url, base=BASE, site=SITE, og_type="website", title=f"{heading} | {SITE}",
            summary=f"{heading}: addresses, opening hours and directions.", jsonld=[],
            crumbs=crumbs, heading=heading, links=links), encoding="utf-8")
    sitemap = "".join(f"<url><loc>{BASE}{u}</loc></url>" for u in _URLS)
    (_OUT / "sitemap.xml").write_text(f"<urlset>{sitemap}</urlset>", encoding="utf-8")
    json.dump({"pages": len(_ROWS) + len(pages)}, sys.stdout)


if __name__ == "__main__":
    main()
