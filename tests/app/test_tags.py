"""Signed links of events and campaigns in the real app (AppTest): only a link the app made puts a tag on
a response; an unsigned, edited, unknown or expired one is ignored without a word. A manager makes a
tag on the page "Events & campaigns" and its link works."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from tests.app.conftest import new_app
from tests.app.test_manager_login import alice_hash, logged_in, manager_db  # noqa: F401  (fixtures)
from tests.app.test_partner_flow import fixture, run_through
from tests.conftest import SURVEYS
from tests.store.conftest import pg_admin  # noqa: F401  (a fixture)
from trp_core.files.surveys import load_survey
from trp_core.services import tags
from trp_core.store.engine import make_engine
from trp_core.store.migrate import upgrade
from trp_core.store.models import FunnelCounter, Response

SURVEY = "trp-standard"


@pytest.fixture
def engine(app_db):
    engine = make_engine(app_db)
    upgrade(engine)
    yield engine
    engine.dispose()


def query_of(link: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(link).query))


def answer(query: dict[str, str], survey_id: str = SURVEY) -> AppTest:
    """A partner opens the link and answers the survey through to the result."""
    at = new_app(**{"lang": "en", **query})
    assert not at.exception
    assert not at.info and not at.warning and not at.error, "a tag link never says anything"
    run_through(at, load_survey(SURVEYS / f"{survey_id}.yaml"), fixture(survey_id, "held"))
    assert at.session_state["trp.result"] is not None and not at.exception
    return at


def stored_events(engine) -> list[str | None]:
    with engine.connect() as conn:
        return conn.execute(select(Response.event)).scalars().all()


def counted_events(engine) -> set[str]:
    from pages.components import resources

    resources.flush_counts()  # written in the background, within a moment
    with engine.connect() as conn:
        return set(conn.execute(select(FunnelCounter.event)).scalars())


def make(engine, slug: str, **extra) -> tags.TagRow:
    return tags.create(engine, kind="campaign", name=slug, survey=SURVEY, slug=slug, **extra)


def test_a_signed_link_stores_its_tag(engine):
    tag = make(engine, "newsletter-maerz")
    answer(query_of(tags.link(engine, tag, "http://x")))
    assert stored_events(engine) == ["newsletter-maerz"]
    assert counted_events(engine) == {"newsletter-maerz"}


@pytest.mark.parametrize(
    "query",
    [
        {"survey": SURVEY, "event": "tiny-fair"},  # the old unsigned link
        {"survey": SURVEY, "tag": "tiny-fair"},  # no signature
        {"survey": SURVEY, "tag": "tiny-fair", "sig": "A" * 22},  # a made-up one
        {"survey": SURVEY, "tag": "no-such-fair", "sig": "A" * 22},  # an unknown tag
    ],
)
def test_a_tagged_link_without_a_valid_signature_stores_an_untagged_response(engine, query):
    make(engine, "tiny-fair")
    answer(query)
    assert stored_events(engine) == [None]
    assert counted_events(engine) == {""}


def test_a_signed_link_with_an_edited_tag_is_ignored(engine):
    big, tiny = make(engine, "big-fair"), make(engine, "tiny-fair")
    signed = query_of(tags.link(engine, big, "http://x"))
    answer({**signed, "tag": tiny.slug})  # big-fair's signature on tiny-fair
    assert stored_events(engine) == [None]
    assert query_of(tags.link(engine, tiny, "http://x"))["sig"] != signed["sig"]


def test_a_signed_link_of_another_survey_tags_nothing(engine):
    """The signature binds the survey: a visitor who answers another survey is not counted for the tag."""
    cloud = tags.create(engine, kind="event", name="Cloud day", survey="trp-cloud")
    signed = query_of(tags.link(engine, cloud, "http://x"))
    answer({**signed, "survey": SURVEY})
    assert stored_events(engine) == [None]


def test_an_expired_or_ended_tag_is_ignored(engine):
    today = date.today()
    old = make(engine, "last-year", starts_on=today - timedelta(days=30), ends_on=today - timedelta(days=1))
    later = make(engine, "next-month", starts_on=today + timedelta(days=30))
    ended = make(engine, "ended-early")
    tags.end(engine, ended.slug)
    for tag in (old, later, ended):
        answer(query_of(tags.link(engine, tag, "http://x")))
    assert stored_events(engine) == [None, None, None]


def test_manager_creates_a_tag_in_the_page_and_its_link_works(manager_db):  # noqa: F811
    at = logged_in()
    at.switch_page("pages/manager/tags.py").run()
    assert not at.exception and [x.value for x in at.title] == ["Events & campaigns"]
    at.radio(key="tags.kind").set_value("campaign")
    at.text_input(key="tags.name").input("Partner Day Köln 2026")
    at.selectbox(key="tags.survey").set_value(SURVEY)
    at.button(key="tags.create").click().run()
    assert not at.exception and not at.error
    assert any("Partner Day Köln 2026" in i.value for i in at.info)
    links = [c.value for c in at.code if "sig=" in c.value]
    assert links and "tag=partner-day-koeln-2026" in links[0]
    assert any(
        "data:image/png;base64," in h.proto.body and 'alt="' in h.proto.body for h in at.get("html")
    ), "the QR code of the link, with a text alternative"
    engine = make_engine(manager_db)
    try:
        answer(query_of(links[0]))
        assert stored_events(engine) == ["partner-day-koeln-2026"]
        # Ended on the page, the same link tags nothing any more.
        at.button(key="tags.end.partner-day-koeln-2026").click().run()
        assert not at.exception
        assert tags.status(tags.find(engine, "partner-day-koeln-2026")) is tags.TagStatus.ENDED
        answer(query_of(links[0]))
        assert sorted(stored_events(engine), key=str) == [None, "partner-day-koeln-2026"]
    finally:
        engine.dispose()


def test_the_page_refuses_a_taken_slug_and_bad_dates(manager_db):  # noqa: F811
    at = logged_in()
    at.switch_page("pages/manager/tags.py").run()
    shown = []
    for name, ends in (
        ("Expo", None),
        ("Expo", None),
        ("Later", date.today() - timedelta(days=3)),
        ("", None),
    ):
        at.text_input(key="tags.name").input(name)
        at.date_input(key="tags.ends").set_value(ends)
        at.button(key="tags.create").click().run()
        assert not at.exception
        shown.append([e.value for e in at.error])
    problems = ["mgr_tag_problem_taken", "mgr_tag_problem_dates", "mgr_tag_problem_name"]
    assert shown == [[], *([tags_text(key)] for key in problems)]


def tags_text(key: str) -> str:
    from trp_core.presentation.i18n import t

    return t(key, "en")


def test_a_kiosk_tablet_runs_the_survey_of_its_signed_link(kiosk_db):
    """The tag is the source of truth: its survey runs on the tablet, so the responses carry the tag."""
    from tests.support.kiosk_events import SLUG, signed_query

    at = new_app(**signed_query(kiosk_db, survey=SURVEY))  # the event file says trp-cloud
    assert at.session_state["trp.kiosk"] == SLUG
    at.button(key="kiosk.start.en").click().run()
    assert at.session_state["trp.survey"] == SURVEY and not at.exception


def test_the_page_lists_the_event_files_events_with_their_kiosk_link(manager_db, tmp_path, monkeypatch):  # noqa: F811
    """An event of the kiosk tablets' file becomes a tag when the page opens; its signed kiosk link works."""
    from tests.support.kiosk_events import SLUG, write_events

    monkeypatch.setenv("TRP_EVENTS_FILE", str(write_events(tmp_path / "events.yaml")))
    at = logged_in()
    at.switch_page("pages/manager/tags.py").run()
    assert not at.exception
    kiosk_links = [c.value for c in at.code if "kiosk=1" in c.value]
    assert len(kiosk_links) == 1 and f"tag={SLUG}&sig=" in kiosk_links[0]
    tablet = new_app(**query_of(kiosk_links[0]))
    assert tablet.session_state["trp.kiosk"] == SLUG and not tablet.exception
