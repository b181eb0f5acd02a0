"""The event file and the `trp event` commands."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.support.kiosk_events import SLUG, STAFF_PIN, write_events
from trp_core.files.events import load_events
from trp_core.method.survey import SurveyError


def trp(*args, stdin: str | None = None):
    return subprocess.run(
        [sys.executable, "-m", "trp_core.cli", *map(str, args)],
        capture_output=True, text=True, cwd=ROOT, input=stdin, timeout=60,
    )  # fmt: skip


def test_event_file_loads_and_checks_the_pin(tmp_path):
    event = load_events(write_events(tmp_path / "e.yaml"))[SLUG]
    assert event.survey == "trp-cloud" and event.idle_seconds == 90
    assert event.check_pin(STAFF_PIN) and not event.check_pin("0000") and not event.check_pin("")


def test_missing_event_file_means_no_events(tmp_path):
    assert load_events(tmp_path / "none.yaml") == {}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("idle_seconds: 90", "idle_seconds: 10"), "warning_seconds must be shorter than idle_seconds"),
        (("languages: [de, en]", "languages: [de, fr]"), "unknown language 'fr'"),
        (('staff_pin_hash: "$argon2id', 'staff_pin_hash: "plain'), "staff_pin_hash"),
        (("survey: trp-cloud", "survey: trp-cloud\n    colour: red"), "unknown key 'colour'"),
        (("slug: partnertag-2026", "slug: Partner Tag"), "slug"),
    ],
)
def test_bad_event_files_are_named(tmp_path, change, message):
    path = write_events(tmp_path / "e.yaml")
    path.write_text(path.read_text().replace(*change))
    with pytest.raises(SurveyError) as err:
        load_events(path)
    assert message in str(err.value) and str(path) in str(err.value)


def test_event_commands(tmp_path):
    path = write_events(tmp_path / "e.yaml")
    ok = trp("event", "validate", "--file", path)
    assert ok.returncode == 0 and f"{SLUG}: ok" in ok.stdout
    pin = trp("event", "pin", stdin="2468\n2468\n")
    assert pin.returncode == 0 and pin.stdout.strip().splitlines()[-1].startswith("$argon2id$")
    broken = tmp_path / "broken.yaml"
    broken.write_text("events: [")
    bad = trp("event", "validate", "--file", broken)
    assert bad.returncode == 1 and "YAML syntax error" in bad.stderr and "Traceback" not in bad.stderr
