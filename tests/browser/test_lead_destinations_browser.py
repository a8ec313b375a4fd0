"""Native lead destinations in Chromium (issue 25): HubSpot Forms, Salesforce Web-to-Lead and
Netlify Forms (the webhook and Formspree: test_leads_browser.py).

Each is a production build of the example site whose `leads.hubspot` / `leads.salesforce`
`endpoint` points at a local receiver on another port of 127.0.0.1 (the documented override
for tests and proxies), so every submission is a real cross-origin request from the browser.
The receivers check the request as the services document it:

- HubSpot: POST {endpoint}/submissions/v3/integration/submit/{portal_id}/{form_id}, JSON
  `{"fields": [{"objectTypeId", "name", "value"}], "context": {"pageUri", "pageName"}}`, after
  a CORS preflight the API answers (it does, for browsers);
- Salesforce: POST {endpoint}/servlet/servlet.WebToLead?encoding=UTF-8, form-encoded with
  `oid`, `retURL` and Salesforce's field names; Salesforce sends no CORS headers, so the
  page posts a CORS-free "simple request".
"""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from support.leadpages import HAYES, SUCCESS, Live, built, fill, page_in, settle, status
from support.servers import LocalServer, Reply, Seen
from support.sites import copy_example, run_cli

pytestmark = pytest.mark.browser

PORTAL, FORM = "1234567", "0a1b2c3d-1111-2222-3333-444455556666"
ORG = "00D5e000000AbCd"
CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": "Content-Type, Accept"}


def hubspot_reply(seen: Seen) -> Reply:
    if seen.method == "OPTIONS":
        return Reply(204, dict(CORS))
    if seen.path != f"/submissions/v3/integration/submit/{PORTAL}/{FORM}":
        return Reply(404, dict(CORS))
    return Reply(200, {**CORS, "Content-Type": "application/json"},
                 b'{"inlineMessage": "Thanks for submitting the form."}')


def salesforce_reply(seen: Seen) -> Reply:
    if seen.method != "POST":
        return Reply(405)
    return Reply(200, {"Content-Type": "text/html"}, b"<html><body></body></html>")


@pytest.fixture(scope="module")
def hubspot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, LocalServer]]:
    with LocalServer(hubspot_reply) as receiver:
        config = (f"{{portal_id: '{PORTAL}', form_id: '{FORM}', endpoint: '{receiver.url}', "
                  "fields: {name: firstname, email: email, phone: phone, message: message, "
                  "location_id: store_code}}")
        with built(tmp_path_factory.mktemp("hubspot"), {"SITEGEN_LEADS__HUBSPOT": config}) as base:
            yield base, receiver


@pytest.fixture(scope="module")
def salesforce(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, LocalServer]]:
    with LocalServer(salesforce_reply) as receiver:
        config = (f"{{org_id: '{ORG}', endpoint: '{receiver.url}/'}}")
        with built(tmp_path_factory.mktemp("salesforce"),
                   {"SITEGEN_LEADS__SALESFORCE": config}) as base:
            yield base, receiver


def submit(live: Live) -> Any:
    with page_in(live) as page:
        page.goto(f"{live.base}{HAYES}")
        fill(page, message="Table for 10 on Friday?")
        settle(page)
        page.click("#lead-form button[type=submit]")
        status(page).filter(has_text=SUCCESS).wait_for()
        return page.title()


def test_a_lead_reaches_hubspot_as_its_documented_json(local_browser: Any, hubspot: Any) -> None:
    base, receiver = hubspot
    title = submit(Live(base, local_browser))
    preflight, post = receiver.requests
    assert preflight.method == "OPTIONS" and post.method == "POST"
    assert post.path == f"/submissions/v3/integration/submit/{PORTAL}/{FORM}"
    assert post.content_type == "application/json" and post.header("Origin") == base
    assert json.loads(post.body) == {
        "fields": [
            {"objectTypeId": "0-1", "name": "firstname", "value": "Ada Lovelace"},
            {"objectTypeId": "0-1", "name": "email", "value": "ada@example.com"},
            {"objectTypeId": "0-1", "name": "phone", "value": "+1 415 555 0100"},
            {"objectTypeId": "0-1", "name": "message", "value": "Table for 10 on Friday?"},
            {"objectTypeId": "0-1", "name": "store_code", "value": "JO-SF-001"}],
        "context": {"pageUri": base + HAYES, "pageName": title}}


def test_a_lead_reaches_salesforce_web_to_lead(local_browser: Any, salesforce: Any) -> None:
    base, receiver = salesforce
    submit(Live(base, local_browser))
    (post,) = receiver.requests  # a simple request: no preflight
    assert post.method == "POST" and post.path == "/servlet/servlet.WebToLead?encoding=UTF-8"
    assert post.content_type == "application/x-www-form-urlencoded"
    assert parse_qsl(post.body.decode("utf-8")) == [
        ("last_name", "Ada Lovelace"), ("email", "ada@example.com"),
        ("phone", "+1 415 555 0100"), ("description", "Table for 10 on Friday?"),
        ("oid", ORG), ("retURL", f"{base}/thanks/")]


def netlify_like(root: Path) -> Callable[[Seen], Reply]:
    """A static host that takes form posts as Netlify Forms does: GET serves the build, a
    POST to a page of the site with `form-name` is stored and answered with a redirect back
    to that page (here /thanks/)."""
    def reply(seen: Seen) -> Reply:
        path = seen.path.split("?", 1)[0]
        if seen.method == "POST":
            ok = seen.content_type == "application/x-www-form-urlencoded"
            return Reply(303, {"Location": path}) if ok else Reply(415)
        target = root / path.lstrip("/")
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            return Reply(404)
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return Reply(200, {"Content-Type": kind}, target.read_bytes())
    return reply


def test_a_lead_reaches_netlify_forms_on_the_site_itself(local_browser: Any,
                                                        tmp_path: Path) -> None:
    site = copy_example(tmp_path / "site")
    out = tmp_path / "out"
    with LocalServer(netlify_like(out)) as host:
        result = run_cli("build", "--source", site, "--out", out, env={
            "SITEGEN_BASE_URL": host.url, "SITEGEN_LEADS__NETLIFY": "true"})
        assert result.returncode == 0, str(result)
        submit(Live(host.url, local_browser))
        (post,) = host.posts()
    assert post.path == "/thanks/" and post.header("Origin") == host.url
    fields = dict(parse_qsl(post.body.decode("utf-8"), keep_blank_values=True))
    assert fields["form-name"] == "enquiry" and fields["location_id"] == "JO-SF-001"
    assert (fields["name"], fields["email"], fields["message"]) == (
        "Ada Lovelace", "ada@example.com", "Table for 10 on Friday?")
