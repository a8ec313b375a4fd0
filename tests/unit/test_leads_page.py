"""The dev server's inbox page (serve/leadspage.py): newest first, filtered by location,
every field escaped, a line that is not a lead named by its number, and clear."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.serve.leadspage import clear, clear_target, read_entries, render

HOSTILE = ["<script>alert(1)</script>", "</script><img src=x onerror=alert(1)>", '"quoted"',
           "javascript:alert(1)", "../../etc/passwd", "مرحبا", "☕️🚀"]


def write(site: Path, *records: object, raw: str = "") -> None:
    inbox = site / ".sitegen" / "leads.jsonl"
    inbox.parent.mkdir(parents=True, exist_ok=True)
    inbox.write_text("".join(json.dumps(r) + "\n" for r in records) + raw, encoding="utf-8")


def lead(location: str, message: str, received: str = "2026-12-06T10:00:00Z") -> dict:
    return {"received": received, "location_id": location, "spam": False, "spam_reason": None,
            "page_url": "", "fields": {"message": message, "location_id": location}}


def test_newest_first_filtered_and_cleared_by_location(tmp_path: Path) -> None:
    write(tmp_path, lead("A", "one"), lead("B", "two"), lead("A", "three"))
    assert [e.lead["fields"]["message"] for e in read_entries(tmp_path)] == [
        "three", "two", "one"]
    page = render(tmp_path, "location=A").decode()
    assert 'data-count="2"' in page and "three" in page and "one" in page and "two" not in page
    assert page.index("three") < page.index("one")
    assert clear_target(b"location=A") == "A" and clear_target(b"location=") is None
    assert clear(tmp_path, "A") == 2
    assert [e.location for e in read_entries(tmp_path)] == ["B"]
    assert clear(tmp_path, None) == 1
    assert read_entries(tmp_path) == [] and 'data-count="0"' in render(tmp_path, "").decode()


def test_a_line_that_is_not_a_lead_is_listed_with_its_number(tmp_path: Path) -> None:
    write(tmp_path, lead("A", "fine"), raw="{not json\n[1, 2]\n")
    page = render(tmp_path, "").decode()
    assert "Line 2 of .sitegen/leads.jsonl is not JSON (" in page
    assert "Line 3 of .sitegen/leads.jsonl is not a lead record (no fields object)." in page
    assert 'data-count="1"' in page


@settings(max_examples=60, deadline=None)
@given(value=st.sampled_from(HOSTILE) | st.text(min_size=1, max_size=40),
       key=st.sampled_from(HOSTILE) | st.text(min_size=1, max_size=20))
def test_every_field_is_escaped(tmp_path_factory, value: str, key: str) -> None:
    site = tmp_path_factory.mktemp("inbox")
    record = lead(value, value)
    record["fields"][key] = value
    write(site, record)
    body = render(site, "").decode().split("</style>", 1)[1]
    assert "<script" not in body and "<img" not in body
    assert f"<dt>{escape(key)}</dt><dd>{escape(value)}</dd>" in body
