"""`build()`: the short, boring orchestrator of the pipeline.

    config, policy, the dataset's file, the previous build (builder/run.start)
    -> data: rows read, mapped, validated and masked into locations (builder/dataset.py)
    -> model: each location's URL (model/site.place), then content, hubs and pages
    -> render and write the pages into a temporary folder, and the other files
    -> protect -> audit -> swap the folder in (these stages: builder/stages.py)

Everything that can fail is checked before the previous output is touched. Work that does
not depend on what this process does next runs beside it, in processes of its own: the
rows are read while this process imports the data stage and those after it
(builder/beside.py); the feeds and marker data, which read only the placed locations, are
written while the rest of the model is made and the pages are rendered; the build cache's
details are pickled while the manifest is hashed and the folder audited.
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sitegen.builder.beside import load_elsewhere, loaded_beside, loads_beside
from sitegen.builder.cache import load_details
from sitegen.builder.run import BuildOptions, digested, start
from sitegen.builder.spare import spare_process
from sitegen.diagnostics import Diagnostic, Report
from sitegen.forking import Spare, collector_off, reap
from sitegen.output.lock import output_lock
from sitegen.output.outdir import refuse_overlap

if TYPE_CHECKING:
    from sitegen.builder.stages import BuildState


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
    notes: list[str] = field(default_factory=list)  # said once: the URL pattern chosen

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    def summary(self) -> str:
        warnings = len(self.warnings)
        return (f"{self.rows_read} rows read, {self.locations_built} locations built, "
                f"{self.rows_skipped} rows skipped, {warnings} warning"
                f"{'' if warnings == 1 else 's'}, {self.pages} pages in {self.seconds:.1f} s")


def build(options: BuildOptions, spare: Spare | None = None) -> BuildResult:
    """Build one environment; incremental against the previous build of the same output
    unless `options.force`. `options.keep_state` (serve) returns the model and what was
    written, so the next edit can be applied in place (serve/warm.py). `spare`: the build's
    spare process (builder/spare.py), when the caller forked it already; else it is forked
    here, before the rows are read."""
    started = time.perf_counter()
    if options.source.resolve().is_dir():  # else the build reports the missing folder
        refuse_overlap(options.target)  # not the site, not someone else's lock file
    with collector_off(), _output_locked(options), contextlib.ExitStack() as early:
        early.callback(reap)  # last: the processes the build closed, before the lock goes
        report = Report()
        run = start(options, report)
        if run.unchanged:
            return BuildResult(options.env, run.out_dir, seconds=time.perf_counter() - started,
                               diagnostics=[*report.items, *run.cache.diagnostics],
                               **run.cache.summary)
        load_details(run.source, options.env, run.cache, report)
        if spare is None:
            spare = early.enter_context(spare_process(parallel=run.jobs > 1))
        # A process forked now reads the rows while this one imports the data stage and
        # the stages that follow; a bigger dataset is read after them (builder/beside.py).
        loader = early.enter_context(Spare(
            parallel=True, first=functools.partial(load_elsewhere, run))) \
            if loads_beside(run) else None
        run = digested(run)
        from sitegen.builder import stages  # the data, model, render and audit stages

        dataset = loaded_beside(loader, run, report) if loader else \
            stages.load_dataset(run, report, {})
        made = stages.make_site(run, dataset, spare, report)
    return BuildResult(options.env, run.out_dir, seconds=time.perf_counter() - started,
                       diagnostics=report.items, rendered=made.rendered, reused=made.reused,
                       state=made.state,
                       notes=[dataset.pattern_note] if dataset.pattern_note else [],
                       **made.summary)


@contextlib.contextmanager
def _output_locked(options: BuildOptions) -> Iterator[None]:
    """The whole build (cache, render, audit, swap, cache save) under the output folder's
    lock (output/lock.py): an incremental build reads the live output and the cache that
    the previous build left."""
    if not options.source.resolve().is_dir():  # the build reports the missing folder
        yield
        return
    with output_lock(options.out_dir, environ=options.environ):
        yield
