"""Calls to action: site, category and location lists, overrides, rendering and tracking."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
from support.sites import BASE_CONFIG, copy_example, csv_text, generated_rows, run_cli, small_site

from sitegen.builder.run import prepare
from sitegen.builder.stages import plan_site
from sitegen.config.themes import theme_dirs
from sitegen.diagnostics import Report, SitegenError
from sitegen.model.ctas import Cta
from sitegen.render.globals import template_globals
from sitegen.render.templates import make_environment

HAYES_PAGE = "locations/us/ca/san-francisco/juniper-oak-coffee-hayes-valley/index.html"
FRONT_MATTER = "content/locations/JO-SF-001.md"


def model_of(site: Path, env: str = "production", environ: dict | None = None):
    loaded, policy = prepare(site.resolve(), env, environ=environ or {})
    report = Report()
    model, _ = plan_site(loaded, policy, report)
    return model, report


def detail(model, ident: str) -> list[Cta]:
    page = next(p for p in model.pages if p.kind == "location"
                and p.context["location"].id == ident)
    return page.context["ctas"]


def add_config(site: Path, text: str) -> None:
    base = site / "config" / "base.yaml"
    base.write_text(base.read_text(encoding="utf-8") + text, encoding="utf-8")


def set_front_matter(site: Path, extra: str) -> None:
    path = site / FRONT_MATTER
    path.write_text(path.read_text(encoding="utf-8").replace("---\n", "---\n" + extra, 1),
                    encoding="utf-8")


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "site")


def test_default_ctas_come_from_the_location_data(example: Path) -> None:
    model, report = model_of(example)
    ctas = detail(model, "JO-SF-001")
    assert [(c.kind, c.label, c.href) for c in ctas] == [
        ("call", "Call (415) 555-0142", "tel:+14155550142"),
        ("directions", "Directions to Juniper & Oak Coffee — Hayes Valley",
         "https://www.google.com/maps/dir/?api=1&destination=37.776520,-122.423890"),
        ("book", "Book at Juniper & Oak Coffee — Hayes Valley",
         "https://booking.juniperoak.example/classes/JO-SF-001"),
        ("email", "Email Juniper & Oak Coffee — Hayes Valley", "mailto:hayes@juniperoak.example"),
    ]
    assert all(c.primary for c in ctas)
    page = next(p for p in model.pages if p.kind == "location"
                and p.context["location"].id == "JO-SF-001")
    assert [c.kind for c in page.context["card_ctas"]] == ["call", "directions"]


def test_category_list_with_inherit_and_custom_labels(example: Path) -> None:
    add_config(example, """ctas:
  labels: {directions: "Get directions"}
  categories:
    Roastery: [inherit, {label: "Tour the roastery", url: "https://tours.example/{id}?city={city}"}]
    Kiosk: [directions]
""")
    model, _ = model_of(example)
    hayes = detail(model, "JO-SF-001")  # Café, Roastery, Wi-Fi: Roastery is the first listed
    assert [c.kind for c in hayes] == ["call", "directions", "book", "email", "link"]
    assert hayes[1].label == "Get directions"
    assert hayes[-1].label == "Tour the roastery"
    assert hayes[-1].href == "https://tours.example/JO-SF-001?city=San%20Francisco"
    kiosks = [p for p in model.pages if p.kind == "location"
              and "Kiosk" in p.context["location"].categories
              and "Roastery" not in p.context["location"].categories]
    assert kiosks and all([c.kind for c in p.context["ctas"]] == ["directions"] for p in kiosks)


def test_front_matter_overrides_everything(example: Path) -> None:
    add_config(example, "ctas:\n  locations:\n    JO-SF-001: [email]\n")
    set_front_matter(example, "ctas:\n  - call\n  - {label: Order ahead, url: '/order/?store={id}'"
                              ", style: secondary}\n")
    model, _ = model_of(example)
    hayes = detail(model, "JO-SF-001")
    assert [(c.kind, c.label, c.href, c.primary) for c in hayes] == [
        ("call", "Call (415) 555-0142", "tel:+14155550142", True),
        ("link", "Order ahead", "/order/?store=JO-SF-001", False)]
    mission = detail(model, "JO-SF-002")
    assert [c.kind for c in mission][:2] == ["call", "directions"]


def test_config_per_location_list(example: Path) -> None:
    add_config(example, "ctas:\n  locations:\n    JO-SF-002: [email, call]\n")
    model, _ = model_of(example)
    assert [c.kind for c in detail(model, "JO-SF-002")] == ["email", "call"]


def test_dataset_column_overrides_config(tmp_path: Path) -> None:
    rows = generated_rows(3)
    rows[0]["ctas"] = "directions, call"
    rows[1]["ctas"] = json.dumps([{"label": "Menu", "url": "https://menu.example/{slug}"}])
    site = small_site(tmp_path / "site", rows, config=BASE_CONFIG)
    model, _ = model_of(site)
    first, second, third = (detail(model, f"ST-000{n}") for n in (1, 2, 3))
    assert [c.kind for c in first] == ["directions", "call"]
    assert [(c.label, c.href) for c in second] == [
        ("Menu", "https://menu.example/test-store-0002")]
    assert [c.kind for c in third] == ["call", "directions"]


def test_unsafe_or_malformed_overrides_are_errors(example: Path) -> None:
    set_front_matter(example, "ctas: [{label: Hack, url: 'javascript:alert(1)'}]\n")
    with pytest.raises(SitegenError) as caught:
        model_of(example)
    texts = [d.format() for d in caught.value.diagnostics]
    assert f"{FRONT_MATTER}: ctas: 'javascript:alert(1)' is not an http(s), tel:, mailto: or " \
        "site-relative URL (write https://..., tel:, mailto: or /path)" in texts


def test_malformed_front_matter_list_names_the_file(example: Path) -> None:
    set_front_matter(example, "ctas: [phone]\n")
    result = run_cli("build", "--source", example)
    assert result.returncode == 1
    assert any(line.startswith(f"{FRONT_MATTER}:2: ctas[0].type: input should be 'call'")
               for line in result.err_lines), str(result)


def test_unknown_kind_in_config_is_a_config_error(example: Path) -> None:
    add_config(example, "ctas:\n  site: [call, directons]\n")
    result = run_cli("config", "--source", example)
    assert result.returncode == 1
    assert "config/base.yaml:81: ctas.site[1].type: input should be 'call'" in result.stderr


def test_rendered_buttons_and_analytics_listener(example: Path) -> None:
    result = run_cli("build", "--source", example, env={
        "SITEGEN_LEADS__WEBHOOK_URL": "https://hooks.example/x"})
    assert result.returncode == 0, str(result)
    html = (example / "dist/production" / HAYES_PAGE).read_text(encoding="utf-8")
    # A compact row: an icon and the short label on screen, the full label for screen readers.
    assert '<a class="action primary" href="tel:+14155550142" data-cta="call" ' \
        'data-location="JO-SF-001"><span class="icon icon-call" aria-hidden="true"></span>' \
        '<span class="action-label" aria-hidden="true">Call</span><span class="visually-hidden">' \
        'Call (415) 555-0142</span></a>' in html
    assert 'data-cta="directions"' in html and 'rel="noopener"' in html
    assert "/_assets/js/track.js" in html  # production with analytics on
    assert (example / "dist/production/_assets/js/track.js").is_file()
    dev = run_cli("build", "--source", example, "--env", "development")
    assert dev.returncode == 0, str(dev)
    page = (example / "dist/development" / HAYES_PAGE).read_text(encoding="utf-8")
    assert 'data-cta="call"' in page and "track.js" not in page


def test_card_macro_for_other_views(example: Path) -> None:
    model, _ = model_of(example)
    dirs = theme_dirs(example, model.config.theme.name)
    env = make_environment(dirs, template_globals(model, dirs))
    template = env.from_string(
        '{% from "partials/cta.html" import cta_list %}'
        '{{ cta_list(ctas_for(loc), loc.id, "card-actions") }}')
    hayes = next(loc for loc in model.locations if loc.id == "JO-SF-001")
    html = template.render(loc=hayes)
    assert '<ul class="card-actions">' in html
    assert re.findall(r'data-cta="(\w+)"', html) == ["call", "directions"]
    nowhere = template.render(loc=dataclasses.replace(hayes, id="missing"))
    assert nowhere.strip() == ""


def test_card_kinds_are_configurable(tmp_path: Path) -> None:
    rows = generated_rows(2)
    site = small_site(tmp_path / "site", rows, config=BASE_CONFIG + "ctas:\n  card: [directions]\n")
    model, _ = model_of(site)
    page = next(p for p in model.pages if p.kind == "location")
    assert [c.kind for c in page.context["card_ctas"]] == ["directions"]
    assert csv_text(rows)  # the dataset stays a plain CSV
