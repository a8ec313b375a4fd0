"""The build's spare process (forking.Spare): forked as early as a command can (`sitegen
build` forks it before it imports the build's modules), while this process is still small
and has most of its importing ahead of it, so the spare imports what it computes with at the
same time; it then searches each location's nearest and compares the pages' text."""

from __future__ import annotations

from sitegen.forking import Spare


def spare_process(*, parallel: bool) -> Spare:
    """The spare (a process only when `parallel`); close it (a context manager) when the
    build ends."""
    return Spare(parallel=parallel, ready=_prepare)


def _prepare() -> None:
    """numpy and the modules of the calls the spare is sent: a call's module is imported
    where it is unpickled, and these import nothing of the build's stages."""
    import numpy  # noqa: F401

    import sitegen.audit.duplicates
    import sitegen.model.nearby  # noqa: F401
