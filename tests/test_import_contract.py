"""The import contract of pyproject.toml ([tool.importlinter]): kept by the code, and able to fail.

`lint-imports` runs in a subprocess from the directory it checks (it reads that directory's pyproject.toml and finds
`govhall` there), once on this checkout and once on a copy with one violation of each contract."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

LAYERS = "Apps are layered: an app imports only apps below it"
CASE_ACTIONS = "Case actions: 即办件 and time limits use intake and processing"
NO_CYCLES = "No import cycle between sibling modules anywhere in govhall"


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8", "COLUMNS": "200"},
    )


def test_the_code_keeps_the_contract() -> None:
    run = lint_imports(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    for name in (LAYERS, CASE_ACTIONS, NO_CYCLES):
        assert name in run.stdout
    assert "3 kept, 0 broken" in run.stdout


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_each_contract_fails_on_a_violation(tmp_path: Path) -> None:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(
        ROOT / "govhall",
        tmp_path / "govhall",
        ignore=shutil.ignore_patterns("__pycache__", "static", "templates", "locale"),
    )
    package = tmp_path / "govhall"
    # A lower layer reaching up, from inside a function: import-linter counts it all the same.
    _append(
        package / "cases" / "jobs.py",
        "\n\ndef _up() -> None:\n    from govhall.stats.refresh import refresh_facts  # noqa: F401\n",
    )
    # Processing importing intake (which imports processing).
    _append(
        package / "cases" / "actions" / "processing.py",
        "\nfrom .intake import accept_case  # noqa: E402,F401\n",
    )
    # A cycle inside one app, which the layers between apps cannot see.
    _append(
        package / "workflow" / "schema.py",
        "\n\ndef _back() -> None:\n    from .validation import validate_spec  # noqa: F401\n",
    )

    run = lint_imports(tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "0 kept, 3 broken" in run.stdout
    assert "govhall.cases.jobs -> govhall.stats.refresh" in run.stdout
    assert "govhall.cases.actions.processing -> govhall.cases.actions.intake" in run.stdout
    assert "No cycles are allowed in govhall.workflow." in run.stdout
