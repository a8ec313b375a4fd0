"""The local lead inbox: a real HTTP server on 127.0.0.1 mounts `sitegen.leads` at
POST /_sitegen/leads (as `sitegen serve` does), and leads land in `.sitegen/leads.jsonl`,
spam marked (the honeypot filled, or sent sooner than leads.min_seconds, here 3)."""

from __future__ import annotations

import http.client
import http.server
import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from sitegen.environments import LOCAL_INBOX
from sitegen.leads import InboxRules, handle_inbox, parse_body, store_lead


@pytest.fixture
def inbox(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    site = tmp_path / "site"
    site.mkdir()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - stdlib's name
            if self.path != LOCAL_INBOX:
                self.send_error(404)
                return
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            answer = handle_inbox(site, body, self.headers.get("Content-Type") or "",
                                  self.headers.get("Accept") or "", InboxRules(min_seconds=3))
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            if "Content-Length" not in answer.headers:
                self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site, server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def post(port: int, body: bytes, content_type: str, accept: str = "*/*"
         ) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", LOCAL_INBOX, body=body,
                           headers={"Content-Type": content_type, "Accept": accept})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def leads(site: Path) -> list[dict]:
    path = site / ".sitegen" / "leads.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_json_post_is_stored_as_one_line(inbox: tuple[Path, int],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    site, port = inbox
    lead = {"name": "Ada", "email": "ada@example.com", "message": "Hello — café?",
            "location_id": "JO-SF-001", "page_url": "http://127.0.0.1:8000/locations/x/",
            "utm_source": "newsletter", "consent": "yes", "_started": "1700000000000"}
    status, headers, body = post(port, json.dumps(lead).encode(), "application/json",
                                 "application/json")
    assert status == 200 and json.loads(body)["ok"] is True
    stored = leads(site)
    assert len(stored) == 1
    record = stored[0]
    assert record["location_id"] == "JO-SF-001" and record["spam"] is False
    assert record["fields"]["message"] == "Hello — café?"
    assert record["fields"]["utm_source"] == "newsletter"
    assert record["received"].endswith("Z")
    assert "lead from Ada for JO-SF-001 -> .sitegen/leads.jsonl" in capsys.readouterr().err


def test_form_post_without_javascript_is_stored_and_redirected(inbox: tuple[Path, int]) -> None:
    site, port = inbox
    form = {"name": "Grace", "email": "grace@example.com", "message": "Line 1\nLine 2",
            "location_id": "", "page_url": "http://127.0.0.1:8000/contact/", "consent": "yes",
            "_gotcha": "", "_next": "http://127.0.0.1:8000/thanks/"}
    status, headers, _ = post(port, urlencode(form).encode(),
                              "application/x-www-form-urlencoded",
                              "text/html,application/xhtml+xml")
    assert status == 303 and headers["Location"] == "/thanks/"
    (record,) = leads(site)
    assert record["fields"]["message"] == "Line 1\nLine 2"
    assert "_gotcha" not in record["fields"] and "_next" not in record["fields"]
    assert record["page_url"] == "http://127.0.0.1:8000/contact/"


def test_leads_append_and_spam_is_flagged(inbox: tuple[Path, int]) -> None:
    site, port = inbox
    answers = []
    for number, trap in enumerate(("", "http://spam.example")):
        body = urlencode({"name": f"n{number}", "_gotcha": trap}).encode()
        answers.append(post(port, body, "application/x-www-form-urlencoded",
                            "application/json")[0])
    assert answers == [200, 200]  # a bot learns nothing from the answer
    assert [(r["spam"], r["spam_reason"]) for r in leads(site)] == [
        (False, None), (True, "the _gotcha honeypot is filled")]


def test_a_lead_sent_sooner_than_min_seconds_is_marked_spam(inbox: tuple[Path, int],
                                                           capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    site, port = inbox
    now = int(time.time() * 1000)
    for name, started in (("quick", now - 1000), ("future", now + 60_000),
                          ("human", now - 10_000), ("no-js", ""), ("odd", "soon")):
        body = urlencode({"name": name, "_started": started, "_gotcha": ""}).encode()
        assert post(port, body, "application/x-www-form-urlencoded",
                    "application/json")[0] == 200
    records = {r["fields"]["name"]: r for r in leads(site)}
    assert [name for name, r in records.items() if r["spam"]] == ["quick", "future"]
    assert re.fullmatch(r"sent [01]\.\d s after the form was shown \(leads\.min_seconds is 3\)",
                        records["quick"]["spam_reason"]), records["quick"]
    assert records["future"]["spam_reason"] == \
        "sent 0.0 s after the form was shown (leads.min_seconds is 3)"
    assert all(records[n]["spam_reason"] is None for n in ("human", "no-js", "odd"))
    err = capsys.readouterr().err
    assert "lead (spam: sent " in err and "lead from human for the site" in err


def test_an_unreadable_body_is_a_400_and_stores_nothing(inbox: tuple[Path, int]) -> None:
    site, port = inbox
    status, _, body = post(port, b"{not json", "application/json", "application/json")
    assert status == 400 and "cannot read" in json.loads(body)["error"]
    status, _, _ = post(port, b"[1, 2]", "application/json", "application/json")
    assert status == 400
    status, _, _ = post(port, b"<xml/>", "application/xml", "application/json")
    assert status == 400
    assert not (site / ".sitegen" / "leads.jsonl").exists()


def test_an_absolute_next_never_redirects_off_site(inbox: tuple[Path, int]) -> None:
    _, port = inbox
    body = urlencode({"name": "x", "_next": "https://evil.example/phish"}).encode()
    status, headers, _ = post(port, body, "application/x-www-form-urlencoded")
    assert status == 303 and headers["Location"] == "/phish"
    body = urlencode({"name": "x", "_next": "//evil.example/x"}).encode()
    status, headers, _ = post(port, body, "application/x-www-form-urlencoded")
    assert headers["Location"] == "/x"
    body = urlencode({"name": "x", "_next": "javascript:alert(1)"}).encode()
    status, headers, _ = post(port, body, "application/x-www-form-urlencoded")
    assert headers["Location"] == "/thanks/"


def test_store_lead_and_parse_body_directly(tmp_path: Path) -> None:
    record = store_lead(tmp_path, b"name=A&tag=x&tag=y", "application/x-www-form-urlencoded")
    assert record["fields"] == {"name": "A", "tag": ["x", "y"]}
    multipart = (b"--b\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nBo\r\n"
                 b"--b--\r\n")
    assert parse_body(multipart, "multipart/form-data; boundary=b") == {"name": "Bo"}
