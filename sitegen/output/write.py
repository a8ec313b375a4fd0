"""Atomic output: build into a temporary folder beside `dist/<env>/`, swap it in on success.

The swap is one `renameat2(RENAME_EXCHANGE)` call on Linux, so readers see either the old or
the new tree, never a mix and never nothing; a killed or failed build leaves only a temporary
folder that the next build removes, and the previous output untouched.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import os
import re
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from sitegen.diagnostics import Diagnostic, SitegenError

# A file's content: its bytes, or a function giving them in chunks (a feed of every location,
# written as it is produced instead of being held whole).
Artifact = bytes | Callable[[], Iterable[bytes]]

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)


@dataclass(frozen=True)
class FileSet:
    """Files made together in one pass over their source. `pieces()` yields (path, bytes):
    a path in `streams` is appended to, piece after piece, across the pass; any other path
    is a whole file. The location feeds are one: each location is encoded once, added to
    the three collection feeds and written as its own file, then let go (not held for the
    next feed)."""

    streams: tuple[str, ...]
    pieces: Callable[[], Iterable[tuple[str, bytes]]]

    def files(self) -> dict[str, bytes]:
        """Every file's bytes, whole (serve keeps them, and makes them again on each edit)."""
        streams: dict[str, list[bytes]] = {rel: [] for rel in self.streams}
        files: dict[str, bytes] = {}
        for rel, data in self.pieces():
            if rel in streams:
                streams[rel].append(data)
            else:
                files[rel] = data
        files.update((rel, b"".join(parts)) for rel, parts in streams.items())
        return files


class Batch:
    """Parts joined by `separator`, handed out about 64 KB at a time: a file of many small
    entries (a feed, the manifest) written as it is made, in writes of a useful size."""

    def __init__(self, separator: bytes, size: int = 1 << 16) -> None:
        self._separator, self._size = separator, size
        self._parts: list[bytes] = []
        self._length = 0
        self._started = False

    def add(self, part: bytes) -> bytes:
        """Take a part; the joined batch when it reached the size, else b""."""
        self._parts.append(part)
        self._length += len(part) + 1
        return self.rest() if self._length >= self._size else b""

    def rest(self) -> bytes:
        """The parts not handed out yet, joined (with the separator before them when a
        batch went out already)."""
        if not self._parts:
            return b""
        lead = self._separator if self._started else b""
        joined = lead + self._separator.join(self._parts)
        self._parts, self._length, self._started = [], 0, True
        return joined


class NewFile:
    """A new file written piece by piece (see `create_file`); `close()` gives its size and
    sha256."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        try:
            self._fd = os.open(path, _NEW_FILE, 0o666)
        except FileExistsError:
            os.unlink(path)
            self._fd = os.open(path, _NEW_FILE, 0o666)
        self._digest = hashlib.sha256()
        self._size = 0

    def write(self, chunk: bytes) -> None:
        view = memoryview(chunk)
        while view:
            view = view[os.write(self._fd, view):]
        self._digest.update(chunk)
        self._size += len(chunk)

    def close(self) -> tuple[int, str]:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        return self._size, self._digest.hexdigest()



class Folders:
    """The folders made under one root by this process, each made once: a folder is made
    with one `mkdir` after its parent (made first when this process has not made it), not
    with `makedirs`, which looks at every level of the path again for each file."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self._root = os.fspath(root)
        self._made: set[str] = {""}

    def make(self, folder: str) -> None:
        """Make `folder` (relative, "/"-separated) and its parents, unless made already."""
        if folder in self._made:
            return
        parent = folder.rpartition("/")[0]
        if parent not in self._made:
            self.make(parent)
        with contextlib.suppress(FileExistsError):  # another process made it
            os.mkdir(os.path.join(self._root, folder))
        self._made.add(folder)


def create_file(path: str | os.PathLike[str], chunks: Iterable[bytes]) -> tuple[int, str]:
    """Write a new file from `chunks`; its size and sha256. A file already at the path (a
    hard link to the live output, reused by an earlier build step) is unlinked first, never
    written through. Plain descriptor calls: a build creates tens of thousands of files,
    and `open()`'s buffered file object, isatty check and stat cost more than the write."""
    file = NewFile(path)
    try:
        for chunk in chunks:
            file.write(chunk)
    finally:
        written = file.close()
    return written


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths; False when the platform cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


class AtomicOutput:
    """A staging folder that becomes the output folder only when `commit()` is called."""

    def __init__(self, final: Path):
        self.final = final
        self.tmp = final.parent / f".{final.name}.tmp-{os.getpid()}"
        self._root = str(self.tmp)
        self.folders = Folders(self.tmp)
        self._made: list[Path] = []

    def __enter__(self) -> AtomicOutput:
        # The folders made for it, deepest first: a build that fails leaves none behind.
        self._made = [folder for folder in [self.final.parent, *self.final.parent.parents]
                      if not folder.exists()]
        try:
            self.final.parent.mkdir(parents=True, exist_ok=True)
            remove_stale(self.final)
            if self.tmp.exists():
                shutil.rmtree(self.tmp)
            self.tmp.mkdir()
        except OSError as exc:
            raise _io_error(exc, self.final.parent) from None
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if self.tmp.exists():
            shutil.rmtree(self.tmp, ignore_errors=True)
        if exc_type is not None:
            for folder in self._made:
                try:
                    folder.rmdir()
                except OSError:  # not empty: another build, or the user, put files there
                    break

    def path_for(self, rel: str) -> str:
        """The path of `rel` in the staging folder, its folder made. Plain strings: the
        side task asks for a path per location (its feed file), and pathlib's parsing costs
        more than writing the file."""
        if rel.startswith("/") or "\x00" in rel or ".." in rel.split("/"):
            raise SitegenError(Diagnostic(rel, None, None, "output path leaves the output folder",
                                          "slugs and URLs must stay inside the site"))
        self.folders.make(rel.rpartition("/")[0])
        return os.path.join(self._root, rel)

    def write_artifact(self, rel: str, data: Artifact) -> tuple[int, str]:
        """Write bytes, or the chunks a function yields, without joining them first; the
        size and sha256 of what was written (for the manifest)."""
        try:
            return create_file(self.path_for(rel), (data,) if isinstance(data, bytes) else data())
        except OSError as exc:
            raise _io_error(exc, self.tmp / rel) from None

    def open_file(self, rel: str) -> NewFile:
        """A new file to write piece by piece; close it."""
        try:
            return NewFile(self.path_for(rel))
        except OSError as exc:
            raise _io_error(exc, self.tmp / rel) from None

    def write_file_set(self, files: FileSet, whole: Callable[[str, bytes], None],
                       gather: Callable[[str], bool]) -> dict[str, tuple[int, str]]:
        """Write a FileSet: its streams piece by piece (the size and sha256 of each are
        returned), its whole files through `whole(path, bytes)`. A stream that `gather`s
        (one an encrypted build seals whole) is handed to `whole` at the end instead."""
        streams: dict[str, NewFile] = {}
        gathered: dict[str, list[bytes]] = {rel: [] for rel in files.streams if gather(rel)}
        written: dict[str, tuple[int, str]] = {}
        try:
            for rel in files.streams:
                if rel not in gathered:
                    streams[rel] = self.open_file(rel)
            for rel, data in files.pieces():
                if rel in streams:
                    try:
                        streams[rel].write(data)
                    except OSError as exc:
                        raise _io_error(exc, self.tmp / rel) from None
                elif rel in gathered:
                    gathered[rel].append(data)
                else:
                    whole(rel, data)
        finally:
            for rel, stream in streams.items():
                written[rel] = stream.close()
        for rel, parts in gathered.items():
            whole(rel, b"".join(parts))
        return written

    def reuse(self, previous: Path, rel: str) -> bool:
        """Take a file unchanged from the previous output (a hard link: no copy, no render)."""
        try:
            os.link(previous, self.path_for(rel))
            return True
        except OSError:
            try:
                shutil.copyfile(previous, self.path_for(rel))
                return True
            except OSError:
                return False

    def copy(self, source: Path, rel: str) -> None:
        try:
            target = self.path_for(rel)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(target)
            shutil.copyfile(source, target)
        except OSError as exc:
            raise _io_error(exc, self.tmp / rel) from None

    def commit(self) -> None:
        """Swap the finished tree in; the old tree is removed afterwards."""
        try:
            if self.final.exists() and _exchange(self.tmp, self.final):
                shutil.rmtree(self.tmp, ignore_errors=True)
                return
            old = self.final.parent / f".{self.final.name}.old-{os.getpid()}"
            if self.final.exists():
                os.rename(self.final, old)
            os.rename(self.tmp, self.final)
            if old.exists():
                shutil.rmtree(old, ignore_errors=True)
        except OSError as exc:
            raise _io_error(exc, self.final) from None


def remove_stale(final: Path) -> None:
    """Remove temporary folders left by builds that were killed (their process is gone):
    exactly the names this writer gives them, `.<name>.tmp-<pid>` and `.<name>.old-<pid>`,
    never another file beside the output."""
    ours = re.compile(rf"\.{re.escape(final.name)}\.(?:tmp|old)-(\d+)")
    for name in os.listdir(final.parent):
        found = ours.fullmatch(name)
        candidate = final.parent / name
        if found and not _alive(int(found[1])) and candidate.is_dir() \
                and not candidate.is_symlink():
            shutil.rmtree(candidate, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _io_error(exc: OSError, path: Path) -> SitegenError:
    reason = exc.strerror or str(exc)
    hint = "free some disk space" if exc.errno == errno.ENOSPC else "check permissions"
    return SitegenError(Diagnostic(str(path), None, None, f"cannot write: {reason}",
                                   f"{hint}; the previous output is unchanged"))
