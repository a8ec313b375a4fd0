"""Private paths with pages the render workers sealed already rewritten (output/private.py
`anticipated`, `Prewritten`), and data files sealed once beside them (`place_data_file`),
written at their private names: `privatize` leaves such a file as it is, gives the same
file a file sealed the old way becomes, and refuses a folder whose plan changed under a
link looked up for them."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from sitegen.builder.run import prepare
from sitegen.diagnostics import SitegenError
from sitegen.files import walk
from sitegen.output.private import (
    PathKey,
    Prewritten,
    PrivateBuild,
    anticipated,
    page_url_of,
    place_data_file,
    privatize,
)
from sitegen.output.protect import Sealer, load_protection, open_file
from tests.support.sites import BASE_CONFIG, small_site

PASSWORD = "correct horse battery staple 42"
PAGES = {"index.html": '<a href="/locations/ca/sf/">SF</a> <a href="/feeds/">feeds</a>',
         "locations/ca/sf/index.html": '<a href="/">home</a> <img src="/_assets/img/sf.jpg">',
         "locations/ca/index.html": '<a href="/locations/ca/sf/">SF</a>'}
ARTIFACTS = {"_assets/img/sf.jpg": b"\xff\xd8 a photo", "_sitegen/build.json": b"{}"}


def _build(tmp_path: Path) -> tuple[Path, PrivateBuild]:
    site = small_site(tmp_path / "site", config=BASE_CONFIG + "protection:\n  mode: encrypt\n")
    loaded, policy = prepare(site, "staging",
                             environ={"SITEGEN_STAGING_PASSWORD": PASSWORD})
    sealer = Sealer.new(policy, loaded.config)
    assert policy.password is not None
    paths = PathKey.derive(policy.password, policy.name, 1000)
    root = tmp_path / "out"
    for rel, data in ARTIFACTS.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    (root / "_sitegen" / "protection.json").write_bytes(
        sealer.protection.metadata(policy))
    return root, PrivateBuild(sealer, paths, set(), set(), "https://www.example.com")


def _write_pages(root: Path, build: PrivateBuild, rewrite: bool) -> Prewritten:
    """The pages as the render workers write them: rewritten first and at their private
    names when `rewrite`."""
    rewriter = anticipated(root, sorted(PAGES), build)
    written = Prewritten(rewriter.plan)
    for rel, html in PAGES.items():
        shown = rewriter.page(html, page_url_of(rel)) if rewrite else html
        data = build.sealer.seal(rel, html.encode(), shown)
        path = root / (rewriter.plan.names.get(rel, rel) if rewrite else rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.files[rel] = (len(data), hashlib.sha256(data).hexdigest())
    written.resolved = set(rewriter.resolved)
    return written


def _plain(root: Path) -> dict[str, bytes]:
    protection = load_protection(root, PASSWORD)
    out = {}
    for rel in walk(root):
        data = (root / rel).read_bytes()
        out[rel] = open_file(protection, data) or data
    return out


def test_prewritten_pages_stay_as_written_and_read_as_rewritten_ones(
        tmp_path: Path) -> None:
    root, build = _build(tmp_path / "a")
    written = _write_pages(root, build, rewrite=True)
    assert "/locations/ca/sf/" in written.resolved and "/feeds/" in written.resolved
    sealed = {rel: (root / rel).read_bytes() for rel in walk(root) if rel.endswith(".html")}
    assert sorted(sealed) == sorted(written.plan.names.get(rel, rel) for rel in PAGES)
    digests = privatize(root, PrivateBuild(**{**vars(build), "prewritten": written}))
    kept = {rel: (root / rel).read_bytes() for rel in walk(root) if rel.endswith(".html")}
    assert kept == sealed  # the same bytes where they were, not sealed again
    assert all(digests[rel] == (len(data), hashlib.sha256(data).hexdigest())
               for rel, data in kept.items())
    assert not (root / "locations").exists()  # no production folder was made for a page

    other, old_build = _build(tmp_path / "b")
    _write_pages(other, old_build, rewrite=False)
    privatize(other, old_build)  # each page opened, rewritten and sealed again
    assert _plain(root).keys() == _plain(other).keys()
    mine, theirs = _plain(root), _plain(other)
    assert all(mine[rel] == theirs[rel] for rel in mine
               if rel != "_sitegen/protection.json" and not rel.endswith(".json"))


def test_a_link_planned_otherwise_in_the_finished_folder_is_refused(tmp_path: Path) -> None:
    root, build = _build(tmp_path)
    written = _write_pages(root, build, rewrite=True)
    (root / "_assets" / "img" / "sf.jpg").unlink()  # gone after the pages were rendered
    with pytest.raises(SitegenError) as raised:
        privatize(root, PrivateBuild(**{**vars(build), "prewritten": written}))
    (problem,) = raised.value.diagnostics
    assert problem.field == "protection.private_paths"
    assert problem.message == ("1 linked paths were planned differently after the pages were "
                               "rendered (first: /_assets/img/sf.jpg)")
    assert problem.hint == ("report this as a sitegen bug; set protection.private_paths: "
                            "false to build meanwhile")


def test_a_page_planned_elsewhere_in_the_finished_folder_is_refused(tmp_path: Path) -> None:
    root, build = _build(tmp_path)
    written = _write_pages(root, build, rewrite=True)
    kept = {"locations/ca/index.html"}  # keeps its production path in the finished plan
    with pytest.raises(SitegenError) as raised:
        privatize(root, PrivateBuild(**{**vars(build), "kept": kept, "prewritten": written}))
    (problem,) = raised.value.diagnostics
    assert problem.message == ("1 linked paths were planned differently after the pages were "
                               "rendered (first: locations/ca/index.html)")


FEED = {"feeds/locations.json": b'{"locations":[{"url":"https://www.example.com'
                                b'/locations/ca/sf/","image":"/_assets/img/sf.jpg",'
                                b'"site":"https://example.org/"}]}',
        "feeds/locations.csv": b"name,url\nSF,https://www.example.com/locations/ca/sf/\n"}


def test_data_files_placed_beside_the_render_stay_as_written(tmp_path: Path) -> None:
    """A data file written plain and placed by `place_data_file` (a private build's feeds,
    sealed once) is where the finished plan puts it, its plain copy and the folder that
    held it gone, and reads as the same file sealed first and rewritten by `privatize`."""
    root, build = _build(tmp_path / "a")
    other, old_build = _build(tmp_path / "b")
    for folder, sealer in ((root, None), (other, old_build.sealer)):
        for rel, data in FEED.items():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_bytes(data if sealer is None else sealer.seal(rel, data))
    written = _write_pages(root, build, rewrite=True)
    rewriter = anticipated(root, sorted(PAGES), build)
    for rel in FEED:
        data = place_data_file(root, build.sealer, rewriter, rel)
        written.files[rel] = (len(data), hashlib.sha256(data).hexdigest())
        assert (root / written.plan.names[rel]).read_bytes() == data
    written.resolved |= rewriter.resolved
    assert not (root / "feeds").exists()
    feeds = [written.plan.names[rel] for rel in FEED]
    placed = {rel: (root / rel).read_bytes() for rel in walk(root)
              if rel in feeds or rel.endswith(".html")}
    privatize(root, PrivateBuild(**{**vars(build), "prewritten": written}))
    assert {rel: (root / rel).read_bytes() for rel in placed} == placed  # not sealed again

    _write_pages(other, old_build, rewrite=False)
    privatize(other, old_build)
    mine, theirs = _plain(root), _plain(other)
    assert [mine[rel] for rel in feeds] == [theirs[rel] for rel in feeds]
    page = written.plan.urls["/locations/ca/sf/"]
    assert mine[feeds[0]] == (b'{"locations":[{"url":"https://www.example.com' + page.encode()
                              + b'","image":"' + written.plan.urls["/_assets/img/sf.jpg"].encode()
                              + b'","site":"https://example.org/"}]}')
    assert mine[feeds[1]] == b"name,url\nSF,https://www.example.com" + page.encode() + b"\n"
