"""A history another program holds locked: calls go on at once and every row arrives later."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

from fake_secrets import StaticSecrets

from dialer_gui.core.config import Config, GeneralSettings
from dialer_gui.core.dialer import Dialer
from dialer_gui.core.events import EventBus, Notice
from dialer_gui.core.history import HistoryStore
from dialer_gui.core.recorder import BUSY_TITLE
from dialer_gui.sandbox import SandboxThread
from dialer_gui.sandbox.demo import demo_profiles
from dialer_gui.vocabulary.calls import CallState, Source


def make(sandbox: SandboxThread, path: Path) -> tuple[Dialer, HistoryStore, list[object]]:
    config = Config(
        general=GeneralSettings(region="GB", default_provider="demo-simotel", duplicate_window=0),
        providers=demo_profiles(sandbox.base_url),
    )
    history = HistoryStore(path, busy_timeout=0.05)
    events = EventBus()
    seen: list[object] = []
    events.subscribe(seen.append)
    return Dialer(config, StaticSecrets(), history, events), history, seen


def test_calls_go_on_while_locked_and_their_rows_arrive_when_it_clears(
    sandbox: SandboxThread, tmp_path: Path
) -> None:
    path = tmp_path / "history.sqlite3"
    dialer, history, seen = make(sandbox, path)
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")  # a backup tool, another app: holds the write lock

    async def scenario() -> tuple[list[CallState], float, int, int]:
        started = time.monotonic()
        first = await dialer.dial("+44 20 7946 0958", Source.DIALPAD)
        second = await dialer.dial("+44 20 7946 0959", Source.DIALPAD)
        elapsed = time.monotonic() - started
        while_locked = dialer.recorder.pending
        locker.execute("COMMIT")
        for _ in range(100):
            if not dialer.recorder.pending:
                break
            await asyncio.sleep(0.05)
        left = dialer.recorder.pending
        await dialer.aclose()
        return [first.state, second.state], elapsed, while_locked, left

    states, elapsed, while_locked, left = asyncio.run(scenario())
    assert states == [CallState.ACCEPTED, CallState.ACCEPTED]
    assert elapsed < 2.0, f"the calls waited {elapsed:.1f} s for the lock"
    assert while_locked == 2 and left == 0
    rows = history.query(limit=10)
    history.close()
    locker.close()
    assert [(r.display, r.state) for r in reversed(rows)] == [
        ("+44 20 7946 0958", CallState.ACCEPTED),
        ("+44 20 7946 0959", CallState.ACCEPTED),
    ]
    assert all(r.call_id for r in rows), "the row holds the call as it ended, call ID included"
    busy = [e for e in seen if isinstance(e, Notice) and e.title == BUSY_TITLE]
    assert len(busy) == 1, "said once while it lasts"
    assert not [e for e in seen if isinstance(e, Notice) and e.title == "Call history not saved"]


def test_changes_of_a_recorded_row_wait_too(sandbox: SandboxThread, tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    dialer, history, _seen = make(sandbox, path)
    locker = sqlite3.connect(path, isolation_level=None)

    async def scenario() -> int | None:
        attempt = dialer.recorder.add(
            dialer._attempt(dialer.plan("+44 20 7946 0958", Source.CLI), CallState.REQUESTED)
        )
        locker.execute("BEGIN EXCLUSIVE")
        dialer.recorder.update(attempt, state=CallState.ACCEPTED, call_id="c-1")
        assert dialer.recorder.pending == 1
        locker.execute("COMMIT")
        await dialer.recorder.flush(wait=2.0)
        await dialer.aclose()
        return attempt.id

    attempt_id = asyncio.run(scenario())
    row = history.get(attempt_id or 0)
    history.close()
    locker.close()
    assert row is not None and row.state is CallState.ACCEPTED and row.call_id == "c-1"
