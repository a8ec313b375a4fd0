"""Files and folders: replacing a file atomically, and listing a folder tree.

A file that other processes read while it changes (the build cache, a downloaded dataset, a
page of the live output that `sitegen serve` rewrites) is written under a temporary name
beside it and renamed over it (`Replacement`): readers see the old bytes or the new ones,
never a partial file, and a write that fails leaves the old file as it was.

`walk` lists the files of a folder tree (a build folder, a release) as sorted relative
POSIX paths, the one order every stage that reads a build folder uses.
"""

from __future__ import annotations

import os
from pathlib import Path


class Replacement:
    """A new version of `path`, written to `tmp` (beside it, named by this process) and
    renamed over `path` by `commit()`; `discard()` removes it instead. As a context manager
    it commits when the block succeeds and discards when it raises."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")

    def commit(self) -> None:
        os.replace(self.tmp, self.path)

    def discard(self) -> None:
        self.tmp.unlink(missing_ok=True)

    def __enter__(self) -> Path:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return self.tmp

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()


def replace_file(path: Path, data: bytes) -> None:
    """Write `data` as the new content of `path`, atomically."""
    with Replacement(path) as tmp:
        tmp.write_bytes(data)


def walk(root: Path | str) -> list[str]:
    """Every file under `root` as a sorted relative POSIX path. Symbolic links to folders
    are left out and not followed (a build writes none), links to files listed, a folder
    that cannot be read skipped, as `os.walk` does; one `scandir` per folder, whose entries
    say their type, each path built from its folder's prefix (no `stat` or path
    normalisation per folder: a build folder has one folder per page)."""
    out: list[str] = []
    stack = [(os.fspath(root), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = os.scandir(folder)
        except OSError:
            continue
        with entries:
            for entry in entries:
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                if not is_dir:
                    out.append(prefix + entry.name)
                elif not entry.is_symlink():
                    stack.append((entry.path, prefix + entry.name + "/"))
    out.sort()
    return out
