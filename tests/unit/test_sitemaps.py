"""Sitemaps split at the sitemaps protocol's limit: at most 50,000 URLs a file by default
(sitemap.max_urls, never more), a sitemap index above it (render/seo.py)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from pydantic import ValidationError

from sitegen.config.policy import Policy
from sitegen.config.schema import SiteConfig
from sitegen.render.seo import SitemapEntry, sitemaps

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
LIMIT = 50_000
POLICY = Policy(name="production", kind="production", indexable=True, protection="none",
                analytics=None, forms="disabled", forms_endpoint=None, data="real",
                banner=None, base_url="https://example.com", password=None)


def _entries(count: int) -> list[SitemapEntry]:
    return [SitemapEntry(f"/locations/store-{n:06d}/", None) for n in range(count)]


def _config(**sitemap: int) -> SiteConfig:
    return SiteConfig.model_validate({"base_url": "https://example.com",
                                      "site": {"name": "Beans"}, "sitemap": sitemap})


def test_50000_urls_fit_one_sitemap_and_50001_make_an_index_of_two() -> None:
    assert _config().sitemap.max_urls == LIMIT
    whole = sitemaps(POLICY, _entries(LIMIT), LIMIT)
    assert list(whole) == ["sitemap.xml"]
    assert len(ET.fromstring(whole["sitemap.xml"])) == LIMIT
    split = sitemaps(POLICY, _entries(LIMIT + 1), LIMIT)
    assert sorted(split) == ["sitemap-1.xml", "sitemap-2.xml", "sitemap.xml"]
    index = ET.fromstring(split["sitemap.xml"])
    assert [loc.text for loc in index.iterfind("sm:sitemap/sm:loc", NS)] == [
        "https://example.com/sitemap-1.xml", "https://example.com/sitemap-2.xml"]
    sizes = [len(ET.fromstring(split[f"sitemap-{n}.xml"])) for n in (1, 2)]
    assert sizes == [LIMIT, 1]


def test_max_urls_above_the_protocols_limit_is_refused() -> None:
    assert _config(max_urls=10).sitemap.max_urls == 10
    with pytest.raises(ValidationError, match="less than or equal to 50000"):
        _config(max_urls=LIMIT + 1)
