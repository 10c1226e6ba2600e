"""Started for a link, the app places that call before it warms up, builds its window or settles.

The app runs in-process with a config of two Simotel profiles on the simulator (links dial
without asking), as when the OS starts it for a click and no instance runs. The simulator's
Simotel route is wrapped so that, at the moment the call's request arrives, it notes what the
app has logged and which providers it has built by then.
"""

from __future__ import annotations

import gc
import logging
import threading
from typing import Any

import keyring
import pytest
from uitools import qloop, run  # noqa: F401

from dialer_gui.app import Application
from dialer_gui.core import paths
from dialer_gui.core.history import HistoryStore
from dialer_gui.sandbox.demo import SIMOTEL_API_KEY, SIMOTEL_PASSWORD
from dialer_gui.vocabulary.calls import CallState, Source
from dialer_gui.vocabulary.start_options import StartOptions

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

LINK = "tel:+44-20-7946-0958"
WARM_UP = "warm-up starts"


def write_config(base_url: str, *, confirm_links: bool = False) -> None:
    profiles = ""
    for name in ("office", "spare"):
        profiles += (
            f'[providers.{name}]\ntype = "simotel"\nurl = "{base_url}"\n'
            'username = "test"\ncaller = "557"\n'
        )
        for field, value in (("password", SIMOTEL_PASSWORD), ("api_key", SIMOTEL_API_KEY)):
            keyring.set_password("dialer-gui", f"{name}/{field}", value)
    path = paths.config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    confirm = "true" if confirm_links else "false"
    general = f'region = "GB"\ndefault_provider = "office"\nconfirm_links = {confirm}\n'
    path.write_text(f"version = 1\n[general]\n{general}{profiles}", encoding="utf-8")


class AppLog(logging.Handler):
    """The messages the app logs, from any thread, in order."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.guard = threading.Lock()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        with self.guard:
            self.messages.append(record.getMessage())

    def snapshot(self) -> list[str]:
        with self.guard:
            return list(self.messages)


@pytest.fixture
def app_log() -> Any:
    handler = AppLog()
    logger = logging.getLogger("dialer_gui.app")
    old_level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(old_level)


def observe_calls(sandbox: Any, app_log: AppLog, seen: list[dict[str, Any]], app: Any) -> None:
    """Wrap the simulator's Simotel route: each call notes the app's state as it arrives."""
    for route in sandbox.sandbox.routes:
        if route.api == "simotel":
            answer = route.handler

            async def observed(request: Any, fault: Any, answer: Any = answer) -> Any:
                seen.append(
                    {
                        "log": app_log.snapshot(),
                        "providers": set(app[0].dialer.pool.providers) if app else set(),
                        "window": app[0].window if app else None,
                    }
                )
                return await answer(request, fault)

            route.handler = observed


@pytest.fixture
def cold_app(qtbot: Any, qapp: Any, qloop: Any, sandbox: Any, app_log: AppLog) -> Any:  # noqa: F811
    made: list[Application] = []
    seen: list[dict[str, Any]] = []
    observe_calls(sandbox, app_log, seen, made)

    def start(**options: Any) -> tuple[Application, list[dict[str, Any]]]:
        app = Application(StartOptions(**options), qapp, tray_available=False, listen=False)
        made.append(app)
        run(qtbot, app.start(), timeout=15000)
        return app, seen

    yield start
    gc.unfreeze()
    for app in made:
        run(qtbot, app.aclose())
        if app.window is not None:
            app.window.deleteLater()
        app.deleteLater()


def test_a_cold_link_is_placed_and_recorded_before_the_warm_up_runs(
    qtbot: Any, sandbox: Any, cold_app: Any, app_log: AppLog
) -> None:
    write_config(sandbox.base_url)
    app, seen = cold_app(link=LINK)
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=10000)
    # When the request arrived: the call's own provider was built, nothing else was, and
    # neither the warm-up nor the window had started.
    (arrival,) = seen
    assert WARM_UP not in arrival["log"]
    assert arrival["providers"] == {"office"}
    assert arrival["window"] is None
    # The call is recorded as a link's, and accepted.
    qtbot.waitUntil(
        lambda: (
            app.history.query(limit=5) and app.history.query(limit=5)[0].state is CallState.ACCEPTED
        ),
        timeout=10000,
    )
    (row,) = app.history.query(limit=5)
    assert (row.source, row.raw_input, row.provider) == (Source.LINK, LINK, "office")
    # Then the warm-up runs (the spare profile's provider is built) and the window is up.
    qtbot.waitUntil(lambda: WARM_UP in app_log.snapshot(), timeout=10000)
    qtbot.waitUntil(lambda: set(app.dialer.pool.providers) == {"office", "spare"}, timeout=10000)
    assert app.window is not None and app.window.isVisible()
    assert len([r for r in sandbox.requests if r.api == "simotel"]) == 1
    on_disk = HistoryStore(paths.history_path())
    try:
        assert [r.state for r in on_disk.query(limit=5)] == [CallState.ACCEPTED]
    finally:
        on_disk.close()


def test_a_cold_link_that_asks_shows_its_prompt_first(
    qtbot: Any, sandbox: Any, cold_app: Any, app_log: AppLog
) -> None:
    write_config(sandbox.base_url, confirm_links=True)
    app, seen = cold_app(link=LINK)
    # start() returned with the prompt up; the window was built behind it.
    assert app.confirmer is not None and app.confirmer.current is not None
    assert app.confirmer.current.isVisible()
    assert WARM_UP not in app_log.snapshot()  # the warm-up waits for the answer and the call
    app.confirmer.current.accept()
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=10000)
    assert WARM_UP not in seen[0]["log"]
    qtbot.waitUntil(lambda: WARM_UP in app_log.snapshot(), timeout=10000)


def test_a_refused_cold_link_still_starts_the_app(
    qtbot: Any, sandbox: Any, cold_app: Any, app_log: AppLog
) -> None:
    write_config(sandbox.base_url)
    app, seen = cold_app(link="tel:+44 20 7946 0958")  # a raw space: never dialed
    assert app.window is not None and app.window.isVisible()
    qtbot.waitUntil(lambda: WARM_UP in app_log.snapshot(), timeout=10000)
    assert seen == []
