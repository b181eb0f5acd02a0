"""Kiosk mode on a shared tablet (1024×768): visitors one after another, the idle reset, the QR
code, the staff PIN."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.conftest import ROOT, SURVEYS
from tests.support.driver import Partner, screenshot, settle, widget
from tests.support.kiosk_events import STAFF_PIN, signed_query, write_events
from tests.support.server import TABLET, Server
from trp_core.files.surveys import load_survey
from trp_core.method.vocabulary import Quadrant
from trp_core.presentation.i18n import t
from trp_core.presentation.labels import quadrant_label

pytestmark = pytest.mark.browser

IDLE, WARNING = 14, 7


@pytest.fixture(scope="module")
def kiosk_server(tmp_path_factory, chromium):
    tmp = tmp_path_factory.mktemp("kiosk")
    events = write_events(tmp / "events.yaml", idle=IDLE, warning=WARNING, result=IDLE)
    srv = Server(tmp, env={"TRP_EVENTS_FILE": str(events)})
    yield srv
    srv.stop()


def fixture(outcome: str) -> dict:
    return json.loads((ROOT / "tests" / "answers" / f"trp-cloud.{outcome}.json").read_text())["answers"]


def open_tablet(browser, server):
    context = browser.new_context(viewport=TABLET, has_touch=True)
    page = context.new_page()
    page.goto(f"{server.url}/?{urlencode(signed_query(f'sqlite:///{server.db}'))}")
    settle(page)
    return context, page


def visitor_run(page, server, artifacts, lang: str, outcome: str, tag: str) -> str:
    survey = load_survey(SURVEYS / "trp-cloud.yaml")
    partner = Partner(page, server.url, survey, lang, artifacts, tag)
    page.get_by_role("button", name=t("kiosk_start", lang)).click()
    settle(page)
    answers = fixture(outcome)
    for i, section in enumerate(survey.ordered_sections):
        partner.answer_section(section, answers)
        if i == 0:
            partner.shot("step")
        partner.next()
    partner.set_figures(answers)
    partner.click_button(t("submit", lang))
    page.wait_for_selector("text=" + t("kiosk_qr", lang), timeout=30_000)
    settle(page)
    partner.shot("result-qr")
    return page.locator("code").filter(has_text="/result?code=").first.inner_text().strip()


def visible_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def widget_values(page) -> list[str]:
    """Every input's value and every checked option on the page."""
    values = page.eval_on_selector_all(
        "input, textarea", "els => els.map(e => (e.type === 'radio' || e.type === 'checkbox') ? "
        "(e.checked ? 'checked' : '') : e.value)"
    )  # fmt: skip
    # The language switch is the tablet's, not the visitor's.
    pressed = page.eval_on_selector_all(
        "[aria-checked='true']",
        "els => els.filter(e => !e.closest('[class*=\"st-key-langswitch\"]')).map(e => 'pressed: ' + e.innerText)",
    )
    return [v for v in values if v] + pressed


def test_two_visitors_in_a_row_share_nothing(browser, kiosk_server, artifacts):
    context, page = open_tablet(browser, kiosk_server)
    screenshot(page, artifacts / "kiosk-01-welcome.png")
    link = visitor_run(page, kiosk_server, artifacts, "de", "held", "kiosk-visitor1")
    code = parse_qs(urlsplit(link.replace("\n", "")).query)["code"][0]
    page.get_by_role("button", name=t("kiosk_done", "de")).click()
    settle(page)
    assert page.get_by_role("button", name=t("kiosk_start", "en")).is_visible()

    # The second visitor starts and sees nothing of the first: not in the text, not in a widget.
    page.get_by_role("button", name=t("kiosk_start", "en")).click()
    settle(page)
    assert code not in visible_text(page)
    assert widget_values(page) == []
    # Nor behind the browser's back button.
    for _ in range(6):
        page.go_back()
        settle(page)
        text = visible_text(page)
        assert code not in text
        assert t("kiosk_qr", "de") not in text
        assert widget_values(page) == [], page.url
    context.close()


def test_idle_tablet_warns_then_resets(browser, kiosk_server, artifacts):
    context, page = open_tablet(browser, kiosk_server)
    page.get_by_role("button", name=t("kiosk_start", "en")).click()
    settle(page)
    survey = load_survey(SURVEYS / "trp-cloud.yaml")
    first = survey.ordered_sections[0].questions[0]
    widget(page, f"en.{first.id}").locator("input").fill("140")
    warning = page.locator("#trp-idle-warning")
    warning.wait_for(state="visible", timeout=(IDLE + 5) * 1000)
    assert "Still there?" in warning.inner_text()
    page.screenshot(path=artifacts / "kiosk-03-warning.png")
    page.get_by_role("button", name=t("kiosk_start", "en")).wait_for(timeout=(WARNING + 10) * 1000)
    settle(page)
    assert "140" not in widget_values(page)
    screenshot(page, artifacts / "kiosk-04-after-reset.png")
    context.close()


# The visitor's phone is set to the other language: the link carries the one the visitor chose.
@pytest.mark.parametrize(("lang", "phone_locale"), [("en", "de-DE"), ("de", "en-US")])
def test_qr_link_opens_the_same_result_on_a_phone(browser, kiosk_server, artifacts, lang, phone_locale):
    context, page = open_tablet(browser, kiosk_server)
    link = visitor_run(page, kiosk_server, artifacts, lang, "kandidat", f"kiosk-qr-{lang}")
    assert link.startswith(kiosk_server.url) and link.endswith(f"&lang={lang}")
    qr = page.locator('[data-testid="stImage"]').filter(has_text=t("kiosk_qr_alt", lang)).locator("img")
    assert qr.count() == 1 and qr.first.bounding_box()["width"] >= 150  # the QR code, scannable size
    assert "code=" not in page.url  # the shared tablet's address holds no code
    context.close()

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale=phone_locale)
    mine = phone.new_page()
    mine.goto(link)
    settle(mine)
    survey = load_survey(SURVEYS / "trp-cloud.yaml")
    assert mine.get_by_text(quadrant_label(survey, Quadrant.KANDIDAT, lang), exact=True).first.is_visible()
    mine.get_by_role("button", name=t("pdf_button", lang)).wait_for(state="visible", timeout=30_000)
    assert mine.evaluate("() => document.documentElement.lang") == lang
    phone.close()


def test_staff_pin_leaves_kiosk_mode_and_a_wrong_one_does_not(browser, kiosk_server, artifacts):
    context, page = open_tablet(browser, kiosk_server)
    lang = "de"  # the tablet shows the event's first language
    page.get_by_role("button", name="Personal / Staff").click()
    settle(page)
    pin = page.get_by_label(t("kiosk_pin", lang))
    pin.fill("0000")
    page.get_by_role("button", name=t("kiosk_leave", lang)).click()
    settle(page)
    assert page.get_by_text(t("kiosk_pin_wrong", lang)).is_visible()
    assert page.get_by_role("button", name=t("kiosk_start", "de")).is_visible()
    pin.fill(STAFF_PIN)
    page.get_by_role("button", name=t("kiosk_leave", lang)).click()
    settle(page)
    assert page.get_by_role("button", name=t("kiosk_start", "de")).count() == 0
    assert page.get_by_role("button", name=t("start_button", lang)).is_visible()
    context.close()


def test_touch_targets_are_at_least_48_px(browser, kiosk_server):
    context, page = open_tablet(browser, kiosk_server)
    page.get_by_role("button", name=t("kiosk_start", "de")).click()
    settle(page)
    targets = (
        "button:not([disabled]), [data-testid='stRadioOption'], [data-testid='stNumberInputField'],"
        " [data-testid='stTextInputRootElement'] input"
    )
    small, fields = [], 0
    for step in range(4):  # number fields (typed as text), choices, then scales and yes/no buttons
        fields += page.locator("[data-testid='stTextInputRootElement'] input").count()
        small += page.eval_on_selector_all(
            targets,
            f"els => els.filter(e => e.offsetParent).map(e => [{step}, e.innerText.slice(0, 30) || e.value, "
            "e.getBoundingClientRect().height]).filter(([, , h]) => h < 48)",
        )
        page.get_by_role("button", name=t("next", "de"), exact=True).click()
        settle(page)
        anyway = page.get_by_role("button", name=t("next_anyway", "de"), exact=True)
        if anyway.count():
            anyway.click()
            settle(page)
    assert fields > 0, "no number field was measured"
    assert small == []
    context.close()
