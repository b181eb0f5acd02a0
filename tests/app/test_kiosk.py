"""Kiosk mode in the real app (AppTest): welcome, event tag, the reset, the staff PIN."""

from __future__ import annotations

from sqlalchemy import create_engine, select

from tests.app.conftest import new_app
from tests.app.test_partner_flow import answer_step, fixture, run_through
from tests.conftest import SURVEYS
from tests.support.kiosk_events import SLUG, STAFF_PIN, signed_query
from trp_core.files.surveys import load_survey
from trp_core.method.vocabulary import Quadrant
from trp_core.services.throttle import PIN


def open_kiosk(**extra):
    """A tablet opened with the tag's signed kiosk link (`?tag=…&sig=…&kiosk=1`)."""
    from trp_core.settings import get_settings

    return new_app(**signed_query(get_settings().database_url), **extra)


def test_welcome_in_both_languages_without_navigation(kiosk_db):
    at = open_kiosk()
    assert not at.exception
    labels = [b.label for b in at.button]
    assert "Auf Deutsch starten" in labels and "Start in English" in labels
    assert at.session_state["trp.kiosk"] == SLUG and at.session_state["trp.event"].slug == SLUG
    assert not at.text_input  # no code box, no survey choice on a shared tablet


def test_a_visitors_run_carries_the_event_and_done_clears_everything(kiosk_db):
    from trp_core.store.models import Response

    survey = load_survey(SURVEYS / "trp-cloud.yaml")
    at = open_kiosk()
    at.button(key="kiosk.start.en").click().run()
    assert at.session_state["trp.lang"] == "en" and at.session_state["trp.survey"] == "trp-cloud"
    # The kiosk start button already began the questionnaire: answer it as on any device.
    answers = fixture("trp-cloud", "kandidat")
    for section in survey.ordered_sections:
        answer_step(at, section, answers)
    at.button(key="submit").click().run()
    result = at.session_state["trp.result"]
    assert result.assessment.quadrant is Quadrant.KANDIDAT
    assert any(result.code in c.value for c in at.code)  # the link behind the QR code, as text
    assert len(at.image) == 1  # the QR code
    with create_engine(kiosk_db).connect() as conn:
        assert conn.execute(select(Response.event)).scalars().all() == [SLUG]

    generation = at.session_state["trp.gen"]
    at.button(key="kiosk.done").click().run()
    assert at.session_state["trp.gen"] == generation + 1
    for key in ("trp.answers", "trp.result", "trp.submission", "trp.step", "trp.survey"):
        assert key not in at.session_state
    assert at.session_state["trp.kiosk"] == SLUG
    assert "Start in English" in [b.label for b in at.button]
    page_text = " ".join(m.value for m in at.markdown)
    assert result.code not in page_text


def rendered(at) -> str:
    return " ".join(str(x.value) for x in (*at.markdown, *at.caption, *at.text, *at.code))


def test_kiosk_result_has_no_link_that_leaves_the_tablet(kiosk_db):
    """Finding 8: the vendor's web and mail links are plain text on a shared tablet; the QR code stays."""
    survey = load_survey(SURVEYS / "trp-cloud.yaml")
    contact = survey.contact
    assert contact is not None and contact.email and contact.url
    normal = new_app(survey="trp-cloud", lang="en")
    run_through(normal, survey, fixture("trp-cloud", "held"))
    assert f"mailto:{contact.email}" in rendered(normal), "outside kiosk mode the links are there"

    at = open_kiosk()
    at.button(key="kiosk.start.en").click().run()
    for section in survey.ordered_sections:
        answer_step(at, section, fixture("trp-cloud", "held"))
    at.button(key="submit").click().run()
    assert at.session_state["trp.result"] is not None and len(at.image) == 1, "the QR code stays"
    shown = rendered(at)
    assert "mailto:" not in shown and f"]({contact.url}" not in shown and "](http" not in shown
    assert contact.email in shown and contact.url in shown, "the contact is still readable"
    assert all("](" not in x.value for x in at.markdown if contact.email in x.value or contact.url in x.value)


def test_kiosk_tablet_opens_no_result_codes(kiosk_db):
    survey = load_survey(SURVEYS / "trp-standard.yaml")
    normal = new_app(survey="trp-standard", lang="en")
    run_through(normal, survey, fixture("trp-standard", "held"))
    code = normal.session_state["trp.result"].code
    at = open_kiosk()
    at.query_params["code"] = code
    at.switch_page("pages/partner/result.py").run()
    assert "trp.result" not in at.session_state
    assert not any(code in m.value for m in at.markdown)


def test_staff_pin_leaves_kiosk_mode_and_a_wrong_pin_does_not(kiosk_db):
    at = open_kiosk()
    at.button(key="kiosk.staff").click().run()
    at.text_input(key="kiosk.pin.value").input("0000")
    at.button(key="kiosk.pin.submit").click().run()
    assert at.error and at.session_state["trp.kiosk"] == SLUG
    at.text_input(key="kiosk.pin.value").input(STAFF_PIN)
    at.button(key="kiosk.pin.submit").click().run()
    assert "trp.kiosk" not in at.session_state
    assert not at.exception


def wrong_pins(at, times: int) -> list[str]:
    errors = []
    for _ in range(times):
        at.text_input(key="kiosk.pin.value").input("1234")
        at.button(key="kiosk.pin.submit").click().run()
        errors.append(at.error[0].value)
    return errors


def test_wrong_pins_are_throttled(kiosk_db):
    at = open_kiosk()
    at.button(key="kiosk.staff").click().run()
    errors = wrong_pins(at, PIN.free + 2)
    assert errors[0].startswith("Die PIN ist falsch") or errors[0].startswith("The PIN is wrong")
    assert any("Too many attempts" in e or "Zu viele Versuche" in e for e in errors[PIN.free :])
    # Even the right PIN waits while throttled.
    at.text_input(key="kiosk.pin.value").input(STAFF_PIN)
    at.button(key="kiosk.pin.submit").click().run()
    assert at.session_state["trp.kiosk"] == SLUG


def test_an_unsigned_or_unknown_kiosk_link_is_ignored_silently(kiosk_db):
    """The old unsigned kiosk link, an unknown tag, a signature of another tag: no kiosk, no tag, no word."""
    signed = signed_query(kiosk_db)
    for query in (
        {"event": SLUG, "kiosk": "1"},
        {"tag": SLUG, "kiosk": "1"},
        {"tag": "no-such-event", "sig": signed["sig"], "kiosk": "1"},
        {"tag": SLUG, "sig": signed["sig"][:-1] + ("A" if signed["sig"][-1] != "A" else "B"), "kiosk": "1"},
    ):
        at = new_app(lang="en", **query)
        assert not at.exception
        assert "trp.kiosk" not in at.session_state and "trp.event" not in at.session_state, query
        assert not at.info and not at.warning and not at.error, query
        assert [b.label for b in at.button if b.key == "start"], "the normal start page"


def test_pin_throttle_outlives_new_sessions_and_emptied_caches(kiosk_db):
    """Finding 6: a new session, or emptying Streamlit's caches, gave a guesser fresh tries."""
    import streamlit as st

    first = open_kiosk()
    first.button(key="kiosk.staff").click().run()
    wrong_pins(first, PIN.free + 1)
    st.cache_resource.clear()
    st.cache_data.clear()
    other = open_kiosk()
    other.button(key="kiosk.staff").click().run()
    other.text_input(key="kiosk.pin.value").input(STAFF_PIN)
    other.button(key="kiosk.pin.submit").click().run()
    assert other.session_state["trp.kiosk"] == SLUG, "still in kiosk mode: the event's PIN is held"
    assert "Too many attempts" in other.error[0].value or "Zu viele Versuche" in other.error[0].value
