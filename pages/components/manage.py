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
    filters: sel.Filters
    survey: Survey  # the content whose thresholds and sections the figures use
    versions: list[Survey]  # every stored content in the selection, for the export's columns
    period: Period


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


def selection(
    engine: Engine, page: str, *, any_version: bool = True, period: bool = False
) -> Selection | None:
    """The filter widgets (initial values may come from the URL); None when there is no survey."""
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
        bottom = st.columns([1, 1.5, 1.5] if period else [1, 2])  # room for „Monat | Kalenderwoche“
        event = _widget(
            bottom[0].selectbox,
            f"{key}.event.{survey_id}",
            "f_event",
            t("mgr_event", lang),
            [ALL, *choices.events],
            lambda v: (
                t("mgr_all_events", lang)
                if v == ALL
                else (t("mgr_no_event", lang) if v == sel.NO_EVENT else v)
            ),
        )
        since, until = _dates(bottom[1], f"{key}.dates.{survey_id}", choices)
        chosen_period = Period.MONTH
        if period:
            chosen_period = (
                _widget(
                    bottom[2].segmented_control,
                    f"{key}.period",
                    "f_period",
                    t("mgr_period", lang),
                    [Period.MONTH, Period.WEEK],
                    lambda p: t("mgr_week" if p is Period.WEEK else "mgr_month", lang),
                )
                or Period.MONTH
            )
    filters = sel.Filters(
        survey=survey_id,
        version=None if version == ALL else version,
        lang=None if language == ALL else language,
        event=None if event == ALL else event,
        since=since,
        until=until,
    )
    _write_params(filters, chosen_period if period else None)
    with database_errors():
        shown, contents = sel.contents(resources.store(), found[survey_id], filters.version)
    return Selection(filters, shown, contents, chosen_period)


def _widget(factory: Any, key: str, param: str, label: str, options: list[Any], fmt: Any) -> Any:
    if key not in st.session_state:
        st.session_state[key] = _param(param, options, options[0])
    elif st.session_state[key] not in options:
        st.session_state[key] = options[0]
    return factory(label, options, format_func=fmt, key=key)


def _dates(where: Any, key: str, choices: sel.Choices) -> tuple[date | None, date | None]:
    first, last = choices.first_day, choices.last_day
    if first is None or last is None:
        return None, None
    if key not in st.session_state:
        since, until, adjusted = sel.date_range(
            st.query_params.get("f_since"), st.query_params.get("f_until"), first, last
        )
        if adjusted:
            st.info(t("mgr_dates_adjusted", session.lang(), first=first.isoformat(), last=last.isoformat()))
        st.session_state[key] = (since, until)
    else:  # responses may have been deleted since: the picker refuses a day outside its range
        kept = st.session_state[key]
        kept = tuple(kept) if isinstance(kept, list | tuple) else (kept,)
        inside = tuple(min(max(d, first), last) for d in kept if isinstance(d, date))
        if inside != kept:
            st.session_state[key] = inside
    value = where.date_input(
        t("mgr_dates", session.lang()), min_value=first, max_value=last, key=key, format="YYYY-MM-DD"
    )
    picked = list(value) if isinstance(value, list | tuple) else [value]
    since = picked[0] if picked else None
    until = picked[1] if len(picked) > 1 else None
    return since, until


def _write_params(filters: sel.Filters, period: Period | None) -> None:
    """The selection in the address bar, so that it can be bookmarked and shared between managers."""
    wanted = {
        "f_survey": filters.survey,
        "f_version": filters.version,
        "f_lang": filters.lang,
        "f_event": filters.event,
        "f_since": filters.since.isoformat() if filters.since else None,
        "f_until": filters.until.isoformat() if filters.until else None,
        "f_period": period.value if period else None,
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
