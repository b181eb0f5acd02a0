"""A result that stays (AppTest): its address carries the code and the language, a reopened result comes
back in the language it was taken in, and the result page offers its link to copy or send."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

from tests.app.conftest import new_app
from tests.app.test_kiosk import open_kiosk
from tests.app.test_partner_flow import answer_step, fixture, run_through
from tests.conftest import SURVEYS
from trp_core.files.surveys import load_survey

RESULT = "pages/partner/result.py"


def submitted(lang: str, survey_id: str = "trp-standard"):
    """A session that has just submitted a 'kandidat' answer set in `lang`."""
    at = new_app(survey=survey_id, lang=lang)
    run_through(at, load_survey(SURVEYS / f"{survey_id}.yaml"), fixture(survey_id, "kandidat"))
    assert not at.exception
    return at


def titles(at) -> list[str]:
    return [title.value for title in at.title]


def test_after_submit_the_address_holds_the_code_and_the_language(app_db):
    at = submitted("de")
    result = at.session_state["trp.result"]
    assert at.query_params["code"] == result.code
    assert at.query_params["lang"] == "de"
    # Switching the language on the result page changes the address with it.
    at.segmented_control[0].set_value("en").run()
    assert at.query_params["code"] == result.code and at.query_params["lang"] == "en"
    assert "Your result" in titles(at)


def test_a_fresh_session_opens_the_code_in_the_language_it_was_taken_in(app_db):
    code = submitted("de").session_state["trp.result"].code
    later = new_app(page=RESULT, code=code)  # a browser in English, a link without ?lang=
    assert not later.exception
    assert later.session_state["trp.lang"] == "de"
    assert titles(later) == ["Ihr Ergebnis"]
    assert later.query_params["lang"] == "de"


def test_the_links_language_wins_over_the_stored_one(app_db):
    code = submitted("de").session_state["trp.result"].code
    later = new_app(page=RESULT, code=code.lower(), lang="en")
    assert not later.exception
    assert later.session_state["trp.lang"] == "en"
    assert "Your result" in titles(later)
    assert later.query_params["code"] == code  # the address in the code's canonical form


def test_the_code_form_opens_in_the_stored_language(app_db):
    code = submitted("en").session_state["trp.result"].code
    at = new_app(lang="de", page="pages/partner/start.py")
    at.text_input[0].input(code)
    at.button[-1].click().run()
    assert not at.exception
    assert at.session_state["trp.lang"] == "en"
    assert "Your result" in titles(at)
    assert at.query_params["code"] == code and at.query_params["lang"] == "en"


def test_the_result_page_offers_its_link_to_copy_and_to_send(app_db):
    at = submitted("de")
    code = at.session_state["trp.result"].code
    link = f"http://localhost:8501/result?code={code}&lang=de"
    assert link in [c.value for c in at.code]  # st.code: the link as text, with its copy button
    (controls,) = [h.proto.body for h in at.get("html") if 'class="trp-link"' in h.proto.body]
    assert f'data-link="{link.replace("&", "&amp;")}"' in controls
    assert "Link kopieren" in controls and "An mich senden" in controls
    mailto = controls.split('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    query = parse_qs(urlsplit(mailto).query)
    assert query["subject"] == ["Mein Ergebnis im Partner-Selbstcheck"]
    assert link in unquote(query["body"][0])
    assert code in unquote(query["body"][0])


def test_every_page_tells_the_browser_its_language(app_db):
    for lang in ("de", "en"):
        at = new_app(lang=lang)
        scripts = [h.proto.body for h in at.get("html") if 'data-trp="lang"' in h.proto.body]
        assert (
            len(scripts) == 1
            and f'<script data-trp="lang">document.documentElement.lang = "{lang}";</script>' in scripts[0]
        )


def test_a_wrong_code_in_the_address_gets_the_one_message(app_db):
    at = new_app(page=RESULT, code="AAAA-BBBB-CCCC-DDDD", lang="de")
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Zu diesem Code gibt es kein Ergebnis. Bitte prüfen Sie die Eingabe."
    ]


def test_the_kiosk_qr_link_carries_the_visitors_language(kiosk_db):
    survey = load_survey(SURVEYS / "trp-cloud.yaml")
    at = open_kiosk()
    at.button(key="kiosk.start.de").click().run()
    answers = fixture("trp-cloud", "kandidat")
    for section in survey.ordered_sections:
        answer_step(at, section, answers)
    at.button(key="submit").click().run()
    code = at.session_state["trp.result"].code
    assert [c.value for c in at.code] == [f"http://localhost:8501/result?code={code}&lang=de"]
    assert "code" not in at.query_params  # a shared tablet shows no code in its address
    # The visitor's phone, set to English, opens the link in German.
    phone = new_app(page=RESULT, code=code, lang="de")
    assert phone.session_state["trp.lang"] == "de" and titles(phone) == ["Ihr Ergebnis"]
