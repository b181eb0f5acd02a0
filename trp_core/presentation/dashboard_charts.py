"""Altair charts of the managers' figures, in the style of result_charts.py (Okabe–Ito colours, 12 px text).

Each builder takes what the services (dashboard, calibrate) allow to be shown: a hidden figure
(None) is drawn as a grey cell or bar marked "–", never as a number. Every chart carries a text alternative as its
Vega-Lite description. Width "container" on screen; a fixed width for PNG export.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import altair as alt

from trp_core.method.figures import BE_NONE, BE_OPEN, BREAK_EVEN_BANDS, KeepOutKey, KnockOut, band_key
from trp_core.method.survey import Survey
from trp_core.method.vocabulary import Axis, Criterion, Quadrant
from trp_core.presentation import formatting as fmt
from trp_core.presentation.i18n import t
from trp_core.presentation.labels import axis_label, criterion_label, quadrant_labels
from trp_core.presentation.result_charts import (
    AXIS_COLOURS,
    BLUE,
    FONT_SIZE,
    GREY,
    INK,
    MUTED,
    QUADRANT_COLOURS,
    TRACK,
    VERMILLION,
    Width,
)

# Altair validates every chart object against the Vega-Lite schema as it is made (its debug mode),
# most of the time of building a chart; the finished specs are validated in the tests.
alt.utils.schemapi.disable_debug_mode()

if TYPE_CHECKING:
    from trp_core.services.calibrate import Calibration
    from trp_core.services.dashboard import Dashboard

HIDDEN: Final = "–"
UNDETERMINED_COLOUR: Final = "#CC79A7"  # Okabe–Ito reddish purple
HIDDEN_COLOUR: Final = "#D9D9D9"
COLOURS: Final = {**QUADRANT_COLOURS, Quadrant.UNDETERMINED: UNDETERMINED_COLOUR}
_NO_FRAME: Final = alt.ViewBackground(stroke=None)
_AXIS: Final = {"labelFontSize": FONT_SIZE, "titleFontSize": FONT_SIZE}
LABEL_BAND: Final = 9.0  # points of the will axis above and below the heat map, for the fields' names


def count_text(n: int | None, lang: str) -> str:
    return HIDDEN if n is None else fmt.number(n, lang)


def share_text(share: float | None, lang: str) -> str:
    return HIDDEN if share is None else fmt.percent(share, lang)


def group_count_text(n: int, k: int, lang: str) -> str:
    """A count of responses as the exports page shows it: below the minimum group k only "< k"."""
    return count_text(n, lang) if n >= k or n == 0 else f"< {k}"


def free_text_block(texts: list[str]) -> str:
    """Answers to a text question as plain text, one a line: breaks and runs of space in an answer become one space."""
    return "\n".join(" ".join(text.split()) for text in texts)


def keep_out_label(key: KeepOutKey, lang: str) -> str:
    if isinstance(key, Criterion):
        return criterion_label(key, lang)
    return t("mgr_knockout_kann" if key is KnockOut.KANN else "mgr_knockout_will", lang)


def band_label(key: str, lang: str) -> str:
    if key == BE_NONE:
        return t("mgr_be_none", lang)
    if key == BE_OPEN:
        return t("mgr_be_open", lang)
    for low, high in BREAK_EVEN_BANDS:
        if band_key(low, high) == key:
            return (
                t("mgr_be_beyond", lang, low=low)
                if high is None
                else t("mgr_be_band", lang, low=low, high=high)
            )
    raise KeyError(key)


def step_label(step: str, survey: Survey, lang: str) -> str:
    if step == "started":
        return t("mgr_step_started", lang)
    if step == "completed":
        return t("mgr_step_completed", lang)
    if step == "calculator" and survey.calculator is not None:
        return survey.calculator.title(lang)
    section = next((s for s in survey.sections if f"step:{s.id}" == step), None)
    return section.title(lang) if section is not None else step


# --- the matrix as a heat map --------------------------------------------------------------------


def heatmap_chart(
    dash: Dashboard, survey: Survey, lang: str, *, width: Width = "container", height: int = 380
) -> alt.LayerChart:
    """Cells of 10 × 10 points coloured by their count, both thresholds as rules, and each field's
    name with its total in the outer corner; a hidden cell is light grey and marked "–"."""
    tk, tw = dash.thresholds
    names = quadrant_labels(survey, lang, "internal")
    cells = [
        {
            "x0": c.kann_from,
            "x1": c.kann_to,
            "y0": c.will_from,
            "y1": c.will_to,
            "xm": (c.kann_from + c.kann_to) / 2,
            "ym": (c.will_from + c.will_to) / 2,
            "n": c.count,
            "label": count_text(c.count, lang),
            "field": names[c.quadrant],
            "hidden": c.count is None,
        }
        for c in dash.heat
    ]
    top = max((c.count for c in dash.heat if c.count is not None), default=1) or 1
    ticks = sorted({0, 20, 40, 60, 80, 100, tk, tw})
    axis = {"grid": False, "values": ticks, **_AXIS}
    # Room above and below the cells for the fields' names and totals.
    x = alt.X(
        "x0:Q",
        scale=alt.Scale(domain=[0, 100], nice=False),
        axis=alt.Axis(title=axis_label(Axis.KANN, lang), **axis),
    )
    y = alt.Y(
        "y0:Q",
        scale=alt.Scale(domain=[-LABEL_BAND, 100 + LABEL_BAND], nice=False),
        axis=alt.Axis(title=axis_label(Axis.WILL, lang), **axis),
    )
    tooltip = [
        alt.Tooltip("field:N", title=t("mgr_col_quadrant", lang)),
        alt.Tooltip("label:N", title=t("mgr_col_count", lang)),
    ]
    data = alt.Data(values=cells)
    shown = (
        alt.Chart(data)
        .transform_filter("!datum.hidden")
        .mark_rect(stroke="white", strokeWidth=1)
        .encode(
            x=x,
            x2="x1:Q",
            y=y,
            y2="y1:Q",
            color=alt.Color("n:Q", scale=alt.Scale(scheme="blues", domain=[0, top]), legend=None),
            tooltip=tooltip,
        )
    )
    hidden = (
        alt.Chart(data)
        .transform_filter("datum.hidden")
        .mark_rect(fill=HIDDEN_COLOUR, stroke="white", strokeWidth=1)
        .encode(x=x, x2="x1:Q", y=y, y2="y1:Q", tooltip=tooltip)
    )
    numbers = (
        alt.Chart(data)
        .transform_calculate(dark=f"datum.n != null && datum.n > {top * 0.55}")
        .mark_text(fontSize=FONT_SIZE - 2)
        .encode(
            x=alt.X("xm:Q"),
            y=alt.Y("ym:Q"),
            text=alt.Text("label:N"),
            color=alt.condition("datum.dark", alt.value("white"), alt.value(INK)),
        )
    )
    rules = alt.Chart(alt.Data(values=[{"tk": tk, "tw": tw}]))
    layers: list[Any] = [
        shown,
        hidden,
        numbers,
        rules.transform_calculate(low="0", high="100")
        .mark_rule(color=INK, strokeWidth=2)
        .encode(x=alt.X("tk:Q"), y=alt.Y("low:Q"), y2="high:Q"),
        rules.transform_calculate(low="0", high="100")
        .mark_rule(color=INK, strokeWidth=2)
        .encode(y=alt.Y("tw:Q"), x=alt.X("low:Q"), x2="high:Q"),
    ]
    above, below = 100 + LABEL_BAND / 2, -LABEL_BAND / 2
    corners = {
        Quadrant.HELD: (100, above, "right", "middle"),
        Quadrant.KANDIDAT: (100, below, "right", "middle"),
        Quadrant.VAMPIR: (0, above, "left", "middle"),
        Quadrant.SCHATTEN: (0, below, "left", "middle"),
    }
    fields = []
    for q, (cx, cy, align, baseline) in corners.items():
        text = f"{names[q]}: {count_text(dash.quadrants[q], lang)}"
        fields.append(text)
        label = alt.Chart(alt.Data(values=[{"x": cx, "y": cy, "text": text}]))
        style = {"align": align, "baseline": baseline, "fontSize": FONT_SIZE, "fontWeight": "bold"}
        # A white outline first, so that cells and rules never cut through the words.
        for outline in (True, False):
            extra = {"stroke": "white", "strokeWidth": 4, "strokeJoin": "round"} if outline else {}
            layers.append(
                label.mark_text(**style, color="white" if outline else INK, **extra).encode(
                    x=alt.X("x:Q"), y=alt.Y("y:Q"), text=alt.Text("text:N")
                )
            )
    description = t(
        "mgr_chart_heat",
        lang,
        tk=fmt.number(tk, lang, 1, trim=True),
        tw=fmt.number(tw, lang, 1, trim=True),
        fields="; ".join(fields),
    )
    return alt.layer(*layers).properties(width=width, height=height, description=description, view=_NO_FRAME)


# --- quadrant shares over time -------------------------------------------------------------------


def trend_chart(
    dash: Dashboard, survey: Survey, lang: str, *, width: Width = "container", height: int = 260
) -> alt.Chart:
    """Stacked bars of the quadrant shares per period; the hidden rest of a period is grey."""
    names = quadrant_labels(survey, lang, "internal")
    hidden_name = t("mgr_hidden", lang)
    order = {q: i for i, q in enumerate(Quadrant)}
    rows = [
        {
            "period": c.label,
            "start": c.start.isoformat(),
            "field": names[c.quadrant] if c.quadrant is not None else hidden_name,
            "order": order[c.quadrant] if c.quadrant is not None else len(order),
            "share": c.share,
            "count": count_text(c.count, lang),
            "share_text": share_text(c.share, lang),
        }
        for c in dash.trend
    ]
    domain = [names[q] for q in Quadrant] + [hidden_name]
    colours = [COLOURS[q] for q in Quadrant] + [HIDDEN_COLOUR]
    periods = sorted({(c.start, c.label) for c in dash.trend})
    period_word = t("mgr_week" if dash.period.value == "week" else "mgr_month", lang)
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar()
        .encode(
            x=alt.X(
                "period:O",
                sort=[label for _, label in periods],
                axis=alt.Axis(title=None, labelAngle=-45, **_AXIS),
            ),
            y=alt.Y(
                "share:Q",
                stack="zero",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(title=t("mgr_col_share", lang), format="%", **_AXIS),
            ),
            color=alt.Color(
                "field:N",
                scale=alt.Scale(domain=domain, range=colours),
                # Two columns: three of the German names are wider than a phone.
                legend=alt.Legend(title=None, orient="bottom", labelFontSize=FONT_SIZE, columns=2),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("period:N", title=t("mgr_col_period", lang)),
                alt.Tooltip("field:N", title=t("mgr_col_quadrant", lang)),
                alt.Tooltip("count:N", title=t("mgr_col_count", lang)),
                alt.Tooltip("share_text:N", title=t("mgr_col_share", lang)),
            ],
        )
    )
    description = t("mgr_chart_trend", lang, period=period_word, periods=len(periods))
    return chart.properties(width=width, height=height, description=description, view=_NO_FRAME)


# --- bars: keep-out, break-even, funnel ---------------------------------------------------------------


def _bars(
    rows: list[dict[str, Any]],
    lang: str,
    *,
    value_title: str,
    percent: bool,
    width: Width,
    description: str,
    colour_field: str | None = None,
    colours: tuple[list[str], list[str]] | None = None,
    row_height: int = 26,
) -> alt.LayerChart:
    """Horizontal bars in the given row order with the value written after each bar; a hidden value
    has no bar but "–"."""
    order = [r["label"] for r in rows]
    top = 1.0 if percent else max((r["value"] or 0 for r in rows), default=1) or 1
    data = alt.Data(values=[{**r, "value": r["value"] if r["value"] is not None else 0} for r in rows])
    y = alt.Y("label:N", sort=order, axis=alt.Axis(title=None, labelLimit=260, labelOverlap=False, **_AXIS))
    x = alt.X(
        "value:Q",
        # Room after the longest bar for its value ("100 % (1.279)"), also in a phone's narrow column.
        scale=alt.Scale(domain=[0, top * 1.45]),
        axis=alt.Axis(
            title=value_title,
            format="%" if percent else ",d",
            values=[i / 5 for i in range(6)] if percent else alt.Undefined,
            grid=False,
            **_AXIS,
        ),
    )
    colour: Any = alt.value(BLUE)
    if colour_field is not None and colours is not None:
        colour = alt.Color(
            f"{colour_field}:N", scale=alt.Scale(domain=colours[0], range=colours[1]), legend=None
        )
    tooltip = [alt.Tooltip("label:N", title=" "), alt.Tooltip("text:N", title=value_title)]
    bars = alt.Chart(data).mark_bar(height={"band": 0.7}).encode(x=x, y=y, color=colour, tooltip=tooltip)
    text = (
        alt.Chart(data)
        .mark_text(align="left", dx=4, fontSize=FONT_SIZE, color=INK)
        .encode(x=x, y=y, text=alt.Text("text:N"))
    )
    return alt.layer(bars, text).properties(
        width=width,
        height=max(60, row_height * len(rows)),
        description=description,
        view=_NO_FRAME,
    )


def keep_out_chart(dash: Dashboard, lang: str, *, width: Width = "container") -> alt.LayerChart:
    """The criteria (and knock-outs) that keep most respondents out of "held", most frequent first."""
    rows = []
    for r in dash.keep_out:
        if r.count == 0:
            continue
        rows.append(
            {
                "label": keep_out_label(r.key, lang),
                "value": r.share,
                "axis": r.axis.value,
                "text": f"{share_text(r.share, lang)} ({count_text(r.count, lang)})",
            }
        )
    items = ", ".join(f"{r['label']} {r['text']}" for r in rows[:5])
    return _bars(
        rows,
        lang,
        value_title=t("mgr_col_share", lang),
        percent=True,
        width=width,
        description=t("mgr_chart_keep_out", lang, items=items),
        colour_field="axis",
        colours=([a.value for a in Axis], [AXIS_COLOURS[a] for a in Axis]),
    )


def break_even_chart(dash: Dashboard, lang: str, *, width: Width = "container") -> alt.LayerChart:
    """Responses per band of break-even month."""
    rows = [
        {"label": band_label(key, lang), "value": n, "text": count_text(n, lang)}
        for key, n in dash.break_even.items()
        if n != 0 or key != band_key(*BREAK_EVEN_BANDS[-1])  # past the usual 36-month horizon
    ]
    items = ", ".join(f"{r['label']}: {r['text']}" for r in rows)
    return _bars(
        rows,
        lang,
        value_title=t("mgr_col_count", lang),
        percent=False,
        width=width,
        description=t("mgr_chart_break_even", lang, items=items),
    )


def funnel_chart(dash: Dashboard, survey: Survey, lang: str, *, width: Width = "container") -> alt.LayerChart:
    """Sessions that reached each step, as a share of those that started."""
    rows = [
        {
            "label": step_label(s.step, survey, lang),
            "value": s.share,
            "text": f"{share_text(s.share, lang)} ({count_text(s.count, lang)})",
        }
        for s in dash.funnel
    ]
    items = ", ".join(f"{r['label']} {r['text']}" for r in rows)
    return _bars(
        rows,
        lang,
        value_title=t("mgr_col_share", lang),
        percent=True,
        width=width,
        description=t("mgr_chart_funnel", lang, items=items),
    )


# --- criterion means ------------------------------------------------------------------------------------


def means_chart(
    dash: Dashboard, survey: Survey, lang: str, *, width: Width = "container", row_height: int = 24
) -> alt.LayerChart:
    """A table of mean points per weighted criterion (rows) and quadrant (columns), shaded 0–100."""
    names = quadrant_labels(survey, lang, "internal")
    criteria = [c for c in Criterion if survey.weights[c] > 0]
    rows = [
        {
            "criterion": criterion_label(c, lang),
            "quadrant": names[q],
            "mean": dash.means[(c, q)],
            "text": HIDDEN if dash.means[(c, q)] is None else fmt.number(dash.means[(c, q)], lang),
        }
        for c in criteria
        for q in Quadrant
    ]
    y = alt.Y(
        "criterion:N",
        sort=[criterion_label(c, lang) for c in criteria],
        axis=alt.Axis(title=None, labelLimit=240, **_AXIS),
    )
    x = alt.X(
        "quadrant:N",
        sort=[names[q] for q in Quadrant],
        # Upright names: five of them side by side do not fit above a phone's narrow columns.
        axis=alt.Axis(title=None, orient="top", labelAngle=-90, labelAlign="left", labelLimit=120, **_AXIS),
    )
    data = alt.Data(values=rows)
    tooltip = [
        alt.Tooltip("criterion:N", title=t("mgr_col_criterion", lang)),
        alt.Tooltip("quadrant:N", title=t("mgr_col_quadrant", lang)),
        alt.Tooltip("text:N", title=t("mgr_col_mean", lang)),
    ]
    cells = (
        alt.Chart(data)
        .mark_rect(stroke="white", strokeWidth=1)
        .encode(
            x=x,
            y=y,
            color=alt.condition(
                "datum.mean != null",
                alt.Color("mean:Q", scale=alt.Scale(scheme="blues", domain=[0, 100]), legend=None),
                alt.value(TRACK),
            ),
            tooltip=tooltip,
        )
    )
    text = (
        alt.Chart(data)
        .mark_text(fontSize=FONT_SIZE)
        .encode(
            x=x,
            y=y,
            text=alt.Text("text:N"),
            color=alt.condition("datum.mean != null && datum.mean > 60", alt.value("white"), alt.value(INK)),
        )
    )
    return alt.layer(cells, text).properties(
        width=width,
        height=row_height * len(criteria),
        description=t("mgr_chart_means", lang),
        view=_NO_FRAME,
    )


# --- calibration ------------------------------------------------------------------------------------


def calibration_chart(
    cal: Calibration, survey: Survey, lang: str, *, width: Width = "container"
) -> alt.LayerChart:
    """Responses per quadrant before and after the change, side by side; hidden counts have no bar."""
    names = quadrant_labels(survey, lang, "internal")
    before, after = t("mgr_cal_before", lang), t("mgr_cal_after", lang)
    rows = []
    for q in Quadrant:
        for when, n in ((before, cal.before[q]), (after, cal.after[q])):
            rows.append({"quadrant": names[q], "when": when, "n": n or 0, "text": count_text(n, lang)})
    items = "; ".join(
        f"{names[q]} {count_text(cal.before[q], lang)} → {count_text(cal.after[q], lang)}" for q in Quadrant
    )
    data = alt.Data(values=rows)
    y = alt.Y(
        "quadrant:N", sort=[names[q] for q in Quadrant], axis=alt.Axis(title=None, labelLimit=160, **_AXIS)
    )
    offset = alt.YOffset("when:N", sort=[before, after])
    top = max((r["n"] for r in rows), default=1) or 1
    x = alt.X(
        "n:Q",
        scale=alt.Scale(domain=[0, top * 1.15]),  # room for the numbers after the bars
        axis=alt.Axis(title=t("mgr_col_count", lang), format=",d", grid=False, **_AXIS),
    )
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=x,
            y=y,
            yOffset=offset,
            color=alt.Color(
                "when:N",
                scale=alt.Scale(domain=[before, after], range=[GREY, VERMILLION]),
                legend=alt.Legend(title=None, orient="top", labelFontSize=FONT_SIZE),
            ),
            tooltip=[alt.Tooltip("when:N", title=" "), alt.Tooltip("text:N", title=t("mgr_col_count", lang))],
        )
    )
    text = (
        alt.Chart(data)
        .mark_text(align="left", dx=4, fontSize=FONT_SIZE, color=MUTED)
        .encode(x=x, y=y, yOffset=offset, text=alt.Text("text:N"))
    )
    return alt.layer(bars, text).properties(
        width=width,
        height=46 * len(Quadrant),
        description=t("mgr_chart_calibration", lang, items=items),
        view=_NO_FRAME,
    )


def calibration_rows(cal: Calibration, survey: Survey, lang: str) -> list[dict[str, str]]:
    """The calibration's table: per quadrant the responses before and after, and the change (with "+")."""
    names = quadrant_labels(survey, lang, "internal")
    rows = []
    for q in Quadrant:
        before, after = cal.before[q], cal.after[q]
        change = None if before is None or after is None else after - before
        rows.append(
            {
                t("mgr_col_quadrant", lang): names[q],
                t("mgr_cal_before", lang): count_text(before, lang),
                t("mgr_cal_after", lang): count_text(after, lang),
                t("mgr_cal_change", lang): count_text(change, lang)
                if change is None or change <= 0
                else f"+{count_text(change, lang)}",
            }
        )
    return rows


def calibration_moves(cal: Calibration, survey: Survey, lang: str) -> list[dict[str, str]]:
    """Who moves where: a row per quadrant before, a column per quadrant after."""
    names = quadrant_labels(survey, lang, "internal")
    return [
        {"→": names[a], **{names[b]: count_text(cal.moves[(a, b)], lang) for b in Quadrant}} for a in Quadrant
    ]
