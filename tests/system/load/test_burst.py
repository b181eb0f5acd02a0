"""The event burst in CI size: 10 protocol visitors and one Chromium context, 50 submissions.

bench/burst.py runs as it would by hand, on its own server and database; every acknowledged
submission must be stored exactly once, and no visitor may see an error.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.system.load.conftest import json_path, run_bench

SMALL = ["--visitors", "10", "--responses", "50", "--browsers", "1", "--pause", "0-0.05", "--seed", "7"]


def burst(tmp_path: Path, *args: str) -> dict:
    out = json_path(tmp_path)
    result = run_bench("burst.py", [*SMALL, *args, "--json", str(out)], timeout=900)
    assert out.exists(), result.stderr[-3000:]
    summary = json.loads(out.read_text())
    summary["returncode"] = result.returncode
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
    check(burst(tmp_path, "--db", "sqlite"))


@pytest.mark.browser
@pytest.mark.postgres
def test_burst_postgres(chromium: str, pg_admin: Engine, tmp_path: Path) -> None:
    url = pg_admin.url.render_as_string(hide_password=False)
    check(burst(tmp_path, "--db", "postgres", "--pg-url", url))
