"""Processes forked from the build process, which inherit its data instead of pickling it.

Each worker has a pipe of its own: the build sends it items and reads its results, waiting on
the pipes and on the processes' sentinels together. So a worker that dies (the kernel's
out-of-memory killer) is an error that names it, never a wait without end; every wait comes
back to Python twice a second, so serve can cancel a build at any point; and no lock is
shared between processes or with threads of the build process (multiprocessing.Pool's
queues share both, and a worker killed while holding one hangs the pool's shutdown).
Closing kills the workers: they hold nothing that outlives them. Workers also end with the
build process, however it ends: a killed build leaves none holding its output lock.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import pickle
import signal
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from sitegen.diagnostics import Diagnostic, SitegenError

_Item = TypeVar("_Item")
_Result = TypeVar("_Result")
POLL_SECONDS = 0.5  # how long a wait for workers goes without checking them
AHEAD = 2  # items sent to a worker before its first result: it never waits for the next


def _libc(name: str) -> Callable[..., int] | None:
    try:
        function: Callable[..., int] = getattr(ctypes.CDLL(None), name)
        return function
    except (OSError, AttributeError):
        return None


_MALLOC_TRIM = _libc("malloc_trim")
_PRCTL = _libc("prctl")  # Linux
_PR_SET_PDEATHSIG = 1
# The build process's ends of every live worker's pipe: a worker forked later closes its
# copies, so a worker's pipe reaches end-of-file when the build process ends, however it ends.
_PARENT_ENDS: set[Connection] = set()
# Workers killed and not yet waited for (`reap`).
_DYING: list[Any] = []


def release_free_memory() -> None:
    """Hand the C heap's free pages back to the system (glibc's `malloc_trim`) between
    stages. Loading the rows, the sitemaps' bytes and the render workers' pickled results
    leave free memory glibc keeps for later, and every process forked next would start
    from the larger footprint. Elsewhere, a no-op."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def reap() -> None:
    """Wait for every worker closed so far to be gone. A build reaps its workers before it
    lets go of the output lock, which they share with it while they live."""
    while _DYING:
        process = _DYING.pop()
        process.join()
        process.close()


# A forked process collects its own young objects every this many allocations (Python's
# default is 700): rendering a page allocates tens of thousands, nearly all freed by
# reference counting, and each collection walks the survivors; the cycles a page leaves
# (Jinja's contexts) are few and still collected.
YOUNG_COLLECTION = 20_000


@contextlib.contextmanager
def collector_off() -> Iterator[None]:
    """The cyclic garbage collector held off in this process (a build, and importing the
    build's modules): both make long-lived objects (classes, rows, the model, the audits)
    and little cyclic garbage, and every full collection would walk all of them. Forked
    workers collect as usual (`_collecting`). Back on afterwards, unless it was off."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _collecting() -> None:
    gc.set_threshold(YOUNG_COLLECTION, 20, 20)
    gc.enable()


FIRST = -1  # the index a worker answers its `first` call with


@dataclass(frozen=True)
class _Prepare:
    """What a forked process does before it takes items: `first()`, inherited (never
    pickled) and answered as index FIRST, then `ready()`, its own preparation."""

    first: Callable[[], Any] | None = None
    ready: Callable[[], object] | None = None


def _serve(conn: Connection, task: Callable[[Any], Any], parent: int,
           prepare: _Prepare) -> None:
    """A worker's loop: `task(item)` for each `(index, item)` received, answered with
    `(index, ok, result or exception)`, until the pipe ends: the build process closed it, or
    ended (then the kernel kills the worker at once, where it can: Linux's
    PR_SET_PDEATHSIG). Ctrl-C is the build process's to handle: it kills its workers.
    `prepare.first` is answered first, as index FIRST, before `prepare.ready` runs."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        return  # the build process ended before the signal was asked for
    for end in _PARENT_ENDS:
        end.close()
    _PARENT_ENDS.clear()
    first = prepare.first
    if first is not None and not _answer(conn, FIRST, lambda _: first(), None):
        return
    # The children collect their own garbage (rendering makes cycles) even while the
    # build process holds its collector off (builder/pipeline.py).
    _collecting()
    if prepare.ready is not None:
        prepare.ready()
    while True:
        try:
            index, item = conn.recv()
        except (EOFError, OSError):
            return
        if not _answer(conn, index, task, item):
            return


def _answer(conn: Connection, index: int, task: Callable[[Any], Any], item: Any) -> bool:
    """Send `task(item)` (or its exception) as the answer to `index`; False when the build
    process has gone."""
    try:
        answer: tuple[int, bool, Any] = (index, True, task(item))
    except BaseException as exc:  # noqa: BLE001 - the build process raises it
        answer = (index, False, _Failure(_portable(exc), exc.__traceback__))
    try:
        try:
            conn.send(answer)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            conn.send((index, False, _portable(exc)))
    except OSError:
        return False
    return True


class WorkerTraceback(Exception):
    """The cause of an exception raised in a worker: the worker's traceback, as text."""

    def __str__(self) -> str:
        return f'\n"""\n{self.args[0]}"""'


class _Failure:
    """A worker's exception on its way to the build process, which gets the exception with
    the worker's traceback as its cause (what a crash report then shows)."""

    def __init__(self, exc: BaseException, tb: TracebackType | None) -> None:
        self.exc = exc
        self.text = "".join(traceback.format_exception(type(exc), exc, tb))

    def __reduce__(self) -> tuple[Any, tuple[BaseException, str]]:
        return _rebuilt, (self.exc, self.text)


def _rebuilt(exc: BaseException, text: str) -> BaseException:
    exc.__cause__ = WorkerTraceback(text)
    return exc


def _portable(exc: BaseException) -> BaseException:
    """`exc` if it survives pickling, else a RuntimeError that says what it was."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001 - any failure to pickle
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def _lost(process: Any) -> SitegenError:
    code = process.exitcode
    if code is not None and code < 0:
        how = f"killed by signal {-code} ({signal.Signals(-code).name})"
    else:
        how = f"exit status {code}"
    return SitegenError(Diagnostic(
        "sitegen", None, None, f"a build process (pid {process.pid}) ended unexpectedly: {how}",
        "the usual cause is the system running out of memory (the kernel's log names the "
        "out-of-memory killer): build with --jobs 1 or on a machine with more memory; the "
        "previous output is unchanged"))


class _Worker:
    """One forked process running `task` on what it is sent, and its end of the pipe."""

    def __init__(self, task: Callable[[Any], Any], prepare: _Prepare) -> None:
        context = multiprocessing.get_context("fork")  # asked here: Windows has none
        conn, theirs = context.Pipe()
        _PARENT_ENDS.add(conn)
        self.conn = conn
        self.process: Any = context.Process(target=_serve,
                                            args=(theirs, task, os.getpid(), prepare),
                                            daemon=True)
        try:
            self.process.start()
        except BaseException:
            _PARENT_ENDS.discard(conn)
            conn.close()
            raise
        finally:
            theirs.close()
        # indices sent and not yet answered
        self.pending: deque[int] = deque([FIRST] if prepare.first is not None else [])

    def send(self, index: int, item: Any) -> None:
        try:
            self.conn.send((index, item))
        except OSError:
            raise _lost(self._ended()) from None
        self.pending.append(index)

    def _ended(self) -> Any:
        self.process.join(POLL_SECONDS)
        return self.process

    def close(self) -> None:
        """Kill the process; it is waited for by `reap` (the kernel takes a few ms to tear
        down a process the size of a build's, which closing the next one need not wait)."""
        if self.process.exitcode is None:
            self.process.kill()
        _DYING.append(self.process)
        _PARENT_ENDS.discard(self.conn)
        self.conn.close()


class Workers:
    """`processes` processes forked now, each running `task(item)` on the items it is
    sent, after what `prepare` says (each process's own preparation, made while this one
    goes on). The garbage collector's view of this process's objects is frozen while they
    fork: a collection in a child otherwise walks (and so writes to) every inherited object,
    copying the parent's whole heap page by page."""

    def __init__(self, task: Callable[[Any], Any], processes: int,
                 prepare: _Prepare | None = None) -> None:
        self._workers: list[_Worker] = []
        gc.freeze()
        try:
            for _ in range(processes):
                self._workers.append(_Worker(task, prepare or _Prepare()))
        except BaseException:
            self.close()
            raise
        finally:
            gc.unfreeze()

    def answers(self) -> Iterator[tuple[_Worker, int, Any]]:
        """`(worker, index, result)` as the workers answer, any order; raises a task's
        exception, or a diagnostic when a worker ends while it has items."""
        while any(worker.pending for worker in self._workers):
            watched: dict[Any, _Worker] = {}
            for worker in self._workers:
                if worker.pending:
                    watched[worker.conn] = watched[worker.process.sentinel] = worker
            for ready in wait(list(watched), POLL_SECONDS):
                worker = watched[ready]
                while worker.pending and worker.conn.poll():
                    yield worker, *self._take(worker)
                if worker.pending and worker.process.exitcode is not None:
                    raise _lost(worker.process)

    @staticmethod
    def _take(worker: _Worker) -> tuple[int, Any]:
        try:
            index, ok, value = worker.conn.recv()
        except (EOFError, OSError):
            raise _lost(worker._ended()) from None
        worker.pending.remove(index)
        if not ok:
            raise value
        return index, value

    def __iter__(self) -> Iterator[_Worker]:
        return iter(self._workers)

    def close(self) -> None:
        for worker in self._workers:
            worker.close()
        self._workers = []


def _in_order(workers: Workers, items: Sequence[_Item]) -> Iterator[Any]:
    """The results of `items`, in order. Each worker holds up to `AHEAD` items, so it never
    waits for its next one, until the last few: those go to whichever worker is free, so
    none finishes an item queued behind another while the rest stand idle."""
    sent = 0

    def send(worker: _Worker) -> None:
        nonlocal sent
        worker.send(sent, items[sent])
        sent += 1

    crew = list(workers)
    for _ in range(AHEAD):
        for worker in crew:
            if sent < len(items):
                send(worker)
    early: dict[int, Any] = {}
    wanted = 0
    for worker, index, value in workers.answers():
        if sent < len(items) and (not worker.pending or len(items) - sent > len(crew)):
            send(worker)
        early[index] = value
        while wanted in early:
            yield early.pop(wanted)
            wanted += 1


@contextlib.contextmanager
def forked_map(task: Callable[[_Item], _Result], items: Sequence[_Item], processes: int
               ) -> Iterator[Iterator[_Result]]:
    """`task(item)` for each item, in order, as `processes` processes forked now compute
    them: they inherit `task` and what it holds (only items and results are pickled). The
    processes stop when the block ends, whether every result was taken or not."""
    workers = Workers(task, processes)
    try:
        yield _in_order(workers, items)
    finally:
        workers.close()


def _call(task: Callable[[], _Result]) -> _Result:
    return task()


class _OneProcess:
    """Holds at most one forked worker and kills it when closed."""

    _workers: Workers | None = None

    def close(self) -> None:
        if self._workers is not None:
            self._workers.close()
            self._workers = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Spare(_OneProcess):
    """One process forked now, while this process is still small, for a call a ForkedCall
    chooses later (`ForkedCall(task, parallel=True, spare=...)`). A process forked late in
    a build starts as large as the build process then is (the model, every page's audit)
    and only adds to it; this one is sent the task instead, pickled, and stays small.
    `first`: a call the process makes as soon as it is forked, on what it inherits (nothing
    is pickled but the answer), whose answer `first()` waits for: work this process would
    otherwise make alone before it needs the answer. `ready`: what the process prepares
    next, while it waits (importing what later tasks will use). Close it (a context
    manager) when the build ends; an unused one just stops."""

    def __init__(self, *, parallel: bool, ready: Callable[[], object] | None = None,
                 first: Callable[[], Any] | None = None) -> None:
        self._first = first
        self._workers = Workers(_call, 1, _Prepare(first, ready)) if parallel else None

    def first(self) -> Any:
        """The answer of `first` (computed here when there is no process); raises its
        exception. Asked once, before the process is taken."""
        if self._first is None:
            raise AssertionError("this spare was given no first call")
        first, self._first = self._first, None
        if self._workers is None:
            return first()
        for _, _, value in self._workers.answers():
            return value
        raise AssertionError("the spare answered nothing")

    def take(self) -> Workers | None:
        """The process, handed over (None when there is none, or it is lent out), once it
        has answered its first call."""
        if self._first is not None:
            raise AssertionError("the spare's first call is unanswered")
        workers, self._workers = self._workers, None
        return workers

    def give_back(self, workers: Workers) -> None:
        """The process again, after a call that borrowed it answered (ForkedCall)."""
        self._workers = workers


class ForkedCall(_OneProcess, Generic[_Result]):
    """`task()` run in a process forked now when `parallel` (it inherits this process's
    data: only its result is pickled), else here when the result is asked for; in the
    process of `spare` when it has one (then `task` and what it holds are pickled), which
    goes back to `spare` once it answers when `borrow` (for a later call). Close it (a
    context manager) so an error elsewhere does not leave the process behind."""

    def __init__(self, task: Callable[[], _Result], *, parallel: bool,
                 spare: Spare | None = None, borrow: bool = False) -> None:
        self._task = task
        self._workers = spare.take() if parallel and spare is not None else None
        self._lender = spare if borrow and self._workers is not None else None
        if self._workers is not None:
            next(iter(self._workers)).send(0, task)
        elif parallel:
            self._workers = Workers(lambda _: task(), 1)
            next(iter(self._workers)).send(0, None)

    def result(self) -> _Result:
        if self._workers is None:
            return self._task()
        try:
            for _, _, value in self._workers.answers():
                if self._lender is not None:
                    self._lender.give_back(self._workers)
                    self._workers = None
                return value
            raise AssertionError("a forked call answered nothing")
        finally:
            self.close()


def default_jobs() -> int:
    """Processes a build forks: $SITEGEN_JOBS, else the CPUs this process may run on."""
    value = os.environ.get("SITEGEN_JOBS")
    if value and value.isdigit() and int(value) > 0:
        return int(value)
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else os.cpu_count() or 1)
