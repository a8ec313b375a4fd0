"""sitegen/files.py: the one atomic replace and the one listing of a build folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sitegen.files import Replacement, replace_file, walk


def test_a_replacement_is_renamed_over_the_file_only_when_it_succeeds(tmp_path: Path) -> None:
    target = tmp_path / "cache" / "state.bin"
    with Replacement(target) as tmp:
        assert tmp.parent == target.parent and tmp.name == f".state.bin.tmp-{os.getpid()}"
        tmp.write_bytes(b"first")
        assert not target.exists()  # readers see nothing new until the rename
    assert target.read_bytes() == b"first"
    with pytest.raises(RuntimeError), Replacement(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("the write failed")
    assert target.read_bytes() == b"first"
    assert sorted(p.name for p in target.parent.iterdir()) == ["state.bin"]


def test_replace_file_writes_the_new_bytes(tmp_path: Path) -> None:
    target = tmp_path / "page.html"
    target.write_bytes(b"old")
    replace_file(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]


def test_walk_lists_every_file_sorted_and_relative(tmp_path: Path) -> None:
    for rel in ("b/index.html", "a-b/x.json", "a/b/c.txt", "robots.txt", ".htaccess"):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rel, encoding="utf-8")
    (tmp_path / "empty").mkdir()
    assert walk(tmp_path) == [".htaccess", "a-b/x.json", "a/b/c.txt", "b/index.html",
                              "robots.txt"]
    assert walk(tmp_path / "empty") == []


def test_walk_lists_links_to_files_and_leaves_out_links_to_folders(tmp_path: Path) -> None:
    """As os.walk lists them: a link to a folder is neither followed nor listed."""
    root, outside = tmp_path / "site", tmp_path / "outside"
    (root / "a").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.txt").write_text("x", encoding="utf-8")
    (root / "a" / "page.html").write_text("p", encoding="utf-8")
    (root / "a" / "linked.txt").symlink_to(outside / "secret.txt")
    (root / "folder-link").symlink_to(outside, target_is_directory=True)
    (root / "dangling").symlink_to(tmp_path / "missing")
    listed = walk(root)
    assert listed == ["a/linked.txt", "a/page.html", "dangling"]
    assert listed == sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _dirs, names in os.walk(root) for name in names)
