"""Watch a site's sources and report changes in debounced batches (`sitegen serve`).

`Watcher` follows `config/ locations/ content/ themes/` with watchdog's native observer and
hands each burst of changes to one callback as one set of paths: a change starts a quiet
period (100 ms), every further change restarts it, and when nothing has changed for that
long the batch is delivered. A save that is known to be finished (every file written in the
burst was closed after writing, renamed into place or deleted) needs no such guess: it is
delivered after 20 ms, which is most of the difference an editor feels between saving and
seeing the page. A burst that never goes quiet is still delivered every `max_wait` seconds,
so a script that saves without pause cannot starve the rebuilds.

Only writes count (created, modified, moved, deleted, closed after writing): files opened
or read, by the build itself for instance, never trigger anything. Editors' scratch files
(`.swp`, `~`, `.#name`, vim's `4913` probe, `*.tmp`, `.DS_Store`, `__pycache__`...) are
ignored, and so is the "folder changed" event their creation causes.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch

WATCHED_DIRS = ("config", "locations", "content", "themes")
QUIET_SECONDS = 0.1
SETTLED_SECONDS = 0.02  # after a finished save: only the rest of a burst is waited for
MAX_WAIT_SECONDS = 2.0

EVENTS = [FileCreatedEvent, FileModifiedEvent, FileMovedEvent, FileDeletedEvent,
          FileClosedEvent, DirCreatedEvent, DirDeletedEvent, DirMovedEvent]
RELEVANT_TYPES = frozenset({"created", "modified", "moved", "deleted", "closed"})
FINISHING_TYPES = frozenset({"moved", "deleted", "closed"})  # the file is done changing

IGNORED_NAMES = frozenset({"4913", ".DS_Store", "Thumbs.db", "desktop.ini"})
IGNORED_PARTS = frozenset({"__pycache__", ".git", ".hg", ".svn", ".idea", ".vscode"})
IGNORED_PATTERN = re.compile(
    r"""( \.sw[a-px]$          # vim swap files (.swp, .swo, ... and the .swx probe)
        | ~$                    # vim, emacs, gedit backups
        | ^\.\#                 # emacs lock files
        | ^\#.*\#$              # emacs auto-save files
        | \.tmp$ | \.temp$      # generic temporary files
        | \.crswap$             # Chromium's File System Access scratch files
        | ^\.goutputstream-     # gedit / GIO atomic-save temporaries
        | ___jb_(tmp|old)___$   # JetBrains safe-write temporaries
        | ^sed[A-Za-z0-9]{6}$   # sed -i's temporary copy
        )""", re.VERBOSE | re.IGNORECASE)


def ignored(path: Path | str) -> bool:
    """Whether a changed path is editor or OS noise rather than a change to the site."""
    path = Path(path)
    if any(part in IGNORED_PARTS for part in path.parts):
        return True
    name = path.name
    return name in IGNORED_NAMES or bool(IGNORED_PATTERN.search(name))


class Debouncer:
    """Collects paths and calls `callback(paths)` once they have been quiet for `quiet` s."""

    def __init__(self, callback: Callable[[set[Path]], None], *, quiet: float = QUIET_SECONDS,
                 max_wait: float = MAX_WAIT_SECONDS, settled: float = SETTLED_SECONDS):
        self._callback = callback
        self._quiet = quiet
        self._settled = min(settled, quiet)
        self._writing: set[Path] = set()  # written to, not yet closed, renamed or deleted
        self._max_wait = max_wait
        self._cond = threading.Condition()
        self._paths: set[Path] = set()
        self._first = 0.0
        self._last = 0.0
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="sitegen-debounce", daemon=True)
        self._thread.start()

    def add(self, paths: Iterable[Path], *, finished: bool = False) -> None:
        """`finished`: the event ends these files' writing (closed, renamed, deleted)."""
        paths = set(paths)
        with self._cond:
            now = time.monotonic()
            if not self._paths:
                self._first = now
            self._paths.update(paths)
            if finished:
                self._writing.difference_update(paths)
            else:
                self._writing.update(paths)
            self._last = now
            self._cond.notify_all()

    def stop(self, timeout: float = 5.0) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._paths or self._stopping)
                while not self._stopping:
                    now = time.monotonic()
                    quiet = self._quiet if self._writing else self._settled
                    due = min(self._last + quiet, self._first + self._max_wait)
                    if now >= due:
                        break
                    self._cond.wait(due - now)
                if self._stopping:
                    return
                batch, self._paths = self._paths, set()
                self._writing.clear()  # quiet for `quiet` s: whatever wrote has stopped
            try:
                self._callback(batch)
            except Exception:  # noqa: BLE001 - a watcher must outlive a failing callback
                import traceback
                traceback.print_exc()


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: Watcher):
        self._watcher = watcher

    def dispatch(self, event: FileSystemEvent) -> None:
        if event.event_type not in RELEVANT_TYPES:
            return
        if event.is_directory and event.event_type in ("modified", "closed"):
            return  # an entry was added or removed: the entry's own event says which
        paths = [event.src_path]
        if event.event_type == "moved":
            paths.append(event.dest_path)
        self._watcher._notice([Path(_text(p)) for p in paths if p],
                              finished=event.event_type in FINISHING_TYPES)


def _text(path: str | bytes) -> str:
    return path.decode() if isinstance(path, bytes) else path


class Watcher:
    """Watches `root/config`, `root/locations`, `root/content` and `root/themes`.

    A watched folder that does not exist yet is picked up when it is created.
    """

    def __init__(self, root: Path, callback: Callable[[set[Path]], None], *,
                 quiet: float = QUIET_SECONDS, max_wait: float = MAX_WAIT_SECONDS,
                 settled: float = SETTLED_SECONDS):
        self.root = Path(root).resolve()
        self.dirs = WATCHED_DIRS
        self._debouncer = Debouncer(callback, quiet=quiet, max_wait=max_wait, settled=settled)
        self._observer = Observer()
        self._handler = _Handler(self)
        self._scheduled: dict[str, ObservedWatch] = {}
        self._lock = threading.Lock()

    def start(self) -> None:
        self._observer.schedule(self._handler, str(self.root), recursive=False,
                                event_filter=[DirCreatedEvent, DirDeletedEvent, DirMovedEvent])
        for name in self.dirs:
            self._schedule(name)
        self._observer.start()

    def stop(self) -> None:
        """Stop the observer and the debouncer and wait for both threads."""
        self._observer.stop()
        if self._observer.is_alive():
            self._observer.join(timeout=5)
        self._debouncer.stop()

    @property
    def watching(self) -> list[str]:
        return sorted(self._scheduled)

    def _schedule(self, name: str) -> None:
        folder = self.root / name
        with self._lock:
            if name in self._scheduled or not folder.is_dir():
                return
            self._scheduled[name] = self._observer.schedule(
                self._handler, str(folder), recursive=True, event_filter=EVENTS)

    def _unschedule(self, name: str) -> None:
        with self._lock:
            watch = self._scheduled.pop(name, None)
        if watch is not None:
            with contextlib.suppress(KeyError, OSError):
                self._observer.unschedule(watch)

    def _notice(self, paths: list[Path], *, finished: bool = False) -> None:
        relevant = []
        for path in paths:
            try:
                rel = path.relative_to(self.root)
            except ValueError:
                continue
            if not rel.parts or rel.parts[0] not in self.dirs or ignored(rel):
                continue
            if len(rel.parts) == 1:  # a watched folder itself appeared or went away
                if path.is_dir():
                    self._schedule(rel.parts[0])
                else:
                    self._unschedule(rel.parts[0])
            relevant.append(path)
        if relevant:
            self._debouncer.add(relevant, finished=finished)
