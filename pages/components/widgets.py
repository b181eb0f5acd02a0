"""Widgets of the questionnaire: one per question type, the progress bar, the live calculator."""

from __future__ import annotations

import copy
from typing import Any

import streamlit as st

from pages.components.session import CURVE, Curve
from trp_core.method import breakeven as be
from trp_core.method.scoring import DONT_KNOW, breakeven_inputs, clean_text
from trp_core.method.survey import (
    ChoiceQuestion,
    NumberQuestion,
    ScaleQuestion,
    Section,
    Survey,
    TextQuestion,
    YesNoQuestion,
)
from trp_core.presentation import formatting as fmt
from trp_core.presentation import result_charts
from trp_core.presentation.explain import figure_lines
from trp_core.presentation.i18n import t
from trp_core.presentation.labels import input_label

Step = tuple[str, Section | None]


def steps(survey: Survey) -> list[Step]:
    """Ability sections, then motivation sections, then the calculator.

    The calculator comes last so that the partner states what he expects before his own
    figures show him; the gap between the two is what the method calls persuasion material.
    """
    out: list[Step] = [("section", s) for s in survey.ordered_sections]
    if survey.calculator:
        out.append(("calculator", None))
    return out


def step_name(survey: Survey, step: Step, lang: str) -> str:
    _, section = step
    return section.title(lang) if section else survey.calculator.title(lang)


def progress(survey: Survey, all_steps: list[Step], current: int, lang: str) -> None:
    names = [step_name(survey, s, lang) for s in all_steps]
    st.progress(
        (current + 1) / len(all_steps),
        text=t("step_of", lang, n=current + 1, total=len(all_steps), name=names[current]),
    )
    marks = ["✓" if i < current else "●" if i == current else "○" for i in range(len(names))]
    st.caption("  ".join(f"{m} {n}" for m, n in zip(marks, names, strict=True)))


def _dk(q: Any, lang: str) -> list[Any]:
    return [DONT_KNOW] if q.dont_know else []


def question(q: Any, lang: str, key: str, current: Any) -> Any:
    """Render one question; returns its answer (None when unanswered)."""
    label = q.text(lang)
    help_text = q.help(lang) if q.help else None
    dont_know = t("dont_know", lang)
    if isinstance(q, ChoiceQuestion):
        labels = {o.id: o.label(lang) for o in q.options} | {DONT_KNOW: dont_know}
        options = [o.id for o in q.options] + _dk(q, lang)
        return st.radio(
            label,
            options,
            index=options.index(current) if current in options else None,
            format_func=labels.__getitem__,
            key=key,
            help=help_text,
        )
    if isinstance(q, ScaleQuestion):
        options = list(range(1, q.steps + 1)) + _dk(q, lang)
        value = st.segmented_control(
            label,
            options,
            default=current if current in options else None,
            format_func=lambda v: dont_know if v == DONT_KNOW else str(v),
            key=key,
            help=help_text,
        )
        st.caption(f"1 = {q.low(lang)} · {q.steps} = {q.high(lang)}")
        return value
    if isinstance(q, YesNoQuestion):
        labels = {"yes": t("yes", lang), "no": t("no", lang), DONT_KNOW: dont_know}
        options = ["yes", "no", *_dk(q, lang)]
        seed = {True: "yes", False: "no", DONT_KNOW: DONT_KNOW}.get(current)
        value = st.segmented_control(
            label, options, default=seed, format_func=labels.__getitem__, key=key, help=help_text
        )
        return {"yes": True, "no": False}.get(value, value)
    if isinstance(q, NumberQuestion):
        return _number_question(q, lang, key, current, label, help_text)
    if isinstance(q, TextQuestion):
        text = st.text_area(
            label,
            value=current if isinstance(current, str) else "",
            max_chars=q.max_length,
            key=key,
            help=help_text,
            height=100,
        )
        st.caption(t("text_warning", lang))
        return clean_text(text) or None
    raise TypeError(type(q).__name__)


def _format(step: float) -> str:
    """As many decimals as the step has: 0.1 shows 1.5, not 1.50."""
    decimals = len(f"{step:.6f}".rstrip("0").split(".")[1])
    return f"%.{max(decimals, 1)}f"


def _whole(*values: float) -> bool:
    return all(float(v).is_integer() for v in values)


def _number_question(q: NumberQuestion, lang: str, key: str, current: Any, label: str, help_text: str | None):
    unit = f" ({q.unit(lang)})" if q.unit else ""
    whole = _whole(q.min, q.max, q.step)
    cast = int if whole else float
    seed = current if isinstance(current, int | float) and not isinstance(current, bool) else None
    hint = t("range_hint", lang, min=fmt.number(q.min, lang, 0 if whole else 1), max=fmt.number(q.max, lang))
    value = st.number_input(
        label + unit,
        min_value=cast(q.min),
        max_value=cast(q.max),
        step=cast(q.step),
        format=None if whole else _format(q.step),
        value=None if seed is None else cast(seed),
        placeholder=hint,
        key=key,
        help=help_text,
    )
    if q.dont_know and st.checkbox(t("dont_know", lang), value=current == DONT_KNOW, key=key + ".dk"):
        return DONT_KNOW
    return value


def calculator(survey: Survey, answers: dict[str, Any], lang: str, key: str) -> None:
    """The partner's own figures, updating the cash-flow curve as he types (a fragment rerun)."""

    @st.fragment
    def live() -> None:
        calc = survey.calculator
        cols = st.columns(2)
        for i, (name, spec) in enumerate(calc.inputs.items()):
            with cols[i % 2]:
                answers[name] = _input(name, spec, answers.get(name, spec.default), lang, f"{key}.{name}")
        inputs = breakeven_inputs(survey, answers)
        result = be.compute(inputs)
        month = result.break_even_month
        st.vega_lite_chart(_curve_spec(result.cumulative, lang, calc.target_months, month), width="stretch")
        st.caption(result_charts.breakeven_text(result.cumulative, lang, calc.target_months, month))
        for line in figure_lines(result, calc.target_months, calc.horizon_months, lang):
            st.markdown(line)

    live()


def _curve_spec(cumulative: list[float], lang: str, target: int, month: int | None) -> dict[str, Any]:
    """The cash-flow curve's Vega-Lite spec, kept in the session while the figures stay the same:
    a rerun with nothing changed (back, the language switch, a tap next to a field) draws the kept
    spec instead of building the chart again. Only this session's latest curve is kept."""
    figures = (tuple(cumulative), lang, target, month)
    kept: Curve | None = st.session_state.get(CURVE)
    if kept is None or kept.figures != figures:
        spec = result_charts.breakeven_chart(cumulative, lang, target, month).to_dict(validate=False)
        kept = st.session_state[CURVE] = Curve(figures, spec)
    return copy.deepcopy(kept.spec)  # Streamlit takes the data out of the spec it is given


def _input(name: str, spec: Any, current: Any, lang: str, key: str) -> float:
    label = spec.label(lang) if spec.label else input_label(name, lang)
    percent = name in be.FRACTION_INPUTS
    scale = 100 if percent else 1
    unit = "%" if percent else (spec.unit(lang) if spec.unit else "")
    # "Deals per month (deals)" says nothing twice.
    text = f"{label} ({unit})" if unit and unit.lower().rstrip("s") not in label.lower() else label
    if spec.fixed:
        shown = fmt.percent(spec.default, lang) if percent else fmt.number(spec.default, lang, 2)
        st.markdown(f"**{label}**: {shown} · _{t('calc_fixed', lang)}_")
        return spec.default
    whole = _whole(spec.min * scale, spec.max * scale, spec.step * scale)
    cast = int if whole or name in be.INTEGER_INPUTS else float
    step = round(spec.step * scale, 6)
    value = st.number_input(
        text,
        min_value=cast(spec.min * scale),
        max_value=cast(spec.max * scale),
        step=cast(step),
        value=cast(round(float(current) * scale, 6)),
        format=None if cast is int else _format(step),
        key=key,
    )
    st.caption(spec.help(lang))  # one visible line each: a tooltip is easy to miss on a tablet
    value = spec.default * scale if value is None else value
    return int(value) if name in be.INTEGER_INPUTS else round(value / scale, 6)
