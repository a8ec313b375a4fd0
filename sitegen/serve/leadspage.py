"""The dev server's lead inbox page: `GET /_sitegen/leads` lists the leads development forms
sent (`<site>/.sitegen/leads.jsonl`, written by inbox.py), newest first, with the location,
the time and every field; `?location=ID` filters by location; `POST /_sitegen/leads/clear`
empties the inbox (or, with a `location` field, removes that location's leads).

The page is plain HTML escaped by `html.escape`, with no script, served only to the site's own
pages and to an address typed into the browser (the server checks Sec-Fetch-Site and
Origin), never framed (`frame-ancestors 'none'`). A line of the file that is not a lead is
listed as such with its line number, never skipped silently.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

from sitegen.config.policy import LOCAL_INBOX
from sitegen.serve.inbox import INBOX, LOCK

CLEAR_PATH = LOCAL_INBOX + "/clear"
HIDDEN_FIELDS = ("_started",)
HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                               "form-action 'self'; frame-ancestors 'none'",
    "Referrer-Policy": "same-origin",  # no-referrer would make the clear post's Origin null
}
STYLE = """body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem}
h1{font-size:1.4rem}form{display:inline-block;margin:0 1rem 1rem 0}
article{border:1px solid #ccc;border-radius:6px;padding:.6rem 1rem;margin:0 0 1rem}
article.spam{border-style:dashed;opacity:.8}dl{display:grid;grid-template-columns:12rem 1fr;
gap:.2rem 1rem;margin:.5rem 0 0}dt{font-weight:600}dd{margin:0;white-space:pre-wrap;
overflow-wrap:anywhere}.meta{color:#444}.bad{color:#a00}"""


@dataclass(frozen=True)
class Entry:
    """One line of the inbox file: a lead, or why the line is not one."""

    line: int
    lead: dict[str, Any] | None
    problem: str | None = None

    @property
    def location(self) -> str:
        return str((self.lead or {}).get("location_id") or "")


def read_entries(site_root: Path) -> list[Entry]:
    """Every non-empty line of the inbox file, newest (last written) first."""
    path = Path(site_root) / INBOX
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    entries = []
    for number, text in enumerate(lines, 1):
        if not text.strip():
            continue
        try:
            lead = json.loads(text)
        except json.JSONDecodeError as exc:
            entries.append(Entry(number, None, f"not JSON ({exc.msg})"))
            continue
        if not isinstance(lead, dict) or not isinstance(lead.get("fields"), dict):
            entries.append(Entry(number, None, "not a lead record (no fields object)"))
            continue
        entries.append(Entry(number, lead))
    return entries[::-1]


def clear(site_root: Path, location: str | None) -> int:
    """Remove every lead (or the leads of `location`); return how many were removed."""
    path = Path(site_root) / INBOX
    with LOCK:
        entries = read_entries(site_root)
        keep = [e for e in entries if location is not None and e.location != location]
        if not path.exists():
            return 0
        if keep:
            kept = {e.line for e in keep}
            lines = path.read_text(encoding="utf-8").splitlines()
            text = "".join(f"{line}\n" for n, line in enumerate(lines, 1) if n in kept)
            temporary = path.with_name(path.name + ".tmp")
            temporary.write_text(text, encoding="utf-8")
            os.replace(temporary, path)
        else:
            path.unlink()
    return len(entries) - len(keep)


def clear_target(body: bytes) -> str | None:
    """The location a clear form names (None: all leads)."""
    values = parse_qs(body.decode("utf-8", "replace")).get("location") or [""]
    return values[0] or None


def render(site_root: Path, query: str) -> bytes:
    """The inbox page for `?location=ID` (all locations without it)."""
    wanted = (parse_qs(query).get("location") or [""])[0]
    entries = read_entries(site_root)
    locations = sorted({e.location for e in entries if e.lead is not None})
    shown = [e for e in entries if not wanted or e.location == wanted]
    leads = sum(1 for e in shown if e.lead is not None)
    options = "".join(
        f'<option value="{escape(loc)}"{" selected" if loc == wanted else ""}>'
        f'{escape(loc or "(no location)")}</option>' for loc in locations)
    scope = f" for {escape(wanted)}" if wanted else ""
    parts = [
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        "<meta name=\"robots\" content=\"noindex, nofollow\">",
        f"<title>Lead inbox | sitegen serve</title><style>{STYLE}</style></head><body>",
        "<h1>Lead inbox</h1>",
        f"<p class=\"meta\">Leads the development forms sent to this server, newest first, "
        f"kept in <code>{escape(INBOX.as_posix())}</code>. Only this server's pages and "
        "this machine's browser can open this page.</p>",
        f'<form method="get" action="{LOCAL_INBOX}"><label for="location">Location</label> '
        f'<select id="location" name="location"><option value="">All locations</option>'
        f'{options}</select> <button type="submit">Filter</button></form>',
        f'<form method="post" action="{CLEAR_PATH}">'
        f'<input type="hidden" name="location" value="{escape(wanted)}">'
        f'<button type="submit" data-clear>Clear {leads} lead{"s" if leads != 1 else ""}'
        f'{scope}</button></form>',
        f'<p data-count="{leads}">{leads} lead{"s" if leads != 1 else ""}{scope}.</p>',
    ]
    parts += [_entry(e) for e in shown]
    parts.append("</body></html>")
    return "\n".join(parts).encode("utf-8")


def _entry(entry: Entry) -> str:
    if entry.lead is None:
        return (f'<article class="bad" data-line="{entry.line}">Line {entry.line} of '
                f"{escape(INBOX.as_posix())} is {escape(entry.problem or 'not a lead')}.</article>")
    lead = entry.lead
    fields = {k: v for k, v in lead["fields"].items() if k not in HIDDEN_FIELDS}
    name = fields.get("location_name") or ""
    where = escape(entry.location or "(no location)") + (f" ({escape(str(name))})"
                                                         if name else "")
    spam = (f' <strong>spam: {escape(str(lead.get("spam_reason") or ""))}</strong>'
            if lead.get("spam") else "")
    rows = "".join(f"<dt>{escape(str(k))}</dt><dd>{escape(_text(v))}</dd>"
                   for k, v in fields.items())
    link = f"{LOCAL_INBOX}?{urlencode({'location': entry.location})}"
    return (f'<article class="lead{" spam" if lead.get("spam") else ""}" '
            f'data-location="{escape(entry.location)}">'
            f'<p class="meta"><time datetime="{escape(str(lead.get("received") or ""))}">'
            f'{escape(str(lead.get("received") or ""))}</time> · '
            f'<a href="{escape(link)}">{where}</a>{spam}</p><dl>{rows}</dl></article>')


def _text(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
