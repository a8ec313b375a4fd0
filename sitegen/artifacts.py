"""Non-page files of a build (robots.txt, sitemaps, feeds, marker data, host config files).

Each producer is a function of the site model returning `{relative path: bytes}`; the writer
writes them and the audit judges them like any other output. New file kinds add a producer
here rather than another special case in the writer.
"""

from __future__ import annotations

from collections.abc import Callable

from sitegen import maps, seo
from sitegen.feeds import feed_files
from sitegen.guards import build_marker
from sitegen.hostconfig import host_files
from sitegen.locator import marker_files
from sitegen.model import SiteModel

Producer = Callable[[SiteModel], dict[str, bytes]]


def crawler_files(model: SiteModel) -> dict[str, bytes]:
    policy = model.policy
    files = {"robots.txt": seo.robots_txt(policy).encode()}
    if policy.indexable:
        entries = [(p.url, p.lastmod) for p in model.pages if p.indexable]
        for name, text in seo.sitemaps(policy, entries, model.config.sitemap.max_urls).items():
            files[name] = text.encode()
    return files


PRODUCERS: list[Producer] = [crawler_files, marker_files, maps.asset_files, host_files,
                             build_marker, feed_files]


def all_files(model: SiteModel) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for producer in PRODUCERS:
        files.update(producer(model))
    return dict(sorted(files.items()))
