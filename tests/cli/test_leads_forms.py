"""Where lead forms post, per environment and destination, read from the built HTML.

The promise tested on every page: a staging-like build never carries a production
destination (webhook, Formspree, Netlify, per-location routes), whatever the config says.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from support.sites import BASE_CONFIG, assert_fails, copy_example, run_cli, small_site

from sitegen.builder.run import prepare
from sitegen.builder.stages import plan_site
from sitegen.diagnostics import Report
from sitegen.model.leads import LeadForm, page_form

HOOK = "https://hooks.zapier.example/hooks/catch/123/prod/"
SF_HOOK = "https://hook.eu1.make.example/sf-only"
BAKERY = "mailto:bakery@juniperoak.example"
PRODUCTION_DESTINATIONS = (HOOK, SF_HOOK, "formspree.io", "bakery@juniperoak.example")
EVERY_DESTINATION = {
    "SITEGEN_LEADS__WEBHOOK_URL": HOOK,
    "SITEGEN_LEADS__FORMSPREE_ID": "xprodform",
    "SITEGEN_LEADS__NETLIFY": "true",
    "SITEGEN_LEADS__ROUTES": f"{{JO-SF-001: '{SF_HOOK}', Bakery: '{BAKERY}'}}",
}
SANDBOX = "https://sandbox.hooks.example/staging-leads"


class _Forms(HTMLParser):
    """Every <form> of a page with its attributes, its inputs and whether it is disabled."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {"attrs": a, "inputs": {}, "disabled": False}
            self.forms.append(self._form)
        elif self._form is not None and tag == "fieldset" and "disabled" in a:
            self._form["disabled"] = True
        elif self._form is not None and tag in ("input", "textarea", "select") and "name" in a:
            self._form["inputs"][a["name"]] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


def forms_of(root: Path, *, only_leads: bool = True) -> dict[str, list[dict]]:
    """Per page, its lead forms (`form.lead-form`), or every form (search forms too)."""
    out = {}
    for path in sorted(root.rglob("*.html")):
        parser = _Forms()
        parser.feed(path.read_text(encoding="utf-8"))
        out[path.relative_to(root).as_posix()] = [
            form for form in parser.forms
            if not only_leads or "lead-form" in form["attrs"].get("class", "").split()]
    return out


def staging_site(tmp_path: Path) -> Path:
    """The example site with staging's encryption off, so pages can be read as HTML."""
    site = copy_example(tmp_path / "site")
    staging = site / "config" / "staging.yaml"
    staging.write_text(staging.read_text(encoding="utf-8").replace(
        "protection:\n  mode: encrypt", "protection:\n  mode: none\n  acknowledge_public: true"),
        encoding="utf-8")
    return site


@pytest.mark.parametrize("sandbox", [False, True], ids=["no-sandbox", "sandbox"])
def test_staging_forms_never_target_a_production_destination(tmp_path: Path,
                                                             sandbox: bool) -> None:
    site = staging_site(tmp_path)
    env = dict(EVERY_DESTINATION)
    if sandbox:
        env["SITEGEN_LEADS__SANDBOX_URL"] = SANDBOX
    result = run_cli("build", "--source", site, "--env", "staging", env=env)
    assert result.returncode == 0, str(result)
    out = site / "dist" / "staging"
    for rel, forms in forms_of(out, only_leads=False).items():  # every form of every page
        for form in forms:
            attrs, inputs = form["attrs"], form["inputs"]
            values = " ".join([*attrs.values(), *inputs.values()])
            for destination in PRODUCTION_DESTINATIONS:
                assert destination not in values, (rel, destination)
            assert "data-netlify" not in attrs and "netlify-honeypot" not in attrs, rel
            assert "form-name" not in inputs and "recipient" not in inputs, rel
    with_form = {rel: forms for rel, forms in forms_of(out).items() if forms}
    assert "contact/index.html" in with_form
    assert sum(1 for rel in with_form if rel.startswith("locations/")) == 64
    for rel, forms in with_form.items():
        for form in forms:
            attrs, inputs = form["attrs"], form["inputs"]
            assert inputs["environment"] == "staging"
            if sandbox:
                assert attrs["action"] == SANDBOX, rel
                assert attrs["data-leads-mode"] == "sandbox" and not form["disabled"]
            else:
                assert "action" not in attrs, rel
                assert attrs["data-leads-mode"] == "disabled" and form["disabled"], rel
    if not sandbox:
        text = (out / "contact/index.html").read_text(encoding="utf-8")
        assert "This form is switched off on the staging site" in text
    # Not in any file at all: pages, feeds, scripts, host config.
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for destination in (HOOK, SF_HOOK, "xprodform"):
                assert destination.encode() not in data, path


def test_development_forms_post_to_the_local_inbox_only(tmp_path: Path) -> None:
    site = copy_example(tmp_path / "site")
    result = run_cli("build", "--source", site, "--env", "development", env=EVERY_DESTINATION)
    assert result.returncode == 0, str(result)
    actions = {form["attrs"].get("action") for forms in forms_of(site / "dist" / "development")
               .values() for form in forms}
    assert actions == {"/_sitegen/leads"}


def model_forms(site: Path, env: str, environ: dict[str, str]) -> tuple[dict[str, LeadForm],
                                                                          Report]:
    loaded, policy = prepare(site.resolve(), env, environ=environ)
    report = Report()
    model, _ = plan_site(loaded, policy, report)
    forms = {}
    for page in model.pages:
        form = page_form(model.config, model.policy, page)
        if form is not None:
            key = page.context["location"].id if page.kind == "location" else page.url
            forms[key] = form
    return forms, report


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_example(tmp_path_factory.mktemp("leads-example") / "site")


def test_production_webhook_with_routes(example: Path) -> None:
    forms, report = model_forms(example, "production", {
        "SITEGEN_LEADS__WEBHOOK_URL": HOOK,
        "SITEGEN_LEADS__ROUTES": f"{{JO-SF-001: '{SF_HOOK}', Bakery: '{BAKERY}'}}"})
    assert report.warnings == []
    hayes, contact = forms["JO-SF-001"], forms["/contact/"]
    assert (hayes.action, hayes.provider, hayes.encoding) == (SF_HOOK, "webhook", "form")
    assert (hayes.response, hayes.cors_required, hayes.keep) == ("opaque", False, True)
    assert (contact.action, contact.provider) == (HOOK, "webhook")
    assert dict(contact.hidden)["location_id"] == ""
    bakery = next(f for key, f in forms.items() if key.startswith("JO-")
                  and dict(f.hidden).get("recipient"))
    assert bakery.action == HOOK
    assert dict(bakery.hidden)["recipient"] == "bakery@juniperoak.example"
    others = [f for key, f in forms.items() if key not in ("JO-SF-001", "/contact/")
              and not dict(f.hidden).get("recipient")]
    assert others and all(f.action == HOOK and f.mode == "live" for f in others)
    assert all(dict(f.hidden)["_next"] == "https://www.juniperoak.example/thanks/"
               for f in forms.values())


def test_production_formspree_and_encodings(example: Path) -> None:
    """Form posts by default; the page reads the answer where CORS is known (Formspree, the
    site's own origin) or required anyway (JSON), else it cannot (an opaque no-cors post)."""
    forms, report = model_forms(example, "production",
                                {"SITEGEN_LEADS__FORMSPREE_ID": "xyzabcde"})
    assert {(f.action, f.provider, f.encoding, f.response) for f in forms.values()} == {
        ("https://formspree.io/f/xyzabcde", "formspree", "form", "read")}
    forms, report = model_forms(example, "production",
                                {"SITEGEN_LEADS__FORMSPREE_ID": "xyzabcde",
                                 "SITEGEN_LEADS__ENCODING": "json"})
    assert {(f.encoding, f.response, f.cors_required) for f in forms.values()} == {
        ("json", "read", False)}
    assert report.warnings == []  # Formspree answers CORS
    forms, _ = model_forms(example, "production", {"SITEGEN_LEADS__WEBHOOK_URL": HOOK})
    assert {(f.encoding, f.response) for f in forms.values()} == {("form", "opaque")}
    forms, _ = model_forms(example, "production", {
        "SITEGEN_LEADS__WEBHOOK_URL": "https://www.juniperoak.example/api/leads"})
    assert {f.response for f in forms.values()} == {"read"}  # the site's own origin
    forms, _ = model_forms(example, "production", {"SITEGEN_LEADS__NETLIFY": "true",
                                                   "SITEGEN_LEADS__ENCODING": "json"})
    assert {(f.encoding, f.response) for f in forms.values()} == {("form", "read")}
    forms, _ = model_forms(example, "development", {"SITEGEN_LEADS__WEBHOOK_URL": HOOK})
    assert {(f.action, f.encoding, f.response) for f in forms.values()} == {
        ("/_sitegen/leads", "form", "read")}


def test_json_encoding_warns_that_the_receiver_must_answer_cors(tmp_path: Path) -> None:
    site = copy_example(tmp_path / "site")
    env = {"SITEGEN_LEADS__WEBHOOK_URL": HOOK, "SITEGEN_LEADS__ENCODING": "json",
           "SITEGEN_LEADS__ROUTES": f"{{Bakery: '{BAKERY}'}}"}
    result = run_cli("build", "--source", site, env=env)
    assert result.returncode == 0, str(result)
    assert result.err_lines == [
        "config: leads.encoding: warning: 65 of 65 forms post JSON to a receiver on another "
        "site: the browser first asks it for permission (a CORS preflight), and a receiver "
        "that does not answer with Access-Control-Allow-Origin and Access-Control-Allow-Headers:"
        " Content-Type never gets a lead; a build cannot check this (send a test lead from the "
        "published site, or remove leads.encoding: the default form posts need no CORS)"]
    result = run_cli("build", "--source", site, "--strict", env=env)
    assert result.returncode == 1, str(result)
    # The default needs no CORS: no warning.
    result = run_cli("build", "--source", site, env={"SITEGEN_LEADS__WEBHOOK_URL": HOOK})
    assert result.returncode == 0 and result.err_lines == [], str(result)
    # Staging's sandbox on another site is a receiver like any other.
    staging = staging_site(tmp_path / "staging")
    result = run_cli("build", "--source", staging, "--env", "staging", env={
        "SITEGEN_LEADS__SANDBOX_URL": SANDBOX, "SITEGEN_LEADS__ENCODING": "json"})
    assert result.returncode == 0, str(result)
    assert [line.split(": the browser")[0] for line in result.err_lines
            if "acknowledge_public" not in line] == [
        "config: leads.encoding: warning: 65 of 65 forms post JSON to a receiver on another site"]


INSECURE = ("an http:// lead destination: {kind} forms would send visitors' details "
            "unencrypted, and browsers block a background post to it from an https:// page "
            "(use the receiver's https:// address; for a test receiver, set "
            "leads.allow_insecure: true)")


def test_an_http_webhook_outside_development_is_a_config_error(tmp_path: Path) -> None:
    site = copy_example(tmp_path / "site")
    production = site / "config" / "production.yaml"
    production.write_text(production.read_text(encoding="utf-8") + (
        "leads:\n  routes:\n    JO-SF-001: http://hooks.example/sf\n"
        "    Bakery: https://hooks.example/bakery\n"), encoding="utf-8")
    line = len(production.read_text(encoding="utf-8").splitlines()) - 1
    secret = "http://hooks.example/catch/SECRET-TOKEN"
    result = run_cli("build", "--source", site, env={"SITEGEN_LEADS__WEBHOOK_URL": secret})
    assert_fails(result, [
        f"$SITEGEN_LEADS__WEBHOOK_URL: leads.webhook_url: {INSECURE.format(kind='production')}",
        f"config/production.yaml:{line}: leads.routes.JO-SF-001: "
        f"{INSECURE.format(kind='production')}"])
    assert "SECRET-TOKEN" not in result.stderr  # a webhook URL is a secret: never printed
    assert not (site / "dist").exists()
    # Allowed explicitly: it builds (a local test receiver).
    result = run_cli("build", "--source", site, env={"SITEGEN_LEADS__WEBHOOK_URL": secret,
                                                     "SITEGEN_LEADS__ALLOW_INSECURE": "true"})
    assert result.returncode == 0 and result.err_lines == [], str(result)
    # Staging's sandbox too; development posts to its own inbox and is never refused.
    staging = staging_site(tmp_path / "staging")
    result = run_cli("build", "--source", staging, "--env", "staging",
                     env={"SITEGEN_LEADS__SANDBOX_URL": "http://sandbox.example/leads"})
    assert_fails(result, [f"$SITEGEN_LEADS__SANDBOX_URL: leads.sandbox_url: "
                          f"{INSECURE.format(kind='staging')}"])
    result = run_cli("build", "--source", site, "--env", "development",
                     env={"SITEGEN_LEADS__WEBHOOK_URL": secret})
    assert result.returncode == 0, str(result)


def test_keeping_unsent_leads_can_be_switched_off(tmp_path: Path) -> None:
    config = BASE_CONFIG + "leads:\n  webhook_url: https://hooks.example/x\n  pages: [contact]\n"
    extra = {"content/contact.md": "---\ntitle: Contact\ntemplate: contact.html\n---\nHi.\n"}
    kept = small_site(tmp_path / "kept", config=config, extra=extra)
    off = small_site(tmp_path / "off", config=config + "  keep_unsent: false\n", extra=extra)
    for site, keep in ((kept, "true"), (off, "false")):
        result = run_cli("build", "--source", site)
        assert result.returncode == 0 and result.err_lines == [], str(result)
        html = (site / "dist/production/contact/index.html").read_text(encoding="utf-8")
        assert f'data-keep="{keep}"' in html
        assert ("data-lead-keep-note" in html) is (keep == "true")


def test_production_without_destination_disables_forms_and_warns(tmp_path: Path) -> None:
    site = copy_example(tmp_path / "site")
    result = run_cli("build", "--source", site)
    assert result.returncode == 0, str(result)
    assert result.err_lines == [
        "config: leads: warning: production has no lead destination: 65 of 65 forms are shown "
        "disabled with a notice (set SITEGEN_LEADS__WEBHOOK_URL, leads.formspree_id or "
        "leads.netlify)"]
    forms = forms_of(site / "dist" / "production")["contact/index.html"]
    assert len(forms) == 1 and forms[0]["disabled"] and "action" not in forms[0]["attrs"]
    text = (site / "dist" / "production" / "contact/index.html").read_text(encoding="utf-8")
    assert "Online enquiries are not available at the moment" in text


def test_mailto_route_without_destination_uses_the_mail_program(example: Path) -> None:
    forms, report = model_forms(example, "production",
                                {"SITEGEN_LEADS__ROUTES": f"{{Bakery: '{BAKERY}'}}"})
    bakery = [f for f in forms.values() if f.provider == "mailto"]
    assert bakery and all(f.action == BAKERY and f.enctype == "text/plain"
                          and f.transport == "native" and f.mode == "live" for f in bakery)
    assert forms["/contact/"].disabled
    assert any("production has no lead destination" in d.message for d in report.warnings)


def test_netlify_forms_render_netlify_attributes(tmp_path: Path) -> None:
    site = copy_example(tmp_path / "site")
    result = run_cli("build", "--source", site, env={"SITEGEN_LEADS__NETLIFY": "true"})
    assert result.returncode == 0, str(result)
    assert result.err_lines == []
    form = forms_of(site / "dist" / "production")["contact/index.html"][0]
    attrs = form["attrs"]
    assert attrs["action"] == "/thanks/" and attrs["name"] == "enquiry"
    assert attrs["data-netlify"] == "true" and attrs["netlify-honeypot"] == "_gotcha"
    assert attrs["data-encoding"] == "form"
    assert form["inputs"]["form-name"] == "enquiry"
    assert (site / "dist" / "production" / "thanks" / "index.html").is_file()


def test_route_to_an_unknown_location_is_a_warning(example: Path) -> None:
    _, report = model_forms(example, "production", {
        "SITEGEN_LEADS__WEBHOOK_URL": HOOK,
        "SITEGEN_LEADS__ROUTES": "{JO-XX-999: 'https://hooks.example/x'}"})
    assert [d.format() for d in report.warnings] == [
        "config: leads.routes.JO-XX-999: warning: no location has the id or category "
        "'JO-XX-999' (use a location id (e.g. its store code) or a category name)"]


def test_bad_route_target_is_a_config_error(example: Path) -> None:
    result = run_cli("config", "--source", example,
                     env={"SITEGEN_LEADS__ROUTES": "{JO-SF-001: 'javascript:alert(1)'}"})
    assert result.returncode == 1, str(result)
    assert "route 'JO-SF-001' must be an http(s) webhook URL or mailto:" in result.stderr


def test_forms_are_opt_in_a_site_without_leads_config_has_none(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site", extra={
        "content/contact.md": "---\ntitle: Contact\ntemplate: contact.html\n---\nCall us.\n"})
    result = run_cli("build", "--source", site)
    assert result.returncode == 0 and result.err_lines == [], str(result)
    out = site / "dist" / "production"
    assert all(forms == [] for forms in forms_of(out).values())
    assert "leads.js" not in (out / "index.html").read_text(encoding="utf-8")
    assert not (out / "thanks").exists()


def test_custom_fields_and_pages(tmp_path: Path) -> None:
    config = BASE_CONFIG + """leads:
  webhook_url: https://hooks.example/x
  pages: [contact]
  fields:
    - {name: name, label: Your name, required: true, autocomplete: name}
    - {name: email, label: Email, type: email, required: true}
    - {name: topic, label: Topic, type: select, options: [Catering, Wholesale], required: true}
"""
    site = small_site(tmp_path / "site", config=config, extra={
        "content/contact.md": "---\ntitle: Contact\ntemplate: contact.html\n---\nHello.\n"})
    result = run_cli("build", "--source", site)
    assert result.returncode == 0 and result.err_lines == [], str(result)
    pages = forms_of(site / "dist" / "production")
    assert [rel for rel, forms in pages.items() if forms] == ["contact/index.html"]
    inputs = pages["contact/index.html"][0]["inputs"]
    assert {"name", "email", "topic", "consent", "_gotcha", "location_id"} <= set(inputs)
    assert "message" not in inputs and "phone" not in inputs
    html = (site / "dist" / "production" / "contact/index.html").read_text(encoding="utf-8")
    assert 'data-msg-required="Choose your topic."' in html
    assert "<option>Catering</option>" in html


def test_reserved_or_bad_field_names_are_refused(tmp_path: Path) -> None:
    config = BASE_CONFIG + "leads:\n  fields:\n    - {name: location_id, label: X}\n"
    site = small_site(tmp_path / "site", config=config)
    result = run_cli("build", "--source", site)
    assert result.returncode == 1
    assert "'location_id' is a field sitegen fills in itself" in result.stderr


def test_the_model_keeps_no_form_and_each_page_renders_its_own(example: Path) -> None:
    """A form is made where its page is rendered: the model holds none for its pages (at
    100,000 locations they were a tenth of the build process's memory), and the counts of
    the config warnings come from one form per route."""
    environ = {"SITEGEN_LEADS__ROUTES": f"{{JO-SF-001: '{SF_HOOK}'}}"}
    loaded, policy = prepare(example.resolve(), "production", environ=environ)
    report = Report()
    model, _ = plan_site(loaded, policy, report)
    assert not any("lead_form" in page.context for page in model.pages)
    forms, _ = model_forms(example, "production", environ)
    live = [key for key, form in forms.items() if not form.disabled]
    assert live == ["JO-SF-001"]
    (warning,) = [d for d in report.warnings if d.field == "leads"]
    assert warning.message == (f"production has no lead destination: {len(forms) - 1} of "
                               f"{len(forms)} forms are shown disabled with a notice")
