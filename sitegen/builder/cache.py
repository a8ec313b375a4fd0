"""The build cache under `<site>/.sitegen/cache/`.

Per environment, `<env>.pickle` (small, read by every build) holds the fingerprint of all
inputs and the identity of the output folder it produced, so a rebuild with no change renders
and writes nothing; `<env>-pages.pickle` (read only when something changed) holds each page's
fingerprint and audit, so an incremental build renders only pages whose inputs changed,
validated rows by content, so unchanged rows are not parsed again, and the near-duplicate
findings with the digest of what they were computed from.

The output folder is identified by its inode and its manifest's stat: every build swaps in a
new folder, so a folder that was replaced or rebuilt elsewhere is noticed. Files edited by hand
inside `dist/<env>/` are not: outputs are not inputs; `sitegen build --force` ignores the cache.
A cache that cannot be read is discarded with a warning and the build starts clean.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import os
import pickle
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sitegen import __version__
from sitegen.diagnostics import Diagnostic, Report
from sitegen.files import Replacement
from sitegen.forking import ForkedCall

# The layout of what the cache holds: bumped whenever it, or a class it pickles, changes
# (an older cache is then ignored, not misread).
FORMAT = 19
CHUNK = 10_000  # pages or rows per pickled chunk of the details
MARKER = "robots.txt"


@dataclass(slots=True)
class CachedPage:
    fingerprint: str
    audit: Any
    lastmod: str | None = None
    digest: tuple[int, str] | None = None  # size and sha256 of the file, for the manifest


@dataclass
class BuildCache:
    """What the previous successful build of one environment left behind."""

    inputs: str = ""
    out_dir: str = ""
    identity: tuple[int, ...] = ()
    summary: dict[str, Any] = field(default_factory=dict)  # BuildResult's counts
    diagnostics: list[Diagnostic] = field(default_factory=list)
    pages: dict[str, CachedPage] = field(default_factory=dict)
    rows: dict[str, Any] = field(default_factory=dict)
    near: Any = None  # audit.NearDuplicates of the build
    version: str = __version__
    format: int = FORMAT

    def output_intact(self, out_dir: Path) -> bool:
        return str(out_dir) == self.out_dir and bool(self.identity) \
            and folder_identity(out_dir) == self.identity


def folder_identity(out_dir: Path) -> tuple[int, ...]:
    try:
        folder = out_dir.stat()
        marker = (out_dir / MARKER).stat()
    except OSError:
        return ()
    return (folder.st_dev, folder.st_ino, marker.st_ino, marker.st_size, marker.st_mtime_ns)


def cache_path(source: Path, env: str, part: str = "") -> Path:
    return source / ".sitegen" / "cache" / f"{env}{part}.pickle"


def _read(path: Path) -> Any:
    with path.open("rb") as handle:
        return pickle.load(handle)


def load_cache(source: Path, env: str, report: Report) -> BuildCache:
    """The small part of the cache: enough to decide that nothing changed."""
    path = cache_path(source, env)
    if not path.is_file():
        return BuildCache()
    try:
        cache = _read(path)
        if not isinstance(cache, BuildCache):
            raise ValueError("unexpected content")
        if getattr(cache, "format", None) != FORMAT or cache.version != __version__:
            return BuildCache()
        return cache
    except Exception as exc:  # noqa: BLE001 - any unreadable cache is discarded, never fatal
        _discard(source, env, path, exc, report)
        return BuildCache()


def load_details(source: Path, env: str, cache: BuildCache, report: Report) -> None:
    """Fill in page fingerprints and validated rows, when the small part was readable."""
    path = cache_path(source, env, "-pages")
    if not cache.inputs or not path.is_file():
        return
    try:
        pages, rows, near = _read_details(path)
        cache.pages, cache.rows, cache.near = pages, rows, near
    except Exception as exc:  # noqa: BLE001 - any unreadable cache is discarded, never fatal
        _discard(source, env, path, exc, report)


def _discard(source: Path, env: str, path: Path, exc: Exception, report: Report) -> None:
    report.warning(str(path.relative_to(source)), None, None,
                   f"build cache is unreadable ({type(exc).__name__}: {exc}); "
                   "discarded, rebuilding everything", "nothing to do")
    cache_path(source, env).unlink(missing_ok=True)
    cache_path(source, env, "-pages").unlink(missing_ok=True)


def save_cache(source: Path, env: str, cache: BuildCache, out_dir: Path,
               details: DetailsWriter | None = None) -> None:
    """Write both parts atomically (temp file + rename), the details first (by `details`
    when the build started writing them already)."""
    cache.out_dir = str(out_dir)
    cache.identity = folder_identity(out_dir)
    if details is None:
        _write_details(cache_path(source, env, "-pages"), cache)
    else:
        details.finish(cache.near)
    small = BuildCache(inputs=cache.inputs, out_dir=cache.out_dir, identity=cache.identity,
                       summary=cache.summary, diagnostics=cache.diagnostics)
    _write(cache_path(source, env), small)


def save_cache_after_swap(source: Path, env: str, cache: BuildCache, out_dir: Path,
                          details: DetailsWriter | None = None) -> list[Diagnostic]:
    """`save_cache` for a build whose new output is live already: a write that fails (a
    full disk, a read-only or foreign-owned cache folder) cannot undo that, so it is a
    warning, not a failed build. What the failed write left is removed (as far as the disk
    allows), so the next build finds no cache and renders every page."""
    try:
        save_cache(source, env, cache, out_dir, details)
        return []
    except OSError as exc:
        for path in (cache_path(source, env), cache_path(source, env, "-pages")):
            for leftover in (path, Replacement(path).tmp):
                with contextlib.suppress(OSError):
                    leftover.unlink(missing_ok=True)
        hint = "free some disk space" if exc.errno == errno.ENOSPC else "check permissions"
        folder = cache_path(source, env).parent.relative_to(source)
        return [Diagnostic(
            str(folder), None, None, f"cannot save the build cache: {exc.strerror or exc}",
            f"the new output is live; the next build renders every page again; {hint}",
            "warning")]


def _write_details(path: Path, cache: BuildCache) -> None:
    """The pages, rows and near-duplicates as a stream of pickles of CHUNK entries each,
    ended by a marker: one pickle of every page would hold a memo of every object it wrote
    until the end."""
    with Replacement(path) as tmp:
        _write_bulk(tmp, cache.pages, cache.rows)
        _write_end(tmp, cache.near)


def _write_bulk(tmp: Path, pages: dict[str, CachedPage], rows: dict[str, Any]) -> None:
    tmp.parent.mkdir(parents=True, exist_ok=True)
    with tmp.open("wb") as handle:
        for chunk in _chunks(pages):
            pickle.dump(("pages", chunk), handle, protocol=pickle.HIGHEST_PROTOCOL)
        for key, table in rows.items():
            pickle.dump(("rows", key, {}), handle, protocol=pickle.HIGHEST_PROTOCOL)
            for chunk in _chunks(table):
                pickle.dump(("rows", key, chunk), handle, protocol=pickle.HIGHEST_PROTOCOL)


def _write_end(tmp: Path, near: Any) -> None:
    with tmp.open("ab") as handle:
        pickle.dump(("end", near), handle, protocol=pickle.HIGHEST_PROTOCOL)


class DetailsWriter:
    """The details' pages and rows pickled into a temporary file by a process forked now
    (forking.ForkedCall), while the build hashes its manifest and audits its tree (work
    one core would otherwise do alone). `finish` appends the
    near-duplicates the audit settled and renames the file into place; `close` (a context
    manager) stops the process and removes the file of a build that failed. The process
    holds the pages and rows as they were when it forked: the build changes neither
    afterwards."""

    def __init__(self, source: Path, env: str, pages: dict[str, CachedPage],
                 rows: dict[str, Any], *, parallel: bool) -> None:
        self._file = Replacement(cache_path(source, env, "-pages"))
        self._call = ForkedCall(functools.partial(_write_bulk, self._file.tmp, pages, rows),
                                parallel=parallel)

    def finish(self, near: Any) -> None:
        self._call.result()
        _write_end(self._file.tmp, near)
        self._file.commit()

    def close(self) -> None:
        self._call.close()
        self._file.discard()

    def __enter__(self) -> DetailsWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _chunks(mapping: dict[str, Any]) -> Iterator[dict[str, Any]]:
    items = list(mapping.items())
    for start in range(0, len(items), CHUNK):
        yield dict(items[start:start + CHUNK])


def _read_details(path: Path) -> tuple[dict[str, Any], dict[str, Any], Any]:
    """What _write_details wrote; raises on anything else, or on a stream cut short."""
    pages: dict[str, Any] = {}
    rows: dict[str, dict[str, Any]] = {}
    with path.open("rb") as handle:
        while True:
            record = pickle.load(handle)  # EOFError before the end marker: cut short
            if not isinstance(record, tuple) or not record:
                raise ValueError("unexpected content")
            if record[0] == "pages" and isinstance(record[1], dict):
                pages.update(record[1])
            elif record[0] == "rows" and isinstance(record[2], dict):
                rows.setdefault(record[1], {}).update(record[2])
            elif record[0] == "end":
                return pages, rows, record[1]
            else:
                raise ValueError("unexpected content")


def _write(path: Path, data: Any) -> None:
    with Replacement(path) as tmp, tmp.open("wb") as handle:
        pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)


def hash_inputs(paths: list[Path], extra: list[str]) -> str:
    """One digest over input files (path, bytes) and other input text (config, policy...)."""
    digest = hashlib.blake2b(digest_size=20)
    for text in extra:
        digest.update(text.encode("utf-8", "surrogatepass"))
        digest.update(b"\x1f")
    for path in sorted(set(paths)):
        for file in sorted(_files(path)) if path.is_dir() else [path]:
            digest.update(str(file).encode("utf-8", "surrogateescape"))
            digest.update(b"\x1e")
            try:
                with file.open("rb") as handle:  # in pieces: a location file may be large
                    while piece := handle.read(1 << 20):
                        digest.update(piece)
            except OSError:
                digest.update(b"<unreadable>")
            digest.update(b"\x1f")
    return digest.hexdigest()


def _files(root: Path) -> list[Path]:
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        out.extend(Path(dirpath) / name for name in filenames)
    return out
