"""Fixtures shared by every test; the helpers themselves are in tests/support/."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.release import shared_release
from support.sites import small_site


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A small valid site (3 generated locations) in tmp_path/site."""
    return small_site(tmp_path / "site")


@pytest.fixture(scope="session")
def release(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> dict[str, Path]:
    """sitegen's sdist and wheel (`python -m build`), built once per test run: with
    pytest-xdist, in the run's folder that every worker shares."""
    if worker_id == "master":  # one process: its own temporary folder
        return shared_release(tmp_path_factory.mktemp("release"))
    return shared_release(tmp_path_factory.getbasetemp().parent / "release")
