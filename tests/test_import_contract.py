"""The import contract in pyproject.toml holds, and it would catch the knots it exists for.

A copy of the package with one bad import added must break the contract: a cycle between core
and providers (the knot ``providers/base.py`` once tied), and Qt outside ``ui/`` and ``app.py``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = "import sys; from importlinter.cli import lint_imports_command as c; sys.exit(c())"


def lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree), "COLUMNS": "300"}  # one contract a line
    return subprocess.run(
        [sys.executable, "-c", LINT, "--no-cache", "--config", str(ROOT / "pyproject.toml")],
        cwd=tree, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    shutil.copytree(
        ROOT / "dialer_gui", tmp_path / "dialer_gui", ignore=shutil.ignore_patterns("__pycache__")
    )
    return tmp_path


def test_the_tree_keeps_the_contract() -> None:
    done = lint(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "BROKEN" not in done.stdout


def _add_line(path: Path, line: str) -> None:
    text = path.read_text(encoding="utf-8")
    marker = "from __future__ import annotations\n"
    path.write_text(text.replace(marker, marker + line + "\n", 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        (
            "providers/base.py",
            "from dialer_gui.core.numbers import parse_number  # noqa",
            "Rooms are layered",
        ),
        ("core/policy.py", "import PySide6.QtCore  # noqa", "Qt only in ui/ and app.py"),
        ("ipc.py", "import httpx  # noqa", "hand-off path"),
        ("core/events.py", "from dialer_gui.core import dialer  # noqa", "No import cycles"),
    ],
)
def test_a_bad_import_breaks_it(copy: Path, module: str, line: str, broken: str) -> None:
    _add_line(copy / "dialer_gui" / module, line)
    done = lint(copy)
    assert done.returncode != 0
    assert any(broken in row and "BROKEN" in row for row in done.stdout.splitlines()), done.stdout
