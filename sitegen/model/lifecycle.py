"""Each location's status on the build date, and the locations that have a page.

A status takes effect relative to the build date (builder/run.BuildRun.today: the
SOURCE_DATE_EPOCH day, or the day of the newest input), so a nightly build moves a location
along without a commit:

    coming_soon         until status_date; from that date on it is open
    temporarily_closed  until status_date (the reopening day); from that date on it is open
    closed              from status_date on (at once without a date); before it, open
    promotions          shown from their start to their end date, both included

Settling rewrites `status`, `status_date` and `promotions` to what holds on the build date
and folds them into the location's fingerprint: an incremental build redoes a page (and the
hubs and views listing it) the day its status changes, not only when its row does.
"""

from __future__ import annotations

import datetime
import hashlib

from sitegen.data.lifecycle import LifecycleError, parse_promotions
from sitegen.data.locations import Location, safe_url
from sitegen.diagnostics import Report
from sitegen.model.content import LocationContent

LIVE = ("open", "coming_soon", "temporarily_closed")  # the statuses that have a page


def effective(status: str, date: datetime.date | None, today: datetime.date
              ) -> tuple[str, datetime.date | None]:
    """The status and its date on `today`."""
    if status in ("coming_soon", "temporarily_closed") and date is not None and date <= today:
        return "open", None
    if status == "closed" and date is not None and date > today:
        return "open", None
    return status, date


def settle(locations: list[Location], today: datetime.date) -> None:
    """Each location's status and promotions as on `today`, in its fingerprint too."""
    for location in locations:
        location.status, location.status_date = effective(location.status,
                                                          location.status_date, today)
        location.promotions = [p for p in location.promotions if p.active(today)]
        if location.status != "open" or location.promotions:
            key = "|".join([location.fingerprint, location.status, str(location.status_date),
                            *(repr(p) for p in location.promotions)])
            location.fingerprint = hashlib.blake2b(key.encode("utf-8", "surrogatepass"),
                                                   digest_size=16).hexdigest()


def parse_today(text: str) -> datetime.date:
    """The build date as the build states it (YYYY-MM-DD...)."""
    return datetime.date.fromisoformat(text[:10])


def add_front_matter_promotions(locations: list[Location], extra: dict[str, LocationContent],
                                today: datetime.date | None, report: Report) -> None:
    """The `promotions:` of each location's content file (content/locations/<id>.md),
    those running on `today`, after the dataset's."""
    for location in locations:
        item = extra.get(location.id) or extra.get(location.slug)
        raw = item.meta.get("promotions") if item else None
        if item is None or raw in (None, "", []):
            continue
        try:
            found = parse_promotions(raw, safe_url)
        except LifecycleError as exc:
            report.error(item.source, None, "promotions", exc.message, exc.hint)
            continue
        location.promotions = [*location.promotions,
                               *(p for p in found if today is None or p.active(today))]
