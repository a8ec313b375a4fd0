"""`sitegen publish` and `sitegen rollback`: atomic releases of a finished build.

    DIR/
      releases/20260131T120000Z-3f2a9c1b/   one complete build per release, never changed
      releases/20260130T090000Z-0c77d2e4/
      current -> releases/20260131T120000Z-3f2a9c1b   what the web server serves
      .publish.lock                          while a publish or rollback runs

`publish` takes the existing build `<source>/dist/<env>/` (it never rebuilds), copies it into
a temporary folder under `releases/` (holding the build folder's lock, so a build cannot swap
the folder mid-copy), runs the same audit as `sitegen check` on the copy, renames it to
`releases/<build id>` and switches `current` with one `rename(2)` of a symlink
(`current.tmp-<pid>` -> `current`). A web server pointed at `DIR/current` therefore serves
either the old release or the new one, never a mix, and a failed copy or audit leaves the live
release untouched. The build id is the UTC time and a short hash of the build's
`api/manifest.json` (or, without one, of the whole tree). The newest `publish.keep` releases
(default 5) are kept; the live one, and the one it replaced (still serving requests that
started before the switch, and the target of `rollback`), are never deleted.

`rollback` switches `current` back to the previous release (or a named one) the same way.

DIR is sitegen's own: `publish` refuses, before it writes anything, a DIR that holds anything
besides the layout above, and one that is, contains or lies inside the site folder's sources
(outdir.py).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import errno
import hashlib
import os
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sitegen.diagnostics import Diagnostic, SitegenError
from sitegen.files import walk
from sitegen.output.lock import exclusive, output_lock
from sitegen.output.outdir import overlap, resolved, site_inputs

if TYPE_CHECKING:
    from sitegen.config.load import LoadedConfig

RELEASES = "releases"
CURRENT = "current"
LOCK = ".publish.lock"
MANIFEST = "api/manifest.json"
RELEASE_NAME = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{8}(?:-\d+)?$")
TMP_RELEASE = re.compile(r"^\.release\.tmp-\d+$")
TMP_CURRENT = re.compile(r"^current\.tmp-\d+$")
DIFF_LINES = 20


@dataclass
class PublishResult:
    release: str
    previous: str | None
    compared: tuple[Path, Path] | None = None  # the previous release and this one
    password: str | None = field(default=None, repr=False)  # opens them when encrypted
    removed: list[str] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)


@dataclass
class RollbackResult:
    release: str
    previous: str | None


# --- reading a publish folder -----------------------------------------------------------------

def releases(target: Path) -> list[str]:
    """Release names, oldest first (names start with their UTC time)."""
    folder = target / RELEASES
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir()
                  if p.is_dir() and not p.is_symlink() and RELEASE_NAME.match(p.name))


def live_release(target: Path) -> str | None:
    """The release `DIR/current` points at, or None before the first publish."""
    link = target / CURRENT
    if not link.is_symlink():
        if link.exists():
            raise SitegenError(Diagnostic(
                str(link), None, None, "is not a symbolic link",
                "sitegen publish manages DIR/current as a link to a release; move it away"))
        return None
    pointed = Path(os.readlink(link))
    name = pointed.name
    if pointed.parent.name != RELEASES or not (target / RELEASES / name).is_dir():
        raise SitegenError(Diagnostic(
            str(link), None, None, f"points at {pointed}, which is not a release here",
            f"run sitegen rollback --to {target} RELEASE"))
    return name


# --- identity of a build ----------------------------------------------------------------------

def content_hash(folder: Path) -> str:
    """sha256 of the build's manifest (which lists every file's hash), else of the tree."""
    manifest = folder / MANIFEST
    digest = hashlib.sha256()
    if manifest.is_file():
        digest.update(manifest.read_bytes())
        return digest.hexdigest()
    for rel, file_hash in sorted(tree_digest(folder).items()):
        digest.update(f"{rel}\0{file_hash}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def tree_digest(folder: Path) -> dict[str, str]:
    return {rel: hashlib.sha256((folder / rel).read_bytes()).hexdigest()
            for rel in walk(folder)}


def build_id(folder: Path, now: _dt.datetime | None = None) -> str:
    now = now or _dt.datetime.now(_dt.UTC)
    return f"{now.strftime('%Y%m%dT%H%M%SZ')}-{content_hash(folder)[:8]}"


# --- what changed -----------------------------------------------------------------------------

def file_changes(old: Path, new: Path) -> tuple[int, int, int]:
    """(added, removed, changed) files between two release folders."""
    before, after = tree_digest(old), tree_digest(new)
    added = len(set(after) - set(before))
    removed = len(set(before) - set(after))
    changed = sum(1 for rel in set(before) & set(after) if before[rel] != after[rel])
    return added, removed, changed


def change_lines(old: Path, new: Path, password: str | None, show_text: bool = False
                 ) -> list[str]:
    """Pages added, removed and changed (diff.py, as `sitegen diff` prints them, the first
    20 lines and the count: of encrypted builds the fields, not their text, unless
    `show_text`), then the file counts."""
    from sitegen.deploy.diff import diff_builds, format_diff

    lines: list[str] = []
    try:
        text = format_diff(diff_builds(old, new, password=password), show_text).splitlines()
    except SitegenError as exc:
        text = [f"(page comparison skipped: {exc.diagnostics[0].message})"]
    if len(text) > DIFF_LINES + 1:
        hidden = len(text) - DIFF_LINES - 1
        text = [*text[:DIFF_LINES], f"... {hidden} more lines (sitegen diff {old} {new})",
                text[-1]]
    lines += text
    added, removed, changed = file_changes(old, new)
    lines.append(f"files: {added} added, {removed} removed, {changed} changed")
    return lines


# --- switching --------------------------------------------------------------------------------

def switch(target: Path, release: str) -> None:
    """Point `DIR/current` at `releases/<release>` with one atomic rename of a symlink."""
    link = target / CURRENT
    tmp = target / f"{CURRENT}.tmp-{os.getpid()}"
    try:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        tmp.symlink_to(Path(RELEASES) / release, target_is_directory=True)
        os.replace(tmp, link)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise _io_error(exc, Path(exc.filename) if exc.filename else link,
                        "the live release is unchanged") from None


def _io_error(exc: OSError, path: Path, unchanged: str) -> SitegenError:
    hint = "free some disk space" if exc.errno == errno.ENOSPC else "check permissions"
    return SitegenError(Diagnostic(str(path), None, None, f"cannot write: "
                                   f"{exc.strerror or exc}", f"{hint}; {unchanged}"))


def _remove_stale(target: Path) -> None:
    """Temporary release folders and links of publishes that were killed."""
    from sitegen.output.write import _alive

    candidates = [*(target / RELEASES).glob(".*.tmp-*"), *target.glob(f"{CURRENT}.tmp-*")]
    for path in candidates:
        pid = path.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    path.unlink()


def prune(target: Path, keep: int, protect: set[str]) -> list[str]:
    """Delete the oldest releases beyond `keep`; never one in `protect` (the live one)."""
    names = releases(target)
    survivors = set(names[-keep:]) | protect
    removed = []
    for name in names:
        if name not in survivors:
            shutil.rmtree(target / RELEASES / name, ignore_errors=True)
            removed.append(name)
    return removed


# --- the verbs --------------------------------------------------------------------------------

class _CopyFailed(Exception):
    """Stops copytree at the first failed file (it would otherwise try every other one)."""

    def __init__(self, error: OSError, path: str):
        super().__init__(path)
        self.error, self.path = error, path


def _copy_file(src: str, dst: str) -> str:
    try:
        return shutil.copy2(src, dst)
    except OSError as exc:
        raise _CopyFailed(exc, dst) from None


def _copy(folder: Path, tmp: Path) -> None:
    try:
        shutil.copytree(folder, tmp, symlinks=True, copy_function=_copy_file)
    except _CopyFailed as exc:
        raise _io_error(exc.error, Path(exc.path), "the live release is unchanged") from None
    except shutil.Error as exc:  # a folder that could not be made or copied
        first = exc.args[0][0] if exc.args and exc.args[0] else ("", str(tmp), str(exc))
        raise SitegenError(Diagnostic(str(first[1]), None, None, f"cannot write: {first[2]}",
                                      "check disk space and permissions; the live release "
                                      "is unchanged")) from None
    except OSError as exc:
        raise _io_error(exc, Path(exc.filename) if exc.filename else tmp,
                        "the live release is unchanged") from None


def _publish_folder(target: Path, source: Path, loaded: LoadedConfig, folder: Path) -> Path:
    """`target` resolved, once it is known to be apart from the site and the build `folder`
    and to hold nothing but a publish folder's layout (or nothing at all): publish writes
    and prunes there."""
    from sitegen.data.remote import source_path

    given, target = str(target), resolved(target, "--to")
    found = overlap(target, source, site_inputs(source, source_path(loaded)))
    if found:
        raise SitegenError(Diagnostic(
            given, None, "--to", f"{found}; publishing writes {RELEASES}/ and {CURRENT} "
            "into it", "publish into a folder of its own outside the site, e.g. "
            "/srv/www/<site>"))
    if folder == target or target in folder.parents or folder in target.parents:
        raise SitegenError(Diagnostic(str(target), None, None,
                                      "the publish folder overlaps the build folder",
                                      "publish into a folder outside dist/"))
    foreign = _foreign_entries(target, given)
    if foreign:
        more = f" and {len(foreign) - 1} more" if len(foreign) > 1 else ""
        raise SitegenError(Diagnostic(
            given, None, "--to", f"is not empty and not a sitegen publish folder (it "
            f"holds {foreign[0]}{more}); publishing writes {RELEASES}/ and {CURRENT} there "
            "and deletes old releases", f"publish into a new or empty folder; a publish "
            f"folder holds only {RELEASES}/, {CURRENT} and {LOCK}"))
    return target


def _foreign_entries(target: Path, given: str) -> list[str]:
    """What `target` (`given` by the user) holds beyond the layout of the module docstring
    (paths relative to it, sorted)."""
    try:
        entries = sorted(os.scandir(target), key=lambda entry: entry.name)
    except FileNotFoundError:
        return []
    except NotADirectoryError:
        raise SitegenError(Diagnostic(given, None, "--to", "is a file, not a folder",
                                      "publish into a folder")) from None
    except OSError as exc:
        raise SitegenError(Diagnostic(given, None, "--to",
                                      f"cannot read: {exc.strerror or exc}",
                                      "check permissions")) from None
    found: list[str] = []
    for entry in entries:
        name = entry.name
        if name == RELEASES and entry.is_dir(follow_symlinks=False):
            found += [f"{RELEASES}/{inner}" for inner in sorted(os.listdir(entry.path))
                      if not RELEASE_NAME.match(inner) and not TMP_RELEASE.match(inner)]
        elif not (name in (CURRENT, LOCK) or TMP_CURRENT.match(name)) \
                or entry.is_dir(follow_symlinks=False):
            found.append(name)
    return found


def publish(source: Path, env: str, target: Path, *, folder: Path | None = None,
            environ: Mapping[str, str] | None = None) -> PublishResult:
    """Audit and release `<source>/dist/<env>/` (or `folder`) into `target`."""
    from sitegen.audit.guards import guard_context
    from sitegen.audit.tree import audit_tree
    from sitegen.builder.run import prepare

    source = source.resolve()
    loaded, policy = prepare(source, env, environ=environ)
    folder = (folder or source / "dist" / env).resolve()
    if not folder.is_dir():
        raise SitegenError(Diagnostic(str(folder), None, None, "no build folder here",
                                      f"run sitegen build --env {env} first"))
    target = _publish_folder(target, source, loaded, folder)
    with exclusive(target / LOCK, str(target), environ=environ):
        _remove_stale(target)
        previous = live_release(target)
        tmp = target / RELEASES / f".release.tmp-{os.getpid()}"
        try:
            try:
                tmp.parent.mkdir(parents=True, exist_ok=True)
                if tmp.exists():
                    shutil.rmtree(tmp)
            except OSError as exc:
                raise _io_error(exc, tmp.parent, "the live release is unchanged") from None
            with output_lock(folder, environ=environ):  # no build swaps it mid-copy
                _copy(folder, tmp)
            guard = guard_context(loaded, policy, tmp, environ)
            findings = audit_tree(tmp, policy, loaded.config, guard)
            if any(d.severity == "error" for d in findings):
                raise SitegenError([*findings, Diagnostic(
                    str(folder), None, None, f"refusing to publish: the build fails "
                    f"sitegen check for {env}", "fix the problems above, rebuild and publish "
                    "again; the live release is unchanged")])
            name = build_id(tmp)
            suffix = 1
            while (target / RELEASES / name).exists():
                suffix += 1
                name = f"{build_id(tmp)}-{suffix}"
            try:
                os.rename(tmp, target / RELEASES / name)
            except OSError as exc:
                raise _io_error(exc, target / RELEASES / name,
                                "the live release is unchanged") from None
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        switch(target, name)
        result = PublishResult(name, previous, warnings=findings)
        if previous is not None:
            result.compared = (target / RELEASES / previous, target / RELEASES / name)
            result.password = policy.password
        result.removed = prune(target, loaded.config.publish.keep,
                               {name, previous} - {None})  # type: ignore[arg-type]
    return result


def rollback(target: Path, release: str | None = None, *,
             environ: Mapping[str, str] | None = None) -> RollbackResult:
    """Point `DIR/current` at `release`, by default the release before the live one."""
    target = target.resolve()
    if not (target / RELEASES).is_dir():
        raise SitegenError(Diagnostic(str(target), None, None, "no releases here",
                                      "publish first: sitegen publish --to DIR"))
    with exclusive(target / LOCK, str(target), environ=environ):
        names = releases(target)
        live = live_release(target)
        if release is None:
            if live is None or live not in names or names.index(live) == 0:
                where = f"before {live}" if live else "to roll back to"
                raise SitegenError(Diagnostic(
                    str(target / RELEASES), None, None, f"no release {where}",
                    "releases: " + (", ".join(names) or "none")))
            release = names[names.index(live) - 1]
        elif release not in names:
            raise SitegenError(Diagnostic(
                str(target / RELEASES), None, None, f"no release named '{release}'",
                "releases: " + (", ".join(names) or "none")))
        switch(target, release)
    return RollbackResult(release, live)
