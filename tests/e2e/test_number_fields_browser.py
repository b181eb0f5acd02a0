"""German numbers on a German phone in Chromium: what a partner types into a number field and a
calculator field, the messages for what they do not take, and no English Enter hint over the fields."""

from __future__ import annotations

import pytest

from tests.conftest import SURVEYS
from tests.support.driver import Partner, settle, widget
from tests.support.server import PHONE
from trp_core.files.surveys import load_survey
from trp_core.presentation.i18n import t

pytestmark = pytest.mark.browser

LANG = "de"


@pytest.fixture
def partner(browser, server, artifacts):
    survey = load_survey(SURVEYS / "trp-classic.yaml")
    context = browser.new_context(viewport=PHONE, locale="de-DE", has_touch=True, is_mobile=True)
    partner = Partner(context.new_page(), server.url, survey, LANG, artifacts, "numbers-phone-de")
    partner.open()
    partner.start()
    yield partner
    context.close()


def field(partner: Partner, name: str):
    return widget(partner.page, f"{LANG}.{name}").locator("input")


def message(partner: Partner, name: str) -> str:
    box = widget(partner.page, f"{LANG}.{name}")
    following = box.locator("xpath=following-sibling::div[1]")
    text = following.inner_text().strip() if following.count() else ""
    return text.removeprefix("error").strip()  # the icon is a ligature: its name is its text


def enter_hint_shown(page) -> bool:
    hints = page.locator('[data-testid="InputInstructions"]').filter(has_text="Enter")
    return any(hint.is_visible() for hint in hints.all())


def in_view(partner: Partner, name: str) -> bool:
    return partner.page.evaluate(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
                      return r.top >= 0 && r.bottom <= window.innerHeight; }""",
        f'div.stElementContainer[class*="-{LANG}-{name} "]',
    )


def test_number_fields_take_german_numbers_and_say_what_is_wrong(partner):
    page = partner.page
    # Typing in a form field shows no "Press Enter to submit form" over the next field.
    field(partner, "active_customers").click()
    field(partner, "active_customers").press_sequentially("1.200")
    assert not enter_hint_shown(page)
    field(partner, "reference_customers").fill("1 200")  # more than 1.000
    field(partner, "budget_holder_meetings").fill("25")  # more than 20
    page.get_by_role("button", name=t("next", LANG), exact=True).click()
    settle(page)
    assert in_view(partner, "reference_customers"), "the page scrolls to the first wrong field"
    page.screenshot(path=partner.shots / "numbers-phone-de-00-scrolled-to-field.png")
    partner.shot("refused-step")

    assert page.get_by_text(t("fix_marked", LANG)).is_visible()
    assert message(partner, "reference_customers").startswith("1.200 ist größer als 1.000.")
    assert message(partner, "budget_holder_meetings") == (
        "25 ist größer als 20. Bitte geben Sie eine ganze Zahl zwischen 0 und 20 ein, z. B. 12."
    )
    assert message(partner, "active_customers") == ""
    # Nothing typed is lost.
    assert field(partner, "active_customers").input_value() == "1.200"
    assert field(partner, "budget_holder_meetings").input_value() == "25"

    field(partner, "reference_customers").fill("1,5")  # not a whole number of customers
    field(partner, "budget_holder_meetings").fill("12")
    page.get_by_role("button", name=t("next", LANG), exact=True).click()
    settle(page)
    assert message(partner, "reference_customers").startswith("1,5 ist keine ganze Zahl.")
    field(partner, "reference_customers").fill("1 000")
    partner.next()  # and on past the open questions
    assert field(partner, "sales_fte").count(), "the next step"
    field(partner, "sales_fte").fill("1,5")
    partner.next()
    while not page.get_by_role("button", name=t("submit", LANG), exact=True).count():
        partner.next()

    # The calculator: German figures, and a message for one that is out of range.
    deals = field(partner, "deals_per_month")
    assert deals.input_value() == "1,5"  # the survey's default, in German
    deals.fill("2,5")
    deals.press("Tab")
    settle(page)
    investment = field(partner, "investment")
    investment.fill("1.200")
    investment.press("Tab")
    settle(page)
    costs = field(partner, "fixed_costs_per_month")
    costs.fill("1 200")
    costs.press("Tab")
    settle(page)
    first = field(partner, "first_deal_month")
    first.click()
    first.press_sequentially("5")  # "45": typed behind the default 4
    assert not enter_hint_shown(page)
    first.press("Tab")
    settle(page)
    assert message(partner, "first_deal_month").startswith("45 ist größer als 24.")
    page.get_by_role("button", name=t("submit", LANG), exact=True).click()
    settle(page)
    assert in_view(partner, "first_deal_month")
    partner.shot("refused-calculator")
    assert page.get_by_text(t("fix_marked", LANG)).is_visible()
    assert page.get_by_text(t("code_line", LANG)).count() == 0

    first.fill("6")
    first.press("Tab")
    settle(page)
    assert message(partner, "first_deal_month") == ""
    assert field(partner, "investment").input_value() == "1.200"
    page.get_by_role("button", name=t("submit", LANG), exact=True).click()
    page.wait_for_selector("text=" + t("code_line", LANG), timeout=30_000)
