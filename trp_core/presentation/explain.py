"""Answers, verdicts, knock-outs and levers in words, written once for the result page and the PDF report;
the best and the ruling-out answers for the profile page."""

from __future__ import annotations

from typing import Any, Literal

from trp_core.method import breakeven as be
from trp_core.method.levers import LeverStep
from trp_core.method.scoring import DONT_KNOW, Assessment, AxisResult
from trp_core.method.survey import (
    ChoiceQuestion,
    NumberQuestion,
    ScaleQuestion,
    ScoredQuestion,
    Survey,
    TextQuestion,
    YesNoQuestion,
)
from trp_core.method.vocabulary import Axis
from trp_core.presentation import formatting as fmt
from trp_core.presentation.i18n import t
from trp_core.presentation.labels import axis_label, input_label

# "short" for the result page ("question: before → after (axis a → b)"), "sentence" for the PDF.
LeverForm = Literal["short", "sentence"]


def item_text(survey: Survey, key: str, lang: str) -> str:
    """The question text, or the name of a calculator input."""
    q = survey.question_index.get(key)
    if q is not None:
        return q.text(lang)
    spec = survey.calculator.inputs.get(key) if survey.calculator else None
    if spec is not None and spec.label:
        return spec.label(lang)
    return input_label(key, lang)


def answer_text(survey: Survey, key: str, value: Any, lang: str) -> str:
    """An answer as the partner chose it: the option's label, a formatted number, yes or no."""
    if value is None:
        return t("unanswered_value", lang)
    if value == DONT_KNOW:
        return t("dont_know", lang)
    q = survey.question_index.get(key)
    if isinstance(q, ChoiceQuestion):
        option = q.option(value)
        return option.label(lang) if option else str(value)
    if isinstance(q, YesNoQuestion):
        return t("yes" if value else "no", lang)
    if isinstance(q, ScaleQuestion):
        return f"{value} / {q.steps}"
    if isinstance(q, NumberQuestion):
        unit = f" {q.unit(lang)}" if q.unit else ""
        return fmt.number(value, lang, 0 if float(value).is_integer() else 1) + unit
    if isinstance(q, TextQuestion):
        return str(value)
    if key in be.FRACTION_INPUTS:
        return fmt.percent(value, lang, 1 if round(value * 100, 6) % 1 else 0)
    if key in be.INTEGER_INPUTS:
        return fmt.number(value, lang)
    spec = survey.calculator.inputs.get(key) if survey.calculator else None
    unit = spec.unit(lang) if spec is not None and spec.unit else ""
    if unit.strip() in ("€", "EUR", "€/Monat", "€/month"):
        return fmt.money(value, lang)
    return fmt.number(value, lang, 0 if float(value).is_integer() else 1) + (f" {unit}" if unit else "")


def best_and_knockouts(survey: Survey, q: ScoredQuestion, lang: str) -> tuple[str | None, list[str]]:
    """The answer worth most, and the answers that rule out, in the partner's words."""
    if isinstance(q, ChoiceQuestion):
        best = max(q.options, key=lambda o: o.points)
        return best.label(lang), [o.label(lang) for o in q.options if o.knockout]
    if isinstance(q, YesNoQuestion):
        best = t("yes", lang) if q.yes.points >= q.no.points else t("no", lang)
        kos = [t(k, lang) for k, b in (("yes", q.yes), ("no", q.no)) if b.knockout]
        return best, kos
    if isinstance(q, ScaleQuestion):
        return (q.low if q.reverse else q.high)(lang), []
    if isinstance(q, NumberQuestion):
        top = max(p for _, p in q.bands)
        x = min(x for x, p in q.bands if p == top)
        best = answer_text(survey, q.id, x, lang)
        kos = []
        if q.knockout_below is not None:
            kos.append("< " + answer_text(survey, q.id, q.knockout_below, lang))
        return (("≥ " if x == q.bands[-1][0] else "") + best), kos
    return None, []


def knockout_lines(assessment: Assessment, survey: Survey, answers: dict[str, Any], lang: str) -> list[str]:
    lines = []
    for axis in Axis:
        result = assessment.axes[axis]
        for key in result.knockouts:
            lines.append(
                t(
                    "knockout_line",
                    lang,
                    question=item_text(survey, key, lang),
                    answer=answer_text(survey, key, answers.get(key), lang),
                    axis=axis_label(axis, lang),
                )
            )
        for key in result.unconfirmed:
            lines.append(t("unconfirmed_line", lang, question=item_text(survey, key, lang)))
    return lines


def verdict(result: AxisResult, lang: str) -> str:
    """Whether an axis is met: met, not met, not met by a knock-out, or too few answers to tell."""
    if result.knockouts:
        return t("verdict_knockout", lang)
    if not result.determined:
        return t("verdict_undetermined", lang)
    return t("verdict_passed" if result.passed else "verdict_failed", lang)


def lever_text(survey: Survey, step: LeverStep, axis: Axis, lang: str, form: LeverForm = "short") -> str:
    """One suggested change in words: which answer or figure, from what to what, and the axis score."""
    if form == "short":
        line = t(
            "lever_line",
            lang,
            question=item_text(survey, step.question, lang),
            before=answer_text(survey, step.question, step.before, lang),
            after=answer_text(survey, step.question, step.after, lang),
            axis=axis_label(axis, lang),
            score_before=fmt.score(step.score_before, lang),
            score_after=fmt.score(step.score_after, lang),
        )
        return line + (t("lever_knockout", lang) if step.removes_knockout else "")
    return lever_sentence(survey, step, axis, lang)


def lever_sentence(survey: Survey, step: LeverStep, axis: Axis, lang: str) -> str:
    """One suggested change as a whole sentence, as the PDF writes it."""
    a = axis_label(axis, lang)
    if step.score_before is None:
        rise = t("report_rise_from_none", lang, b=fmt.score(step.score_after, lang))
    else:
        rise = t(
            "report_rise", lang, a=fmt.score(step.score_before, lang), b=fmt.score(step.score_after, lang)
        )
    after = answer_text(survey, step.question, step.after, lang)
    question = survey.question_index.get(step.question)
    if question is None:  # a calculator input; one left open counts with its default
        before_value = step.before
        if before_value is None and survey.calculator and step.question in survey.calculator.inputs:
            before_value = survey.calculator.inputs[step.question].default
        sentence = t(
            "report_lever_input",
            lang,
            input=item_text(survey, step.question, lang),
            after=after,
            before=answer_text(survey, step.question, before_value, lang),
            axis=a,
            rise=rise,
        )
    elif step.before is None:
        sentence = t(
            "report_lever_first_answer", lang, after=after, question=question.text(lang), axis=a, rise=rise
        )
    else:
        before = answer_text(survey, step.question, step.before, lang)
        sentence = t(
            "report_lever_answer",
            lang,
            after=after,
            before=before,
            question=question.text(lang),
            axis=a,
            rise=rise,
        )
    return sentence + (t("report_lever_knockout", lang) if step.removes_knockout else "")


def lever_lines(
    assessment: Assessment, survey: Survey, lang: str, form: LeverForm = "short"
) -> dict[Axis, list[str]]:
    """Per failed axis with suggested changes: each change in words, then whether together they
    reach the threshold."""
    out: dict[Axis, list[str]] = {}
    levers = assessment.levers
    if levers is None:
        return out
    reach = "levers_reach" if form == "short" else "report_levers_reach"
    for axis in Axis:
        axis_levers = getattr(levers, axis.value)
        if axis_levers.passed or not axis_levers.steps:
            continue
        lines = [lever_text(survey, step, axis, lang, form) for step in axis_levers.steps]
        lines.append(t(reach if axis_levers.reaches_threshold else "levers_not_reach", lang))
        out[axis] = lines
    return out


def figure_lines(result: Any, target: int, horizon: int, lang: str) -> list[str]:
    """Break-even month, target, 12-month return and required deals in words; `result` is a
    BreakEven or the break-even part of an Assessment."""
    month = result.break_even_month
    lines = [
        t("calc_breakeven", lang, month=month) if month else t("calc_no_breakeven", lang, horizon=horizon),
        t("calc_target_met" if month and month <= target else "calc_target_missed", lang, target=target),
    ]
    if result.roi_12 is not None:
        lines.append(t("calc_roi", lang, roi=fmt.percent(result.roi_12, lang)))
    lines.append(_required_deals(result, target, lang))
    return lines


def _required_deals(result: Any, target: int, lang: str) -> str:
    if result.required_deals_per_month is None:
        return t("calc_required_none", lang, target=target)
    deals = fmt.number(result.required_deals_per_month, lang, 1)
    met = result.break_even_month is not None and result.break_even_month <= target
    return t("calc_required_met" if met else "calc_required", lang, target=target, deals=deals)


def required_deals_line(assessment: Assessment, survey: Survey, lang: str) -> str | None:
    """The calculator's lever: deals per month that reach break-even by the target month."""
    if assessment.breakeven is None or survey.calculator is None:
        return None
    return _required_deals(assessment.breakeven, survey.calculator.target_months, lang)


def breakeven_lines(assessment: Assessment, survey: Survey, lang: str) -> list[str]:
    """The break-even figures of an assessment in words (empty without a calculator)."""
    calc = survey.calculator
    if assessment.breakeven is None or calc is None:
        return []
    return figure_lines(assessment.breakeven, calc.target_months, calc.horizon_months, lang)
