"""The one schema every config layer is validated against.

Every model forbids unknown keys, so a typo is an error with a did-you-mean hint rather than a
silently ignored setting. Defaults here are the documented defaults (README, config reference).
"""

from __future__ import annotations

import re
import string
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

EnvironmentKind = Literal["development", "staging", "production"]
BUILTIN_ENVIRONMENTS: tuple[EnvironmentKind, ...] = ("development", "staging", "production")
ProtectionMode = Literal["encrypt", "basic-auth", "none"]
# Where a build is deployed (protection.host): the hosts sitegen can make enforce basic
# auth, then the static hosts that cannot (refused in basic-auth mode, output/hostconfig.py).
AUTH_HOSTS = ("netlify", "apache", "nginx", "cloudflare-pages", "vercel")
PLAIN_HOSTS = ("github-pages", "gitlab-pages", "s3", "firebase", "surge", "static")
Host = Literal["netlify", "apache", "nginx", "cloudflare-pages", "vercel", "github-pages",
               "gitlab-pages", "s3", "firebase", "surge", "static"]
CardCta = Literal["call", "directions", "book", "email", "website", "link"]
LeadPage = Literal["location", "contact"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class EnvironmentSection(Strict):
    behaves_like: EnvironmentKind | None = None
    banner: str | None = Field(None, description="banner text; defaults to the environment name")


LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")


def language_problem(code: str) -> str | None:
    """Why `code` is not a language sitegen can publish (None when it is): a BCP 47 tag
    (`fr`, `fr-CA`, `pt-BR`) that Babel knows, as hreflang and `<html lang>` write it."""
    from babel import Locale, UnknownLocaleError  # imported only when languages are set
    if not LANGUAGE_CODE.fullmatch(code):
        return (f"'{code[:40]}' is not a language code: write a lowercase BCP 47 tag such "
                "as fr, de or fr-CA")
    try:
        Locale.parse(code, sep="-")
    except (UnknownLocaleError, ValueError):
        return f"unknown language code '{code}': write a known tag such as fr, de or fr-CA"
    return None


class LocaleSection(Strict):
    """One language's own settings (`site.locales.fr`); unset ones follow the site's."""

    name: str | None = Field(None, description="the site's name in this language")
    description: str | None = Field(None, description="the site's description in it")
    url_prefix: str | None = Field(None, description="where its pages live, e.g. /fr/ "
                                   "(default /{code}/)")

    @field_validator("url_prefix")
    @classmethod
    def _prefix(cls, value: str | None) -> str | None:
        if value is None:
            return value
        parts = value.strip("/").split("/")
        if not value.startswith("/") or not value.endswith("/") or value == "/" \
                or value.startswith("//") or any(not re.fullmatch(r"[A-Za-z0-9._~-]+", part)
                                                 or part in (".", "..") for part in parts):
            raise ValueError("must be a folder such as /fr/ or /ca/fr/ (letters, digits, "
                             "- . _ ~ between slashes)")
        if reserved_folder(value):
            raise ValueError(f"lies under /{reserved_folder(value)}/, the folder of the "
                             "theme's static assets and build metadata: choose another")
        return value


class SiteSection(Strict):
    name: str = "My Locations"
    description: str = ""
    language: str = "en"
    languages: list[str] = Field(default_factory=list, description="the site's languages, "
                                 "the default first; empty: site.language alone")
    locales: dict[str, LocaleSection] = Field(default_factory=dict)
    default_language_prefix: bool = Field(False, description="the default language's pages "
                                          "under its url_prefix too (/ redirects there)")
    logo: str | None = None
    favicon: str = "/_assets/favicon.svg"
    business_type: str = "LocalBusiness"
    category_types: dict[str, str] = Field(default_factory=dict)
    same_as: list[str] = Field(default_factory=list)
    unit: Literal["km", "mi"] = "km"
    clock: Literal["12h", "24h"] | None = Field(None, description="the clock of opening "
                                                "hours; unset: the language's own")
    directions: Literal["google", "apple", "osm"] = "google"
    copyright: str | None = None

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        for code in value:
            problem = language_problem(code)
            if problem:
                raise ValueError(problem)
        if len(set(value)) != len(value):
            raise ValueError("each language once: the first is the default")
        return value

    @field_validator("locales")
    @classmethod
    def _locales(cls, value: dict[str, LocaleSection], info: ValidationInfo
                 ) -> dict[str, LocaleSection]:
        languages = info.data.get("languages") or [info.data.get("language", "en")]
        for code in value:
            if code not in languages:
                raise ValueError(f"'{code[:40]}' is not one of site.languages "
                                 f"({', '.join(languages)}): add it there or remove its "
                                 "locale")
        return value

    @model_validator(mode="after")
    def _default_language(self) -> SiteSection:
        if not self.languages:
            return self
        if "language" in self.model_fields_set and self.language != self.languages[0]:
            raise ValueError(f"site.language '{self.language[:40]}' is not the first of "
                             "site.languages, the default language: remove site.language")
        self.language = self.languages[0]  # the first language is the default
        prefixes = [(self.locales[code].url_prefix if code in self.locales else None)
                    or f"/{code.lower()}/" for code in self.languages]
        if len(set(prefixes)) != len(prefixes):
            raise ValueError("two languages share a url_prefix: give each its own in "
                             "site.locales")
        return self

    @field_validator("logo", "favicon")
    @classmethod
    def _site_url(cls, value: str | None) -> str | None:
        if value and not (_http_url(value) or (value.startswith("/")
                                               and not value.startswith("//"))):
            raise ValueError("must be an http(s) URL or a site-relative path such as /logo.svg")
        return value

    @field_validator("same_as")
    @classmethod
    def _profiles(cls, value: list[str]) -> list[str]:
        for url in value:
            if not _http_url(url):
                raise ValueError(f"'{url[:60]}' is not an http(s) URL")
        return value


class LocationsSection(Strict):
    source: str = "locations/locations.csv"
    format: Literal["csv", "tsv", "json", "jsonl", "yaml", "geojson", "xlsx",
                    "sqlite"] | None = None
    encoding: str = "utf-8"
    delimiter: str | None = Field(None, min_length=1, max_length=1,
                                  description="a CSV file's delimiter when not a comma")
    id: str | list[str] | None = Field(None, description="the id column, or the columns of "
                                       "a composite key such as [FSCSKEY, FSCS_SEQ]")
    fields: dict[str, str] = Field(default_factory=dict)
    defaults: dict[str, str | int | float | bool] = Field(default_factory=dict)
    phone_region: str | None = None
    null_values: list[str] = Field(default_factory=lambda: [""])
    private: list[str] = Field(default_factory=list)
    on_error: Literal["fail", "skip"] = "fail"
    mask: list[Literal["name", "street", "phone", "email", "website", "description",
                       "postal_code", "booking_url", "id", "city", "neighbourhood",
                       "image", "coordinates"]] = Field(default_factory=list)
    table: str | None = None
    query: str | None = None
    sheet: str | None = None
    timezone: str | None = None
    categories_separator: str | None = Field(None, description="what splits a categories "
                                             "cell; detected (| ; ,) when unset")
    max_rows: int = Field(500_000, ge=1, description="more rows than this is an error, "
                          "found before any row is validated")
    download_deadline: float = Field(60.0, gt=0, description="seconds a URL source's whole "
                                     "download may take, redirects included")
    max_row_drop: float = Field(0.2, ge=0, le=1, description="share of the cached copy's rows "
                                "a new download may lack before it is refused")
    allow_private_hosts: bool = Field(False, description="follow a URL source's redirects to "
                                      "loopback, private and link-local addresses")

    @field_validator("id")
    @classmethod
    def _id_columns(cls, value: str | list[str] | None) -> str | list[str] | None:
        if isinstance(value, list):
            if not value or any(not column for column in value):
                raise ValueError("list the key's columns, e.g. [FSCSKEY, FSCS_SEQ]")
            if len(set(value)) != len(value):
                raise ValueError("each column of the key once")
            return value[0] if len(value) == 1 else value
        return value

    @field_validator("categories_separator")
    @classmethod
    def _separator(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("write the character that splits the cell, e.g. '|' or ';'")
        return value

    @field_validator("phone_region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        if value is not None and (len(value) != 2 or not value.isalpha()):
            raise ValueError("must be a two-letter country code such as US or GB")
        return value.upper() if value else value


class UrlsSection(Strict):
    location: str = "/locations/{region}/{city}/{slug}/"
    locations: str = "/locations/"
    map: str = "/locations/map/"
    list: str = "/locations/list/"
    cards: str = "/locations/cards/"

    @field_validator("location", "locations", "map", "list", "cards")
    @classmethod
    def _shape(cls, value: str) -> str:
        if not value.startswith("/") or not value.endswith("/"):
            raise ValueError("must start and end with '/', e.g. /locations/{region}/{slug}/")
        if value.startswith("//") or any(ord(c) < 32 or c in "\\?#" for c in value) \
                or any(part in ("..", ".") for part in value.strip("/").split("/")):
            raise ValueError("must be a path inside the site: no '..' or '.' segments, "
                             "backslashes, control characters, ? or #")
        if reserved_folder(value):
            raise ValueError(f"lies under /{reserved_folder(value)}/, the folder of the "
                             "theme's static assets and build metadata (published "
                             "unencrypted): choose another path")
        return value


# Output folders of the build itself: theme assets (plain in a protected build) and metadata.
RESERVED_FOLDERS = ("_assets", "_sitegen")


def reserved_folder(path: str) -> str | None:
    """The reserved folder (`_assets`, `_sitegen`) a site path lies under, any case."""
    first = path.strip("/").split("/", 1)[0].lower()
    return first if first in RESERVED_FOLDERS else None


class SeoSection(Strict):
    title: str = "{title} | {site}"
    location_title: str = "{name}, {street}, {city} | {site}"
    location_description: str = (
        "{name} at {street}, {city}. Opening hours, directions, phone and services."
    )
    hub_title: str = "Locations in {place} | {site}"
    hub_description: str = "All {count} {site} locations in {place}: addresses, hours and phone."

    @field_validator("title", "location_title", "location_description", "hub_title",
                     "hub_description")
    @classmethod
    def _placeholders(cls, value: str) -> str:
        try:
            fields = [(name, spec, conversion) for _, name, spec, conversion
                      in string.Formatter().parse(value) if name is not None]
        except ValueError as exc:  # a lone { or }
            raise ValueError(f"{exc}; write {{{{ or }}}} for a literal brace") from None
        for name, spec, conversion in fields:
            if not re.fullmatch(r"[a-z_]+", name) or spec or conversion:
                raise ValueError(f"'{{{name}}}' is not a placeholder: write names such as "
                                 "{name}, {city} or {site}")
        return value


class NearbySection(Strict):
    count: int = Field(5, ge=0, le=50)


class LocatorSection(Strict):
    places: bool = Field(True, description="build the place index: a search for a town or "
                         "postcode without a location lists the nearest locations")
    min_population: int = Field(5000, ge=500, description="the smallest town in the place "
                                "index (GeoNames population)")
    postcodes: str | None = Field(None, description="CSV file of postcode,lat,lng centroids "
                                  "(ONS, Census ZCTA ...), relative to the site folder")
    nearest: int = Field(5, ge=1, le=50, description="how many nearest locations a search "
                         "with nothing in its radius falls back to")
    track: bool = Field(True, description="send searches that find nothing or fall back as "
                        "analytics events (where analytics is on)")


class SitemapSection(Strict):
    max_urls: int = Field(50000, ge=1, le=50000)


class RedirectsSection(Strict):
    """The redirects ledger and how old location URLs are answered (docs/lifecycle.md)."""

    ledger: str = Field("locations/redirects.yaml", description="the ledger of every "
                        "location URL production builds published, relative to the site")
    update: bool = Field(True, description="production builds add the URLs they publish "
                         "to the ledger; other environments never write it")
    nearest_km: float = Field(25.0, ge=0, le=20000, description="a closed location's URL "
                              "redirects to the nearest open location within this distance, "
                              "else to its city hub (or the nearest hub above it)")
    stubs: bool = Field(True, description="an HTML page at each old path (meta refresh and "
                        "canonical, noindex) for hosts without redirect rules")

    @field_validator("ledger")
    @classmethod
    def _inside(cls, value: str) -> str:
        parts = value.replace("\\", "/").split("/")
        if value.startswith("/") or ".." in parts or not value.strip():
            raise ValueError("must be a path inside the site folder, such as "
                             "locations/redirects.yaml")
        return value


class FeedsSection(Strict):
    include_closed: bool = Field(False, description="list closed locations in the feeds, "
                                 "with their status")
    per_location: bool = Field(False, description="also write /api/locations/<id>.json, one "
                               "file per location")


class ProtectionSection(Strict):
    mode: Literal["encrypt", "basic-auth", "none"] | None = None
    password_env: str = "SITEGEN_STAGING_PASSWORD"
    username: str = "staging"
    remember_days: int = Field(0, ge=0, le=90)
    iterations: int = Field(600_000, ge=600_000)
    htpasswd_path: str | None = Field(None, description="absolute path of .htpasswd on the "
                                      "server, for .htaccess and the nginx snippet")
    acknowledge_public: bool = Field(False, description="in a config file: a staging-like "
                                     "environment with mode: none is readable by anyone")
    host: Host | None = Field(None, description="where the build is deployed: what enforces "
                              "basic auth there is written with the build")
    private_paths: bool | None = Field(None, description="opaque folder and file names in "
                                       "an encrypted build (default: on in encrypt mode)")


class AnalyticsSection(Strict):
    provider: Literal["none", "ga4", "plausible", "matomo", "custom"] = "none"
    id: str | None = None
    domain: str | None = None
    url: str | None = None
    snippet: str | None = None
    consent: bool = False


CTA_BUILTINS = ("call", "directions", "book", "email", "website")


def expand_cta_entries(value: Any) -> Any:
    """`[call, {label: Order, url: ...}]`: a bare name is shorthand for `{type: name}`."""
    if isinstance(value, list):
        return [{"type": item} if isinstance(item, str) else item for item in value]
    return value


class CtaItem(Strict):
    """One call to action: a built-in kind, `inherit` (the less specific list), or a link."""

    type: Literal["call", "directions", "book", "email", "website", "link", "inherit"] = "link"
    label: str | None = Field(None, description="text; {name} {city} {phone} placeholders")
    url: str | None = Field(None, description="target; {id} {slug} {city}... placeholders")
    style: Literal["primary", "secondary"] | None = None

    @model_validator(mode="after")
    def _link(self) -> CtaItem:
        if self.type == "link" and not (self.label and self.url):
            raise ValueError("a custom link needs a label and a url")
        return self


def _card_default() -> list[CardCta]:
    return ["call", "directions"]


class CtasSection(Strict):
    site: list[CtaItem] = Field(default_factory=lambda: [CtaItem(type=t) for t in CTA_BUILTINS])
    categories: dict[str, list[CtaItem]] = Field(default_factory=dict)
    locations: dict[str, list[CtaItem]] = Field(default_factory=dict)
    card: list[CardCta] = Field(default_factory=_card_default)
    labels: dict[Literal["call", "directions", "book", "email", "website"], str] = Field(
        default_factory=dict)
    track: bool = True

    @field_validator("site", mode="before")
    @classmethod
    def _site(cls, value: Any) -> Any:
        return expand_cta_entries(value)

    @field_validator("categories", "locations", mode="before")
    @classmethod
    def _per_key(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: expand_cta_entries(v) for k, v in value.items()}
        return value


LEAD_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
LEAD_RESERVED = frozenset({
    "location_id", "location_name", "page_url", "environment", "consent", "consent_text",
    "recipient", "submission_id", "utm_source", "utm_medium", "utm_campaign", "utm_term",
    "utm_content"})


class LeadField(Strict):
    name: str
    label: str
    type: Literal["text", "email", "tel", "textarea", "select", "number", "date", "url"] = "text"
    required: bool = False
    autocomplete: str | None = None
    options: list[str] = Field(default_factory=list)
    max_length: int = Field(2000, ge=1, le=20000)
    hint: str | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not LEAD_FIELD_NAME.match(value):
            raise ValueError("field names are lower-case letters, digits and _, e.g. company")
        if value in LEAD_RESERVED:
            raise ValueError(f"'{value}' is a field sitegen fills in itself; choose another name")
        return value

    @model_validator(mode="after")
    def _options(self) -> LeadField:
        if self.type == "select" and not self.options:
            raise ValueError("a select field needs options")
        return self


def default_lead_fields() -> list[LeadField]:
    return [
        LeadField(name="name", label="Your name", required=True, autocomplete="name",
                  max_length=200),
        LeadField(name="email", label="Email address", type="email", required=True,
                  autocomplete="email", max_length=254),
        LeadField(name="phone", label="Phone number", type="tel", autocomplete="tel",
                  max_length=40),
        LeadField(name="message", label="Your message", type="textarea", required=True,
                  max_length=5000),
    ]


def _http_url(value: str) -> bool:
    return value.startswith(("http://", "https://")) and len(value) > len("https://")


def _pages_default() -> list[LeadPage]:
    return ["location", "contact"]


LEAD_SPECIAL = ("_gotcha", "_started", "_next")  # spam checks and redirects: never mapped


def _field_map(value: dict[str, str]) -> dict[str, str]:
    for key, target in value.items():
        if key in LEAD_SPECIAL:
            raise ValueError(f"'{key}' is a spam check or redirect field, never sent on")
        if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}", target):
            raise ValueError(f"the name for '{key}' must be letters, digits, _ . or -, "
                             "e.g. lastname")
    return value


class CrmSection(Strict):
    """The validators of a lead destination with its own API (HubSpot, Salesforce): each
    subclass declares `fields` (sitegen field -> the service's name) and `endpoint` (the
    service's base URL, whose default the error message shows)."""

    @field_validator("fields", check_fields=False)
    @classmethod
    def _fields(cls, value: dict[str, str]) -> dict[str, str]:
        return _field_map(value)

    @field_validator("endpoint", check_fields=False)
    @classmethod
    def _endpoint(cls, value: str) -> str:
        if not _http_url(value):
            example = cls.model_fields["endpoint"].default
            raise ValueError(f"must be an http(s) URL, e.g. {example}")
        return value.rstrip("/")


class HubspotSection(CrmSection):
    """HubSpot Forms: leads go to the forms API's submit endpoint as its documented JSON."""

    portal_id: str = Field(description="the HubSpot account (hub) id, digits")
    form_id: str = Field(description="the form's GUID, from the form's embed code")
    object_type_id: str | None = Field("0-1", description="objectTypeId of every field "
                                       "(0-1: contact); null leaves it out")
    fields: dict[str, str] = Field(default_factory=lambda: {
        "name": "firstname", "email": "email", "phone": "phone", "message": "message"},
        description="sitegen field -> HubSpot property; only these fields are sent")
    endpoint: str = Field("https://api.hsforms.com", description="the API's base URL "
                          "(tests and proxies only)")

    @field_validator("portal_id")
    @classmethod
    def _portal(cls, value: str) -> str:
        if not re.fullmatch(r"[0-9]{1,12}", value):
            raise ValueError("a HubSpot portal id is digits, e.g. 1234567")
        return value

    @field_validator("form_id")
    @classmethod
    def _form(cls, value: str) -> str:
        if not re.fullmatch(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}", value):
            raise ValueError("a HubSpot form id is a GUID, e.g. "
                             "0a1b2c3d-1111-2222-3333-444455556666")
        return value.lower()


class SalesforceSection(CrmSection):
    """Salesforce Web-to-Lead: a form post with the org id and Salesforce's field names."""

    org_id: str = Field(description="the org id (oid), 15 or 18 characters, starts with 00D")
    fields: dict[str, str] = Field(default_factory=lambda: {
        "name": "last_name", "email": "email", "phone": "phone", "message": "description"},
        description="sitegen field -> Web-to-Lead field (custom fields: their 00N... id); "
                    "only these fields are sent")
    endpoint: str = Field("https://webto.salesforce.com", description="the Web-to-Lead "
                          "base URL (tests and proxies only)")

    @field_validator("org_id")
    @classmethod
    def _org(cls, value: str) -> str:
        if not re.fullmatch(r"00D[A-Za-z0-9]{12}([A-Za-z0-9]{3})?", value):
            raise ValueError("a Salesforce org id is 15 or 18 letters and digits starting "
                             "with 00D (Setup > Company Information)")
        return value


class LeadsSection(Strict):
    webhook_url: str | None = None
    hubspot: HubspotSection | None = None
    salesforce: SalesforceSection | None = None
    formspree_id: str | None = None
    netlify: bool = False
    sandbox_url: str | None = None
    encoding: Literal["json", "form"] = "form"
    allow_insecure: bool = Field(False, description="accept http:// lead destinations outside "
                                 "development")
    keep_unsent: bool = Field(True, description="keep a lead that could not be sent in the "
                              "visitor's browser tab and send it again")
    consent_text: str = "I agree that my details are used to answer my enquiry."
    min_seconds: int = Field(3, ge=0, le=60)
    routes: dict[str, str] = Field(default_factory=dict)
    fields: list[LeadField] = Field(default_factory=default_lead_fields)
    pages: list[LeadPage] = Field(default_factory=_pages_default)
    heading: str = "Send us a message"
    submit_label: str = "Send message"
    success_text: str = "Thank you: your message has been sent. We will reply as soon as we can."

    @field_validator("webhook_url")
    @classmethod
    def _webhook(cls, value: str | None) -> str | None:
        if value and not _http_url(value):
            raise ValueError("must be an http(s) URL, e.g. https://hooks.zapier.com/...")
        return value or None

    @field_validator("sandbox_url")
    @classmethod
    def _sandbox(cls, value: str | None) -> str | None:
        if value and not (_http_url(value) or (value.startswith("/")
                                               and not value.startswith("//"))):
            raise ValueError("must be an http(s) URL or a site-relative path")
        return value or None

    @field_validator("formspree_id")
    @classmethod
    def _formspree(cls, value: str | None) -> str | None:
        if value and not re.fullmatch(r"[A-Za-z0-9]{4,40}", value):
            raise ValueError("a Formspree form id is letters and digits, e.g. xyzabcde")
        return value or None

    @field_validator("routes")
    @classmethod
    def _routes(cls, value: dict[str, str]) -> dict[str, str]:
        for key, target in value.items():
            if not (_http_url(target) or re.fullmatch(r"mailto:[^@\s]+@[^@\s]+", target)):
                raise ValueError(f"route '{key}' must be an http(s) webhook URL or "
                                 "mailto:name@example.com")
        return value

    @field_validator("fields")
    @classmethod
    def _unique(cls, value: list[LeadField]) -> list[LeadField]:
        names = [f.name for f in value]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"duplicate field name '{duplicates[0]}'")
        return value


class MapsSection(Strict):
    tiles: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    attribution: str = (
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
    )
    zoom: int = Field(13, ge=1, le=19)


HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
# A CSS font-family list: names, quotes, commas, spaces and hyphens, nothing else.
FONT_STACK = re.compile(r"""[A-Za-z0-9 ,'"_-]{1,200}""")
THEME_STATIC_FILE = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_./-]{0,199}")


def _site_path(value: str | None) -> str | None:
    if value and not (_http_url(value) or (value.startswith("/")
                                           and not value.startswith("//"))):
        raise ValueError("must be an http(s) URL or a site-relative path such as /logo.svg")
    if value and any(c in "\\\"'<>" or ord(c) < 32 for c in value):
        raise ValueError("must be a plain URL path: no quotes, angle brackets, backslashes "
                         "or control characters")
    return value


class ThemeColors(Strict):
    """Brand colours, each `#rgb` or `#rrggbb`; unset ones keep the theme's own."""

    primary: str | None = Field(None, description="buttons, links, active states, the marker")
    on_primary: str | None = Field(None, description="text on primary; black or white "
                                   "by contrast when unset")
    secondary: str | None = Field(None, description="decoration: rules, borders, accents")
    text: str | None = None
    muted: str | None = None
    background: str | None = None
    surface: str | None = Field(None, description="panels, cards, the search box")
    border: str | None = None
    header: str | None = Field(None, description="the header's background")
    on_header: str | None = Field(None, description="text on the header; black or white "
                                  "by contrast when unset")
    open: str | None = Field(None, description="the open-now badge's text")
    closed: str | None = Field(None, description="the closed badge's text")

    @field_validator("*")
    @classmethod
    def _hex(cls, value: str | None) -> str | None:
        if value is not None and not HEX_COLOUR.fullmatch(value):
            raise ValueError(f"'{value[:40]}' is not a colour: write #rgb or #rrggbb, "
                             "e.g. '#1f4d3a' (quoted: YAML reads # as a comment)")
        return value.lower() if value else value


class FontFile(Strict):
    """A self-hosted font file in the site theme's static folder (served under /_assets/)."""

    family: str
    src: str = Field(description="path inside themes/<name>/static/, e.g. fonts/brand.woff2")
    weight: str = "400"
    style: Literal["normal", "italic"] = "normal"

    @field_validator("family")
    @classmethod
    def _family(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9 _-]{1,60}", value):
            raise ValueError("a font family name is letters, digits, spaces, _ and -")
        return value

    @field_validator("src")
    @classmethod
    def _src(cls, value: str) -> str:
        if not THEME_STATIC_FILE.fullmatch(value) or ".." in value.split("/") \
                or not value.lower().endswith((".woff2", ".woff")):
            raise ValueError("must be a .woff2 or .woff file inside the theme's static "
                             "folder, e.g. fonts/brand.woff2")
        return value

    @field_validator("weight")
    @classmethod
    def _weight(cls, value: str) -> str:
        if not re.fullmatch(r"[1-9]00( [1-9]00)?|normal|bold", str(value)):
            raise ValueError("write a weight such as 400, bold, or a range such as 100 900")
        return str(value)


class ThemeFonts(Strict):
    body: str | None = Field(None, description="CSS font-family list of the text")
    headings: str | None = Field(None, description="CSS font-family list of the headings")
    files: list[FontFile] = Field(default_factory=list)

    @field_validator("body", "headings")
    @classmethod
    def _stack(cls, value: str | None) -> str | None:
        if value is not None and (not FONT_STACK.fullmatch(value) or value.count('"') % 2
                                  or value.count("'") % 2):
            raise ValueError("write a CSS font-family list, e.g. 'Inter, system-ui, "
                             "sans-serif' (letters, digits, spaces, commas, quotes, -)")
        return value


class ThemeMarker(Strict):
    color: str | None = Field(None, description="the map pin's colour; colors.primary "
                              "when unset")
    icon: str | None = Field(None, description="a site-relative image replacing the pin")
    size: tuple[int, int] = Field((32, 42), description="[width, height] of the pin in px")

    @field_validator("color")
    @classmethod
    def _hex(cls, value: str | None) -> str | None:
        return ThemeColors._hex(value)

    @field_validator("icon")
    @classmethod
    def _icon(cls, value: str | None) -> str | None:
        return _site_path(value)

    @field_validator("size")
    @classmethod
    def _size(cls, value: tuple[int, int]) -> tuple[int, int]:
        if not all(8 <= n <= 128 for n in value):
            raise ValueError("width and height are between 8 and 128 pixels")
        return value


class ThemeSection(Strict):
    """The theme folder and the brand settings applied to every page (branding.py).

    `theme: juniper` is shorthand for `theme: {name: juniper}`."""

    name: str | None = Field(None, description="folder under themes/ searched before the "
                             "built-in default theme")
    colors: ThemeColors = Field(default_factory=ThemeColors)
    fonts: ThemeFonts = Field(default_factory=ThemeFonts)
    logo: str | None = Field(None, description="the header's and the password page's logo; "
                             "site.logo when unset")
    marker: ThemeMarker = Field(default_factory=ThemeMarker)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return {"name": value} if isinstance(value, str) else value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,59}", value):
            raise ValueError("a theme is a folder name under themes/, e.g. brand")
        return value

    @field_validator("logo")
    @classmethod
    def _logo(cls, value: str | None) -> str | None:
        return _site_path(value)


class AuditSection(Strict):
    near_duplicate_threshold: float = Field(0.6, gt=0, le=1)
    allowed_origins: list[str] = Field(default_factory=list, description="origins (https://"
                                       "host) a build without analytics may load from")

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        for url in value:
            if not _http_url(url):
                raise ValueError(f"'{url[:60]}' is not an http(s) origin such as "
                                 "https://tiles.example.com")
        return value


class NotificationsSection(Strict):
    webhooks: list[str] = Field(default_factory=list)
    retries: int = Field(3, ge=0, le=10)
    backoff: float = Field(0.5, ge=0, le=60, description="seconds before the first retry")
    timeout: float = Field(10, gt=0, le=120)

    @field_validator("webhooks")
    @classmethod
    def _urls(cls, value: list[str]) -> list[str]:
        for url in value:
            if not _http_url(url):
                raise ValueError(f"'{url[:60]}' is not an http(s) URL")
        return value


class PublishSection(Strict):
    keep: int = Field(5, ge=1, le=100)


class BuildSection(Strict):
    jobs: int | None = Field(None, ge=1, le=64)


class SiteConfig(Strict):
    environment: EnvironmentSection = Field(default_factory=EnvironmentSection)
    base_url: str | None = None
    theme: ThemeSection = Field(default_factory=ThemeSection)
    site: SiteSection = Field(default_factory=SiteSection)
    locations: LocationsSection = Field(default_factory=LocationsSection)
    urls: UrlsSection = Field(default_factory=UrlsSection)
    seo: SeoSection = Field(default_factory=SeoSection)
    nearby: NearbySection = Field(default_factory=NearbySection)
    locator: LocatorSection = Field(default_factory=LocatorSection)
    sitemap: SitemapSection = Field(default_factory=SitemapSection)
    redirects: RedirectsSection = Field(default_factory=RedirectsSection)
    feeds: FeedsSection = Field(default_factory=FeedsSection)
    protection: ProtectionSection = Field(default_factory=ProtectionSection)
    analytics: AnalyticsSection = Field(default_factory=AnalyticsSection)
    leads: LeadsSection = Field(default_factory=LeadsSection)
    ctas: CtasSection = Field(default_factory=CtasSection)
    maps: MapsSection = Field(default_factory=MapsSection)
    audit: AuditSection = Field(default_factory=AuditSection)
    notifications: NotificationsSection = Field(default_factory=NotificationsSection)
    publish: PublishSection = Field(default_factory=PublishSection)
    build: BuildSection = Field(default_factory=BuildSection)

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an absolute http(s) URL such as https://www.example.com")
        return value.rstrip("/")
