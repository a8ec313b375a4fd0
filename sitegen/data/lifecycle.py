"""A location's lifecycle fields: `status`, `status_date` and `promotions`, parsed from a cell.

    status       open (the default), coming_soon, temporarily_closed or closed; written in
                 any case, with spaces or hyphens ("Coming soon", "temporarily-closed")
    status_date  YYYY-MM-DD: the opening date (coming_soon), the reopening date
                 (temporarily_closed) or the closing date (closed)
    promotions   a JSON list (in a cell) or a YAML list (front matter) of
                 {title, start, end, text?, url?}; start and end are YYYY-MM-DD, inclusive

Each parser returns the value, or raises LifecycleError with the message and the hint a
diagnostic shows. What the dates mean on a given build date is the model's business
(model/lifecycle.py).
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from typing import Any, ClassVar

STATUSES = ("open", "coming_soon", "temporarily_closed", "closed")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PROMOTION_KEYS = ("title", "start", "end", "text", "url")


class LifecycleError(ValueError):
    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


@dataclass(frozen=True, slots=True)
class Promotion:
    """A dated offer shown on a location's page from `start` to `end`, both inclusive."""

    title: str
    start: datetime.date
    end: datetime.date
    text: str = ""
    url: str | None = None

    per_page: ClassVar[bool] = True  # fingerprinted inline (builder/fingerprint.PerPage)

    def active(self, today: datetime.date) -> bool:
        return self.start <= today <= self.end


def parse_status(value: object) -> str:
    text = re.sub(r"[\s\-]+", "_", str(value).strip().lower())
    if text in STATUSES:
        return text
    raise LifecycleError(f"'{str(value)[:40]}' is not a status",
                         "write one of " + ", ".join(STATUSES))


def parse_date(value: object) -> datetime.date:
    """A calendar date: a `datetime.date` (YAML, spreadsheets) or YYYY-MM-DD text."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    if _DATE.match(text):
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            pass
    raise LifecycleError(f"'{text[:40]}' is not a date", "write the date as YYYY-MM-DD, "
                         "e.g. 2027-03-14")


def parse_promotions(value: object, safe_url: Any) -> list[Promotion]:
    """Promotions from a cell (JSON text) or front matter (a list); `safe_url(text)` says
    whether a link may be used."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise LifecycleError("promotions must be a JSON list of {title, start, end}",
                                 'write [{"title": "...", "start": "2027-03-01", '
                                 '"end": "2027-03-31"}]') from None
    items = value if isinstance(value, list) else [value]
    return [_promotion(item, safe_url) for item in items]


def _promotion(item: object, safe_url: Any) -> Promotion:
    if not isinstance(item, dict):
        raise LifecycleError("each promotion needs a title, a start and an end",
                             'write {"title": "...", "start": "YYYY-MM-DD", '
                             '"end": "YYYY-MM-DD"}')
    unknown = sorted(str(key) for key in item if key not in PROMOTION_KEYS)
    if unknown:
        raise LifecycleError(f"unknown promotion key '{unknown[0][:40]}'",
                             "a promotion has " + ", ".join(PROMOTION_KEYS))
    title = str(item.get("title") or "").strip()
    if not title or item.get("start") in (None, "") or item.get("end") in (None, ""):
        raise LifecycleError("each promotion needs a title, a start and an end",
                             'write {"title": "...", "start": "YYYY-MM-DD", '
                             '"end": "YYYY-MM-DD"}')
    start, end = parse_date(item["start"]), parse_date(item["end"])
    if end < start:
        raise LifecycleError(f"promotion '{title[:40]}' ends ({end}) before it starts "
                             f"({start})", "swap start and end")
    url = str(item["url"]).strip() if item.get("url") else None
    if url and not safe_url(url):
        raise LifecycleError(f"promotion link '{url[:80]}' is not an http(s) or "
                             "site-relative URL", "write https://... or /path")
    return Promotion(title, start, end, str(item.get("text") or "").strip(), url)
