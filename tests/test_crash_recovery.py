"""A dialer killed mid-call, and a history that cannot be written: nothing is lost or hidden.

* SIGKILL while the PBX holds the request: the attempt is on disk as "requested", and the next
  start turns it into "unknown" with a plain sentence; the file stays sound.
* History folder unusable (its parent is a regular file: root ignores file modes, so this is
  what makes creation fail under any user), history opened read-only (SQLite ``mode=ro``), and
  a full disk (SQLite ``max_page_count``): each gives a plain ``HistoryError``, calls still go
  out, the user is told once, and rows written earlier survive.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from dialer_gui.core.config import Config, GeneralSettings
from dialer_gui.core.dialer import Dialer
from dialer_gui.core.events import EventBus, Notice
from dialer_gui.core.history import DISK_FULL, INTERRUPTED, HistoryStore
from dialer_gui.errors import HistoryError
from dialer_gui.sandbox import SandboxThread
from dialer_gui.sandbox.demo import demo_profiles, demo_secrets
from dialer_gui.vocabulary.calls import CallAttempt, CallState, Source

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
NUMBER = "+44 20 7946 0958"

CHILD = """
import asyncio, sys
from dialer_gui.vocabulary.calls import Source
from dialer_gui.core.config import Config, GeneralSettings
from dialer_gui.core.dialer import Dialer
from dialer_gui.core.history import default_history
from dialer_gui.sandbox.demo import demo_profiles, demo_secrets

class Secrets:
    def secrets_for(self, profile, names):
        have = demo_secrets().get(profile, {})
        return {n: have[n] for n in names if n in have}

profiles = demo_profiles(sys.argv[1])
p = profiles["demo-simotel"]
profiles["demo-simotel"] = type(p)(p.name, p.type, {**p.options, "timeout": 60})
config = Config(general=GeneralSettings(region="GB", default_provider="demo-simotel"),
                providers=profiles)
dialer = Dialer(config, Secrets(), default_history())
asyncio.run(dialer.dial(sys.argv[2], Source.CLI))
"""


class Secrets:
    def secrets_for(self, profile: str, names: Any) -> dict[str, str]:
        have = demo_secrets().get(profile, {})
        return {n: have[n] for n in names if n in have}


def wait_for(condition: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


def test_sigkill_mid_request_leaves_an_unknown_attempt(
    sandbox: SandboxThread, isolated_dirs: dict[str, Path]
) -> None:
    sandbox.set_fault("timeout", "simotel")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, sandbox.base_url, NUMBER],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(lambda: sandbox.requests or child.poll() is not None)
        assert child.poll() is None, child.communicate()[1].decode()
    finally:
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=10)
    assert child.returncode == -signal.SIGKILL
    assert len(sandbox.requests) == 1

    path = isolated_dirs["data"] / "dialer-gui" / "history.sqlite3"
    store = HistoryStore(path)
    try:
        rows = store.query()
        assert [r.state for r in rows] == [CallState.REQUESTED]
        assert rows[0].dialed and rows[0].provider == "demo-simotel"
        assert store.mark_interrupted() == 1
        assert rows[0].id is not None
        row = store.get(rows[0].id)
        assert row is not None and row.state is CallState.UNKNOWN
        assert row.error == INTERRUPTED and "may or may not" in row.error
        assert store.integrity_ok()
        assert store.mark_interrupted() == 0  # once only
    finally:
        store.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _dialer(sandbox: SandboxThread, history: HistoryStore) -> tuple[Dialer, list[Any]]:
    profiles = demo_profiles(sandbox.base_url)
    config = Config(
        general=GeneralSettings(region="GB", default_provider="demo-simotel", duplicate_window=0),
        providers=profiles,
    )
    events: list[Any] = []
    bus = EventBus()
    bus.subscribe(events.append)
    return Dialer(config, Secrets(), history, bus), events


def _dial_twice(dialer: Dialer) -> list[CallAttempt]:
    async def calls() -> list[CallAttempt]:
        try:
            return [
                await dialer.dial(NUMBER, Source.DIALPAD),
                await dialer.dial("+44 20 7946 0959", Source.DIALPAD),
            ]
        finally:
            await dialer.aclose()

    return asyncio.run(calls())


def _assert_calls_went_out_and_user_told_once(
    attempts: list[CallAttempt], events: list[Any], sandbox: SandboxThread, message: str
) -> None:
    assert [a.state for a in attempts] == [CallState.ACCEPTED, CallState.ACCEPTED]
    assert len(sandbox.requests) == 2
    notices = [e for e in events if isinstance(e, Notice) and e.title == "Call history not saved"]
    assert len(notices) == 1, "tell the user once, not on every call"
    assert notices[0].text == message
    assert "Error" not in message and "sqlite3." not in message


def _seed(path: Path) -> int:
    with HistoryStore(path) as store:
        for n in range(3):
            store.add(CallAttempt(Source.DIALPAD, f"55{n}", f"55{n}", f"55{n}", "demo-simotel"))
        return store.count()


def test_read_only_history(sandbox: SandboxThread, tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    seeded = _seed(path)
    store = HistoryStore(path, read_only=True)  # SQLite mode=ro: every write is refused
    with pytest.raises(HistoryError) as caught:
        store.add(CallAttempt(Source.DIALPAD, "1", "1", "1", "x"))
    assert "read-only" in str(caught.value)
    dialer, events = _dialer(sandbox, store)
    attempts = _dial_twice(dialer)
    _assert_calls_went_out_and_user_told_once(attempts, events, sandbox, str(caught.value))
    store.close()
    with HistoryStore(path) as again:
        assert again.count() == seeded and again.integrity_ok()


def test_disk_full(sandbox: SandboxThread, tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    seeded = _seed(path)
    store = HistoryStore(path)
    conn = store._conn
    assert conn is not None
    # The file may not grow by a single page: exactly what a full disk looks like to SQLite.
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    failures: list[str] = []
    for size in (500, 50, 1):  # fill the free space left in the last pages, to the byte
        for _ in range(500):
            try:
                store.add(CallAttempt(Source.DIALPAD, "9" * size, "1", "1", "x" * size))
            except HistoryError as exc:
                failures.append(str(exc))
                break
    assert failures == [DISK_FULL] * 3
    dialer, events = _dialer(sandbox, store)
    attempts = _dial_twice(dialer)
    _assert_calls_went_out_and_user_told_once(attempts, events, sandbox, DISK_FULL)
    store.close()
    with HistoryStore(path) as again:
        assert again.count() >= seeded and again.integrity_ok()
        assert [r.raw_input for r in again.query(limit=1000)][-seeded:] == ["552", "551", "550"]


def test_history_folder_that_cannot_exist(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be", encoding="utf-8")
    with pytest.raises(HistoryError) as caught:
        HistoryStore(blocker / "dialer-gui" / "history.sqlite3")
    message = str(caught.value)
    assert "cannot be created" in message or "cannot be opened" in message
    assert "Traceback" not in message and "Errno" not in message


def test_command_line_call_works_without_a_usable_history(
    sandbox: SandboxThread, isolated_dirs: dict[str, Path], tmp_path: Path
) -> None:
    blocker = tmp_path / "data-is-a-file"
    blocker.write_text("", encoding="utf-8")
    config = isolated_dirs["config"] / "dialer-gui" / "config.toml"
    config.parent.mkdir(parents=True)
    profile = demo_profiles(sandbox.base_url)["demo-simotel"]
    lines = ["version = 1", "[general]", 'region = "GB"', "[providers.office]", 'type = "simotel"']
    lines += [f"{k} = {json.dumps(v)}" for k, v in profile.options.items()]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    preload = {f"dialer-gui|office/{k}": v for k, v in demo_secrets()["demo-simotel"].items()}
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(blocker),
        "DIALER_GUI_TEST_SECRETS": json.dumps(preload),
    }
    done = subprocess.run(
        [sys.executable, "-m", "dialer_gui", "call", "--json", NUMBER],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "accepted"
    assert "temporary history" in done.stderr
    assert "Traceback" not in done.stderr
    assert len(sandbox.requests) == 1
