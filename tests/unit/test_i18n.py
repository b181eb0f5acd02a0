"""The app's own texts: both languages, the same placeholders, no clash with t()'s own arguments."""

from __future__ import annotations

import string

import pytest

from trp_core.presentation.i18n import TEXTS, resolve_language, t


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_every_text_in_both_languages_with_the_same_placeholders(key):
    entry = TEXTS[key]
    assert set(entry) == {"de", "en"}
    assert entry["de"].strip() and entry["en"].strip()
    assert placeholders(entry["de"]) == placeholders(entry["en"])
    assert not placeholders(entry["en"]) & {"key", "lang"}


def test_language_resolution():
    assert resolve_language("de") == ("de", False)
    assert resolve_language("EN-gb") == ("en", False)
    assert resolve_language(None, "de-AT") == ("de", False)
    assert resolve_language(None, None) == ("en", False)
    assert resolve_language("fr", "de-DE") == ("de", True)
    assert t("step_of", "de", n=2, total=6, name="Team") == "Schritt 2 von 6: Team"
