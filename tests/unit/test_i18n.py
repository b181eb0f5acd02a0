"""The app's own texts: both catalogs with the same keys and placeholders, no clash with t()'s own
arguments, and every key the code asks for present."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from trp_core.method import breakeven as be
from trp_core.method.survey import Survey
from trp_core.method.vocabulary import Axis, Criterion, Quadrant
from trp_core.presentation.i18n import catalog, catalog_path, resolve_language, t
from trp_core.presentation.labels import (
    axis_label,
    criterion_label,
    criterion_meaning,
    input_label,
    partner_meaning,
    quadrant_name,
)

ROOT = Path(__file__).resolve().parents[2]
LANGS = ("de", "en")
# A literal key handed to t(): t("key", ...) or t(f"prefix_{...}", ...) is left to the other tests.
LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z0-9_]+)["']""")
CONDITIONAL_KEY = re.compile(r"""\bt\(\s*["']([a-z0-9_]+)["'] if .+? else ["']([a-z0-9_]+)["']""")


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_catalogs_hold_the_same_keys():
    assert catalog("de").keys() == catalog("en").keys()
    assert len(catalog("de")) > 300


@pytest.mark.parametrize("key", sorted(catalog("en")))
def test_every_text_in_both_languages_with_the_same_placeholders(key):
    de, en = catalog("de")[key], catalog("en")[key]
    assert de.strip() and en.strip()
    assert placeholders(de) == placeholders(en)
    assert not placeholders(en) & {"key", "lang"}


@pytest.mark.parametrize("lang", LANGS)
def test_catalog_files_are_clean(lang):
    """read_po would keep the last of two entries with the same key, and fuzzy ones silently."""
    path = catalog_path(lang)
    ids = re.findall(r'^msgid "(.+)"$', path.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert len(ids) == len(set(ids))
    with path.open("rb") as f:
        po = read_po(f, locale=lang)
    assert str(po.locale) == lang
    assert not [m.id for m in po if m.id and m.fuzzy]


def _keys_in_code() -> set[str]:
    keys = set()
    files = [ROOT / "app.py", *(ROOT / "pages").rglob("*.py"), *(ROOT / "trp_core").rglob("*.py")]
    for path in files:
        source = path.read_text(encoding="utf-8")
        keys |= set(LITERAL_KEY.findall(source))
        keys |= {k for pair in CONDITIONAL_KEY.findall(source) for k in pair}
    return keys


def test_every_key_the_code_asks_for_is_in_the_catalog():
    keys = _keys_in_code()
    assert len(keys) > 250  # the scan finds the code's keys at all
    assert sorted(keys - catalog("en").keys()) == []


@pytest.mark.parametrize("lang", LANGS)
def test_every_id_of_the_method_has_its_names(lang):
    """method/ holds only ids; the catalog names each of them (a KeyError here is a missing text)."""
    for axis in Axis:
        assert axis_label(axis, lang)
    for criterion in Criterion:
        assert criterion_label(criterion, lang) and criterion_meaning(criterion, lang)
    audiences = Survey.model_fields["labels"].annotation.__args__  # the names a survey file may choose
    for quadrant in Quadrant:
        assert all(quadrant_name(quadrant, lang, audience) for audience in audiences)
        assert partner_meaning(quadrant, lang) and t(f"quadrant_recommendation_{quadrant.value}", lang)
    for name in be.INPUT_NAMES:
        assert input_label(name, lang) != name


def test_an_unknown_key_fails_loudly():
    with pytest.raises(KeyError):
        t("no_such_text", "de")


def test_language_resolution():
    assert resolve_language("de") == ("de", False)
    assert resolve_language("EN-gb") == ("en", False)
    assert resolve_language(None, "de-AT") == ("de", False)
    assert resolve_language(None, None) == ("en", False)
    assert resolve_language("fr", "de-DE") == ("de", True)
    assert t("step_of", "de", n=2, total=6, name="Team") == "Schritt 2 von 6: Team"
