"""Fixtures shared by every test; the helpers themselves are in tests/support/."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.sites import small_site


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A small valid site (3 generated locations) in tmp_path/site."""
    return small_site(tmp_path / "site")
