"""Every number of a result in words, to recompute by hand: each answer's points and the rule that gave
them, each criterion's mean, the calculator's inputs and month-by-month cash flow; every rule of a survey
for the profile page; and the questions an undetermined result still misses.

The points come from the kernel (`question_points`, `break_even_points`) and the means from the
Assessment; this module only writes them out, so it follows the kernel's method version.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from trp_core.method import breakeven as be
from trp_core.method.scoring import (
    DEFAULT,
    FIXED,
    FROM_ANSWER,
    OWN,
    Assessment,
    break_even_points,
    breakeven_inputs,
    input_source,
    is_real,
    question_points,
)
from trp_core.method.survey import (
    ChoiceQuestion,
    NumberQuestion,
    ScaleQuestion,
    ScoredQuestion,
    Survey,
    TextQuestion,
    YesNoQuestion,
)
from trp_core.method.vocabulary import AXIS_CRITERIA, Axis, Criterion
from trp_core.presentation import formatting as fmt
from trp_core.presentation.explain import answer_text, item_text
from trp_core.presentation.i18n import t
from trp_core.presentation.labels import axis_label, criterion_label

EPS = 1e-6


def num(x: float, lang: str) -> str:
    """A number as the working shows it: up to two decimals, trailing zeros left out."""
    return fmt.number(x, lang, 2, trim=True)


# --- the rule that turns one answer into points -------------------------------------------------


def band_rule(bands: list[tuple[float, float]], x: float, shown_x: str, points: float, lang: str) -> str:
    """How piecewise-linear bands give `points` for x, e.g. "140: between 100 (80 points) and
    500 (100 points) → 80 + 40/400 × 20 = 85"."""
    x0, _p0 = bands[0]
    if x <= x0:
        return t("rule_band_below", lang, x=shown_x, x0=num(x0, lang), points=num(points, lang))
    xn, _pn = bands[-1]
    if x > xn:
        return t("rule_band_above", lang, x=shown_x, xn=num(xn, lang), points=num(points, lang))
    for (a, pa), (b, pb) in itertools.pairwise(bands):
        if x <= b:
            if x == b:
                return t("rule_band_at", lang, x=shown_x, points=num(points, lang))
            dp = pb - pa
            step = num(dp, lang) if dp >= 0 else f"({num(dp, lang)})"
            return t(
                "rule_band_between",
                lang,
                x=shown_x,
                x0=num(a, lang),
                p0=num(pa, lang),
                x1=num(b, lang),
                p1=num(pb, lang),
                dx=num(x - a, lang),
                span=num(b - a, lang),
                dp=step,
                points=num(points, lang),
            )
    return t("rule_band_above", lang, x=shown_x, xn=num(xn, lang), points=num(points, lang))


def answer_rule(
    survey: Survey, q: ScoredQuestion, value: Any, points: float, knockout: bool, lang: str
) -> str:
    """The rule that gave a real answer its points, and the knock-out if the answer is one."""
    shown = answer_text(survey, q.id, value, lang)
    if isinstance(q, ScaleQuestion):
        key = "rule_scale_reverse" if q.reverse else "rule_scale"
        rule = t(key, lang, v=value, n=q.steps, points=num(points, lang))
    elif isinstance(q, NumberQuestion):
        rule = band_rule(q.bands, float(value), shown, points, lang)
    else:
        rule = t("rule_option", lang, answer=shown, points=num(points, lang))
    if knockout:
        rule += t("rule_knockout", lang)
    return rule


# --- per criterion: the questions, their points and the mean ------------------------------------


@dataclass(frozen=True)
class QuestionWorking:
    id: str
    text: str
    answer: str
    weight: float
    points: float | None  # None: the kernel leaves it out of the mean
    rule: str
    knockout: bool


@dataclass(frozen=True)
class CriterionWorking:
    criterion: Criterion
    axis: Axis
    label: str
    questions: list[QuestionWorking]
    score: float | None  # the Assessment's criterion score
    mean: str  # the mean in words: "(1 × 58,67 + 1 × 75) ÷ 2 = 66,83"


def _mean_text(label: str, pairs: list[tuple[float, float]], score: float | None, lang: str) -> str:
    if score is None or not pairs:
        return t("mean_none", lang, criterion=label)
    terms = " + ".join(f"{num(w, lang)} × {num(p, lang)}" for w, p in pairs)
    den = sum(w for w, _ in pairs)
    return t("mean_line", lang, criterion=label, terms=terms, den=num(den, lang), score=num(score, lang))


def criteria_working(
    assessment: Assessment, survey: Survey, answers: Mapping[str, Any], lang: str
) -> list[CriterionWorking]:
    """Per weighted criterion, in axis order: every question with answer, weight, points and rule, and
    the criterion's mean as the Assessment has it."""
    out = []
    for axis in Axis:
        for c in AXIS_CRITERIA[axis]:
            result = assessment.criteria[c]
            if result.weight <= 0:
                continue
            rows = []
            if c is Criterion.BREAK_EVEN:
                rows = _break_even_rows(assessment, survey, lang)
            for q in survey.scored_questions:
                if q.criterion is not c:
                    continue
                value = answers.get(q.id)
                points, ko = question_points(q, value)
                if points is None:
                    rule = t("rule_missing_zero", lang)
                    points = 0.0
                else:
                    rule = answer_rule(survey, q, value, points, ko, lang)
                rows.append(
                    QuestionWorking(
                        q.id, q.text(lang), answer_text(survey, q.id, value, lang), q.weight, points, rule, ko
                    )
                )
            label = criterion_label(c, lang)
            pairs = [(r.weight, r.points) for r in rows if r.points is not None]
            out.append(
                CriterionWorking(
                    c, axis, label, rows, result.score, _mean_text(label, pairs, result.score, lang)
                )
            )
    return out


def _break_even_rows(assessment: Assessment, survey: Survey, lang: str) -> list[QuestionWorking]:
    calc = survey.calculator
    if calc is None:
        return []
    label = t("be_row", lang)
    b = assessment.breakeven
    if b is None:
        rule = t("rule_missing_zero", lang)
        return [QuestionWorking("break_even", label, t("unanswered_value", lang), 1.0, 0.0, rule, False)]
    month = b.break_even_month
    points = break_even_points(survey, month)
    if month is None:
        answer = t("be_not_reached", lang, horizon=calc.horizon_months)
        rule = t("rule_be_not_reached", lang, points=num(points, lang))
    else:
        answer = t("be_month", lang, month=month)
        rule = band_rule(calc.effective_bands, month, answer, points, lang)
    return [QuestionWorking("break_even", label, answer, 1.0, points, rule, False)]


# --- the calculator ------------------------------------------------------------------------------


@dataclass(frozen=True)
class InputWorking:
    name: str
    label: str
    value: str
    source: str  # own value, the survey's default, or set by the vendor
    own: bool


def calculator_inputs(survey: Survey, answers: Mapping[str, Any], lang: str) -> list[InputWorking]:
    """The calculator's inputs as the model used them, each marked: the partner's own value, taken
    from his answer to the linked question, the survey's default (left open or not changed), or
    fixed by the vendor."""
    calc = survey.calculator
    inputs = breakeven_inputs(survey, answers)
    if calc is None or inputs is None:
        return []
    rows = []
    for name in calc.inputs:
        value = getattr(inputs, name)
        _, source = input_source(survey, answers, name)
        rows.append(
            InputWorking(
                name,
                item_text(survey, name, lang),
                answer_text(survey, name, value, lang),
                t(_SOURCE_TEXT[source], lang),
                source in (OWN, FROM_ANSWER),
            )
        )
    return rows


_SOURCE_TEXT: Final = {
    OWN: "source_own",
    FROM_ANSWER: "source_answer",
    DEFAULT: "source_default",
    FIXED: "source_fixed",
}


def monthly_rows(survey: Survey, answers: Mapping[str, Any], lang: str) -> list[dict[str, str]]:
    """The month-by-month table, month 0 (the net investment) first: deals, customers (recurring
    model only), gross profit, fixed costs, cumulative cash; keyed by the column titles."""
    inputs = breakeven_inputs(survey, answers)
    if inputs is None:
        return []
    recurring = inputs.model is be.Model.RECURRING
    months = be.monthly(inputs)
    titles = {
        k: t(f"col_{k}", lang)
        for k in ("month", "deals", "customers", "gross_profit", "fixed_costs", "cumulative")
    }
    if not recurring:
        del titles["customers"]

    euro = {"gross_profit", "fixed_costs", "cumulative"}  # amounts without "€" in each cell: fits a phone
    titles = {k: f"{v} (€)" if k in euro else v for k, v in titles.items()}

    def row(month: str, deals: str, customers: str, gp: str, fixed: str, cumulative: float) -> dict[str, str]:
        values = dict(month=month, deals=deals, customers=customers, gross_profit=gp, fixed_costs=fixed)
        values["cumulative"] = fmt.number(cumulative, lang)
        return {title: values[k] for k, title in titles.items()}

    out = [row("0", "", "", "", "", -(inputs.investment - inputs.vendor_funding))]
    for m in months:
        customers = num(m.customers, lang) if m.customers is not None else ""
        out.append(
            row(
                str(m.month),
                num(m.deals, lang),
                customers,
                fmt.number(m.gross_profit, lang),
                fmt.number(m.fixed_costs, lang),
                m.cumulative,
            )
        )
    return out


def monthly_note(survey: Survey, answers: Mapping[str, Any], lang: str) -> str:
    """How the table is computed, in the model's own words."""
    inputs = breakeven_inputs(survey, answers)
    if inputs is None:
        return ""
    key = "monthly_note_recurring" if inputs.model is be.Model.RECURRING else "monthly_note_one_off"
    return t(key, lang)


# --- the thresholds -----------------------------------------------------------------------------


def threshold_lines(assessment: Assessment, survey: Survey, lang: str) -> list[str]:
    """The rules an axis score is measured by: threshold, minimum coverage, borderline band."""
    lines = []
    for axis in Axis:
        r = assessment.axes[axis]
        lines.append(
            t(
                "threshold_line",
                lang,
                axis=axis_label(axis, lang),
                threshold=num(r.threshold, lang),
                coverage=fmt.percent(r.coverage, lang),
                minimum=fmt.percent(survey.min_coverage, lang),
            )
        )
    lines.append(t("borderline_rule", lang, band=num(survey.borderline, lang)))
    return lines


# --- the survey's rules, for the profile page ---------------------------------------------------


def question_rules(survey: Survey, q: ScoredQuestion, lang: str) -> list[tuple[str, bool]]:
    """Every answer of a question with its points, or its bands or scale formula; each line with
    whether it is a knock-out."""
    ko = t("rule_knockout", lang)
    if isinstance(q, ChoiceQuestion):
        return [
            (
                t("rule_option", lang, answer=o.label(lang), points=num(o.points, lang))
                + (ko if o.knockout else ""),
                o.knockout,
            )
            for o in q.options
        ]
    if isinstance(q, YesNoQuestion):
        return [
            (
                t("rule_option", lang, answer=t(k, lang), points=num(b.points, lang))
                + (ko if b.knockout else ""),
                b.knockout,
            )
            for k, b in (("yes", q.yes), ("no", q.no))
        ]
    if isinstance(q, ScaleQuestion):
        key = "profile_scale_reverse" if q.reverse else "profile_scale"
        return [(t(key, lang, n=q.steps, low=q.low(lang), high=q.high(lang)), False)]
    lines = [(band_points_line(q.bands, lang, unit=q.unit(lang) if q.unit else ""), False)]
    if q.knockout_below is not None:
        lines.append((t("profile_knockout_below", lang, x=num(q.knockout_below, lang)), True))
    return lines


def band_points_line(bands: list[tuple[float, float]], lang: str, unit: str = "") -> str:
    """Bands as the partner reads them: "0 → 0 points · 25 → 40 points · …, linear in between"."""
    pairs = " · ".join(t("band_pair", lang, x=num(x, lang), points=num(p, lang)) for x, p in bands)
    line = t("profile_bands", lang, pairs=pairs)
    return f"{unit}: {line}" if unit else line


# --- what an undetermined result misses ---------------------------------------------------------


def open_questions(
    assessment: Assessment, survey: Survey, answers: Mapping[str, Any]
) -> dict[Axis, list[str]]:
    """Per undetermined axis, the questions without a real answer, in survey order."""
    out: dict[Axis, list[str]] = {}
    for axis in Axis:
        if assessment.axes[axis].determined:
            continue
        ids = [
            q.id
            for s in survey.ordered_sections
            if s.axis is axis
            for q in s.questions
            if not isinstance(q, TextQuestion) and not is_real(answers.get(q.id))
        ]
        if ids:
            out[axis] = ids
    return out


# --- as tables, keyed by the column titles (the result page and the PDF) ------------------------


def question_table(working: CriterionWorking, lang: str) -> list[dict[str, str]]:
    """One criterion's questions as the PDF's table: question, answer, weight, points ("–" where left
    out), rule."""
    return [
        {
            t("col_question", lang): q.text,
            t("col_answer", lang): q.answer,
            t("col_q_weight", lang): num(q.weight, lang),
            t("col_points", lang): fmt.MISSING if q.points is None else num(q.points, lang),
            t("col_rule", lang): q.rule,
        }
        for q in working.questions
    ]


def question_list(working: CriterionWorking, lang: str) -> str:
    """One criterion's questions as the result page's list (narrow enough for a phone): each question,
    the rule with the answer, and its points and weight."""
    items = []
    for q in working.questions:
        weight = num(q.weight, lang)
        if q.points is None:
            points = t("question_points_out", lang, weight=weight)
        else:
            points = t("question_points_line", lang, points=num(q.points, lang), weight=weight)
        items.append(f"- {q.text}  \n  {q.rule}  \n  {points}")
    return "\n".join(items)


def inputs_table(survey: Survey, answers: Mapping[str, Any], lang: str) -> list[dict[str, str]]:
    """The calculator's inputs: figure, value, and where the value comes from."""
    return [
        {t("col_input", lang): i.label, t("col_value", lang): i.value, t("col_source", lang): i.source}
        for i in calculator_inputs(survey, answers, lang)
    ]


def breakeven_line(assessment: Assessment, survey: Survey, lang: str) -> str:
    """Which row of the monthly table is the break-even month."""
    b = assessment.breakeven
    if b is None or survey.calculator is None:
        return ""
    if b.break_even_month is None:
        return t("monthly_no_breakeven", lang, horizon=len(b.cumulative) - 1)
    return t("monthly_breakeven", lang, month=b.break_even_month)
