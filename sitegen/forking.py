"""Process pools forked from the build process, which inherit its data instead of pickling it."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, Self, TypeVar

_Item = TypeVar("_Item")
_Result = TypeVar("_Result")
_TASK: Callable[..., Any] | None = None  # what a process forked now runs; it inherits it


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
        return trim
    except (OSError, AttributeError):
        return None


_MALLOC_TRIM = _malloc_trim()


def release_free_memory() -> None:
    """Hand the C heap's free pages back to the system (glibc's `malloc_trim`) between
    stages. Loading the rows, the sitemaps' bytes and the render workers' pickled results
    leave free memory glibc keeps for later, and every process forked next would start
    from the larger footprint. Elsewhere, a no-op."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


# A forked process collects its own young objects every this many allocations (Python's
# default is 700): rendering a page allocates tens of thousands, nearly all freed by
# reference counting, and each collection walks the survivors; the cycles a page leaves
# (Jinja's contexts) are few and still collected.
YOUNG_COLLECTION = 20_000


def _collecting() -> None:
    gc.set_threshold(YOUNG_COLLECTION, 20, 20)
    gc.enable()


def forked_pool(processes: int) -> Any:
    """A pool of processes forked from this one, with the garbage collector's view of the
    parent's objects frozen first: a collection in a child otherwise walks (and so writes to)
    every inherited object, copying the parent's whole heap page by page."""
    gc.freeze()
    try:
        # The children collect their own garbage (rendering makes cycles) even while the
        # build process holds its collector off (builder/pipeline.py).
        return multiprocessing.get_context("fork").Pool(processes, initializer=_collecting)
    finally:
        gc.unfreeze()


@contextlib.contextmanager
def forked_map(task: Callable[[_Item], _Result], items: Sequence[_Item], processes: int
               ) -> Iterator[Iterator[_Result]]:
    """`task(item)` for each item, in order, as `processes` processes forked now compute
    them: they inherit `task` and what it holds (only items and results are pickled). The
    processes stop when the block ends, whether every result was taken or not."""
    global _TASK
    _TASK = task
    try:
        pool = forked_pool(processes)
    finally:
        _TASK = None
    try:
        yield pool.imap(_run_task, items)
    finally:
        pool.terminate()
        pool.join()


class _OneProcess:
    """Holds at most one forked process (a pool of one) and stops it when closed."""

    _pool: Any = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Spare(_OneProcess):
    """One process forked now, while this process is still small, for a call a ForkedCall
    chooses later (`ForkedCall(task, parallel=True, spare=...)`). A process forked late in
    a build starts as large as the build process then is (the model, every page's audit)
    and only adds to it; this one is sent the task instead, pickled, and stays small.
    Close it (a context manager) when the build ends; an unused one just stops."""

    def __init__(self, *, parallel: bool) -> None:
        self._pool = forked_pool(1) if parallel else None

    def take(self) -> Any:
        """The process's pool, handed over once (None when there is none)."""
        pool, self._pool = self._pool, None
        return pool


class ForkedCall(_OneProcess, Generic[_Result]):
    """`task()` run in a process forked now when `parallel` (it inherits this process's
    data: only its result is pickled), else here when the result is asked for; in the
    process of `spare` when it has one (then `task` and what it holds are pickled). Close
    it (a context manager) so an error elsewhere does not leave the process behind."""

    def __init__(self, task: Callable[[], _Result], *, parallel: bool,
                 spare: Spare | None = None) -> None:
        global _TASK
        self._task = task
        self._pool = spare.take() if parallel and spare is not None else None
        if self._pool is not None:
            self._async = self._pool.apply_async(task)
        elif parallel:
            _TASK = task  # the forked process inherits it
            try:
                self._pool = forked_pool(1)
                self._async = self._pool.apply_async(_run_task)
            finally:
                _TASK = None

    def result(self) -> _Result:
        if self._pool is None:
            return self._task()
        try:
            return self._async.get()
        finally:
            self.close()


def _run_task(*args: Any) -> Any:
    assert _TASK is not None, "task not set before the process started"
    return _TASK(*args)
