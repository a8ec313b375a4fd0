"""A release as users get it: `python -m build` on a copy of the source, and a new venv in
a temporary folder outside any checkout with the wheel installed.

The build runs on a copy (only what the sdist needs), so it leaves no `*.egg-info` or
`build/` in the work tree. The venv sees the test machine's installed packages
(`--system-site-packages`) and `pip install --no-index` resolves the wheel's dependencies
against them: the tests need no package index, and the venv's own `sitegen` (from the wheel)
comes before any development install on `sys.path`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from support.sites import REPO

SOURCE_PARTS = ("pyproject.toml", "README.md", "CHANGELOG.md", "sitegen")


def build_release(dest: Path, *, sdist: bool = True) -> dict[str, Path]:
    """Build the sdist and the wheel (the wheel from the sdist, as `python -m build` does)
    into `dest/dist`; only the wheel when `sdist` is False (faster)."""
    source = dest / "source"
    source.mkdir(parents=True)
    for part in SOURCE_PARTS:
        origin = REPO / part
        if origin.is_dir():
            shutil.copytree(origin, source / part,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(origin, source / part)
    out = dest / "dist"
    args = [] if sdist else ["--wheel"]
    done = subprocess.run([sys.executable, "-m", "build", *args, "--outdir", str(out),
                           str(source)], capture_output=True, text=True, timeout=600,
                          env=_env(), stdin=subprocess.DEVNULL)
    assert done.returncode == 0, f"python -m build failed\n{done.stdout}\n{done.stderr}"
    found = {"wheel": next(out.glob("sitegen-*-py3-none-any.whl"))}
    if sdist:
        found["sdist"] = next(out.glob("sitegen-*.tar.gz"))
    return found


def make_venv(dest: Path) -> Path:
    """A new venv at `dest` that sees the installed packages; returns its bin folder."""
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(dest)],
                   check=True, capture_output=True, timeout=300, env=_env())
    return dest / "bin"


def install_env(bin_dir: Path, home: Path) -> dict[str, str]:
    """A user's shell with the venv first on PATH and no package index: no PYTHONPATH, so
    nothing of the work tree is importable."""
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", "HOME": str(home),
            "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PIP_NO_INDEX": "1",
            "PIP_DISABLE_PIP_VERSION_CHECK": "1", "VIRTUAL_ENV": str(bin_dir.parent)}


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and
            not k.startswith("SITEGEN_")}
