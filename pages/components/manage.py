"""Streamlit glue of the manager pages: the login guard, the filters, database errors, the preview."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, NoReturn

import streamlit as st

from pages.components import auth, resources, session
from pages.components import shared as ui
from pages.components.urls import START_PAGE
from trp_core.method.figures import Period
from trp_core.method.survey import Survey
from trp_core.presentation import formatting as fmt
from trp_core.presentation.i18n import t
from trp_core.services import selection as sel
from trp_core.services.results import StoreUnavailable
from trp_core.services.storage import database_name

if TYPE_CHECKING:
    from sqlalchemy import Engine  # passed on to the use cases, never used here

    from trp_core.services.calibrate import Calibration
    from trp_core.services.dashboard import Dashboard

log = logging.getLogger("trp")

ALL = "*"  # a filter that is not set; never a survey id, version, language or event tag


def begin() -> str:
    """Call first on every manager page: only a logged-in manager gets further; a partner preview ends."""
    name = auth.require_manager()
    if name is None:  # require_manager has switched to the login page; this is for safety only
        st.stop()
    st.set_page_config(layout="wide")  # tables and charts need the room; the partner pages stay narrow
    st.session_state.pop(session.PREVIEW, None)
    ui.header()
    return name


def database_down() -> NoReturn:
    """One clear message for a database that cannot be reached, is corrupt or is not migrated."""
    log.exception("manager page: database error")
    st.error(t("mgr_db_down", session.lang()), icon=":material/database:")
    st.stop()


@contextmanager
def database_errors() -> Iterator[None]:
    """A database the use cases cannot use (they raise StoreUnavailable) becomes `database_down`."""
    try:
        yield
    except StoreUnavailable:
        database_down()


def engine() -> Engine:
    with database_errors():
        return resources.store().engine


@st.cache_data(ttl=60, show_spinner=False)
def _choices(_engine: Engine, database: str, survey_id: str) -> sel.Choices:
    """Versions, events and days of a survey: names and dates only, the same for every manager.
    `database` keys the cache (the engine itself is not hashed)."""
    return sel.choices(_engine, survey_id)


def surveys() -> dict[str, Survey]:
    """Every survey a manager can look at: the published files, and those only the database still has."""
    with database_errors():
        return sel.surveys(resources.store(), resources.published())


def _latest(ids: list[str]) -> str:
    with database_errors():
        return sel.latest(resources.store(), ids)


@dataclass(frozen=True)
class Selection:
    view: sel.View  # what the filters ask for; the services publish it, a coarser one, or nothing
    survey: Survey  # the content whose thresholds and sections the figures use
    versions: list[Survey]  # every stored content in the selection, for the export's columns
    period: Period  # the trend's periods


def _param(name: str, options: list[Any], default: Any) -> Any:
    """A filter from the URL, used only when it is one of the offered values."""
    raw = st.query_params.get(name)
    if raw is None:
        return default
    for option in options:
        if str(option) == raw:
            return option
    st.warning(t("mgr_bad_filter", session.lang(), name=name))
    return default


def _date_param(name: str) -> date | None:
    raw = st.query_params.get(name)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        st.warning(t("mgr_bad_filter", session.lang(), name=name))
        return None


ALL_TIME = "all"  # the period filter's "all time"
KINDS = [ALL_TIME, *(p.value for p in reversed(sel.GRANULARITIES))]  # all, week, month, quarter
TREND = {ALL_TIME: Period.MONTH, "quarter": Period.MONTH, "month": Period.WEEK, "week": Period.WEEK}


def tag_label(group: str, lang: str) -> str:
    """A tag group as the filter shows it: "no event", "other events", a slug, or several joined by +."""
    names = {"none": t("mgr_no_event", lang), "other": t("mgr_other_tags", lang)}
    return " + ".join(names.get(part, part) for part in group.split("+"))


def view_text(view: sel.View | None, lang: str) -> str:
    """A view in words, for the sentence that says what is shown instead."""
    if view is None:
        return ""
    parts = [
        view.version and f"{t('mgr_version', lang)} {view.version}",
        view.lang and {"de": "Deutsch", "en": "English"}[view.lang],
        view.tag and tag_label(view.tag, lang),
        view.period and fmt.period(view.period.period.value, view.period.start, lang),
    ]
    return ", ".join(p for p in parts if p) or t("mgr_shown_all", lang)


def selection(engine: Engine, page: str, *, any_version: bool = True) -> Selection | None:
    """The filter widgets (initial values may come from the URL); None when there is no survey.

    Only fixed cells are offered (PRIVACY.md): tag groups of at least k and whole periods."""
    lang = session.lang()
    found = surveys()
    if not found:
        st.info(t("mgr_no_surveys", lang))
        return None
    ids = list(found)
    with st.container(border=True):
        st.markdown(f"**{t('mgr_filters', lang)}**")
        top = st.columns([2, 1, 1])
        key = f"mf.{page}"
        if f"{key}.survey" not in st.session_state:
            st.session_state[f"{key}.survey"] = _param("f_survey", ids, _latest(ids))
        survey_id = top[0].selectbox(
            t("mgr_survey", lang),
            ids,
            format_func=lambda i: f"{found[i].title(lang)} ({i})",
            key=f"{key}.survey",
        )
        with database_errors():
            choices = _choices(engine, database_name(engine), survey_id)
            lat = sel.lattice(engine, survey_id)
        version_options = ([ALL] if any_version else []) + sel.versions(choices, found[survey_id])
        version = _widget(
            top[1].selectbox,
            f"{key}.version.{survey_id}",
            "f_version",
            t("mgr_version", lang),
            version_options,
            lambda v: t("mgr_all_versions", lang) if v == ALL else v,
        )
        language = _widget(
            top[2].selectbox,
            f"{key}.lang",
            "f_lang",
            t("mgr_resp_lang", lang),
            [ALL, "de", "en"],
            lambda v: {"de": "Deutsch", "en": "English"}.get(v, t("mgr_all_languages", lang)),
        )
        bottom = st.columns([1.4, 1.3, 1.3])  # room for „expo + weitere Veranstaltungen“
        tags = [ALL, *(g.id for g in lat.groups)]
        tag_key = f"{key}.event.{survey_id}"
        bookmarked = st.query_params.get("f_event")
        if tag_key not in st.session_state and bookmarked is not None and lat.group(bookmarked):
            # A bookmark may name a tag that is now part of a group: the group is shown.
            st.session_state[tag_key] = lat.group(bookmarked)
        tag = _widget(
            bottom[0].selectbox,
            tag_key,
            "f_event",
            t("mgr_event", lang),
            tags,
            lambda v: t("mgr_all_events", lang) if v == ALL else tag_label(v, lang),
        )
        kind, cell = _period(bottom[1], bottom[2], f"{key}.period.{survey_id}", lat)
    view = sel.View(
        version=None if version == ALL else version,
        lang=None if language == ALL else language,
        tag=None if tag == ALL else tag,
        period=cell,
    )
    _write_params(survey_id, view, kind)
    with database_errors():
        shown, contents = sel.contents(resources.store(), found[survey_id], view.version)
    st.caption(t("mgr_cells_rule", lang, k=lat.k))
    return Selection(view, shown, contents, TREND[kind])


def _period(left: Any, right: Any, key: str, lat: sel.Lattice) -> tuple[str, sel.PeriodCell | None]:
    """All time, or one whole quarter, month or ISO week; a bookmark's f_since/f_until open the
    whole period that holds both days."""
    lang = session.lang()
    asked = None
    if f"{key}.kind" not in st.session_state:
        since, until = _date_param("f_since"), _date_param("f_until")
        hint = st.query_params.get("f_period")
        kind = hint if hint in KINDS else ALL_TIME
        if since is not None or until is not None:
            asked = sel.view_for(
                lat, period=Period(kind) if kind != ALL_TIME else None, since=since, until=until
            ).period
            kind = asked.period.value if asked is not None else ALL_TIME
            if asked is not None:
                st.session_state[f"{key}.{kind}"] = asked.start
        st.session_state[f"{key}.kind"] = kind
    names = {
        ALL_TIME: t("mgr_all_periods", lang),
        "week": t("mgr_week", lang),
        "month": t("mgr_month", lang),
        "quarter": t("mgr_quarter", lang),
    }
    kind = left.selectbox(t("mgr_period", lang), KINDS, format_func=names.__getitem__, key=f"{key}.kind")
    if kind == ALL_TIME:
        return kind, None
    cells = lat.periods[Period(kind)][::-1]  # newest first
    starts = [c.start for c in cells]
    if asked is not None and asked.start not in starts:  # a bookmark of days without responses
        shown = fmt.period(kind, cells[0].start, lang) if cells else names[ALL_TIME]
        st.info(t("mgr_dates_adjusted", lang, shown=shown))
    if not cells:
        return kind, None
    if st.session_state.get(f"{key}.{kind}") not in starts:
        st.session_state[f"{key}.{kind}"] = starts[0]
    labels = {c.start: fmt.period(kind, c.start, lang) for c in cells}
    start = right.selectbox(
        t("mgr_which_period", lang), starts, format_func=labels.__getitem__, key=f"{key}.{kind}"
    )
    return kind, sel.PeriodCell(Period(kind), start)


def _widget(factory: Any, key: str, param: str, label: str, options: list[Any], show: Any) -> Any:
    if key not in st.session_state:
        st.session_state[key] = _param(param, options, options[0])
    elif st.session_state[key] not in options:
        st.session_state[key] = options[0]
    return factory(label, options, format_func=show, key=key)


def _write_params(survey_id: str, view: sel.View, kind: str) -> None:
    """The selection in the address bar, so that it can be bookmarked and shared between managers;
    a period as the first and last day of the whole period."""
    p = view.period
    wanted = {
        "f_survey": survey_id,
        "f_version": view.version,
        "f_lang": view.lang,
        "f_event": view.tag,
        "f_since": p.start.isoformat() if p else None,
        "f_until": p.end.isoformat() if p else None,
        "f_period": kind if kind != ALL_TIME else None,
    }
    for name, value in wanted.items():
        if value is None:
            if name in st.query_params:
                del st.query_params[name]
        elif st.query_params.get(name) != value:
            st.query_params[name] = value


def preview(found: dict[str, Survey]) -> None:
    """A button per published survey that opens it as a partner sees it, marked as a preview."""
    lang = session.lang()
    st.subheader(t("mgr_preview", lang))
    st.caption(t("mgr_preview_caption", lang))
    published = resources.published()
    for survey_id, survey in found.items():
        if survey_id not in published:
            continue
        if st.button(
            t("mgr_preview_button", lang, title=survey.title(lang)),
            key=f"preview.{survey_id}",
            icon=":material/visibility:",
        ):
            st.session_state[session.PREVIEW] = True
            session.start_new(survey_id)
            st.switch_page(START_PAGE, query_params={"survey": survey_id})


def count(n: int | None) -> str:
    from trp_core.presentation.dashboard_charts import count_text

    return count_text(n, session.lang())


def share(x: float | None) -> str:
    from trp_core.presentation.dashboard_charts import share_text

    return share_text(x, session.lang())


def decision(selected: sel.Selected) -> bool:
    """One sentence when the view shown is not the one asked for; False when nothing is shown."""
    lang = session.lang()
    k = selected.lattice.k
    if selected.withheld:
        st.warning(t("mgr_withheld", lang, k=k), icon=":material/group_off:")
        return False
    if selected.decision.outcome is sel.Outcome.COARSENED:
        st.info(
            t("mgr_coarsened", lang, k=k, shown=view_text(selected.view, lang)), icon=":material/zoom_out:"
        )
    return True


def enough(figures: Dashboard | Calibration) -> bool:
    """Whether the selection's figures can be shown: a note when there are none or too few, else the rule's caption."""
    lang = session.lang()
    if figures.total == 0:
        st.info(t("mgr_no_responses", lang))
        return False
    if figures.too_small:
        st.warning(t("mgr_too_small", lang, k=figures.k), icon=":material/group_off:")
        return False
    st.caption(t("mgr_rule", lang, k=figures.k))
    return True
