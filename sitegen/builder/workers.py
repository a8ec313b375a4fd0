"""Rendering across processes: every page rendered, written and audited by a worker.

The model is built once in the parent; forked workers inherit it (no pickling of the site)
and each renders contiguous slices of the page list, writes the files and runs the per-page
audit on the HTML it just produced. A page's bytes depend only on the page, never on which
process rendered it, so `--jobs 1` and `--jobs 2` give identical trees. In an encrypted build
the workers also seal each page with the key the parent derived before forking (the audit
still reads the plaintext), so the parent does not re-read and encrypt every page serially.
With a guard context, the workers also apply the file guard rails to the bytes they wrote
(`audit/guards.guard_file`; a sealed page's prompt is judged as written, the page behind it from
the plaintext the worker still holds); the parent's pass over the folder then reads only
the files no worker judged.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from sitegen.audit.guards import GuardContext, guard_file
from sitegen.audit.pages import PageAudit, audit_page
from sitegen.builder.fingerprint import PageFingerprints
from sitegen.diagnostics import Diagnostic, SitegenError
from sitegen.forking import ForkedCall, forked_map
from sitegen.model.pages import Hub, Page, SiteModel
from sitegen.output.private import Rewriter, page_url_of
from sitegen.output.protect import Sealer, is_protected_path
from sitegen.output.write import Folders, create_file
from sitegen.render.context import all_hubs, page_extras
from sitegen.render.i18n import localized_page
from sitegen.render.templates import render_page

CHUNK = 100
PARALLEL_MIN_PAGES = 400


@dataclass
class RenderJob:
    model: SiteModel
    env: jinja2.Environment
    out: Path
    hubs: dict[str, Hub] = field(default_factory=dict)
    sealer: Sealer | None = None
    guard: GuardContext | None = None
    fingerprints: PageFingerprints | None = None
    declared: dict[str, str | None] = field(default_factory=dict)  # lastmod before the build
    folders: Folders | None = None  # the folders each process made in `out`
    envs: dict[str, jinja2.Environment] = field(default_factory=dict)  # other languages'
    # A private build's links, rewritten in each page before it is sealed (output/private.py).
    rewriter: Rewriter | None = None


@dataclass
class ChunkResult:
    audits: list[PageAudit]
    errors: list[Diagnostic]
    guards: dict[str, list[Diagnostic]] = field(default_factory=dict)  # path -> guard_file
    sealed: frozenset[str] = frozenset()  # files a side task sealed as it wrote them
    fingerprints: dict[str, str] = field(default_factory=dict)  # path -> page fingerprint
    hashes: dict[str, tuple[int, str]] = field(default_factory=dict)  # path -> size, sha256
    rewritten: list[str] = field(default_factory=list)  # pages sealed with links rewritten
    resolved: set[str] = field(default_factory=set)  # paths the rewriter looked up
    deferred: frozenset[str] = frozenset()  # data files a side task wrote plain, to seal


@dataclass
class Rendered:
    """What the workers found: each page's audit, the guard findings of the files they
    judged (by path), the page fingerprints they computed and the digests of what they
    wrote."""

    audits: list[PageAudit]
    guards: dict[str, list[Diagnostic]]
    fingerprints: dict[str, str] = field(default_factory=dict)
    hashes: dict[str, tuple[int, str]] = field(default_factory=dict)  # of the files written
    rewritten: set[str] = field(default_factory=set)  # pages sealed with links rewritten
    resolved: set[str] = field(default_factory=set)  # paths the rewriter looked up


_JOB: RenderJob | None = None


class SideTask(ForkedCall[ChunkResult]):
    """Work that needs the model but not the pages (the build's artifacts), run beside the
    rest of the build (forking.ForkedCall); its errors come back in its ChunkResult."""

    def __init__(self, task: Callable[[], ChunkResult], *, parallel: bool) -> None:
        super().__init__(functools.partial(_guarded, task), parallel=parallel)


def _slices(todo: list[int], jobs: int) -> list[list[int]]:
    """`CHUNK` pages a slice, the last `2 * jobs` slices a quarter of that: whichever
    worker is free takes the next slice, and small last ones let the workers finish
    together rather than one of them rendering a whole slice alone."""
    tail = min(len(todo), 2 * jobs * CHUNK)
    head = len(todo) - tail
    small = max(1, CHUNK // 4)
    return [todo[start:min(start + CHUNK, head)] for start in range(0, head, CHUNK)] + \
        [todo[start:start + small] for start in range(head, len(todo), small)]


def _guarded(task: Callable[[], ChunkResult]) -> ChunkResult:
    try:
        return task()
    except SitegenError as exc:
        return ChunkResult([], exc.diagnostics)


def _render_slice(indices: list[int]) -> ChunkResult:
    """Fingerprint, render, write, audit and guard a slice of pages, each step over the
    whole slice before the next: taking each page through every step interleaves their
    code and data, and the same work takes more CPU."""
    job = _JOB
    assert job is not None, "render job not set before the workers started"
    pages = [job.model.pages[index] for index in indices]
    audits: list[PageAudit] = []
    guards: dict[str, list[Diagnostic]] = {}
    fingerprints: dict[str, str] = {}
    hashes: dict[str, tuple[int, str]] = {}
    try:
        if job.fingerprints is not None:  # of the pages as the model made them
            for page in pages:
                fingerprints[page.output] = job.fingerprints.page(
                    page, lastmod=job.declared.get(page.output))
        languages = job.model.languages
        shown = [localized_page(job.envs.get(page.lang, job.env), page) for page in pages]
        extras = [page_extras(languages.get(page.lang, job.model), page, job.hubs)
                  for page in shown]
        htmls = [render_page(job.envs.get(page.lang, job.env), page, extra)
                 for page, extra in zip(shown, extras, strict=True)]
        del shown
        del extras
        written = _write_slice(job, pages, htmls, hashes)
        for page, html, (plain, _, _) in zip(pages, htmls, written, strict=True):
            audits.append(audit_page(page.output, html, job.model.policy, plain))
            audits[-1].lang = page.lang
        if job.guard is not None:
            for page, html, (_, data, sealed) in zip(pages, htmls, written, strict=True):
                guards[page.output] = guard_file(page.output, data, job.model.policy,
                                                 job.guard, html if sealed else None)
    except SitegenError as exc:
        return ChunkResult(audits, exc.diagnostics)
    except OSError as exc:
        return ChunkResult(audits, [Diagnostic(str(exc.filename or job.out), None, None,
                                               f"cannot write: {exc.strerror or exc}",
                                               "check disk space and permissions; the "
                                               "previous output is unchanged")])
    rewritten, resolved = [], set()
    if job.rewriter is not None:
        rewritten = [page.output for page in pages if job.sealer is not None
                     and is_protected_path(page.output) and _rewrites(page.output)]
        resolved = set(job.rewriter.resolved)  # new since this process's last slice
        job.rewriter.resolved.clear()
    return ChunkResult(audits, [], guards, fingerprints=fingerprints, hashes=hashes,
                       rewritten=rewritten, resolved=resolved)


def _rewrites(rel: str) -> bool:
    """Whether a sealed page at `rel` has its links rewritten first and is written at its
    private name (HTML pages; the other files a private build renames are rewritten when
    it moves them)."""
    return rel.lower().endswith((".html", ".htm"))


def _write_slice(job: RenderJob, pages: list[Page], htmls: list[str],
                 hashes: dict[str, tuple[int, str]]) -> list[tuple[bytes, bytes, bool]]:
    """Write each page (sealed when the job seals it), noting its size and sha256 in
    `hashes`; per page (its UTF-8 bytes, the bytes written, whether they were sealed)."""
    folders = job.folders if job.folders is not None else Folders(job.out)
    written = []
    for page, html in zip(pages, htmls, strict=True):
        rel = where = page.output
        plain = data = html.encode("utf-8")
        sealer = job.sealer if is_protected_path(rel) else None
        if sealer is not None:
            rewriter = job.rewriter if job.rewriter is not None and _rewrites(rel) else None
            shown = rewriter.page(html, page_url_of(rel)) if rewriter is not None else html
            data = sealer.seal(rel, data, shown)
            if rewriter is not None:  # written at its private name (output/private.py)
                where = rewriter.plan.names.get(rel, rel)
        folders.make(where.rpartition("/")[0])
        hashes[rel] = create_file(os.path.join(job.out, where), (data,))
        written.append((plain, data, sealer is not None))
    return written


def _fingerprint_slice(pages: list[Page], fingerprints: PageFingerprints,
                       bounds: tuple[int, int]) -> list[str]:
    return [fingerprints.page(page) for page in pages[bounds[0]:bounds[1]]]


def page_fingerprints(model: SiteModel, fingerprints: PageFingerprints, jobs: int
                      ) -> list[str] | None:
    """Every page's fingerprint, in page order, computed by `jobs` forked processes (a
    noticeable part of an incremental build); None when one process is asked for or the
    site is small: the caller computes them itself."""
    pages = model.pages
    if jobs <= 1 or len(pages) < PARALLEL_MIN_PAGES:
        return None
    size = -(-len(pages) // (jobs * 4))
    slices = [(start, start + size) for start in range(0, len(pages), size)]
    task = functools.partial(_fingerprint_slice, pages, fingerprints)
    with forked_map(task, slices, jobs) as parts:
        return [value for part in parts for value in part]


class _Gathered(Rendered):
    """The workers' results as they arrive, each keyed by the page's own `output` string
    and each link as the first copy of its text: a worker's strings arrive as new copies
    (of a page's path, four; of a location's URL, one for every page that links to it),
    and the build holds these records for every page until it ends."""

    def __init__(self) -> None:
        super().__init__([], {})
        self._links: dict[str, str] = {}

    def keep(self, model: SiteModel, chunk: list[int], result: ChunkResult) -> None:
        for index, audit in zip(chunk, result.audits, strict=False):  # up to an error
            rel = audit.rel = model.pages[index].output
            audit.links = tuple([self._links.setdefault(link, link) for link in audit.links])
            self.audits.append(audit)
            if rel in result.guards:
                self.guards[rel] = result.guards[rel]
            if rel in result.fingerprints:
                self.fingerprints[rel] = result.fingerprints[rel]
            if rel in result.hashes:
                self.hashes[rel] = result.hashes[rel]
        self.rewritten.update(result.rewritten)
        self.resolved |= result.resolved


def render_pages(job: RenderJob, todo: list[int], jobs: int,
                 progress: Callable[[int, int], None] | None, release: bool = False
                 ) -> Rendered:
    """Render the pages `todo` (indices into job.model.pages) into `job.out` in `jobs`
    processes, sealed with `job.sealer` and judged with `job.guard` when given; raise on
    errors. `job.fingerprints`: compute each page's fingerprint there too (a build that
    reuses nothing needs them only for its cache), with the lastmod the model `declared`.
    `release`: the caller needs no page's context afterwards, so this process drops them
    once the workers have forked (SiteModel.drop_page_data)."""
    global _JOB
    model = job.model
    total = len(todo)
    job.hubs = all_hubs(model)
    job.folders = Folders(job.out)  # each worker's copy notes the folders it made
    _JOB = job
    slices = _slices(todo, jobs)
    gathered = _Gathered()
    errors: list[Diagnostic] = []
    done = 0
    parallel = jobs > 1 and total >= PARALLEL_MIN_PAGES
    try:
        with forked_map(_render_slice, slices, jobs) if parallel else \
                contextlib.nullcontext(map(_render_slice, slices)) as results:
            if parallel and release:
                model.drop_page_data()  # the workers have their copy
            for chunk, result in zip(slices, results, strict=True):
                gathered.keep(model, chunk, result)
                errors.extend(result.errors)
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
                if errors:
                    break
    finally:
        _JOB = None
    if errors:
        raise SitegenError(errors)
    return Rendered(gathered.audits, gathered.guards, gathered.fingerprints, gathered.hashes,
                    gathered.rewritten, gathered.resolved)
