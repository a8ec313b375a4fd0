"""The stages of a build after its data (builder/pipeline.py imports them while the rows
load): place the locations and make the model, render and write the pages and the other
files into a temporary folder, protect, audit, swap the folder in, save the cache.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import functools
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sitegen.audit.allowlist import unused_assets
from sitegen.audit.context import PagesSeen
from sitegen.audit.duplicates import NearDuplicateCheck, NearDuplicates
from sitegen.audit.guards import GuardContext, guard_context, guard_file
from sitegen.audit.pages import PageAudit
from sitegen.audit.tree import WrittenTree, finish_audit
from sitegen.builder.cache import (
    BuildCache,
    CachedPage,
    DetailsWriter,
    save_cache_after_swap,
)
from sitegen.builder.dataset import DatasetResult, load_dataset
from sitegen.builder.fingerprint import PageFingerprints, base_fingerprint
from sitegen.builder.ledger import record_published
from sitegen.builder.notify import notify_build
from sitegen.builder.run import (
    BuildOptions,
    BuildRun,
    input_fingerprint,
    planning_run,
)
from sitegen.builder.workers import (
    ChunkResult,
    RenderJob,
    SideTask,
    page_fingerprints,
    render_pages,
)
from sitegen.config.languages import site_languages
from sitegen.config.load import LoadedConfig
from sitegen.config.policy import Policy
from sitegen.config.themes import theme_dirs
from sitegen.data.ledger import read_ledger
from sitegen.data.locations import Location
from sitegen.data.mapping import MappedRow
from sitegen.data.postcodes import Centroid, countries_of, read_centroids
from sitegen.diagnostics import Diagnostic, Report, SitegenError
from sitegen.files import walk
from sitegen.forking import ForkedCall, Spare, release_free_memory
from sitegen.model import ctas, leads, redirects
from sitegen.model.content import load_content
from sitegen.model.languages import add_languages, default_config
from sitegen.model.lifecycle import parse_today
from sitegen.model.pages import SiteModel
from sitegen.model.site import (
    Placed,
    add_nearby,
    build_model,
    nearby_search,
    place,
)
from sitegen.output.artifacts import (
    LATE,
    LOCATED,
    PRODUCERS,
    Produced,
    Producer,
    all_files,
    artifacts,
)
from sitegen.output.manifest import MANIFEST, Known, Manifest, build_manifest
from sitegen.output.private import (
    PathKey,
    Prewritten,
    PrivateBuild,
    Rewriter,
    anticipated,
    brand_files,
    place_data_file,
    private_manifest,
    private_paths,
    privatize,
    production_url,
)
from sitegen.output.protect import Sealer, is_protected_path, protect_tree
from sitegen.output.write import Artifact, AtomicOutput, FileSet
from sitegen.render import images
from sitegen.render.branding import resolve_brand
from sitegen.render.globals import template_globals
from sitegen.render.i18n import catalog_hashes
from sitegen.render.templates import (
    asset_hashes,
    make_environment,
    render_template_check,
)


def make_site(run: BuildRun, dataset: DatasetResult, spare: Spare, report: Report) -> Made:
    """The stages after the data: place the locations, make the model, render and write
    the pages and files, protect, audit, swap the folder in and save the cache. `spare`:
    the process forked before the rows were read (nearby, the near-duplicate check)."""
    options, fresh_rows = run.options, dataset.fresh
    with contextlib.ExitStack() as early:
        sealer = Sealer.new(run.policy, run.loaded.config, resolve_brand(run.loaded)) \
            if run.policy.protection == "encrypt" else None
        placed = place(default_config(run.loaded.config), run.policy, dataset.locations,
                       parse_today(run.today))
        # Nearby, in the spare process (which has imported numpy) while this one goes on.
        nearby = early.enter_context(ForkedCall(nearby_search(placed), parallel=run.jobs > 1,
                                                spare=spare, borrow=True))
        placed = dataclasses.replace(placed, neighbours=nearby.result,
                                     postcodes=load_postcodes(run, placed.locations, report))
        with AtomicOutput(run.out_dir) as output, contextlib.ExitStack() as stack:
            writing = Writing(run, output, sealer, guard_context(
                run.loaded, run.policy, output.tmp, run.environ,
                protection=sealer.protection if sealer else None), spare)
            side = _located_artifacts(writing, placed, stack)
            model = build_site_model(run, placed, report)
            del placed  # its URL segment values (a dict per location): the model is made
            _check_strict(options, report)
            outcome = write_site(writing, model, side)
            if run.policy.kind != "production":
                _drop_unused_assets(writing, outcome)
            if sealer:
                protect_tree(output.tmp, sealer, outcome.sealed)
            release_free_memory()  # the workers' results, before the next processes fork
            details = stack.enter_context(DetailsWriter(
                run.source, options.env, outcome.pages, {run.rows_key: fresh_rows},
                parallel=run.jobs > 1))
            manifest, near = audit(writing, model, outcome, report)
            if outcome.private is not None:
                manifest = _privatize(writing, outcome.private, manifest)
            output.commit()
            inputs = input_fingerprint(options, run.loaded, run.policy, run.resolved[0],
                                       run.config_text) \
                if record_published(run.source, run.policy, model) else run.inputs
            summary: dict[str, Any] = {
                "rows_read": dataset.rows_read, "locations_built": len(model.locations),
                "rows_skipped": dataset.rows_skipped, "pages": len(model.pages)}
            saved = BuildCache(inputs=inputs, pages=outcome.pages,
                               rows={run.rows_key: fresh_rows}, summary=summary, near=near,
                               diagnostics=report.warnings)
            report.extend(save_cache_after_swap(run.source, options.env, saved, run.out_dir,
                                                details))
        report.extend(notify_build(run.loaded.config.notifications, manifest.summary))
    state = BuildState(run.loaded, run.policy, run.resolved, model, dataset.mapped,
                       dataset.lines, outcome, saved, manifest.data, list(report.items),
                       run.environ) if options.keep_state else None
    return Made(summary, outcome.rendered, outcome.reused, state)


@dataclass(frozen=True)
class Made:
    """What make_site made: the build's counts (BuildResult's), the pages it rendered and
    reused, and what serve keeps (`options.keep_state`)."""

    summary: dict[str, Any]
    rendered: int
    reused: int
    state: BuildState | None


def _check_strict(options: BuildOptions, report: Report) -> None:
    if options.strict and report.warnings:
        raise SitegenError([*report.items, Diagnostic(
            "sitegen", None, None, f"{len(report.warnings)} warnings with --strict",
            "fix the warnings or build without --strict")])


# --- data and model ------------------------------------------------------------------------


def load_postcodes(run: BuildRun, locations: list[Location], report: Report
                   ) -> list[Centroid]:
    """The rows of `locator.postcodes` (none when unset); raise if the file has errors."""
    name = run.loaded.config.locator.postcodes
    if not name or not run.loaded.config.locator.places:
        return []
    rows = read_centroids(run.loaded.source / name, name, countries_of(locations), report)
    if report.errors:
        raise SitegenError(report.items)
    return rows


def build_site_model(run: BuildRun, placed: Placed, report: Report) -> SiteModel:
    """The model of the placed locations and the content: pages, hubs, calls to action and
    lead forms; `run.options.keep_state` (serve) also keeps the memo in-place edits use."""
    content = load_content(run.source, report, tuple(site_languages(placed.config)[1:]))
    if report.errors:
        raise SitegenError(report.items)
    model = build_model(placed, content, report)
    add_languages(model, placed, content, report)
    model.content = content
    model.memo = {} if run.options.keep_state else None
    ctas.attach(model, content, report)
    leads.attach(model, report)
    model.ledger = read_ledger(run.source, model.config.redirects.ledger, report)
    redirects.attach(model, model.ledger, report)
    model.brand = resolve_brand(run.loaded)
    model.pictures, derived = images.prepare(model.locations, model.static_files, report,
                                             run.jobs)
    model.static_files = [*model.static_files, *derived]
    for view in model.languages.values():
        view.brand, view.pictures = model.brand, model.pictures
    if report.errors:
        raise SitegenError(report.items)
    add_nearby(model, placed)  # last: the search runs beside the rest of the model
    release_free_memory()
    return model


def plan_site(loaded: LoadedConfig, policy: Policy, report: Report
              ) -> tuple[SiteModel, DatasetResult]:
    """The model a build would make, and the dataset it was made from, with nothing written
    (`sitegen validate`)."""
    run = planning_run(loaded, policy, report)
    dataset = load_dataset(run, report)
    placed = place(default_config(loaded.config), policy, dataset.locations,
                   parse_today(run.today))
    placed = dataclasses.replace(placed, postcodes=load_postcodes(run, placed.locations, report))
    return build_site_model(run, placed, report), dataset


# --- render and write ------------------------------------------------------------------------


@dataclass
class WriteOutcome:
    audits: list[PageAudit]
    pages: dict[str, CachedPage]
    rendered: int
    reused: int
    env: Any = None
    fingerprints: PageFingerprints | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    declared_lastmod: dict[str, str | None] = field(default_factory=dict)  # before the cache
    sealed: frozenset[str] = frozenset()  # pages the render workers already encrypted
    guards: dict[str, list[Diagnostic]] = field(default_factory=dict)  # judged by workers
    hashes: dict[str, tuple[int, str]] = field(default_factory=dict)  # size, sha256 written
    private: PrivateBuild | None = None  # a build with private paths: how it renames


@dataclass
class BuildState:
    """What a finished build knew, kept by `sitegen serve` to apply the next edit in place."""

    loaded: LoadedConfig
    policy: Policy
    resolved: tuple[Path, str | None, str]
    model: SiteModel
    mapped: list[MappedRow]
    lines: list[str] | None
    outcome: WriteOutcome
    cache: BuildCache
    manifest: bytes
    diagnostics: list[Diagnostic]
    environ: Mapping[str, str] | None


@dataclass(frozen=True)
class Writing:
    """Where and how a build writes: its run, the staging folder, the sealer of an encrypted
    build, and the guard rails the processes that write apply to what they wrote."""

    run: BuildRun
    output: AtomicOutput
    sealer: Sealer | None
    guard: GuardContext
    spare: Spare | None = None  # a process forked early, for the near-duplicate check


@dataclass(frozen=True)
class _Templates:
    env: Any  # the jinja2 Environment of the build
    fingerprints: PageFingerprints
    envs: dict[str, Any] = field(default_factory=dict)  # of each other language's pages


class _Mode(enum.Enum):
    """How pages are compared with the previous build, by what there is to compare with."""

    FRESH = "nothing to reuse (a clean or encrypted build): no comparison; the render " \
            "workers fingerprint the pages of a clean build, for the cache only"
    COMPARE = "an incremental build: every page fingerprinted (in forked processes), the " \
              "unchanged ones taken from the live output"
    KEEP = "serve: fingerprinted in this process, whose digests the next in-place edit " \
           "starts from"


@dataclass
class _Compared:
    pages: dict[str, CachedPage]  # every page's cache entry, by path
    audits: list[PageAudit]  # of the pages reused
    todo: list[int]  # indices of the pages to render
    hashes: dict[str, tuple[int, str]]  # size and sha256 of the files reused
    declared: dict[str, str | None]  # each page's lastmod as the model made it


@dataclass
class _Judged:
    """What the writers of the artifacts did: the paths they sealed, and when they `judge`
    (a build; serve's artifacts are judged with the folder), the guard findings and the
    digests of what they wrote, by path."""

    judge: bool = True
    guards: dict[str, list[Diagnostic]] = field(default_factory=dict)
    hashes: dict[str, tuple[int, str]] = field(default_factory=dict)
    sealed: set[str] = field(default_factory=set)
    # A private build's side task writes its data files plain (`defer`) and lists them in
    # `deferred`: each is sealed once, its links rewritten with the pages' plan, beside the
    # render (`_place_data_files`), instead of sealed here and opened, rewritten and sealed
    # again at the end (20 MB feeds). `resolved`: the paths that rewrite looked up.
    defer: bool = False
    deferred: set[str] = field(default_factory=set)
    resolved: set[str] = field(default_factory=set)


def write_site(writing: Writing, model: SiteModel, side: SideTask | None) -> WriteOutcome:
    """Copy the static files, render the pages whose fingerprint changed (in parallel;
    sealed there in an encrypted build, judged there by the guard rails: the static files
    a page loads are in place by then), reuse the others from the live output, then write
    the artifacts: those of LOCATED by `side` when the build started it, every one here
    otherwise (serve, which keeps their bytes to apply the next edit in place)."""
    dirs = theme_dirs(writing.run.source, model.config.theme.name)
    _copy_static(model, dirs, writing.output)
    globals_ = template_globals(model, dirs)
    env = make_environment(dirs, globals_)
    render_template_check(env, {page.template for page in model.pages})
    theme_files = {**asset_hashes(dirs), **catalog_hashes(dirs)}  # a changed .po renders again
    base = base_fingerprint(model.config, model.policy, theme_files)
    fingerprints = PageFingerprints(env, base, globals_)
    envs = {}
    for code, view in model.languages.items():  # each language's pages read its globals
        language_globals = template_globals(view, dirs)
        envs[code] = make_environment(dirs, language_globals)
        fingerprints.languages[code] = PageFingerprints(envs[code], base, language_globals)
    return _write_pages(writing, model, _Templates(env, fingerprints, envs), side)


def _copy_static(model: SiteModel, dirs: list[Path], output: AtomicOutput) -> None:
    """The themes' static files (under _assets/) and the content's, before any page is
    rendered: the guard rails the render workers apply look at the scripts a page loads."""
    for folder in reversed(dirs):
        static = folder / "static"
        if static.is_dir():
            for path in sorted(static.rglob("*")):
                if path.is_file():
                    output.copy(path, "_assets/" + path.relative_to(static).as_posix())
    for path, rel in model.static_files:
        output.copy(path, rel)


def _write_pages(writing: Writing, model: SiteModel, templates: _Templates,
                 side: SideTask | None) -> WriteOutcome:
    """Compare each page with the previous build (reuse it, or render it), write the
    sitemaps once every page's lastmod is settled, and gather the side task's work."""
    previous = writing.run.previous
    mode = _Mode.KEEP if model.memo is not None else \
        _Mode.COMPARE if previous.pages else _Mode.FRESH
    compared = _compare_pages(writing, model, templates.fingerprints, mode)
    judged = _Judged(side is not None, hashes=compared.hashes)
    kept = _write_artifacts(writing, model, PRODUCERS if side is None else LATE, judged)
    private = _private_build(writing, model)
    if private is not None:  # the pages' links are planned with every artifact in place
        _gather(side, judged)
        side = None
    release_free_memory()  # the sitemaps' bytes, before the render workers fork
    rewriter = anticipated(writing.output.tmp, [page.output for page in model.pages],
                           private) if private is not None else None
    job = RenderJob(model, templates.env, writing.output.tmp, envs=templates.envs,
                    sealer=writing.sealer,
                    guard=writing.guard, declared=compared.declared,
                    # Only for the cache, which never gives an encrypted build a page
                    # (BuildRun.previous: each such build has its own key).
                    fingerprints=templates.fingerprints
                    if mode is _Mode.FRESH and writing.sealer is None else None,
                    rewriter=rewriter)
    run = writing.run
    placing = SideTask(functools.partial(_place_data_files, writing, rewriter,
                                         sorted(judged.deferred)), parallel=run.jobs > 1) \
        if rewriter is not None and judged.deferred else None
    with placing or contextlib.nullcontext():
        rendered = render_pages(job, compared.todo, run.jobs, run.options.progress,
                                release=model.memo is None)
        _gather(placing, judged)
    pages = compared.pages
    for audit in rendered.audits:
        pages[audit.rel].audit = audit
    for rel, fingerprint in rendered.fingerprints.items():
        pages[rel].fingerprint = fingerprint
    for rel, digest in rendered.hashes.items():
        pages[rel].digest = digest
    judged.guards.update(rendered.guards)
    judged.hashes.update(rendered.hashes)
    _gather(side, judged)
    if private is not None and rewriter is not None:
        private = dataclasses.replace(private, prewritten=Prewritten(
            rewriter.plan, rendered.resolved | judged.resolved,
            {rel: judged.hashes[rel] for rel in (*rendered.rewritten, *judged.deferred)}))
    todo = compared.todo
    # The pages by their paths, and those written at their private names by those too.
    sealed = frozenset(model.pages[i].output for i in todo) | judged.sealed \
        | (private.placed().keys() if private is not None else set()) \
        if writing.sealer else frozenset()
    return WriteOutcome(compared.audits + rendered.audits, pages, len(todo),
                        len(model.pages) - len(todo), templates.env, templates.fingerprints,
                        kept, compared.declared, sealed, judged.guards, judged.hashes,
                        private)


def _gather(side: SideTask | None, judged: _Judged) -> None:
    """Take what the side task wrote into `judged` (none: nothing to take); raise its
    errors."""
    if side is None:
        return
    done = side.result()
    if done.errors:
        raise SitegenError(done.errors)
    judged.guards.update(done.guards)
    judged.hashes.update(done.hashes)
    judged.sealed |= done.sealed
    judged.deferred |= done.deferred
    judged.resolved |= done.resolved


def _privately_named(writing: Writing) -> bool:
    """Whether the build is encrypted with private paths (never serve, which keeps
    production paths to apply edits in place)."""
    run = writing.run
    return writing.sealer is not None and private_paths(run.loaded.config) \
        and not run.options.keep_state


def _private_build(writing: Writing, model: SiteModel) -> PrivateBuild | None:
    """How an encrypted build with private paths renames its files (None for any other
    build)."""
    run, sealer = writing.run, writing.sealer
    if sealer is None or not _privately_named(writing):
        return None
    assert run.policy.password is not None
    paths = PathKey.derive(run.policy.password, run.policy.name, sealer.protection.iterations)
    return PrivateBuild(sealer, paths, {rel for _, rel in model.static_files},
                        brand_files(model), production_url(run.loaded), run.jobs)


def _compare_pages(writing: Writing, model: SiteModel, fingerprints: PageFingerprints,
                   mode: _Mode) -> _Compared:
    """Each page reused from the previous build when its fingerprint did not change (a hard
    link into the staging folder), else marked to render; every page's lastmod settled."""
    run = writing.run
    previous, today = run.previous, run.today
    compared = _Compared({}, [], [], {}, {page.output: page.lastmod for page in model.pages})
    pages = compared.pages
    prints = page_fingerprints(model, fingerprints, run.jobs) if mode is _Mode.COMPARE \
        else None
    for index, page in enumerate(model.pages):
        if mode is _Mode.FRESH:
            page.lastmod = page.lastmod or today
            pages[page.output] = CachedPage("", None, page.lastmod)
            compared.todo.append(index)
            continue
        fingerprint = prints[index] if prints is not None else fingerprints.page(page)
        before = previous.pages.get(page.output)
        if before is not None and before.fingerprint == fingerprint:
            page.lastmod = page.lastmod or before.lastmod
            if writing.output.reuse(run.out_dir / page.output, page.output):
                compared.audits.append(before.audit)
                pages[page.output] = before
                if before.digest is not None:  # the manifest need not read it again
                    compared.hashes[page.output] = before.digest
                continue
        page.lastmod = page.lastmod or today
        pages[page.output] = CachedPage(fingerprint, None, page.lastmod)
        compared.todo.append(index)
    return compared


def _write_artifacts(writing: Writing, model: SiteModel, producers: list[Producer],
                     judged: _Judged) -> dict[str, bytes]:
    """Write the artifacts of `producers`, sealed as they are written in an encrypted build
    (not read back and rewritten by protect_tree), into `judged`: the paths sealed and,
    when it judges, the guard findings of those written from bytes and each one's size and
    sha256 for the manifest. Serve keeps their bytes to apply edits in place (returned); a
    build streams the big feeds to disk."""
    output, sealer = writing.output, writing.sealer
    kept = all_files(model) if model.memo is not None else {}
    produced: Iterable[Produced] = kept.items() if kept else artifacts(model, producers)
    sealed = judged.sealed

    def protected(rel: str) -> bool:  # sealed as it is written (a stream: gathered whole)
        return sealer is not None and is_protected_path(rel) and not judged.defer

    def write(rel: str, artifact: Artifact) -> None:
        if judged.defer and is_protected_path(rel):  # sealed later (_Judged.defer)
            judged.deferred.add(rel)
            output.write_artifact(rel, artifact)
            return
        if sealer is not None and protected(rel):
            plain = artifact if isinstance(artifact, bytes) else b"".join(artifact())
            artifact = sealer.seal(rel, plain)
            sealed.add(rel)
        written = output.write_artifact(rel, artifact)
        if judged.judge:
            judged.hashes[rel] = written
            if isinstance(artifact, bytes):
                judged.guards[rel] = guard_file(rel, artifact, model.policy, writing.guard)

    for item in produced:
        if isinstance(item, FileSet):
            streamed = output.write_file_set(item, write, protected)
            if judged.defer:
                judged.deferred.update(filter(is_protected_path, streamed))
            if judged.judge:
                judged.hashes.update((rel, digest) for rel, digest in streamed.items()
                                     if rel not in judged.deferred)
        else:
            write(*item)
    return kept


def _located_artifacts(writing: Writing, placed: Placed, stack: contextlib.ExitStack
                       ) -> SideTask | None:
    """The artifacts of the placed locations (LOCATED: the feeds and marker data), written
    by a process of their own from now on, while this one makes the rest of the model,
    compiles the templates and compares and renders the pages; None in serve, which writes
    every artifact itself, keeping their bytes."""
    if writing.run.options.keep_state:
        return None
    task = functools.partial(_artifact_task, writing, placed.located_model(), LOCATED)
    return stack.enter_context(SideTask(task, parallel=writing.run.jobs > 1))


def _artifact_task(writing: Writing, model: SiteModel, producers: list[Producer]
                   ) -> ChunkResult:
    """The side task of a build: the artifacts of `producers`, written, judged and hashed
    while the pages are compared and rendered."""
    judged = _Judged(defer=_privately_named(writing))
    _write_artifacts(writing, model, producers, judged)
    return ChunkResult([], [], judged.guards, frozenset(judged.sealed), hashes=judged.hashes,
                       deferred=frozenset(judged.deferred))


def _place_data_files(writing: Writing, rewriter: Rewriter, rels: list[str]) -> ChunkResult:
    """The data files a private build's side task wrote plain (`_Judged.defer`), each
    sealed once with its links rewritten by the pages' plan, written at its private name
    (output/private.py `place_data_file`) and judged, while the pages are rendered."""
    sealer, root = writing.sealer, writing.output.tmp
    assert sealer is not None
    rewriter.resolved.clear()  # what this task looks up (in this process, the pages' too)
    judged = _Judged()
    for rel in rels:
        try:
            data = place_data_file(root, sealer, rewriter, rel)
        except OSError as exc:
            raise SitegenError(Diagnostic(
                str(exc.filename or root / rel), None, None,
                f"cannot write: {exc.strerror or exc}",
                "check disk space and permissions; the previous output is unchanged")) from None
        judged.hashes[rel] = (len(data), hashlib.sha256(data).hexdigest())
        judged.guards[rel] = guard_file(rel, data, writing.run.policy, writing.guard)
    return ChunkResult([], [], judged.guards, hashes=judged.hashes,
                       resolved=set(rewriter.resolved))


def _drop_unused_assets(writing: Writing, outcome: WriteOutcome) -> None:
    """A non-public build ships only the static assets its pages use (audit/allowlist.py):
    not the consent and tracking scripts of a build without analytics."""
    root = writing.output.tmp
    seen = PagesSeen()
    for page in outcome.audits:
        seen.assets.update(page.links)
        seen.assets.update(page.assets)
    for rel in unused_assets(root, walk(root), seen):
        (root / rel).unlink()
        outcome.hashes.pop(rel, None)


def _privatize(writing: Writing, private: PrivateBuild, manifest: Manifest) -> Manifest:
    """Give the private files of the audited staging folder their private names
    (output/private.py) and write the manifest again, without URLs."""
    root = writing.output.tmp
    digests = privatize(root, private, sorted([*manifest.paths, MANIFEST]))
    data = private_manifest((root / MANIFEST).read_bytes(), digests)
    (root / MANIFEST).write_bytes(data)
    summary = dict(manifest.summary)
    summary["manifest"] = {**summary.get("manifest", {}),
                           "sha256": hashlib.sha256(data).hexdigest()}
    return Manifest(data, summary, sorted({*digests, MANIFEST}))


# --- audit -------------------------------------------------------------------------------------


def audit(writing: Writing, model: SiteModel, outcome: WriteOutcome, report: Report
          ) -> tuple[Manifest, NearDuplicates]:
    """Write the manifest of the staging folder, then audit the folder (the near-duplicate
    comparison runs in a process of its own meanwhile); raise when anything is an error.
    The manifest, and the near-duplicate findings for the build cache."""
    run = writing.run
    near = run.cache.near if isinstance(run.cache.near, NearDuplicates) else NearDuplicates()
    with NearDuplicateCheck(outcome.audits, model.config.audit.near_duplicate_threshold,
                            near, parallel=run.jobs > 1, spare=writing.spare) as check:
        placed = outcome.private.placed() if outcome.private is not None else {}
        manifest = build_manifest(model, run.loaded, writing.output, run.environ,
                                  Known(outcome.hashes, placed))
        report.extend(finish_audit(writing.output.tmp, run.policy, model.config, writing.guard,
                                   WrittenTree(outcome.audits, outcome.guards, check,
                                               sorted([*manifest.paths, MANIFEST]))))
    if report.errors:
        raise SitegenError(report.items)
    return manifest, near
