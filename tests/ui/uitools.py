"""Shared fixtures and helpers for the UI tests (imported by each test module; no conftest).

How async code runs here: each test gets a qasync ``QEventLoop`` built with
``already_running=True`` and bound to pytest-qt's ``qapp``. asyncio then treats that loop as
running, and every Qt event pytest-qt processes (``qtbot.waitUntil``, ``waitSignal``) also runs
the loop's ready callbacks, sockets and timers. So a test starts a coroutine as a task (or lets
a widget start it through ``ui.tasks.spawn``) and waits for ``task.done`` with ``waitUntil``:
no sleeps, no second thread for the app side. The PBX simulator runs on its own thread
(``sandbox`` fixture), so the dialer's real HTTP requests cross a real loopback socket.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from typing import Any

import pytest

from dialer_gui.core.config import Config
from dialer_gui.core.dialer import Dialer
from dialer_gui.core.events import EventBus
from dialer_gui.core.history import HistoryStore
from dialer_gui.core.secrets import SecretStore
from dialer_gui.sandbox.demo import DemoSecrets, demo_config, demo_secrets
from dialer_gui.ui import event_loop, messages

DEFAULT_PROFILE = "demo-simotel"  # one HTTP request per call, easy to count


@pytest.fixture
def qloop(qapp: Any) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop on the test's QApplication, running whenever Qt processes events."""
    # Qt objects caught in reference cycles must be freed on this thread: left to the cyclic
    # GC, they may be collected on the simulator's thread, where Qt cannot stop their timers.
    gc.collect()
    # The app's own loop class (reused socket notifiers), as the running app has it.
    loop = event_loop.loop_class()(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    messages.reset()
    try:
        yield loop
    finally:
        leftovers = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in leftovers:
            task.cancel()
        if leftovers:
            done = loop.create_future()
            gathered = asyncio.gather(*leftovers, return_exceptions=True)
            gathered.add_done_callback(lambda _f: done.set_result(None))
            while not done.done():
                qapp.processEvents()
        messages.reset()
        qapp.aboutToQuit.disconnect(loop._after_run_forever)
        asyncio.events._set_running_loop(None)
        # Not loop.stop(): that calls QApplication.exit(), which makes every later nested Qt
        # event loop (pytest-qt's waits) return at once. Clear qasync's running flag instead.
        loop._QEventLoop__is_running = False
        loop.close()
        asyncio.set_event_loop(None)
        qapp.processEvents()  # run pending deleteLater()s
        gc.collect()


def finish(qtbot: Any, task: asyncio.Future[Any], timeout: int = 5000) -> Any:
    """Wait (processing events) until ``task`` is done; return its result."""
    qtbot.waitUntil(task.done, timeout=timeout)
    return task.result()


def run(qtbot: Any, coro: Any, timeout: int = 5000) -> Any:
    """Run a coroutine on the test loop and return its result."""
    return finish(qtbot, asyncio.ensure_future(coro), timeout)


def make_dialer(base_url: str, **general: Any) -> Dialer:
    """A real dialer on the demo profiles of a sandbox, with an in-memory history."""
    config = demo_config(Config(), base_url, default=DEFAULT_PROFILE)
    for key, value in general.items():
        setattr(config.general, key, value)
    secrets = DemoSecrets(SecretStore(), demo_secrets())
    secrets.active = True
    return Dialer(config, secrets, HistoryStore(":memory:"), EventBus())


@pytest.fixture
def dialer(qloop: Any, qtbot: Any, sandbox: Any) -> Iterator[Dialer]:
    """A real dialer talking to the loopback simulator; closed after the test."""
    d = make_dialer(sandbox.base_url)
    try:
        yield d
    finally:
        run(qtbot, d.aclose())
        d.history.close()


def calls_to(sandbox: Any, api: str = "simotel") -> list[Any]:
    """Requests the simulator received for ``api`` (call requests only, not pings)."""
    return [r for r in sandbox.requests if r.api == api and "originate" in r.path]
