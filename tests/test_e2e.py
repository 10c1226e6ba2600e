"""End to end: the real app as a process, links handed to it exactly as the OS does.

The app runs offscreen with its own config, data and runtime dirs, and a memory keyring filled
through DIALER_GUI_TEST_SECRETS; its one provider profile points at the simulator this test
process runs. Each test waits on what the simulator received and what the history says.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from dialer_gui import ipc
from dialer_gui.core import paths
from dialer_gui.core.history import HistoryStore
from dialer_gui.sandbox import SandboxThread
from dialer_gui.sandbox.demo import SIMOTEL_API_KEY, SIMOTEL_PASSWORD
from dialer_gui.vocabulary.calls import CallState

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

APP = [sys.executable, "-m", "dialer_gui"]
TIMEOUT = 30.0


def calls(sandbox: SandboxThread) -> list[Any]:
    """The call requests the simulator took (not the app's later looks at how calls went)."""
    return [r for r in sandbox.requests if "originate" in r.path]


def wait_for(condition: Callable[[], Any], what: str, timeout: float = TIMEOUT) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def app_env(sandbox: SandboxThread, isolated_dirs: dict[str, Path]) -> dict[str, str]:
    config = isolated_dirs["config"] / "dialer-gui" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        "version = 1\n"
        "[general]\n"
        'region = "GB"\n'
        'default_provider = "office"\n'
        "confirm_links = false\n"
        "[providers.office]\n"
        'type = "simotel"\n'
        f'url = "{sandbox.base_url}"\n'
        'username = "test"\n'
        'caller = "557"\n',
        encoding="utf-8",
    )
    env = dict(os.environ)
    env["DIALER_GUI_TEST_SECRETS"] = json.dumps(
        {
            "dialer-gui|office/password": SIMOTEL_PASSWORD,
            "dialer-gui|office/api_key": SIMOTEL_API_KEY,
        }
    )
    return env


def _listening() -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(0.2)
        try:
            s.connect(ipc.socket_name())
        except OSError:
            return False
        return True


@pytest.fixture
def running_app(app_env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen([*APP, "--background"], env=app_env, stderr=subprocess.PIPE)
    try:
        wait_for(lambda: _listening() or proc.poll() is not None, "the app to listen")
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        yield proc
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    if proc.stderr:
        proc.stderr.close()


def click(link: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """What the OS does for a click: run the registered command with the link last."""
    return subprocess.run(
        [*APP, "--link", link],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def history_rows() -> list[Any]:
    store = HistoryStore(paths.history_path())
    try:
        return list(reversed(store.query(limit=50)))
    finally:
        store.close()


def test_link_to_running_app_places_exactly_one_correct_call(
    sandbox: SandboxThread, running_app: subprocess.Popen[bytes], app_env: dict[str, str]
) -> None:
    result = click("tel:+44-20-7946-0958", app_env)
    assert result.returncode == 0, result.stderr
    wait_for(lambda: calls(sandbox), "the provider request")
    rows = wait_for(
        lambda: [r for r in history_rows() if r.state is CallState.ACCEPTED], "accepted row"
    )
    (request,) = calls(sandbox)
    assert request.method == "POST" and request.path == "/api/v4/call/originate/act"
    assert request.json()["callee"] == "02079460958"
    assert rows[0].call_id and rows[0].call_id.startswith("orig.call.")
    assert rows[0].source == "link"
    assert len(calls(sandbox)) == 1


def test_link_with_no_app_running_starts_it_and_dials_once(
    sandbox: SandboxThread, app_env: dict[str, str]
) -> None:
    proc = subprocess.Popen(
        [*APP, "--link", "tel:+442079460958"], env=app_env, stderr=subprocess.PIPE
    )
    try:
        wait_for(lambda: calls(sandbox), "the provider request")
        wait_for(lambda: any(r.state is CallState.ACCEPTED for r in history_rows()), "accepted row")
        # The app stays up as the running instance, and later links go to it.
        assert proc.poll() is None
        wait_for(_listening, "the app to listen")
        assert click("tel:+442079460959", app_env).returncode == 0
        wait_for(lambda: len(calls(sandbox)) == 2, "the second request")
    finally:
        _stop(proc)
    assert [r.json()["callee"] for r in calls(sandbox)] == ["02079460958", "02079460959"]


def test_two_links_in_quick_succession_are_two_calls_in_order(
    sandbox: SandboxThread, running_app: subprocess.Popen[bytes], app_env: dict[str, str]
) -> None:
    for link in ("tel:+442079460901", "tel:+442079460902"):
        assert click(link, app_env).returncode == 0
    wait_for(lambda: len(calls(sandbox)) == 2, "two requests")
    assert [r.json()["callee"] for r in calls(sandbox)] == ["02079460901", "02079460902"]


def test_same_link_twice_is_one_call_and_the_second_is_merged(
    sandbox: SandboxThread, running_app: subprocess.Popen[bytes], app_env: dict[str, str]
) -> None:
    for _ in range(2):
        assert click("tel:+442079460958", app_env).returncode == 0

    def settled() -> list[Any]:
        rows = history_rows()
        done = len(rows) == 2 and all(r.state is not CallState.REQUESTED for r in rows)
        return rows if done else []

    rows = wait_for(settled, "two settled history rows")
    assert sorted(r.state for r in rows) == sorted([CallState.ACCEPTED, CallState.MERGED])
    assert len(calls(sandbox)) == 1


def test_hostile_link_is_refused_by_the_forwarding_process(
    sandbox: SandboxThread, running_app: subprocess.Popen[bytes], app_env: dict[str, str]
) -> None:
    result = click("tel:+44207946%0d%0aX:1", app_env)
    assert result.returncode != 0 and "not dialing" in result.stderr
    result = click("tel:+442079460958&method=dial", app_env)
    assert result.returncode != 0
    assert calls(sandbox) == []
    assert running_app.poll() is None


def test_two_processes_racing_to_start_give_one_app_and_both_calls(
    sandbox: SandboxThread, app_env: dict[str, str]
) -> None:
    first = subprocess.Popen([*APP, "--link", "tel:+442079460911"], env=app_env)
    second = subprocess.Popen([*APP, "--link", "tel:+442079460912"], env=app_env)
    try:
        wait_for(lambda: len(calls(sandbox)) == 2, "both requests")
        # One of them lost the race, handed its link over and exited.
        wait_for(lambda: (first.poll() is None) != (second.poll() is None), "one app left")
    finally:
        _stop(first)
        _stop(second)
    callees = sorted(r.json()["callee"] for r in calls(sandbox))
    assert callees == ["02079460911", "02079460912"]


def test_sigkill_mid_call_leaves_an_unknown_row_and_a_sound_database(
    sandbox: SandboxThread, app_env: dict[str, str]
) -> None:
    sandbox.set_fault("timeout", "simotel")
    proc = subprocess.Popen([*APP, "--link", "tel:+442079460958"], env=app_env)
    try:
        wait_for(lambda: calls(sandbox), "the request in flight")
        proc.kill()
        proc.wait(10)
    finally:
        _stop(proc)
    (row,) = history_rows()
    assert row.state is CallState.REQUESTED
    restarted = subprocess.Popen([*APP, "--background"], env=app_env)
    try:
        (row,) = wait_for(
            lambda: [r for r in history_rows() if r.state is not CallState.REQUESTED],
            "the interrupted call to be marked",
        )
        assert row.state is CallState.UNKNOWN and "may or may not" in (row.error or "")
        assert len(history_rows()) == 1
        store = HistoryStore(paths.history_path())
        assert store.integrity_ok()
        store.close()
    finally:
        _stop(restarted)


def test_clipboard_shortcut_reads_the_clipboard_itself_and_hands_the_number_over(
    sandbox: SandboxThread, app_env: dict[str, str], isolated_dirs: dict[str, Path], tmp_path: Path
) -> None:
    """`dialer-gui call --clipboard` from a shortcut on Wayland, where the app may not read it."""
    config = isolated_dirs["config"] / "dialer-gui" / "config.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("confirm_links = false\n", "confirm_links = false\n"
                                   "confirm_clipboard = false\n"), encoding="utf-8")  # fmt: skip
    tools = tmp_path / "bin"
    tools.mkdir()
    paste = tools / "wl-paste"
    paste.write_text("#!/bin/sh\necho 'Ring Jo on 020 7946 0958 today'\n", encoding="utf-8")
    paste.chmod(0o755)
    env = {**app_env, "WAYLAND_DISPLAY": "wayland-test", "PATH": f"{tools}:{app_env['PATH']}"}
    proc = subprocess.Popen([*APP, "--background"], env=app_env, stderr=subprocess.DEVNULL)
    try:
        wait_for(_listening, "the app to listen")
        done = subprocess.run(
            [*APP, "call", "--clipboard"], env=env, capture_output=True, text=True,
            timeout=TIMEOUT, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        wait_for(lambda: calls(sandbox), "the provider request")
        rows = wait_for(
            lambda: [r for r in history_rows() if r.state is CallState.ACCEPTED], "accepted row"
        )
    finally:
        _stop(proc)
    assert rows[0].source == "clipboard" and rows[0].number == "+442079460958"


def test_idle_app_runs_few_threads(
    sandbox: SandboxThread, running_app: subprocess.Popen[bytes], app_env: dict[str, str]
) -> None:
    # qasync's default executor would start ten QThreads at the first to_thread; the app uses
    # a pool that starts its (at most four) threads on demand.
    assert click("tel:+44-20-7946-0959", app_env).returncode == 0
    wait_for(lambda: calls(sandbox), "the provider request")
    tasks = Path(f"/proc/{running_app.pid}/task")
    names = [(task / "comm").read_text().strip() for task in tasks.iterdir()]
    assert "_QThreadWorker" not in names
    assert len(names) <= 8, names
