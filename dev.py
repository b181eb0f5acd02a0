#!/usr/bin/env python3
"""Set up .venv and run the app or the tests; needs nothing but Python 3.11 or newer.

python3 dev.py run           # the app on SQLite with the bundled surveys: http://localhost:8501
python3 dev.py test          # the whole test suite, on parallel workers (what CI runs)
python3 dev.py test --quick  # unit, store on SQLite and AppTest: no server, no browser, no PostgreSQL,
                             # no long property runs
python3 dev.py lint          # ruff check and ruff format --check

Other arguments of `test` go to pytest, e.g. `python3 dev.py test tests/unit -x` or `-m browser`.
The tests run on up to 4 pytest-xdist workers (one per core); `-n 1` or `-p no:xdist` runs them
in one process. The levels are markers given by folder (tests/conftest.py): unit, store, app,
e2e, system; and server, browser, postgres by what a test needs; slow for the long property runs
(the automated intruder, fuzzing). `--quick` is
`-m "not server and not browser and not postgres and not slow"`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed"


def setup() -> None:
    """Create .venv and install the project with its test extras, again when pyproject.toml changed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this script may be started by an older python3
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}")
    pyproject = ROOT / "pyproject.toml"
    if STAMP.exists() and STAMP.stat().st_mtime >= pyproject.stat().st_mtime:
        return
    if not (BIN / "python").exists():
        print("creating .venv …", flush=True)
        venv.create(VENV, with_pip=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    print("installing the project and its test tools into .venv …", flush=True)
    subprocess.run([*pip, "-e", f"{ROOT}[test]"], check=True, cwd=ROOT)
    STAMP.touch()


def test_arguments(rest: list[str]) -> list[str]:
    """pytest's arguments: --quick as its marker expression, and xdist workers unless told otherwise."""
    quick = "--quick" in rest
    args = [a for a in rest if a != "--quick"]
    if quick:
        args = ["-m", "not server and not browser and not postgres and not slow", *args]
    serial = ("--pdb", "--co", "--collect-only", "no:xdist")  # xdist would get in the way
    told = any(a.startswith(("-n", "--numprocesses")) or a in serial for a in args)
    if not told:
        # loadgroup: a module of e2e tests stays on one worker (its servers start once), and each
        # folder of system tests runs one test at a time (tests/conftest.py's xdist_group marks).
        workers = min(os.cpu_count() or 1, 4)
        args = ["-n", str(workers), "--dist", "loadgroup", *args]
    return args


def main() -> int:
    command, *rest = sys.argv[1:] or ["help"]
    if command not in ("run", "test", "lint"):
        print(__doc__)
        return 0 if command == "help" else 2
    setup()
    if command == "run":
        subprocess.run([str(BIN / "trp"), "validate", "surveys/"], check=True, cwd=ROOT)
        return subprocess.run([str(BIN / "streamlit"), "run", "app.py", *rest], cwd=ROOT).returncode
    if command == "test":
        return subprocess.run(
            [str(BIN / "python"), "-m", "pytest", *test_arguments(rest)], cwd=ROOT
        ).returncode
    checks = [[str(BIN / "ruff"), "check", "."], [str(BIN / "ruff"), "format", "--check", "."]]
    return max(subprocess.run(c, cwd=ROOT).returncode for c in checks)


if __name__ == "__main__":
    sys.exit(main())
