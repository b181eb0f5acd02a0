"""Events and campaigns: make one, get its signed link and QR code, end it; and what each one brings
(its funnel and quadrant mix per tag group, the dashboard's own figures: trp_core.services.campaigns)."""

import base64
import html
from datetime import date

import streamlit as st

from pages.components import auth, kiosk, resources, session
from pages.components import manage as m
from trp_core.method.vocabulary import Quadrant
from trp_core.presentation.formatting import day as format_day
from trp_core.presentation.i18n import t
from trp_core.presentation.labels import quadrant_name
from trp_core.services import campaigns, tags
from trp_core.services.tags import TagKind, TagProblem, TagRow, TagStatus

m.begin()
lang = session.lang()
st.title(t("mgr_tags_title", lang))
st.write(t("mgr_tags_lead", lang))
engine = m.engine()
surveys = resources.published()
events = resources.events()  # the kiosk tablets' settings, by slug
public_url = resources.settings().public_url
NEW = "tags.new"  # slug of the tag made in this session's last form


def day_text(day: date) -> str:
    return format_day(day, lang)


def kind_text(kind: str) -> str:
    return t(f"tag_kind_{kind}", lang)


with m.database_errors():
    stored = tags.all_tags(engine)
    if set(events) - {tag.slug for tag in stored}:  # every event of the event file is a tag too
        tags.adopt(engine, events)
        stored = tags.all_tags(engine)


def new_tag() -> None:
    """The form that makes a tag; afterwards its link is at the top of the list."""
    with st.form("tags.form", border=True):
        st.markdown(f"**{t('mgr_tags_new', lang)}**")
        kind = st.radio(
            t("mgr_tag_kind", lang), list(TagKind), format_func=kind_text, horizontal=True, key="tags.kind"
        )
        name = st.text_input(
            t("mgr_tag_name", lang),
            max_chars=tags.NAME_MAX,
            placeholder=t("mgr_tag_name_hint", lang),
            key="tags.name",
        )
        ids = list(surveys)
        survey = st.selectbox(
            t("mgr_survey", lang),
            ids,
            format_func=lambda i: f"{surveys[i].title(lang)} ({i})",
            key="tags.survey",
        )
        left, right = st.columns(2)
        starts_on = left.date_input(
            t("mgr_tag_starts", lang), value="today", format="YYYY-MM-DD", key="tags.starts"
        )
        ends_on = right.date_input(t("mgr_tag_ends", lang), value=None, format="YYYY-MM-DD", key="tags.ends")
        link_lang = st.selectbox(
            t("mgr_tag_lang", lang),
            [None, "de", "en"],
            format_func=lambda c: {"de": "Deutsch", "en": "English"}.get(
                c or "", t("mgr_tag_lang_any", lang)
            ),
        )
        slug = st.text_input(
            t("mgr_tag_slug", lang), max_chars=64, help=t("mgr_tag_slug_help", lang), key="tags.slug"
        )
        made = st.form_submit_button(
            t("mgr_tag_create", lang), type="primary", icon=":material/add_link:", key="tags.create"
        )
    if not made:
        return
    try:
        with m.database_errors():
            row = tags.create(
                engine, kind=kind, name=name, survey=survey, surveys=surveys, slug=slug, lang=link_lang,
                starts_on=starts_on, ends_on=ends_on,
            )  # fmt: skip
    except TagProblem as problem:
        st.error(t(f"mgr_tag_problem_{problem.code}", lang))
        return
    st.session_state[NEW] = row.slug
    session.notify(t("mgr_tag_created", lang, name=row.name))
    st.rerun()


def facts(tag: TagRow) -> str:
    """Kind, survey, period and the link's language in one line."""
    survey = surveys.get(tag.survey_id)
    parts = [kind_text(tag.kind), survey.title(lang) if survey else tag.survey_id]
    if tag.starts_on and tag.ends_on:
        parts.append(t("mgr_tag_from_to", lang, since=day_text(tag.starts_on), until=day_text(tag.ends_on)))
    elif tag.starts_on:
        parts.append(t("mgr_tag_from", lang, since=day_text(tag.starts_on)))
    elif tag.ends_on:
        parts.append(t("mgr_tag_until", lang, until=day_text(tag.ends_on)))
    if tag.lang:
        parts.append({"de": "Deutsch", "en": "English"}[tag.lang])
    return " · ".join(parts)


def status_text(tag: TagRow, state: TagStatus) -> str:
    day = {
        TagStatus.UPCOMING: tag.starts_on,
        TagStatus.EXPIRED: tag.ends_on,
        TagStatus.ENDED: tag.ended_on,
    }.get(state)
    return t(f"tag_status_{state.value}", lang, day=day_text(day) if day else "")


def show(tag: TagRow, state: TagStatus) -> None:
    """One open or upcoming tag: its facts, its signed link and QR code, and the button that ends it."""
    with st.container(border=True, key=f"tag-{tag.slug}"):
        icon = ":material/campaign:" if tag.kind == TagKind.CAMPAIGN else ":material/event:"
        st.markdown(f"#### {icon} {tag.name}")
        st.caption(f"{facts(tag)} · **{status_text(tag, state)}**")
        with m.database_errors():
            link = tags.link(engine, tag, public_url)
        text, code = st.columns([3, 1], vertical_alignment="top")
        with text:
            st.markdown(f"**{t('mgr_tag_link', lang)}**")
            st.code(link, language=None, wrap_lines=True)
            if tag.slug in events:
                with m.database_errors():
                    tablet = tags.link(engine, tag, public_url, kiosk=True)
                st.markdown(f"**{t('mgr_tag_kiosk_link', lang)}**")
                st.code(tablet, language=None, wrap_lines=True)
        with code:
            png = kiosk.qr_png(link)
            # As an <img> with a text alternative (st.image gives none); the data URL needs no request.
            alt = html.escape(t("mgr_tag_qr_caption", lang))
            source = "data:image/png;base64," + base64.b64encode(png).decode()
            st.html(f'<img src="{source}" alt="{alt}" width="150" height="150">')
            st.download_button(
                t("mgr_tag_qr", lang), auth.guarded_download(lambda png=png: png, "image/png", f"{tag.slug}-qr.png"),
                file_name=f"{tag.slug}-qr.png", mime="image/png",
                icon=":material/qr_code_2:", key=f"tags.qr.{tag.slug}", on_click="ignore",
            )  # fmt: skip
        with st.popover(t("mgr_tag_end", lang), icon=":material/event_busy:"):
            st.write(t("mgr_tag_end_confirm", lang, name=tag.name))
            if st.button(t("mgr_tag_end_yes", lang), key=f"tags.end.{tag.slug}", type="primary"):
                with m.database_errors():
                    tags.end(engine, tag.slug)
                session.notify(t("mgr_tag_ended", lang, name=tag.name))
                st.rerun()


def listing() -> None:
    today = date.today()
    states = {tag.slug: tags.status(tag, today) for tag in stored}
    current = [tag for tag in stored if states[tag.slug] in (TagStatus.OPEN, TagStatus.UPCOMING)]
    closed = [tag for tag in stored if tag not in current]
    newest = st.session_state.get(NEW)
    current.sort(key=lambda tag: tag.slug != newest)  # the one just made first
    st.subheader(t("mgr_tags_current", lang))
    if not current:
        st.info(t("mgr_tags_none", lang))
    for tag in current:
        show(tag, states[tag.slug])
    if closed:
        with st.expander(t("mgr_tags_closed", lang, n=len(closed))):
            for tag in closed:
                st.markdown(
                    f"**{tag.name}** (`{tag.slug}`)  \n{facts(tag)} · {status_text(tag, states[tag.slug])}"
                )


def group_name(row: campaigns.CampaignRow) -> str:
    """A tag group as the dashboard's filter offers it, with the tags' names: "Expo", "Expo + other events"."""
    names = {tag.slug: tag.name for tag in row.tags}
    special = {"none": t("mgr_no_event", lang), "other": t("mgr_other_tags", lang)}
    return " + ".join(special.get(part, names.get(part, part)) for part in row.group.parts)


def mix() -> None:
    """Per tag group as the dashboard offers it: the funnel and the quadrant mix, the dashboard's own
    figures for that group (trp_core.services.campaigns)."""
    st.subheader(t("mgr_mix_title", lang))
    st.write(t("mgr_mix_lead", lang))
    with m.database_errors():
        found = campaigns.campaign_mix(engine, surveys)
    st.caption(t("mgr_rule", lang, k=found.k))
    if not found.rows:
        st.info(t("mgr_mix_none", lang, k=found.k))
        return
    funnel, quadrants = [], []
    names = {q: quadrant_name(q, lang, "internal") for q in Quadrant}
    several = len({row.survey_id for row in found.rows}) > 1
    for row in found.rows:
        name = group_name(row)
        if several:
            survey = surveys.get(row.survey_id)
            name = f"{name} ({survey.title(lang) if survey else row.survey_id})"
        funnel.append(
            {
                t("mgr_col_tag", lang): name,
                t("mgr_tag_kind", lang): kind_text(row.kind) if row.kind else "",
                t("mgr_started", lang): m.count(row.started),
                t("mgr_completed", lang): m.count(row.completed),
                t("mgr_completion", lang): m.share(row.completion),
            }
        )
        mix_row = {t("mgr_col_tag", lang): name, t("mgr_responses", lang): m.count(row.responses)}
        for q in Quadrant:
            n = row.quadrants[q]
            mix_row[names[q]] = m.count(n) if not n else f"{m.count(n)} ({m.share(row.share(q))})"
        quadrants.append(mix_row)
    st.markdown(f"**{t('mgr_mix_funnel', lang)}**")
    st.dataframe(funnel, hide_index=True, width="stretch")
    st.markdown(f"**{t('mgr_quadrants', lang)}**")
    st.dataframe(quadrants, hide_index=True, width="stretch")
    if found.noise:
        st.caption(t("mgr_noise_note", lang, d=found.noise))
    if found.small:
        st.caption(t("mgr_mix_small", lang, n=found.small, k=found.k))
    if found.unanswered:  # no response published yet: none given, or fewer than k so far
        names = ", ".join(sorted(tag.name for tag in found.unanswered))
        st.caption(t("mgr_mix_waiting", lang, names=names, k=found.k))


new_tag()
listing()
st.divider()
mix()
