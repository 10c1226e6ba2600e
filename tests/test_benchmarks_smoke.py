"""The benchmark scripts run: ``benchmarks/run.py --quick`` end to end, every benchmark.

Only that the runner works and reports what it should is checked; never how fast anything is.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_quick_run_of_every_benchmark_prints_a_table_and_saves_json(tmp_path: Path) -> None:
    out = tmp_path / "results"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    for case in (
        "open pane",
        "search keystroke",
        "console script",
        "registered command (fast entry)",
        "no app running",
        "cold start",
        "RSS idle after start",
        "calls started at once",
        "1 MB clipboard",
        "contacts from a vCard file",
    ):
        assert case in proc.stdout, case
    [saved] = out.glob("quick-*.json")
    data = json.loads(saved.read_text())
    assert data["machine"]["cores"]
    benchmarks = {r["benchmark"] for r in data["results"]}
    # The side by side with Twinkle never runs with --quick (nor in CI).
    assert benchmarks == {
        "link to wire",
        "cold link",
        "cold start",
        "memory",
        "history",
        "contacts",
        "responsiveness",
        "soak",
    }
    cases = {r["case"]: r for r in data["results"]}
    insert = next(r for c, r in cases.items() if c.startswith("insert"))
    assert insert["median"] > 0
    keystroke = next(r for c, r in cases.items() if c.startswith("search keystroke"))
    assert keystroke["n"] == len(keystroke["samples"]) > 0
    idle = cases["RSS idle after start"]
    assert idle["median"] > 0 and idle["ratio"] > 0
    assert all(r["ok"] in (True, False, None) for r in data["results"])


@pytest.mark.slow
def test_quick_run_of_the_contacts_benchmark_reports_import_index_and_keystrokes(
    tmp_path: Path,
) -> None:
    out = tmp_path / "results"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--only", "contacts",
         "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    [saved] = out.glob("quick-*.json")
    rows = {r["case"]: r for r in json.loads(saved.read_text())["results"]}
    assert rows["import 2,000 contacts from a vCard file (read + store)"]["median"] > 0
    assert rows["import the same 2,000 again (all unchanged)"]["median"] > 0
    assert rows["search index over 2,000: RSS added"]["median"] is not None
    keystroke = rows["search keystroke (prefix typed, 50 best read from the store)"]
    assert keystroke["n"] == len(keystroke["samples"]) > 50
    assert "p95" in keystroke["note"] and keystroke["ok"] in (True, False)


def test_runner_refuses_an_unknown_benchmark(tmp_path: Path) -> None:
    out = tmp_path / "results"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--only", "nonsense",
         "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "unknown benchmark nonsense" in proc.stderr
    assert not out.exists()
