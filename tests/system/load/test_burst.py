"""The event burst in CI size: 10 protocol visitors and one Chromium context, 50 submissions.

The burst of bench/burst.py (tests/support/burst.py), on its own server and database; every
acknowledged submission must be stored exactly once, and no visitor may see an error.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.conftest import in_own_thread
from tests.support.burst import Burst, run

SMALL = Burst(db="sqlite", visitors=10, responses=50, browsers=1, pause=(0.0, 0.05), seed=7)


def burst(tmp_path: Path, **changes: Any) -> dict:
    outcome = in_own_thread(run, replace(SMALL, **changes), tmp_path)
    print(f"{outcome.where}; server log {outcome.server_log}")  # shown by pytest on failure
    summary = outcome.summary
    summary["returncode"] = 0 if summary["ok"] else 1  # bench/burst.py's exit status
    return summary


def check(summary: dict) -> None:
    assert summary["visitor_errors"] == {}
    assert summary["failures"] == {}
    assert summary["acknowledged"] == summary["stored"] == 50
    assert summary["missing"] == summary["unacknowledged_rows"] == 0
    assert summary["duplicates"] == 0
    assert summary["wrong_survey_or_language"] == 0
    # Both drivers took part: the browser claims its first submission before it starts.
    assert summary["per_driver"]["browser"]["acknowledged"] >= 1
    assert summary["per_driver"]["protocol"]["acknowledged"] >= 1
    assert summary["returncode"] == 0


@pytest.mark.browser
def test_burst_sqlite(chromium: str, tmp_path: Path) -> None:
    check(burst(tmp_path, db="sqlite"))


@pytest.mark.browser
@pytest.mark.postgres
def test_burst_postgres(chromium: str, pg_admin: Engine, tmp_path: Path) -> None:
    url = pg_admin.url.render_as_string(hide_password=False)
    check(burst(tmp_path, db="postgres", pg_url=url))
