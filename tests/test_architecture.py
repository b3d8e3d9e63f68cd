"""The layout keeps its promises: imports point down the data flow (import-linter's contracts in pyproject.toml),
no module grows past about 500 lines, and every module says what it is for."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 520  # "about 500": a module past this should be split by job
LINT = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(sys.argv[1], no_cache=True, no_logo=True))"


def lint_imports(project: Path) -> subprocess.CompletedProcess:
    """import-linter on a project folder's ``analysis`` package, with the contracts in its pyproject.toml."""
    return subprocess.run([sys.executable, "-c", LINT, str(project / "pyproject.toml")], check=False, cwd=project,
                          capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(project)})


def test_import_contracts_are_kept() -> None:
    run = lint_imports(ROOT)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "3 kept, 0 broken" in run.stdout


def lint_a_copy_with(tmp_path: Path, module: str, line: str) -> subprocess.CompletedProcess:
    """import-linter on a copy of the package where ``module`` (a path under analysis/) ends with ``line``."""
    copy = tmp_path / "project"
    shutil.copytree(ROOT / "analysis", copy / "analysis", ignore=shutil.ignore_patterns("models", "__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    target = copy / "analysis" / module
    target.write_text(target.read_text() + f"\n{line}\n")
    return lint_imports(copy)


def test_a_broken_layer_is_reported(tmp_path: Path) -> None:
    """The check itself can fail: a stage importing a run (upward) breaks the layers, and only them."""
    run = lint_a_copy_with(tmp_path, "themes/units.py", "from analysis.runs import analyze")
    assert run.returncode != 0
    assert "analysis.themes.units -> analysis.runs" in run.stdout
    assert "The analysis package holds no UI code KEPT" in run.stdout


def test_analysis_importing_streamlit_is_reported(tmp_path: Path) -> None:
    run = lint_a_copy_with(tmp_path, "io/roles.py", "import streamlit")
    assert run.returncode != 0
    assert "analysis.io.roles -> streamlit" in run.stdout


def _modules() -> list[Path]:
    return sorted(p for d in ("analysis", "ui") for p in (ROOT / d).rglob("*.py"))


def test_no_module_is_over_about_500_lines() -> None:
    long = {str(p.relative_to(ROOT)): n for p in _modules() if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not long, f"split these by job: {long}"


def test_every_module_says_what_it_is_for() -> None:
    missing = [str(p.relative_to(ROOT)) for p in _modules()
               if p.read_text().strip() and not ast.get_docstring(ast.parse(p.read_text()))]
    assert not missing, f"give these a first docstring line saying their job: {missing}"
