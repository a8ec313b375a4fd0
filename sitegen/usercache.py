"""The user's cache folder: what any build on this machine can reuse whatever the site
(a photo's derivatives, the place names, compiled templates), kept in
`$XDG_CACHE_HOME/sitegen/`, else `~/.cache/sitegen/`. Everything in it is named by a
hash of what it was made from, so it is never stale, only unused; deleting it is safe."""

from __future__ import annotations

import os
from pathlib import Path


def user_cache(*parts: str) -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base, "sitegen", *parts)
