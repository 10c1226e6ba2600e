"""One script for people and CI: lint, types, the import contract, then the whole test suite.

The import contract is ``[tool.importlinter]`` in pyproject.toml (docs/architecture.md shows the
rooms it keeps apart).

.venv/bin/python scripts/check.py            # everything
.venv/bin/python scripts/check.py -m "not slow"   # extra args go to pytest
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(title: str, cmd: list[str]) -> int:
    print(f"== {title}: {' '.join(cmd)}", flush=True)
    return subprocess.call(cmd, cwd=ROOT)


def main() -> int:
    py = sys.executable
    failed = []
    if run("ruff check", [py, "-m", "ruff", "check", "."]):
        failed.append("ruff check")
    if run("ruff format", [py, "-m", "ruff", "format", "--check", "."]):
        failed.append("ruff format")
    if run("mypy", [py, "-m", "mypy"]):
        failed.append("mypy")
    contract = "import sys; from importlinter.cli import lint_imports_command as c; sys.exit(c())"
    if run("import contract", [py, "-c", contract, "--no-cache"]):
        failed.append("import contract")
    code = run("pytest", [py, "-m", "pytest", *sys.argv[1:]])
    if code:
        failed.append("pytest")
    if failed:
        print(f"== FAILED: {', '.join(failed)}", flush=True)
        return 1
    print("== all checks passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
