"""The page "Events & campaigns" in Chromium, logged in: a manager makes a campaign, its signed link
opens the self-check and counts for the campaign; the campaign mix under the minimum-group rule;
screenshots at tablet and phone size in both languages."""

from __future__ import annotations

import os
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import SURVEYS
from tests.e2e.test_manager_pages_browser import assert_fits_a_phone, log_in, manager_database
from tests.store.manager.conftest import add, answers_for
from tests.support.driver import screenshot, settle
from tests.support.navigation import go
from tests.support.server import PHONE, TABLET, Server
from trp_core.files.surveys import load_survey
from trp_core.presentation.i18n import t
from trp_core.services import tags
from trp_core.services.demo import seed
from trp_core.store.engine import make_engine
from trp_core.store.models import FunnelCounter

pytestmark = pytest.mark.browser

# Where the screenshots of this page go besides the test artefacts (TRP_SHOTS, when set).
SHOTS = os.environ.get("TRP_SHOTS")


@pytest.fixture(scope="module")
def tagged_server(chromium, tmp_path_factory) -> Server:
    """An account, 300 untagged demo responses, two campaigns and an event with responses, a tiny fair."""
    folder = tmp_path_factory.mktemp("tags-page")
    engine, store, survey = manager_database(folder, 300, seed_value=5, pool=80)
    today = date.today()
    made = [
        ("campaign", "Newsletter März", "newsletter-maerz", None),
        ("campaign", "LinkedIn-Anzeigen Q1", "linkedin-q1", today + timedelta(days=40)),
        ("event", "Partnertag Köln 2026", "partnertag-koeln", today + timedelta(days=3)),
        ("event", "Tiny fair", "tiny-fair", None),
    ]
    for kind, name, slug, ends in made:
        tags.create(engine, kind=kind, name=name, survey=survey.id, slug=slug, lang="de" if kind == "event" else None,
                    starts_on=today - timedelta(days=60), ends_on=ends)  # fmt: skip
    seed(engine, [survey], 160, events=["newsletter-maerz"], days=50, seed=6, pool=60)
    seed(engine, [survey], 90, events=["linkedin-q1"], days=50, seed=7, pool=60)
    seed(engine, [survey], 40, events=["partnertag-koeln"], days=2, seed=8, pool=40)
    add(
        store,
        load_survey(SURVEYS / "trp-standard.yaml"),
        answers_for("trp-standard", "held"),
        3,
        event="tiny-fair",
    )
    tags.create(engine, kind="event", name="Hannover Messe 2025", survey=survey.id,
                starts_on=today - timedelta(days=400), ends_on=today - timedelta(days=380))  # fmt: skip
    engine.dispose()
    srv = Server(folder)
    yield srv
    srv.stop()


def go_to_tags(page, lang: str) -> None:
    go(page, "nav_tags", lang)
    page.wait_for_url("**/manage_tags*", timeout=30_000)
    page.get_by_role("heading", name=t("mgr_tags_title", lang)).wait_for(timeout=60_000)
    settle(page, 60_000)


def keep(page, artifacts: Path, name: str) -> None:
    screenshot(page, artifacts / name)
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        screenshot(page, Path(SHOTS) / name)


@pytest.mark.parametrize("lang", ["en", "de"])
def test_tags_page_makes_a_working_link_and_shows_the_mix(browser, tagged_server, artifacts, lang):
    context = browser.new_context(viewport=TABLET, locale=lang)
    page = context.new_page()
    log_in(page, tagged_server.url, lang)
    go_to_tags(page, lang)
    main = page.get_by_test_id("stMain")
    # The mix: the three tags with enough responses; the tiny fair's 3 wait (releases), named with the
    # tag that has none, so that the note does not tell which of them has some.
    page.get_by_test_id("stDataFrame").nth(1).wait_for(timeout=30_000)
    before, after = t("mgr_mix_waiting", lang, names="\0", k=5).split("\0")
    note = main.get_by_text(before, exact=False).first
    assert note.is_visible() and after in note.inner_text()
    assert "Hannover Messe 2025" in note.inner_text() and "Tiny fair" in note.inner_text()
    keep(page, artifacts, f"manage-tags-tablet-{lang}.png")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(600)
    keep(page, artifacts, f"manage-tags-phone-{lang}.png")
    assert_fits_a_phone(page, f"tags page ({lang})")
    page.set_viewport_size(TABLET)

    # A new campaign through the form; its link is the first code block afterwards.
    name = {"en": "Webinar April", "de": "Webinar April DE"}[lang]
    page.get_by_label(t("mgr_tag_kind", lang)).get_by_text(t("tag_kind_campaign", lang)).click()
    page.get_by_label(t("mgr_tag_name", lang), exact=True).fill(name)
    page.get_by_role("button", name=t("mgr_tag_create", lang)).click()
    settle(page, 60_000)
    assert main.get_by_text(t("mgr_tag_created", lang, name=name)).is_visible()
    link = main.locator("[data-testid=stCode] code").first.inner_text().strip()
    slug = tags.slugify(name)
    assert f"tag={slug}&sig=" in link and link.startswith(tagged_server.url)
    assert main.locator(f".st-key-tag-{slug} img[alt]").count() == 1, "its QR code, with a text alternative"

    # A partner opens the link and starts: the session counts for the new campaign.
    visitor = browser.new_context(viewport=PHONE, locale=lang)
    partner = visitor.new_page()
    partner.goto(link)
    settle(partner)
    partner.get_by_role("button", name=t("start_button", lang)).click()
    settle(partner)
    visitor.close()
    engine = make_engine(f"sqlite:///{tagged_server.db}")
    try:
        deadline = time.monotonic() + 10  # the server writes its counts in the background, within a moment
        while True:
            with engine.connect() as conn:
                counted = set(
                    conn.execute(select(FunnelCounter.event).where(FunnelCounter.event == slug)).scalars()
                )
            if counted or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert counted == {slug}
    finally:
        engine.dispose()
    context.close()
