"""The command line ends with a sentence and an exit code, never a traceback."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from dialer_gui.exitcodes import ExitCode

pytestmark = pytest.mark.slow


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dialer_gui", *args],
        env=dict(os.environ), capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_history_on_a_file_damaged_inside_says_so(isolated_dirs: dict[str, Path]) -> None:
    for number in ("+1 201 555 0121", "+1 201 555 0122"):
        assert cli("call", "--demo", number).returncode == ExitCode.OK
    path = isolated_dirs["data"] / "dialer-gui" / "history.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(path.read_bytes())
    for offset in range(4096 + 100, min(len(data), 3 * 4096), 7):  # the pages after the header
        data[offset] = 0xFF
    path.write_bytes(bytes(data))
    done = cli("history")
    assert done.returncode == ExitCode.ERROR
    assert "Traceback" not in done.stderr
    assert "damaged" in done.stderr and str(path) in done.stderr


def test_a_dry_run_the_provider_refuses_is_a_plain_refusal(isolated_dirs: dict[str, Path]) -> None:
    # Teleforge dials South African numbers only; a US number is refused before sending.
    done = cli("call", "--demo", "--dry-run", "--provider", "demo-teleforge", "+1 201 555 0123")
    assert done.returncode == ExitCode.CALL_FAILED
    assert "Traceback" not in done.stderr and "Teleforge cannot dial" in done.stderr
    as_json = cli(
        "call", "--demo", "--dry-run", "--json", "--provider", "demo-teleforge", "+1 201 555 0123"
    )
    result = json.loads(as_json.stdout)
    assert result["status"] == "error" and result["reason"] == "refused"
    assert "Teleforge cannot dial" in result["error"]


def test_a_json_dry_run_holds_the_request_with_secrets_masked(
    isolated_dirs: dict[str, Path],
) -> None:
    from dialer_gui.sandbox.demo import SIMOTEL_API_KEY, SIMOTEL_PASSWORD

    done = cli(
        "call", "--demo", "--dry-run", "--json", "--provider", "demo-simotel", "+1 201 555 0123"
    )
    assert done.returncode == ExitCode.OK, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "dry-run" and result["request"].startswith("POST http://127.0.0.1:")
    assert "/api/v4/call/originate/act" in result["request"] and "•••" in result["request"]
    assert SIMOTEL_API_KEY not in done.stdout and SIMOTEL_PASSWORD not in done.stdout


def test_a_reader_that_stops_early_ends_history_quietly(isolated_dirs: dict[str, Path]) -> None:
    """`dialer-gui history | head -1`: the closed pipe ends the command without a traceback."""
    from dialer_gui.core.history import HistoryStore
    from dialer_gui.vocabulary.calls import CallAttempt, Source

    assert cli("call", "--demo", "+1 201 555 0121").returncode == ExitCode.OK
    # More rows than a pipe holds, so the command is still writing when the reader stops.
    store = HistoryStore(isolated_dirs["data"] / "dialer-gui" / "history.sqlite3")
    for n in range(1500):
        store.add(CallAttempt(Source.CLI, f"+1201555{n:04}", f"+1201555{n:04}", "x", "demo"))
    store.close()
    with subprocess.Popen(
        [sys.executable, "-m", "dialer_gui", "history", "--limit", "2000"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) as proc:  # fmt: skip
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.readline().strip()
        proc.stdout.close()  # what `head -1` does after its line
        stderr = proc.stderr.read()
        code = proc.wait(timeout=60)
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr
    assert "Exception ignored" not in stderr, stderr
    assert code == 128 + signal.SIGPIPE  # what a shell reports for a writer the pipe stopped


def test_every_option_of_every_command_says_what_it_does() -> None:
    import argparse

    from dialer_gui.cli import build_parser

    parser = build_parser()
    missing = []

    def check(p: argparse.ArgumentParser, where: str) -> None:
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    check(sub, f"{where} {name}")
                continue
            if isinstance(action, argparse._HelpAction):
                continue
            if not action.help:
                missing.append(f"{where}: {'/'.join(action.option_strings) or action.dest}")

    check(parser, "dialer-gui")
    assert missing == []
