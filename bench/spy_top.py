"""The functions on most of a py-spy profile's busy samples: shares on the stack and as the leaf.

Reads py-spy's raw output (`py-spy record --format raw`; the samples of threads that wait are left
out, see WAITS), optionally only the samples whose stack holds a frame matching `--under` (e.g.
`_run_script`, a script run of Streamlit's ScriptRunner), and prints the top functions with the
share of those samples that had them on the stack (inclusive) and as the running frame (leaf).

    .venv/bin/py-spy record --rate 200 --format raw --output out.txt --pid PID   # or -- COMMAND
    .venv/bin/python bench/spy_top.py out.txt [more.txt ...] [--under _run_script] [--top 30]
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def frame_name(frame: str) -> str:
    """'function (path/to/file.py:123)' -> 'function (file path without the line)'."""
    if " (" not in frame:
        return frame
    name, _, where = frame.partition(" (")
    path = where.rsplit(":", 1)[0].rstrip(")")
    for prefix in (str(ROOT) + "/", "/work/main/.venv/lib/python3.11/site-packages/"):
        path = path.replace(prefix, "")
    return f"{name} ({path})"


# Leaves of a thread that waits: py-spy here counted them as busy (its idle detection did not see
# them), so they are left out: a lock's or condition's wait, a selector's select, an executor's idle
# worker, and Streamlit's file watchers between two polls (a time.sleep in their task).
WAITS = (
    "Condition.wait (",
    "Event.wait (",
    "EpollSelector.select (",
    "_worker (concurrent/futures/thread.py",
    "PollingPathWatcher._schedule.<locals>.task (",
    "Queue.get (",
)


def top(
    files: list[Path], under: str | None = None, count: int = 30, waits: bool = False
) -> tuple[int, list[tuple[str, float, float]]]:
    inclusive: Counter[str] = Counter()
    leaf: Counter[str] = Counter()
    total = 0
    for path in files:
        for line in path.read_text(errors="replace").splitlines():
            stack, _, n = line.rpartition(" ")
            if not stack or not n.isdigit():
                continue
            frames = stack.split(";")
            if frames and frames[0].startswith(("thread (", "process ")):
                frames = frames[1:]
            if under is not None:
                at = next((i for i, f in enumerate(frames) if under in f), None)
                if at is None:
                    continue
                frames = frames[at:]
            names = [frame_name(f) for f in frames]
            if not waits and names and names[-1].startswith(WAITS):
                continue
            samples = int(n)
            total += samples
            for name in set(names):
                inclusive[name] += samples
            if names:
                leaf[names[-1]] += samples
    if not total:
        return 0, []
    return total, [(name, k / total, leaf[name] / total) for name, k in inclusive.most_common(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--under", help="only samples with a frame containing this text (and below it)")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--waits", action="store_true", help="keep the samples of waiting threads (WAITS)")
    args = parser.parse_args()
    total, rows = top(args.files, args.under, args.top, args.waits)
    print(f"{total} busy samples" + (f" under {args.under!r}" if args.under else ""))
    print(f"{'on stack':>8} {'leaf':>6}  function")
    for name, share, own in rows:
        print(f"{share * 100:7.1f}% {own * 100:5.1f}%  {name}")


if __name__ == "__main__":
    main()
