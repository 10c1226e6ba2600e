"""The native host with the real app: it starts the app when none runs, and a busy app says so.

The host runs as the browser runs it (the console script on pipes, with our extension's origin
as its argument); the app is the real one, offscreen, on its own config and dirs, dialing the
simulator this test process runs (see tests/test_e2e.py for the set-up).
"""

from __future__ import annotations

import os
import signal
import socket
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_e2e import _listening, app_env, history_rows, wait_for  # noqa: F401
from test_native_host import CHROME, message, replies

from dialer_gui import ipc
from dialer_gui.sandbox import SandboxThread
from dialer_gui.vocabulary.calls import CallState, Source

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

HOST = [sys.executable, "-m", "dialer_gui.native_host", *CHROME]
PAGE = "https://crm.example.com/contacts/42"


def host(env: dict[str, str], *requests: dict[str, Any]) -> list[dict[str, Any]]:
    data = b"".join(message(r) for r in requests)
    done = subprocess.run(HOST, input=data, env=env, capture_output=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr.decode()
    return replies(done.stdout)


def app_pid() -> int | None:
    """The pid of the process listening on the app's socket (it was started detached)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        try:
            sock.connect(ipc.socket_name())
        except OSError:
            return None
        creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    pid, _uid, _gid = struct.unpack("3i", creds)
    return pid


@pytest.fixture
def browser_env(app_env: dict[str, str]) -> Iterator[dict[str, str]]:  # noqa: F811
    """The app's environment; the app the host started is stopped afterwards."""
    yield app_env
    pid = app_pid()
    if pid is not None:
        os.kill(pid, signal.SIGTERM)
        wait_for(lambda: not _listening(), "the app to quit")


def set_general(isolated_dirs: dict[str, Path], line: str) -> None:
    config = isolated_dirs["config"] / "dialer-gui" / "config.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[general]\n", f"[general]\n{line}\n"), encoding="utf-8")


def originated(sandbox: SandboxThread) -> list[Any]:
    return [r for r in sandbox.requests if "originate" in r.path]


def test_with_no_app_running_the_host_starts_it_and_the_call_is_placed(
    sandbox: SandboxThread, browser_env: dict[str, str], isolated_dirs: dict[str, Path]
) -> None:
    set_general(isolated_dirs, "confirm_browser = false")
    assert host(browser_env, {"type": "ping"}) == [{"ok": True, "state": "not running"}]
    assert not _listening()  # a ping never starts the app
    (reply,) = host(browser_env, {"type": "dial", "text": "Jo: 020 7946 0958", "page": PAGE})
    assert reply["ok"] is True and reply["state"] in ("starting", "calling"), reply
    wait_for(lambda: sandbox.requests, "the provider request")
    rows = wait_for(
        lambda: [r for r in history_rows() if r.state is CallState.ACCEPTED], "accepted row"
    )
    assert rows[0].source is Source.BROWSER and rows[0].page == PAGE
    assert sandbox.requests[0].json()["callee"] == "02079460958"
    # The app outlives the host that started it, and the next request goes straight to it.
    assert host(browser_env, {"type": "ping"}) == [{"ok": True, "state": "ready"}]
    (reply,) = host(browser_env, {"type": "dial", "text": "+44 20 7946 0959", "page": PAGE})
    assert reply == {"ok": True, "state": "calling"}
    # Calls only: the app also asks the PBX how the first call goes (its CDR search).
    wait_for(lambda: len(originated(sandbox)) == 2, "the second request")


def test_a_busy_app_answers_the_second_request_with_a_plain_error(
    sandbox: SandboxThread, browser_env: dict[str, str]
) -> None:
    # confirm_browser is on: the first request's question stays open (nobody clicks offscreen).
    first = host(browser_env, {"type": "dial", "text": "020 7946 0958", "page": PAGE})
    assert first[0]["ok"] is True and first[0]["state"] in ("starting", "asking")
    # Taken while starting, it is dialed (and asks) once the app is up; one more round trip
    # after "ready" gives the app the turn in which it opens the question.
    wait_for(lambda: host(browser_env, {"type": "ping"})[0]["state"] == "ready", "ready")
    host(browser_env, {"type": "ping"})
    (second,) = host(browser_env, {"type": "dial", "text": "07911 123456"})
    assert second["ok"] is False and "waiting for your answer" in second["error"]
    assert sandbox.requests == []
    rows = wait_for(
        lambda: [r for r in history_rows() if r.state is CallState.BLOCKED], "the refusal"
    )
    assert rows[0].source is Source.BROWSER and rows[0].number == "+447911123456"
