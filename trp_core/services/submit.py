"""Submit an answer set: check it, score it and store it once, under a new result code."""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from trp_core.method.codes import code_hash, new_code
from trp_core.method.levers import assess
from trp_core.method.scoring import check_answers
from trp_core.method.survey import TextQuestion
from trp_core.services.results import Result, StoreUnavailable

if TYPE_CHECKING:
    from trp_core.method.survey import ScoredQuestion, Survey
    from trp_core.store import Store

log = logging.getLogger("trp")


def open_questions(
    questions: Sequence[ScoredQuestion | TextQuestion], answers: Mapping[str, Any]
) -> list[str]:
    """The ids of the questions still without an answer; text questions may stay empty."""
    return [q.id for q in questions if not isinstance(q, TextQuestion) and answers.get(q.id) is None]


@dataclass(frozen=True)
class Submission:
    """The submission key and result code given to one answer set."""

    key: str
    code: str
    fingerprint: str  # of the answers the key and code were given to


def submission_for(answers: Mapping[str, Any], previous: Submission | None) -> Submission:
    """The previous submission for the same answers, else a new key and code.

    A repeated tap reuses both, so the store keeps exactly one row; changed answers get new ones.
    """
    fingerprint = hashlib.sha256(json.dumps(answers, sort_keys=True).encode()).hexdigest()
    if previous is not None and previous.fingerprint == fingerprint:
        return previous
    return Submission(key=uuid.uuid4().hex, code=new_code(), fingerprint=fingerprint)


class InvalidAnswers(ValueError):
    """Answers that no widget can produce reached submit: a bug, logged, never the visitor's fault."""


def submit(
    survey: Survey,
    answers: Mapping[str, Any],
    submission: Submission,
    *,
    lang: str,
    event: str | None,
    store: Callable[[], Store] | None,
) -> Result:
    """Score the answers and store them under the submission's key; `store` None: a preview, nothing stored.

    Raises InvalidAnswers, or StoreUnavailable when the response could not be stored.
    """
    problems = check_answers(survey, answers, survey.id)
    if problems:
        log.error("invalid answers reached submit: %s", problems)
        raise InvalidAnswers(problems)
    assessment = assess(survey, answers)
    if store is not None:
        try:
            store().save_response(
                survey=survey,
                assessment=assessment,
                answers=dict(answers),
                lang=lang,
                event=event,
                submission_key=submission.key,
                code_hash=code_hash(submission.code),
            )
        except Exception as exc:
            log.exception("response not stored")
            raise StoreUnavailable from exc
    return Result(
        code=submission.code, survey=survey, answers=dict(answers), assessment=assessment, lang=lang
    )
