"""One script for people and CI: lint, types, then the whole test suite.

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
