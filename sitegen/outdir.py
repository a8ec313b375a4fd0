"""Output folders are sitegen's own: where a build may swap in a tree, and the mark it leaves.

A build replaces everything in its output folder (write.py swaps a new tree in), so it writes
only into a folder that is

- absent or empty, or
- marked by an earlier build: every build writes `_sitegen/output.json` (MARKER), or
- a build made before the marker existed: `_sitegen/build.json` with sitegen's keys and
  `api/manifest.json` (the next build adds the marker).

Anything else holds someone's files, and the build stops before it touches the folder, its
lock file or its temporary folder beside it. Whatever a folder holds, a build never writes
into one that is, contains or lies inside the site folder's inputs (`config/`, `content/`,
`locations/`, `themes/`, the dataset the config points at, the `.sitegen/` cache, `.git/`,
sitegen's own program folder), nor into the site folder itself or a folder above it, nor
into a published release (`DIR/releases/<id>` beside `DIR/current`: releases never change).
Paths are compared resolved (symlinks followed, relative paths made absolute), so a link to
the site folder is the site folder.

The rule is checked in two steps: `owned_output` (a decorator of `build.build`) checks the
paths before the output lock is taken, so no lock file lands beside a refused folder;
`claim_output` (in the build, once the config is loaded) checks the dataset and what the
folder holds. `sitegen publish --to` uses `overlap` for the same paths (publish.py checks
its own layout).
"""

from __future__ import annotations

import functools
import json
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sitegen.diagnostics import Diagnostic, SitegenError

if TYPE_CHECKING:
    from sitegen.config import LoadedConfig
    from sitegen.model import SiteModel

MARKER = "_sitegen/output.json"
LEGACY_FILES = ("_sitegen/build.json", "api/manifest.json")
LEGACY_KEYS = frozenset({"environment", "behaves_like", "protection"})
MARKER_NOTE = ("This folder is written by sitegen build: every build replaces everything "
               "in it. Keep your own files elsewhere.")
MAX_MARKER_BYTES = 1 << 16
LOCK_TEXT = re.compile(rb"\d{0,20}\n?")  # what lock.py writes: the holder's pid, or nothing
SITE_PARTS = (("config", "the site's config folder"), ("content", "the site's content folder"),
              ("locations", "the site's locations folder"),
              ("themes", "the site's themes folder"), (".sitegen", "the site's build cache"),
              (".git", "the site's Git repository"))
PROGRAM = Path(__file__).resolve().parent

F = TypeVar("F", bound=Callable[..., Any])


def marker_files(model: SiteModel) -> dict[str, bytes]:
    """Producer of MARKER (the same bytes in every build: output stays deterministic)."""
    data = {"format": 1, "generator": "sitegen", "note": MARKER_NOTE}
    return {MARKER: (json.dumps(data, indent=2, sort_keys=True) + "\n").encode()}


@dataclass(frozen=True)
class Target:
    """The folder a build is about to write: its resolved path, the site, and how the user
    named it (`--out`, or None for the default `dist/<env>/`)."""

    path: Path
    source: Path
    option: str | None
    default: Path  # what to suggest instead
    given: Path  # as the user wrote it, for messages

    @property
    def shown(self) -> str:
        return str(self.given if self.option else self.path)


def resolved(path: Path, option: str | None) -> Path:
    """`path` made absolute with every symlink followed; a loop is a diagnostic."""
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError) as exc:
        raise SitegenError(_problem(str(path), option, f"cannot resolve the path ({exc})",
                                    "point it at a real folder")) from None


def site_inputs(source: Path, dataset: Path | None = None) -> list[tuple[Path, str]]:
    """What no output may be, hold or lie inside, with the words that name it (`source`
    resolved already: only a part that is a link itself needs resolving)."""
    inputs = [(_part(source / name), what) for name, what in SITE_PARTS]
    if dataset is not None:
        inputs.append((resolved(dataset, None), "the dataset"))
    inputs.append((PROGRAM, "sitegen's program folder"))
    return inputs


def _part(path: Path) -> Path:
    return resolved(path, None) if path.is_symlink() else path


def overlap(path: Path, source: Path, inputs: list[tuple[Path, str]]) -> str | None:
    """How `path` overlaps the site (e.g. "contains the site folder /s"), or None."""
    if path == source:
        return f"is the site folder {source}"
    if _below(source, path):
        return f"contains the site folder {source}"
    for folder, what in inputs:
        if path == folder:
            return f"is {what} {folder}"
        if _below(folder, path):
            return f"contains {what} {folder}"
        if _below(path, folder):
            return f"is inside {what} {folder}"
    return None


def _below(inner: Path, outer: Path) -> bool:
    """`inner` lies somewhere inside `outer` (both absolute and resolved)."""
    depth = len(outer.parts)
    return len(inner.parts) > depth and inner.parts[:depth] == outer.parts


def owned_output(func: F) -> F:
    """Decorates `build.build(source, env, *, out=None, ...)`: refuse an output folder that
    overlaps the site, or whose lock file beside it is someone else's file, before the lock
    (lock.locked_build, applied inside this one) creates anything."""
    @functools.wraps(func)
    def wrapper(source: Path, env: str, *args: Any, **kwargs: Any) -> Any:
        root = resolved(Path(source), "--source")
        if root.is_dir():  # else the build reports the missing folder
            target = build_target(root, env, kwargs.get("out"))
            found = overlap(target.path, root, site_inputs(root))
            if found:
                raise SitegenError(_refusal(target, found))
            _check_lock_file(target)
        return func(source, env, *args, **kwargs)
    return wrapper  # type: ignore[return-value]


def build_target(source: Path, env: str, out: Path | None) -> Target:
    default = source / "dist" / env
    option = "--out" if out is not None else None
    given = Path(out) if out is not None else default
    return Target(resolved(given, option), source, option, default, given)


def claim_output(target: Target, loaded: LoadedConfig) -> None:
    """Refuse the folder when it overlaps the dataset the config reads, is a published
    release, or holds files sitegen did not write; otherwise the build may replace it.
    (`owned_output` checked the site's own folders already.)"""
    from sitegen.data.remote import source_path

    dataset = [(resolved(source_path(loaded), None), "the dataset")]
    found = overlap(target.path, target.source, dataset)
    if found:
        raise SitegenError(_refusal(target, found))
    release = target.path.parent
    if release.name == "releases" and (release.parent / "current").is_symlink():
        raise SitegenError(_problem(
            target.shown, target.option,
            f"is a release of the publish folder {release.parent}; releases never change",
            f"build into {target.default} and run sitegen publish --to {release.parent}"))
    foreign = foreign_entries(target)
    if foreign:
        more = f" and {len(foreign) - 1} more" if len(foreign) > 1 else ""
        raise SitegenError(_problem(
            target.shown, target.option,
            f"is not empty and was not written by sitegen (it holds {foreign[0]}{more}); "
            "a build replaces everything in its output folder",
            "move them elsewhere, or choose a new or empty folder; sitegen builds only into "
            f"a folder that is absent, empty or has {MARKER} from an earlier build"))


def foreign_entries(target: Target) -> list[str]:
    """The entries of the folder (sorted names), unless it is absent, empty or sitegen's."""
    path = target.path
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise SitegenError(_problem(target.shown, target.option,
                                    f"cannot read: {exc.strerror or exc}",
                                    "check permissions")) from None
    if not stat.S_ISDIR(mode):
        raise SitegenError(_problem(target.shown, target.option, "is a file, not a folder",
                                    "choose a folder (new, empty or an earlier output)"))
    try:
        names = sorted(os.listdir(path))
    except OSError as exc:
        raise SitegenError(_problem(target.shown, target.option,
                                    f"cannot read: {exc.strerror or exc}",
                                    "check permissions")) from None
    if not names or is_sitegen_output(path):
        return []
    return names


def is_sitegen_output(path: Path) -> bool:
    """The folder carries MARKER, or is a build from before the marker (LEGACY_FILES)."""
    marker = _json_object(path / MARKER)
    if marker is not None:
        return marker.get("generator") == "sitegen"
    facts = _json_object(path / LEGACY_FILES[0])
    return facts is not None and facts.keys() >= LEGACY_KEYS \
        and _regular_file(path / LEGACY_FILES[1])


def _json_object(path: Path) -> dict[str, Any] | None:
    """A small regular file's JSON object, else None (a link, a folder, junk)."""
    if not _regular_file(path):
        return None
    try:
        with path.open("rb") as handle:
            data = json.loads(handle.read(MAX_MARKER_BYTES + 1)[:MAX_MARKER_BYTES])
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _regular_file(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _check_lock_file(target: Target) -> None:
    """lock.py locks `<parent>/.<name>.lock` (and truncates and removes it): a file there
    that is not such a lock (a pid or nothing) is someone's, and is left alone."""
    lock = target.path.parent / f".{target.path.name}.lock"
    try:
        mode = os.lstat(lock).st_mode
    except FileNotFoundError:
        return
    except OSError:
        mode = 0
    if stat.S_ISREG(mode):
        try:
            with lock.open("rb") as handle:
                if LOCK_TEXT.fullmatch(handle.read(64)):
                    return
        except OSError:
            pass
    raise SitegenError(_problem(
        str(lock), None, f"is not a sitegen lock file; a build of {target.path} locks it",
        "move it away, or choose another output folder"))


def _refusal(target: Target, found: str) -> Diagnostic:
    why = "an output folder stays out of the site's own files" \
        if found.startswith("is inside") else "a build replaces everything in its output folder"
    return _problem(target.shown, target.option, f"{found}; {why}",
                    f"build into a new or empty folder of its own, such as the default "
                    f"{target.default}")


def _problem(path: str, option: str | None, message: str, hint: str) -> Diagnostic:
    return Diagnostic(path, None, option, message, hint)
