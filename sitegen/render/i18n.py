"""The theme's interface in the page's language: gettext catalogs and locale formatting.

Catalogs are Babel `.po` files under a theme's `locale/<lang>/LC_MESSAGES/messages.po`,
compiled when first needed (once per language and theme path in a process), so no binary
`.mo` file is committed or has to be rebuilt by hand. A site theme's catalog is merged over
the default theme's: it overrides the messages it translates and adds its own.

Every helper here reads the active language from the template global `lang`, so one
environment per language (or one page whose context sets `lang`) needs nothing else.
Formatting follows Babel's CLDR data; English keeps sitegen's own forms (24-hour clock unless
`site.clock: 12h`, "Thursday 25 December 2026"), so English output stays as it was.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import functools
import hashlib
import io
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal, cast

import babel
import jinja2
from babel.dates import format_date, format_time
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, get_decimal_symbol
from babel.support import Translations
from markupsafe import Markup

from sitegen.data.hours import ALL_DAY, DAY_MINUTES, DAYS, Interval, WeeklyHours, day_text
from sitegen.diagnostics import Diagnostic, SitegenError
from sitegen.files import replace_file
from sitegen.model.pages import Page
from sitegen.model.phrases import Phrase, fill_template
from sitegen.render.intro import Phrasing, english, introduction
from sitegen.usercache import user_cache

DOMAIN = "messages"
Clock = Literal["12h", "24h"]


def N_(text: str) -> str:  # noqa: N802 - the gettext convention pybabel extracts (babel.cfg)
    """Marks an English text the model writes for the catalog; translated where shown."""
    return text


# Texts the config defaults and the model write in English (lead form defaults, call to
# action labels, breadcrumbs, notices), said in the page's language by `translated()` where a
# template shows them. A site's own texts have no entry and are shown as written.
MODEL_MESSAGES = (
    N_("Your name"), N_("Email address"), N_("Phone number"), N_("Your message"),
    N_("Enter your name."), N_("Enter your email address."), N_("Enter your phone number."),
    N_("Enter your message."),
    N_("Enter an email address like name@example.com."),
    N_("Enter a phone number using digits, spaces, +, ( and )."),
    N_("Enter a web address starting with https://."), N_("Enter a number."),
    N_("Enter a date."), N_("Check your name."), N_("Check your message."),
    N_("Send us a message"), N_("Send message"), N_("Register your interest"),
    N_("Tell me when it opens"),
    N_("Thank you: your message has been sent. We will reply as soon as we can."),
    N_("I agree that my details are used to answer my enquiry."),
    N_("Online enquiries are not available at the moment."),
    N_("Call {phone}"), N_("Directions to {name}"), N_("Book at {name}"), N_("Email {name}"),
    N_("Website"), N_("Home"), N_("Locations"), N_("Map"), N_("List"), N_("Cards"),
    N_("Thank you"), N_("Page not found"),
    # Pages' titles and descriptions (model/phrases.py) and the `seo.*` defaults.
    N_("All locations | {site}"), N_("Map of all locations | {site}"),
    N_("Search {count} {site} locations on a map by name, city, postcode or service, or "
       "find the nearest to you."),
    N_("All locations: list | {site}"), N_("All locations: cards | {site}"),
    N_("All locations: list, page {number} of {pages} | {site}"),
    N_("All locations: cards, page {number} of {pages} | {site}"),
    N_("All {count} {site} locations by region and city."),
    N_("All {count} {site} locations by region and city, page {number} of {pages}."),
    N_("The page you asked for does not exist."), N_("Thank you | {site}"),
    N_("Your message has been sent."), N_("This page has moved"),
    N_("This page has moved to {target}"),
    N_("{name} at {street}, {city}. Opening hours, directions, phone and services."),
    N_("Locations in {place} | {site}"),
    N_("All {count} {site} locations in {place}: addresses, hours and phone."),
)


def locale_of(lang: str) -> babel.Locale:
    """Babel's locale for a language tag (`fr`, `pt-BR`, `en_CA`); an unknown tag is an error
    naming the setting."""
    try:
        return _parsed(lang.replace("-", "_"))
    except (ValueError, babel.UnknownLocaleError):
        raise SitegenError(Diagnostic("config/base.yaml", None, "site.language",
                                      f"'{lang}' is not a language Babel knows",
                                      "use a language code such as en, fr, de or pt-BR")) from None


@functools.cache
def _parsed(tag: str) -> babel.Locale:
    return babel.Locale.parse(tag)


@functools.cache
def text_direction(lang: str) -> str:
    """`rtl` for Arabic, Hebrew, Persian, Urdu...; `ltr` otherwise (the `dir` of <html>).

    Babel answers from the locale's whole data, which it reads for this one fact (an
    English build needs nothing else of it); the answers are kept in the user's cache
    folder by Babel's version (usercache.py)."""
    locale = locale_of(lang)
    path = user_cache("locales") / f"babel-{babel.__version__}-directions.json"
    try:
        known = json.loads(path.read_bytes())
    except (OSError, ValueError):
        known = {}
    if not isinstance(known, dict):
        known = {}
    found = known.get(str(locale))
    if found in ("ltr", "rtl"):
        return str(found)
    direction = str(locale.text_direction)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_file(path, json.dumps({**known, str(locale): direction}, sort_keys=True
                                      ).encode())
    except OSError:
        pass  # a read-only cache: asked again next time
    return direction


def clock_for(lang: str, configured: Clock | None) -> Clock:
    """The clock a page shows: `site.clock` when set, else the locale's (French 24 h, US
    English 12 h). A bare `en` keeps sitegen's historical 24-hour default."""
    if configured:
        return configured
    if lang.lower() == "en":
        return "24h"
    pattern = locale_of(lang).time_formats["short"].pattern
    return "12h" if "h" in pattern or "K" in pattern else "24h"


def catalog_files(dirs: Iterable[Path], lang: str) -> list[Path]:
    """The `.po` files for `lang`, the default theme's first and the site theme's last (the
    last wins); `fr_CA` also reads `fr` first."""
    locale = locale_of(lang)
    names = [str(locale.language)]
    if locale.territory:
        names.append(f"{locale.language}_{locale.territory}")
    files = []
    for folder in reversed(list(dirs)):
        for name in names:
            po = folder / "locale" / name / "LC_MESSAGES" / f"{DOMAIN}.po"
            if po.is_file():
                files.append(po)
    return files


@functools.lru_cache(maxsize=64)
def _translations(files: tuple[tuple[Path, int], ...], lang: str) -> Translations:
    merged = Translations()
    for po, _ in files:
        merged.merge(_compiled(po, lang))
    return merged


def _compiled(po: Path, lang: str) -> Translations:
    """The catalog `po` for `lang`, compiled. The compiled bytes (.mo) are kept in the
    user's cache folder by a hash of the catalog, the language and Babel's version, like
    compiled templates: reading a .po is most of the cost of a build's interface language.
    A catalog that cannot be read is never kept, so it is read, and reported, on every
    build; kept bytes that cannot be read are made again."""
    source = po.read_bytes()
    key = hashlib.sha256(repr((source, lang, babel.__version__)).encode()).hexdigest()[:32]
    kept = user_cache("catalogs") / f"{key}.mo"
    with contextlib.suppress(Exception):  # missing or damaged: compiled again below
        return Translations(io.BytesIO(kept.read_bytes()), domain=DOMAIN)
    try:
        catalog = read_po(io.BytesIO(source), locale=lang.replace("-", "_"), domain=DOMAIN,
                          abort_invalid=True)
    except Exception as exc:  # noqa: BLE001 - a broken catalog must become a diagnostic
        line = getattr(exc, "lineno", None)
        reason = str(exc).split(" on ", 1)[0]
        raise SitegenError(Diagnostic(_shown(po), line + 1 if isinstance(line, int) else None,
                                      None, f"cannot read the catalog: {reason}",
                                      "fix the .po file (pybabel update rewrites it)")
                           ) from None
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    with contextlib.suppress(OSError):  # a read-only cache: compiled again next time
        kept.parent.mkdir(parents=True, exist_ok=True)
        replace_file(kept, buffer.getvalue())
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def catalog_hashes(dirs: Iterable[Path]) -> dict[str, str]:
    """`locale/fr/LC_MESSAGES/messages.po` -> content hash of every catalog on the theme path,
    for the build's fingerprint: a changed translation renders the pages again."""
    hashes: dict[str, str] = {}
    for folder in reversed(list(dirs)):
        for po in sorted((folder / "locale").glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
            hashes[po.relative_to(folder).as_posix()] = \
                hashlib.sha256(po.read_bytes()).hexdigest()[:10]
    return hashes


def _shown(po: Path) -> str:
    """A catalog's path from its theme folder on: themes/brand/locale/fr/..."""
    parts = po.parts
    return "/".join(parts[len(parts) - 1 - parts[::-1].index("themes"):]) \
        if "themes" in parts else str(po)


def translations(dirs: Iterable[Path], lang: str) -> Translations:
    """The merged catalog of `lang` over the theme path, loaded once per process and
    version of its files (`sitegen serve` reads an edited catalog again)."""
    files = tuple((po, po.stat().st_mtime_ns) for po in catalog_files(dirs, lang))
    return _translations(files, lang)


def install(env: jinja2.Environment, dirs: list[Path], lang: str) -> None:
    """`_`, `gettext` and `ngettext` in `lang` (named `%(name)s` placeholders, the values
    escaped, as Jinja's newstyle gettext), and the locale helpers templates use."""
    catalog = translations(dirs, lang)
    env.add_extension("jinja2.ext.i18n")
    gettext, ngettext = _callables(catalog)
    env.install_gettext_callables(gettext, ngettext, newstyle=False)  # type: ignore[attr-defined]
    env.globals["_"] = gettext  # not the extension's context-passing alias of `gettext`
    site = env.globals.get("site")
    clock = clock_for(lang, getattr(site, "clock", None))
    phrasing = _phrasing(catalog, lang, clock, getattr(site, "unit", "km"))
    env.globals.update({
        "text_dir": text_direction(lang),
        # ` dir="auto"` on the data a right-to-left page shows (addresses, phone numbers,
        # the introduction), so a Latin address or a number reads in its own direction;
        # nothing on a left-to-right page.
        "bidi": Markup(' dir="auto"') if text_direction(lang) == "rtl" else "",
        "clock": clock,
        "hours_rows": hours_rows,
        "hours_text": hours_text,
        "weekday_name": weekday_name,
        "script_locale": script_locale,
        "introduction": lambda location, nearby: introduction(location, nearby, phrasing),
        "translated": catalog.gettext,
        "localized": functools.partial(localized, catalog),
        "cta_label": lambda cta: _cta_label(catalog, cta),
        "long_date": long_date, "full_date": full_date, "number": number,
    })


def _callables(catalog: Translations) -> tuple[Callable[..., Markup], Callable[..., Markup]]:
    """Plain functions, not Jinja's newstyle ones: a page says some eighty strings, and
    newstyle's context-passing call costs more than the lookup. Same behaviour for the
    theme: `_("Call %(phone)s", phone=value)` escapes the value, `ngettext` fills `num`,
    `{% trans %}` blocks escape their variables."""
    lookup = catalog.gettext
    plural = catalog.ngettext
    said: dict[str, Markup] = {}  # each string's translation, looked up once

    def gettext(text: str, **values: Any) -> Markup:
        found = said.get(text)
        if found is None:
            found = said[text] = Markup(lookup(text))
        return found % values if values else found

    def ngettext(singular: str, many: str, num: int, **values: Any) -> Markup:
        return Markup(plural(singular, many, num)) % {"num": num, **values}
    return gettext, ngettext


def _cta_label(catalog: Translations, cta: Any) -> str:
    """A call to action's full label in the page's language: a built-in one ("Directions to
    {name}") through the catalog, the site's own as written."""
    if not cta.template:
        return str(cta.label)
    return " ".join(catalog.gettext(cta.template).format_map(dict(cta.values)).split())


def _phrasing(catalog: Translations, lang: str, clock: Clock, unit: str) -> Phrasing:
    if lang.lower() == "en":
        return english(unit, clock)
    locale = locale_of(lang)
    days = locale.days["format"]["wide"]
    return Phrasing(False, catalog.gettext, lambda day: str(days[DAYS.index(day)]),
                    lambda intervals: day_hours(intervals, lang, clock, catalog.gettext),
                    lambda items: str(format_list(items, locale=locale)),
                    lambda value: decimal(value, lang), unit)


def _lang(context: Any) -> str:
    return str(context.get("lang") or "en")


def _clock(context: Any) -> Clock:
    site = context.get("site")
    return clock_for(_lang(context), getattr(site, "clock", None))


def _day_label(lang: str, day: str) -> str:
    name = locale_of(lang).days["stand-alone"]["wide"][DAYS.index(day)]
    return name[:1].upper() + name[1:]


@jinja2.pass_context
def weekday_name(context: Any, day: str) -> str:
    """`monday` -> "Monday", "Lundi", "Montag": a heading or table label."""
    return _day_label(_lang(context), day)


@jinja2.pass_context
def hours_rows(context: Any, hours: WeeklyHours) -> list[tuple[str, str, str]]:
    """All seven days in order as (day key, day label, hours text) for an hours table."""
    return [(day, weekday_name(context, day), hours_text(context, hours.days.get(day)))
            for day in DAYS]


@jinja2.pass_context
def hours_text(context: Any, intervals: list[Interval] | None) -> str:
    """One day's hours in the page's language and clock: "09:00–17:00", "Fermé"."""
    gettext = context.environment.globals["translated"]  # the catalog's plain gettext
    return day_hours(intervals, _lang(context), _clock(context), gettext)


def day_hours(intervals: list[Interval] | None, lang: str, clock: Clock,
              gettext: Callable[[str], str]) -> str:
    """One day's hours: English as sitegen always wrote them, other languages in their
    locale's time format ("09:00–17:00", "9:00 AM – 5:00 PM", "Fermé")."""
    if lang.lower() == "en":
        return day_text(intervals, clock)
    if intervals is None:
        return gettext("Hours not available")
    if not intervals:
        return gettext("Closed")
    if intervals == [ALL_DAY]:
        return gettext("Open 24 hours")
    pattern = _time_pattern(lang, clock)
    locale = locale_of(lang)

    def at(minutes: int) -> str:
        if minutes == DAY_MINUTES:
            return gettext("midnight")
        time = datetime.time(*divmod(minutes % DAY_MINUTES, 60))
        return str(format_time(time, pattern, locale=locale))
    dash = " – " if clock == "12h" else "–"
    return ", ".join(f"{at(opens)}{dash}{at(closes)}" for opens, closes in intervals)


def _time_pattern(lang: str, clock: Clock) -> str:
    """The locale's short time pattern when it uses `clock`, else the plain one for it."""
    pattern = locale_of(lang).time_formats["short"].pattern
    twelve = "h" in pattern or "K" in pattern
    if twelve == (clock == "12h"):
        return pattern
    return "h:mm a" if clock == "12h" else "HH:mm"


@jinja2.pass_context
def full_date(context: Any, value: datetime.date) -> str:
    """A date with its weekday: "Thursday 25 December 2026", "jeudi 25 décembre 2026"."""
    return _date(value, _lang(context), "full")


@jinja2.pass_context
def long_date(context: Any, value: datetime.date) -> str:
    """A date: "14 March 2027", "14 mars 2027", "14. März 2027"."""
    return _date(value, _lang(context), "long")


# English dates in the theme's day-month order, whatever Babel's "en" (month first) says.
_ENGLISH_DATES = {"full": "%A %-d %B %Y", "long": "%-d %B %Y"}


def _date(value: datetime.date, lang: str, length: str) -> str:
    if lang.lower() == "en":
        return value.strftime(_ENGLISH_DATES[length])
    return str(format_date(value, length, locale=locale_of(lang)))


@jinja2.pass_context
def number(context: Any, value: float | int) -> str:
    """A distance or other number with the locale's decimal sign, as precise as given:
    "1.5", "1,5", "147.0" (English as Python writes it)."""
    return decimal(value, _lang(context))


def decimal(value: float | int, lang: str) -> str:
    """`number` for a language outside a template (the introduction)."""
    if lang.lower() == "en" or isinstance(value, int):
        return str(value)
    return str(format_decimal(value, format="0.0##", locale=locale_of(lang)))


@jinja2.pass_context
def script_locale(context: Any) -> dict[str, Any]:
    """What the theme's scripts need of the locale besides words (partials/strings.html):
    the clock, weekday names as used mid-sentence, the locale of dates, the decimal sign."""
    lang = _lang(context)
    locale = locale_of(lang)
    days = locale.days["format"]["wide"]
    return {"clock": _clock(context), "days": [days[i] for i in range(7)],
            "date_locale": "en-GB" if lang.lower() == "en" else lang.replace("_", "-"),
            "decimal": get_decimal_symbol(locale)}


__all__ = ["catalog_files", "clock_for", "install", "locale_of", "text_direction",
           "translations"]


def localized(catalog: Translations, text: str) -> str:
    """A page's title or description in the catalog's language: a `Phrase` (model/phrases.py)
    written again from its message's translation; any other text as it is."""
    if not isinstance(text, Phrase):
        return text
    translation = catalog.gettext(text.msgid)
    return text if translation == text.msgid else fill_template(translation, text.values)


def localized_page(env: jinja2.Environment, page: Page) -> Page:
    """`page` with its title and description in the language of `env` (made by `install`);
    the page itself when neither is a `Phrase` (every page of an English site)."""
    if not isinstance(page.title, Phrase) and not isinstance(page.description, Phrase):
        return page
    say = cast(Callable[[str], str], env.globals["localized"])
    return dataclasses.replace(page, title=say(page.title), description=say(page.description))
