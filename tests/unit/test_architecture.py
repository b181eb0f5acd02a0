"""The layers drawn in the README are the layers of the code: import-linter's contract and private names."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP_PACKAGES = ("trp_core", "pages")


def app_modules() -> list[Path]:
    return [p for pkg in APP_PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))] + [ROOT / "app.py"]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_the_import_contract_holds():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint is None:
        pytest.fail("lint-imports is missing: install the test extras (python3 dev.py test does)")
    run = subprocess.run([lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]


def private_imports(path: Path, name: str | None = None) -> list[str]:
    """`from app.module import _name` where the module is another module of the app."""
    name = name or module_name(path)
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in APP_PACKAGES:
            if node.module == name:
                continue
            found += [
                f"{name}:{node.lineno} {node.module}.{a.name}"
                for a in node.names
                if a.name.startswith("_") and not a.name.startswith("__")
            ]
    return found


def test_no_module_imports_a_private_name_of_another():
    found = [hit for path in app_modules() for hit in private_imports(path)]
    assert found == []


def test_the_private_name_check_finds_one(tmp_path):
    # The check above must be able to fail: a module importing another's private name is found.
    probe = tmp_path / "probe.py"
    probe.write_text("from trp_core.method.scoring import _hidden, shown\n")
    assert private_imports(probe, "trp_core.method.probe") == [
        "trp_core.method.probe:1 trp_core.method.scoring._hidden"
    ]
