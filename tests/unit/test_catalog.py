"""What the app offers: the published surveys and the events, with unusable files left out and logged."""

from __future__ import annotations

import logging
import shutil

from tests.conftest import SURVEYS
from tests.support.kiosk_events import SLUG, write_events
from trp_core.services import catalog


def test_a_broken_survey_file_is_left_out_and_logged(tmp_path, caplog):
    shutil.copy(SURVEYS / "trp-cloud.yaml", tmp_path)
    (tmp_path / "broken.yaml").write_text("id: [")
    with caplog.at_level(logging.ERROR, logger="trp"):
        found = catalog.surveys(tmp_path)
    assert list(found) == ["trp-cloud"]
    assert "survey file not published" in caplog.text and "broken.yaml" in caplog.text


def test_only_the_wanted_surveys_are_offered_and_none_named_means_all():
    found = catalog.surveys(SURVEYS)
    assert list(catalog.offered(found, [])) == list(found)
    assert list(catalog.offered(found, ["trp-cloud", "no-such-survey"])) == ["trp-cloud"]


def test_an_unusable_event_file_means_no_events(tmp_path, caplog):
    assert SLUG in catalog.events(write_events(tmp_path / "events.yaml"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("events: 3")
    with caplog.at_level(logging.ERROR, logger="trp"):
        assert catalog.events(bad) == {}
    assert "event file not usable" in caplog.text
