"""Fixtures of the browser tests (the plumbing: tests/support/browser.py): Chromium for a
test module, and the example site's production build that the tests only read.

Chromium lives for one module, not the session: a process can run one Playwright at a time,
and tests elsewhere (tests/cli/test_seo.py, test_serve_edit_with_warning.py) start their own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.browser import LOCAL_ONLY, launch, serve

from sitegen.builder.pipeline import build
from sitegen.builder.run import BuildOptions

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium; each test opens its own context (tests/support/browser.py)."""
    with launch() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def local_browser() -> Iterator[Any]:
    """Chromium in which no host name resolves but 127.0.0.1 (the lead tests' receivers)."""
    with launch(LOCAL_ONLY) as chromium:
        yield chromium


@pytest.fixture(scope="session")
def example_production(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example site built for production; read only (a test that changes a build makes
    its own)."""
    out = tmp_path_factory.mktemp("example") / "production"
    build(BuildOptions(REPO, "production", out=out, environ={}))
    return out


@pytest.fixture(scope="session")
def example_url(example_production: Path) -> Iterator[str]:
    """`example_production` served on 127.0.0.1."""
    with serve(example_production) as url:
        yield url
