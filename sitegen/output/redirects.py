"""The build's redirects (model/redirects.py) as rules for every common static host.

Added to the host config files (hostconfig.host_files) in every environment that has
redirects (protected builds have none):

- `_redirects` — Netlify and Cloudflare Pages: `/old/ /new/ 301!`, one line each. The `!`
  (Netlify's "force") makes the rule win over the stub page at the old path; Cloudflare
  Pages applies `_redirects` before static files and reads `301!` as 301.
- `.htaccess` — Apache (mod_alias): `RedirectMatch 301 ^/old/$ /new/` (an exact match:
  `Redirect` would also move every path below /old/).
- `_sitegen/nginx.conf` — `location = /old/ { return 301 /new/; }`, inside the snippet
  included in the `server {}` block.
- `vercel.json` — `{"redirects": [{"source": "/old/", "destination": "/new/",
  "statusCode": 301}]}` (Vercel applies redirects before the files).

Paths are site paths of an allowlisted alphabet (data/ledger.PATH, and slugs), so no value
can break out of a rule. Targets are site-relative: the host keeps the scheme and host
name the visitor used.
"""

from __future__ import annotations

import json
import re

REDIRECTS_FILE = "_redirects"


def redirect_sections(redirects: list[tuple[str, str]]) -> dict[str, list[str]]:
    """The lines each text host file gains, by file name."""
    if not redirects:
        return {}
    note = "# sitegen: old location URLs (docs/lifecycle.md)"
    return {
        REDIRECTS_FILE: [note, *(f"{old} {new} 301!" for old, new in redirects)],
        ".htaccess": [note, "<IfModule mod_alias.c>",
                      *(f"  RedirectMatch 301 ^{re.escape(old)}$ {new}"
                        for old, new in redirects),
                      "</IfModule>"],
        "_sitegen/nginx.conf": [note, *(f"location = {old} {{ return 301 {new}; }}"
                                        for old, new in redirects)],
    }


def with_redirects(files: dict[str, bytes], redirects: list[tuple[str, str]]
                   ) -> dict[str, bytes]:
    """`files` (host config files, by name) with the redirect rules added."""
    if not redirects:
        return files
    out = dict(files)
    for name, lines in redirect_sections(redirects).items():
        out[name] = out.get(name, b"") + ("\n".join(lines) + "\n").encode("utf-8")
    vercel = json.loads(out["vercel.json"]) if "vercel.json" in out else {}
    vercel["redirects"] = [{"source": old, "destination": new, "statusCode": 301}
                           for old, new in redirects]
    out["vercel.json"] = (json.dumps(vercel, indent=2) + "\n").encode("utf-8")
    return dict(sorted(out.items()))
