"""Widgets of the questionnaire: one per question type, the progress bar, the live calculator."""

from __future__ import annotations

import re
import uuid
from typing import Any, NamedTuple

import streamlit as st

from trp_core.method import breakeven as be
from trp_core.method.scoring import DONT_KNOW, breakeven_inputs, clean_text, is_real
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


def _whole(*values: float) -> bool:
    return all(float(v).is_integer() for v in values)


class Invalid(NamedTuple):
    """A number field whose text is not a number it takes; the message stands under the field."""

    key: str  # the field's widget key, to scroll to it


def _shown(value: Any, lang: str) -> str:
    """A kept answer as the field shows it, in the page's format ("1.200", "1,5"); empty when none."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return ""
    return fmt.plain(value, lang)


# Markdown's punctuation: escaped in a message, so that what the partner typed shows as typed.
_MARKDOWN = re.compile(r"[\\`*_{}\[\]()<>#+\-.!|~$:]")


def _problem(place: Any, message: str, key: str) -> None:
    """The message under the field, and the field itself framed red: the "marked field" of the alert."""
    escaped = _MARKDOWN.sub(lambda m: "\\" + m.group(0), message)
    place.markdown(f":red[:material/error: {escaped}]")
    st.html(
        f'<style>.{_css_class(key)} [data-testid="stTextInputRootElement"] {{ border-color: #c3272b !important; }}</style>'
    )


def _css_class(key: str) -> str:
    """The class Streamlit gives the element of a widget with `key`."""
    return "st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key)


def _number_question(q: NumberQuestion, lang: str, key: str, current: Any, label: str, help_text: str | None):
    unit = f" ({q.unit(lang)})" if q.unit else ""
    whole = _whole(q.min, q.max, q.step)
    hint = t("range_hint", lang, min=fmt.number(q.min, lang, 0 if whole else 1), max=fmt.number(q.max, lang))
    text = st.text_input(label + unit, value=_shown(current, lang), placeholder=hint, key=key, help=help_text)
    message = st.empty()  # under the field, above the don't-know box
    if q.dont_know and st.checkbox(t("dont_know", lang), value=current == DONT_KNOW, key=key + ".dk"):
        return DONT_KNOW
    reading = fmt.read_number(text, lang, q.min, q.max, whole=whole)
    if reading.problem:
        _problem(message, reading.problem, key)
        return Invalid(key)
    return reading.value


def scroll_to(key: str) -> None:
    """Scroll the page to the widget with `key` and put the cursor in it (after a refused "next")."""
    target = _css_class(key)
    st.html(
        f"""<script data-run="{uuid.uuid4().hex}">
(() => {{
  let tries = 0;
  const go = () => {{
    const box = document.querySelector(".{target}");
    if (!box) {{ if (++tries < 40) setTimeout(go, 50); return; }}
    box.scrollIntoView({{block: "center"}});
    box.querySelector("input")?.focus({{preventScroll: true}});
  }};
  go();
}})();
</script>""",
        unsafe_allow_javascript=True,
    )


# Streamlit's "Press Enter to apply" is English on a German page, and covers the next field on a phone:
# a calculator field applies its figure when the partner leaves it anyway.
_CALC_CSS = '<style>.st-key-calc [data-testid="InputInstructions"] { display: none; }</style>'


def calculator(survey: Survey, answers: dict[str, Any], lang: str, key: str) -> list[str]:
    """The partner's own figures, updating the cash-flow curve as he types (a fragment rerun).

    Returns the keys of the fields whose text is not a figure they take (their messages stand under
    them); `answers` keeps the last valid figure of each."""
    invalid: list[str] = []

    @st.fragment
    def live() -> None:
        calc = survey.calculator
        invalid.clear()
        st.html(_CALC_CSS)
        names = list(calc.inputs)
        with st.container(key="calc", gap="medium"):
            # Row by row, so that a phone, which stacks columns, keeps the fields in their order;
            # each field close to its message and help line, further from the next field's label.
            for row in range(0, len(names), 2):
                for col, name in zip(st.columns(2, gap="medium"), names[row : row + 2], strict=False):
                    with col, st.container(gap=None):
                        spec = calc.inputs[name]
                        link = spec.from_question
                        if link is None or spec.fixed:
                            value = _input(name, spec, answers.get(name, spec.default), lang, f"{key}.{name}")
                            if not isinstance(value, Invalid):
                                answers[name] = value
                        else:
                            value = _linked_input(survey, name, spec, answers, lang, f"{key}.{name}")
                        if isinstance(value, Invalid):
                            invalid.append(value.key)
        inputs = breakeven_inputs(survey, accepted(survey, answers))
        result = be.compute(inputs)
        month = result.break_even_month
        # A plain spec, kept per figures for the whole process (result_charts): typing a figure
        # builds only the curve's rows, and Streamlit copies what it changes of the spec.
        chart = result_charts.breakeven_chart(result.cumulative, lang, calc.target_months, month)
        st.vega_lite_chart(chart, width="stretch")
        st.caption(result_charts.breakeven_text(result.cumulative, lang, calc.target_months, month))
        for line in figure_lines(result, calc.target_months, calc.horizon_months, lang):
            st.markdown(line)

    live()
    return invalid


def prefill(survey: Survey, answers: dict[str, Any], name: str) -> Any:
    """What a calculator field shows until the partner types his own figure: the answer to the
    question the input is linked to, if it is a real one, else the survey's default."""
    spec = survey.calculator.inputs[name]
    answer = answers.get(spec.from_question) if spec.from_question else None
    return answer if is_real(answer) else spec.default


def accepted(survey: Survey, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers with every calculator figure as the page shows it: an input filled from an
    answer stays out (the method takes the answer), and one whose linked question has no real
    answer takes the survey's default, which the partner accepts by leaving the field as it is."""
    calc = survey.calculator
    out = dict(answers)
    if calc is None:
        return out
    for name, spec in calc.inputs.items():
        open_field = spec.from_question and not spec.fixed and not is_real(answers.get(name))
        if open_field and not is_real(answers.get(spec.from_question)):
            out[name] = spec.default
    return out


def _linked_input(
    survey: Survey, name: str, spec: Any, answers: dict[str, Any], lang: str, key: str
) -> float | Invalid:
    """A field filled from the partner's answer to its linked question, with a note saying so; a
    figure he types instead is his own (and kept), the answer's figure is never stored twice."""
    filled = prefill(survey, answers, name)
    own = answers.get(name)
    from_answer = not is_real(own) and is_real(answers.get(spec.from_question))
    note = _from_answer_note(survey, spec.from_question, lang) if from_answer else None
    value = _input(name, spec, own if is_real(own) else filled, lang, key, fallback=filled, note=note)
    if not isinstance(value, Invalid):
        if value == filled:
            answers.pop(name, None)  # the answer's figure, or the default the partner keeps
        else:
            answers[name] = value
    return value


def _from_answer_note(survey: Survey, question_id: str, lang: str) -> str:
    """ "From your answer in step 1 ("Your customers")": where to find and change the answer."""
    all_steps = steps(survey)
    n, section = next(
        (i + 1, s)
        for i, (_, s) in enumerate(all_steps)
        if s and any(q.id == question_id for q in s.questions)
    )
    return t("calc_from_answer", lang, n=n, step=section.title(lang))


def _input(
    name: str, spec: Any, current: Any, lang: str, key: str, fallback: Any = None, note: str | None = None
) -> float | Invalid:
    label = spec.label(lang) if spec.label else input_label(name, lang)
    percent = name in be.FRACTION_INPUTS
    scale = 100 if percent else 1
    unit = "%" if percent else (spec.unit(lang) if spec.unit else "")
    # "Deals per month (deals)" says nothing twice.
    text = f"{label} ({unit})" if unit and unit.lower().rstrip("s") not in label.lower() else label
    if spec.fixed:
        shown = fmt.percent(spec.default, lang) if percent else fmt.number(spec.default, lang, 2, trim=True)
        st.markdown(f"**{label}**: {shown} · _{t('calc_fixed', lang)}_")
        return spec.default
    typed = st.text_input(text, value=_shown(round(float(current) * scale, 6), lang), key=key)
    message = st.empty()
    value, problem = _figure(name, spec, typed, lang, fallback)
    # The note stands while the field shows the answer's figure; a figure of his own replaces it.
    if note and not problem and value == fallback:
        st.caption(f":material/subdirectory_arrow_right: {note}")
    st.caption(spec.help(lang))  # one visible line each: a tooltip is easy to miss on a tablet
    if problem:
        _problem(message, problem, key)
        return Invalid(key)
    return value


def _figure(name: str, spec: Any, typed: str, lang: str, fallback: Any = None) -> tuple[float, str | None]:
    """A calculator field's text as the figure it stands for (when empty: `fallback`, else the
    survey's default), or the problem."""
    percent = name in be.FRACTION_INPUTS
    scale = 100 if percent else 1
    low, high = round(spec.min * scale, 6), round(spec.max * scale, 6)
    whole = name in be.INTEGER_INPUTS
    reading = fmt.read_number(typed, lang, low, high, whole=whole, percent=percent)
    if reading.problem:
        return spec.default, reading.problem
    empty = spec.default if fallback is None else fallback  # an emptied field goes back to it
    value = empty * scale if reading.value is None else reading.value
    if whole:
        return int(value), None
    value = round(value / scale, 6)
    # A figure on a whole grid (euros in steps of 500) stays an int, as the answers files write it.
    if not percent and float(value).is_integer() and _whole(low, high, spec.step):
        return int(value), None
    return value, None


def calculator_figures(survey: Survey, answers: dict[str, Any], key: str, lang: str) -> bool:
    """The calculator's figures as its fields (`key` as given to `calculator`) hold them now, into
    `answers`, without drawing anything: for a callback, which runs before the page. False (and
    `answers` unchanged) when a field's text is not a figure it takes."""
    figures = {}
    for name, spec in survey.calculator.inputs.items():
        if spec.fixed:
            figures[name] = spec.default
            continue
        typed = st.session_state.get(f"{key}.{name}")
        if typed is None:  # not drawn in this session yet: the field would show the kept figure
            continue
        filled = prefill(survey, answers, name) if spec.from_question else None
        value, problem = _figure(name, spec, typed, lang, filled)
        if problem:
            return False
        figures[name] = value
    for name, value in figures.items():
        if survey.calculator.inputs[name].from_question and value == prefill(survey, answers, name):
            answers.pop(name, None)  # the answer's figure, or the default the partner keeps
        else:
            answers[name] = value
    return True
