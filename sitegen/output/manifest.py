"""The build manifest, `/api/manifest.json`: what a build wrote, with content hashes.

It is written after every page and file is in the temporary output folder (hashes are over the
bytes on disk) and before the audit. The build time is `SOURCE_DATE_EPOCH` when set, else the
newest modification time of the inputs (config, dataset, content, theme files), never the
clock: two builds of the same input are byte-identical, manifest included.

    {"version": 1, "generator": {"name": "sitegen", "version": "0.1.0"},
     "environment": {"name": "production", "kind": "production"}, "base_url": "https://...",
     "build_time": "2026-01-31T12:00:00Z", "build_time_source": "SOURCE_DATE_EPOCH" | "inputs",
     "counts": {"pages": 120, "locations": 64, "files": 260},
     "pages": [{"url": "/", "file": "index.html", "sha256": "..."}, ...],
     "files": [{"path": "index.html", "bytes": 5120, "sha256": "..."}, ...]}
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sitegen import __version__
from sitegen.config.load import LoadedConfig
from sitegen.data.inputs import build_time, iso
from sitegen.files import walk
from sitegen.jsontext import compact_text
from sitegen.model.pages import SiteModel
from sitegen.output.write import AtomicOutput, Batch
from sitegen.render import seo

MANIFEST = "api/manifest.json"
MANIFEST_VERSION = 1


@dataclass
class Manifest:
    data: bytes
    summary: dict[str, Any]
    paths: list[str] = field(default_factory=list)  # every file it lists, sorted


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Known:
    """What a build knows of its folder's files before the manifest: the size and sha256
    the processes that wrote them took (by listed path), and the files written at another
    path than they are listed by until the build's last step (a private build's pages and
    feeds, at their private names: output/private.py): path in the folder -> listed
    path."""

    digests: Mapping[str, tuple[int, str]] = field(default_factory=dict)
    listed: Mapping[str, str] = field(default_factory=dict)


def written_files(root: Path, known: Known | None = None) -> list[tuple[str, int, str]]:
    """(listed path, bytes, sha256) of every file under root, sorted by listed path; a
    file whose digest is `known` is not read again."""
    known = known or Known()
    digests, listed = known.digests, known.listed
    out = []
    for rel in walk(root):
        name = listed.get(rel, rel)
        if name in digests:
            out.append((name, *digests[name]))
        else:
            path = os.path.join(root, rel)
            out.append((name, os.path.getsize(path), _sha256(path)))
    if listed:
        out.sort()
    return out


def _page_file(url: str) -> str:
    return url[1:] + "index.html" if url.endswith("/") else url[1:]


def build_manifest(model: SiteModel, loaded: LoadedConfig, output: AtomicOutput,
                   environ: Mapping[str, str] | None = None,
                   known: Known | None = None) -> Manifest:
    """Hash every file of the staging folder (`known`: the sizes and digests the processes
    that wrote them took, and never changed since), describe the build and write the
    description as MANIFEST. It is written as it is encoded, never held whole, unless the
    model keeps state (serve keeps the bytes to apply the next edit in place)."""
    root, write, keep = output.tmp, output.write_artifact, model.memo is not None
    environ = os.environ if environ is None else environ
    seconds, origin = build_time(loaded, environ)
    written = [entry for entry in written_files(root, known) if entry[0] != MANIFEST]
    digests = {rel: digest for rel, _, digest in written}
    pages = []
    for page in sorted(model.pages, key=lambda p: p.url):
        rel = _page_file(page.url)
        rel = rel if rel in digests else page.output
        if rel in digests:
            pages.append((page.url, rel))
    head = _head(model, seconds, origin, len(pages), len(written))

    # Each entry is what `compact_text` gives its dict, spelled out: not a json.dumps call
    # for each of three entries a page.
    def page_entries() -> Iterator[str]:
        for url, rel in pages:
            yield f'{{"url":{_string(url)},"file":{_string(rel)},"sha256":"{digests[rel]}"}}'

    def file_entries() -> Iterator[str]:
        for rel, size, digest in written:
            yield f'{{"path":{_string(rel)},"bytes":{size},"sha256":"{digest}"}}'

    def chunks() -> Iterator[bytes]:
        return _encoded(head, page_entries(), file_entries())

    data = b"".join(chunks()) if keep else b""
    _, sha256 = write(MANIFEST, data if keep else chunks)
    return Manifest(data, _summary(model, head, sha256), [rel for rel, _, _ in written])


class ManifestEditor:
    """A written build's manifest kept as one JSON fragment per entry, so `sitegen serve`
    can re-hash the few files an in-place edit rewrote and give the same bytes
    `build_manifest` would, without re-reading the folder or re-encoding every entry."""

    def __init__(self, data: bytes) -> None:
        parsed = json.loads(data)
        self.pages = [compact_text(entry) for entry in parsed["pages"]]
        self.files = [compact_text(entry) for entry in parsed["files"]]
        self._pages = {entry["file"]: (index, entry)
                       for index, entry in enumerate(parsed["pages"])}
        self._files = {entry["path"]: (index, entry)
                       for index, entry in enumerate(parsed["files"])}

    def update(self, model: SiteModel, loaded: LoadedConfig, changed: Mapping[str, bytes],
               environ: Mapping[str, str] | None = None) -> Manifest:
        """The manifest after rewriting the files `changed` (path -> new bytes)."""
        environ = os.environ if environ is None else environ
        seconds, origin = build_time(loaded, environ)
        for rel, data in changed.items():
            digest = hashlib.sha256(data).hexdigest()
            if rel in self._files:
                index, entry = self._files[rel]
                entry.update(bytes=len(data), sha256=digest)
                self.files[index] = compact_text(entry)
            if rel in self._pages:
                index, entry = self._pages[rel]
                entry["sha256"] = digest
                self.pages[index] = compact_text(entry)
        return _manifest(model, seconds, origin, self.pages, self.files)


# A string as `compact_text` encodes it (json.dumps of a str with ensure_ascii=False).
_string = json.encoder.encode_basestring


def _manifest(model: SiteModel, seconds: int, origin: str, pages: list[str],
              files: list[str]) -> Manifest:
    """The manifest from its entries, each already encoded as JSON."""
    head = _head(model, seconds, origin, len(pages), len(files))
    data = b"".join(_encoded(head, pages, files))
    return Manifest(data, _summary(model, head, hashlib.sha256(data).hexdigest()))


def _head(model: SiteModel, seconds: int, origin: str, pages: int, files: int
          ) -> dict[str, Any]:
    policy = model.policy
    return {
        "version": MANIFEST_VERSION,
        "generator": {"name": "sitegen", "version": __version__},
        "environment": {"name": policy.name, "kind": policy.kind},
        "base_url": policy.base_url,
        "build_time": iso(seconds),
        "build_time_source": origin,
        "counts": {"pages": pages, "locations": len(model.locations), "files": files + 1},
    }


def _encoded(head: dict[str, Any], pages: Iterable[str], files: Iterable[str]
             ) -> Iterator[bytes]:
    """The manifest's bytes, in chunks."""
    yield (compact_text(head)[:-1] + ',"pages":[').encode("utf-8")
    for entries, close in ((pages, b'],"files":['), (files, b"]}\n")):
        batch = Batch(b",")
        for entry in entries:
            if full := batch.add(entry.encode("utf-8")):
                yield full
        yield batch.rest()
        yield close


def _summary(model: SiteModel, head: dict[str, Any], sha256: str) -> dict[str, Any]:
    return {
        "event": "sitegen.builder",
        "site": model.config.site.name,
        **head,
        "manifest": {"url": seo.absolute(model.policy.base_url, "/" + MANIFEST),
                     "sha256": sha256},
    }
