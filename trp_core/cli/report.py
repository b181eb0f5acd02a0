"""`trp report`: the figures the manager pages publish, as JSON, from the same service functions and
under the same privacy rules (PRIVACY.md): a hidden figure is null, a view that may not be shown is
replaced by the coarser one the page shows, or withheld with the reason."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Final

import click

from trp_core.cli.common import database, fail, parse_url, url_option
from trp_core.method.figures import Period
from trp_core.method.vocabulary import Axis, Criterion, Quadrant

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from trp_core.method.survey import Survey
    from trp_core.services.selection import Selected, View

EXIT_USAGE: Final = 2

# One plain sentence per outcome; the pages say the same in the manager's language.
REASONS: Final = {
    "withheld": "Not shown: from this choice and the others on offer, a group of fewer than {k} "
    "responses could be worked out by subtraction.",
    "coarsened": "Shown for a wider choice: the one asked for would let a group of fewer than {k} "
    "responses be worked out by subtraction.",
    "version_needed": "Rows are exported per survey version: choose one with --version.",
    "too_big": "More rows than one export holds: choose a narrower selection.",
    "moved_few": "Not shown: fewer than {k} responses would change quadrant, so the run would tell "
    "about single responses.",
    "step_few": "Not shown: a run that differs from it in only one threshold or one weight would "
    "place fewer than {k} responses differently, so comparing the two would tell about single responses.",
}


def _view_json(view: View | None, selected: Selected) -> dict[str, Any] | None:
    if view is None:
        return None
    p = view.period
    group = next((g for g in selected.lattice.groups if g.id == view.tag), None)
    return {
        "version": view.version,
        "lang": view.lang,
        "tag": view.tag,
        # The tags the group holds ("" for untagged responses): tag names, never counts.
        "tags": None if group is None else sorted(group.members),
        "period": None
        if p is None
        else {"kind": p.period.value, "label": p.label, "start": str(p.start), "end": str(p.end)},
    }


def _selection_json(selected: Selected, k: int) -> dict[str, Any]:
    outcome = selected.decision.outcome.value
    return {
        "asked": _view_json(selected.decision.asked, selected),
        "shown": _view_json(selected.decision.shown, selected),
        "outcome": outcome,
        "withheld": REASONS["withheld"].format(k=k) if outcome == "withheld" else None,
        "note": REASONS["coarsened"].format(k=k) if outcome == "coarsened" else None,
    }


def _options(f: Any) -> Any:
    for option in reversed(
        [
            click.option("--survey", "survey_id", required=True, help="Survey id."),
            click.option("--version", default=None, help="Survey version; default: all."),
            click.option(
                "--lang", type=click.Choice(["de", "en"]), default=None, help="Language; default: all."
            ),
            click.option("--tag", default=None, help="Tag slug, or 'none' for untagged; default: all."),
            click.option(
                "--period",
                type=click.Choice([p.value for p in Period]),
                default=None,
                help="Whole ISO weeks, months or quarters (for the trend; with --since, the one period).",
            ),
            click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None, help="YYYY-MM-DD"),
            click.option("--until", type=click.DateTime(["%Y-%m-%d"]), default=None, help="YYYY-MM-DD"),
            click.option("--json", "as_json", is_flag=True, default=True, help="Print JSON (the default)."),
            url_option,
        ]
    ):
        f = option(f)
    return f


def _survey(engine: Engine, survey_id: str) -> Survey:
    from trp_core.files.surveys import load_surveys
    from trp_core.services import selection as sel
    from trp_core.settings import get_settings
    from trp_core.store import Store

    published, _ = load_surveys(get_settings().surveys_dir)
    found = sel.surveys(Store(engine), published)
    if survey_id not in found:
        fail(f"unknown survey {survey_id!r}; the surveys are: {', '.join(found) or 'none'}", code=EXIT_USAGE)
    return found[survey_id]


@dataclass(frozen=True)
class Ask:
    """The selection flags of `trp report`, as given."""

    version: str | None = None
    lang: str | None = None
    tag: str | None = None
    period: str | None = None
    since: date | None = None
    until: date | None = None

    def view(self, engine: Engine, survey: Survey) -> View:
        from trp_core.services import selection as sel

        return sel.view_for(
            sel.lattice(engine, survey.id),
            version=self.version,
            lang=self.lang,
            tag=self.tag,
            period=Period(self.period) if self.period else None,
            since=self.since,
            until=self.until,
        )


def _print(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


# --- the reports, as data: the commands print them, tests/support/intruder.py reads them -----------


# The report's figures shown perturbed (the cell-key method); of the funnel every step but "started",
# the sessions' total, which stays exact as the responses' total does.
PERTURBED: Final = ("quadrants", "trend", "heat", "keep_out", "break_even", "funnel")


def dashboard_report(engine: Engine, survey: Survey, ask: Ask) -> dict[str, Any]:
    from trp_core.services.dashboard import published_dashboard
    from trp_core.services.selection import min_group

    kind = Period(ask.period) if ask.period else Period.MONTH
    pub = published_dashboard(engine, survey, ask.view(engine, survey), period=kind)
    k = min_group()
    out: dict[str, Any] = {"survey": survey.id, "k": k, **_selection_json(pub.selected, k)}
    # The release whose figures these are (PRIVACY.md, "Releases"): responses of the days before it.
    released = pub.selected.released
    out["released"] = None if released is None else released.isoformat()
    dash = pub.dashboard
    out["total"] = None if dash is None else dash.total
    out["quadrants"] = {q.value: None if dash is None else dash.quadrants[q] for q in Quadrant}
    if dash is not None:
        out["trend"] = [
            {
                "period": c.label,
                "start": str(c.start),
                "quadrant": c.quadrant.value if c.quadrant else None,
                "count": c.count,
            }
            for c in dash.trend
        ]
        out["heat"] = [
            {"kann": [c.kann_from, c.kann_to], "will": [c.will_from, c.will_to], "count": c.count}
            for c in dash.heat
        ]
        out["keep_out"] = {r.key.value: r.count for r in dash.keep_out}
        out["break_even"] = dash.break_even
        # Criterion means per quadrant as the page shows them: "criterion quadrant" -> mean, hidden null.
        out["means"] = {f"{c.value} {q.value}": m for (c, q), m in dash.means.items()}
        out["funnel"] = {s.step: s.count for s in dash.funnel}
        # The counts inside the selection as the page shows them: shifted by at most `noise` (the
        # cell-key method, PRIVACY.md rule 4); the total, the means and the funnel's "started" are exact.
        out["noise"] = dash.noise
        out["perturbed"] = list(PERTURBED) if dash.noise else []
    return out


def free_text_report(engine: Engine, survey: Survey, ask: Ask) -> dict[str, Any]:
    from trp_core.method.survey import TextQuestion
    from trp_core.services.dashboard import free_text_cells
    from trp_core.services.selection import min_group

    ids = [q.id for q in survey.questions if isinstance(q, TextQuestion)]
    cells = free_text_cells(engine, survey, ids, ask.view(engine, survey))
    return {
        "survey": survey.id,
        "k": min_group(),
        "cells": [{"version": c.version, "responses": c.responses, "texts": c.texts} for c in cells],
    }


def calibration_report(
    engine: Engine, survey: Survey, ask: Ask, thresholds: dict[Axis, float], weights: dict[Criterion, float]
) -> dict[str, Any]:
    from trp_core.services.calibrate import published_calibration
    from trp_core.services.selection import min_group

    t = {Axis.KANN: survey.thresholds.kann, Axis.WILL: survey.thresholds.will, **thresholds}
    w = {**survey.weights, **weights}
    pub = published_calibration(engine, survey, t, w, ask.view(engine, survey))
    k = min_group()
    out: dict[str, Any] = {"survey": survey.id, "k": k, **_selection_json(pub.selected, k)}
    if pub.reason in ("moved_few", "step_few"):
        out["withheld"] = REASONS[pub.reason].format(k=k)
    out["thresholds"] = {a.value: v for a, v in pub.thresholds.items()}
    out["weights"] = {c.value: v for c, v in pub.weights.items()}
    cal = pub.calibration
    out["total"] = None if cal is None else cal.total
    out["changed"] = None if cal is None else cal.changed
    out["before"] = {q.value: None if cal is None else cal.before[q] for q in Quadrant}
    out["after"] = {q.value: None if cal is None else cal.after[q] for q in Quadrant}
    out["moves"] = None if cal is None else {f"{a.value}>{b.value}": n for (a, b), n in cal.moves.items()}
    return out


def export_report(engine: Engine, survey: Survey, ask: Ask) -> dict[str, Any]:
    from trp_core.services import selection as sel
    from trp_core.services.export import published_rows
    from trp_core.store import Store

    view = ask.view(engine, survey)
    _, contents = sel.contents(Store(engine), survey, view.version)
    pub = published_rows(engine, survey.id, contents, view)
    rows = (
        None if pub.table is None else [dict(zip(pub.table.header, r, strict=True)) for r in pub.table.rows]
    )
    k = sel.min_group()
    out: dict[str, Any] = {"survey": survey.id, "k": k, **_selection_json(pub.selected, k)}
    if pub.reason is not None and pub.reason != "withheld":
        out["withheld"] = REASONS[pub.reason].format(k=k)
    out["rows"] = rows
    return out


# --- the commands ---------------------------------------------------------------------------------


def _run(survey_id: str, url: str | None, make: Any) -> None:
    with database(parse_url(url)) as (engine, _):
        survey = _survey(engine, survey_id)
        data = make(engine, survey)
    _print(data)


def _ask(version, lang, tag, period, since, until) -> Ask:
    return Ask(version, lang, tag, period, since.date() if since else None, until.date() if until else None)


@click.group()
def report() -> None:
    """The published figures as JSON, under the same privacy rules as the manager pages."""


@report.command("dashboard")
@_options
def dashboard_command(survey_id, version, lang, tag, period, since, until, as_json, url) -> None:
    """The dashboard's figures: total, quadrants, trend, heat map, keep-out, break-even, criterion
    means per quadrant, funnel."""
    ask = _ask(version, lang, tag, period, since, until)
    _run(survey_id, url, lambda engine, survey: dashboard_report(engine, survey, ask))


@report.command("free-text")
@_options
def free_text_command(survey_id, version, lang, tag, period, since, until, as_json, url) -> None:
    """Free-text answers, per survey version (cells no filter splits), in random order."""
    ask = _ask(version, lang, tag, period, since, until)
    _run(survey_id, url, lambda engine, survey: free_text_report(engine, survey, ask))


@report.command("calibration")
@_options
@click.option("--threshold", "thresholds", multiple=True, metavar="AXIS=N", help="e.g. kann=65 (repeatable).")
@click.option("--weight", "weights", multiple=True, metavar="CRITERION=W", help="e.g. staff=2 (repeatable).")
def calibration_command(
    survey_id, version, lang, tag, period, since, until, as_json, url, thresholds, weights
) -> None:
    """A what-if run: how many responses would change quadrant under other thresholds and weights."""
    ask = _ask(version, lang, tag, period, since, until)
    try:
        t = {Axis(n): float(v) for n, _, v in (item.partition("=") for item in thresholds)}
        w = {Criterion(n): float(v) for n, _, v in (item.partition("=") for item in weights)}
    except ValueError as exc:
        fail(f"--threshold/--weight: {exc}", code=EXIT_USAGE)
    _run(survey_id, url, lambda engine, survey: calibration_report(engine, survey, ask, t, w))


@report.command("export")
@_options
def export_command(survey_id, version, lang, tag, period, since, until, as_json, url) -> None:
    """The rows the page's row export would hold (one survey version), or why there are none."""
    ask = _ask(version, lang, tag, period, since, until)
    _run(survey_id, url, lambda engine, survey: export_report(engine, survey, ask))
