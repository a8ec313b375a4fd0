"""Non-page files of a build (robots.txt, sitemaps, feeds, marker data, host config files).

Each producer is a function of the site model returning `{relative path: bytes}`, or
(path, artifact) pairs lazily, where an artifact may be a function yielding the file in
chunks (write.Artifact), or files made together in one pass (write.FileSet); the writer
writes them and the audit judges them like any other output. A build streams them to disk
(`artifacts`); `sitegen serve` keeps them in memory to apply edits in place (`all_files`).
New file kinds add a producer here rather than another special case in the writer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping

from sitegen.model.pages import Page, SiteModel
from sitegen.output.feeds import feed_files
from sitegen.output.hostconfig import host_files
from sitegen.output.markers import marker_files
from sitegen.output.openapi import openapi_files
from sitegen.output.outdir import marker_files as output_marker
from sitegen.output.placeindex import place_files
from sitegen.output.protect import BUILD_FILE
from sitegen.output.write import Artifact, FileSet
from sitegen.render import maps, seo

Produced = tuple[str, Artifact] | FileSet
Producer = Callable[[SiteModel], Mapping[str, bytes] | Iterable[Produced]]


def crawler_files(model: SiteModel) -> dict[str, bytes]:
    policy = model.policy
    files = {"robots.txt": seo.robots_txt(policy).encode()}
    if policy.indexable:
        indexable = {p.url for p in model.pages if p.indexable}
        entries = [seo.SitemapEntry(p.url, p.lastmod, _alternates(model, p, indexable))
                   for p in model.pages if p.indexable]
        for name, text in seo.sitemaps(policy, entries, model.config.sitemap.max_urls).items():
            files[name] = text.encode()
    return files


def _alternates(model: SiteModel, page: Page, indexable: set[str]
                ) -> tuple[tuple[str, str], ...]:
    """A page's sitemap alternates: the same page in each language that is in the sitemap
    too, and x-default (the default language's page) when there is one; none for a page
    in one language alone."""
    found = tuple((code, url) for code, url in page.alternates if url in indexable)
    if len(found) < 2:
        return ()
    default = model.config.site.languages[0]
    return (*found, ("x-default", found[0][1])) if found[0][0] == default else found


def build_marker(model: SiteModel) -> dict[str, bytes]:
    """Producer of `_sitegen/build.json`: what the build published (no timestamps, so
    unprotected builds stay byte-identical)."""
    policy = model.policy
    data = {"format": 1, "environment": policy.name, "behaves_like": policy.kind,
            "indexable": policy.indexable, "protection": policy.protection,
            "data": policy.data, "forms": policy.forms,
            "noindex_pages": sorted(p.output for p in model.pages if not p.indexable)}
    return {BUILD_FILE: (json.dumps(data, indent=2, sort_keys=True) + "\n").encode()}


def language_files(model: SiteModel) -> dict[str, bytes]:
    """Each other language's marker data and place index, under its folder: its locator
    views list its own pages, names and URLs. The feeds stay the default language's."""
    files: dict[str, bytes] = {}
    for view in model.languages.values():
        files.update(marker_files(view))
        files.update(place_files(view))
    return files


PRODUCERS: list[Producer] = [crawler_files, marker_files, maps.asset_files, host_files,
                             build_marker, output_marker, feed_files, place_files, openapi_files,
                             language_files]
# The markers, the feeds and the place index, most of the artifacts' work, read the placed
# locations alone (model/site.Placed.located_model), so a build writes them in a process of
# its own while the rest of the model is made and the pages rendered. The others are small;
# the sitemaps list each page's lastmod, settled only when the build has compared the pages
# with the previous build.
LOCATED: list[Producer] = [marker_files, feed_files, place_files]
LATE: list[Producer] = [p for p in PRODUCERS if p not in LOCATED]


def artifacts(model: SiteModel, producers: list[Producer] = PRODUCERS
              ) -> Iterator[Produced]:
    """The artifacts of `producers`, produced as they are asked for."""
    for producer in producers:
        produced = producer(model)
        yield from produced.items() if isinstance(produced, Mapping) else produced


def all_files(model: SiteModel) -> dict[str, bytes]:
    """Every artifact's bytes, by path."""
    files: dict[str, bytes] = {}
    for produced in artifacts(model):
        if isinstance(produced, FileSet):
            files.update(produced.files())
        else:
            rel, data = produced
            files[rel] = data if isinstance(data, bytes) else b"".join(data())
    return dict(sorted(files.items()))
