"""Lead forms in Chromium against production builds, posting cross-origin to real receivers.

Two builds of the example site, each served by a local static server, with the receivers on
other ports of 127.0.0.1 (so every submission is a real cross-origin request; no request
interception, which would answer CORS preflights itself and hide exactly what is tested):

- the default config (`leads.encoding: form`): the webhook is a `PlainReceiver` that sends no
  CORS header at all, and the Mission location is routed to a `FormspreeLike` backend that
  honours `_next` as Formspree documents;
- `leads.encoding: json`: the webhook answers CORS (a `Webhook`), and the Mission location is
  routed to a `PlainReceiver`, whose missing CORS answer loses the lead (hence the warning).

And `sitegen serve` (development, a subprocess): its own pages' leads reach the inbox, and a
page of another origin (a static server on another port) cannot post into it.

SITEGEN_BASE_URL points at the static server, so `_next` (/thanks/) stays on this machine;
the receivers are http://, so the builds set leads.allow_insecure.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from support.browser import serve
from support.leadpages import HAYES, SUCCESS, Live, built, fill, page_in, settle, status
from support.serve import ServeProcess
from support.servers import FormspreeLike, PlainReceiver, Webhook
from support.sites import copy_example

pytestmark = pytest.mark.browser

MISSION = "/locations/us/ca/san-francisco/juniper-oak-coffee-mission/"
KEPT = "sitegen.leads.unsent"


@dataclass
class FormSite(Live):
    """The default config: form posts to a receiver without CORS; Mission to Formspree."""

    hook: PlainReceiver
    formspree: FormspreeLike


@dataclass
class JsonSite(Live):
    """`leads.encoding: json`: a webhook that answers CORS; Mission to one that does not."""

    hook: Webhook
    plain: PlainReceiver


@pytest.fixture(scope="module")
def form_site(tmp_path_factory: pytest.TempPathFactory, local_browser: Any) -> Iterator[FormSite]:
    with PlainReceiver() as hook, FormspreeLike() as formspree, built(
            tmp_path_factory.mktemp("leads-form"), {
                "SITEGEN_LEADS__WEBHOOK_URL": f"{hook.url}/hooks/catch/123/abc/",
                "SITEGEN_LEADS__ROUTES": f"{{JO-SF-002: '{formspree.url}/f/xyzabcde'}}"}
    ) as base:
        yield FormSite(base, local_browser, hook, formspree)


@pytest.fixture(scope="module")
def json_site(tmp_path_factory: pytest.TempPathFactory, local_browser: Any) -> Iterator[JsonSite]:
    with Webhook() as hook, PlainReceiver() as plain, built(
            tmp_path_factory.mktemp("leads-json"), {
                "SITEGEN_LEADS__ENCODING": "json",
                "SITEGEN_LEADS__WEBHOOK_URL": f"{hook.url}/hooks/catch/123/abc/",
                "SITEGEN_LEADS__ROUTES": f"{{JO-SF-002: '{plain.url}/leads'}}"}) as base:
        yield JsonSite(base, local_browser, hook, plain)


@pytest.fixture
def hook(form_site: FormSite) -> Iterator[PlainReceiver]:
    """The default site's receiver, emptied, answering 200, and running again afterwards."""
    form_site.hook.requests.clear()
    form_site.formspree.requests.clear()
    form_site.hook.status = 200
    yield form_site.hook
    form_site.hook.status = 200
    if not form_site.hook.running:  # a test stopped it and failed before starting it again
        form_site.hook.start()


@pytest.fixture
def cors_hook(json_site: JsonSite) -> Iterator[Webhook]:
    json_site.hook.requests.clear()
    json_site.plain.requests.clear()
    json_site.hook.status = 200
    yield json_site.hook
    json_site.hook.status = 200


def kept(page: Any) -> Any:
    """The unsent leads this tab keeps (None when there are none)."""
    return page.evaluate(f"JSON.parse(sessionStorage.getItem('{KEPT}'))")


def typed(page: Any) -> tuple[str, str, str, bool]:
    return (page.input_value("#lead-form-name"), page.input_value("#lead-form-email"),
            page.input_value("#lead-form-message"), page.is_checked("#lead-form-consent"))


# --- the default: a form post that needs no CORS --------------------------------------------------

def test_a_lead_reaches_a_receiver_without_cors_headers(form_site: FormSite,
                                                        hook: PlainReceiver) -> None:
    with page_in(form_site) as page:
        page.goto(f"{form_site.base}{HAYES}?utm_source=newsletter&utm_medium=email"
                  "&utm_campaign=spring")
        assert page.is_visible("[data-lead-keep-note]")  # told before sending
        fill(page)
        settle(page)
        page.click("#lead-form button[type=submit]")
        status(page).filter(has_text=SUCCESS).wait_for()
        assert [r.method for r in hook.requests] == ["POST"], "a preflight was sent"
        post = hook.posts()[0]
        assert post.path == "/hooks/catch/123/abc/"
        assert post.content_type == "application/x-www-form-urlencoded"
        assert post.header("Origin") == form_site.base
        data = post.fields()
        assert data["location_id"] == "JO-SF-001"
        assert data["location_name"] == "Juniper & Oak Coffee — Hayes Valley"
        assert data["page_url"] == form_site.base + HAYES
        assert (data["utm_source"], data["utm_medium"], data["utm_campaign"]) == (
            "newsletter", "email", "spring")
        assert data["utm_term"] == data["utm_content"] == ""
        assert data["consent"] == "yes"
        assert data["consent_text"].startswith("I agree that Juniper & Oak")
        assert data["environment"] == "production"
        assert (data["name"], data["email"]) == ("Ada Lovelace", "ada@example.com")
        assert data["message"] == "Can I book the back room for 10 people?"
        assert len(data["submission_id"]) == 36 and data["_started"].isdigit()
        assert "_gotcha" not in data and "_next" not in data
        # Sent: the form is cleared for the next message, and nothing is kept.
        assert page.input_value("#lead-form-message") == ""
        assert kept(page) is None


def test_utm_values_are_kept_from_the_landing_page(form_site: FormSite,
                                                   hook: PlainReceiver) -> None:
    with page_in(form_site) as page:
        page.goto(f"{form_site.base}/?utm_source=ads&utm_campaign=winter")
        page.goto(f"{form_site.base}{HAYES}")
        fill(page)
        settle(page)
        page.click("#lead-form button[type=submit]")
        status(page).filter(has_text=SUCCESS).wait_for()
        data = hook.posts()[0].fields()
        assert (data["utm_source"], data["utm_campaign"]) == ("ads", "winter")


def test_contact_page_form_has_no_location(form_site: FormSite, hook: PlainReceiver) -> None:
    with page_in(form_site) as page:
        page.goto(f"{form_site.base}/contact/")
        fill(page)
        settle(page)
        page.click("#lead-form button[type=submit]")
        status(page).filter(has_text=SUCCESS).wait_for()
        data = hook.posts()[0].fields()
        assert data["location_id"] == "" and data["page_url"] == f"{form_site.base}/contact/"


def test_honeypot_filled_submission_is_not_sent(form_site: FormSite,
                                                hook: PlainReceiver) -> None:
    with page_in(form_site) as page:
        page.goto(f"{form_site.base}{HAYES}")
        hidden = page.locator("input[name=_gotcha]")
        assert hidden.get_attribute("tabindex") == "-1"
        assert hidden.get_attribute("autocomplete") == "off"
        assert page.locator(".hp").get_attribute("aria-hidden") == "true"
        fill(page)
        settle(page)
        hidden.evaluate("el => el.value = 'http://spam.example'")
        page.click("#lead-form button[type=submit]")
        status(page).filter(has_text=SUCCESS).wait_for()  # a bot learns nothing
        page.wait_for_timeout(300)
        assert hook.posts() == [] and kept(page) is None


def test_a_submission_faster_than_min_seconds_is_refused(form_site: FormSite,
                                                         hook: PlainReceiver) -> None:
    with page_in(form_site) as page:
        page.goto(f"{form_site.base}{HAYES}")
        fill(page)
        page.click("#lead-form button[type=submit]")  # well under 3 s after loading
        status(page).filter(has_text="That was quick").wait_for()
        assert hook.posts() == []
        assert page.input_value("#lead-form-name") == "Ada Lovelace"


def test_validation_marks_fields_and_focuses_the_first_invalid(form_site: FormSite,
                                                                hook: PlainReceiver) -> None:
    with page_in(form_site) as page:
        page.goto(f"{form_site.base}{HAYES}")
        settle(page)
        page.fill("#lead-form-email", "not-an-email")
        page.click("#lead-form button[type=submit]")
        assert page.evaluate("document.activeElement.id") == "lead-form-name"
        name = page.locator("#lead-form-name")
        assert name.get_attribute("aria-invalid") == "true"
        assert "lead-form-name-error" in name.get_attribute("aria-describedby").split()
        assert page.text_content("#lead-form-name-error") == "Enter your name."
        assert page.text_content("#lead-form-email-error") == \
            "Enter an email address like name@example.com."
        assert page.text_content("#lead-form-consent-error").startswith("Tick the box")
        assert page.locator("#lead-form-phone").get_attribute("aria-invalid") is None
        assert hook.posts() == []
        # Fixing a field clears its message as the visitor types.
        page.fill("#lead-form-name", "Ada")
        assert name.get_attribute("aria-invalid") is None
        assert page.text_content("#lead-form-name-error") == ""


# --- nothing lost: a lead typed while the receiver is down ----------------------------------------

def send_while_down(page: Any, site: FormSite, message: str) -> dict[str, Any]:
    """Open Hayes, fill, stop the receiver, send: the failure keeps the lead; return it."""
    page.goto(f"{site.base}{HAYES}")
    fill(page, message=message)
    settle(page)
    site.hook.stop()
    page.click("#lead-form button[type=submit]")
    status(page).filter(has_text="could not be sent").wait_for()
    assert "network error" in status(page).text_content()
    assert "It is kept in this browser tab" in status(page).text_content()
    assert page.is_visible("[data-lead-retry]") and page.is_visible("[data-lead-forget]")
    (entry,) = kept(page)
    assert entry["data"]["message"] == message
    return entry


def test_a_lead_typed_while_the_receiver_is_down_survives_a_reload_and_arrives_later(
        form_site: FormSite, hook: PlainReceiver) -> None:
    with page_in(form_site) as page:
        entry = send_while_down(page, form_site, "Are you open on Thanksgiving?")
        page.reload()  # still down: what was typed comes back, and the retry fails again
        status(page).filter(has_text="could not be sent").wait_for()
        assert typed(page) == ("Ada Lovelace", "ada@example.com",
                               "Are you open on Thanksgiving?", True)
        assert page.input_value("#lead-form-phone") == "+1 415 555 0100"
        assert hook.posts() == []
        hook.start()  # the same port again
        page.click("[data-lead-retry]")
        status(page).filter(has_text=SUCCESS).wait_for()
        (post,) = hook.posts()
        data = post.fields()
        assert data["message"] == "Are you open on Thanksgiving?"
        assert data["location_id"] == "JO-SF-001"
        assert data["submission_id"] == entry["data"]["submission_id"]  # one lead, one id
        assert kept(page) is None
        page.reload()
        assert typed(page) == ("", "", "", False)
        page.wait_for_timeout(300)
        assert len(hook.posts()) == 1


def test_a_kept_lead_is_sent_on_the_next_visit_without_a_click(form_site: FormSite,
                                                               hook: PlainReceiver) -> None:
    with page_in(form_site) as page:
        entry = send_while_down(page, form_site, "Do you sell decaf beans?")
        hook.start()
        page.goto(f"{form_site.base}/")  # another page of the site, in the same tab
        page.wait_for_function(f"sessionStorage.getItem('{KEPT}') === null")
        (post,) = hook.posts()
        data = post.fields()
        assert data["message"] == "Do you sell decaf beans?"
        assert data["page_url"] == form_site.base + HAYES
        assert data["submission_id"] == entry["data"]["submission_id"]
        page.goto(f"{form_site.base}{HAYES}")
        assert typed(page) == ("", "", "", False) and status(page).text_content() == ""


def test_a_kept_lead_is_resent_when_its_page_is_opened_again(form_site: FormSite,
                                                             hook: PlainReceiver) -> None:
    with page_in(form_site) as page:
        send_while_down(page, form_site, "Is the back room free on Friday?")
        hook.start()
        page.reload()
        status(page).filter(has_text=SUCCESS).wait_for()
        assert [p.fields()["message"] for p in hook.posts()] == [
            "Is the back room free on Friday?"]
        assert page.input_value("#lead-form-message") == "" and kept(page) is None


def test_a_lead_sent_offline_goes_out_when_the_browser_is_back_online(
        form_site: FormSite, hook: PlainReceiver) -> None:
    with page_in(form_site) as page:
        page.goto(f"{form_site.base}{HAYES}")
        fill(page, message="Written on the train")
        settle(page)
        page.context.set_offline(True)
        page.click("#lead-form button[type=submit]")
        status(page).filter(has_text="could not be sent").wait_for()
        page.fill("#lead-form-message", "Written on the train, then corrected")
        page.context.set_offline(False)  # the browser's online event: no click needed
        status(page).filter(has_text=SUCCESS).wait_for()
        assert [p.fields()["message"] for p in hook.posts()] == [
            "Written on the train, then corrected"]  # what the form holds now
        assert kept(page) is None


def test_discarding_a_kept_lead_forgets_it(form_site: FormSite, hook: PlainReceiver) -> None:
    with page_in(form_site) as page:
        send_while_down(page, form_site, "Forget this one")
        page.click("[data-lead-forget]")
        status(page).filter(has_text="no longer kept").wait_for()
        assert kept(page) is None
        assert page.input_value("#lead-form-message") == "Forget this one"
        hook.start()
        page.reload()
        page.wait_for_timeout(300)
        assert typed(page) == ("", "", "", False)
        assert hook.posts() == []


# --- without JavaScript ---------------------------------------------------------------------------

def test_without_javascript_a_formspree_style_receiver_returns_to_the_thanks_page(
        form_site: FormSite, hook: PlainReceiver) -> None:
    with page_in(form_site, java_script_enabled=False) as page:
        page.goto(f"{form_site.base}{MISSION}")
        fill(page, message="No JavaScript here")
        page.click("#lead-form button[type=submit]")
        page.wait_for_url(f"{form_site.base}/thanks/")
        assert page.text_content("h1") == "Thank you"
        (post,) = form_site.formspree.posts()
        assert post.path == "/f/xyzabcde"
        assert post.content_type == "application/x-www-form-urlencoded"
        data = post.fields()
        assert data["_next"] == f"{form_site.base}/thanks/"
        assert data["_gotcha"] == ""  # the honeypot travels: the receiver checks it
        (lead,) = form_site.formspree.submissions()
        assert lead["location_id"] == "JO-SF-002"
        assert lead["message"] == "No JavaScript here" and lead["consent"] == "yes"
        assert lead["environment"] == "production"
        assert hook.posts() == []


def test_without_javascript_a_plain_webhook_shows_its_own_reply(form_site: FormSite,
                                                                hook: PlainReceiver) -> None:
    """The caveat in docs/leads.md: a receiver that ignores `_next` answers the visitor itself."""
    with page_in(form_site, java_script_enabled=False) as page:
        page.goto(f"{form_site.base}{HAYES}")
        fill(page, message="Plain webhook")
        page.click("#lead-form button[type=submit]")
        page.wait_for_url(f"{hook.url}/hooks/catch/123/abc/")
        assert '{"received": true}' in page.content()
        assert hook.posts()[0].fields()["message"] == "Plain webhook"


def test_formspree_style_receiver_with_javascript(form_site: FormSite,
                                                  hook: PlainReceiver) -> None:
    with page_in(form_site) as page:
        page.goto(f"{form_site.base}{MISSION}")
        fill(page, message="Scripted")
        settle(page)
        page.click("#lead-form button[type=submit]")
        status(page).filter(has_text=SUCCESS).wait_for()
        (lead,) = form_site.formspree.submissions()
        assert lead["message"] == "Scripted" and lead["location_id"] == "JO-SF-002"
        assert page.url == f"{form_site.base}{MISSION}"


# --- leads.encoding: json -------------------------------------------------------------------------

def test_json_is_preflighted_and_a_server_error_is_shown_and_kept(json_site: JsonSite,
                                                                  cors_hook: Webhook) -> None:
    with page_in(json_site) as page:
        page.goto(f"{json_site.base}{HAYES}?utm_source=retry-test")
        fill(page, message="Do you roast your own beans?")
        settle(page)
        cors_hook.status = 500
        page.click("#lead-form button[type=submit]")
        status(page).filter(has_text="could not be sent").wait_for()
        assert "server error 500" in status(page).text_content()
        assert any(r.method == "OPTIONS" for r in cors_hook.requests), "no CORS preflight"
        (failed,) = cors_hook.posts()
        assert failed.content_type == "application/json"
        assert kept(page)[0]["data"]["message"] == "Do you roast your own beans?"
        assert typed(page) == ("Ada Lovelace", "ada@example.com",
                               "Do you roast your own beans?", True)
        cors_hook.status = 200
        page.click("[data-lead-retry]")
        status(page).filter(has_text=SUCCESS).wait_for()
        assert not page.is_visible("[data-lead-retry]")
        posts = cors_hook.posts()
        assert len(posts) == 2
        assert posts[1].fields()["message"] == "Do you roast your own beans?"
        assert posts[1].fields()["utm_source"] == "retry-test"
        assert posts[1].fields()["submission_id"] == failed.fields()["submission_id"]
        assert kept(page) is None


def test_json_to_a_receiver_without_cors_never_arrives_and_is_kept(json_site: JsonSite,
                                                                   cors_hook: Webhook) -> None:
    """Why the build warns about JSON: the preflight fails, the post is never sent."""
    with page_in(json_site) as page:
        page.goto(f"{json_site.base}{MISSION}")
        fill(page, message="Lost without CORS")
        settle(page)
        page.click("#lead-form button[type=submit]")
        status(page).filter(has_text="could not be sent").wait_for()
        assert [r.method for r in json_site.plain.requests] == ["OPTIONS"]
        assert kept(page)[0]["data"]["message"] == "Lost without CORS"


# --- the dev server's inbox -----------------------------------------------------------------------

ATTACK = """<!doctype html><title>Win a prize</title>
<form id="f" method="post" action="{inbox}">
<input name="name" value="Mallory"><input name="message" value="cross-site">
</form>
<script>
fetch("{inbox}", {{method: "POST", mode: "no-cors", body: "name=Mallory&message=fetch",
                  headers: {{"Content-Type": "application/x-www-form-urlencoded"}}}})
  .finally(function () {{ document.getElementById("f").submit(); }});
</script>
"""


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    site = copy_example(tmp_path_factory.mktemp("leads-serve") / "site")
    with ServeProcess(site) as server:
        server.wait_outcome()
        yield server


def inbox(server: ServeProcess) -> list[dict[str, Any]]:
    import json

    path = server.site / ".sitegen" / "leads.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_the_dev_inbox_takes_a_lead_from_its_own_page(local_browser: Any,
                                                      dev: ServeProcess) -> None:
    before = len(inbox(dev))
    with page_in(Live(dev.url, local_browser)) as page:
        page.goto(f"{dev.url}{HAYES}")
        assert page.get_attribute("#lead-form", "data-response") == "read"
        fill(page, message="From the dev server")
        settle(page)
        page.click("#lead-form button[type=submit]")
        status(page).filter(has_text=SUCCESS).wait_for()
    (record,) = inbox(dev)[before:]
    assert record["fields"]["message"] == "From the dev server"
    assert record["location_id"] == "JO-SF-001" and record["spam"] is False


def test_a_page_of_another_origin_cannot_post_to_the_dev_inbox(
        local_browser: Any, dev: ServeProcess, tmp_path: Path) -> None:
    before = len(inbox(dev))
    (tmp_path / "attack.html").write_text(ATTACK.format(inbox=f"{dev.url}/_sitegen/leads"),
                                          encoding="utf-8")
    with serve(tmp_path) as other, page_in(Live(other, local_browser)) as page:
        page.goto(f"{other}/attack.html")
        page.wait_for_url(f"{dev.url}/**")  # the form was submitted, after the fetch
        assert inbox(dev)[before:] == []
        assert page.url == f"{dev.url}/_sitegen/leads"
        assert "a same-site post (Sec-Fetch-Site) refused: the lead inbox takes posts from " \
            "the pages of this site only" in page.content()


def test_the_inbox_page_lists_two_leads_newest_first_filters_and_clears(
        local_browser: Any, dev: ServeProcess) -> None:
    with page_in(Live(dev.url, local_browser)) as page:
        page.goto(f"{dev.url}/_sitegen/leads")
        page.click("button[data-clear]")  # start from an empty inbox
        page.wait_for_url(f"{dev.url}/_sitegen/leads")
        assert page.get_attribute("[data-count]", "data-count") == "0"
        for path, message in ((HAYES, "First, from Hayes Valley"),
                              (MISSION, "Second, from the Mission")):
            page.goto(f"{dev.url}{path}")
            fill(page, message=message)
            settle(page)
            page.click("#lead-form button[type=submit]")
            status(page).filter(has_text=SUCCESS).wait_for()

        page.goto(f"{dev.url}/_sitegen/leads")
        leads = page.locator("article.lead")
        assert leads.count() == 2
        assert [leads.nth(i).get_attribute("data-location") for i in range(2)] == [
            "JO-SF-002", "JO-SF-001"]  # newest first
        newest = leads.nth(0).inner_text()
        assert "Second, from the Mission" in newest and "ada@example.com" in newest
        assert "Juniper & Oak Coffee — Mission" in newest
        assert "First, from Hayes Valley" in leads.nth(1).inner_text()
        assert leads.nth(0).locator("time").get_attribute("datetime").endswith("Z")

        page.select_option("#location", "JO-SF-001")
        page.click("form[method=get] button[type=submit]")
        page.wait_for_url(f"{dev.url}/_sitegen/leads?location=JO-SF-001")
        assert page.locator("article.lead").count() == 1
        assert "First, from Hayes Valley" in page.locator("article.lead").inner_text()

        page.click("button[data-clear]")  # clears this location's lead only
        page.wait_for_url(f"{dev.url}/_sitegen/leads?location=JO-SF-001")
        assert page.locator("article.lead").count() == 0
        page.goto(f"{dev.url}/_sitegen/leads")
        assert [r["location_id"] for r in inbox(dev)] == ["JO-SF-002"]
        assert page.locator("article.lead").count() == 1


def test_the_inbox_page_answers_its_own_site_only(dev: ServeProcess) -> None:
    status_code, headers, _ = dev.http("/_sitegen/leads")
    assert status_code == 200 and headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    for site in ("cross-site", "same-site"):
        code, _, body = dev.http("/_sitegen/leads", headers={"Sec-Fetch-Site": site})
        assert code == 403
        assert body.decode().startswith(f"a {site} request (Sec-Fetch-Site) refused")
    before = inbox(dev)
    code, _, _ = dev.http("/_sitegen/leads/clear", method="POST", body=b"", headers={
        "Origin": "http://evil.example", "Content-Type": "application/x-www-form-urlencoded"})
    assert code == 403 and inbox(dev) == before
