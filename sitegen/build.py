"""`build()`: the short, boring orchestrator of the pipeline.

load config → resolve policy → load and validate data → load content → build the model →
render → write (into a temporary folder) → audit → swap the folder in. Everything that can
fail is checked before the previous output is touched.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import hashlib
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sitegen import ctas, images, leads, seo
from sitegen.artifacts import (
    LATE,
    LOCATED,
    PRODUCERS,
    Produced,
    Producer,
    all_files,
    artifacts,
)
from sitegen.audit import NearDuplicateCheck, NearDuplicates, PageAudit, finish_audit
from sitegen.branding import resolve_brand
from sitegen.cache import (
    BuildCache,
    CachedPage,
    DetailsWriter,
    hash_inputs,
    load_cache,
    load_details,
    save_cache_after_swap,
)
from sitegen.config import LoadedConfig, load_config
from sitegen.content import load_content
from sitegen.data import MappedRow, map_rows, read_rows
from sitegen.data.remote import resolve_source
from sitegen.diagnostics import Diagnostic, Report, SitegenError
from sitegen.environments import Policy, resolve_policy
from sitegen.fingerprint import PageFingerprints, base_fingerprint
from sitegen.forking import release_free_memory
from sitegen.frontdoor import map_assets, search_hint
from sitegen.guards import GuardContext, guard_context, guard_file
from sitegen.hours import day_text
from sitegen.locations import Location, RowCache, require_url_fields, validate_rows
from sitegen.locator import data_url
from sitegen.lock import locked_build
from sitegen.manifest import MANIFEST, build_manifest, build_time, iso
from sitegen.masking import mask_locations
from sitegen.model import (
    SiteModel,
    build_model,
    located_model,
    location_pattern,
    place_locations,
)
from sitegen.notify import notify_build
from sitegen.outdir import build_target, claim_output, owned_output
from sitegen.protect import Sealer, is_protected_path, protect_tree
from sitegen.render import (
    asset_hashes,
    asset_url_function,
    make_environment,
    render_template_check,
    theme_dirs,
)
from sitegen.workers import (
    ChunkResult,
    SideTask,
    default_jobs,
    page_fingerprints,
    render_pages,
)
from sitegen.write import Artifact, AtomicOutput, FileSet

Progress = Callable[[int, int], None]


@dataclass
class DatasetResult:
    locations: list[Location]
    rows_read: int
    rows_skipped: int
    mapped: list[MappedRow] = field(default_factory=list)
    lines: list[str] | None = None  # a CSV's lines, when the caller keeps state (serve)


@dataclass
class BuildResult:
    env: str
    out_dir: Path
    rows_read: int
    locations_built: int
    rows_skipped: int
    pages: int
    seconds: float
    diagnostics: list[Diagnostic] = field(default_factory=list)
    rendered: int = 0
    reused: int = 0
    written: int | None = None  # files rewritten in place (serve's edits); None: swapped
    state: BuildState | None = field(default=None, repr=False, compare=False)

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    def summary(self) -> str:
        warnings = len(self.warnings)
        return (f"{self.rows_read} rows read, {self.locations_built} locations built, "
                f"{self.rows_skipped} rows skipped, {warnings} warning"
                f"{'' if warnings == 1 else 's'}, {self.pages} pages in {self.seconds:.1f} s")


def load_dataset(loaded: LoadedConfig, policy: Policy, report: Report,
                 resolved: tuple[Path, str | None, str] | None = None,
                 rows_cache: RowCache | None = None, fresh_rows: RowCache | None = None,
                 keep_lines: bool = False, jobs: int = 1) -> DatasetResult:
    """Read, map and validate the dataset (in `jobs` processes when nothing is cached);
    raise if any error is not allowed to be skipped."""
    settings = loaded.config.locations
    source_path, fmt, display = resolved or resolve_source(loaded, policy.kind, report)
    lines: list[str] | None = [] if keep_lines else None
    rows = read_rows(source_path, display_path=display, fmt=fmt,
                     encoding=settings.encoding, table=settings.table, query=settings.query,
                     sheet=settings.sheet, report=report, max_rows=settings.max_rows,
                     lines=lines)
    fields = dict(settings.fields)
    if settings.id:
        fields["id"] = settings.id
    mapped = map_rows(rows, fields=fields, defaults=dict(settings.defaults),
                      null_values=list(settings.null_values), private=list(settings.private),
                      report=report)
    del rows  # the mapped rows hold what validation needs; the raw ones are 150 MB at 100,000
    if report.errors:
        raise SitegenError(report.items)
    skip = settings.on_error == "skip" and policy.kind != "production"
    result = validate_rows(mapped, settings, report, skip_bad_rows=skip, cache=rows_cache,
                           fresh=fresh_rows, jobs=jobs, release=not keep_lines)
    pattern = location_pattern(loaded.config, result.locations)
    result = require_url_fields(result, pattern, report, skip_bad_rows=skip)
    if report.errors:
        hint = None if policy.kind == "production" else \
            "or set locations.on_error: skip to build without the bad rows"
        errors = report.errors
        summary = Diagnostic(settings.source, None, None,
                             f"{len(errors)} error{'s' if len(errors) != 1 else ''} in the "
                             "dataset", hint)
        raise SitegenError([*report.items, summary])
    # Serve keeps the mapped rows to compare the next edit with; a build lets them go.
    return DatasetResult(result.locations, result.rows_read, result.rows_skipped,
                         mapped if keep_lines else [], lines or None)


def prepare(source: Path, env: str, *, flags: Mapping[str, Any] | None = None,
            environ: Mapping[str, str] | None = None) -> tuple[LoadedConfig, Policy]:
    loaded = load_config(source, env, environ=environ, flags=flags)
    return loaded, resolve_policy(loaded, environ)


def build_site_model(loaded: LoadedConfig, policy: Policy, report: Report,
                     resolved: tuple[Path, str | None, str] | None = None,
                     rows_cache: RowCache | None = None, fresh_rows: RowCache | None = None,
                     keep_state: bool = False, jobs: int = 1,
                     located: Callable[[SiteModel], None] | None = None
                     ) -> tuple[SiteModel, DatasetResult]:
    """The model; `keep_state` (serve) also keeps what in-place edits need (the CSV's lines,
    the model's memo). `located` is handed the model of the placed locations alone as soon
    as they have their URLs (model.located_model), before the hubs and pages are made."""
    dataset = load_dataset(loaded, policy, report, resolved, rows_cache, fresh_rows,
                           keep_state, jobs)
    release_free_memory()
    dataset.locations = mask_locations(dataset.locations, loaded.config.locations)
    pattern = location_pattern(loaded.config, dataset.locations)
    segments = place_locations(dataset.locations, pattern)
    if located is not None:
        located(located_model(loaded.config, policy, dataset.locations, pattern))
    content = load_content(loaded.source, report)
    if report.errors:
        raise SitegenError(report.items)
    model = build_model(loaded.config, policy, dataset.locations, content, report, pattern,
                        segments)
    model.content = content
    model.memo = {} if keep_state else None
    ctas.attach(model, content, report)
    leads.attach(model, report)
    model.brand = resolve_brand(loaded)
    model.pictures, derived = images.prepare(model.locations, model.static_files, report, jobs)
    model.static_files = [*model.static_files, *derived]
    if report.errors:
        raise SitegenError(report.items)
    release_free_memory()
    return model, dataset


def _without_cyclic_gc(function: Callable[..., BuildResult]) -> Callable[..., BuildResult]:
    """Run a build with the cyclic garbage collector held off in this process. A build
    makes long-lived objects (rows, the model, the audits) and little cyclic garbage, and
    every full collection walks all of them: at 100,000 locations the collector took 5 s
    of loading and building the model. Forked workers collect as usual (forking.py); the
    collector is back on, and collects, when the build returns."""
    @functools.wraps(function)
    def paused(*args: Any, **kwargs: Any) -> BuildResult:
        if not gc.isenabled():
            return function(*args, **kwargs)
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            gc.enable()
    return paused


@_without_cyclic_gc
@owned_output
@locked_build
def build(source: Path, env: str, *, out: Path | None = None, flags: Mapping[str, Any] | None
          = None, strict: bool = False, environ: Mapping[str, str] | None = None,
          progress: Progress | None = None, jobs: int | None = None,
          force: bool = False, keep_state: bool = False) -> BuildResult:
    """Build one environment; incremental against the previous build of the same output
    unless `force`. `keep_state` (serve) returns the model and what was written, so the next
    edit can be applied in place (warm.py)."""
    started = time.perf_counter()
    source = source.resolve()
    loaded, policy = prepare(source, env, flags=flags, environ=environ)
    report = Report()
    target = build_target(source, env, out)
    claim_output(target, loaded)
    out_dir = target.path
    cache = BuildCache() if force else load_cache(source, env, report)
    resolved = resolve_source(loaded, policy.kind, report)
    inputs = input_fingerprint(loaded, policy, resolved[0], out_dir, strict, environ)
    if cache.inputs == inputs and cache.output_intact(out_dir):
        return BuildResult(env, out_dir, seconds=time.perf_counter() - started,
                           diagnostics=[*report.items, *cache.diagnostics], **cache.summary)
    load_details(source, env, cache, report)
    rows_key = cache_key_for_rows(loaded)
    fresh_rows: RowCache = {}
    jobs = jobs or default_jobs()
    sealer = Sealer.new(policy, loaded.config, resolve_brand(loaded)) \
        if policy.protection == "encrypt" else None
    with AtomicOutput(out_dir) as output, contextlib.ExitStack() as stack:
        guard = guard_context(loaded, policy, output.tmp, environ,
                              protection=sealer.protection if sealer else None)
        side: list[SideTask] = []

        def located(placed: SiteModel) -> None:
            """Write the feeds and markers in a process of their own from now on, while
            this one makes the rest of the model, compiles the templates and compares and
            renders the pages (serve writes every artifact itself, keeping their bytes)."""
            side.append(stack.enter_context(SideTask(
                functools.partial(_artifact_task, placed, output, sealer, guard, LOCATED),
                parallel=jobs > 1)))

        model, dataset = build_site_model(loaded, policy, report, resolved,
                                          cache.rows.get(rows_key), fresh_rows, keep_state,
                                          jobs, None if keep_state else located)
        if strict and report.warnings:
            raise SitegenError([*report.items, Diagnostic(
                "sitegen", None, None, f"{len(report.warnings)} warnings with --strict",
                "fix the warnings or build without --strict")])
        # Pages are reused only from the very folder the cache describes, and never into an
        # encrypted build (each has its own key).
        reusable = policy.protection != "encrypt" and cache.output_intact(out_dir)
        previous = cache if reusable else BuildCache()
        outcome = write_site(model, source, output, jobs, progress, previous, out_dir,
                             build_date(loaded, environ), sealer, guard,
                             side[0] if side else None)
        if sealer:
            protect_tree(output.tmp, sealer, outcome.sealed)
        release_free_memory()  # the workers' results, before the comparison forks
        near = cache.near if isinstance(cache.near, NearDuplicates) else NearDuplicates()
        details = stack.enter_context(DetailsWriter(source, env, outcome.pages,
                                                    {rows_key: fresh_rows},
                                                    parallel=jobs > 1))
        with NearDuplicateCheck(outcome.audits, model.config.audit.near_duplicate_threshold,
                                near, parallel=jobs > 1) as check:
            manifest = build_manifest(model, loaded, output.tmp, output.write_artifact,
                                      environ, outcome.hashes, keep=keep_state)
            report.extend(finish_audit(output.tmp, outcome.audits, policy, model.config,
                                       guard, outcome.guards, check,
                                       sorted([*manifest.paths, MANIFEST])))
        if report.errors:
            raise SitegenError(report.items)
        output.commit()
        summary = {"rows_read": dataset.rows_read, "locations_built": len(model.locations),
                   "rows_skipped": dataset.rows_skipped, "pages": len(model.pages)}
        saved = BuildCache(inputs=inputs, pages=outcome.pages, rows={rows_key: fresh_rows},
                           summary=summary, near=near,
                           diagnostics=[d for d in report.items if d.severity == "warning"])
        report.extend(save_cache_after_swap(source, env, saved, out_dir, details))
    report.extend(notify_build(loaded.config.notifications, manifest.summary))
    state = BuildState(loaded, policy, resolved, model, dataset.mapped, dataset.lines,
                       outcome, saved, manifest.data, list(report.items), environ) \
        if keep_state else None
    return BuildResult(env, out_dir, seconds=time.perf_counter() - started,
                       diagnostics=report.items, rendered=outcome.rendered,
                       reused=outcome.reused, state=state, **summary)


def input_fingerprint(loaded: LoadedConfig, policy: Policy, dataset: Path, out_dir: Path,
                      strict: bool, environ: Mapping[str, str] | None) -> str:
    """Everything a build reads: files, resolved config, policy, generator code, flags."""
    environ = os.environ if environ is None else environ
    policy_text = repr(dataclasses.replace(policy, password=None)) + hashlib.sha256(
        (policy.password or "").encode()).hexdigest()
    paths = [loaded.source / "config", dataset, loaded.source / "content",
             loaded.source / "themes", Path(__file__).parent]
    return hash_inputs([p for p in paths if p.exists()], [
        loaded.config.model_dump_json(), policy_text, str(out_dir), repr(strict),
        environ.get("SOURCE_DATE_EPOCH", "")])


def cache_key_for_rows(loaded: LoadedConfig) -> str:
    """Validated rows stay valid while the dataset settings stay the same."""
    return hashlib.blake2b(loaded.config.locations.model_dump_json().encode(),
                           digest_size=16).hexdigest()


def build_date(loaded: LoadedConfig, environ: Mapping[str, str] | None) -> str:
    """The date pages changed in this build get as `lastmod` (SOURCE_DATE_EPOCH, or newest
    input), so rebuilding the same input gives the same sitemap."""
    seconds, _ = build_time(loaded, os.environ if environ is None else environ)
    return iso(seconds)[:10]


def template_globals(model: SiteModel, dirs: list[Path]) -> dict[str, Any]:
    config, policy = model.config, model.policy
    hashes = asset_hashes(dirs)
    theme_css = sorted(p for p in hashes if p.startswith("css/") and p.endswith(".css")
                       and p != "css/site.css" and _owned_by_site_theme(p, dirs))
    nav = [p for p in model.pages if p.kind == "page" and not p.context["meta"].get("footer")]
    menu = sorted(nav, key=lambda p: (p.context["meta"].get("weight", 50), p.url))
    return {
        "site": config.site,
        "config": config,
        "policy": policy,
        "urls": config.urls,
        "root": model.root,
        "nav": [{"url": p.url, "title": p.context["heading"]} for p in menu
                if p.context["meta"].get("menu", True)],
        "footer_nav": [{"url": p.url, "title": p.context["heading"]} for p in menu],
        "absolute": lambda url: seo.absolute(policy.base_url, url),
        "asset_url": asset_url_function(hashes),
        "theme_stylesheets": theme_css,
        "hours_text": lambda intervals: day_text(intervals, config.site.clock),
        "site_host": policy.base_url.split("://", 1)[-1].split("/", 1)[0],
        "ctas_for": ctas.lookup(model),
        "lead_forms": leads.forms_enabled(config),
        "brand": model.brand,
        "picture_for": model.pictures,
        "search_hint": search_hint(model.locations),
        "hint_for": search_hint,
        "directions_for": functools.partial(ctas.directions_url, config),
        "markers_url": data_url(config),
        "map_assets": map_assets(config),
    }


def _owned_by_site_theme(rel: str, dirs: list[Path]) -> bool:
    return any((d / "static" / rel).is_file() for d in dirs[:-1])


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


def write_site(model: SiteModel, source: Path, output: AtomicOutput, jobs: int,
               progress: Progress | None, previous: BuildCache, live: Path,
               today: str, sealer: Sealer | None = None,
               guard: GuardContext | None = None, side: SideTask | None = None
               ) -> WriteOutcome:
    """Copy the static files, render the pages whose fingerprint changed (in parallel;
    sealed there by `sealer` in an encrypted build, judged there by `guard`: the static
    files a page loads are in place by then), reuse the others from the live output, then
    write the artifacts: those of LOCATED by `side` when the caller started it (a build),
    every one here otherwise (serve, which keeps their bytes to apply the next edit in
    place)."""
    dirs = theme_dirs(source, model.config.theme.name)
    _copy_static(model, dirs, output)
    globals_ = template_globals(model, dirs)
    env = make_environment(dirs, globals_)
    render_template_check(env, {page.template for page in model.pages})
    fingerprints = PageFingerprints(env, base_fingerprint(model.config, model.policy,
                                                          asset_hashes(dirs)), globals_)
    return _write_pages(model, output, jobs, progress, previous, live, today, sealer,
                        guard, env, fingerprints, side)


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


def _write_pages(model: SiteModel, output: AtomicOutput, jobs: int, progress: Progress | None,
                 previous: BuildCache, live: Path, today: str, sealer: Sealer | None,
                 guard: GuardContext | None, env: Any, fingerprints: PageFingerprints,
                 side: SideTask | None) -> WriteOutcome:
    """Compare each page with the previous build (reuse it, or render it), write the
    sitemaps once every page's lastmod is settled, and gather the side task's work."""
    pages: dict[str, CachedPage] = {}
    audits: list[PageAudit] = []
    todo: list[int] = []
    declared = {page.output: page.lastmod for page in model.pages}
    # With nothing to reuse (a clean or encrypted build), fingerprints only go to the cache:
    # the render workers compute them, in parallel. Serve computes them here: its in-place
    # edits start from this process's digests.
    deferred = not previous.pages and model.memo is None
    # A build that compares pages fingerprints them in `jobs` forked processes first.
    prints = None if deferred or model.memo is not None else \
        page_fingerprints(model, fingerprints, jobs)
    hashes: dict[str, tuple[int, str]] = {}
    for index, page in enumerate(model.pages):
        if deferred:
            page.lastmod = page.lastmod or today
            pages[page.output] = CachedPage("", None, page.lastmod)
            todo.append(index)
            continue
        fingerprint = prints[index] if prints is not None else fingerprints.page(page)
        before = previous.pages.get(page.output)
        if before is not None and before.fingerprint == fingerprint:
            page.lastmod = page.lastmod or before.lastmod
            if output.reuse(live / page.output, page.output):
                audits.append(before.audit)
                pages[page.output] = before
                if before.digest is not None:  # the manifest need not read it again
                    hashes[page.output] = before.digest
                continue
        page.lastmod = page.lastmod or today
        pages[page.output] = CachedPage(fingerprint, None, page.lastmod)
        todo.append(index)
    judged: dict[str, list[Diagnostic]] = {}
    if side is None:
        kept, sealed_files = _write_artifacts(model, output, sealer)
    else:
        kept, sealed_files = _write_artifacts(model, output, sealer, guard, judged, hashes,
                                              LATE)
    release_free_memory()  # the sitemaps' bytes, before the render workers fork
    rendered = render_pages(model, env, output.tmp, jobs, progress, todo, sealer, guard,
                            fingerprints if deferred else None, declared,
                            release=model.memo is None)
    for audit in rendered.audits:
        pages[audit.rel].audit = audit
        audits.append(audit)
    for rel, fingerprint in rendered.fingerprints.items():
        pages[rel].fingerprint = fingerprint
    judged.update(rendered.guards)
    hashes.update(rendered.hashes)
    for rel, digest in rendered.hashes.items():
        pages[rel].digest = digest
    if side is not None:
        done = side.result()
        if done.errors:
            raise SitegenError(done.errors)
        judged.update(done.guards)
        hashes.update(done.hashes)
        sealed_files |= done.sealed
    sealed = frozenset(model.pages[i].output for i in todo) | sealed_files if sealer \
        else frozenset()
    return WriteOutcome(audits, pages, len(todo), len(model.pages) - len(todo), env,
                        fingerprints, kept, declared, sealed, judged, hashes)


def _write_artifacts(model: SiteModel, output: AtomicOutput, sealer: Sealer | None,
                     guard: GuardContext | None = None,
                     judged: dict[str, list[Diagnostic]] | None = None,
                     hashes: dict[str, tuple[int, str]] | None = None,
                     producers: list[Producer] = PRODUCERS
                     ) -> tuple[dict[str, bytes], frozenset[str]]:
    """Write the artifacts, sealed as they are written in an encrypted build (not read back
    and rewritten by protect_tree), judge with `guard` into `judged` those written from
    bytes, and note each one's size and sha256 in `hashes` for the manifest. Serve keeps
    their bytes to apply edits in place; a build streams the big feeds to disk. Returns the
    bytes kept and the paths sealed."""
    sealed: set[str] = set()
    kept = all_files(model) if model.memo is not None else {}
    produced: Iterable[Produced] = kept.items() if kept else artifacts(model, producers)

    def protected(rel: str) -> bool:
        return sealer is not None and is_protected_path(rel)

    def write(rel: str, artifact: Artifact) -> None:
        if sealer is not None and protected(rel):
            plain = artifact if isinstance(artifact, bytes) else b"".join(artifact())
            artifact = sealer.seal(rel, plain)
            sealed.add(rel)
        written = output.write_artifact(rel, artifact)
        if hashes is not None:
            hashes[rel] = written
        if guard is not None and judged is not None and isinstance(artifact, bytes):
            judged[rel] = guard_file(output.tmp, rel, artifact, model.policy, guard)

    for item in produced:
        if isinstance(item, FileSet):
            streamed = output.write_file_set(item, write, protected)
            if hashes is not None:
                hashes.update(streamed)
        else:
            write(*item)
    return kept, frozenset(sealed)


def _artifact_task(model: SiteModel, output: AtomicOutput, sealer: Sealer | None,
                   guard: GuardContext | None, producers: list[Producer]) -> ChunkResult:
    """The side task of a build: the artifacts of `producers`, written, judged and hashed
    while the pages are compared and rendered."""
    judged: dict[str, list[Diagnostic]] = {}
    hashes: dict[str, tuple[int, str]] = {}
    _, sealed = _write_artifacts(model, output, sealer, guard, judged, hashes, producers)
    return ChunkResult([], [], judged, sealed, hashes=hashes)


def default_env(environ: Mapping[str, str] | None = None) -> str:
    environ = os.environ if environ is None else environ
    return environ.get("SITEGEN_ENV") or "production"
