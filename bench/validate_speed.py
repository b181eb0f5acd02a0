"""How fast is a malformed survey file refused?

Loads every file in tests/malformed/, plus a few generated ones too large to keep in the
repository, 20 times each, and prints the median time to the SurveyError per file, the
maximum overall, and whether every single load stayed under one second.

    PYTHONPATH=. .venv/bin/python bench/validate_speed.py [--pure-python]

--pure-python measures PyYAML's own parser, the fallback where libyaml is not installed.
The exit status is 1 when a required file took a second or more, or was not refused.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from trp_core.files import yaml_reader
from trp_core.files.surveys import MAX_FILE_BYTES, load_survey
from trp_core.method.survey import SurveyError

ROOT = Path(__file__).resolve().parent.parent
MALFORMED = ROOT / "tests" / "malformed"
MINIMAL = MALFORMED / "valid" / "minimal.yaml"
RUNS = 20
LIMIT_S = 1.0


def generated(directory: Path) -> tuple[list[Path], list[Path]]:
    """Files too large for the repository: the required cases, and an extra worst case."""
    base = MINIMAL.read_text(encoding="utf-8")
    flood = base + "flood: ["
    flood += "1," * ((MAX_FILE_BYTES - len(flood.encode()) - 3) // 2) + "1]\n"
    required = {
        # one byte over the limit
        "gen-over-1-mb.yaml": base + "#" * (MAX_FILE_BYTES + 1 - len(base.encode())),
        # 10 000 levels of nesting, as flow lists and as block lists
        "gen-nesting-10000-flow.yaml": f"id: deep\ndescription: {'[' * 10_000}1{']' * 10_000}\n",
        "gen-nesting-10000-block.yaml": "id: deep\ndescription:\n  " + "- " * 10_000 + "1\n",
    }
    # The slowest a file under the size limit can be: about 500 000 values for the parser to
    # read before the unknown key around them is reported.
    extra = {"gen-500k-values-under-1-mb.yaml": flood}
    groups = []
    for files in (required, extra):
        paths = []
        for name, text in files.items():
            path = directory / name
            path.write_text(text, encoding="utf-8")
            paths.append(path)
        groups.append(paths)
    return groups[0], groups[1]


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


def run(title: str, files: list[Path]) -> bool:
    """Print one line per file and a summary; True when every run of every file was refused in time."""
    print(f"\n{title}")
    width = max(len(p.name) for p in files)
    print(f"{'file':<{width}}  {'median':>8}  {'cpu':>8}  {'max':>8}  first issue")
    refused = True
    worst_wall = worst_median = 0.0
    worst_name = ""
    for path in files:
        wall, cpu, first = measure(path)
        issue = first.split(":", 1)[1] if ":" in first else first
        if not wall:
            refused = False
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
    in_time = worst_wall < LIMIT_S
    print(f"highest median: {worst_median * 1000:.1f} ms")
    print(f"maximum overall: {worst_wall * 1000:.1f} ms ({worst_name})")
    verdict = "YES" if in_time and refused else "NO"
    note = "" if refused else " (a file was not refused)"
    print(f"all {len(files)} files refused in under {LIMIT_S:g} s on every run: {verdict}{note}")
    return in_time and refused


def main() -> int:
    if "--pure-python" in sys.argv[1:]:
        yaml_reader._FAST_PARSER = False
    parser = "libyaml" if yaml_reader._FAST_PARSER else "PyYAML (pure Python)"
    print(f"parser: {parser}; {RUNS} runs per file")
    print(
        "median and max: wall clock ms; cpu: median CPU ms of this process (what machine load does not inflate)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        required, extra = generated(Path(tmp))
        files = sorted(p for p in MALFORMED.iterdir() if p.is_file()) + required
        ok = run("Required: tests/malformed/, a file over 1 MB, 10 000 levels of nesting", files)
        run("Extra, for information: the slowest file under the size limit", extra)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
