"""A rich progress bar for builds that run longer than a second on a terminal; quiet in CI."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress

DELAY_SECONDS = 1.0


def interactive() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


@contextmanager
def progress_reporter() -> Iterator[Callable[[int, int], None] | None]:
    """Yield a `report(done, total)` callback, or None when nobody is watching a terminal."""
    if not interactive():
        yield None
        return
    started = time.monotonic()
    bar: Progress | None = None
    task = None

    def report(done: int, total: int) -> None:
        nonlocal bar, task
        if bar is None:
            if time.monotonic() - started < DELAY_SECONDS:
                return
            from rich.progress import (  # imported when a bar is shown
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TaskProgressColumn,
                TextColumn,
                TimeRemainingColumn,
            )
            bar = Progress(TextColumn("rendering"), BarColumn(), MofNCompleteColumn(),
                           TaskProgressColumn(show_speed=True), TimeRemainingColumn(),
                           transient=True)
            bar.start()
            task = bar.add_task("pages", total=total)
        assert task is not None  # added with the bar
        bar.update(task, completed=done)

    try:
        yield report
    finally:
        if bar is not None:
            bar.stop()
