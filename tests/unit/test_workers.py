"""The page workers (builder/workers.py) on their own: a model planned in-process, its pages
rendered into a folder by one process or by forked ones, with what they report."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.sites import generated_rows, small_site

from sitegen.builder.fingerprint import PageFingerprints
from sitegen.builder.run import prepare
from sitegen.builder.stages import plan_site
from sitegen.builder.workers import (
    CHUNK,
    PARALLEL_MIN_PAGES,
    RenderJob,
    _slices,
    page_fingerprints,
    render_pages,
)
from sitegen.config.themes import theme_dirs
from sitegen.diagnostics import Report, SitegenError
from sitegen.forking import default_jobs
from sitegen.model.pages import SiteModel
from sitegen.render.globals import template_globals
from sitegen.render.templates import make_environment


def _model(site: Path) -> SiteModel:
    loaded, policy = prepare(site, "production", environ={})
    model, _ = plan_site(loaded, policy, Report())
    for page in model.pages:  # as the build settles them before rendering
        page.lastmod = page.lastmod or "2026-01-01"
    return model


def _job(model: SiteModel, out: Path, *, fingerprints: bool = False) -> RenderJob:
    """A render job into `out`, beside the site folder `site` the model was planned from."""
    dirs = theme_dirs(out.parent / "site", model.config.theme.name)
    globals_ = template_globals(model, dirs)
    env = make_environment(dirs, globals_)
    prints = PageFingerprints(env, "base", globals_) if fingerprints else None
    out.mkdir(parents=True, exist_ok=True)
    return RenderJob(model, env, out, fingerprints=prints,
                     declared={page.output: page.lastmod for page in model.pages})


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
            if p.is_file()}


def test_one_process_renders_writes_and_reports_every_page(tmp_path: Path) -> None:
    model = _model(small_site(tmp_path / "site"))
    job = _job(model, tmp_path / "out", fingerprints=True)
    todo = list(range(len(model.pages)))
    rendered = render_pages(job, todo, 1, None)
    files = _files(tmp_path / "out")
    assert sorted(files) == sorted(page.output for page in model.pages)
    assert sorted(audit.rel for audit in rendered.audits) == sorted(files)
    assert rendered.hashes == {rel: (len(data), hashlib.sha256(data).hexdigest())
                               for rel, data in files.items()}
    assert job.fingerprints is not None
    assert rendered.fingerprints == {page.output: job.fingerprints.page(page)
                                     for page in model.pages}
    assert rendered.guards == {}  # no guard context: no guard rails applied


def test_progress_is_reported_per_chunk_up_to_the_total(tmp_path: Path) -> None:
    model = _model(small_site(tmp_path / "site"))
    seen: list[tuple[int, int]] = []
    render_pages(_job(model, tmp_path / "out"), [0, 1, 2], 1,
                 lambda done, total: seen.append((done, total)))
    assert seen == [(3, 3)]


def test_forked_workers_write_what_one_process_writes(tmp_path: Path) -> None:
    model = _model(small_site(tmp_path / "site", generated_rows(PARALLEL_MIN_PAGES)))
    todo = list(range(len(model.pages)))
    assert len(todo) >= PARALLEL_MIN_PAGES
    one = render_pages(_job(model, tmp_path / "one"), todo, 1, None)
    two = render_pages(_job(model, tmp_path / "two"), todo, 2, None)
    assert _files(tmp_path / "one") == _files(tmp_path / "two")
    assert [(a.rel, a.findings, a.links) for a in one.audits] == \
        [(a.rel, a.findings, a.links) for a in two.audits]
    assert one.hashes == two.hashes


def test_a_template_error_stops_the_workers_with_the_template_and_line(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site", config="site: {name: X}\ntheme: mine\n"
                      "base_url: https://example.com\n",
                      extra={"themes/mine/templates/location.html":
                             "{% extends 'default/location.html' %}\n"
                             "{% block main %}{{ location.no_such_field.x }}{% endblock %}\n"})
    model = _model(site)
    todo = [i for i, page in enumerate(model.pages) if page.kind == "location"]
    with pytest.raises(SitegenError) as caught:
        render_pages(_job(model, tmp_path / "out"), todo, 1, None)
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.path == "themes/mine/templates/location.html"
    assert diagnostic.line == 2
    assert diagnostic.message.startswith(f"error rendering {model.pages[todo[0]].url}: ")


def test_page_fingerprints_are_left_to_the_caller_for_one_job_or_a_small_site(
        tmp_path: Path) -> None:
    model = _model(small_site(tmp_path / "site"))
    prints = _job(model, tmp_path / "out", fingerprints=True).fingerprints
    assert prints is not None
    assert page_fingerprints(model, prints, 1) is None
    assert page_fingerprints(model, prints, 2) is None  # fewer pages than PARALLEL_MIN_PAGES


def test_the_default_jobs_come_from_sitegen_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITEGEN_JOBS", "3")
    assert default_jobs() == 3
    monkeypatch.setenv("SITEGEN_JOBS", "zero")
    assert default_jobs() >= 1


@given(st.lists(st.integers(), max_size=2500), st.integers(min_value=1, max_value=8))
def test_render_slices_take_every_page_once_in_order_smaller_at_the_end(
        todo: list[int], jobs: int) -> None:
    slices = _slices(todo, jobs)
    assert [index for part in slices for index in part] == todo
    assert all(0 < len(part) <= CHUNK for part in slices)
    if len(todo) > 2 * jobs * CHUNK:
        assert [len(part) for part in slices[-2 * jobs * 4:]] == [CHUNK // 4] * (2 * jobs * 4)
