"""The static files a build may copy from its sources, registered by output path and the
sha256 of their source: the themes' static folders, the vendored Leaflet files, unlock.js
and the content's files (allowlist.py judges a protected build's plain files against it).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sitegen.config.themes import theme_dirs
from sitegen.model.content import IGNORED_SUFFIXES
from sitegen.output.protect import UNLOCK_JS, unlock_script
from sitegen.render import maps


def registry(source: Path, theme: str | None) -> dict[str, str]:
    """Output path -> sha256 of every static file the build may copy from its sources."""
    files: dict[str, bytes | Path] = {}
    for folder in reversed(theme_dirs(source, theme)):
        static = folder / "static"
        if static.is_dir():
            for path in sorted(static.rglob("*")):
                if path.is_file():
                    files["_assets/" + path.relative_to(static).as_posix()] = path
    files.update(maps.asset_files())
    files[UNLOCK_JS] = unlock_script()
    content = source / "content"
    if content.is_dir():
        for path in sorted(content.rglob("*")):
            rel = path.relative_to(content).as_posix()
            if path.is_file() and path.suffix != ".md" and not rel.endswith(IGNORED_SUFFIXES) \
                    and not path.name.startswith("."):
                files[rel] = path
    return {rel: hashlib.sha256(data if isinstance(data, bytes) else data.read_bytes())
            .hexdigest() for rel, data in files.items()}
