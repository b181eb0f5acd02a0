"""The pure rules of tag links (trp_core.method.tags): slugs, the signature, open days; and TRP_SECRET."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from trp_core.method.tags import SIGNATURE_LENGTH, is_open, is_slug, signature, signature_matches, slugify
from trp_core.settings import Settings

KEY = b"k" * 32
SLUGS = st.from_regex(r"[a-z0-9][a-z0-9-]{1,20}", fullmatch=True)


def test_the_signature_is_short_url_safe_and_fixed():
    sig = signature(KEY, "tiny-fair", "trp-cloud")
    assert len(sig) == SIGNATURE_LENGTH and sig == signature(KEY, "tiny-fair", "trp-cloud")
    assert set(sig) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert signature_matches(KEY, "tiny-fair", "trp-cloud", sig)
    with pytest.raises(ValueError):
        signature(b"", "tiny-fair", "trp-cloud")


@given(slug=SLUGS, other=SLUGS, survey=SLUGS, flip=st.integers(0, SIGNATURE_LENGTH - 1))
def test_any_change_breaks_the_signature(slug, other, survey, flip):
    sig = signature(KEY, slug, survey)
    assert signature_matches(KEY, slug, survey, sig)
    changed = sig[:flip] + ("A" if sig[flip] != "A" else "B") + sig[flip + 1 :]
    assert not signature_matches(KEY, slug, survey, changed)
    if other != slug:
        assert not signature_matches(KEY, other, survey, sig)
        assert not signature_matches(KEY, slug, other, sig) or other == survey
    assert not signature_matches(b"another key" * 3, slug, survey, sig)
    for wrong in (None, "", sig[:-1], sig + "A", 42, "ä" * SIGNATURE_LENGTH):
        assert not signature_matches(KEY, slug, survey, wrong)


def test_the_separator_keeps_slug_and_survey_apart():
    """("a-b", "c") and ("a", "b-c") are different links; a zero byte separates the parts."""
    assert signature(KEY, "ab-x", "cd") != signature(KEY, "ab", "x-cd")


def test_slugs():
    assert slugify("Partnertag Köln 2026") == "partnertag-koeln-2026"
    assert slugify("  Newsletter: März / April!  ") == "newsletter-maerz-april"
    assert slugify("Größe ß") == "groesse-ss"
    assert slugify("!!!") == "" and not is_slug("")
    assert len(slugify("x" * 200)) == 64 and is_slug(slugify("x" * 200))
    assert is_slug("tiny-fair") and not is_slug("Tiny-Fair") and not is_slug("-x") and not is_slug("a")
    assert not is_slug(None) and not is_slug(["tiny-fair"]) and not is_slug("a_b")


def test_open_days():
    day = date(2026, 5, 10)
    assert is_open(day, None, None, None)
    assert is_open(day, day, day, None), "first and last day both count"
    assert not is_open(day, day + timedelta(days=1), None, None)
    assert not is_open(day, None, day - timedelta(days=1), None)
    assert not is_open(day, None, None, day), "ended by a manager: closed from that day on"


def test_trp_secret_is_long_or_unset():
    assert Settings(secret="").secret.get_secret_value() == ""
    assert Settings(secret="s" * 32).secret.get_secret_value() == "s" * 32
    with pytest.raises(ValidationError, match="at least 32 characters"):
        Settings(secret="short")
    assert "s" * 32 not in repr(Settings(secret="s" * 32)), "never printed"
