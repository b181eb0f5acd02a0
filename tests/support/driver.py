"""A prospective partner in the browser: answers a survey as in an answers file, by clicking."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page

from trp_core.method.breakeven import FRACTION_INPUTS
from trp_core.method.scoring import DONT_KNOW
from trp_core.method.survey import (
    ChoiceQuestion,
    NumberQuestion,
    ScaleQuestion,
    Survey,
    TextQuestion,
    YesNoQuestion,
)
from trp_core.presentation.formatting import plain
from trp_core.presentation.i18n import t


def settle(page: Page, timeout: float = 30_000) -> None:
    """Wait until the app has finished its current run (and no new one started right after)."""
    idle = '[data-testid="stApp"][data-test-script-state="notRunning"]'
    page.wait_for_timeout(150)
    for _ in range(2):  # a page switch or st.rerun starts a second run just after the first
        page.wait_for_selector(idle, timeout=timeout)
        page.wait_for_timeout(200)
    page.wait_for_selector(idle, timeout=timeout)


def screenshot(page: Page, path: Path) -> None:
    """The whole page: Streamlit scrolls inside its main element, so grow the viewport to fit it."""
    size = page.viewport_size
    height = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(height, 12000))})
    page.wait_for_timeout(400)
    page.screenshot(path=path)
    page.set_viewport_size(size)
    page.wait_for_timeout(200)


def widget_selector(key: str) -> str:
    """CSS selector of the element container of the widget whose key ends with `key`."""
    return f'div.stElementContainer[class*="-{key.replace(".", "-")} "]'


def widget(page: Page, key: str) -> Locator:
    """The element container of the widget whose key ends with `key` (keys carry a generation)."""
    return page.locator(widget_selector(key)).first


class Partner:
    def __init__(self, page: Page, base_url: str, survey: Survey, lang: str, shots: Path, tag: str):
        self.page, self.base_url, self.survey, self.lang = page, base_url, survey, lang
        self.shots, self.tag, self.count = shots, tag, 0

    def shot(self, name: str) -> Path:
        self.count += 1
        path = self.shots / f"{self.tag}-{self.count:02d}-{name}.png"
        screenshot(self.page, path)
        return path

    def open(self, **query: str) -> None:
        params = "&".join(
            f"{k}={v}" for k, v in {"survey": self.survey.id, "lang": self.lang, **query}.items()
        )
        self.page.goto(f"{self.base_url}/?{params}")
        settle(self.page)

    def click_button(self, label: str) -> None:
        self.page.get_by_role("button", name=label, exact=True).first.click()
        settle(self.page)

    def start(self) -> None:
        self.click_button(t("start_button", self.lang))

    def answer(self, q: Any, value: Any) -> None:
        lang = self.lang
        box = widget(self.page, f"{lang}.{q.id}")
        if value == DONT_KNOW and isinstance(q, NumberQuestion):
            widget(self.page, f"{lang}.{q.id}.dk").get_by_text(t("dont_know", lang), exact=True).click()
            return
        if isinstance(q, ChoiceQuestion):
            label = t("dont_know", lang) if value == DONT_KNOW else q.option(value).label(lang)
            box.get_by_text(label, exact=True).click()
        elif isinstance(q, ScaleQuestion | YesNoQuestion):
            if value == DONT_KNOW:
                label = t("dont_know", lang)
            elif isinstance(q, YesNoQuestion):
                label = t("yes" if value else "no", lang)
            else:
                label = str(value)
            box.get_by_role("radio", name=label, exact=True).click()
        elif isinstance(q, NumberQuestion):
            field = box.locator("input")
            field.fill(plain(value, lang))  # as the page's language writes it: "1,5" in German
            field.press("Tab")
        elif isinstance(q, TextQuestion):
            box.locator("textarea").fill(value)

    def answer_section(self, section: Any, answers: dict[str, Any]) -> None:
        for q in section.questions:
            if q.id in answers:
                self.answer(q, answers[q.id])

    def next(self) -> None:
        self.click_button(t("next", self.lang))
        anyway = self.page.get_by_role("button", name=t("next_anyway", self.lang), exact=True)
        if anyway.count():
            anyway.click()
            settle(self.page)

    def set_figures(self, answers: dict[str, Any], only_changed: bool = False) -> None:
        """Type each figure of `answers` into the calculator; `only_changed`: leave a field that
        already shows it (a default, or the figure taken from an answer) as a partner would."""
        for name in self.survey.calculator.asked:
            if name not in answers:
                continue
            value = answers[name] * 100 if name in FRACTION_INPUTS else answers[name]
            field = widget(self.page, f"{self.lang}.{name}").locator("input")
            if only_changed and field.input_value() == plain(value, self.lang):
                continue
            field.fill(plain(value, self.lang))
            field.press("Tab")
            settle(self.page)

    def run_through(self, answers: dict[str, Any], shoot: bool = True) -> None:
        """From the start page to the result, answering every section and the calculator."""
        if shoot:
            self.shot("start")
        self.start()
        for section in self.survey.ordered_sections:
            self.answer_section(section, answers)
            if shoot:
                self.shot(f"step-{section.id}")
            self.next()
        self.set_figures(answers)
        if shoot:
            self.shot("calculator")
        self.click_button(t("submit", self.lang))
        self.page.wait_for_selector("text=" + t("code_line", self.lang), timeout=30_000)
        settle(self.page)
        if shoot:
            self.shot("result")

    def result_code(self) -> str:
        text = self.page.locator("code").filter(has_text="-").first.inner_text()
        return text.strip()
