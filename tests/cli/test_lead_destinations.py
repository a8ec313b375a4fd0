"""Native lead destinations (issue 25), read from the built HTML: HubSpot Forms and
Salesforce Web-to-Lead with per-destination field mapping, production only, and every bad
setting a config error naming its key. tests/browser/test_lead_destinations_browser.py sends
leads to local receivers and checks the exact requests."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.sites import assert_fails, copy_example, run_cli
from test_leads_forms import forms_of, staging_site

PORTAL, FORM = "1234567", "0a1b2c3d-1111-2222-3333-444455556666"
ORG = "00D5e000000AbCd"
HUBSPOT = f"{{portal_id: '{PORTAL}', form_id: '{FORM}'}}"
SALESFORCE = (f"{{org_id: '{ORG}', fields: {{name: last_name, email: email, "
              "location_name: company, location_id: 00N5e00000XyZab}}")


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_example(tmp_path_factory.mktemp("destinations") / "site")


def contact_form(site: Path, env: dict[str, str], out: Path) -> dict:
    result = run_cli("build", "--source", site, "--out", out, env=env)
    assert result.returncode == 0 and result.err_lines == [], str(result)
    return forms_of(out)["contact/index.html"][0]


def test_hubspot_forms_post_its_json_to_the_forms_api(example: Path, tmp_path: Path) -> None:
    form = contact_form(example, {"SITEGEN_LEADS__HUBSPOT": HUBSPOT}, tmp_path / "out")
    attrs = form["attrs"]
    assert attrs["action"] == ("https://api.hsforms.com/submissions/v3/integration/submit/"
                               f"{PORTAL}/{FORM}")
    assert (attrs["data-provider"], attrs["data-encoding"], attrs["data-response"]) == (
        "hubspot", "hubspot", "read")
    assert attrs["data-field-map"] == "name=firstname email=email phone=phone message=message"
    assert attrs["data-object-type"] == "0-1" and "data-pass" not in attrs


def test_salesforce_web_to_lead_posts_a_form_with_the_org_id(example: Path,
                                                              tmp_path: Path) -> None:
    form = contact_form(example, {"SITEGEN_LEADS__SALESFORCE": SALESFORCE}, tmp_path / "out")
    attrs, inputs = form["attrs"], form["inputs"]
    assert attrs["action"] == ("https://webto.salesforce.com/servlet/servlet.WebToLead"
                               "?encoding=UTF-8")
    assert (attrs["data-provider"], attrs["data-encoding"], attrs["data-response"]) == (
        "salesforce", "form", "opaque")
    assert attrs["data-field-map"] == ("name=last_name email=email location_name=company "
                                       "location_id=00N5e00000XyZab")
    assert attrs["data-pass"] == "oid retURL" and "data-object-type" not in attrs
    assert inputs["oid"] == ORG and inputs["retURL"] == "https://www.juniperoak.example/thanks/"


def test_a_webhook_wins_and_several_destinations_warn(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli("build", "--source", example, "--out", out, env={
        "SITEGEN_LEADS__WEBHOOK_URL": "https://hooks.zapier.example/hooks/catch/1/a/",
        "SITEGEN_LEADS__HUBSPOT": HUBSPOT, "SITEGEN_LEADS__SALESFORCE": SALESFORCE})
    assert result.returncode == 0, str(result)
    assert result.err_lines == [
        "config: leads.webhook_url: warning: several lead destinations are set (webhook_url, "
        "hubspot, salesforce); leads.webhook_url is used (keep one of them)"]
    attrs = forms_of(out)["contact/index.html"][0]["attrs"]
    assert attrs["data-provider"] == "webhook" and "data-field-map" not in attrs


def test_staging_never_carries_hubspot_or_salesforce(tmp_path: Path) -> None:
    site = staging_site(tmp_path)
    result = run_cli("build", "--source", site, "--env", "staging", env={
        "SITEGEN_LEADS__HUBSPOT": HUBSPOT, "SITEGEN_LEADS__SALESFORCE": SALESFORCE})
    assert result.returncode == 0, str(result)
    for path in (site / "dist" / "staging").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for secret in (PORTAL, FORM, ORG, b"hsforms", b"WebToLead"):
                assert (secret if isinstance(secret, bytes) else secret.encode()) not in data


def test_bad_destination_settings_are_config_errors(example: Path) -> None:
    result = run_cli("config", "--source", example, env={
        "SITEGEN_LEADS__HUBSPOT": "{portal_id: abc, form_id: x, fields: {_gotcha: a}}",
        "SITEGEN_LEADS__SALESFORCE": "{org_id: '123', fields: {name: 'last name'}}"})
    assert_fails(result, [
        "$SITEGEN_LEADS__HUBSPOT: leads.hubspot.fields: '_gotcha' is a spam check or redirect "
        "field, never sent on",
        "$SITEGEN_LEADS__HUBSPOT: leads.hubspot.form_id: a HubSpot form id is a GUID, e.g. "
        "0a1b2c3d-1111-2222-3333-444455556666",
        "$SITEGEN_LEADS__HUBSPOT: leads.hubspot.portal_id: a HubSpot portal id is digits, "
        "e.g. 1234567",
        "$SITEGEN_LEADS__SALESFORCE: leads.salesforce.fields: the name for 'name' must be "
        "letters, digits, _ . or -, e.g. lastname",
        "$SITEGEN_LEADS__SALESFORCE: leads.salesforce.org_id: a Salesforce org id is 15 or 18 "
        "letters and digits starting with 00D (Setup > Company Information)"])


def test_an_http_endpoint_needs_allow_insecure(example: Path, tmp_path: Path) -> None:
    env = {"SITEGEN_LEADS__SALESFORCE": f"{{org_id: '{ORG}', endpoint: 'http://127.0.0.1:9'}}"}
    result = run_cli("build", "--source", example, "--out", tmp_path / "out", env=env)
    assert_fails(result, [
        "$SITEGEN_LEADS__SALESFORCE: leads.salesforce.endpoint: an http:// lead destination: "
        "production forms would send visitors' details unencrypted, and browsers block a "
        "background post to it from an https:// page (use the receiver's https:// address; "
        "for a test receiver, set leads.allow_insecure: true)"])
