"""The dev server's lead inbox: where development lead forms post (`/_sitegen/leads`).

`store_lead()` parses a JSON or form-encoded POST body, marks spam (the honeypot filled, or
sent sooner than `leads.min_seconds` after the form was shown) and appends one JSON line to
`<site>/.sitegen/leads.jsonl`; `handle_inbox()` wraps it as an HTTP response for the dev
server. The page that lists them is leadspage.py.
"""

from __future__ import annotations

import datetime as _dt
import email.parser
import email.policy
import json
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from sitegen.config.policy import THANKS_URL
from sitegen.model.leads import HONEYPOT, NEXT, STARTED

INBOX = Path(".sitegen") / "leads.jsonl"
MAX_BODY = 64 * 1024
LOCK = threading.Lock()  # one writer of the inbox file at a time (leads and clears)


class LeadError(ValueError):
    """A body the inbox cannot read; the dev server answers 400 with the message."""


def parse_body(body: bytes, content_type: str) -> dict[str, Any]:
    if len(body) > MAX_BODY:
        raise LeadError(f"body is larger than {MAX_BODY // 1024} KB")
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    try:
        if kind == "application/json" or kind.endswith("+json"):
            data = json.loads(body.decode("utf-8"))
            if not isinstance(data, dict):
                raise LeadError("a JSON lead must be an object of field: value pairs")
            return {str(k): v for k, v in data.items()}
        if kind in ("application/x-www-form-urlencoded", "text/plain", ""):
            text = body.decode("utf-8")
            pairs: Iterable[tuple[str, ...]]
            if kind == "text/plain":  # a mailto:-style text/plain form: name=value lines
                pairs = [tuple(line.split("=", 1)) for line in text.splitlines() if "=" in line]
            else:
                pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text))
            return _collect(pairs)
        if kind == "multipart/form-data":
            message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body)
            pairs = []
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if name:
                    pairs.append((str(name), part.get_content()))
            return _collect(pairs)
    except (UnicodeDecodeError, json.JSONDecodeError, ValueError) as exc:
        if isinstance(exc, LeadError):
            raise
        raise LeadError(f"cannot read the {kind or 'form'} body: {exc}") from None
    raise LeadError(f"unsupported content type '{kind}'; send JSON or a form")


def _collect(pairs: Iterable[tuple[str, ...]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, value in pairs:
        if name in data:
            data[name] = [*data[name], value] if isinstance(data[name], list) else \
                [data[name], value]
        else:
            data[name] = value
    return data


@dataclass(frozen=True)
class InboxRules:
    """What the dev inbox checks, from the site's `leads` config."""

    min_seconds: int = 3


def spam_reason(fields: dict[str, Any], rules: InboxRules, now_ms: int) -> str | None:
    """Why a lead looks sent by a bot: the honeypot filled, or sent sooner than
    `min_seconds` after the script started the form (`_started`, ms since the epoch; empty
    without JavaScript, so a no-JS post is judged by the honeypot alone)."""
    if str(fields.get(HONEYPOT) or "").strip():
        return f"the {HONEYPOT} honeypot is filled"
    try:
        started = int(str(fields.get(STARTED) or ""))
    except ValueError:
        return None
    seconds = (now_ms - started) / 1000
    if seconds < rules.min_seconds:
        return (f"sent {max(seconds, 0):.1f} s after the form was shown "
                f"(leads.min_seconds is {rules.min_seconds})")
    return None


def store_lead(site_root: Path, body: bytes, content_type: str,
               rules: InboxRules | None = None) -> dict:
    """Parse a lead, mark spam, append it to `<site>/.sitegen/leads.jsonl`, print a summary;
    return it. Spam is kept, marked (like a form service's spam folder), so a developer
    sees the checks work."""
    fields = parse_body(body, content_type)
    now = _dt.datetime.now(_dt.UTC)
    reason = spam_reason(fields, rules or InboxRules(), int(now.timestamp() * 1000))
    received = now.replace(microsecond=0).isoformat().replace("+00:00", "Z")
    record = {
        "received": received,
        "location_id": str(fields.get("location_id") or ""),
        "page_url": str(fields.get("page_url") or ""),
        "spam": reason is not None,
        "spam_reason": reason,
        "fields": {k: v for k, v in fields.items() if k not in (HONEYPOT, NEXT)},
    }
    path = Path(site_root) / INBOX
    path.parent.mkdir(parents=True, exist_ok=True)
    with LOCK, path.open("a", encoding="utf-8") as inbox:
        inbox.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
    who = str(fields.get("name") or fields.get("email") or "anonymous")[:60]
    where = record["location_id"] or urlsplit(str(record["page_url"])).path or "the site"
    print(f"lead {f'(spam: {reason}) ' if reason else ''}from {who} for {where} -> "
          f"{INBOX.as_posix()}", file=sys.stderr)
    return record


@dataclass
class InboxResponse:
    status: int
    headers: dict[str, str]
    body: bytes


def handle_inbox(site_root: Path, body: bytes, content_type: str, accept: str = "",
                 rules: InboxRules | None = None) -> InboxResponse:
    """POST /_sitegen/leads for the dev server: JSON for the script, a redirect for no-JS
    forms. Spam gets the same answer as a lead, as form services do: a bot learns nothing."""
    try:
        record = store_lead(site_root, body, content_type, rules)
    except LeadError as exc:
        return InboxResponse(400, {"Content-Type": "application/json"},
                             json.dumps({"ok": False, "error": str(exc)}).encode())
    wants_json = "json" in (accept or "") or "json" in (content_type or "")
    if not wants_json:
        # A no-JS form: back to the thank-you page, on this site only (an absolute _next
        # keeps just its path).
        path = urlsplit(str(parse_body(body, content_type).get(NEXT) or THANKS_URL)).path
        target = path if path.startswith("/") and not path.startswith("//") else THANKS_URL
        return InboxResponse(303, {"Location": target, "Content-Length": "0"}, b"")
    return InboxResponse(200, {"Content-Type": "application/json"},
                         json.dumps({"ok": True, "received": record["received"]}).encode())
