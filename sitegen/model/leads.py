"""Lead forms: the form model each page renders, the thank-you page, and the local inbox.

Where a form posts is decided here, from the resolved policy only:

    policy.forms   action                                           extras
    live           policy.forms_endpoint (webhook > HubSpot >         leads.routes (per location
                   Salesforce > Formspree > Netlify), or the          id or category), Netlify,
                   location's route                                   HubSpot's and Salesforce's
                                                                      field names
    sandbox        policy.forms_endpoint (= leads.sandbox_url)        none: routes and providers
    local          /_sitegen/leads (the dev server's inbox)           are production-only
    disabled       no action; fieldset disabled, visible notice

so a staging or development page can never carry a production destination. Forms appear once
the site configures anything under `leads:` (a destination, texts or fields); `leads.pages: []`
turns them off. A production site that configures leads but no destination gets disabled forms
with a notice, and the build warns.

How the script sends (`LeadForm.response`): by default a form-encoded POST, a CORS "simple
request" that needs no preflight, so it reaches a receiver that sends no CORS headers. Where
the page can read the answer (the same origin, Formspree, or `encoding: json`, which needs
CORS anyway) a non-2xx answer is an error the visitor sees; elsewhere the script posts with
`mode: "no-cors"`, whose answer is opaque: any answer counts as sent, and only a network
failure (receiver down, offline) counts as unsent. JSON to another site is a warning: the
receiver must answer the preflight, which no build can check.

The dev server's inbox that local forms post to is serve/inbox.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from sitegen.config.policy import THANKS_URL, Policy, hubspot_action, salesforce_action
from sitegen.config.schema import LeadField, LeadsSection, SiteConfig
from sitegen.data.locations import Location
from sitegen.diagnostics import Report
from sitegen.model.pages import Page, SiteModel
from sitegen.model.phrases import THANKS_DESCRIPTION, THANKS_TITLE, phrase
from sitegen.model.urls import absolute

HONEYPOT = "_gotcha"  # Formspree's own honeypot name: its server drops filled-in submissions too
STARTED = "_started"
NEXT = "_next"
# A coming_soon location's form registers interest in the opening (docs/lifecycle.md); its
# leads carry `interest: opening`.
INTEREST_HEADING = "Register your interest"
INTEREST_SUBMIT = "Tell me when it opens"
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
# The hidden fields every form has, empty until the page's script fills them: one tuple of
# pairs shared by every form.
_EMPTY_HIDDEN = tuple((name, "") for name in (*UTM_FIELDS, STARTED))
NETLIFY_NAME = "enquiry"
FORM_ID = "lead-form"
INPUT_TYPES = {"text", "email", "tel", "number", "date", "url"}


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    type: str
    required: bool
    autocomplete: str | None
    options: tuple[str, ...]
    max_length: int
    hint: str | None

    @property
    def id(self) -> str:
        return f"{FORM_ID}-{self.name}"

    @property
    def input_type(self) -> str | None:
        """The `<input type>`; None for textarea and select."""
        return self.type if self.type in INPUT_TYPES else None

    @property
    def _yours(self) -> str:
        """"Your name" -> "your name"; "Email address" -> "your email address"."""
        text = self.label[:1].lower() + self.label[1:]
        return text if text.startswith("your ") else f"your {text}"

    @property
    def required_message(self) -> str:
        return f"{'Choose' if self.type == 'select' else 'Enter'} {self._yours}."

    @property
    def invalid_message(self) -> str:
        return {
            "email": "Enter an email address like name@example.com.",
            "tel": "Enter a phone number using digits, spaces, +, ( and ).",
            "url": "Enter a web address starting with https://.",
            "number": "Enter a number.",
            "date": "Enter a date.",
        }.get(self.type, f"Check {self._yours}.")


@dataclass(frozen=True, slots=True)
class LeadForm:
    """Everything `partials/lead_form.html` renders; derived from the policy, never env names."""

    mode: str  # live | sandbox | local | disabled
    provider: str  # webhook | formspree | netlify | sandbox | local | mailto | none
    action: str | None
    encoding: str  # json | form: what the script sends (a no-JS post is always form-encoded)
    response: str  # read: the script can read the answer | opaque: a no-cors post (see above)
    cors_required: bool  # JSON to a receiver on another site whose CORS nobody has checked
    keep: bool  # the script keeps an unsent lead in sessionStorage and sends it again
    transport: str  # fetch (the script posts) | native (the browser submits: mailto:)
    enctype: str | None
    netlify_name: str | None
    heading: str
    submit_label: str
    success_text: str
    consent_text: str
    notice: str | None
    fields: tuple[FormField, ...]
    hidden: tuple[tuple[str, str], ...]
    min_seconds: int
    id: str = FORM_ID
    field_map: str | None = None  # "name=lastname email=email": the destination's names
    passthrough: str | None = None  # fields sent as they are beside the mapped ones (oid)
    object_type_id: str | None = None  # HubSpot's objectTypeId of every field

    @property
    def disabled(self) -> bool:
        return self.mode == "disabled"

    @property
    def honeypot(self) -> str:
        return HONEYPOT

    @property
    def started_field(self) -> str:
        return STARTED


def forms_enabled(config: SiteConfig) -> bool:
    """Forms are opt-in: any `leads` key set in any layer (file, variable, flag) turns them on."""
    return bool(config.leads.model_fields_set) and bool(config.leads.pages)


def route_for(leads: LeadsSection, location: Location | None) -> str | None:
    """The location's own destination: its id first, then its categories in order."""
    if location is None or not leads.routes:
        return None
    if location.id in leads.routes:
        return leads.routes[location.id]
    for category in location.categories:
        if category in leads.routes:
            return leads.routes[category]
    return None


def _provider(leads: LeadsSection, endpoint: str | None) -> str:
    if endpoint is None:
        return "none"
    if leads.webhook_url and endpoint == leads.webhook_url:
        return "webhook"
    if leads.hubspot and endpoint == hubspot_action(leads):
        return "hubspot"
    if leads.salesforce and endpoint == salesforce_action(leads):
        return "salesforce"
    if leads.formspree_id:
        return "formspree"
    return "netlify" if leads.netlify else "webhook"


def same_origin(action: str, base_url: str) -> bool:
    """Whether a form action is on the site's own origin (a path, or the base URL's host)."""
    def origin(url: str) -> tuple[str, str]:
        parts = urlsplit(url)
        return parts.scheme.lower(), parts.netloc.lower()

    return origin(urljoin(base_url + "/", action)) == origin(base_url)


def form_for(config: SiteConfig, policy: Policy, page_url: str,
             location: Location | None) -> LeadForm:
    leads = config.leads
    mode: str = policy.forms
    action = policy.forms_endpoint
    encoding: str = leads.encoding
    transport, enctype, netlify_name, recipient = "fetch", None, None, None
    mapping: dict[str, str] | None = None
    passthrough = object_type = None
    provider = {"sandbox": "sandbox", "local": "local"}.get(mode, _provider(leads, action))
    if mode == "disabled":
        action = None
    if policy.kind == "production":  # routes, Formspree and Netlify exist only in production
        if provider == "netlify":  # Netlify Forms reads form-encoded posts only
            encoding, netlify_name = "form", NETLIFY_NAME
        elif provider == "hubspot" and leads.hubspot:  # its JSON body (leads.js hubspot())
            encoding, mapping = "hubspot", leads.hubspot.fields
            object_type = leads.hubspot.object_type_id
        elif provider == "salesforce" and leads.salesforce:  # a form post, its field names
            encoding, mapping, passthrough = "form", leads.salesforce.fields, "oid retURL"
        route = route_for(leads, location)
        if route and route.startswith("mailto:"):
            if action is None:  # no site-wide destination: the visitor's mail program sends it
                mode, provider, action = "live", "mailto", route
                transport, enctype = "native", "text/plain"
            else:
                recipient = route.removeprefix("mailto:")
        elif route:
            mode, provider, action = "live", "webhook", route
            encoding, netlify_name = leads.encoding, None
            mapping = passthrough = object_type = None
    notice = None
    if mode == "disabled":
        notice = unavailable_notice(location) if policy.kind == "production" else (
            f"This form is switched off on the {policy.name} site, so test messages "
            "never reach the business.")
    hidden: list[tuple[str, str]] = []
    if netlify_name:
        hidden.append(("form-name", netlify_name))
    hidden += [
        ("location_id", location.id if location else ""),
        ("location_name", location.name if location else ""),
        ("page_url", absolute(policy.base_url, page_url)),
        ("environment", policy.name),
    ]
    if recipient:
        hidden.append(("recipient", recipient))
    if provider == "salesforce" and leads.salesforce:
        hidden += [("oid", leads.salesforce.org_id),
                   ("retURL", absolute(policy.base_url, THANKS_URL))]
    if leads.consent_text:
        hidden.append(("consent_text", leads.consent_text))
    heading, submit_label = leads.heading, leads.submit_label
    if location is not None and location.status == "coming_soon":  # not open yet
        heading, submit_label = INTEREST_HEADING, INTEREST_SUBMIT
        hidden.append(("interest", "opening"))
    hidden += _EMPTY_HIDDEN
    hidden.append((NEXT, absolute(policy.base_url, THANKS_URL)))
    readable = bool(action) and (same_origin(action or "", policy.base_url)
                                 or provider in ("formspree", "hubspot"))  # they answer CORS
    return LeadForm(
        mode=mode, provider=provider, action=action, encoding=encoding,
        response="read" if readable or encoding == "json" else "opaque",
        cors_required=encoding == "json" and transport == "fetch" and bool(action)
        and not readable,
        keep=leads.keep_unsent and transport == "fetch", transport=transport,
        enctype=enctype, netlify_name=netlify_name, heading=heading,
        submit_label=submit_label, success_text=leads.success_text,
        consent_text=leads.consent_text, notice=notice,
        fields=_fields(leads), hidden=tuple(hidden),
        min_seconds=leads.min_seconds,
        field_map=" ".join(f"{k}={v}" for k, v in mapping.items()) if mapping else None,
        passthrough=passthrough, object_type_id=object_type)


def unavailable_notice(location: Location | None) -> str:
    """What a switched-off form tells a visitor, offering only the contact routes the
    location has: its phone number and email address (else its website) when it has them,
    never one it lacks."""
    closed = "Online enquiries are not available at the moment."
    if location is None:  # the contact page: the locations list their own numbers
        return f"{closed} Please contact one of our locations directly."
    phone = location.phone.display if location.phone else None
    routes = [f"call us on {phone}"] if phone else []
    if location.email:
        routes.append(f"email us at {location.email}")
    if not routes and location.website:
        routes.append("use our website")
    if not routes:
        return closed
    return f"{closed} Please {' or '.join(routes)} instead."


def _field(spec: LeadField) -> FormField:
    return FormField(spec.name, spec.label, spec.type, spec.required, spec.autocomplete,
                     tuple(spec.options), spec.max_length, spec.hint)


# The last leads section's fields: every form of a build has the same ones, so the pages
# share one tuple instead of holding a copy each (100,000 of them at 100,000 locations).
_FIELDS: list[tuple[list[LeadField], tuple[FormField, ...]]] = []


def _fields(leads: LeadsSection) -> tuple[FormField, ...]:
    if _FIELDS and _FIELDS[0][0] is leads.fields:
        return _FIELDS[0][1]
    made = tuple(_field(f) for f in leads.fields)
    _FIELDS[:] = [(leads.fields, made)]
    return made


def page_form(config: SiteConfig, policy: Policy, page: Page) -> LeadForm | None:
    """A page's lead form when the config wants one there (location and contact pages).
    Made where the page is rendered (render/context.py `page_extras`), not kept by the
    model for every page: it follows from the config, the policy, the page's URL and its
    location, which the page's fingerprint covers."""
    if not forms_enabled(config) or not _wants_form(config.leads, page):
        return None
    location = page.context.get("location") if page.kind == "location" else None
    return form_for(config, policy, page.url, location)


def _wants_form(leads: LeadsSection, page: Page) -> bool:
    return ("location" in leads.pages and page.kind == "location") or (
        "contact" in leads.pages and page.template == "contact.html")


def attach(model: SiteModel, report: Report) -> None:
    """Add /thanks/ when pages have forms, and report config gaps. Whether a form is live
    or switched off, and whether it needs CORS, depend on the config, the policy and the
    location's route alone: one form is made for each distinct route to count them."""
    config, policy = model.config, model.policy
    if not forms_enabled(config):
        return
    leads = config.leads
    disabled = cross_site_json = forms = 0
    flags: dict[str | None, tuple[bool, bool]] = {}  # route -> (switched off, needs CORS)
    for page in model.pages:
        if not _wants_form(leads, page):
            continue
        location = page.context.get("location") if page.kind == "location" else None
        route = route_for(leads, location)
        if route not in flags:
            form = form_for(config, policy, page.url, location)
            flags[route] = (form.disabled, form.cors_required)
        forms += 1
        disabled += flags[route][0]
        cross_site_json += flags[route][1]
    if forms and not any(p.url == THANKS_URL for p in model.pages):
        model.pages.append(thanks_page(config))
    if cross_site_json:
        report.warning("config", None, "leads.encoding",
                       f"{cross_site_json} of {forms} forms post JSON to a receiver on another "
                       "site: the browser first asks it for permission (a CORS preflight), "
                       "and a receiver that does not answer with Access-Control-Allow-Origin "
                       "and Access-Control-Allow-Headers: Content-Type never gets a lead; a "
                       "build cannot check this",
                       "send a test lead from the published site, or remove leads.encoding: "
                       "the default form posts need no CORS")
    if policy.kind != "production":
        return
    if disabled:
        report.warning("config", None, "leads",
                       f"production has no lead destination: {disabled} of {forms} forms are "
                       "shown disabled with a notice",
                       "set SITEGEN_LEADS__WEBHOOK_URL, leads.formspree_id or leads.netlify")
    chosen = [k for k in ("webhook_url", "hubspot", "salesforce", "formspree_id", "netlify")
              if getattr(leads, k)]
    if len(chosen) > 1:
        report.warning("config", None, f"leads.{chosen[0]}",
                       f"several lead destinations are set ({', '.join(chosen)}); "
                       f"leads.{chosen[0]} is used", "keep one of them")
    known = {loc.id for loc in model.locations} | {
        c for loc in model.locations for c in loc.categories}
    for key in sorted(set(leads.routes) - known):
        report.warning("config", None, f"leads.routes.{key}",
                       f"no location has the id or category '{key}'",
                       "use a location id (e.g. its store code) or a category name")


def thanks_page(config: SiteConfig) -> Page:
    """The no-JS forms' `_next`. Not indexable (a thank-you page is no search result): it
    carries `noindex, follow`, stays out of the sitemap, and the build declares it in
    _sitegen/build.json so the production audit accepts it; a content page at /thanks/ wins."""
    lang = config.site.language
    return Page(THANKS_URL, "thanks.html", "thanks",
                phrase(THANKS_TITLE, {"site": config.site.name}, lang),
                phrase(THANKS_DESCRIPTION, {}, lang),
                {"heading": "Thank you", "body_html": "", "meta": {"menu": False}},
                indexable=False)
