"""One writer per output folder: an exclusive `fcntl.flock` on a lock file beside the target.

`dist/production/` is guarded by `dist/.production.lock`, a publish folder `DIR` by
`DIR/.publish.lock`. A second build or publish of the same target waits for the first one
(polling, so it can give up): after `$SITEGEN_LOCK_TIMEOUT` seconds (default 60) it fails
with a diagnostic naming the lock file and the pid of the process holding it.

The lock belongs to the open file, so a killed process never leaves a stale lock: the kernel
releases it. The holder writes its pid into the file (for the message) and removes the file
when it is done, so a failed build leaves nothing behind; a waiter that acquires a file which
was removed meanwhile (its inode is no longer at the path) simply opens the path again.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

from sitegen.diagnostics import Diagnostic, SitegenError

TIMEOUT_VARIABLE = "SITEGEN_LOCK_TIMEOUT"
DEFAULT_TIMEOUT = 60.0
POLL_SECONDS = 0.1

F = TypeVar("F", bound=Callable[..., Any])


def lock_path_for(target: Path) -> Path:
    """`dist/production` -> `dist/.production.lock`."""
    return target.parent / f".{target.name}.lock"


def timeout_from(environ: Mapping[str, str] | None = None) -> float:
    environ = os.environ if environ is None else environ
    value = environ.get(TIMEOUT_VARIABLE, "").strip()
    if not value:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        raise SitegenError(Diagnostic(f"${TIMEOUT_VARIABLE}", None, None,
                                      f"'{value}' is not a number of seconds",
                                      "write e.g. SITEGEN_LOCK_TIMEOUT=120")) from None
    return max(0.0, seconds)


def _holder(path: Path) -> str:
    try:
        text = path.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return "pid unknown"
    return f"pid {text}" if text.isdigit() else "pid unknown"


def _io_problem(exc: OSError, path: Path) -> SitegenError:
    hint = "free some disk space" if exc.errno == errno.ENOSPC else "check permissions"
    return SitegenError(Diagnostic(str(path), None, None,
                                   f"cannot create lock file: {exc.strerror or exc}",
                                   f"{hint}; nothing was changed"))


@contextlib.contextmanager
def exclusive(lock_file: Path, what: str, *, timeout: float | None = None,
              environ: Mapping[str, str] | None = None,
              notify: Callable[[str], None] | None = None) -> Iterator[Path]:
    """Hold an exclusive lock on `lock_file` (created, with its folder, when missing)."""
    wait = timeout_from(environ) if timeout is None else timeout
    created: list[Path] = []
    folder = lock_file.parent
    while not folder.exists():
        created.append(folder)
        folder = folder.parent
    try:
        lock_file.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _io_problem(exc, lock_file) from None
    deadline = time.monotonic() + wait
    announced = False
    while True:
        try:
            fd = os.open(lock_file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise _io_problem(exc, lock_file) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if time.monotonic() >= deadline:
                raise SitegenError(Diagnostic(
                    str(lock_file), None, None,
                    f"another sitegen process ({_holder(lock_file)}) is writing {what}; "
                    f"gave up waiting after {wait:g} s",
                    f"wait for it to finish, or set {TIMEOUT_VARIABLE} to wait longer")) \
                    from None
            if not announced:
                announced = True
                message = (f"sitegen: waiting for {lock_file} (held by "
                           f"{_holder(lock_file)}) ...")
                (notify or _stderr)(message)
            time.sleep(POLL_SECONDS)
            continue
        try:
            same = os.fstat(fd).st_ino == os.stat(lock_file).st_ino
        except FileNotFoundError:
            same = False
        if not same:  # the previous holder removed the file after we opened it: start over
            os.close(fd)
            with contextlib.suppress(OSError):
                lock_file.parent.mkdir(parents=True, exist_ok=True)
            continue
        break
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
    except OSError:
        pass  # the pid is only for the message of a waiter
    try:
        yield lock_file
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock_file)
        os.close(fd)
        for folder in created:  # only folders this lock made, and only when still empty
            with contextlib.suppress(OSError):
                folder.rmdir()


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def output_lock(target: Path, *, environ: Mapping[str, str] | None = None
                ) -> contextlib.AbstractContextManager[Path]:
    """The lock of one output folder (`dist/<env>/`), beside it."""
    return exclusive(lock_path_for(target), str(target), environ=environ)
