"""How fast is a malformed survey file refused?

Loads every file in tests/malformed/, plus a few generated ones too large to keep in the
repository, 20 times each, and prints the median time to the SurveyError per file, the
maximum overall, and whether every single load stayed under one second.

    PYTHONPATH=. .venv/bin/python bench/validate_speed.py [--pure-python]

--pure-python measures PyYAML's own parser, the fallback where libyaml is not installed.
The exit status is 1 when a load took a second or more, or when a file was not refused.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from trp_core import survey as survey_module
from trp_core.survey import MAX_FILE_BYTES, SurveyError, load_survey

ROOT = Path(__file__).resolve().parent.parent
MALFORMED = ROOT / "tests" / "malformed"
MINIMAL = MALFORMED / "valid" / "minimal.yaml"
RUNS = 20
LIMIT_S = 1.0


def generated(directory: Path) -> list[Path]:
    """Files too large for the repository."""
    base = MINIMAL.read_text(encoding="utf-8")
    flood = base + "flood: ["
    flood += "1," * ((MAX_FILE_BYTES - len(flood.encode()) - 3) // 2) + "1]\n"
    files = {
        # one byte over the limit
        "gen-over-1-mb.yaml": base + "#" * (MAX_FILE_BYTES + 1 - len(base.encode())),
        # 10 000 levels of nesting, as flow lists and as block lists
        "gen-nesting-10000-flow.yaml": f"id: deep\ndescription: {'[' * 10_000}1{']' * 10_000}\n",
        "gen-nesting-10000-block.yaml": "id: deep\ndescription:\n  " + "- " * 10_000 + "1\n",
        # the slowest a file under the limit can be: about 500 000 values for the parser to read
        "gen-500k-values-under-1-mb.yaml": flood,
    }
    paths = []
    for name, text in files.items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def measure(path: Path) -> tuple[list[float], list[float], str]:
    """Wall and CPU seconds of each run, and the first issue."""
    wall: list[float] = []
    cpu: list[float] = []
    first = ""
    for _ in range(RUNS):
        w0, c0 = time.perf_counter(), time.process_time()
        try:
            load_survey(path)
        except SurveyError as exc:
            first = str(exc.issues[0])
        else:
            return [], [], "NOT REFUSED: the file loaded"
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return wall, cpu, first


def main() -> int:
    if "--pure-python" in sys.argv[1:]:
        survey_module._FAST_PARSER = False
    parser = "libyaml" if survey_module._FAST_PARSER else "PyYAML (pure Python)"
    print(f"parser: {parser}; {RUNS} runs per file; times in ms (median of wall clock, median of CPU)")
    ok = True
    worst_wall = worst_median = 0.0
    worst_name = ""
    with tempfile.TemporaryDirectory() as tmp:
        files = sorted(p for p in MALFORMED.iterdir() if p.is_file()) + generated(Path(tmp))
        width = max(len(p.name) for p in files)
        print(f"{'file':<{width}}  {'median':>8}  {'cpu':>8}  {'max':>8}  first issue")
        for path in files:
            wall, cpu, first = measure(path)
            issue = first.split(":", 1)[1] if ":" in first else first
            if not wall:
                ok = False
                print(f"{path.name:<{width}}  {'-':>8}  {'-':>8}  {'-':>8}  {issue}")
                continue
            median = statistics.median(wall)
            print(
                f"{path.name:<{width}}  {median * 1000:8.1f}  {statistics.median(cpu) * 1000:8.1f}  "
                f"{max(wall) * 1000:8.1f}  {issue[:90]}"
            )
            worst_median = max(worst_median, median)
            if max(wall) > worst_wall:
                worst_wall, worst_name = max(wall), path.name
    print(f"files: {len(files)}; highest median {worst_median * 1000:.1f} ms")
    print(f"maximum overall: {worst_wall * 1000:.1f} ms ({worst_name})")
    under = worst_wall < LIMIT_S
    print(
        f"all {len(files)} files refused in under {LIMIT_S:g} s on every run: {'YES' if under and ok else 'NO'}"
        + ("" if ok else " (a file was not refused)")
    )
    return 0 if under and ok else 1


if __name__ == "__main__":
    sys.exit(main())
