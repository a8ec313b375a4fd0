"""`build()`: the short, boring orchestrator of the pipeline.

load config → resolve policy → load and validate data → load content → build the model →
render → write (into a temporary folder) → audit → swap the folder in. Everything that can
fail is checked before the previous output is touched.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sitegen import seo
from sitegen.artifacts import all_files
from sitegen.audit import audit_tree
from sitegen.config import LoadedConfig, load_config
from sitegen.content import load_content
from sitegen.context import all_hubs, page_extras
from sitegen.hours import day_text
from sitegen.data import map_rows, read_rows
from sitegen.diagnostics import Diagnostic, Report, SitegenError
from sitegen.environments import Policy, resolve_policy
from sitegen.locations import Location, require_url_fields, validate_rows
from sitegen.model import SiteModel, build_model, location_pattern
from sitegen.render import (
    asset_hashes,
    asset_url_function,
    make_environment,
    render_page,
    theme_dirs,
)
from sitegen.write import AtomicOutput

Progress = Callable[[int, int], None]


@dataclass
class DatasetResult:
    locations: list[Location]
    rows_read: int
    rows_skipped: int


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

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    def summary(self) -> str:
        warnings = len(self.warnings)
        return (f"{self.rows_read} rows read, {self.locations_built} locations built, "
                f"{self.rows_skipped} rows skipped, {warnings} warning"
                f"{'' if warnings == 1 else 's'}, {self.pages} pages in {self.seconds:.1f} s")


def load_dataset(loaded: LoadedConfig, policy: Policy, report: Report) -> DatasetResult:
    """Read, map and validate the dataset; raise if any error is not allowed to be skipped."""
    settings = loaded.config.locations
    source_path = Path(settings.source)
    if not source_path.is_absolute():
        source_path = loaded.source / source_path
    rows = read_rows(source_path, display_path=settings.source, fmt=settings.format,
                     encoding=settings.encoding, table=settings.table, query=settings.query,
                     sheet=settings.sheet, report=report)
    fields = dict(settings.fields)
    if settings.id:
        fields["id"] = settings.id
    mapped = map_rows(rows, fields=fields, defaults=dict(settings.defaults),
                      null_values=list(settings.null_values), private=list(settings.private),
                      report=report)
    if report.errors:
        raise SitegenError(report.items)
    skip = settings.on_error == "skip" and policy.kind != "production"
    result = validate_rows(mapped, settings, report, skip_bad_rows=skip)
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
    return DatasetResult(result.locations, result.rows_read, result.rows_skipped)


def prepare(source: Path, env: str, *, flags: Mapping[str, Any] | None = None,
            environ: Mapping[str, str] | None = None) -> tuple[LoadedConfig, Policy]:
    loaded = load_config(source, env, environ=environ, flags=flags)
    return loaded, resolve_policy(loaded, environ)


def build_site_model(loaded: LoadedConfig, policy: Policy, report: Report
                     ) -> tuple[SiteModel, DatasetResult]:
    dataset = load_dataset(loaded, policy, report)
    pattern = location_pattern(loaded.config, dataset.locations)
    content = load_content(loaded.source, report)
    if report.errors:
        raise SitegenError(report.items)
    model = build_model(loaded.config, policy, dataset.locations, content, report, pattern)
    return model, dataset


def build(source: Path, env: str, *, out: Path | None = None, flags: Mapping[str, Any] | None
          = None, strict: bool = False, environ: Mapping[str, str] | None = None,
          progress: Progress | None = None) -> BuildResult:
    started = time.perf_counter()
    source = source.resolve()
    loaded, policy = prepare(source, env, flags=flags, environ=environ)
    report = Report()
    model, dataset = build_site_model(loaded, policy, report)
    if strict and report.warnings:
        raise SitegenError([*report.items, Diagnostic(
            "sitegen", None, None, f"{len(report.warnings)} warnings with --strict",
            "fix the warnings or build without --strict")])
    out_dir = (out or source / "dist" / env).resolve()
    with AtomicOutput(out_dir) as output:
        pages = write_site(model, source, output, progress)
        findings = audit_tree(output.tmp, policy, model.config)
        report.extend(findings)
        if report.errors:
            raise SitegenError(report.items)
        output.commit()
    return BuildResult(env, out_dir, dataset.rows_read, len(model.locations),
                       dataset.rows_skipped, pages, time.perf_counter() - started,
                       report.items)


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
    }


def _owned_by_site_theme(rel: str, dirs: list[Path]) -> bool:
    return any((d / "static" / rel).is_file() for d in dirs[:-1])


def write_site(model: SiteModel, source: Path, output: AtomicOutput,
               progress: Progress | None) -> int:
    """Render every page and write every file; returns the number of HTML pages."""
    dirs = theme_dirs(source, model.config.theme)
    env = make_environment(dirs, template_globals(model, dirs))
    hubs = all_hubs(model)
    total = len(model.pages)
    for done, page in enumerate(model.pages, start=1):
        html = render_page(env, page, page_extras(model, page, hubs))
        output.write_text(page.output, html)
        if progress is not None:
            progress(done, total)
    for folder in reversed(dirs):
        static = folder / "static"
        if static.is_dir():
            for path in sorted(static.rglob("*")):
                if path.is_file():
                    output.copy(path, "_assets/" + path.relative_to(static).as_posix())
    for path, rel in model.static_files:
        output.copy(path, rel)
    for rel, data in all_files(model).items():
        output.write_bytes(rel, data)
    return total


def default_env(environ: Mapping[str, str] | None = None) -> str:
    environ = os.environ if environ is None else environ
    return environ.get("SITEGEN_ENV") or "production"


def is_interactive() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")
