"""Rebuilds for `sitegen serve`: one at a time, on a worker thread, coalesced, never fatal.

`Rebuilder.request(paths)` marks the site dirty; the worker thread runs one build at a time,
and every change that arrives while a build runs is folded into the next one (however many
saves arrived, one more build follows). Each build ends in an `Outcome` handed to `on_done`:
a result, or the diagnostics of a `SitegenError`, or an unexpected exception turned into a
diagnostic (its traceback goes to the terminal), so the server survives any bad edit.

Readers (the HTTP handlers) call `idle()` to wait, bounded, until no build runs and hold the
lock while they read a file; the build swaps its output in atomically anyway. A build that
has finished some files before others (serve's in-place edits write the pages first, then
the feeds) says so with `release(final)`: readers of the files `final` accepts go ahead,
the others still wait for the end of the build. `stop()` asks a running build to stop at
its next progress tick (the render loop: the build's own cleanup then terminates its worker
processes and removes its temporary folder) and waits for the thread.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sitegen.diagnostics import Diagnostic, SitegenError

Progress = Callable[[int, int], None]
BuildFunction = Callable[[Progress, frozenset[Path]], Any]


class BuildCancelled(BaseException):
    """Raised from the progress callback to stop a build; BaseException so nothing eats it."""


@dataclass(frozen=True)
class Outcome:
    """How one build ended."""

    ok: bool
    result: Any = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    changed: frozenset[Path] = frozenset()  # every change since the last good build
    recovered: bool = False                  # a good build after a failed one
    seconds: float = 0.0
    generation: int = 0                      # good builds so far, this one included


def unexpected(exc: BaseException) -> Diagnostic:
    """A crash in the build shown like any other problem, with where to look for details."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = frames[-1] if frames else None
    path = where.filename if where else "sitegen"
    return Diagnostic(path, where.lineno if where else None, None,
                      f"unexpected error: {type(exc).__name__}: {exc}",
                      "a bug in sitegen: the traceback is in the terminal; the last good "
                      "build is still served")


class Rebuilder:
    """Runs `build(progress, changed)` on one worker thread whenever `request()` was called;
    `changed` is every path reported since the last good build."""

    def __init__(self, build: BuildFunction, on_done: Callable[[Outcome], None], *,
                 on_start: Callable[[frozenset[Path]], None] | None = None):
        self._build = build
        self._on_done = on_done
        self._on_start = on_start
        self._cond = threading.Condition()
        self._pending: set[Path] = set()
        self._dirty = False
        self._since_good: set[Path] = set()
        self._stopping = False
        self.building = False
        self._final: Callable[[str], bool] | None = None
        self.generation = 0
        self.last: Outcome | None = None
        self._thread = threading.Thread(target=self._run, name="sitegen-rebuild", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def request(self, paths: Iterable[Path] = ()) -> None:
        with self._cond:
            self._pending.update(paths)
            self._dirty = True
            self._cond.notify_all()

    @property
    def stopping(self) -> bool:
        return self._stopping

    @contextlib.contextmanager
    def idle(self, timeout: float = 30.0, path: str | None = None) -> Iterator[int]:
        """Wait (at most `timeout` s) until no build runs, or until the running build has
        released `path`; hold the lock inside the block.

        Yields the generation (good builds so far) of the output that is being read.
        """
        def ready() -> bool:
            return (not self.building or self._stopping or (
                path is not None and self._final is not None and self._final(path)))

        with self._cond:
            self._cond.wait_for(ready, timeout)
            yield self.generation

    def release(self, final: Callable[[str], bool] | None) -> None:
        """Called by the running build: the paths `final` accepts will not change again in
        this build, so their readers need not wait for it to end (None: all of them wait
        again)."""
        with self._cond:
            self._final = final
            self._cond.notify_all()

    def stop(self, grace: float = 5.0, timeout: float = 30.0) -> bool:
        """Cancel a running build and wait for the thread; True when it has finished.

        A build that does not reach a progress tick within `grace` seconds (a long stage
        before rendering) is interrupted with an asynchronous exception; its context managers
        still remove the temporary folder and kill the worker processes.
        """
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if not self._thread.is_alive():
            return True
        self._thread.join(grace)
        deadline = time.monotonic() + timeout
        while self._thread.is_alive() and time.monotonic() < deadline:
            _raise_in(self._thread, BuildCancelled)
            self._thread.join(0.5)
        return not self._thread.is_alive()

    def _progress(self, done: int, total: int) -> None:
        if self._stopping:
            raise BuildCancelled()

    def _run(self) -> None:
        try:
            while True:
                with self._cond:
                    self._cond.wait_for(lambda: self._dirty or self._stopping)
                    if self._stopping:
                        return
                    batch, self._pending, self._dirty = self._pending, set(), False
                    self._since_good.update(batch)
                    changed = frozenset(self._since_good)
                    self.building = True
                outcome = self._once(changed)
                with self._cond:
                    self.building = False
                    self._final = None
                    if outcome is not None:
                        if outcome.ok:
                            self.generation += 1
                            self._since_good.clear()
                            outcome = dataclasses.replace(outcome, generation=self.generation)
                        self.last = outcome
                    self._cond.notify_all()
                if outcome is None:  # cancelled: the server is stopping
                    return
                self._report(outcome)
        except BuildCancelled:
            return
        finally:
            with self._cond:
                self.building = False
                self._final = None
                self._cond.notify_all()

    def _once(self, changed: frozenset[Path]) -> Outcome | None:
        """One build; None when it was cancelled. Never raises anything else."""
        if self._on_start is not None:
            try:
                self._on_start(changed)
            except Exception:  # noqa: BLE001 - printing must not stop the rebuilds
                traceback.print_exc()
        started = time.perf_counter()
        failed_before = self.last is not None and not self.last.ok
        try:
            result = self._build(self._progress, changed)
        except BuildCancelled:
            return None
        except KeyboardInterrupt:
            if self._stopping:
                return None
            diagnostics = [Diagnostic("sitegen", None, None, "the build was interrupted",
                                      "save again to rebuild")]
        except SitegenError as exc:
            diagnostics = exc.diagnostics or [Diagnostic("sitegen", None, None, str(exc))]
        except BaseException as exc:  # noqa: BLE001 - a bad edit must never stop the server
            traceback.print_exc()
            diagnostics = [unexpected(exc)]
        else:
            return Outcome(True, result, list(getattr(result, "diagnostics", [])), changed,
                           failed_before, time.perf_counter() - started)
        return Outcome(False, None, diagnostics, changed, False,
                       time.perf_counter() - started, self.generation)

    def _report(self, outcome: Outcome) -> None:
        try:
            self._on_done(outcome)
        except Exception:  # noqa: BLE001 - reporting must not stop the rebuilds
            traceback.print_exc()


def _raise_in(thread: threading.Thread, exc_type: type[BaseException]) -> None:
    """Raise `exc_type` in another thread at its next Python instruction (CPython)."""
    ident = thread.ident
    if ident is None:
        return
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(exc_type))
