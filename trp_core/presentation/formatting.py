"""Numbers, amounts, percentages and dates in the partner's language, with Babel.

German follows the locale de_DE ("1.234,5", "1.234,56 €", "15 %"), English follows en_GB
("1,234.5", "€1,234.56", "15%"). As Babel does, a no-break space (U+00A0) stands between a
number and its unit ("15 %", "12 Monate"), so the two never end up on separate lines.
Rounding is half up, as a person rounds (2.25 → "2.3"), never banker's rounding.
Every function shows None as an en dash "–". `read_number` is the way back: what a partner
types into a number field, in his page's language, with a message when it is not a number he may enter.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Final, NamedTuple

from babel import Locale
from babel.dates import format_date
from babel.numbers import (
    NumberFormatError,
    format_currency,
    format_decimal,
    format_percent,
    get_decimal_symbol,
    get_group_symbol,
    parse_decimal,
)

from trp_core.presentation.i18n import t

LOCALES: Final = {"de": "de_DE", "en": "en_GB"}
MISSING: Final = "–"
NBSP: Final = "\u00a0"
_FRACTION: Final = re.compile(r"0(\.0+)?(?![0-9])")


def locale_for(lang: str) -> str:
    """The Babel locale of an app language; anything but German is English."""
    return LOCALES["de" if lang == "de" else "en"]


def _quantize(x: float, decimals: int) -> Decimal:
    """x rounded half up to `decimals` places, via its shortest repr so 73.35 stays 73.35.

    A value that rounds to zero loses its sign: -0.04 shows as "0.0", not "-0.0".
    """
    q = Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return q.copy_abs() if q.is_zero() else q


def _with_decimals(pattern: str, decimals: int) -> str:
    """A Babel pattern with exactly `decimals` fraction digits (its first '0' or '0.00' replaced)."""
    fraction = "." + "0" * decimals if decimals > 0 else ""
    return _FRACTION.sub("0" + fraction, pattern, count=1)


@lru_cache(maxsize=4096)  # pure; Babel takes far longer than a lookup
def number(x: float | None, lang: str, decimals: int = 0, *, trim: bool = False) -> str:
    """A number with grouping and `decimals` decimals: "1.234,5" / "1,234.5".

    With trim=True, trailing zero decimals are left out: 2.50 → "2,5", 3.00 → "3".
    """
    if x is None:
        return MISSING
    digit = "#" if trim else "0"
    pattern = "#,##0" + ("." + digit * decimals if decimals > 0 else "")  # the locale supplies the symbols
    return format_decimal(_quantize(x, decimals), format=pattern, locale=locale_for(lang))


@lru_cache(maxsize=4096)  # pure; Babel takes far longer than a lookup
def money(x: float | None, lang: str, currency: str = "EUR", decimals: int = 0) -> str:
    """An amount: "1.234,56 €" / "€1,234.56" with decimals=2, "1.235 €" / "€1,235" with 0."""
    if x is None:
        return MISSING
    loc = locale_for(lang)
    pattern = _with_decimals(Locale.parse(loc).currency_formats["standard"].pattern, decimals)
    value = _quantize(x, decimals)
    return format_currency(value, currency, format=pattern, locale=loc, currency_digits=False)


@lru_cache(maxsize=4096)  # pure; Babel takes far longer than a lookup
def percent(fraction: float | None, lang: str, decimals: int = 0) -> str:
    """A fraction as a percentage: 0.15 → "15 %" (de_DE) / "15%" (en_GB)."""
    if fraction is None:
        return MISSING
    loc = locale_for(lang)
    pattern = _with_decimals(Locale.parse(loc).percent_formats[None].pattern, decimals)
    value = _quantize(float(fraction) * 100, decimals) / 100
    return format_percent(value, format=pattern, locale=loc)


def months(n: float | None, lang: str) -> str:
    """A count of months: "1 Monat" / "1 month", "12 Monate" / "12 months"."""
    if n is None:
        return MISSING
    decimals = 0 if float(n).is_integer() else 1
    unit = t("unit_month" if float(n) == 1 else "unit_months", lang)
    return f"{number(n, lang, decimals)}{NBSP}{unit}"


def score(x: float | None, lang: str) -> str:
    """A score on the 0–100 scale with one decimal: "73,4" / "73.4"."""
    return number(x, lang, decimals=1)


def day(d: date | None, lang: str) -> str:
    """A date written out: "7. März 2025" / "7 March 2025"."""
    if d is None:
        return MISSING
    return format_date(d, format="long", locale=locale_for(lang))


def period(kind: str, start: date, lang: str) -> str:
    """A whole period as people name it: "KW 49/2026", "Dezember 2026", "Q4 2026" /
    "Week 49, 2026", "December 2026", "Q4 2026" (`kind`: week, month or quarter)."""
    if kind == "week":
        year, week, _ = start.isocalendar()
        return f"KW {week}/{year}" if lang == "de" else f"Week {week}, {year}"
    if kind == "month":
        return format_date(start, format="LLLL y", locale=locale_for(lang))
    return f"Q{(start.month - 1) // 3 + 1} {start.year}"


# People group thousands with spaces too ("1 200"), typed or pasted: plain, no-break, narrow no-break, thin.
_SPACES: Final = re.compile(r"(?<=[0-9])[ \u00a0\u202f\u2009]+(?=[0-9])")
_PERCENT_SIGN: Final = re.compile(r"\s*%\s*$")


class Reading(NamedTuple):
    """What a number field holds: its value (None when empty or wrong) and, when wrong, why."""

    value: float | int | None
    problem: str | None = None


def parse_number(text: str, lang: str) -> Decimal:
    """A number as written in `lang`: "1,5", "1.200", "1 200", "1.200,50" (de); "1.5", "1,200",
    "1,200.50" (en); plain digits in both. Raises ValueError for anything else ("1,2,3", "1.5" in
    German, "abc", "1e3"): strict, so that a misplaced separator is never read as another number.
    """
    loc = locale_for(lang)
    decimal, group = get_decimal_symbol(loc), get_group_symbol(loc)
    cleaned = _SPACES.sub(group, text.strip())
    if not cleaned or set(cleaned) - set("0123456789+-" + decimal + group):
        raise ValueError(f"not a number: {text!r}")
    try:
        return parse_decimal(cleaned, locale=loc, strict=True)
    except NumberFormatError as e:
        raise ValueError(f"not a number: {text!r}") from e


def read_number(
    text: str | None, lang: str, low: float, high: float, *, whole: bool = False, percent: bool = False
) -> Reading:
    """The value typed into a number field that allows `low` to `high` (whole numbers only if `whole`;
    a trailing "%" is allowed if `percent`), or the message that says what is wrong and what is allowed.
    An empty field is no answer, not a mistake."""
    text = (text or "").strip()
    if percent:
        text = _PERCENT_SIGN.sub("", text)
    if not text:
        return Reading(None)
    try:
        value = parse_number(text, lang)
    except ValueError:
        echo = text if len(text) <= 20 else text[:19] + "…"
        return Reading(
            None, f"{t('number_not_a_number', lang, text=echo)} {allowed(lang, low, high, whole=whole)}"
        )
    shown = plain(value, lang)
    if value < Decimal(repr(float(low))):
        wrong = t("number_too_small", lang, value=shown, min=plain(low, lang))
    elif value > Decimal(repr(float(high))):
        wrong = t("number_too_large", lang, value=shown, max=plain(high, lang))
    elif whole and value != value.to_integral_value():
        wrong = t("number_not_whole", lang, value=shown)
    else:
        return Reading(int(value) if whole else float(value))
    return Reading(None, f"{wrong} {allowed(lang, low, high, whole=whole)}")


def allowed(lang: str, low: float, high: float, *, whole: bool = False) -> str:
    """What a number field takes, with examples in the page's format: "Bitte eine Zahl zwischen 0 und
    20 eingeben, z. B. 12 oder 1,5." The examples lie in the range."""
    example = _example(low, high)
    values = {"min": plain(low, lang), "max": plain(high, lang), "example": plain(example, lang)}
    if whole:
        return t("number_allowed_whole", lang, **values)
    fraction = low + 1.5 if low + 1.5 <= high else (low + high) / 2
    return t("number_allowed", lang, fraction=plain(fraction, lang), **values)


def _example(low: float, high: float) -> float:
    """A round number well inside the range: 12 for 0–20, 600.000 for 0–1.000.000."""
    target = low + (high - low) * 0.6
    rounded = round(target, min(0, 2 - len(str(int(target)))))  # two significant digits
    return float(min(max(rounded, low), high))


def plain(x: float | Decimal, lang: str) -> str:
    """A number as a person types it back: grouped, with no trailing zero decimals ("1.200", "1,5")."""
    return number(float(x), lang, 6, trim=True)
