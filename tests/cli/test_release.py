"""A release that installs anywhere (issue 25): `python -m build` makes an sdist and a wheel
carrying the default theme and the scaffold; installed into a new venv in a temporary folder
outside any checkout, `sitegen init` and `sitegen build` work there."""

from __future__ import annotations

import subprocess
import tarfile
import tomllib
import zipfile
from pathlib import Path

from support.release import install_env, make_venv
from support.sites import REPO

import sitegen

THEME_FILES = ("templates/base.html", "templates/location.html", "static/css/site.css",
               "static/js/leads.js")


def run(bin_dir: Path, args: list[str], cwd: Path, home: Path) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=install_env(bin_dir, home), capture_output=True,
                          text=True, timeout=600, stdin=subprocess.DEVNULL)


def test_the_wheel_installs_into_a_new_venv_and_builds_a_new_site(
        tmp_path: Path, release: dict[str, Path]) -> None:
    assert REPO not in tmp_path.parents and REPO not in release["wheel"].parents
    built = release
    version = sitegen.__version__
    assert built["wheel"].name == f"sitegen-{version}-py3-none-any.whl"
    assert built["sdist"].name == f"sitegen-{version}.tar.gz"
    with zipfile.ZipFile(built["wheel"]) as wheel, tarfile.open(built["sdist"]) as sdist:
        wheel_names = set(wheel.namelist())
        sdist_names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    scaffold = sorted(p.relative_to(REPO).as_posix()
                      for p in (REPO / "sitegen" / "scaffold").rglob("*") if p.is_file())
    for name in [*(f"sitegen/themes/default/{f}" for f in THEME_FILES), *scaffold]:
        assert name in wheel_names, name
        assert name in sdist_names, name

    bin_dir = make_venv(tmp_path / "venv")
    home = tmp_path / "home"
    home.mkdir()
    install = run(bin_dir, ["python", "-m", "pip", "install", str(built["wheel"])], tmp_path,
                  home)
    assert install.returncode == 0, install.stdout + install.stderr
    where = run(bin_dir, ["python", "-c", "import sitegen; print(sitegen.__file__)"],
                tmp_path, home)
    assert Path(where.stdout.strip()).is_relative_to(tmp_path / "venv"), where.stdout

    shown = run(bin_dir, ["sitegen", "--version"], tmp_path, home)
    assert shown.stdout.strip() == f"sitegen, version {version}", shown
    work = tmp_path / "work"
    work.mkdir()
    init = run(bin_dir, ["sitegen", "init", "mysite"], work, home)
    assert init.returncode == 0, init.stdout + init.stderr
    site = work / "mysite"
    build = run(bin_dir, ["sitegen", "build"], site, home)
    assert build.returncode == 0, build.stdout + build.stderr
    assert "Traceback" not in build.stderr
    out = site / "dist" / "production"
    assert (out / "index.html").is_file() and (out / "sitemap.xml").is_file()
    assert (out / "_assets" / "css" / "site.css").is_file()  # the theme came from the wheel


def test_the_version_is_written_once_and_the_changelog_names_it() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in pyproject["project"]
    assert pyproject["project"]["dynamic"] == ["version"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "sitegen.__version__"}
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"\n## {sitegen.__version__}\n" in changelog
