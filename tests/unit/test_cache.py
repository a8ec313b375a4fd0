"""The build cache (builder/cache.py) on its own: what a build saves is what the next reads,
an unreadable cache is discarded with a warning, a cache of another format is ignored, and
the output folder it describes is recognised (or not) by its identity."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from sitegen.builder.cache import (
    FORMAT,
    BuildCache,
    CachedPage,
    DetailsWriter,
    cache_path,
    hash_inputs,
    load_cache,
    load_details,
    save_cache,
)
from sitegen.diagnostics import Diagnostic, Report


def _output(root: Path) -> Path:
    out = root / "dist" / "production"
    out.mkdir(parents=True)
    (out / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    return out


def _cache() -> BuildCache:
    pages = {f"p{n}/index.html": CachedPage(f"fp{n}", None, "2026-01-01", (10, "ab" * 32))
             for n in range(25)}
    return BuildCache(inputs="digest-of-inputs", pages=pages, rows={"key": {"row": (None, [])}},
                      summary={"rows_read": 3, "pages": 25}, near="near-duplicates",
                      diagnostics=[Diagnostic("x.csv", 2, "phone", "odd", None, "warning")])


@pytest.mark.parametrize("parallel", [False, True])
def test_what_a_build_saves_the_next_build_reads(tmp_path: Path, parallel: bool) -> None:
    out = _output(tmp_path)
    saved = _cache()
    with DetailsWriter(tmp_path, "production", saved.pages, saved.rows,
                       parallel=parallel) as details:
        save_cache(tmp_path, "production", saved, out, details)
    report = Report()
    loaded = load_cache(tmp_path, "production", report)
    assert (loaded.inputs, loaded.summary, loaded.diagnostics) == \
        (saved.inputs, saved.summary, saved.diagnostics)
    assert loaded.pages == {} and loaded.rows == {}  # the small part only
    load_details(tmp_path, "production", loaded, report)
    assert loaded.pages == saved.pages and loaded.rows == saved.rows
    assert loaded.near == "near-duplicates"
    assert report.items == []
    assert loaded.output_intact(out)
    assert sorted(p.name for p in cache_path(tmp_path, "production").parent.iterdir()) == [
        "production-pages.pickle", "production.pickle"]  # no temporary file left


def test_a_details_writer_that_is_closed_unfinished_leaves_no_file(tmp_path: Path) -> None:
    with DetailsWriter(tmp_path, "production", _cache().pages, {}, parallel=True):
        pass  # a build that failed before save_cache
    folder = cache_path(tmp_path, "production").parent
    assert not folder.exists() or list(folder.iterdir()) == []


def test_a_replaced_or_rewritten_output_folder_is_not_the_one_the_cache_describes(
        tmp_path: Path) -> None:
    out = _output(tmp_path)
    cache = _cache()
    save_cache(tmp_path, "production", cache, out)
    assert load_cache(tmp_path, "production", Report()).output_intact(out)
    (out / "robots.txt").write_text("changed\n", encoding="utf-8")
    assert not load_cache(tmp_path, "production", Report()).output_intact(out)
    save_cache(tmp_path, "production", cache, out)
    os.rename(out, tmp_path / "old")
    _output(tmp_path)  # a new folder at the same path
    assert not load_cache(tmp_path, "production", Report()).output_intact(out)
    assert not load_cache(tmp_path, "production", Report()).output_intact(tmp_path / "old")


def test_an_unreadable_cache_is_discarded_with_a_warning(tmp_path: Path) -> None:
    path = cache_path(tmp_path, "production")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a pickle")
    cache_path(tmp_path, "production", "-pages").write_bytes(b"stale")
    report = Report()
    assert load_cache(tmp_path, "production", report) == BuildCache()
    assert [d.format() for d in report.items] == [
        ".sitegen/cache/production.pickle: warning: build cache is unreadable "
        "(UnpicklingError: invalid load key, 'n'.); discarded, rebuilding everything "
        "(nothing to do)"]
    assert not path.exists() and not cache_path(tmp_path, "production", "-pages").exists()


def test_details_cut_short_are_discarded_with_a_warning(tmp_path: Path) -> None:
    out = _output(tmp_path)
    save_cache(tmp_path, "production", _cache(), out)
    details = cache_path(tmp_path, "production", "-pages")
    details.write_bytes(details.read_bytes()[:-20])  # the end marker is missing
    report = Report()
    cache = load_cache(tmp_path, "production", report)
    load_details(tmp_path, "production", cache, report)
    assert cache.pages == {}
    assert [d.severity for d in report.items] == ["warning"]
    assert "production-pages.pickle: warning: build cache is unreadable" in \
        report.items[0].format()


def test_a_cache_of_another_format_is_ignored_silently(tmp_path: Path) -> None:
    path = cache_path(tmp_path, "production")
    path.parent.mkdir(parents=True)
    old = BuildCache(inputs="x", format=FORMAT - 1)
    path.write_bytes(pickle.dumps(old))
    report = Report()
    assert load_cache(tmp_path, "production", report) == BuildCache()
    assert report.items == []


def test_the_input_digest_covers_file_bytes_and_names_but_not_bytecode(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.yaml").write_text("one", encoding="utf-8")
    first = hash_inputs([tmp_path / "a"], ["config"])
    (tmp_path / "a" / "__pycache__").mkdir()
    (tmp_path / "a" / "__pycache__" / "x.pyc").write_bytes(b"\x00")
    assert hash_inputs([tmp_path / "a"], ["config"]) == first
    assert hash_inputs([tmp_path / "a"], ["other config"]) != first
    (tmp_path / "a" / "x.yaml").write_text("two", encoding="utf-8")
    second = hash_inputs([tmp_path / "a"], ["config"])
    assert second != first
    (tmp_path / "a" / "x.yaml").rename(tmp_path / "a" / "y.yaml")  # the same bytes, renamed
    assert hash_inputs([tmp_path / "a"], ["config"]) != second
