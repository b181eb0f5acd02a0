"""Vega-Lite charts of a result, each with a plain-language text alternative in German and English.

- `matrix_chart` / `matrix_text`: where the partner sits on the kann × will matrix;
- `criteria_chart` / `criteria_table` (`criteria_tables` as the result page shows it): every weighted
  criterion's score, recomputable by hand;
- `breakeven_chart` / `breakeven_text`: the cumulative cash flow of the calculation model.

The charts work at phone width (390 px): width "container" by default, a fixed height, 12 px
text. Colours follow the Okabe–Ito palette, which stays distinguishable with the common
colour-vision deficiencies, and no information is carried by colour alone: quadrants are
labelled, the partner's point is labelled, a borderline result gets a dashed ring and a word.
Each chart carries its text alternative as the Vega-Lite `description` (the SVG's aria label).

The charts are plain Vega-Lite specs (dicts), written out by small functions: building them as
Altair objects and converting those was the largest part of a rerun's time (Altair copies every
object it combines). Each layer carries its rows inline, so that Streamlit sends the spec as it
is instead of converting every data set to Arrow. The parts that do not depend on the figures
are built once per process (functools.lru_cache) and shared, as is the whole cash-flow chart of
the same figures: a spec returned here must not be changed (st.vega_lite_chart and
render.chart_png copy what they change). tests/unit/test_charts.py validates the specs against
the Vega-Lite schema.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any, Final, Literal, NamedTuple

from trp_core.method.breakeven import break_even_month as first_non_negative
from trp_core.method.scoring import Assessment
from trp_core.method.survey import Survey
from trp_core.method.vocabulary import AXIS_CRITERIA, Axis, Criterion, Quadrant, round_half_up
from trp_core.presentation import formatting as fmt
from trp_core.presentation.i18n import t
from trp_core.presentation.labels import axis_label, criterion_label, quadrant_labels

Width = int | Literal["container"]
Spec = dict[str, Any]

# The Vega-Lite version the bundled Altair writes (and Streamlit's frontend draws); a test keeps
# the two equal.
SCHEMA: Final = "https://vega.github.io/schema/vega-lite/v6.4.1.json"
_CONFIG: Final = {"view": {"continuousHeight": 300, "continuousWidth": 300}}

# Okabe–Ito colours.
BLUE: Final = "#0072B2"
ORANGE: Final = "#E69F00"
SKY: Final = "#56B4E9"
GREEN: Final = "#009E73"
VERMILLION: Final = "#D55E00"
GREY: Final = "#999999"
INK: Final = "#222222"
MUTED: Final = "#555555"
TRACK: Final = "#E6E6E6"

QUADRANT_COLOURS: Final = {
    Quadrant.HELD: GREEN,
    Quadrant.KANDIDAT: SKY,
    Quadrant.VAMPIR: ORANGE,
    Quadrant.SCHATTEN: GREY,
}
AXIS_COLOURS: Final = {Axis.KANN: BLUE, Axis.WILL: ORANGE}
FONT_SIZE: Final = 12
LINE_HEIGHT: Final = 15
_DOMAIN: Final = [0, 100]
_SCALE_0_100: Final = {"domain": _DOMAIN, "nice": False}
# Text drawn first in white with a wide outline, then again in ink: rules never cut through words.
_HALO: Final = {"stroke": "white", "strokeWidth": 4, "strokeJoin": "round"}
_TICKS: Final = [0, 20, 40, 60, 80, 100]


def _threshold(survey: Survey, axis: Axis) -> float:
    return survey.thresholds.kann if axis is Axis.KANN else survey.thresholds.will


# --- Vega-Lite pieces ---------------------------------------------------------------------------


def _q(field: str, **more: Any) -> dict[str, Any]:
    """A quantitative field of an encoding channel."""
    return {"field": field, "type": "quantitative", **more}


def _n(field: str, **more: Any) -> dict[str, Any]:
    """A nominal field of an encoding channel."""
    return {"field": field, "type": "nominal", **more}


def _layer(values: list[dict[str, Any]], mark: dict[str, Any], encoding: dict[str, Any], **more: Any) -> Spec:
    """One layer with its rows inline; `mark` is the mark's properties with its "type"."""
    return {"data": {"values": values}, "mark": mark, "encoding": encoding, **more}


def _calculate(**columns: str) -> list[dict[str, str]]:
    return [{"calculate": expr, "as": name} for name, expr in columns.items()]


def _chart(layers: list[Spec], width: Width, height: int, description: str) -> Spec:
    """The top level of a layered chart, as Altair writes it (no frame around the plot)."""
    return {
        "$schema": SCHEMA,
        "config": _CONFIG,
        "layer": layers,
        "width": width,
        "height": height,
        "description": description,
        "view": {"stroke": None},
    }


# --- the matrix ---------------------------------------------------------------------------------


def _wrap(text: str, width: int) -> str:
    """Text broken into lines of at most `width` characters, joined by newlines (Vega's lineBreak)."""
    return "\n".join(textwrap.wrap(text, width=max(8, width), break_long_words=False)) or text


@lru_cache(maxsize=64)
def _matrix_frame(kann_title: str, will_title: str) -> Spec:
    """An invisible point that carries both axes, 0–100 with ticks every 20."""
    style = {"labelFontSize": FONT_SIZE, "titleFontSize": FONT_SIZE + 1, "grid": False, "values": _TICKS}
    return _layer(
        [{"x": 0, "y": 0}],
        {"type": "point", "opacity": 0},
        {
            "x": _q("x", scale=_SCALE_0_100, axis={"title": kann_title, **style}),
            "y": _q("y", scale=_SCALE_0_100, axis={"title": will_title, **style}),
        },
    )


@lru_cache(maxsize=256)
def _quadrant_layers(
    tk: float, tw: float, names: tuple[tuple[Quadrant, str], ...], field_title: str, own: Quadrant
) -> tuple[Spec, ...]:
    """Shaded fields and their names in the outer corners; the partner's field is stronger and bold."""
    name_of = dict(names)
    # (quadrant, x0, x1, y0, y1, corner x, corner y, align, baseline)
    fields = [
        (Quadrant.HELD, tk, 100, tw, 100, 98, 98, "right", "top"),
        (Quadrant.KANDIDAT, tk, 100, 0, tw, 98, 2, "right", "bottom"),
        (Quadrant.VAMPIR, 0, tk, tw, 100, 2, 98, "left", "top"),
        (Quadrant.SCHATTEN, 0, tk, 0, tw, 2, 2, "left", "bottom"),
    ]
    shade = _layer(
        [
            {
                "quadrant": q.value,
                "label": name_of[q],
                "x0": x0,
                "x1": x1,
                "y0": y0,
                "y1": y1,
                "own": q is own,
            }
            for q, x0, x1, y0, y1, *_ in fields
        ],
        {"type": "rect", "stroke": None},
        {
            "x": _q("x0", scale=_SCALE_0_100),
            "x2": {"field": "x1"},
            "y": _q("y0", scale=_SCALE_0_100),
            "y2": {"field": "y1"},
            "color": _n(
                "quadrant",
                scale={
                    "domain": [q.value for q in QUADRANT_COLOURS],
                    "range": list(QUADRANT_COLOURS.values()),
                },
                legend=None,
            ),
            "opacity": {"condition": {"test": "datum.own", "value": 0.30}, "value": 0.12},
            "tooltip": [_n("label", title=field_title)],
        },
    )
    layers = [shade]
    # About 310 px of plot at phone width and some 6.5 px per character of 12 px text.
    for q, x0, x1, _y0, _y1, cx, cy, align, baseline in fields:
        name = _wrap(name_of[q], int((x1 - x0) / 100 * 310 / 6.5) - 1)
        # Vega stacks further lines below the first whatever the baseline: lift bottom labels.
        lift = -(name.count("\n")) * LINE_HEIGHT if baseline == "bottom" else 0
        layers.append(
            _layer(
                [{"quadrant": q.value, "name": name, "x": cx, "y": cy}],
                {
                    "type": "text",
                    "align": align,
                    "baseline": baseline,
                    "lineBreak": "\n",
                    "lineHeight": LINE_HEIGHT,
                    "dy": lift,
                    "fontSize": FONT_SIZE,
                    "fontWeight": "bold" if q is own else "normal",
                    "color": INK,
                },
                {"x": _q("x"), "y": _q("y"), "text": _n("name")},
            )
        )
    return tuple(layers)


def _threshold_layers(assessment: Assessment, survey: Survey, lang: str) -> list[Spec]:
    """Both thresholds as rules, and a dashed band of ±borderline around each borderline axis."""
    layers: list[Spec] = []
    band = survey.borderline
    for axis in Axis:
        result = assessment.axes[axis]
        if not (result.borderline and band > 0):
            continue
        at = _threshold(survey, axis)
        lo, hi = max(0, at - band), min(100, at + band)
        row = {"x0": lo, "x1": hi, "y0": 0, "y1": 100} if axis is Axis.KANN else {
            "x0": 0, "x1": 100, "y0": lo, "y1": hi
        }  # fmt: skip
        layers.append(
            _layer(
                [{**row, "borderline_axis": axis.value}],
                {
                    "type": "rect",
                    "fill": GREY,
                    "fillOpacity": 0.15,
                    "stroke": MUTED,
                    "strokeDash": [4, 3],
                    "strokeWidth": 1,
                },
                {"x": _q("x0"), "x2": {"field": "x1"}, "y": _q("y0"), "y2": {"field": "y1"}},
            )
        )
    title = t("chart_threshold", lang)
    for axis, channel in ((Axis.KANN, "x"), (Axis.WILL, "y")):
        row = {
            "threshold_axis": axis.value,
            "threshold": _threshold(survey, axis),
            "axis_name": axis_label(axis, lang),
        }
        layers.append(
            _layer(
                [row],
                {"type": "rule", "color": INK, "strokeWidth": 1.5},
                {
                    channel: _q("threshold"),
                    "tooltip": [_n("axis_name", title=title), _q("threshold", title=title, format=".0f")],
                },
            )
        )
    return layers


def _point_layers(
    assessment: Assessment, survey: Survey, lang: str, labels: str, accent: str = VERMILLION
) -> list[Spec]:
    """The partner's point, labelled, with a ring when borderline; none while undetermined, but a note."""
    kann, will = assessment.axes[Axis.KANN].score, assessment.axes[Axis.WILL].score
    undetermined = assessment.quadrant is Quadrant.UNDETERMINED
    if undetermined:  # a score without enough answers is no position
        note = [{"note": t("chart_no_point", lang), "x": 50, "y": 50}]
        style = {"type": "text", "fontSize": FONT_SIZE + 1, "fontWeight": "bold", "align": "center"}
        encoding = {"x": _q("x"), "y": _q("y"), "text": _n("note")}
        return [
            _layer(note, {**style, "color": "white", **_HALO}, encoding),
            _layer(note, {**style, "color": INK}, encoding),
        ]
    borderline = any(assessment.axes[a].borderline for a in Axis)
    words = [t("chart_you", lang)]
    if any(assessment.axes[a].knockouts for a in Axis):
        words.append(t("chart_knockout", lang))
    if borderline:
        words.append(t("chart_close", lang))
    rows = [
        {
            "kann": kann,
            "will": will,
            "kann_text": fmt.score(kann, lang),
            "will_text": fmt.score(will, lang),
            "field": quadrant_labels(survey, lang, labels)[assessment.quadrant],
            "point_label": " · ".join(words),
        }
    ]
    base = {
        "x": _q("kann"),
        "y": _q("will"),
        "tooltip": [
            _n("kann_text", title=axis_label(Axis.KANN, lang)),
            _n("will_text", title=axis_label(Axis.WILL, lang)),
            _n("field", title=t("chart_field", lang)),
        ],
    }
    layers = []
    if borderline:
        ring = {
            "type": "point",
            "shape": "circle",
            "size": 900,
            "filled": False,
            "color": accent,
            "strokeDash": [3, 2],
        }
        layers.append(_layer(rows, ring, base))
    dot = {
        "type": "point",
        "shape": "circle",
        "size": 260,
        "filled": True,
        "color": accent,
        "opacity": 1,
        "stroke": "white",
        "strokeWidth": 2,
    }
    layers.append(_layer(rows, dot, base))
    # The label beside the point, on the side with more room, drawn twice: a white outline first
    # so that rules and fields behind it never cut through the words.
    right = kann < 60
    style = {
        "type": "text",
        "align": "left" if right else "right",
        "baseline": "middle",
        "dx": 18 if right else -18,
        "fontSize": FONT_SIZE + 1,
        "fontWeight": "bold",
    }
    labelled = {**base, "text": _n("point_label")}
    layers.append(_layer(rows, {**style, "color": "white", **_HALO}, labelled))
    layers.append(_layer(rows, {**style, "color": INK}, labelled))
    return layers


def matrix_chart(
    assessment: Assessment,
    survey: Survey,
    lang: str,
    labels: str = "partner",
    *,
    width: Width = "container",
    height: int = 340,
    accent: str | None = None,
) -> Spec:
    """The 2×2 matrix: ability (kann) across, motivation (will) up, 0–100 each.

    `accent` colours the partner's point (the vendor's colour; vermillion by default).

    Both thresholds are drawn as rules, the four fields are shaded and named (`labels` "partner"
    or "internal"), the partner's point is large and labelled. A borderline axis gets a dashed
    band of ±survey.borderline around its threshold and the point a dashed ring; an axis without
    a score draws no point but a note, and `matrix_text` explains why.
    """
    names = tuple(quadrant_labels(survey, lang, labels).items())
    layers = [
        _matrix_frame(axis_label(Axis.KANN, lang), axis_label(Axis.WILL, lang)),
        *_quadrant_layers(
            survey.thresholds.kann, survey.thresholds.will, names, t("chart_field", lang), assessment.quadrant
        ),
        *_threshold_layers(assessment, survey, lang),
        *_point_layers(assessment, survey, lang, labels, accent or VERMILLION),
    ]
    return _chart(layers, width, height, matrix_text(assessment, survey, lang, labels))


def matrix_text(assessment: Assessment, survey: Survey, lang: str, labels: str = "partner") -> str:
    """The matrix in words: thresholds, both scores, the field, and what makes the result special."""
    kann, will = axis_label(Axis.KANN, lang), axis_label(Axis.WILL, lang)
    parts = [
        t(
            "matrix_intro",
            lang,
            kann=kann,
            will=will,
            tk=fmt.number(survey.thresholds.kann, lang, 1, trim=True),
            tw=fmt.number(survey.thresholds.will, lang, 1, trim=True),
        )
    ]
    sk, sw = assessment.axes[Axis.KANN].score, assessment.axes[Axis.WILL].score
    names = {"kann": kann, "will": will, "sk": fmt.score(sk, lang), "sw": fmt.score(sw, lang)}
    # An axis without any answered criterion scores 0, but that is no point to place.
    unplaced = [a for a in Axis if not assessment.axes[a].coverage]
    if unplaced:
        parts.extend(t("matrix_no_score", lang, axis=axis_label(a, lang)) for a in unplaced)
    elif assessment.quadrant is Quadrant.UNDETERMINED:
        parts.append(t("matrix_undetermined", lang, **names))
    else:
        parts.append(
            t(
                "matrix_placed",
                lang,
                field=quadrant_labels(survey, lang, labels)[assessment.quadrant],
                **names,
            )
        )
    for axis in Axis:
        result = assessment.axes[axis]
        name = axis_label(axis, lang)
        if not result.determined and result.coverage:
            have, need = fmt.percent(result.coverage, lang), fmt.percent(survey.min_coverage, lang)
            parts.append(t("matrix_coverage", lang, axis=name, have=have, need=need))
        if result.knockouts:
            parts.append(t("matrix_knockout", lang, axis=name))
        if result.borderline:
            parts.append(
                t(
                    "matrix_borderline",
                    lang,
                    axis=name,
                    band=fmt.number(survey.borderline, lang, 1, trim=True),
                )
            )
    return " ".join(parts)


# --- the criteria -------------------------------------------------------------------------------


def _knocked_criteria(assessment: Assessment, survey: Survey) -> set[Criterion]:
    index = survey.question_index
    return {index[q].criterion for a in Axis for q in assessment.axes[a].knockouts if q in index}


def _dec(x: float) -> Decimal:
    """A float as the decimal a person reads (73.35 stays 73.35)."""
    return Decimal(repr(float(x)))


def _exact(x: Decimal, lang: str) -> str:
    """A decimal with all its significant digits, in the language's style: 110.640 → "110,64"."""
    places = max(0, -x.normalize().as_tuple().exponent)
    return fmt.number(float(x), lang, places, trim=True)


def _shown_scores(scores: list[tuple[float, float]], target: float | None) -> tuple[int, list[Decimal]]:
    """(decimals, shown s per criterion): the fewest decimals (2 or more) of s with which
    Σ W·s ÷ Σ W, computed from the shown numbers and rounded half up, gives the axis score."""
    den = sum((_dec(w) for w, _ in scores), Decimal(0))
    for places in (2, 3, 4, 6, 9):
        step = Decimal(1).scaleb(-places)
        shown = [_dec(s).quantize(step, rounding=ROUND_HALF_UP) for _, s in scores]
        if not den or target is None:
            return places, shown
        num = sum((_dec(w) * s for (w, _), s in zip(scores, shown, strict=True)), Decimal(0))
        if (num / den).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) == _dec(target):
            return places, shown
    return places, shown


def criteria_table(assessment: Assessment, survey: Survey, lang: str) -> list[dict[str, Any]]:
    """Rows to recompute both axis scores by hand: per weighted criterion W, s and W × s, per axis the sums.

    Criterion rows: {"row": "criterion", "axis", "axis_label", "criterion", "label", "weight", "score"
    (exact s; 0 when unanswered), "weighted" (exact W × s), "answered", "counted" (always: under method
    version 2 an unanswered criterion counts 0 with its weight), "knockout", and as
    shown: "score_shown" (s rounded half up to "decimals" places), "weighted_shown" (W × shown s,
    exact), "weight_text", "score_text", "weighted_text"}.
    After the criteria of an axis one row {"row": "sum", "axis", "axis_label", "label", "weight": Σ W over
    all its weighted criteria, "weighted": Σ W·s (exact), "weighted_shown": Σ of the shown W × s, "score": the
    axis score, "threshold", "coverage", "decimals" and the *_text fields}.
    Both Σ W·s ÷ Σ W (exact) and the shown sums, rounded half up to one decimal, give
    assessment.axes[axis].score: s is shown with two decimals, or more where two would not do.
    """
    knocked = _knocked_criteria(assessment, survey)
    rows: list[dict[str, Any]] = []
    for axis in Axis:
        axis_name = axis_label(axis, lang)
        axis_result = assessment.axes[axis]
        weighted_criteria = [c for c in AXIS_CRITERIA[axis] if assessment.criteria[c].weight > 0]
        pairs = [(assessment.criteria[c].weight, assessment.criteria[c].score) for c in weighted_criteria]
        places, shown_list = _shown_scores(pairs, axis_result.score)
        shown = dict(zip(weighted_criteria, shown_list, strict=True))
        num, num_shown, den = 0.0, Decimal(0), 0.0
        for criterion in weighted_criteria:
            result = assessment.criteria[criterion]
            den += result.weight
            s_shown = shown[criterion]
            w_s = _dec(result.weight) * s_shown
            num += result.weight * result.score
            num_shown += w_s
            row = {
                "row": "criterion",
                "axis": axis.value,
                "axis_label": axis_name,
                "criterion": criterion.value,
                "label": criterion_label(criterion, lang),
                "weight": result.weight,
                "score": result.score if result.answered else None,
                "weighted": result.weight * result.score,
                "answered": result.answered,
                "counted": True,
                "knockout": criterion in knocked,
                "decimals": places,
                "score_shown": float(s_shown),
                "weighted_shown": float(w_s),
                "weight_text": _exact(_dec(result.weight), lang),
                "score_text": _exact(s_shown, lang)
                if result.answered
                else f"{_exact(s_shown, lang)} ({t('not_answered', lang)})",
                "weighted_text": _exact(w_s, lang),
            }
            rows.append(row)
        score = round_half_up(num / den)
        rows.append(
            {
                "row": "sum",
                "axis": axis.value,
                "axis_label": axis_name,
                "criterion": None,
                "label": f"{t('chart_sum', lang)} {axis_name}",
                "weight": den,
                "weighted": num,
                "weighted_shown": float(num_shown),
                "score": score,
                "answered": axis_result.coverage > 0,
                "knockout": bool(axis_result.knockouts),
                "threshold": axis_result.threshold,
                "coverage": axis_result.coverage,
                "decimals": places,
                "weight_text": _exact(_dec(den), lang),
                "weighted_text": _exact(num_shown, lang),
                "score_text": fmt.score(score, lang),
            }
        )
    return rows


class AxisTable(NamedTuple):
    """One axis of the result page's table: a row per weighted criterion, and the line that sums them up."""

    rows: list[dict[str, str]]  # keyed by the column titles: criterion, W, s, W × s
    sum_line: str  # Σ W·s ÷ Σ W = the axis score


def criteria_tables(assessment: Assessment, survey: Survey, lang: str) -> dict[Axis, AxisTable]:
    """`criteria_table` as the result page shows it: per axis a table and its sum, in words."""
    rows = criteria_table(assessment, survey, lang)
    columns = {
        "label": t("col_criterion", lang),
        "weight_text": t("col_weight", lang),
        "score_text": t("col_score", lang),
        "weighted_text": t("col_product", lang),
    }
    tables = {}
    for axis in Axis:
        axis_rows = [r for r in rows if r["axis"] == axis.value]
        total = next(r for r in axis_rows if r["row"] == "sum")
        tables[axis] = AxisTable(
            rows=[
                {title: r[key] for key, title in columns.items()}
                for r in axis_rows
                if r["row"] == "criterion"
            ],
            sum_line=t(
                "axis_sum",
                lang,
                axis=axis_label(axis, lang),
                num=total["weighted_text"],
                den=total["weight_text"],
                score=total["score_text"],
            ),
        )
    return tables


def criteria_chart(
    assessment: Assessment, survey: Survey, lang: str, *, width: Width = "container", row_height: int = 34
) -> Spec:
    """Horizontal bars of every weighted criterion's score (0–100), grouped by axis under a heading
    that names the axis score and the threshold; the threshold is a dashed rule across each bar.

    Each criterion has a label line (name, weight, score) above a grey 0–100 track; an unanswered
    criterion has no bar but the words "not answered" in its track, never a bar of 0.
    """
    rows = criteria_table(assessment, survey, lang)
    heads, bars, rules = [], [], []
    y = 0.0
    for axis in Axis:
        group = [r for r in rows if r["axis"] == axis.value]
        total = group[-1]
        threshold = fmt.number(_threshold(survey, axis), lang, 1, trim=True)
        score = total["score_text"]
        if not assessment.axes[axis].determined:  # too few answers: the score is no result yet
            score = f"{t('chart_provisional', lang)} {score}"
        heads.append(
            {
                "y": y + 0.75,
                "text": f"{total['axis_label']}: {score} · {t('chart_threshold_lc', lang)} {threshold}",
            }
        )
        y += 1
        for r in group[:-1]:
            label = f"{r['label']} · W {r['weight_text']}"
            value = r["score_text"] if r["answered"] else ""
            if r["knockout"]:
                value = f"{value} · {t('chart_knockout', lang)}".strip(" ·")
            bars.append(
                {
                    **{k: r[k] for k in ("criterion", "axis", "score", "answered")},
                    "label": label,
                    "value_text": value,
                    "empty_text": "" if r["answered"] else t("not_answered", lang),
                    "tip_score": r["score_text"],
                    "tip_weighted": r["weighted_text"],
                    "y_text": y + 0.45,
                    "y0": y + 0.55,
                    "y1": y + 0.95,
                    "y_mid": y + 0.75,
                    "end": r["score"] if r["answered"] else 0,
                }
            )
            # The threshold crosses an answered criterion's track only, never the label line above it.
            if r["answered"]:
                rules.append(
                    {
                        "threshold": _threshold(survey, axis),
                        "threshold_axis": axis.value,
                        "y0": y + 0.5,
                        "y1": y + 1,
                    }
                )
            y += 1.15
        y += 0.4
    n = y
    yscale = {"domain": [0, n], "reverse": True, "nice": False, "zero": False}
    title = t("chart_points", lang)
    x_axis = {
        "title": title,
        "values": _TICKS,
        "labelFontSize": FONT_SIZE,
        "titleFontSize": FONT_SIZE,
        "grid": False,
    }
    tooltip = [
        _n("label", title=t("col_criterion", lang)),
        _n("tip_score", title=t("col_score", lang)),
        _n("tip_weighted", title=t("col_product", lang)),
    ]
    track = _layer(
        bars,
        {"type": "rect", "fill": TRACK},
        {
            "x": _q("start", scale=_SCALE_0_100, axis=x_axis),
            "x2": {"field": "stop"},
            "y": _q("y0", scale=yscale, axis=None),
            "y2": {"field": "y1"},
            "tooltip": tooltip,
        },
        transform=_calculate(start="0", stop="100"),
    )
    colours = {"domain": [a.value for a in Axis], "range": [AXIS_COLOURS[a] for a in Axis]}
    bar = _layer(
        bars,
        {"type": "rect"},
        {
            "x": _q("start", title=title),
            "x2": {"field": "end"},
            "y": _q("y0", scale=yscale, axis=None),
            "y2": {"field": "y1"},
            "color": _n("axis", scale=colours, legend=None),
            "tooltip": tooltip,
        },
        transform=[{"filter": "datum.answered"}, *_calculate(start="0")],
    )
    text = {"type": "text", "fontSize": FONT_SIZE, "color": INK, "baseline": "bottom"}
    labels = _layer(
        bars,
        {**text, "align": "left"},
        {"x": _q("at", title=title), "y": _q("y_text", scale=yscale), "text": _n("label")},
        transform=_calculate(at="0"),
    )
    values = _layer(
        bars,
        {**text, "align": "right", "fontWeight": "bold"},
        {"x": _q("at", title=title), "y": _q("y_text", scale=yscale), "text": _n("value_text")},
        transform=_calculate(at="100"),
    )
    empty = _layer(
        bars,
        {"type": "text", "align": "left", "baseline": "middle", "fontSize": FONT_SIZE - 1, "color": MUTED},
        {"x": _q("at", title=title), "y": _q("y_mid", scale=yscale), "text": _n("empty_text")},
        transform=_calculate(at="1"),
    )
    rule = _layer(
        rules,
        {"type": "rule", "color": INK, "strokeDash": [4, 3], "strokeWidth": 1.5},
        {"x": _q("threshold", title=title), "y": _q("y0", scale=yscale), "y2": {"field": "y1"}},
    )
    head = _layer(
        heads,
        {
            "type": "text",
            "align": "left",
            "baseline": "bottom",
            "fontSize": FONT_SIZE + 1,
            "fontWeight": "bold",
            "color": INK,
        },
        {"x": _q("at", title=title), "y": _q("y", scale=yscale), "text": _n("text")},
        transform=_calculate(at="0"),
    )
    layers = [track, bar, rule, labels, values, empty, head]
    return _chart(layers, width, int(n * row_height), criteria_text(assessment, survey, lang))


def criteria_text(assessment: Assessment, survey: Survey, lang: str) -> str:
    """The criteria chart in words: per axis the threshold and score, then each criterion's points."""
    rows = criteria_table(assessment, survey, lang)
    sentences = []
    for axis in Axis:
        group = [r for r in rows if r["axis"] == axis.value]
        total = group[-1]
        items = []
        for r in group[:-1]:
            value = r["score_text"] + (f" ({t('chart_knockout', lang)})" if r["knockout"] else "")
            items.append(f"{r['label']} (W {r['weight_text']}) {value}")
        threshold = fmt.number(total["threshold"], lang, 1, trim=True)
        head = f"{total['axis_label']} {total['score_text']} ({t('chart_threshold', lang)} {threshold})"
        sentences.append(f"{head}: {', '.join(items)}.")
    return " ".join(sentences)


# --- the break-even curve -----------------------------------------------------------------------


def _money_expr(lang: str) -> str:
    """A Vega expression that writes datum.value as whole euros in the language's style."""
    digits = "format(abs(datum.value), ',.0f')"
    sign = "(datum.value < 0 ? '-' : '')"
    if lang == "de":
        # d3 groups with ',' in en-US: swap to German '.' grouping (no decimals are shown).
        german = f"replace({digits}, regexp(',', 'g'), '.')"
        return f"{sign} + {german} + '\u00a0€'"
    return f"{sign} + '€' + {digits}"


def breakeven_chart(
    cumulative: Sequence[float],
    lang: str,
    target_month: int,
    break_even_month: int | None = None,
    *,
    width: Width = "container",
    height: int = 300,
) -> Spec:
    """The cumulative cash flow CF(0..H) as a line with points, the zero line, the target month as a
    dashed rule with a label, and the break-even month as a labelled diamond (taken from the curve
    when not given). Axis labels and tooltips show amounts in the language's style.

    The spec is kept per figures (the calculator draws the same curve again on every rerun that
    changes no figure, and every visitor starts from the survey's typical figures): it is shared,
    and must not be changed.
    """
    if break_even_month is None:
        break_even_month = first_non_negative(list(cumulative))
    return _breakeven_spec(tuple(cumulative), lang, target_month, break_even_month, width, height)


@lru_cache(maxsize=32)
def _curve_frame(
    lang: str, horizon: int
) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]], Spec]:
    """What the curve's shape alone decides: the month axis, the amount axis without its range, the
    tooltip and the zero line."""
    month_word = t("chart_month", lang)
    step = 6 if horizon > 18 else (3 if horizon > 6 else 1)
    x = _q(
        "month",
        title=month_word,
        scale={"domain": [0, horizon], "nice": False},
        axis={
            "values": list(range(0, horizon + 1, step)),
            "labelFontSize": FONT_SIZE,
            "titleFontSize": FONT_SIZE,
        },
    )
    y_axis = {
        "labelExpr": _money_expr(lang),
        "labelFontSize": FONT_SIZE,
        "titleFontSize": FONT_SIZE,
        "tickCount": 6,
    }
    tooltip = [_n("month_text", title=month_word), _n("amount", title=t("chart_amount", lang))]
    zero = _layer([{"zero": 0}], {"type": "rule", "color": INK, "strokeWidth": 1}, {"y": _q("zero")})
    return x, y_axis, tooltip, zero


@lru_cache(maxsize=512)
def _money(cf: float, lang: str) -> str:
    return fmt.money(cf, lang)


@lru_cache(maxsize=256)
def _breakeven_spec(
    cumulative: tuple[float, ...],
    lang: str,
    target_month: int,
    break_even_month: int | None,
    width: Width,
    height: int,
) -> Spec:
    horizon = len(cumulative) - 1
    x, y_axis, tooltip, zero = _curve_frame(lang, horizon)
    rows = [
        {"month": month, "cf": cf, "amount": _money(cf, lang), "month_text": str(month)}
        for month, cf in enumerate(cumulative)
    ]
    lo, hi = min(min(cumulative), 0.0), max(max(cumulative), 0.0)
    hi += 0.08 * (hi - lo) or 1.0  # room above the curve for the target's label
    y = _q("cf", title=t("chart_cumulative", lang), scale={"domain": [lo, hi], "nice": True}, axis=y_axis)
    target_text = f"{t('chart_target', lang)}: {fmt.months(target_month, lang)}"
    late = target_month > horizon * 0.6
    target = [{"target_month": target_month, "label": target_text, "top": hi}]
    layers = [
        zero,
        _layer(
            target,
            {"type": "rule", "color": MUTED, "strokeDash": [6, 4], "strokeWidth": 1.5},
            {"x": _q("target_month")},
        ),
        _layer(
            target,
            {
                "type": "text",
                "align": "right" if late else "left",
                "dx": -4 if late else 4,
                "baseline": "top",
                "fontSize": FONT_SIZE,
                "color": INK,
            },
            {"x": _q("target_month"), "y": _q("top"), "text": _n("label")},
        ),
        _layer(rows, {"type": "line", "color": BLUE, "strokeWidth": 2.5}, {"x": x, "y": y}),
        _layer(
            rows,
            {"type": "point", "filled": True, "size": 28, "color": BLUE},
            {"x": x, "y": y, "tooltip": tooltip},
        ),
    ]
    if break_even_month is not None and 0 < break_even_month <= horizon:
        cf = cumulative[break_even_month]
        mark = [
            {
                "break_even_month": break_even_month,
                "cf": cf,
                "label": t("chart_break_even", lang, month=break_even_month),
                "amount": fmt.money(cf, lang),
                "month_text": str(break_even_month),
            }
        ]
        at = {"x": _q("break_even_month"), "y": _q("cf")}
        diamond = {
            "type": "point",
            "shape": "diamond",
            "size": 220,
            "filled": True,
            "color": GREEN,
            "stroke": INK,
            "strokeWidth": 1,
        }
        layers.append(_layer(mark, diamond, {**at, "tooltip": tooltip}))
        right = break_even_month > horizon * 0.6
        style = {
            "type": "text",
            "align": "right" if right else "left",
            "dx": -10 if right else 10,
            "dy": 14,
            "baseline": "top",
            "fontSize": FONT_SIZE,
            "fontWeight": "bold",
        }
        # A white outline first, so that the target rule never cuts the words.
        layers.append(_layer(mark, {**style, "color": "white", **_HALO}, {**at, "text": _n("label")}))
        layers.append(_layer(mark, {**style, "color": INK}, {**at, "text": _n("label")}))
    text = breakeven_text(cumulative, lang, target_month, break_even_month)
    return _chart(layers, width, height, text)


def breakeven_text(
    cumulative: Sequence[float], lang: str, target_month: int, break_even_month: int | None = None
) -> str:
    """The break-even curve in words: start, lowest point, end, and the break-even month vs the target."""
    cf = list(cumulative)
    if break_even_month is None:
        break_even_month = first_non_negative(cf)
    n = len(cf) - 1
    low = min(range(len(cf)), key=lambda month: (cf[month], month))
    text = t("curve_start", lang, n=n, start=fmt.money(cf[0], lang))
    if 0 < low < n:  # a low at the start or the end is said already
        text += t("curve_low", lang, low=fmt.money(cf[low], lang), month=low)
    text += t("curve_end", lang, n=n, end=fmt.money(cf[-1], lang))
    if break_even_month is None:
        return f"{text} {t('curve_not_reached', lang, n=n, target=target_month)}"
    verdict = t("verdict_passed" if break_even_month <= target_month else "verdict_failed", lang)
    reached = t("curve_reached", lang, month=break_even_month, target=target_month, verdict=verdict)
    return f"{text} {reached}"
