"""The app's own texts in German and English, from the gettext catalogs in locale/; survey texts come
from the survey files."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Final

from babel.messages.pofile import read_po

from trp_core.method.vocabulary import LANGUAGES

DEFAULT_LANGUAGE: Final = "en"
LOCALE_DIR: Final = Path(__file__).resolve().parent / "locale"


def catalog_path(lang: str) -> Path:
    """The .po file of one language."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"


@cache  # read once per process: the .po files ship with the package and never change while it runs
def catalog(lang: str) -> dict[str, str]:
    """Every text of one language ("de" or "en") by its key."""
    with catalog_path(lang).open("rb") as f:
        po = read_po(f, locale=lang)
    return {message.id: message.string for message in po if message.id}


def t(key: str, lang: str, **values: object) -> str:
    """The text for `key` in `lang` (German or English), with {placeholders} filled in.

    An unknown key raises KeyError: a bug that tests/unit/test_i18n.py finds in the code.
    """
    text = catalog("de" if lang == "de" else "en")[key]
    return text.format(**values) if values else text


def resolve_language(requested: str | None, browser_locale: str | None = None) -> tuple[str, bool]:
    """(language to use, whether the requested one was unknown)."""
    if requested:
        code = requested.strip().lower()[:2]
        if code in LANGUAGES:
            return code, False
        return _from_locale(browser_locale), True
    return _from_locale(browser_locale), False


def _from_locale(locale: str | None) -> str:
    if locale and locale.lower().startswith("de"):
        return "de"
    return DEFAULT_LANGUAGE
