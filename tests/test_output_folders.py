"""Output folders are sitegen's own: `build --out` and `publish --to` never replace, fill or
lock a folder of the user's, and a build cache that cannot be saved after the swap is a warning.

Every refusal is checked the same way: the exact diagnostic, exit code 1, and a snapshot of
the whole test folder (every file's bytes, every folder, every link) equal before and after,
so nothing was deleted, changed or created anywhere (no lock file, no temporary folder).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import pytest
from conftest import BASE_CONFIG, build, copy_example, run_cli, small_site, tree_hashes
from envsites import ENV
from test_publish import run_faulty

MARKER = "_sitegen/output.json"
MARKER_BYTES = (b'{\n  "format": 1,\n  "generator": "sitegen",\n  "note": "This folder is '
                b'written by sitegen build: every build replaces everything in it. Keep your '
                b'own files elsewhere."\n}\n')
CLOSING = "error: 1 problem found; nothing was written"


def snapshot(root: Path) -> dict[str, str]:
    """Every entry under root: a file's sha256, a link's target, 'dir' for a folder."""
    found: dict[str, str] = {}
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = Path(folder) / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[rel] = "-> " + os.readlink(path)
            elif path.is_dir():
                found[rel] = "dir"
            else:
                found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def user_site(root: Path) -> Path:
    """A site with every part a user keeps: config, dataset, content, a theme, a Git folder."""
    return small_site(root, extra={
        "content/about.md": "---\ntitle: About us\n---\n\nWe sell things.\n",
        "themes/custom/static/css/extra.css": "body { color: #222; }\n",
        ".git/HEAD": "ref: refs/heads/main\n",
        ".git/objects/ab/cdef": b"\x00\x01 not text",
    })


def refuses(args: list[str | os.PathLike[str]], expected: str, watched: Path,
            cwd: Path | None = None) -> None:
    """The command exits 1 with exactly `expected` and the closing line; nothing under
    `watched` changed."""
    before = snapshot(watched)
    result = run_cli(*args, cwd=cwd)
    assert result.returncode == 1, str(result)
    assert "Traceback" not in result.stderr, str(result)
    assert result.err_lines == [expected, CLOSING], str(result)
    assert snapshot(watched) == before


def overlap_message(given: str, relation: str, site: Path, inside: bool = False) -> str:
    why = "an output folder stays out of the site's own files" if inside \
        else "a build replaces everything in its output folder"
    return (f"{given}: --out: {relation}; {why} (build into a new or empty folder of its "
            f"own, such as the default {site / 'dist' / 'production'})")


# --- build --out ---------------------------------------------------------------------------------

def test_out_on_a_folder_with_a_users_file_is_refused(tmp_path: Path) -> None:
    site = user_site(tmp_path / "site")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("my notes\n", encoding="utf-8")
    (mine / "photos").mkdir()
    (mine / "photos" / "cat.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    refuses(["build", "--source", site, "--out", mine],
            f"{mine}: --out: is not empty and was not written by sitegen (it holds notes.txt "
            "and 1 more); a build replaces everything in its output folder (move them "
            "elsewhere, or choose a new or empty folder; sitegen builds only into a folder "
            "that is absent, empty or has _sitegen/output.json from an earlier build)",
            tmp_path)


def test_out_dot_is_the_site_folder_and_is_refused(tmp_path: Path) -> None:
    site = user_site(tmp_path / "site")
    refuses(["build", "--out", "."],
            overlap_message(".", f"is the site folder {site}", site), tmp_path, cwd=site)


@pytest.mark.parametrize(("given", "relation", "inside"), [
    ("content", "is the site's content folder {site}/content", False),
    ("config", "is the site's config folder {site}/config", False),
    ("locations", "is the site's locations folder {site}/locations", False),
    ("themes", "is the site's themes folder {site}/themes", False),
    ("content/public", "is inside the site's content folder {site}/content", True),
    (".sitegen", "is the site's build cache {site}/.sitegen", False),
    (".git/public", "is inside the site's Git repository {site}/.git", True),
])
def test_out_on_a_part_of_the_site_is_refused(tmp_path: Path, given: str, relation: str,
                                              inside: bool) -> None:
    site = user_site(tmp_path / "site")
    build(site)  # a .sitegen cache to protect as well
    refuses(["build", "--out", given],
            overlap_message(given, relation.format(site=site), site, inside), tmp_path,
            cwd=site)


def test_out_on_a_parent_of_the_site_is_refused(tmp_path: Path) -> None:
    site = user_site(tmp_path / "projects" / "site")
    for given in ("..", str(tmp_path)):
        refuses(["build", "--out", given],
                overlap_message(given, f"contains the site folder {site}", site), tmp_path,
                cwd=site)


def test_out_through_a_symlink_to_the_site_is_refused(tmp_path: Path) -> None:
    site = user_site(tmp_path / "site")
    (tmp_path / "shortcut").symlink_to(site, target_is_directory=True)
    (tmp_path / "words").symlink_to(site / "content", target_is_directory=True)
    refuses(["build", "--source", site, "--out", tmp_path / "shortcut"],
            overlap_message(str(tmp_path / "shortcut"), f"is the site folder {site}", site),
            tmp_path)
    refuses(["build", "--source", site, "--out", tmp_path / "words" / "out"],
            overlap_message(str(tmp_path / "words" / "out"), "is inside the site's content "
                            f"folder {site / 'content'}", site, inside=True), tmp_path)


def test_out_containing_a_dataset_outside_the_site_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    site = small_site(tmp_path / "site", config=BASE_CONFIG.replace(
        "locations/locations.csv", str(data / "stores.csv")))
    data.mkdir()
    os.replace(site / "locations" / "locations.csv", data / "stores.csv")
    refuses(["build", "--source", site, "--out", data],
            f"{data}: --out: contains the dataset {data / 'stores.csv'}; a build replaces "
            "everything in its output folder (build into a new or empty folder of its own, "
            f"such as the default {site / 'dist' / 'production'})", tmp_path)


def test_the_default_output_folder_holding_a_users_files_is_refused(tmp_path: Path) -> None:
    site = user_site(tmp_path / "site")
    out = site / "dist" / "production"
    out.mkdir(parents=True)
    (out / "index.html").write_text("<h1>my hand-made page</h1>\n", encoding="utf-8")
    refuses(["build", "--source", site],
            f"{out}: is not empty and was not written by sitegen (it holds index.html); a "
            "build replaces everything in its output folder (move them elsewhere, or choose "
            "a new or empty folder; sitegen builds only into a folder that is absent, empty "
            "or has _sitegen/output.json from an earlier build)", tmp_path)


def test_someone_elses_file_where_the_lock_goes_is_left_alone(tmp_path: Path) -> None:
    site = user_site(tmp_path / "site")
    (tmp_path / ".public.lock").write_text("my lock notes\n", encoding="utf-8")
    refuses(["build", "--source", site, "--out", tmp_path / "public"],
            f"{tmp_path / '.public.lock'}: is not a sitegen lock file; a build of "
            f"{tmp_path / 'public'} locks it (move it away, or choose another output folder)",
            tmp_path)


def test_an_output_folder_is_marked_and_reused_and_neighbours_survive(tmp_path: Path) -> None:
    site = user_site(tmp_path / "site")
    out = tmp_path / "public"
    # Beside the output, names like the writer's temporary folders but not its own.
    (tmp_path / ".public.backup-999999999").mkdir()
    (tmp_path / ".public.backup-999999999" / "keep.txt").write_text("mine\n", encoding="utf-8")
    (tmp_path / "public-notes.txt").write_text("mine too\n", encoding="utf-8")
    first = build(site, "--out", str(out))
    assert first.out_lines[0] == f"built production into {out}"
    assert (out / MARKER).read_bytes() == MARKER_BYTES
    manifest = json.loads((out / "api" / "manifest.json").read_text(encoding="utf-8"))
    assert MARKER in {entry["path"] for entry in manifest["files"]}
    (site / "content" / "about.md").write_text("---\ntitle: About us\n---\n\nNew text.\n",
                                               encoding="utf-8")
    second = build(site, "--out", str(out))
    assert second.out_lines[:2] == [f"built production into {out}",
                                    "1 pages rendered, 14 unchanged"], str(second)
    assert "New text." in (out / "about" / "index.html").read_text(encoding="utf-8")
    assert (tmp_path / ".public.backup-999999999" / "keep.txt").read_text() == "mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".public.backup-999999999", "public", "public-notes.txt", "site"]
    checked = run_cli("check", "--source", site, out)
    assert checked.returncode == 0, str(checked)


def test_a_build_from_before_the_marker_is_accepted_and_marked(tmp_path: Path) -> None:
    site = user_site(tmp_path / "site")
    build(site)
    out = site / "dist" / "production"
    (out / MARKER).unlink()  # what a build of an earlier version left
    build(site, "--force")
    assert (out / MARKER).read_bytes() == MARKER_BYTES
    # Without sitegen's build facts and manifest it is someone's folder.
    (out / MARKER).unlink()
    (out / "_sitegen" / "build.json").write_text('{"title": "my build notes"}\n',
                                                 encoding="utf-8")
    result = run_cli("build", "--source", site, "--force")
    assert result.returncode == 1, str(result)
    assert result.err_lines[0].startswith(f"{out}: is not empty and was not written by "
                                          "sitegen (it holds 404.html and "), str(result)


def test_a_published_release_is_not_a_build_output(tmp_path: Path) -> None:
    site, www = user_site(tmp_path / "site"), tmp_path / "www"
    build(site)
    assert run_cli("publish", "--source", site, "--to", www).returncode == 0
    [release] = (www / "releases").iterdir()
    refuses(["build", "--source", site, "--out", www / "current"],
            f"{www / 'current'}: --out: is a release of the publish folder {www}; releases "
            f"never change (build into {site / 'dist' / 'production'} and run sitegen "
            f"publish --to {www})", tmp_path)
    assert release.is_dir()


def test_an_encrypted_build_carries_the_marker_in_plain_and_passes_check(
        tmp_path: Path) -> None:
    site = copy_example(tmp_path / "site")
    out = tmp_path / "staging"
    for _ in range(2):  # the second build replaces the first, marked, output
        result = run_cli("build", "--env", "staging", "--source", site, "--out", out, env=ENV)
        assert result.returncode == 0, str(result)
    assert (out / MARKER).read_bytes() == MARKER_BYTES
    checked = run_cli("check", "--env", "staging", "--source", site, out, env=ENV)
    assert checked.returncode == 0, str(checked)


# --- publish --to --------------------------------------------------------------------------------

def test_publish_to_a_folder_with_a_users_files_is_refused(tmp_path: Path) -> None:
    site = user_site(tmp_path / "site")
    build(site)
    mine = tmp_path / "mine"
    (mine / "releases").mkdir(parents=True)
    (mine / "releases" / "v1.tar.gz").write_bytes(b"\x1f\x8b not really gzip")
    (mine / "current").symlink_to("releases")
    refuses(["publish", "--source", site, "--to", mine],
            f"{mine}: --to: is not empty and not a sitegen publish folder (it holds "
            "releases/v1.tar.gz); publishing writes releases/ and current there and deletes "
            "old releases (publish into a new or empty folder; a publish folder holds only "
            "releases/, current and .publish.lock)", tmp_path)


@pytest.mark.parametrize(("given", "relation"), [
    (".", "is the site folder {site}"),
    ("content", "is the site's content folder {site}/content"),
    ("locations/www", "is inside the site's locations folder {site}/locations"),
    ("..", "contains the site folder {site}"),
])
def test_publish_to_the_site_is_refused(tmp_path: Path, given: str, relation: str) -> None:
    site = user_site(tmp_path / "sites" / "site")
    build(site)
    refuses(["publish", "--to", given],
            f"{given}: --to: {relation.format(site=site)}; publishing writes releases/ and "
            "current into it (publish into a folder of its own outside the site, e.g. "
            "/srv/www/<site>)", tmp_path, cwd=site)


def test_publish_through_a_symlink_to_the_site_is_refused(tmp_path: Path) -> None:
    site = user_site(tmp_path / "site")
    build(site)
    (tmp_path / "www").symlink_to(site, target_is_directory=True)
    refuses(["publish", "--source", site, "--to", tmp_path / "www"],
            f"{tmp_path / 'www'}: --to: is the site folder {site}; publishing writes "
            "releases/ and current into it (publish into a folder of its own outside the "
            "site, e.g. /srv/www/<site>)", tmp_path)


def test_publish_to_an_empty_folder_then_to_its_own_layout_works(tmp_path: Path) -> None:
    site, www = user_site(tmp_path / "site"), tmp_path / "www"
    www.mkdir()
    build(site)
    for _ in range(2):
        result = run_cli("publish", "--source", site, "--to", www)
        assert result.returncode == 0, str(result)
    assert sorted(p.name for p in www.iterdir()) == ["current", "releases"]


# --- the build cache after the swap --------------------------------------------------------------

@pytest.mark.parametrize(("fault", "reason", "hint"), [
    ("ENOSPC", "No space left on device", "free some disk space"),
    ("EROFS", "Read-only file system", "check permissions"),
])
def test_a_cache_that_cannot_be_saved_after_the_swap_is_a_warning(
        tmp_path: Path, fault: str, reason: str, hint: str) -> None:
    site = user_site(tmp_path / "site")
    build(site)
    cache = site / ".sitegen" / "cache"
    (site / "content" / "about.md").write_text("---\ntitle: About us\n---\n\nFresh text.\n",
                                               encoding="utf-8")
    result = run_faulty(["build", "--source", site], fault, cache)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f".sitegen/cache: warning: cannot save the build cache: {reason} (the new output is "
        f"live; the next build renders every page again; {hint})"]
    out = site / "dist" / "production"
    assert "Fresh text." in (out / "about" / "index.html").read_text(encoding="utf-8")
    assert result.stdout.splitlines()[0] == f"built production into {out}"
    leftovers = sorted(p.name for p in cache.iterdir())
    if fault == "ENOSPC":  # what the failed save left is gone: no stale cache, no temp file
        assert leftovers == []
    assert not [name for name in leftovers if re.search(r"\.tmp-\d+$", name)]
    before = tree_hashes(out)
    again = build(site)
    assert again.out_lines[1] == "15 pages rendered, 0 unchanged", str(again)
    assert tree_hashes(out) == before
