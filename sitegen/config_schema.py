"""The one schema every config layer is validated against.

Every model forbids unknown keys, so a typo is an error with a did-you-mean hint rather than a
silently ignored setting. Defaults here are the documented defaults (README, config reference).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

BUILTIN_ENVIRONMENTS = ("development", "staging", "production")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class EnvironmentSection(Strict):
    behaves_like: Literal["development", "staging", "production"] | None = None
    banner: str | None = Field(None, description="banner text; defaults to the environment name")


class SiteSection(Strict):
    name: str = "My Locations"
    description: str = ""
    language: str = "en"
    logo: str | None = None
    favicon: str = "/_assets/favicon.svg"
    business_type: str = "LocalBusiness"
    category_types: dict[str, str] = Field(default_factory=dict)
    same_as: list[str] = Field(default_factory=list)
    unit: Literal["km", "mi"] = "km"
    clock: Literal["12h", "24h"] = "24h"
    directions: Literal["google", "apple", "osm"] = "google"
    copyright: str | None = None


class LocationsSection(Strict):
    source: str = "locations/locations.csv"
    format: Literal["csv", "tsv", "json", "jsonl", "yaml", "geojson", "xlsx", "sqlite"] | None = None
    encoding: str = "utf-8"
    id: str | None = None
    fields: dict[str, str] = Field(default_factory=dict)
    defaults: dict[str, str | int | float | bool] = Field(default_factory=dict)
    phone_region: str | None = None
    null_values: list[str] = Field(default_factory=lambda: [""])
    private: list[str] = Field(default_factory=list)
    on_error: Literal["fail", "skip"] = "fail"
    mask: list[Literal["name", "street", "phone", "email", "website", "description",
                       "postal_code"]] = Field(default_factory=list)
    table: str | None = None
    query: str | None = None
    sheet: str | None = None
    timezone: str | None = None
    categories_separator: str = ","

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
        return value


class SeoSection(Strict):
    title: str = "{title} | {site}"
    location_title: str = "{name}, {street}, {city} | {site}"
    location_description: str = (
        "{name} at {street}, {city}. Opening hours, directions, phone and services."
    )
    hub_title: str = "Locations in {place} | {site}"
    hub_description: str = "All {count} {site} locations in {place}: addresses, hours and phone."


class NearbySection(Strict):
    count: int = Field(5, ge=0, le=50)


class SitemapSection(Strict):
    max_urls: int = Field(50000, ge=1, le=50000)


class ProtectionSection(Strict):
    mode: Literal["encrypt", "basic-auth", "none"] | None = None
    password_env: str = "SITEGEN_STAGING_PASSWORD"
    username: str = "staging"
    remember_days: int = Field(0, ge=0, le=90)
    iterations: int = Field(600_000, ge=600_000)
    htpasswd_path: str | None = Field(None, description="absolute path of .htpasswd on the "
                                      "server, for .htaccess and the nginx snippet")


class AnalyticsSection(Strict):
    provider: Literal["none", "ga4", "plausible", "matomo", "custom"] = "none"
    id: str | None = None
    domain: str | None = None
    url: str | None = None
    snippet: str | None = None
    consent: bool = False


class LeadsSection(Strict):
    webhook_url: str | None = None
    formspree_id: str | None = None
    netlify: bool = False
    sandbox_url: str | None = None
    encoding: Literal["json", "form"] = "json"
    consent_text: str = "I agree that my details are used to answer my enquiry."
    min_seconds: int = Field(3, ge=0, le=60)
    routes: dict[str, str] = Field(default_factory=dict)


class MapsSection(Strict):
    tiles: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    attribution: str = (
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
    )
    zoom: int = Field(13, ge=1, le=19)


class AuditSection(Strict):
    near_duplicate_threshold: float = Field(0.6, gt=0, le=1)


class NotificationsSection(Strict):
    webhooks: list[str] = Field(default_factory=list)
    retries: int = Field(3, ge=0, le=10)


class PublishSection(Strict):
    keep: int = Field(5, ge=1, le=100)


class BuildSection(Strict):
    jobs: int | None = Field(None, ge=1, le=64)


class SiteConfig(Strict):
    environment: EnvironmentSection = Field(default_factory=EnvironmentSection)
    base_url: str | None = None
    theme: str | None = None
    site: SiteSection = Field(default_factory=SiteSection)
    locations: LocationsSection = Field(default_factory=LocationsSection)
    urls: UrlsSection = Field(default_factory=UrlsSection)
    seo: SeoSection = Field(default_factory=SeoSection)
    nearby: NearbySection = Field(default_factory=NearbySection)
    sitemap: SitemapSection = Field(default_factory=SitemapSection)
    protection: ProtectionSection = Field(default_factory=ProtectionSection)
    analytics: AnalyticsSection = Field(default_factory=AnalyticsSection)
    leads: LeadsSection = Field(default_factory=LeadsSection)
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
