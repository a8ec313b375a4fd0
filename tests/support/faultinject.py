"""Real I/O faults in a real sitegen process, for the fault tests (tests/cli/test_publish.py).

Run the CLI as `python -c "from support import faultinject; faultinject.main()" ARGS...` with
tests/ on PYTHONPATH and:

    FAULTINJECT=ENOSPC|EROFS    which error to raise
    FAULTINJECT_PATH=/abs/dir   only for files and folders under this path
    FAULTINJECT_AFTER=N         ENOSPC: after N bytes have been written under the path

EROFS refuses every open-for-writing, mkdir, rename and symlink under the path at once (a
read-only file system; chmod cannot simulate it for root). ENOSPC lets N bytes through, then
fails a write the way a full disk does. Nothing else is patched: the error travels sitegen's
real error path in a real process.
"""

from __future__ import annotations

import builtins
import errno
import io
import os
import shutil

_written = 0


def _under(path: object, prefix: str) -> bool:
    try:
        text = os.path.abspath(os.fsdecode(path))  # type: ignore[arg-type]
    except TypeError:
        return False
    return text == prefix or text.startswith(prefix.rstrip("/") + "/")


def _error(code: int, path: object) -> OSError:
    return OSError(code, os.strerror(code), os.fsdecode(path))  # type: ignore[arg-type]


class _Full:
    """A writable file that fails with ENOSPC once the byte budget is spent."""

    def __init__(self, handle: object, path: object, budget: int):
        self._handle, self._path, self._budget = handle, path, budget

    def write(self, data: bytes | str) -> int:
        global _written
        size = len(data)
        if _written + size > self._budget:
            raise _error(errno.ENOSPC, self._path)
        _written += size
        return self._handle.write(data)  # type: ignore[attr-defined]

    def __enter__(self) -> _Full:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self._handle, name)


def install() -> None:
    kind = os.environ.get("FAULTINJECT")
    prefix = os.path.abspath(os.environ.get("FAULTINJECT_PATH", "/nonexistent"))
    budget = int(os.environ.get("FAULTINJECT_AFTER", "0"))
    if kind not in ("ENOSPC", "EROFS"):
        return
    real_open, real_mkdir = builtins.open, os.mkdir
    real_rename, real_replace, real_symlink = os.rename, os.replace, os.symlink
    shutil._USE_CP_SENDFILE = False  # type: ignore[attr-defined]  # copies go through write()

    def fault_open(file: object, mode: str = "r", *args: object, **kwargs: object) -> object:
        writing = any(flag in mode for flag in "wax+")
        if writing and isinstance(file, str | bytes | os.PathLike) and _under(file, prefix):
            if kind == "EROFS":
                raise _error(errno.EROFS, file)
            return _Full(real_open(file, mode, *args, **kwargs), file, budget)
        return real_open(file, mode, *args, **kwargs)

    def guarded(real: object) -> object:
        def call(*args: object, **kwargs: object) -> object:
            if real is real_mkdir and os.path.lexists(args[0]):  # type: ignore[arg-type]
                return real(*args, **kwargs)  # EEXIST comes first, as on a real file system
            under = [a for a in args[:2]
                     if isinstance(a, str | bytes | os.PathLike) and _under(a, prefix)]
            if kind == "EROFS" and under:
                raise _error(errno.EROFS, under[-1])
            return real(*args, **kwargs)  # type: ignore[operator]
        return call

    builtins.open = fault_open  # type: ignore[assignment]
    io.open = fault_open  # type: ignore[assignment]
    os.mkdir = guarded(real_mkdir)  # type: ignore[assignment]
    os.rename = guarded(real_rename)  # type: ignore[assignment]
    os.replace = guarded(real_replace)  # type: ignore[assignment]
    os.symlink = guarded(real_symlink)  # type: ignore[assignment]
    real_os_open = os.open

    def fault_os_open(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if kind == "EROFS" and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) \
                and _under(path, prefix):
            raise _error(errno.EROFS, path)
        return real_os_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    os.open = fault_os_open  # type: ignore[assignment]


def main() -> None:
    install()
    from sitegen.cli import main as cli

    cli(prog_name="sitegen")
