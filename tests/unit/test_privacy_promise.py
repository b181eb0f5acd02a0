"""The start page's promise of anonymity and PRIVACY.md say the same, word for word."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT
from trp_core.presentation.i18n import catalog

PROMISE_KEYS = ("anonymity_stored", "anonymity_not_stored", "anonymity_groups", "anonymity_code")


def promise_in_privacy_md(lang: str) -> list[str]:
    text = (ROOT / "PRIVACY.md").read_text(encoding="utf-8")
    found = re.search(rf"<!-- promise:{lang} -->\n(.*?)\n<!-- /promise:{lang} -->", text, re.S)
    assert found, f"PRIVACY.md has no promise:{lang} block"
    return [line.removeprefix("- ") for line in found.group(1).splitlines()]


@pytest.mark.parametrize("lang", ["de", "en"])
def test_start_page_promise_is_privacy_md_word_for_word(lang: str) -> None:
    texts = catalog(lang)
    assert promise_in_privacy_md(lang) == [" ".join(texts[key].split()) for key in PROMISE_KEYS]


def test_the_start_page_shows_every_line_of_the_promise() -> None:
    page = (ROOT / "pages" / "partner" / "start.py").read_text(encoding="utf-8")
    assert [key for key in PROMISE_KEYS if f"'{key}'" not in page] == []
