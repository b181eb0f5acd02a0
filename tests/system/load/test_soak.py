"""The soak in CI size: 12 sessions open for a minute, acting every few seconds.

No memory figure is asserted (that is for bench/soak.py's full run); every session must keep
working and the server's memory must have been sampled throughout.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.system.load.conftest import json_path, run_bench


def test_soak_sessions_keep_working(tmp_path: Path) -> None:
    out = json_path(tmp_path)
    args = ["--sessions", "12", "--minutes", "1", "--interval", "1-4", "--seed", "7", "--json", str(out)]
    result = run_bench("soak.py", args, timeout=600)
    assert out.exists(), result.stderr[-3000:]
    summary = json.loads(out.read_text())

    assert summary["failures"] == {}
    assert summary["failed_sessions"] == 0
    assert result.returncode in (0, 3)  # 3: only the growth target missed, not judged here
    samples = summary["samples"]
    assert len(samples) >= 6 and samples[-1][0] >= 60
    assert all(rss > 50 for _, rss in samples)
    # Every session interacted throughout, and the questionnaire was completed at least once.
    assert all(s["actions"] >= 5 for s in summary["soakers"])
    assert summary["submissions"] >= 1
