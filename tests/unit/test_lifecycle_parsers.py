"""The parsers and pure functions of issue 26: status, dates, promotions, the effective status
on a build date, ledger paths, and the redirect rules of each host."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from sitegen.data.ledger import Ledger, is_site_path, quick_read, read_ledger
from sitegen.data.lifecycle import (
    STATUSES,
    LifecycleError,
    Promotion,
    parse_date,
    parse_promotions,
    parse_status,
)
from sitegen.data.locations import safe_url
from sitegen.diagnostics import Report
from sitegen.model.lifecycle import effective
from sitegen.output.redirects import redirect_sections, with_redirects

HOSTILE = ["<script>alert(1)</script>", "</script>", "\"quoted\"", "'single'",
           "javascript:alert(1)", "../../etc/passwd", "שלום", "☕️🍩", "a b", "a;b", "$host"]
D = datetime.date


@pytest.mark.parametrize(("written", "status"), [
    ("open", "open"), ("Coming soon", "coming_soon"), ("COMING-SOON", "coming_soon"),
    ("temporarily closed", "temporarily_closed"), (" closed ", "closed")])
def test_status_spellings(written: str, status: str) -> None:
    assert parse_status(written) == status


@given(st.text(max_size=40))
def test_parse_status_accepts_only_the_four_statuses(text: str) -> None:
    try:
        status = parse_status(text)
    except LifecycleError as exc:
        assert exc.message == f"'{text[:40]}' is not a status"
        assert exc.hint == "write one of open, coming_soon, temporarily_closed, closed"
    else:
        assert status in STATUSES


@given(st.dates())
def test_every_date_reads_back_from_its_iso_text(day: datetime.date) -> None:
    if day.year >= 1000:
        assert parse_date(day.isoformat()) == day
    assert parse_date(day) == day


@pytest.mark.parametrize("text", [*HOSTILE, "14/03/2027", "2027-3-14", "2027-02-30", "",
                                  "20270314"])
def test_bad_dates_say_how_to_write_one(text: str) -> None:
    with pytest.raises(LifecycleError) as caught:
        parse_date(text)
    assert caught.value.message == f"'{text.strip()[:40]}' is not a date"
    assert caught.value.hint == "write the date as YYYY-MM-DD, e.g. 2027-03-14"


@pytest.mark.parametrize(("status", "date", "today", "expected"), [
    ("coming_soon", D(2027, 3, 14), D(2027, 3, 13), ("coming_soon", D(2027, 3, 14))),
    ("coming_soon", D(2027, 3, 14), D(2027, 3, 14), ("open", None)),
    ("coming_soon", None, D(2030, 1, 1), ("coming_soon", None)),
    ("temporarily_closed", D(2027, 2, 1), D(2027, 1, 31), ("temporarily_closed", D(2027, 2, 1))),
    ("temporarily_closed", D(2027, 2, 1), D(2027, 2, 1), ("open", None)),
    ("closed", D(2027, 6, 1), D(2027, 5, 31), ("open", None)),
    ("closed", D(2027, 6, 1), D(2027, 6, 1), ("closed", D(2027, 6, 1))),
    ("closed", None, D(2027, 1, 1), ("closed", None)),
    ("open", None, D(2027, 1, 1), ("open", None)),
])
def test_status_on_the_build_date(status: str, date: datetime.date | None,
                                  today: datetime.date, expected: tuple) -> None:
    assert effective(status, date, today) == expected


def test_promotions_from_a_cell_and_their_days() -> None:
    [promo] = parse_promotions('[{"title": "2 for 1", "start": "2027-01-01", '
                               '"end": "2027-01-31", "url": "/offers/"}]', safe_url)
    assert promo == Promotion("2 for 1", D(2027, 1, 1), D(2027, 1, 31), "", "/offers/")
    assert [promo.active(D(2027, 1, d)) for d in (1, 31)] == [True, True]
    assert not promo.active(D(2026, 12, 31)) and not promo.active(D(2027, 2, 1))


@pytest.mark.parametrize(("value", "message"), [
    ("[1]", "each promotion needs a title, a start and an end"),
    ('[{"title": "x", "start": "2027-01-01"}]', "each promotion needs a title, a start and "
                                                "an end"),
    ('[{"title": "x", "start": "2027-01-01", "end": "2027-01-02", "url": "javascript:x"}]',
     "promotion link 'javascript:x' is not an http(s) or site-relative URL"),
    ('[{"title": "x", "start": "2027-01-01", "end": "2027-01-02", "<script>": 1}]',
     "unknown promotion key '<script>'"),
    ("{", "promotions must be a JSON list of {title, start, end}"),
])
def test_bad_promotions(value: str, message: str) -> None:
    with pytest.raises(LifecycleError) as caught:
        parse_promotions(value, safe_url)
    assert caught.value.message == message


@given(st.text(max_size=60))
def test_a_site_path_cannot_break_out_of_a_host_rule(text: str) -> None:
    if is_site_path(text):
        assert text.startswith("/") and not text.startswith("//")
        assert not set(text) & set(" \t\r\n\"'`;$<>{}()\\#?&|")
        assert not {".", ".."} & set(text.split("/"))
        assert text.endswith(("/", ".html", ".htm"))


@pytest.mark.parametrize("text", HOSTILE + ["/" + h + "/" for h in HOSTILE])
def test_hostile_paths_are_not_site_paths(text: str) -> None:
    assert not is_site_path(text)


def test_rules_for_every_host_and_vercel_keeps_its_headers() -> None:
    redirects = [("/old/a.b/", "/new/")]
    sections = redirect_sections(redirects)
    assert sections["_redirects"][1:] == ["/old/a.b/ /new/ 301!"]
    assert sections[".htaccess"][2] == "  RedirectMatch 301 ^/old/a\\.b/$ /new/"
    assert sections["_sitegen/nginx.conf"][1:] == ["location = /old/a.b/ { return 301 /new/; }"]
    headers = {"headers": [{"source": "/(.*)", "headers": []}]}
    files = with_redirects({"vercel.json": json.dumps(headers).encode()}, redirects)
    vercel = json.loads(files["vercel.json"])
    assert vercel["headers"] == headers["headers"]
    assert vercel["redirects"] == [{"source": "/old/a.b/", "destination": "/new/",
                                    "statusCode": 301}]
    assert with_redirects({"x": b"1"}, []) == {"x": b"1"}


def test_ledger_text_reads_back_and_published_keeps_history(tmp_path: Path) -> None:
    ledger = Ledger({"B": ["/b/"]}, {"/x.html": "B"}).published({"B": "/b2/", "A": "/a/"})
    assert ledger.locations == {"B": ["/b/", "/b2/"], "A": ["/a/"]}
    (tmp_path / "locations").mkdir()
    (tmp_path / "locations" / "redirects.yaml").write_text(ledger.text(), encoding="utf-8")
    report = Report()
    again = read_ledger(tmp_path, "locations/redirects.yaml", report)
    assert report.items == []
    assert (again.locations, again.paths) == (ledger.locations, ledger.paths)
    assert list(again.locations) == ["A", "B"]  # sorted by id


SEGMENT = st.text(alphabet="abcxyz019._~%+@,:=-", min_size=1, max_size=8).filter(
    lambda s: s not in (".", ".."))
PATHS = st.lists(SEGMENT, max_size=4).map(lambda parts: "/" + "".join(p + "/" for p in parts))
IDS = st.text(max_size=12).filter(lambda s: "\x00" not in s and s.strip() == s and s != "")


@given(st.dictionaries(IDS, st.lists(PATHS, min_size=1, max_size=3), max_size=6),
       st.dictionaries(PATHS, st.one_of(PATHS, IDS.filter(lambda s: not s.startswith("/"))),
                       max_size=4))  # a target starting with / is a path (read_ledger)
def test_the_quick_reader_reads_what_yaml_reads(locations: dict[str, list[str]],
                                                paths: dict[str, str]) -> None:
    text = Ledger(locations, paths).text()
    loaded = yaml.load(text, Loader=yaml.SafeLoader)
    quick = quick_read(text)
    assert quick is not None
    assert quick[0]["locations"] == (loaded["locations"] or {}) == locations
    assert quick[0].get("paths", {}) == (loaded.get("paths") or {}) == paths
