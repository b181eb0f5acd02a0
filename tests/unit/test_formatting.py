"""Numbers, amounts, percentages, months and dates per language (de_DE, en_GB)."""

from __future__ import annotations

from datetime import date

import pytest

from trp_core.presentation import formatting as fmt

NB = "\u00a0"  # Babel puts a no-break space between a number and its unit


@pytest.mark.parametrize(
    ("x", "lang", "decimals", "expected"),
    [
        (1234.5, "de", 1, "1.234,5"),
        (1234.5, "en", 1, "1,234.5"),
        (1234.5, "de", 0, "1.235"),
        (1234567.891, "en", 2, "1,234,567.89"),
        (2.25, "de", 1, "2,3"),  # half up, not half even
        (2.35, "en", 1, "2.4"),
        (-1234.5, "de", 1, "-1.234,5"),
        (-0.04, "de", 1, "0,0"),  # no "-0,0"
        (0, "en", 2, "0.00"),
    ],
)
def test_number(x, lang, decimals, expected):
    assert fmt.number(x, lang, decimals) == expected


def test_number_trim_drops_trailing_zeros():
    assert fmt.number(2.5, "de", 2, trim=True) == "2,5"
    assert fmt.number(3.0, "en", 2, trim=True) == "3"
    assert fmt.number(66.8333, "de", 2, trim=True) == "66,83"


@pytest.mark.parametrize(
    ("x", "lang", "decimals", "expected"),
    [
        (1234.56, "de", 2, f"1.234,56{NB}€"),
        (1234.56, "en", 2, "€1,234.56"),
        (1234.56, "de", 0, f"1.235{NB}€"),
        (1234.56, "en", 0, "€1,235"),
        (-20008.98, "de", 0, f"-20.009{NB}€"),
        (-20008.98, "en", 0, "-€20,009"),
        (0.005, "en", 2, "€0.01"),
        (0, "de", 0, f"0{NB}€"),
    ],
)
def test_money(x, lang, decimals, expected):
    assert fmt.money(x, lang, decimals=decimals) == expected


def test_money_other_currency():
    assert fmt.money(1500, "en", currency="USD") == "US$1,500"
    assert fmt.money(1500, "de", currency="CHF") == f"1.500{NB}CHF"


@pytest.mark.parametrize(
    ("fraction", "lang", "decimals", "expected"),
    [
        (0.15, "de", 0, f"15{NB}%"),
        (0.15, "en", 0, "15%"),
        (0.0654, "de", 1, f"6,5{NB}%"),
        (0.0654, "en", 1, "6.5%"),
        (-0.6957, "en", 1, "-69.6%"),
        (0.125, "en", 0, "13%"),  # half up
        (12.5, "de", 0, f"1.250{NB}%"),
    ],
)
def test_percent(fraction, lang, decimals, expected):
    assert fmt.percent(fraction, lang, decimals) == expected


@pytest.mark.parametrize(
    ("n", "lang", "expected"),
    [
        (1, "de", f"1{NB}Monat"),
        (1, "en", f"1{NB}month"),
        (12, "de", f"12{NB}Monate"),
        (12, "en", f"12{NB}months"),
        (0, "en", f"0{NB}months"),
        (2.5, "de", f"2,5{NB}Monate"),
    ],
)
def test_months(n, lang, expected):
    assert fmt.months(n, lang) == expected


def test_score_has_one_decimal():
    assert fmt.score(73.4, "de") == "73,4"
    assert fmt.score(73.4, "en") == "73.4"
    assert fmt.score(60, "de") == "60,0"
    assert fmt.score(73.35, "en") == "73.4"  # as method.round_half_up rounds it


def test_day():
    assert fmt.day(date(2025, 3, 7), "de") == "7. März 2025"
    assert fmt.day(date(2025, 3, 7), "en") == "7 March 2025"


@pytest.mark.parametrize(
    "call",
    [
        lambda lang: fmt.number(None, lang),
        lambda lang: fmt.money(None, lang),
        lambda lang: fmt.percent(None, lang),
        lambda lang: fmt.months(None, lang),
        lambda lang: fmt.score(None, lang),
        lambda lang: fmt.day(None, lang),
    ],
)
@pytest.mark.parametrize("lang", ["de", "en"])
def test_none_is_a_dash(call, lang):
    assert call(lang) == "–"


def test_other_languages_fall_back_to_english():
    assert fmt.number(1234.5, "fr", 1) == "1,234.5"
    assert fmt.locale_for("de") == "de_DE"
    assert fmt.locale_for("en") == "en_GB"


@pytest.mark.parametrize(
    ("kind", "start", "lang", "expected"),
    [
        ("week", date(2026, 11, 30), "de", "KW 49/2026"),
        ("week", date(2026, 11, 30), "en", "Week 49, 2026"),
        ("week", date(2024, 12, 30), "de", "KW 1/2025"),  # the ISO year, not the calendar year
        ("month", date(2026, 3, 1), "de", "März 2026"),
        ("month", date(2026, 3, 1), "en", "March 2026"),
        ("quarter", date(2026, 10, 1), "de", "Q4 2026"),
    ],
)
def test_period_as_people_name_it(kind, start, lang, expected):
    assert fmt.period(kind, start, lang) == expected
