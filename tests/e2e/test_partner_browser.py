"""A partner's whole run in Chromium at tablet and phone size, in both languages."""

from __future__ import annotations

import io
import json
from urllib.parse import unquote, urlparse

import pytest
from pypdf import PdfReader

from tests.conftest import ROOT, SURVEYS
from tests.support.driver import Partner, screenshot, settle
from tests.support.server import PHONE, TABLET
from trp_core.files.surveys import load_survey
from trp_core.method.vocabulary import Quadrant
from trp_core.presentation.i18n import t
from trp_core.presentation.labels import partner_meaning, quadrant_label

pytestmark = pytest.mark.browser


def fixture(survey_id: str, outcome: str) -> dict:
    return json.loads((ROOT / "tests" / "answers" / f"{survey_id}.{outcome}.json").read_text())["answers"]


def axe_problems(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} – {len(v['nodes'])} nodes"
        for v in results.response["violations"]
        if v["impact"] in ("critical", "serious")
    ]


RUNS = [
    ("tablet-en", TABLET, "en", "trp-standard", "kandidat"),
    ("phone-de", PHONE, "de", "trp-cloud", "held"),
    ("tablet-de", TABLET, "de", "trp-classic", "vampir"),
    ("phone-en", PHONE, "en", "trp-standard", "schatten"),
]


@pytest.mark.parametrize(("tag", "viewport", "lang", "survey_id", "outcome"), RUNS, ids=[r[0] for r in RUNS])
def test_full_run(browser, server, artifacts, tag, viewport, lang, survey_id, outcome):
    survey = load_survey(SURVEYS / f"{survey_id}.yaml")
    context = browser.new_context(viewport=viewport, accept_downloads=True, locale=lang)
    page = context.new_page()
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).hostname or request.url[:20]))
    partner = Partner(page, server.url, survey, lang, artifacts, tag)
    partner.open()
    partner.run_through(fixture(survey_id, outcome))

    label = quadrant_label(survey, Quadrant(outcome), lang)
    assert page.get_by_text(label, exact=True).first.is_visible()
    assert page.get_by_text(partner_meaning(Quadrant(outcome), lang)).first.is_visible()
    assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 3
    code = partner.result_code()
    assert len(code) == 19

    with page.expect_download() as download:
        page.get_by_role("button", name=t("pdf_button", lang)).click()
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert " ".join(label.split()) in " ".join(text.split())
    assert code in text

    assert hosts == {"127.0.0.1"}, f"requests went to {hosts}"
    context.close()


def test_result_reopens_by_code_in_a_fresh_context(browser, server, artifacts):
    survey = load_survey(SURVEYS / "trp-cloud.yaml")
    first = browser.new_context(viewport=TABLET)
    partner = Partner(first.new_page(), server.url, survey, "en", artifacts, "reopen")
    partner.open()
    partner.run_through(fixture("trp-cloud", "kandidat"), shoot=False)
    code = partner.result_code()
    first.close()

    fresh = browser.new_context(viewport=PHONE)
    page = fresh.new_page()
    page.goto(f"{server.url}/result?code={code}&lang=en")
    settle(page)
    label = quadrant_label(survey, Quadrant.KANDIDAT, "en")
    page.get_by_text(label, exact=True).first.wait_for(state="visible", timeout=30_000)
    page.get_by_text(code).first.wait_for(state="visible", timeout=30_000)
    page.screenshot(path=artifacts / "reopen-phone-result.png", full_page=True)
    # The typed route on the start page works as well, with the code in lower case and spaces.
    page.goto(f"{server.url}/?lang=en")
    opener = page.get_by_text(t("reopen_title", "en"))
    opener.wait_for(state="visible", timeout=30_000)  # the start page's first run is drawn
    settle(page)
    opener.click()
    field = page.get_by_label(t("reopen_label", "en"))
    field.wait_for(state="visible", timeout=30_000)
    typed = code.lower().replace("-", " ")
    field.fill(typed)
    assert field.input_value() == typed
    page.get_by_role("button", name=t("reopen_button", "en")).click()
    settle(page)
    heading = page.get_by_text(label, exact=True).first
    try:
        heading.wait_for(state="visible", timeout=30_000)
    except Exception as missing:
        page.screenshot(path=artifacts / "reopen-typed-failed.png", full_page=True)
        raise AssertionError(
            f"no result after the typed code; the page reads: {page.inner_text('body')[:600]}"
        ) from missing
    fresh.close()


def test_accessibility_of_start_step_and_result(browser, server, artifacts):
    survey = load_survey(SURVEYS / "trp-standard.yaml")
    context = browser.new_context(viewport=TABLET)
    page = context.new_page()
    partner = Partner(page, server.url, survey, "de", artifacts, "axe")
    partner.open()
    problems = {"start": axe_problems(page)}
    partner.start()
    problems["step"] = axe_problems(page)
    answers = fixture("trp-standard", "held")
    for section in survey.ordered_sections:
        partner.answer_section(section, answers)
        partner.next()
    partner.click_button(t("submit", "de"))
    page.wait_for_selector("text=" + t("code_line", "de"))
    settle(page)
    problems["result"] = axe_problems(page)
    context.close()
    assert problems == {"start": [], "step": [], "result": []}


def html_lang(page) -> str:
    return page.evaluate("() => document.documentElement.lang")


def link_box(page, lang: str):
    """The result's 'keep it' box: the code, the link, and its copy and send controls."""
    return page.locator('[data-testid="stVerticalBlock"]').filter(has_text=t("link_line", lang)).last


def test_a_result_stays_on_reload_back_and_in_a_fresh_context(browser, server, artifacts):
    survey = load_survey(SURVEYS / "trp-cloud.yaml")
    label = {lang: quadrant_label(survey, Quadrant.KANDIDAT, lang) for lang in ("de", "en")}
    context = browser.new_context(viewport=PHONE, locale="de-DE", has_touch=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    page = context.new_page()
    partner = Partner(page, server.url, survey, "de", artifacts, "link")
    partner.open()
    partner.run_through(fixture("trp-cloud", "kandidat"), shoot=False)
    code = partner.result_code()
    link = f"{server.url}/result?code={code}&lang=de"
    assert page.url == link
    assert html_lang(page) == "de"

    # The link as text, copied by its button, and in the mail "send to myself" writes.
    box = link_box(page, "de")
    box.scroll_into_view_if_needed()
    box.screenshot(path=artifacts / "link-phone-de-box.png")
    assert link in box.locator("pre code").inner_text()
    box.get_by_role("button", name=t("link_copy", "de")).click()
    box.get_by_text(t("link_copied", "de")).wait_for(state="visible", timeout=10_000)
    box.screenshot(path=artifacts / "link-phone-de-copied.png")
    assert page.evaluate("() => navigator.clipboard.readText()") == link
    mailto = box.get_by_role("link", name=t("link_mail", "de")).get_attribute("href")
    assert mailto.startswith("mailto:?subject=") and link in unquote(mailto)

    # A reload keeps the result and its language.
    page.reload()
    settle(page)
    page.get_by_text(label["de"], exact=True).first.wait_for(state="visible", timeout=30_000)
    assert html_lang(page) == "de" and page.url == link

    # Away to the profile page and back with the browser's back button.
    page.get_by_role("link", name=t("profile_link", "de")).first.click()
    settle(page)
    assert "/profile" in page.url
    page.go_back()
    settle(page)
    page.get_by_text(label["de"], exact=True).first.wait_for(state="visible", timeout=30_000)
    assert page.url == link
    context.close()

    # A fresh browser in English opens the link without ?lang= in the result's language...
    fresh = browser.new_context(viewport=PHONE, locale="en-US")
    other = fresh.new_page()
    other.goto(f"{server.url}/result?code={code}")
    settle(other)
    other.get_by_text(label["de"], exact=True).first.wait_for(state="visible", timeout=30_000)
    assert html_lang(other) == "de" and other.url == link
    # ...and in English when the link says so.
    other.goto(f"{server.url}/result?code={code}&lang=en")
    settle(other)
    other.get_by_text(label["en"], exact=True).first.wait_for(state="visible", timeout=30_000)
    assert html_lang(other) == "en"
    box = link_box(other, "en")
    box.scroll_into_view_if_needed()
    box.screenshot(path=artifacts / "link-phone-en-box.png")
    screenshot(other, artifacts / "link-phone-en-result.png")
    fresh.close()


@pytest.mark.parametrize("lang", ["de", "en"])
def test_html_lang_follows_the_page_language(browser, server, lang):
    other = {"de": "en", "en": "de"}[lang]
    context = browser.new_context(viewport=TABLET, locale={"de": "de-DE", "en": "en-US"}[other])
    page = context.new_page()
    page.goto(f"{server.url}/?lang={lang}")
    settle(page)
    assert html_lang(page) == lang
    # The language switch changes it without a reload.
    switch = page.locator(f'[class*="st-key-langswitch-{lang}"] button')
    switch.filter(has_text={"de": "Deutsch", "en": "English"}[other]).click()
    settle(page)
    assert html_lang(page) == other
    context.close()
