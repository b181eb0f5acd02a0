"""Random valid answer sets for a survey: for property tests, benchmarks and demo data."""

from __future__ import annotations

import random
from typing import Any

from trp_core.method.breakeven import INTEGER_INPUTS
from trp_core.method.scoring import DONT_KNOW
from trp_core.method.survey import (
    ChoiceQuestion,
    NumberQuestion,
    ScaleQuestion,
    Survey,
    TextQuestion,
    YesNoQuestion,
)


def random_answer(question: Any, rng: random.Random) -> Any:
    """A valid answer to one question (never don't know)."""
    if isinstance(question, ChoiceQuestion):
        return rng.choice(question.options).id
    if isinstance(question, ScaleQuestion):
        return rng.randint(1, question.steps)
    if isinstance(question, NumberQuestion):
        steps = int((question.max - question.min) / question.step)
        return round(question.min + rng.randint(0, steps) * question.step, 6)
    if isinstance(question, YesNoQuestion):
        return rng.random() < 0.5
    if isinstance(question, TextQuestion):
        return rng.choice(["", "Mehr Vertrieb", "More presales support", "Demo system"])
    raise TypeError(type(question).__name__)


def random_input(survey: Survey, name: str, rng: random.Random) -> float:
    """A valid value of one calculator input, on its step grid."""
    spec = survey.calculator.inputs[name]
    steps = int((spec.max - spec.min) / spec.step)
    value = spec.min + rng.randint(0, steps) * spec.step
    return int(value) if name in INTEGER_INPUTS else round(value, 6)


def random_answers(
    survey: Survey, rng: random.Random, answer_rate: float = 0.9, dont_know_rate: float = 0.05
) -> dict[str, Any]:
    """An answer set: each question answered with probability `answer_rate`, don't know where allowed."""
    answers: dict[str, Any] = {}
    for q in survey.questions:
        if rng.random() >= answer_rate:
            continue
        if q.dont_know and rng.random() < dont_know_rate:
            answers[q.id] = DONT_KNOW
        elif not isinstance(q, TextQuestion):
            answers[q.id] = random_answer(q, rng)
    if survey.calculator and rng.random() < answer_rate:
        for name in survey.calculator.asked:
            answers[name] = random_input(survey, name, rng)
    return answers
