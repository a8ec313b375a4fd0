"""A static host that reads a build's `_redirects` as Netlify and Cloudflare Pages do, for
the subset sitegen writes (docs/lifecycle.md):

    # comment
    /old/path/ /new/path/ 301!

one rule a line, the first rule whose path equals the request's path (query ignored) wins;
a status with `!` applies even where a file exists at the path (the stub page), one
without `!` only where none does. Every other request is a plain static file, as
`http.server` serves it. Runs on 127.0.0.1, a free port, in a thread.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from support.browser import QuietHandler, serve


def read_rules(folder: Path) -> list[tuple[str, str, int, bool]]:
    """(from, to, status, forced) of each rule of folder/_redirects."""
    path = folder / "_redirects"
    rules = []
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            words = line.split()
            if not words or words[0].startswith("#"):
                continue
            source, target, status = words[0], words[1], words[2] if len(words) > 2 else "301"
            rules.append((source, target, int(status.rstrip("!")), status.endswith("!")))
    return rules


class _Handler(QuietHandler):
    rules: list[tuple[str, str, int, bool]] = []

    def send_head(self) -> Any:
        path = urlsplit(self.path).path
        exists = Path(self.translate_path(path)).exists()
        for source, target, status, forced in self.rules:
            if source == path and (forced or not exists):
                self.send_response(status)
                self.send_header("Location", target)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
        return super().send_head()


def serve_with_redirects(folder: Path) -> contextlib.AbstractContextManager[str]:
    """Serve `folder` with its `_redirects` rules at http://127.0.0.1:PORT (yielded)."""
    return serve(folder, type("Handler", (_Handler,), {"rules": read_rules(folder)}))
