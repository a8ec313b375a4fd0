"""The floor to compare sitegen against: a plain jinja2 + Python-Markdown script.

It renders a comparable site from the same generated CSV (a detail page per location with
JSON-LD, an hours table, the Markdown description and the 5 nearest; region and city hubs; a
list page; a sitemap) with 2 worker processes, and does nothing else: no validation, no
audit, no atomic swap. `bench/run.py` times it in the same session as sitegen.

    python -m bench.baseline SITE_FOLDER OUT_FOLDER [--jobs 2]
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import sys
from collections import defaultdict
from pathlib import Path

import jinja2
import markdown
import numpy as np
from slugify import slugify

DETAIL = jinja2.Template("""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{{ r.name }} | Locations</title>
<meta name="description" content="{{ r.name }}, {{ r.street }}">
<link rel="canonical" href="https://www.example.com{{ url }}">
<script type="application/ld+json">{{ ld | tojson }}</script></head><body><main>
<h1>{{ r.name }}</h1>
<address>{{ r.street }}, {{ r.city }}, {{ r.region }} {{ r.postal_code }}</address>
<p><a href="tel:{{ r.phone }}">{{ r.phone }}</a></p>
<table>{% for day, text in hours %}
<tr><th>{{ day }}</th><td>{{ text }}</td></tr>{% endfor %}</table>
<div>{{ description | safe }}</div>
<ul>{% for n in nearby %}
<li><a href="{{ n.url }}">{{ n.name }}</a> {{ n.km }} km</li>{% endfor %}</ul>
</main></body></html>""", autoescape=True)
HUB = jinja2.Template("""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{{ title }}</title></head><body><main><h1>{{ title }}</h1><ul>
{% for name, url in links %}<li><a href="{{ url }}">{{ name }}</a></li>{% endfor %}
</ul></main></body></html>""", autoescape=True)

_ROWS: list[dict[str, str]] = []
_URLS: list[str] = []
_NEAR: list[list[tuple[int, float]]] = []
_OUT = Path()


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


def _render(index: int) -> None:
    r = _ROWS[index]
    url = _URLS[index]
    ld = {"@context": "https://schema.org", "@type": "LocalBusiness", "name": r["name"],
          "url": "https://www.example.com" + url, "telephone": r["phone"],
          "address": {"@type": "PostalAddress", "streetAddress": r["street"]},
          "geo": {"@type": "GeoCoordinates", "latitude": r["lat"], "longitude": r["lng"]}}
    hours = [(part.split(" ", 1)[0], part.split(" ", 1)[-1]) for part in r["hours"].split("; ")]
    nearby = [{"url": _URLS[j], "name": _ROWS[j]["name"], "km": km} for j, km in _NEAR[index]]
    html = DETAIL.render(r=r, url=url, ld=ld, hours=hours, nearby=nearby,
                         description=markdown.markdown(r.get("description", "")))
    target = _OUT / url.strip("/") / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")


def main() -> None:
    global _ROWS, _URLS, _NEAR, _OUT
    parser = argparse.ArgumentParser()
    parser.add_argument("site", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with open(args.site / "locations" / "locations.csv", encoding="utf-8", newline="") as fh:
        _ROWS = list(csv.DictReader(fh))
    _URLS = [f"/locations/{slugify(r['region'])}/{slugify(r['city'])}/{slugify(r['name'])}/"
             for r in _ROWS]
    _NEAR = _nearest(_ROWS)
    _OUT = args.out
    with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
        pool.map(_render, range(len(_ROWS)), chunksize=200)
    regions: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for i, r in enumerate(_ROWS):
        regions[r["region"]][r["city"]].append(i)
    pages = [("/locations/", "All locations", [(k, f"/locations/{slugify(k)}/")
                                               for k in sorted(regions)])]
    for region, cities in regions.items():
        base = f"/locations/{slugify(region)}/"
        pages.append((base, region, [(c, f"{base}{slugify(c)}/") for c in sorted(cities)]))
        for city, members in cities.items():
            pages.append((f"{base}{slugify(city)}/", city,
                          [(_ROWS[i]["name"], _URLS[i]) for i in members]))
    pages.append(("/locations/list/", "List", [(r["name"], u) for r, u in zip(_ROWS, _URLS,
                                                                           strict=True)]))
    for url, title, links in pages:
        target = _OUT / url.strip("/") / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(HUB.render(title=title, links=links), encoding="utf-8")
    sitemap = "".join(f"<url><loc>https://www.example.com{u}</loc></url>" for u in _URLS)
    (_OUT / "sitemap.xml").write_text(f"<urlset>{sitemap}</urlset>", encoding="utf-8")
    json.dump({"pages": len(_ROWS) + len(pages)}, sys.stdout)


if __name__ == "__main__":
    main()
