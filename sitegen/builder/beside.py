"""A build's dataset read in a process of its own, forked once the build has started
(config, policy, the previous build's cache: builder/run.start) and before the build
process imports the data stage (builder/dataset.py) and the stages after it. The forked
process imports the data stage itself, reads the rows and, below PARALLEL_MIN_ROWS of
them, validates them too, while the build process imports the same modules and the rest.

This module imports none of the data stage: the modules that read and validate rows
(phonenumbers, the hours parsers) are imported in both processes at the same time,
instead of before the fork in the build process alone."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sitegen.builder.run import BuildRun
from sitegen.config.schema import LocationsSection
from sitegen.diagnostics import Diagnostic, Report, SitegenError
from sitegen.forking import Spare

if TYPE_CHECKING:
    from sitegen.builder.dataset import DatasetResult, MappedDataset


# The largest dataset file a build reads in a process of its own: its rows, read and mapped
# there, are pickled back (a bigger file is read here, after the imports).
BESIDE_MAX_BYTES = 16 << 20


def loads_beside(run: BuildRun) -> bool:
    """Whether the build reads its dataset in a process of its own (`load_elsewhere`) while
    it imports the stages that follow, instead of after them: a build of several processes,
    with no row cache to reuse and no state to keep (serve keeps the mapped rows), of a
    dataset file up to BESIDE_MAX_BYTES."""
    if run.jobs < 2 or run.options.keep_state or run.cache.rows:
        return False
    try:
        return run.resolved[0].stat().st_size <= BESIDE_MAX_BYTES
    except OSError:
        return False  # read here, which reports what is wrong with the file


@dataclass(frozen=True)
class Loaded:
    """What `load_elsewhere` sends back: the dataset, validated, or its rows mapped, for the
    build's `run.jobs` processes to validate; the diagnostics so far; the locations
    settings as it settled them (the categories separator the data uses)."""

    data: DatasetResult | MappedDataset
    diagnostics: list[Diagnostic]
    settings: LocationsSection


def load_elsewhere(run: BuildRun) -> Loaded:
    """The dataset as another process loads it, with a report of its own: the rows read
    and mapped, then validated there unless there are PARALLEL_MIN_ROWS of them or more
    (those are validated by several processes, which it does not fork)."""
    # Imported here, in the forked process, while the build process imports them too.
    from sitegen.builder.dataset import check_dataset, read_dataset
    from sitegen.data.locations import PARALLEL_MIN_ROWS

    report = Report()
    read = read_dataset(run, report)
    data: DatasetResult | MappedDataset = read
    if len(read.mapped) < PARALLEL_MIN_ROWS:
        data = check_dataset(dataclasses.replace(run, jobs=1), report, read, {})
    return Loaded(data, report.items, run.loaded.config.locations)


def loaded_beside(spare: Spare, run: BuildRun, report: Report) -> DatasetResult:
    """The dataset the process of `spare` loaded (`Spare(first=load_elsewhere)`), taken
    into this build's report and config, and validated here when it came back mapped only.
    The process is closed once it has answered."""
    try:
        loaded: Loaded = spare.first()
    except SitegenError as error:  # with what this build reported before
        raise SitegenError([*report.items, *error.diagnostics]) from None
    finally:
        spare.close()
    from sitegen.builder.dataset import MappedDataset, check_dataset  # with the stages

    report.extend(loaded.diagnostics)
    run.loaded.config.locations = loaded.settings
    if isinstance(loaded.data, MappedDataset):
        return check_dataset(run, report, loaded.data, {})
    return loaded.data
