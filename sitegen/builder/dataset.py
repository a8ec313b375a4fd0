"""The data stage of a build: the dataset's rows read, mapped, validated and masked into
locations, in this process or in a process forked before this module and the other stages
are imported (builder/beside.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sitegen.builder.run import BuildRun
from sitegen.config.load import LoadedConfig
from sitegen.config.schema import LocationsSection
from sitegen.data.locations import (
    Location,
    RowCache,
    Validation,
    validate_rows,
)
from sitegen.data.mapping import MappedRow, RowMapping, map_rows
from sitegen.data.masking import mask_locations
from sitegen.data.readers import DatasetFile, read_rows
from sitegen.data.separators import detect_separator
from sitegen.diagnostics import Diagnostic, Report, SitegenError
from sitegen.forking import release_free_memory
from sitegen.model.urls import location_pattern, pattern_note, require_url_fields


@dataclass
class DatasetResult:
    locations: list[Location]
    rows_read: int
    rows_skipped: int
    mapped: list[MappedRow] = field(default_factory=list)
    lines: list[str] | None = None  # a CSV's lines, when the caller keeps state (serve)
    notes: list[str] = field(default_factory=list)  # what sitegen chose from the data
    pattern_note: str | None = None  # the default URL pattern, when the data changed it
    fresh: RowCache = field(default_factory=dict)  # this build's validated rows (the cache)


def load_dataset(run: BuildRun, report: Report, fresh_rows: RowCache | None = None
                 ) -> DatasetResult:
    """Read, map, validate (in `run.jobs` processes when nothing is cached; this build's
    validated rows into `fresh_rows`) and mask the dataset; raise if any error is not
    allowed to be skipped."""
    return check_dataset(run, report, read_dataset(run, report), fresh_rows)


@dataclass
class MappedDataset:
    """The dataset's rows read and mapped, not yet validated."""

    mapped: list[MappedRow]
    lines: list[str] | None  # a CSV's lines, when the caller keeps state (serve)
    notes: list[str]  # what sitegen chose from the data


def read_dataset(run: BuildRun, report: Report) -> MappedDataset:
    """Read and map the rows and settle the categories separator the data uses; raise on
    a reading or mapping error."""
    settings = run.loaded.config.locations
    lines: list[str] | None = [] if run.options.keep_state else None
    rows = read_rows(DatasetFile.of(settings, run.resolved), report, lines)
    mapped = map_rows(rows, RowMapping.of(settings, run.loaded.config.site.language), report)
    del rows  # the mapped rows hold what validation needs
    if report.errors:
        raise SitegenError(report.items)
    notes: list[str] = []
    _list_separator(run.loaded, mapped, notes)
    return MappedDataset(mapped, lines, notes)


def check_dataset(run: BuildRun, report: Report, read: MappedDataset,
                  fresh_rows: RowCache | None) -> DatasetResult:
    """Validate and mask the mapped rows (see load_dataset)."""
    settings = run.loaded.config.locations
    keep_lines = run.options.keep_state
    mapped = read.mapped
    skip = settings.on_error == "skip" and run.policy.kind != "production"
    result = validate_rows(mapped, settings, report, Validation(
        skip, run.cache.rows.get(run.rows_key), fresh_rows, run.jobs, release=not keep_lines))
    pattern = location_pattern(run.loaded.config, result.locations)
    result = require_url_fields(result, pattern, report, skip_bad_rows=skip)
    if report.errors:
        hint = None if run.policy.kind == "production" else \
            "or set locations.on_error: skip to build without the bad rows"
        errors = report.errors
        summary = Diagnostic(settings.source, None, None,
                             f"{len(errors)} error{'s' if len(errors) != 1 else ''} in the "
                             "dataset", hint)
        raise SitegenError([*report.items, summary])
    # Serve keeps the mapped rows to compare the next edit with; a build lets them go.
    dataset = DatasetResult(result.locations, result.rows_read, result.rows_skipped,
                            mapped if keep_lines else [], read.lines or None, read.notes,
                            pattern_note(run.loaded.config, pattern),
                            {} if fresh_rows is None else fresh_rows)
    release_free_memory()
    dataset.locations = mask_locations(dataset.locations, settings)
    return dataset


def _list_separator(loaded: LoadedConfig, mapped: list[MappedRow], notes: list[str]
                    ) -> LocationsSection:
    """The locations settings with the categories separator the data uses when the config
    sets none (separators.py), kept in the loaded config: the row cache's key, serve's
    edits and the feeds then all split and join with it."""
    settings = loaded.config.locations
    column = mapped[0].columns.get("categories") if mapped else None
    if settings.categories_separator is not None or column is None:
        return settings
    detected = detect_separator(row.values.get("categories") for row in mapped)
    notes.append(detected.note(column))
    settings = settings.model_copy(update={"categories_separator": detected.separator})
    loaded.config.locations = settings
    return settings
