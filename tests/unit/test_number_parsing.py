"""Numbers as people type them, per language: parse_number, read_number's messages, and the round trip
from a shown value back to the same number."""

from __future__ import annotations

from decimal import Decimal

import pytest

from trp_core.presentation import formatting as fmt

NBSP, NNBSP, THIN = "\u00a0", "\u202f", "\u2009"


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("1,5", "de", "1.5"),
        ("1.200", "de", "1200"),
        ("1 200", "de", "1200"),
        (f"1{NBSP}200", "de", "1200"),
        (f"1{NNBSP}200", "de", "1200"),
        (f"1{THIN}200,5", "de", "1200.5"),
        ("1.200,50", "de", "1200.50"),
        ("1.200.000", "de", "1200000"),
        ("1,200", "de", "1.200"),  # a German decimal comma
        ("1200", "de", "1200"),
        (" 12 ", "de", "12"),
        ("0,25", "de", "0.25"),
        ("1.5", "en", "1.5"),
        ("1,200", "en", "1200"),
        ("1 200", "en", "1200"),
        (f"1{NBSP}200.5", "en", "1200.5"),
        ("1,200.50", "en", "1200.50"),
        ("1.200", "en", "1.200"),  # an English decimal point
        ("1200", "en", "1200"),
        ("0.25", "en", "0.25"),
    ],
)
def test_parse_number_reads_the_language_formats(text, lang, expected):
    assert fmt.parse_number(text, lang) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("1,2,3", "de"),
        ("1,2,3", "en"),
        ("abc", "de"),
        ("abc", "en"),
        ("1.5", "de"),  # an English decimal point in German: not silently 15
        ("0.5", "de"),
        ("1,200.50", "de"),
        ("1,5", "en"),  # a German decimal comma in English: not silently 15
        ("1.200,50", "en"),
        ("1 20", "de"),  # a space only groups thousands
        ("1e3", "en"),
        ("1.5e3", "de"),
        ("NaN", "en"),
        ("Infinity", "en"),
        ("12 €", "de"),
        ("", "de"),
        ("   ", "en"),
    ],
)
def test_parse_number_refuses_anything_else(text, lang):
    with pytest.raises(ValueError):
        fmt.parse_number(text, lang)


@pytest.mark.parametrize(
    ("text", "lang", "whole", "expected"),
    [
        ("1,5", "de", False, 1.5),
        ("20", "de", True, 20),
        ("0", "en", True, 0),
        ("12,0", "de", True, 12),
        ("", "de", False, None),
        ("  ", "en", True, None),
        (None, "en", False, None),
    ],
)
def test_read_number_gives_the_value_in_the_range(text, lang, whole, expected):
    reading = fmt.read_number(text, lang, 0, 20, whole=whole)
    assert reading == fmt.Reading(expected)
    assert type(reading.value) is type(expected)


@pytest.mark.parametrize(
    ("text", "lang", "whole", "message"),
    [
        (
            "25",
            "de",
            False,
            "25 ist größer als 20. Bitte geben Sie eine Zahl zwischen 0 und 20 ein, z. B. 12 oder 1,5.",
        ),
        ("25", "en", False, "25 is more than 20. Please enter a number between 0 and 20, e.g. 12 or 1.5."),
        (
            "-1,5",
            "de",
            False,
            "-1,5 ist kleiner als 0. Bitte geben Sie eine Zahl zwischen 0 und 20 ein, z. B. 12 oder 1,5.",
        ),
        (
            "1,5",
            "de",
            True,
            "1,5 ist keine ganze Zahl. Bitte geben Sie eine ganze Zahl zwischen 0 und 20 ein, z. B. 12.",
        ),
        (
            "1,2,3",
            "de",
            False,
            "„1,2,3“ ist keine gültige Zahl. Bitte geben Sie eine Zahl zwischen 0 und 20 ein, z. B. 12 oder 1,5.",
        ),
        (
            "abc",
            "en",
            True,
            "“abc” is not a valid number. Please enter a whole number between 0 and 20, e.g. 12.",
        ),
        (
            "1.5",
            "de",
            False,
            "„1.5“ ist keine gültige Zahl. Bitte geben Sie eine Zahl zwischen 0 und 20 ein, z. B. 12 oder 1,5.",
        ),
    ],
)
def test_read_number_says_what_is_wrong_and_what_is_allowed(text, lang, whole, message):
    assert fmt.read_number(text, lang, 0, 20, whole=whole) == fmt.Reading(None, message)


def test_a_long_wrong_text_is_echoed_shortened():
    problem = fmt.read_number("x" * 200, "en", 0, 20).problem
    assert problem.startswith("“" + "x" * 19 + "…” is not a valid number.")


def test_percent_fields_take_a_percent_sign():
    assert fmt.read_number("15 %", "de", 0, 100, percent=True) == fmt.Reading(15.0)
    assert fmt.read_number("15%", "en", 0, 100, percent=True) == fmt.Reading(15.0)
    assert fmt.read_number("15 %", "de", 0, 100).problem  # not in a field without one


@pytest.mark.parametrize(
    ("low", "high", "whole", "lang", "expected"),
    [
        (0, 1_000_000, False, "de", "zwischen 0 und 1.000.000 ein, z. B. 600.000 oder 1,5."),
        (0, 1_000_000, False, "en", "between 0 and 1,000,000, e.g. 600,000 or 1.5."),
        (1, 24, True, "de", "zwischen 1 und 24 ein, z. B. 15."),
        (0, 1, False, "en", "between 0 and 1, e.g. 1 or 0.5."),
        (0, 0.5, False, "de", "zwischen 0 und 0,5 ein, z. B. 0 oder 0,25."),
    ],
)
def test_the_allowed_range_with_examples_inside_it(low, high, whole, lang, expected):
    assert fmt.allowed(lang, low, high, whole=whole).endswith(expected)


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("x", [0, 1.5, 12, 1200, 1200.5, 25_000, 1_000_000, 0.005, 33.333333, 0.15 * 100])
def test_what_a_field_shows_reads_back_as_the_same_number(x, lang):
    assert float(fmt.parse_number(fmt.plain(x, lang), lang)) == round(x, 6)


def test_plain_shows_no_trailing_zeros():
    assert [fmt.plain(x, "de") for x in (4.0, 1.5, 60.0, 1200)] == ["4", "1,5", "60", "1.200"]
    assert [fmt.plain(x, "en") for x in (4.0, 1.5, 60.0, 1200)] == ["4", "1.5", "60", "1,200"]
