"""`sitegen init`: copy a small working site that `sitegen build --source DIR` builds at once."""

from __future__ import annotations

import shutil
from pathlib import Path

from sitegen.diagnostics import Diagnostic, SitegenError

TEMPLATE = Path(__file__).parent / "scaffold" / "site"


def scaffold(directory: Path) -> list[Path]:
    if directory.exists() and any(directory.iterdir()):
        raise SitegenError(Diagnostic(str(directory), None, None, "folder is not empty",
                                      "choose a new folder name"))
    shutil.copytree(TEMPLATE, directory, dirs_exist_ok=True)
    return sorted(p for p in directory.rglob("*") if p.is_file())
