"""The example site with locations in every status (docs/lifecycle.md), for the CLI and
browser tests of issue 26.

`status_site(dest, changes)` copies the example, adds `Status`, `Status Date` and
`Promotions` columns (mapped in config/base.yaml) and applies `changes`: store code ->
{column: value}. The build dates the tests use, as SOURCE_DATE_EPOCH values.
"""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Mapping
from html.parser import HTMLParser
from pathlib import Path

from support.sites import copy_example

EXTRA_COLUMNS = ("Status", "Status Date", "Promotions")
MAPPING = "    status: Status\n    status_date: Status Date\n    promotions: Promotions\n"

SF = "/locations/us/ca/san-francisco/"
HAYES = SF + "juniper-oak-coffee-hayes-valley/"
MISSION = SF + "juniper-oak-coffee-mission/"
NORTH_BEACH = SF + "juniper-oak-bakery-north-beach/"
KIOSK = SF + "juniper-oak-coffee-embarcadero-kiosk/"
TEMESCAL = "/locations/us/ca/oakland/juniper-oak-coffee-temescal/"


def epoch(day: str, hour: int = 12) -> str:
    """SOURCE_DATE_EPOCH of `day` (YYYY-MM-DD) at `hour` UTC."""
    moment = datetime.datetime.fromisoformat(day).replace(hour=hour, tzinfo=datetime.UTC)
    return str(int(moment.timestamp()))


JANUARY = epoch("2027-01-15")  # before every status_date below
MARCH = epoch("2027-03-20")  # after them

# The statuses of the tests: a café opening in March, one closed until February, one
# closed for good, one closing only in June, and a café with one running and one past offer.
STATUSES: dict[str, dict[str, str]] = {
    "JO-SF-004": {"Status": "Coming soon", "Status Date": "2027-03-14"},
    "JO-OAK-001": {"Status": "temporarily_closed", "Status Date": "2027-02-01"},
    "JO-SF-003": {"Status": "closed"},
    "JO-LA-001": {"Status": "closed", "Status Date": "2027-06-01"},
    "JO-SF-002": {"Promotions": '[{"title": "Winter cortado 2 for 1", "start": "2027-01-01", '
                                '"end": "2027-01-31", "text": "Bring a friend."}, '
                                '{"title": "Autumn blend launch", "start": "2026-10-01", '
                                '"end": "2026-10-31"}]'},
}


def write_rows(site: Path, changes: Mapping[str, Mapping[str, str]]) -> None:
    """Apply `changes` (store code -> {column: value}) to the site's locations.csv."""
    path = site / "locations" / "locations.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    columns = list(rows[0])
    columns += [c for c in EXTRA_COLUMNS if c not in columns]
    for row in rows:
        for column in EXTRA_COLUMNS:
            row.setdefault(column, "")
        row.update(changes.get(row["store_code"], {}))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def status_site(dest: Path, changes: Mapping[str, Mapping[str, str]] | None = None) -> Path:
    site = copy_example(dest)
    config = site / "config" / "base.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("    booking_url: Booking URL\n",
                                   "    booking_url: Booking URL\n" + MAPPING), encoding="utf-8")
    write_rows(site, STATUSES if changes is None else changes)
    return site


class _Elements(HTMLParser):
    """The text of every element carrying a class, and every element's attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str], list[str]]] = []  # tag, attrs, text
        self._open: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {k: v or "" for k, v in attrs}, []))
        if tag not in ("meta", "link", "input", "br", "img", "source", "hr"):
            self._open.append(len(self.found) - 1)

    def handle_endtag(self, tag: str) -> None:
        for position in range(len(self._open) - 1, -1, -1):
            if self.found[self._open[position]][0] == tag:
                del self._open[position:]
                return

    def handle_data(self, data: str) -> None:
        for index in self._open:
            self.found[index][2].append(data)


def elements(path: Path) -> list[tuple[str, dict[str, str], str]]:
    """(tag, attributes, text) of every element of an HTML file, in document order."""
    parser = _Elements()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return [(tag, attrs, " ".join("".join(text).split())) for tag, attrs, text in parser.found]


def with_class(path: Path, name: str) -> list[str]:
    """The text of each element of `path` with the class `name`."""
    return [text for _, attrs, text in elements(path)
            if name in re.split(r"\s+", attrs.get("class", ""))]


def page_file(root: Path, url: str) -> Path:
    return root / url.strip("/") / "index.html"
