"""The default theme's catalogs: every string the theme says is in messages.pot, every
language's catalog translates every one of them keeping its placeholders and markup, and the
locale helpers follow Babel (clock, direction, day hours, numbers)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from sitegen.config.schema import LeadsSection, SeoSection, default_lead_fields
from sitegen.config.themes import BUILTIN_THEME
from sitegen.diagnostics import SitegenError
from sitegen.model import ctas, leads, phrases
from sitegen.output.protect import SCRIPT_TEXTS
from sitegen.render import i18n

PACKAGE = BUILTIN_THEME.parents[1]
LOCALE = BUILTIN_THEME / "locale"
LANGUAGES = ("en", "fr", "de", "es", "it")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}|<[^>]+>")


def _key(message: str | tuple[str, ...] | list[str]) -> str | tuple[str, ...]:
    return message if isinstance(message, str) else tuple(message)


def _pot() -> set[str | tuple[str, ...]]:
    with (LOCALE / "messages.pot").open("rb") as handle:
        return {_key(m.id) for m in read_po(handle) if m.id}


def test_every_string_of_the_theme_is_in_messages_pot() -> None:
    """Extracting again (templates, the model's N_ texts, the introduction, the password
    page) gives exactly messages.pot's msgids: run `pybabel extract` (docs/themes.md)
    after changing a string."""
    with (BUILTIN_THEME / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    extracted = {_key(message) for _, _, message, _, _ in
                 extract_from_dir(str(PACKAGE), method_map, options_map) if message}
    pot = _pot()
    assert extracted - pot == set(), "strings missing from messages.pot"
    assert pot - extracted == set(), "messages.pot has strings the theme no longer says"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalog_has_every_msgid_translated_with_its_placeholders(language: str) -> None:
    with (LOCALE / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    messages = {_key(m.id): m for m in catalog if m.id}
    assert set(messages) == _pot(), "run pybabel update (docs/themes.md)"
    for key, message in messages.items():
        assert not message.fuzzy, key
        if language == "en":
            continue  # English is the msgid itself
        ids = [key] if isinstance(key, str) else list(key)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        assert all(strings), f"{language}: {key!r} is not translated"
        wanted = sorted(PLACEHOLDER.findall(ids[-1]))
        for text in strings:
            assert sorted(PLACEHOLDER.findall(text)) == wanted, (language, key, text)


def test_the_texts_the_model_writes_are_in_the_catalog() -> None:
    """The config's defaults and the model's English (lead form, calls to action) are
    listed for the catalog, so a changed default cannot go untranslated unnoticed."""
    listed = set(i18n.MODEL_MESSAGES)
    section = LeadsSection()
    wanted = {section.heading, section.submit_label, section.success_text,
              section.consent_text, leads.INTEREST_HEADING, leads.INTEREST_SUBMIT,
              *ctas.DEFAULT_LABELS.values(), *phrases.MESSAGES}
    seo = SeoSection()
    wanted |= {seo.location_description, seo.hub_title, seo.hub_description}
    for spec in default_lead_fields():
        field = leads.FormField(spec.name, spec.label, spec.type, spec.required,
                                spec.autocomplete, tuple(spec.options), spec.max_length,
                                spec.hint)
        wanted |= {field.label, field.required_message, field.invalid_message}
    assert wanted - listed == set()
    assert set(SCRIPT_TEXTS.values()) <= _pot()


@pytest.mark.parametrize(("language", "configured", "clock"), [
    ("fr", None, "24h"), ("de", None, "24h"), ("en-US", None, "12h"), ("en", None, "24h"),
    ("fr", "12h", "12h"), ("en", "12h", "12h"), ("ar", None, "12h"),
])
def test_the_clock_is_the_languages_unless_configured(language: str, configured: str | None,
                                                      clock: str) -> None:
    assert i18n.clock_for(language, configured) == clock  # type: ignore[arg-type]


@pytest.mark.parametrize(("language", "direction"), [
    ("ar", "rtl"), ("he", "rtl"), ("fa", "rtl"), ("ur", "rtl"), ("fr", "ltr"), ("en", "ltr"),
    ("pt-BR", "ltr"),
])
def test_the_text_direction_comes_from_babel(language: str, direction: str) -> None:
    assert i18n.text_direction(language) == direction


def test_the_text_direction_is_kept_in_the_user_cache_and_a_damaged_entry_is_asked_again(
        tmp_path: Path) -> None:
    """Babel reads a locale's whole data for its direction: the answer is kept by Babel's
    version, read back by the next process, and anything unreadable there is asked again."""
    script = ("import sys; from sitegen.render.i18n import text_direction; "
              "print(text_direction('ar'), text_direction('en'), "
              "'babel.localedata' in sys.modules and bool(__import__('babel.localedata')"
              ".localedata._cache))")
    environ = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}

    def run() -> str:
        return subprocess.run([sys.executable, "-c", script], env=environ, check=True,
                              capture_output=True, text=True).stdout.split()

    assert run() == ["rtl", "ltr", "True"]  # asked Babel, which read the locales' data
    (kept,) = (tmp_path / "sitegen" / "locales").iterdir()
    assert json.loads(kept.read_text()) == {"ar": "rtl", "en": "ltr"}
    assert run() == ["rtl", "ltr", "False"]  # read back: no locale data read
    for damaged in ('{"ar": "sideways", "en": "ltr"}', '{"ar": "rtl", "en": ', "[]"):
        kept.write_text(damaged)
        assert run() == ["rtl", "ltr", "True"]
        assert json.loads(kept.read_text()) == {"ar": "rtl", "en": "ltr"}


def test_day_hours_in_french_and_german() -> None:
    french = i18n.translations([BUILTIN_THEME], "fr").gettext
    assert i18n.day_hours([(540, 1080)], "fr", "24h", french) == "09:00–18:00"
    assert i18n.day_hours([(540, 1440)], "fr", "24h", french) == "09:00–minuit"
    assert i18n.day_hours([], "fr", "24h", french) == "Fermé"
    assert i18n.day_hours(None, "fr", "24h", french) == "Horaires non disponibles"
    assert i18n.day_hours([(0, 1440)], "fr", "24h", french) == "Ouvert 24 h/24"
    german = i18n.translations([BUILTIN_THEME], "de").gettext
    assert i18n.day_hours([(420, 750), (840, 1170)], "de", "24h", german) == \
        "07:00–12:30, 14:00–19:30"


def test_english_day_hours_are_unchanged() -> None:
    english = i18n.translations([BUILTIN_THEME], "en").gettext
    assert i18n.day_hours([(540, 1020)], "en", "24h", english) == "09:00–17:00"
    assert i18n.day_hours([(540, 1020)], "en", "12h", english) == "9:00 AM – 5:00 PM"


@pytest.mark.parametrize(("language", "shown"), [
    ("en", "1.5"), ("fr", "1,5"), ("de", "1,5"), ("en-US", "1.5"),
])
def test_decimals_use_the_locales_sign(language: str, shown: str) -> None:
    assert i18n.decimal(1.5, language) == shown
    assert i18n.decimal(12, language) == "12"


def test_an_unknown_language_is_a_diagnostic_naming_the_setting() -> None:
    with pytest.raises(SitegenError) as caught:
        i18n.locale_of("not a language")
    assert caught.value.diagnostics[0].field == "site.language"


def test_a_site_theme_catalog_wins_over_the_default(tmp_path: Path) -> None:
    po = tmp_path / "brand" / "locale" / "fr" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
                  'msgid "Closed"\nmsgstr "Fermé aujourd’hui"\n', encoding="utf-8")
    merged = i18n.translations([tmp_path / "brand", BUILTIN_THEME], "fr")
    assert merged.gettext("Closed") == "Fermé aujourd’hui"
    assert merged.gettext("Open now") == "Ouvert"
    assert i18n.catalog_files([tmp_path / "brand", BUILTIN_THEME], "fr-CA")[-1] == po
