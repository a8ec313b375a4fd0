"""A release as users get it: `python -m build` on a copy of the source, and a new venv in
a temporary folder outside any checkout with the wheel installed.

The build runs on a copy (only what the sdist needs), so it leaves no `*.egg-info` or
`build/` in the work tree; `shared_release` builds it once per test run for every test that
installs it. The venv sees the test machine's installed packages (`--system-site-packages`),
pip included (the venv gets none of its own: ensurepip costs seconds a venv), and
`python -m pip install --no-index` resolves the wheel's dependencies against them: the tests
need no package index, and the venv's own `sitegen` (from the wheel) comes before any
development install on `sys.path`. `PIP_REQUIRE_VIRTUALENV` makes pip refuse to install
anywhere but a venv.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from support.sites import REPO

SOURCE_PARTS = ("pyproject.toml", "README.md", "CHANGELOG.md", "sitegen")


def build_release(dest: Path) -> dict[str, Path]:
    """Build the sdist and the wheel (the wheel from the sdist, as `python -m build` does)
    into `dest/dist`."""
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
    done = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out),
                           str(source)], capture_output=True, text=True, timeout=600,
                          env=_env(), stdin=subprocess.DEVNULL)
    assert done.returncode == 0, f"python -m build failed\n{done.stdout}\n{done.stderr}"
    return {"wheel": next(out.glob("sitegen-*-py3-none-any.whl")),
            "sdist": next(out.glob("sitegen-*.tar.gz"))}


def shared_release(folder: Path) -> dict[str, Path]:
    """The sdist and the wheel built once into `folder`, shared by the processes of a test
    run (pytest-xdist's workers): the first to ask builds them under a lock, the others wait
    for it and reuse them."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        built = folder / "built.json"
        if not built.is_file():
            found = build_release(folder / "release")
            built.write_text(json.dumps({k: str(v) for k, v in found.items()}),
                             encoding="utf-8")
        return {k: Path(v) for k, v in json.loads(built.read_text(encoding="utf-8")).items()}


def make_venv(dest: Path) -> Path:
    """A new venv at `dest` that sees the installed packages (pip included); returns its bin
    folder."""
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip",
                    str(dest)], check=True, capture_output=True, timeout=300, env=_env())
    return dest / "bin"


def install_env(bin_dir: Path, home: Path) -> dict[str, str]:
    """A user's shell with the venv first on PATH and no package index: no PYTHONPATH, so
    nothing of the work tree is importable."""
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", "HOME": str(home),
            "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PIP_NO_INDEX": "1",
            "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_REQUIRE_VIRTUALENV": "1",
            "VIRTUAL_ENV": str(bin_dir.parent)}


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and
            not k.startswith("SITEGEN_")}
