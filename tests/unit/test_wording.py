"""German wording as a native speaker writes it, in the app's catalogs and in every bundled survey:
no jargon to partners, one spelling, one gendering style (neutral words for people), Sie throughout,
and one naming style for the surveys."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from trp_core.presentation.i18n import catalog

ROOT = Path(__file__).resolve().parents[2]
SURVEY_FILES = sorted((ROOT / "surveys").glob("*.yaml"))

# Words that were fixed once and must not come back, with the reason a reader would give.
GERMAN_AVOID = {
    r"\bTRP\b": "the method's abbreviation means nothing to a partner",
    r"Self-Check": "German texts say Selbstcheck",
    r"Ergebnis-Code": "one spelling: Ergebniscode",
    r"verschlüssel": "a hash is not encryption",
    r"\bHash\b": "say what it is: a check value",
    r"Was macht jetzt": "not German",
    r"Stapel|Neubewertung des Kerns|\bKerns?\b": "developer words on manager pages",
    r"surveys/": "a folder of the server is no concern of a manager",
    r"volle Fahrt": "colloquial; say voller Betrieb",
    r"\bMitarbeiter\b|\bMitarbeitern\b|Mitarbeiterinnen und Mitarbeiter|Vertriebsmitarbeiter\b": (
        "one gendering style: Mitarbeitende, Personal, Person"
    ),
    r"\bTechniker\b|\bBerater\b|Entscheiderebene|Channel-Manager\b|benannter Verantwortlicher": (
        "one gendering style: neutral words for people"
    ),
    r"(?:dem|einem) Budgetverantwortlichen": "one gendering style: the person who holds the budget",
    r"für den Nächsten": "one gendering style: die nächste Person",
    r"\b(?:du|dich|dir|dein\w*)\b": "Sie throughout",
}
# Answer options that start with a noun, which German writes with a capital.
NOUN_STARTS = {"Kunden", "Refresh-"}
ENGLISH_AVOID = {
    r"\bTRP\b": "the method's abbreviation means nothing to a partner",
    r"\bhash\b": "say what it is: a check value",
    r"surveys/": "a folder of the server is no concern of a manager",
}


def survey_texts(node: Any, lang: str, path: str = "") -> Iterator[tuple[str, str]]:
    """(path, text) of every text in one language of a survey file: the values of its de/en maps."""
    if isinstance(node, dict):
        if lang in node and isinstance(node[lang], str) and set(node) <= {"de", "en"}:
            yield path, node[lang]
            return
        for key, value in node.items():
            yield from survey_texts(value, lang, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from survey_texts(value, lang, f"{path}.{i}")


def texts(lang: str) -> list[tuple[str, str]]:
    found = [(f"catalog {lang}: {key}", text) for key, text in catalog(lang).items()]
    for file in SURVEY_FILES:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        found += [(f"{file.name}{where}", text) for where, text in survey_texts(data, lang)]
    return found


@pytest.mark.parametrize(("lang", "avoid"), [("de", GERMAN_AVOID), ("en", ENGLISH_AVOID)])
def test_no_text_uses_a_word_that_was_fixed(lang, avoid):
    found = texts(lang)
    assert len(found) > 600
    wrong = [
        f"{where}: {pattern!r} ({why}) in {text!r}"
        for where, text in found
        for pattern, why in avoid.items()
        if re.search(pattern, text)
    ]
    assert not wrong, "\n".join(wrong)


def test_the_surveys_are_named_in_one_style():
    titles = {f.name: yaml.safe_load(f.read_text(encoding="utf-8"))["title"] for f in SURVEY_FILES}
    assert len(titles) == 3
    for name, title in titles.items():
        assert title["de"].startswith("Selbstcheck für "), name
        assert title["en"].startswith("Self-check for "), name


def test_answer_options_start_in_lower_case_in_every_survey():
    """Options and scale ends continue the question, so they start in lower case, as in most of the files."""
    for file in SURVEY_FILES:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        for where, text in survey_texts(data, "de"):
            if re.search(r"\.(label|low|high)$", where):
                assert not text[0].isupper() or text.split()[0] in NOUN_STARTS, f"{file.name}{where}: {text}"
