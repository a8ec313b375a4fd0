"""The inputs a build reads, and its time: `SOURCE_DATE_EPOCH` when set, else the newest
modification time of the inputs (config, dataset, content, theme files), never the clock, so
two builds of the same input are byte-identical (the manifest's build time, pages' lastmod)."""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from sitegen.config.load import LoadedConfig
from sitegen.config.themes import theme_dirs
from sitegen.data.remote import source_path
from sitegen.diagnostics import Diagnostic, SitegenError


def _walk(folder: Path) -> Iterable[Path]:
    if not folder.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".")
                             and d != "__pycache__")
        for name in filenames:
            if not name.startswith("."):
                yield Path(dirpath) / name


def input_files(loaded: LoadedConfig) -> list[Path]:
    source = loaded.source
    files = [*_walk(source / "config"), *_walk(source / "content")]
    dataset = source_path(loaded)
    if dataset.is_file():
        files.append(dataset)
    for folder in theme_dirs(source, loaded.config.theme.name):
        files.extend(_walk(folder))
    return files


def build_time(loaded: LoadedConfig, environ: Mapping[str, str]) -> tuple[int, str]:
    """(unix seconds, where it came from)."""
    raw = (environ.get("SOURCE_DATE_EPOCH") or "").strip()
    if raw:
        if not raw.isdigit():
            raise SitegenError(Diagnostic(
                "environment", None, "SOURCE_DATE_EPOCH", f"'{raw[:40]}' is not a Unix time",
                "set it to whole seconds since 1970, e.g. $(git log -1 --format=%ct)"))
        return int(raw), "SOURCE_DATE_EPOCH"
    newest = 0
    for path in input_files(loaded):
        try:
            newest = max(newest, int(path.stat().st_mtime))
        except OSError:
            continue
    return newest, "inputs"


def iso(seconds: int) -> str:
    return _dt.datetime.fromtimestamp(seconds, _dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
