"""Structured data (JSON-LD), sitemap and robots.txt.

JSON-LD is built as Python data and serialised by Jinja's `tojson`, which escapes `<`, `>`,
`&` and `'`, so a field holding `</script>` can never end the script element early.
"""

from __future__ import annotations

import datetime
import html
from typing import Any, NamedTuple

from sitegen.config.languages import home_url, multilingual
from sitegen.config.policy import Policy
from sitegen.config.schema import SiteConfig
from sitegen.data.hours import opening_hours_specification, special_opening_hours_specification
from sitegen.data.locations import Faq, Location
from sitegen.data.markup import plain_text
from sitegen.model.urls import absolute

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"


def _xml(text: str) -> str:
    """Text for an XML element or attribute value: `&`, `<` and `>` escaped (what
    xml.sax.saxutils.escape does, without importing urllib.request through it)."""
    return html.escape(text, quote=False)


def business_type(config: SiteConfig, location: Location) -> str:
    for category in location.categories:
        if category in config.site.category_types:
            return config.site.category_types[category]
    return config.site.business_type


def closure_specification(location: Location, closed_from: datetime.date | None
                          ) -> dict[str, Any]:
    """A temporary closure as Google documents closed days: opens and closes at 00:00,
    valid from the build date through the day before the reopening date (open-ended
    without one)."""
    spec: dict[str, Any] = {"@type": "OpeningHoursSpecification", "opens": "00:00",
                            "closes": "00:00"}
    if closed_from is not None:
        spec["validFrom"] = closed_from.isoformat()
    if location.status_date is not None:
        spec["validThrough"] = (location.status_date - datetime.timedelta(days=1)).isoformat()
    return spec


def location_jsonld(config: SiteConfig, policy: Policy, location: Location,
                    closed_from: datetime.date | None = None) -> dict[str, Any]:
    """A location's LocalBusiness; `closed_from`: the build date, the start of a temporary
    closure's specification."""
    url = absolute(policy.base_url, location.url)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": business_type(config, location),
        "@id": f"{absolute(policy.base_url, location.url)}#location",
        "name": location.name,
        "url": url,
        "address": {
            "@type": "PostalAddress",
            **{k: v for k, v in (
                ("streetAddress", location.street),
                ("addressLocality", location.city),
                ("addressRegion", location.region),
                ("postalCode", location.postal_code),
                ("addressCountry", location.country)) if v},
        },
        "geo": {"@type": "GeoCoordinates", "latitude": round(location.lat, 6),
                "longitude": round(location.lng, 6)},
    }
    if location.phone and location.phone.e164:
        data["telephone"] = location.phone.e164
    if location.email:
        data["email"] = location.email
    if location.image:
        data["image"] = location.image if location.image.startswith("http") else absolute(
            policy.base_url, location.image)
    if location.status != "coming_soon":  # no hours before the opening (docs/lifecycle.md)
        if location.hours is not None:
            data["openingHoursSpecification"] = opening_hours_specification(location.hours)
        special = special_opening_hours_specification(location.special_hours) \
            if location.special_hours else []
        if location.status == "temporarily_closed":
            special = [closure_specification(location, closed_from), *special]
        if special:
            data["specialOpeningHoursSpecification"] = special
    same_as = [u for u in (location.website,) if u and u.startswith("http")]
    if same_as:
        data["sameAs"] = same_as
    if location.description:
        data["description"] = plain_text(location.description)[:300]
    data["parentOrganization"] = {"@id": absolute(policy.base_url, "/#organization")}
    return data


def breadcrumb_jsonld(policy: Policy, trail: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": name,
             "item": absolute(policy.base_url, url)}
            for i, (name, url) in enumerate(trail, start=1)
        ],
    }


def faq_jsonld(faqs: list[Faq]) -> dict[str, Any]:
    return {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": [{"@type": "Question", "name": f.question,
                        "acceptedAnswer": {"@type": "Answer", "text": f.answer}} for f in faqs],
    }


def home_jsonld(config: SiteConfig, policy: Policy) -> list[dict[str, Any]]:
    org: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "@id": absolute(policy.base_url, "/#organization"),
        "name": config.site.name,
        "url": absolute(policy.base_url, "/"),
    }
    if config.site.logo:
        org["logo"] = absolute(policy.base_url, config.site.logo)
    if config.site.same_as:
        org["sameAs"] = list(config.site.same_as)
    site = {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "@id": absolute(policy.base_url, "/#website"),
        "name": config.site.name,
        "url": absolute(policy.base_url, "/"),
        "publisher": {"@id": org["@id"]},
    }
    if multilingual(config):  # each language's home is a website of its own language
        home = home_url(config)
        site.update({"@id": absolute(policy.base_url, home + "#website"),
                     "url": absolute(policy.base_url, home), "inLanguage": config.site.language})
    return [org, site]


def webpage_jsonld(policy: Policy, page: Any, language: str) -> dict[str, Any]:
    """The page itself, in its language (a site of several languages): `inLanguage`, and
    the location it is about on a location page."""
    url = absolute(policy.base_url, page.url)
    data: dict[str, Any] = {"@context": "https://schema.org", "@type": "WebPage",
                            "@id": url + "#webpage", "url": url, "name": page.title,
                            "inLanguage": language}
    if page.kind == "location":
        data["about"] = {"@id": url + "#location"}
    return data


class SitemapEntry(NamedTuple):
    """A page in the sitemap: its path, lastmod and, on a site of several languages, the
    same page in each language (itself included, then x-default) as `xhtml:link`s."""

    url: str
    lastmod: str | None
    alternates: tuple[tuple[str, str], ...] = ()


def sitemaps(policy: Policy, entries: list[SitemapEntry], max_urls: int) -> dict[str, str]:
    """`sitemap.xml`, or a sitemap index with `sitemap-N.xml` parts above max_urls."""
    entries = sorted(entries)
    chunks = [entries[i:i + max_urls] for i in range(0, len(entries), max_urls)] or [[]]
    if len(chunks) == 1:
        return {"sitemap.xml": _urlset(policy, chunks[0])}
    files = {f"sitemap-{n}.xml": _urlset(policy, chunk) for n, chunk in enumerate(chunks, 1)}
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f'<sitemapindex xmlns="{SITEMAP_NS}">']
    for name in files:
        lines.append(f"  <sitemap><loc>{_xml(absolute(policy.base_url, '/' + name))}</loc>"
                     "</sitemap>")
    lines.append("</sitemapindex>")
    files["sitemap.xml"] = "\n".join(lines) + "\n"
    return files


def _urlset(policy: Policy, entries: list[SitemapEntry]) -> str:
    languages = any(entry.alternates for entry in entries)
    xhtml = f' xmlns:xhtml="{XHTML_NS}"' if languages else ""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{SITEMAP_NS}"{xhtml}>']
    for url, lastmod, alternates in entries:
        item = f"  <url><loc>{_xml(absolute(policy.base_url, url))}</loc>"
        if lastmod:
            item += f"<lastmod>{_xml(lastmod)}</lastmod>"
        item += "".join(f'<xhtml:link rel="alternate" hreflang="{_xml(code)}" '
                        f'href="{_xml(absolute(policy.base_url, target))}"/>'
                        for code, target in alternates)
        lines.append(item + "</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def robots_txt(policy: Policy) -> str:
    if not policy.indexable:
        return "User-agent: *\nDisallow: /\n"
    return (f"User-agent: *\nAllow: /\n\nSitemap: {absolute(policy.base_url, '/sitemap.xml')}\n")
