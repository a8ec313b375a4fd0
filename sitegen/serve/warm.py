"""In-place edits for `sitegen serve`: a dataset edit applied to the live build in memory.

Even an incremental build pays for the whole site: every row read and validated, the model,
every page's fingerprint, the feeds, hashing the folder, auditing every file. An editor's
usual save changes one location's phone, hours or description, which touches a handful of
pages and the feeds. `WarmSite` keeps the last full build's model and outputs in memory and
applies such an edit like this:

1. read the dataset again and compare its mapped rows with the previous ones;
2. accept only edits of existing rows that keep every field the site's structure depends on
   (id, name, address, coordinates, categories...: URLs, hubs, nearby lists, view order) and
   that validate without any diagnostic. Anything else (a config, content or theme change,
   an added or removed row, a renamed or moved location, a warning, an encrypted build, a
   site of several languages, whose locations have a copy per language) returns None, and
   serve runs the ordinary build instead;
3. update those locations in place and rebuild their pages' data (FAQs, CTAs, lead form);
4. re-render the pages whose fingerprint changed: the pages that reference an edited
   location (a reverse index built after the full build) and the pages reading a template
   global that changed;
5. audit the re-rendered pages (page rules, links, the file guard rails; near-duplicates
   again when editorial text changed) and refuse the edit with the same diagnostics a
   build gives;
6. write those pages in place, each atomically, under the output folder's lock, and tell
   the caller (`early`): serve reloads the open pages now and lets requests for the pages
   through, while requests for the artifacts still wait;
7. regenerate the artifacts (feeds, markers, sitemap), audit those whose bytes changed,
   write them and the manifest. A failure here puts the pages back as they were.

The result equals a clean build of the same input byte for byte (tests/cli/test_warm.py). Once an
edit has begun to change the in-memory model, any failure drops the warm state, so the next
save runs a full build. The build cache on disk is removed before the first in-place write
and written again by `persist()` after the browser was told to reload.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitegen.audit.duplicates import RULE as NEAR_DUPLICATE
from sitegen.audit.duplicates import near_duplicate_findings
from sitegen.audit.guards import guard_context, guard_file
from sitegen.audit.pages import PageAudit, audit_page, page_findings
from sitegen.audit.tree import declared_noindex
from sitegen.builder.cache import CachedPage, cache_path, save_cache_after_swap
from sitegen.builder.fingerprint import PageFingerprints
from sitegen.builder.pipeline import BuildResult
from sitegen.builder.run import build_date
from sitegen.builder.stages import BuildState
from sitegen.data.edits import changed_records
from sitegen.data.locations import Location, validate_rows
from sitegen.data.mapping import MappedRow, RowMapping, map_rows
from sitegen.data.masking import mask_locations
from sitegen.data.readers import DatasetFile, RawRow, read_rows
from sitegen.diagnostics import Diagnostic, Report, SitegenError
from sitegen.files import replace_file, walk
from sitegen.model import ctas
from sitegen.model.pages import Hub
from sitegen.model.site import location_fingerprint, location_page
from sitegen.output.artifacts import all_files
from sitegen.output.lock import output_lock
from sitegen.output.manifest import MANIFEST, ManifestEditor
from sitegen.render.context import all_hubs, page_extras
from sitegen.render.i18n import localized_page
from sitegen.render.templates import render_page

# Fields an in-place edit may change: the model's structure (slugs, URLs, hubs, nearby
# lists, view order, page titles) is computed from the other fields only.
# An image is not one: a new photo means new derivative files (images.py), a full build.
LEAF_FIELDS = ("phone", "email", "website", "hours", "special_hours", "timezone",
               "description", "booking_url", "faqs", "extra", "source", "row")
ASSIGNED = ("slug", "url", "fingerprint")  # set by the model stage, not by validation
MAX_ROWS = 50  # more changed rows than this is a bulk edit: a full build is as fast
EMPTY: frozenset[str] = frozenset()
EDITED = "edited in place by sitegen serve"  # never equal to an input digest
Early = Callable[[Callable[[str], bool]], None]


class WarmSite:
    """The last full build of one environment, kept in memory to apply edits in place."""

    def __init__(self, state: BuildState, source: Path, env: str, out_dir: Path) -> None:
        self.state = state
        self.source = source
        self.env = env
        self.out_dir = out_dir
        model = state.model
        self.by_id = {loc.id: loc for loc in model.locations}
        self.page_index = {page.context["location"].id: index
                           for index, page in enumerate(model.pages) if page.kind == "location"}
        self.hubs = all_hubs(model)
        by_row = {loc.row: loc for loc in model.locations}
        self.row_locations = [by_row.get(row.row) for row in state.mapped]
        self.dependents: dict[str, list[int]] | None = None
        self.existing: set[str] = set()
        self.declared: set[str] = set()
        self.guard: Any = None
        self.global_digests: dict[str, str] = {}
        self.global_refs: dict[str, frozenset[str]] = {}
        self.refs: dict[int, frozenset[str]] = {}  # id of a hub (...) -> the locations it holds
        self.manifest: ManifestEditor | None = None
        self.cache_stale = False
        self.lines = state.lines  # a CSV dataset's lines, as the model has them
        self.pending_lines: list[str] | None = None
        self.alive = True  # False once an edit failed half-way: the model is not trusted

    def prepare(self) -> None:
        """The indexes an edit needs; run after the full build was reported, so the browser
        does not wait for them."""
        if self.dependents is not None:
            return
        memo: dict[int, frozenset[str]] = {}
        dependents: dict[str, list[int]] = {}
        for index, page in enumerate(self.state.model.pages):
            for ident in _referenced(page.context, memo):
                dependents.setdefault(ident, []).append(index)
        self.manifest = ManifestEditor(self.state.manifest)
        self.existing = set(walk(self.out_dir))
        self.declared = declared_noindex(self.out_dir)
        self.guard = guard_context(self.state.loaded, self.state.policy, self.out_dir,
                                   self.state.environ)
        fingerprints = self.state.outcome.fingerprints
        assert fingerprints is not None
        self.global_digests = dict(fingerprints._globals)
        self.global_refs = {name: _referenced(fingerprints.globals_[name], memo)
                            for name in self.global_digests}
        self.dependents = dependents
        self.refs = memo
        # The model is long-lived: keep the cyclic GC from walking its millions of objects in
        # the middle of an edit.
        gc.collect()
        gc.freeze()

    def apply(self, changed: Iterable[Path], early: Early | None = None) -> BuildResult | None:
        """Apply a dataset edit in place; None when the edit needs a full build.

        `early(final)` is called once the re-rendered pages are written, before the
        artifacts are: `final(url_path)` tells which files will not change again in this
        edit, so serve can reload the open pages while the feeds are being rewritten. If
        anything after that fails, the pages are put back as they were."""
        started = time.perf_counter()
        state = self.state
        dataset = state.resolved[0].resolve()
        changed = {Path(p).resolve() for p in changed}
        if not changed or changed != {dataset} or state.policy.protection == "encrypt" \
                or state.model.languages:  # several languages: each page has copies
            return None
        self.prepare()
        edit = self._edits() if self.alive else None
        if edit is None:
            return None
        if not edit.edits:
            self._commit_rows(edit)
            return self._result(started, 0, 0)
        gc.disable()
        try:
            return self._apply(edit, started, early)
        except _Restructured:
            self.alive = False
            return None
        except BaseException:
            self.alive = False
            raise
        finally:
            gc.enable()

    def persist(self) -> list[Diagnostic]:
        """Write the build cache for the edited output, so a later build reuses its pages;
        a cache that cannot be written (a full disk) is a warning: the edits are live.

        Its input digest is one no build computes: the files may have changed again since
        the model last read them, so the next build never takes the no-op shortcut; it
        compares page fingerprints, which are computed from what it reads itself."""
        if not self.cache_stale:
            return []
        state = self.state
        with output_lock(self.out_dir, environ=state.environ):
            state.cache.inputs = EDITED
            state.cache.diagnostics = [d for d in state.diagnostics if d.severity == "warning"]
            problems = save_cache_after_swap(self.source, self.env, state.cache, self.out_dir)
        self.cache_stale = False
        return problems

    # --- the steps

    def _edits(self) -> _Edit | None:
        """The changed rows, validated, beside the model's locations; None when the edit
        needs a full build."""
        state = self.state
        settings = state.loaded.config.locations
        report = Report()
        try:
            mapped = self._new_rows(report)
        except SitegenError:
            return None
        if mapped is None or report.items:
            return None
        content = [i for i, (old, new) in enumerate(zip(state.mapped, mapped, strict=True))
                   if old is not new and _content(old) != _content(new)]
        if len(content) > MAX_ROWS or any(
                state.mapped[i].values.get("id") != mapped[i].values.get("id")
                for i in content):
            return None
        result = validate_rows([mapped[i] for i in content], settings, report)
        if report.items or len(result.locations) != len(content):
            return None
        edits = []
        for new in mask_locations(result.locations, settings):
            old = self.by_id.get(new.id)
            if old is None or not _same_structure(old, new):
                return None
            edits.append((old, new))
        moved = [(location, old.row, new.row) for location, old, new in
                 zip(self.row_locations, state.mapped, mapped, strict=True)
                 if location is not None and old.row != new.row]
        lines = {line for _, line, _ in moved}
        display = state.resolved[2]
        if any(d.path == display and d.line in lines for d in state.diagnostics):
            return None  # their diagnostics would keep the old line numbers
        return _Edit(edits, mapped, [(location, row) for location, _, row in moved])

    def _new_rows(self, report: Report) -> list[MappedRow] | None:
        """The dataset's mapped rows now; None when rows were added, removed or reordered.
        A CSV is re-read only where its lines changed (changed_records)."""
        state = self.state
        settings = state.loaded.config.locations
        found = None if self.lines is None else changed_records(
            DatasetFile.of(settings, state.resolved), self.lines,
            [row.row for row in state.mapped], report)
        if found is None:  # not a CSV, or more than some records changed: read it all
            lines: list[str] | None = [] if self.lines is not None else None
            rows = self._map(read_rows(DatasetFile.of(settings, state.resolved), report,
                                       lines), report)
            self.pending_lines = lines
            return rows if len(rows) == len(state.mapped) else None
        self.pending_lines = found.lines
        mapped = list(state.mapped)
        indices = sorted(found.records)
        for index, row in zip(indices, self._map([found.records[i] for i in indices], report),
                              strict=True):
            mapped[index] = row
        if found.shift:
            for index in range(found.shift_from, len(mapped)):
                mapped[index] = dataclasses.replace(mapped[index],
                                                    row=mapped[index].row + found.shift)
        return mapped

    def _map(self, rows: list[RawRow], report: Report) -> list[MappedRow]:
        settings = self.state.loaded.config.locations
        mapping = RowMapping.of(settings, self.state.loaded.config.site.language)
        return map_rows(rows, mapping, report) if rows else []

    def _commit_rows(self, edit: _Edit) -> None:
        """The model now reflects the file: remember its rows, lines and line numbers."""
        self.state.mapped = edit.mapped
        for location, row in edit.moved:
            location.row = row
        self.lines = self.pending_lines if self.lines is not None else None

    def _apply(self, edit: _Edit, started: float, early: Early | None) -> BuildResult:
        state = self.state
        model, loaded, policy = state.model, state.loaded, state.policy
        outcome = state.outcome
        content = model.content
        assert content is not None and outcome.fingerprints is not None
        report = Report()
        lookup = outcome.fingerprints.globals_.get("ctas_for")
        affected: set[int] = set()
        rows = set()
        edits = edit.edits
        for old, new in edits:
            rows.add(old.row)
            for name in LEAF_FIELDS:
                setattr(old, name, getattr(new, name))
            old.fingerprint = location_fingerprint(new.fingerprint, old.url)
            index = self.page_index[old.id]
            page = location_page(model.config, old, model.nearby[old.id], content.locations)
            outcome.declared_lastmod[page.output] = page.lastmod
            ctas.attach_page(model, page, content, report)
            model.pages[index] = page
            if isinstance(lookup, ctas.CtaLookup):
                lookup.update(page)
            affected.add(index)
            affected.update(self.dependents.get(old.id, ()))  # type: ignore[union-attr]
        if report.items:
            raise SitegenError(report.items)
        edited = {old.id for old, _ in edits}
        digester = outcome.fingerprints.digester.carry(
            lambda value: isinstance(value, Hub) and id(value) in self.refs
            and not self.refs[id(value)] & edited)  # hubs are the costly digests
        fingerprints = PageFingerprints(outcome.fingerprints.env, outcome.fingerprints.base,
                                        outcome.fingerprints.globals_, digester,
                                        outcome.fingerprints._templates)
        outcome.fingerprints.digester = digester
        affected |= self._global_readers(fingerprints, edited)
        today = build_date(loaded, state.environ)
        rendered: dict[str, bytes] = {}
        audits: dict[str, PageAudit] = {}
        editorial = False  # whether any page's editorial text changed (near-duplicates)
        for index in sorted(affected):  # as builder/stages.write_site does, page by page
            page = model.pages[index]
            page.lastmod = outcome.declared_lastmod.get(page.output)
            fingerprint = fingerprints.page(page)
            before = state.cache.pages.get(page.output)
            if before is not None and before.fingerprint == fingerprint:
                page.lastmod = page.lastmod or before.lastmod
                continue
            page.lastmod = page.lastmod or today
            shown = localized_page(outcome.env, page)
            html = render_page(outcome.env, shown, page_extras(model, shown, self.hubs))
            rendered[page.output] = html.encode("utf-8")
            audit = audits[page.output] = audit_page(page.output, html, policy)
            editorial = editorial or _editorial_changed(audit, before)
            state.cache.pages[page.output] = CachedPage(fingerprint, audit, page.lastmod)
        found = self._audit_pages(rendered, audits, editorial)
        if any(d.severity == "error" for d in found):
            raise SitegenError(self._diagnostics(found, set(rendered), rows, editorial))
        with output_lock(self.out_dir, environ=state.environ):
            cache_path(self.source, self.env).unlink(missing_ok=True)
            self.cache_stale = True
            previous = {rel: _read(self.out_dir / rel) for rel in rendered}
            try:
                _write(self.out_dir, rendered)
                if early is not None:
                    early(self.final)
                changed, diagnostics = self._artifacts(rendered, found, rows, editorial,
                                                       previous)
            except BaseException:
                _restore(self.out_dir, previous)  # the last good build, as it was
                raise
        self._commit_rows(edit)
        state.diagnostics = diagnostics
        return self._result(started, len(rendered), len(changed) + len(rendered) + 1)

    def final(self, url_path: str) -> bool:
        """Whether the file a URL path names is final once the pages are written: every
        file but the artifacts (feeds, markers, sitemaps) and the manifest."""
        rel = url_path.lstrip("/")
        if not rel or rel.endswith("/"):
            rel += "index.html"
        return rel != MANIFEST and rel not in self.state.outcome.files

    def _artifacts(self, rendered: dict[str, bytes], found: list[Diagnostic], rows: set[int],
                   editorial: bool, previous: dict[str, bytes | None]
                   ) -> tuple[dict[str, bytes], list[Diagnostic]]:
        """Regenerate the artifacts, audit those that changed, write them and the manifest
        (the caller holds the output lock, and puts back `previous` if this fails); the
        changed artifacts and the diagnostics."""
        state, outcome = self.state, self.state.outcome
        files = all_files(state.model)
        if files.keys() != outcome.files.keys():
            raise _Restructured()
        changed = {rel: data for rel, data in files.items() if outcome.files[rel] != data}
        for rel, data in sorted(changed.items()):
            found.extend(guard_file(rel, data, state.policy, self.guard))
        diagnostics = self._diagnostics(found, set(rendered) | set(changed), rows, editorial)
        if any(d.severity == "error" for d in diagnostics):
            raise SitegenError(diagnostics)
        assert self.manifest is not None
        manifest = self.manifest.update(state.model, state.loaded, {**changed, **rendered},
                                        state.environ)
        previous.update({rel: outcome.files[rel] for rel in changed})
        previous[MANIFEST] = _read(self.out_dir / MANIFEST)
        _write(self.out_dir, {**changed, MANIFEST: manifest.data})
        outcome.files = files
        return changed, diagnostics

    def _global_readers(self, fingerprints: PageFingerprints, edited: set[str]) -> set[int]:
        """Pages whose template reads a global that the edit changed: one that reaches an
        edited location (the root hub), or one with a fingerprint of its own that moved
        (`ctas_for`)."""
        changed = set()
        for name, digest in self.global_digests.items():
            value = fingerprints.globals_[name]
            if isinstance(getattr(value, "fingerprint", None), str):
                fresh = fingerprints.global_digest(name)
                if fresh != digest:
                    self.global_digests[name] = fresh
                    changed.add(name)
            elif self.global_refs.get(name, EMPTY) & edited:
                changed.add(name)
        if not changed:
            return set()
        out = set()
        for index, page in enumerate(self.state.model.pages):
            used = fingerprints.template(page.template)[1]
            if any(name in used and name not in page.context for name in changed):
                out.add(index)
        return out

    def _audit_pages(self, rendered: dict[str, bytes], audits: dict[str, PageAudit],
                     editorial: bool) -> list[Diagnostic]:
        """The findings about the re-rendered pages (page rules, links, the file guard rails;
        near-duplicates across the site when editorial text changed)."""
        state = self.state
        found: list[Diagnostic] = []
        for _rel, audit in sorted(audits.items()):
            found.extend(page_findings(audit, self.declared, self.existing))
        for rel, data in sorted(rendered.items()):
            found.extend(guard_file(rel, data, state.policy, self.guard))
        if editorial:
            texts = {rel: p.audit.editorial for rel, p in state.cache.pages.items()
                         if p.audit is not None and p.audit.editorial}
            found.extend(near_duplicate_findings(
                texts, state.model.config.audit.near_duplicate_threshold))
        return found

    def _diagnostics(self, found: list[Diagnostic], rewritten: set[str], rows: set[int],
                     editorial: bool) -> list[Diagnostic]:
        """The build's diagnostics, with those of the rewritten files and rows judged again."""
        state = self.state
        display = state.resolved[2]
        kept = [d for d in state.diagnostics if d.path not in rewritten
                and not (d.path == display and d.line in rows)
                and not (editorial and d.rule == NEAR_DUPLICATE)]
        return kept + found

    def _result(self, started: float, rendered: int, written: int) -> BuildResult:
        state = self.state
        summary = state.cache.summary
        return BuildResult(self.env, self.out_dir, seconds=time.perf_counter() - started,
                           diagnostics=list(state.diagnostics), rendered=rendered,
                           reused=summary["pages"] - rendered, written=written, **summary)


@dataclass
class _Edit:
    edits: list[tuple[Location, Location]]  # (location in the model, its new validation)
    mapped: list[MappedRow]                 # every mapped row, as the file is now
    moved: list[tuple[Location, int]]       # locations whose row starts on another line


def _content(row: MappedRow) -> tuple[Any, ...]:
    return row.values, row.extra, row.columns


class _Restructured(Exception):
    """The edit changed which files the build writes: only a full build may do that."""


def _editorial_changed(audit: PageAudit, before: CachedPage | None) -> bool:
    return audit.editorial != (before.audit.editorial if before and before.audit else None)


def _same_structure(old: Location, new: Location) -> bool:
    skip = set(LEAF_FIELDS) | set(ASSIGNED)
    return all(getattr(old, f.name) == getattr(new, f.name)
               for f in dataclasses.fields(Location) if f.name not in skip)


def _referenced(value: Any, memo: dict[int, frozenset[str]]) -> frozenset[str]:
    """Ids of the locations a page's data reaches (what its fingerprint digests)."""
    if isinstance(value, Location):
        return frozenset((value.id,))
    if value is None or isinstance(value, str | int | float | bool):
        return EMPTY
    if isinstance(value, dict):
        return _union(_referenced(v, memo) for v in value.values())
    if isinstance(value, list | tuple | set | frozenset):
        return _union(_referenced(v, memo) for v in value)
    key = id(value)
    if key in memo:
        return memo[key]
    if isinstance(value, Hub):
        found = frozenset(loc.id for loc in value.locations)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        found = _union(_referenced(getattr(value, f.name), memo)
                       for f in dataclasses.fields(value) if f.name != "parent")
    else:
        found = EMPTY
    memo[key] = found
    return found


def _union(sets: Iterable[frozenset[str]]) -> frozenset[str]:
    out: set[str] = set()
    for item in sets:
        out |= item
    return frozenset(out)


def _write(root: Path, files: Mapping[str, bytes | None]) -> None:
    """Replace files of the live output, each atomically; a file that cannot be written is
    a diagnostic naming it (the caller puts back what it had already written)."""
    for rel, data in files.items():
        try:
            _replace(root / rel, data)
        except OSError as exc:
            raise SitegenError(Diagnostic(
                f"{root.parent.name}/{root.name}/{rel}", None, None,
                f"cannot write: {exc.strerror or exc}",
                "check disk space and permissions; the last good build is still served")
            ) from None


def _restore(root: Path, files: dict[str, bytes | None]) -> None:
    """Put files back as they were, as far as the disk allows (an error is on its way)."""
    for rel, data in files.items():
        with contextlib.suppress(OSError):
            _replace(root / rel, data)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _replace(path: Path, data: bytes | None) -> None:
    """Write a file of the live output atomically: readers see the old or the new bytes."""
    if data is None:  # it did not exist before the edit
        path.unlink(missing_ok=True)
        return
    replace_file(path, data)

