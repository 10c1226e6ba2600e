"""One script for people and CI: lint, types, the import contract, then the whole test suite.

When Node.js is installed it also lints, tests and packages the browser companion (browser/):
``npm ci`` once, when browser/node_modules is missing, then ESLint, ``node --test`` and the
packaging check.

The import contract is ``[tool.importlinter]`` in pyproject.toml (docs/architecture.md shows the
rooms it keeps apart).

.venv/bin/python scripts/check.py            # everything
.venv/bin/python scripts/check.py -m "not slow"   # extra args go to pytest
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BROWSER = ROOT / "browser"


def run(title: str, cmd: list[str], cwd: Path = ROOT) -> int:
    print(f"== {title}: {' '.join(cmd)}", flush=True)
    return subprocess.call(cmd, cwd=cwd)


def browser_checks() -> list[str]:
    """The browser companion's lint, tests and packaging check; the names of those that failed."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        print("== browser companion: skipped, Node.js is not installed", flush=True)
        return []
    if not (BROWSER / "node_modules").is_dir() and run("npm ci", [npm, "ci"], BROWSER):
        return ["npm ci"]
    failed = []
    if run("eslint", [node, "node_modules/eslint/bin/eslint.js", "."], BROWSER):
        failed.append("eslint")
    tests = sorted(str(p.relative_to(BROWSER)) for p in (BROWSER / "test").glob("*.test.mjs"))
    if run("node --test", [node, "--test", *tests], BROWSER):
        failed.append("node --test")
    # Into browser/dist (git-ignored): the checked build is also what the end-to-end test
    # (tests/test_browser_e2e.py) loads into Chromium, so the real extension is tested.
    if run("browser package", [node, "tools/build.mjs"], BROWSER):
        failed.append("browser package")
    return failed


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
    failed.extend(browser_checks())
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
