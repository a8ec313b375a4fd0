"""The near-duplicate rule: location pages whose editorial text is nearly the same
(similarity.py compares them), kept with what they were computed from for the build cache."""

from __future__ import annotations

import functools
import hashlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sitegen.audit.findings import finding
from sitegen.audit.similarity import near_duplicates
from sitegen.diagnostics import Diagnostic
from sitegen.forking import ForkedCall, Spare

if TYPE_CHECKING:  # the spare process imports this module for `_findings` alone
    from sitegen.audit.pages import PageAudit

RULE = "seo.near-duplicate"


@dataclass
class NearDuplicates:
    """The near-duplicate findings of a build and a digest of what they were computed from
    (every page's editorial shingles and the threshold), kept in the build cache: an
    incremental build whose editorial text did not change reuses them instead of comparing
    10,000 pages again."""

    key: str = ""
    findings: list[Diagnostic] = field(default_factory=list)


def near_duplicate_key(docs: Mapping[str, bytes], threshold: float) -> str:
    digest = hashlib.blake2b(repr(threshold).encode(), digest_size=16)
    for rel in sorted(docs):
        name = rel.encode("utf-8", "surrogatepass")
        digest.update(len(name).to_bytes(4, "big") + name)
        digest.update(len(docs[rel]).to_bytes(4, "big") + docs[rel])
    return digest.hexdigest()


class NearDuplicateCheck:
    """The near-duplicate comparison of a build's pages, started as soon as their audits
    are in: in a forked process when `parallel` (the process of `spare`, forked while the
    build was small, when given), while the build hashes its manifest and runs the other
    whole-tree rules, else when the result is asked for. The previous
    build's findings (`previous`) are reused when their key still holds, and updated in
    place for the build cache when it does not.
    Close it (a context manager) so a failing build does not leave the process behind."""

    def __init__(self, pages: list[PageAudit], threshold: float, previous: NearDuplicates,
                 *, parallel: bool, spare: Spare | None = None) -> None:
        docs = {p.rel: p.editorial for p in pages if p.editorial}
        self._previous = previous
        self._key = near_duplicate_key(docs, threshold)
        # A site of several languages: pages are compared with those of their own language
        # (a page and its translation, which falls back to the same text, are alternates).
        languages: dict[str, dict[str, bytes]] = defaultdict(dict)
        for page in pages:
            if page.editorial:
                languages[page.lang][page.rel] = page.editorial
        self._call = ForkedCall(functools.partial(_findings, list(languages.values()),
                                                  threshold),
                                parallel=parallel and self._key != previous.key, spare=spare)

    def result(self) -> NearDuplicates:
        near = self._previous
        if self._key != near.key:
            near.key, near.findings = self._key, self._call.result()
        return near

    def close(self) -> None:
        self._call.close()

    def __enter__(self) -> NearDuplicateCheck:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _findings(groups: list[dict[str, bytes]], threshold: float) -> list[Diagnostic]:
    found = [d for docs in groups for d in near_duplicate_findings(docs, threshold)]
    return found if len(groups) < 2 else sorted(found, key=lambda d: (d.path, d.message))


def near_duplicate_findings(docs: dict[str, bytes], threshold: float) -> list[Diagnostic]:
    return [finding(a, RULE, f"editorial text is {score:.0%} similar to {b}; search engines "
                    "may treat near-identical location pages as doorway pages",
                    "write a distinct description for each location", "warning")
            for a, b, score in near_duplicates(docs, threshold)]
