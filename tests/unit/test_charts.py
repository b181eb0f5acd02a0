"""Chart specs and their text alternatives: thresholds, labels, the point, the criteria table."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from altair.utils.schemapi import validate_jsonschema
from altair.vegalite.v6.schema import core

from trp_core.files.surveys import load_survey
from trp_core.method import breakeven as be
from trp_core.method.levers import assess
from trp_core.method.vocabulary import Axis, Quadrant, round_half_up
from trp_core.presentation import result_charts as charts
from trp_core.presentation.i18n import t
from trp_core.presentation.labels import criterion_label, quadrant_label, quadrant_name

ROOT = Path(__file__).resolve().parents[2]
ANSWERS = sorted((ROOT / "tests" / "answers").glob("*.json"))
QUADRANTS = (Quadrant.HELD, Quadrant.KANDIDAT, Quadrant.VAMPIR, Quadrant.SCHATTEN)


@cache
def fixture(name: str):
    """(assessment, survey) of one answers file in tests/answers/."""
    data = json.loads((ROOT / "tests" / "answers" / f"{name}.json").read_text())
    survey = load_survey(ROOT / "surveys" / f"{data['survey']}.yaml")
    return assess(survey, data["answers"]), survey


@cache
def _schema() -> dict[str, Any]:
    return core.load_schema()


def valid(spec: dict[str, Any]) -> dict[str, Any]:
    """A chart spec, checked against the Vega-Lite schema of the bundled Altair (the charts are plain
    dicts that nothing checks at run time)."""
    validate_jsonschema(spec, _schema())
    return spec


def rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every data row of a chart spec, inline or in its top-level datasets."""
    out = [r for values in spec.get("datasets", {}).values() for r in values]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            values = node.get("data", {}).get("values") if isinstance(node.get("data"), dict) else None
            if isinstance(values, list):
                out.extend(values)
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk({k: v for k, v in spec.items() if k != "datasets"})
    return out


def marks(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [layer["mark"] for layer in spec["layer"]]


# --- matrix -------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("name", ["trp-cloud.kandidat", "trp-classic.held", "trp-standard.vampir"])
def test_matrix_has_thresholds_labels_and_point(name, lang):
    assessment, survey = fixture(name)
    spec = valid(charts.matrix_chart(assessment, survey, lang))
    data = rows(spec)
    thresholds = {r["threshold_axis"]: r["threshold"] for r in data if "threshold_axis" in r}
    assert thresholds == {"kann": survey.thresholds.kann, "will": survey.thresholds.will}
    shown = {r["label"] for r in data if "quadrant" in r and "label" in r}
    assert shown == {quadrant_label(survey, q, lang) for q in QUADRANTS}
    names = {r["name"].replace("\n", " ") for r in data if "name" in r}
    assert names == shown
    points = [r for r in data if "kann" in r and "will" in r]
    assert points and all(
        (p["kann"], p["will"]) == (assessment.axes[Axis.KANN].score, assessment.axes[Axis.WILL].score)
        for p in points
    )
    assert spec["width"] == "container"
    assert spec["description"] == charts.matrix_text(assessment, survey, lang)


def test_matrix_internal_labels_for_managers():
    assessment, survey = fixture("trp-cloud.kandidat")
    data = rows(valid(charts.matrix_chart(assessment, survey, "de", labels="internal")))
    assert {r["label"] for r in data if "quadrant" in r and "label" in r} == {
        quadrant_name(q, "de", "internal") for q in QUADRANTS
    }
    text = charts.matrix_text(assessment, survey, "en", labels="internal")
    assert "Candidate" in text


@pytest.mark.parametrize("name", ["trp-classic.borderline", "trp-cloud.borderline"])
def test_matrix_marks_a_borderline_result(name):
    assessment, survey = fixture(name)
    axis = next(a for a in Axis if assessment.axes[a].borderline)
    spec = valid(charts.matrix_chart(assessment, survey, "de"))
    band = next(r for r in rows(spec) if r.get("borderline_axis") == axis.value)
    t = assessment.axes[axis].threshold
    lo, hi = (band["x0"], band["x1"]) if axis is Axis.KANN else (band["y0"], band["y1"])
    assert (lo, hi) == (t - survey.borderline, t + survey.borderline)
    assert any(m.get("strokeDash") and m.get("size") == 900 for m in marks(spec))  # the dashed ring
    assert any(r.get("point_label", "").endswith("knapp") for r in rows(spec))
    assert "knapp an der Schwelle" in charts.matrix_text(assessment, survey, "de")
    assert "close call" in charts.matrix_text(assessment, survey, "en")


def test_matrix_without_a_score_has_no_point_and_says_why():
    assessment, survey = fixture("trp-standard.undetermined")
    assert assessment.axes[Axis.WILL].coverage == 0  # method version 2: it scores 0, which is no point
    spec = valid(charts.matrix_chart(assessment, survey, "de"))
    assert not [r for r in rows(spec) if "kann" in r and "will" in r]
    assert any("Kein Punkt" in r.get("note", "") for r in rows(spec))
    de = charts.matrix_text(assessment, survey, "de")
    assert "Zu Wollen ist noch keine Frage beantwortet, darum zeigt die Matrix keinen Punkt." in de
    assert "36\u00a0% des Gewichts" in de
    en = charts.matrix_text(assessment, survey, "en")
    assert "No question on Motivation (wants to) is answered yet, so the matrix shows no point." in en


def test_matrix_undetermined_with_scores_shows_no_point_and_the_scores_as_provisional():
    """Undetermined is a state, not a position (issue 12): no point, the scores only as provisional."""
    assessment, survey = fixture("trp-cloud.undetermined")
    spec = valid(charts.matrix_chart(assessment, survey, "en"))
    assert not [r for r in rows(spec) if "kann" in r and "will" in r]
    assert any("No point" in r.get("note", "") for r in rows(spec))
    assert "Provisional scores: Ability (can) 24.5, Motivation (wants to) 7.5" in charts.matrix_text(
        assessment, survey, "en"
    )


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "de",
            "Ihr Ergebnis: Können 83,4, Wollen 33,5 – im Feld „Starke Voraussetzungen – rechnen Sie nach“.",
        ),
        ("en", "Your result: Ability (can) 83.4, Motivation (wants to) 33.5 – in the field “Strong fit – "),
    ],
)
def test_matrix_text_names_field_and_scores(lang, expected):
    assessment, survey = fixture("trp-cloud.kandidat")
    assert expected in charts.matrix_text(assessment, survey, lang)


def test_matrix_text_names_a_knockout():
    assessment, survey = fixture("trp-cloud.vampir")
    assert "Können ist wegen eines Ausschlusskriteriums nicht erreicht" in charts.matrix_text(
        assessment, survey, "de"
    )
    point = next(r for r in rows(valid(charts.matrix_chart(assessment, survey, "en"))) if "point_label" in r)
    assert "knock-out" in point["point_label"]


# --- criteria -----------------------------------------------------------------------------------


def _parse(text: str, lang: str) -> Decimal:
    """A number as shown back into a Decimal."""
    if lang == "de":
        text = text.replace(".", "").replace(",", ".")
    return Decimal(text.replace(",", ""))


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("path", ANSWERS, ids=[p.stem for p in ANSWERS])
def test_criteria_table_reproduces_axis_scores(path, lang):
    assessment, survey = fixture(path.stem)
    table = charts.criteria_table(assessment, survey, lang)
    for axis in Axis:
        group = [r for r in table if r["axis"] == axis.value]
        total, criteria = group[-1], group[:-1]
        assert total["row"] == "sum" and all(r["row"] == "criterion" for r in criteria)
        expected = assessment.axes[axis].score
        # exact values; method version 2: every weighted criterion counts, an unanswered one with 0
        assert total["weight"] == pytest.approx(sum(r["weight"] for r in criteria))
        assert total["weighted"] == pytest.approx(sum(r["weighted"] for r in criteria))
        assert round_half_up(total["weighted"] / total["weight"]) == expected
        assert total["score"] == expected
        # what a person sees: W × s from the shown s, the shown sums, rounded half up
        shown_num = Decimal(0)
        for r in criteria:
            w, ws = _parse(r["weight_text"], lang), _parse(r["weighted_text"], lang)
            assert w * (_parse(r["score_text"], lang) if r["answered"] else 0) == ws
            shown_num += ws
        assert _parse(total["weighted_text"], lang) == shown_num
        den = _parse(total["weight_text"], lang)
        assert (shown_num / den).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) == Decimal(repr(expected))
        assert _parse(total["score_text"], lang) == Decimal(repr(expected))


def test_criteria_table_lists_weighted_criteria_only_and_marks_unanswered():
    assessment, survey = fixture("trp-standard.undetermined")
    table = charts.criteria_table(assessment, survey, "de")
    listed = {r["criterion"] for r in table if r["row"] == "criterion"}
    assert listed == {c.value for c, r in assessment.criteria.items() if r.weight > 0}
    staff = next(r for r in table if r["criterion"] == "staff")
    assert staff["answered"] is False and staff["score"] is None and staff["weighted"] == 0
    assert staff["score_text"] == "0 (nicht beantwortet)"  # counted with its weight (method version 2)
    assert staff["label"] == criterion_label("staff", "de")


def test_criteria_tables_show_the_table_per_axis_with_its_sum():
    assessment, survey = fixture("trp-standard.undetermined")
    table = charts.criteria_table(assessment, survey, "en")
    tables = charts.criteria_tables(assessment, survey, "en")
    assert list(tables) == list(Axis)
    for axis, shown in tables.items():
        criteria = [r for r in table if r["axis"] == axis.value and r["row"] == "criterion"]
        columns = [t(key, "en") for key in ("col_criterion", "col_weight", "col_score", "col_product")]
        assert [list(r) for r in shown.rows] == [columns] * len(criteria)
        assert [r[columns[0]] for r in shown.rows] == [r["label"] for r in criteria]
        assert [r[columns[3]] for r in shown.rows] == [r["weighted_text"] for r in criteria]
        total = next(r for r in table if r["axis"] == axis.value and r["row"] == "sum")
        assert total["weighted_text"] in shown.sum_line and total["score_text"] in shown.sum_line


def test_criteria_chart_shows_unanswered_as_such_not_as_zero():
    assessment, survey = fixture("trp-standard.undetermined")
    spec = valid(charts.criteria_chart(assessment, survey, "en"))
    data = rows(spec)
    bars = [r for r in data if "criterion" in r]
    staff = next(r for r in bars if r["criterion"] == "staff")
    assert staff["answered"] is False and staff["empty_text"] == "not answered" and staff["score"] is None
    # the coloured bars are filtered to answered criteria only
    assert any({"filter": "datum.answered"} in layer.get("transform", []) for layer in spec["layer"])
    labels = {r["label"].split(" · ")[0] for r in bars}
    assert labels == {criterion_label(c, "en") for c, r in assessment.criteria.items() if r.weight > 0}


def test_criteria_chart_marks_thresholds_and_knockouts():
    assessment, survey = fixture("trp-cloud.vampir")
    data = rows(valid(charts.criteria_chart(assessment, survey, "de")))
    thresholds = {(r["threshold_axis"], r["threshold"]) for r in data if "threshold_axis" in r}
    assert thresholds == {("kann", survey.thresholds.kann), ("will", survey.thresholds.will)}
    staff = next(r for r in data if r.get("criterion") == "staff")
    assert "Ausschluss" in staff["value_text"]
    heads = [r["text"] for r in data if "text" in r]
    assert "Können: 29,7 · Schwelle 60" in heads
    text = charts.criteria_text(assessment, survey, "de")
    assert text.startswith("Können 29,7 (Schwelle 60): Kundenstamm (W 3) 36,88")


# --- break-even ---------------------------------------------------------------------------------

EXAMPLE_A = be.BreakEvenInputs(
    model="recurring",
    investment=15000,
    vendor_funding=2000,
    fixed_costs_per_month=4000,
    deals_per_month=3,
    first_deal_month=2,
    ramp_up_months=3,
    deal_value=1000,
    margin=0.20,
    variable_cost_per_customer=20,
    onboarding_fee=3000,
    services_margin=0.40,
    churn_per_month=0.01,
)


def test_breakeven_chart_spec():
    result = be.compute(EXAMPLE_A)
    spec = valid(charts.breakeven_chart(result.cumulative, "de", 12, result.break_even_month))
    data = rows(spec)
    curve = [r for r in data if "cf" in r and "month" in r]
    assert sorted({r["month"] for r in curve}) == list(range(37))
    assert curve[0]["amount"] == "-13.000\u00a0€"
    assert {r["target_month"] for r in data if "target_month" in r} == {12}
    assert any(r.get("label") == "Ziel: 12\u00a0Monate" for r in data)
    mark = next(r for r in data if "break_even_month" in r)
    assert mark["break_even_month"] == 12 and mark["label"] == "Break-even: Monat 12"
    y_axis = next(
        layer["encoding"]["y"]["axis"] for layer in spec["layer"] if "axis" in layer["encoding"].get("y", {})
    )
    assert "€" in y_axis["labelExpr"] and "replace" in y_axis["labelExpr"]
    assert spec["description"] == charts.breakeven_text(result.cumulative, "de", 12, 12)


def test_breakeven_text_both_languages():
    result = be.compute(EXAMPLE_A)
    de = charts.breakeven_text(result.cumulative, "de", 12, result.break_even_month)
    assert de.startswith("Kumulierter Cashflow über 36\u00a0Monate: Start bei -13.000\u00a0€")
    assert "tiefster Stand -20.682\u00a0€ in Monat 3" in de
    assert "Break-even in Monat 12; Ziel war Monat 12: erreicht." in de
    en = charts.breakeven_text(result.cumulative, "en", 12, result.break_even_month)
    assert "it starts at -€13,000, is lowest at -€20,682 in month 3" in en
    assert "stands at €254,145 after 36\u00a0months" in en


def test_breakeven_not_reached():
    slow = be.compute(EXAMPLE_A.model_copy(update={"deals_per_month": 0.5}))
    assert slow.break_even_month is None
    spec = valid(charts.breakeven_chart(slow.cumulative, "en", 12))
    assert not [r for r in rows(spec) if "break_even_month" in r]
    text = charts.breakeven_text(slow.cumulative, "en", 12)
    assert "does not break even within 36\u00a0months (target: month 12)" in text


def test_breakeven_month_taken_from_the_curve_when_not_given():
    result = be.compute(EXAMPLE_A)
    data = rows(valid(charts.breakeven_chart(result.cumulative, "en", 12)))
    assert next(r for r in data if "break_even_month" in r)["break_even_month"] == 12


def test_charts_fit_a_phone():
    assessment, survey = fixture("trp-cloud.held")
    for spec in (
        valid(charts.matrix_chart(assessment, survey, "de")),
        valid(charts.criteria_chart(assessment, survey, "de")),
        valid(charts.breakeven_chart(assessment.breakeven.cumulative, "de", 12)),
    ):
        assert spec["width"] == "container"
        sizes = [m.get("fontSize") for m in marks(spec) if m.get("type") == "text"]
        assert sizes and min(sizes) >= 11


def test_specs_are_written_for_the_bundled_vega_lite():
    import altair as alt

    assessment, survey = fixture("trp-cloud.held")
    assert charts.SCHEMA == alt.SCHEMA_URL
    assert valid(charts.matrix_chart(assessment, survey, "en"))["$schema"] == alt.SCHEMA_URL


def test_the_same_figures_give_the_same_spec_object():
    """The calculator draws its curve on every rerun: the same figures reuse the spec built for them,
    in any session, and other figures get a spec of their own."""
    result = be.compute(EXAMPLE_A)
    first = charts.breakeven_chart(result.cumulative, "de", 12, result.break_even_month)
    assert charts.breakeven_chart(list(result.cumulative), "de", 12) is first
    assert charts.breakeven_chart(result.cumulative, "en", 12) is not first
    other = be.compute(EXAMPLE_A.model_copy(update={"deals_per_month": 4})).cumulative
    assert rows(charts.breakeven_chart(other, "de", 12)) != rows(first)


def test_streamlit_sends_a_spec_as_it_is_and_leaves_it_unchanged():
    """The rows are inline in each layer: Streamlit converts no data set to Arrow, and what it changes
    it changes on its own copy, so that a shared spec stays as it was."""
    import copy

    from streamlit.elements import vega_charts
    from streamlit.proto.VegaLiteChart_pb2 import VegaLiteChart

    assessment, survey = fixture("trp-classic.borderline")
    for spec in (
        charts.matrix_chart(assessment, survey, "de"),
        charts.criteria_chart(assessment, survey, "de"),
        charts.breakeven_chart(assessment.breakeven.cumulative, "de", 12),
    ):
        before = copy.deepcopy(spec)
        proto = VegaLiteChart()
        prepared = vega_charts._prepare_vega_lite_spec(spec, True)
        vega_charts._marshall_chart_data(proto, prepared)
        assert not proto.datasets and not proto.data.data
        assert spec == before
        assert all(layer["data"]["values"] for layer in prepared["layer"])
