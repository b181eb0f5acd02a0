"""The partner's use cases without Streamlit: submit an answer set, reopen its result by code."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import ROOT, SURVEYS
from trp_core.files.surveys import load_survey
from trp_core.method.codes import code_hash
from trp_core.method.vocabulary import Quadrant
from trp_core.services.reopen import TooManyAttempts, reopen
from trp_core.services.results import StoreUnavailable
from trp_core.services.submit import InvalidAnswers, open_questions, submission_for, submit
from trp_core.services.throttle import Throttle

SURVEY = load_survey(SURVEYS / "trp-cloud.yaml")
ANSWERS = json.loads((ROOT / "tests" / "answers" / "trp-cloud.kandidat.json").read_text())["answers"]


@dataclass
class Found:
    survey: Any
    answers: dict[str, Any]
    lang: str


class MemoryStore:
    """What submit and reopen ask of a store, kept in a dict by code hash."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[str, Found]] = {}  # code hash -> (submission key, row)
        self.broken = False

    def save_response(self, *, survey, assessment, answers, lang, event, submission_key, code_hash) -> None:
        if self.broken:
            raise OSError("disk full")
        self.rows.setdefault(code_hash, (submission_key, Found(survey, dict(answers), lang)))

    def find_by_code_hash(self, code_hash: str) -> Found | None:
        if self.broken:
            raise OSError("database gone")
        row = self.rows.get(code_hash)
        return row[1] if row else None


def test_the_same_answers_keep_their_key_and_code_and_changed_ones_get_new():
    first = submission_for(ANSWERS, None)
    assert submission_for(dict(ANSWERS), first) is first
    changed = submission_for({**ANSWERS, "extra": 1}, first)
    assert changed.key != first.key and changed.code != first.code


def test_submit_stores_once_and_reopen_gives_the_same_result():
    store = MemoryStore()
    submission = submission_for(ANSWERS, None)
    for _ in range(2):  # a repeated tap
        result = submit(SURVEY, ANSWERS, submission, lang="en", event=None, store=lambda: store)
    assert list(store.rows) == [code_hash(submission.code)]
    assert result.code == submission.code and result.assessment.quadrant is Quadrant.KANDIDAT
    typed = submission.code.lower().replace("-", " ")
    again = reopen(typed, store=lambda: store, throttle=Throttle(), who="s")
    assert again is not None and again.code == result.code
    assert again.assessment.quadrant is result.assessment.quadrant and again.lang == "en"


def test_a_preview_stores_nothing():
    result = submit(SURVEY, ANSWERS, submission_for(ANSWERS, None), lang="de", event=None, store=None)
    assert result.assessment.quadrant is Quadrant.KANDIDAT


def test_submit_errors_are_typed():
    store = MemoryStore()
    with pytest.raises(InvalidAnswers):
        submit(SURVEY, {"no-such-question": 1}, submission_for({}, None), lang="en", event=None, store=None)
    store.broken = True
    with pytest.raises(StoreUnavailable):
        submit(SURVEY, ANSWERS, submission_for(ANSWERS, None), lang="en", event=None, store=lambda: store)


def test_wrong_codes_are_throttled_and_a_malformed_code_opens_no_store():
    def no_store():
        raise AssertionError("a code that cannot be one is not looked up")

    throttle = Throttle(free_failures=3, base_delay=2.0, busy_per_minute=120, clock=lambda: 0.0)
    for typed in ["not a code", "x" * 40, "'; DROP TABLE responses; --"]:
        assert reopen(typed, store=no_store, throttle=throttle, who="s") is None
    assert reopen("AAAA-BBBB-CCCC-DDDD", store=MemoryStore, throttle=throttle, who="s") is None
    with pytest.raises(TooManyAttempts) as wait:
        reopen("AAAA-BBBB-CCCC-DDDD", store=MemoryStore, throttle=throttle, who="s")
    assert wait.value.seconds == 2.0
    assert reopen("not a code", store=no_store, throttle=throttle, who="another visitor") is None


def test_many_guessing_sessions_cannot_keep_out_a_visitor_with_a_valid_code():
    """Finding 7: 500 sessions guessing at once only tighten the guessers' own delays."""
    store = MemoryStore()
    submission = submission_for(ANSWERS, None)
    submit(SURVEY, ANSWERS, submission, lang="en", event=None, store=lambda: store)
    throttle = Throttle(free_failures=3, base_delay=2.0, busy_per_minute=120, clock=lambda: 0.0)
    for i in range(500):
        assert (
            reopen("AAAA-BBBB-CCCC-DDDD", store=lambda: store, throttle=throttle, who=f"guesser {i}") is None
        )
    assert throttle.busy()
    with pytest.raises(TooManyAttempts):  # while busy, a guesser is held from its first failure
        reopen("AAAA-BBBB-CCCC-DDDD", store=lambda: store, throttle=throttle, who="guesser 499")
    found = reopen(submission.code, store=lambda: store, throttle=throttle, who="the visitor")
    assert found is not None and found.code == submission.code


def test_an_unreadable_store_is_not_a_wrong_code():
    store = MemoryStore()
    store.broken = True
    throttle = Throttle(free_failures=0, clock=lambda: 0.0)
    for _ in range(3):
        with pytest.raises(StoreUnavailable):
            reopen("AAAA-BBBB-CCCC-DDDD", store=lambda: store, throttle=throttle, who="s")
    assert throttle.wait_seconds("s") == 0


def test_open_questions_leave_text_questions_optional():
    section = next(s for s in SURVEY.sections if any(q.type == "text" for q in s.questions))
    asked = [q.id for q in section.questions if q.type != "text"]
    assert open_questions(section.questions, {}) == asked
    assert open_questions(section.questions, {asked[0]: None}) == asked
    assert open_questions(section.questions, {q: "x" for q in asked}) == []
