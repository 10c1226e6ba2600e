"""Responsiveness: the longest event-loop stall while calls are in flight and while text is parsed.

The app's loop is Qt's, driven through qasync. Here a ``Dialer`` runs the same way (a
``QApplication`` offscreen, the loop from ``ui/event_loop.py``, ``platform/memory.settle`` once
warm), with the history model and a table view following its events as in the app. A precise
1 ms ``QTimer`` ticks throughout; a stall is how much later than 1 ms a tick came. The
simulator runs in its own process so it takes no share of this process's interpreter lock.

Cases:

- idle: the ticker alone (the floor of this measurement);
- the start-up warm-up (provider and HTTP client built in a thread), then the first call;
- 50 calls started at once against a simulator answering after 2 s (fault ``slow``): the
  whole window, and the part after the requests are out (only waiting);
- the clipboard path of ``ui/clipboard.py``: read 1 MB of text from the clipboard and run
  ``core.numbers.extract_numbers`` in a worker thread (``asyncio.to_thread``), as the app does,
  for a contact list, a log file and plain prose; and the same work on the loop thread, as the
  app did before, for comparison.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import common

NAME = "responsiveness"
Gaps = list[tuple[float, float]]
TARGET_MS = 16.0
TICK_MS = 1
MB = 1024 * 1024


def _texts() -> dict[str, str]:
    """1 MB clipboard texts of three kinds."""

    def fill(line: Callable[[int], str]) -> str:
        parts: list[str] = []
        size, i = 0, 0
        while size < MB:
            text = line(i)
            parts.append(text)
            size += len(text)
            i += 1
        return "".join(parts)[:MB]

    return {
        "contact list": fill(
            lambda i: (
                f"Jo Bloggs {i}, Acme Ltd, Tel. +44 20 7946 {i % 1000:04d}, jo{i}@example.com\n"
            )
        ),
        "log file": fill(
            lambda i: (
                f"2024-05-{i % 28 + 1:02d} 12:{i % 60:02d}:{i % 59:02d},{i % 1000:03d} INFO "
                f"worker-{i % 8} order {88000000 + i} shipped, parcel 1Z{i:010d}, 12.{i % 10} kg\n"
            )
        ),
        "prose": fill(
            lambda i: (
                "The quarterly review covers support volume, the new onboarding flow and the "
                f"migration plan for the phone system (section {i % 40}).\n"
            )
        ),
    }


class Ticker:
    """A 1 ms precise Qt timer recording when each tick really came."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.stamps: list[float] = []

    def _tick(self) -> None:
        self.stamps.append(time.perf_counter())

    def start(self) -> None:
        self.stamps = [time.perf_counter()]
        self.timer.start()

    def stop(self) -> list[tuple[float, float]]:
        """(time since start, stall in ms) for every gap."""
        self.timer.stop()
        self._tick()
        first = self.stamps[0]
        return [
            (b - first, max(0.0, (b - a) * 1000 - TICK_MS))
            for a, b in zip(self.stamps, self.stamps[1:], strict=False)
        ]


def _longest(gaps: list[tuple[float, float]], start: float = 0.0, end: float = 1e9) -> float:
    """The longest stall of the gaps that ended in ``[start, end)`` seconds."""
    return max((stall for at, stall in gaps if start <= at < end), default=0.0)


def _start_sandbox(env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    port = common.free_port()
    proc = subprocess.Popen(
        [common.PYTHON, "-m", "dialer_gui.sandbox", "--port", str(port)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if " on http" not in line:
        proc.kill()
        raise RuntimeError("the simulator did not start")
    return proc, line.rsplit(" on ", 1)[1].strip()


def _set_fault(url: str, kind: str, delay: float = 2.0) -> None:
    body = json.dumps({"kind": kind, "delay": delay}).encode()
    request = urllib.request.Request(f"{url}/_sandbox/fault", body, method="POST")
    with urllib.request.urlopen(request, timeout=5) as answer:  # loopback only
        answer.read()


class _Secrets:
    def __init__(self, values: dict[str, str]) -> None:
        self.values = values

    def secrets_for(self, profile: str, field_names: Any) -> dict[str, str]:
        return {k: v for k, v in self.values.items() if k in set(field_names)}


def run(quick: bool = False) -> list[dict[str, Any]]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication, QTableView

    from dialer_gui.core.config import Config, GeneralSettings
    from dialer_gui.core.dialer import Dialer
    from dialer_gui.core.events import EventBus
    from dialer_gui.core.history import HistoryStore
    from dialer_gui.core.numbers import extract_numbers
    from dialer_gui.platform import memory
    from dialer_gui.sandbox.demo import demo_secrets
    from dialer_gui.ui.event_loop import new_event_loop
    from dialer_gui.ui.history_model import HistoryModel
    from dialer_gui.vocabulary.calls import CallState, Source
    from dialer_gui.vocabulary.profiles import ProviderProfile

    rounds = 1 if quick else 3
    parses = 1 if quick else 5
    calls = 10 if quick else 50
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(common.ROOT), env.get("PYTHONPATH")) if p)
    sandbox, url = _start_sandbox(env)
    tmp = tempfile.TemporaryDirectory(prefix="dialer-bench-loop-")
    common.quiet_qt()
    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    loop = new_event_loop(qapp)  # as the app runs it
    asyncio.set_event_loop(loop)
    rows: list[dict[str, Any]] = []
    try:
        profile = ProviderProfile(
            common.PROFILE,
            "simotel",
            {"url": url, "method": "POST", "auth": "both", "username": "test",
             "caller": "557", "context": "main_routing"},
        )  # fmt: skip
        general = GeneralSettings(region="GB", duplicate_window=0.0, link_rate_limit=0)
        config = Config(general=general, providers={common.PROFILE: profile})
        history = HistoryStore(Path(tmp.name) / "history.sqlite3")
        events = EventBus()
        dialer = Dialer(config, _Secrets(demo_secrets()["demo-simotel"]), history, events)
        model = HistoryModel(history, events)
        view = QTableView()
        view.setModel(model)
        view.resize(800, 500)
        view.show()
        ticker = Ticker()

        async def measured(work: Callable[[], Awaitable[Any]]) -> tuple[Gaps, Any]:
            ticker.start()
            await asyncio.sleep(0.05)
            result = await work()
            await asyncio.sleep(0.05)
            return ticker.stop(), result

        async def main() -> None:
            await asyncio.sleep(0.3)  # the view's first layout and paint happen here
            idle, _ = await measured(lambda: asyncio.sleep(1.0 if not quick else 0.3))
            rows.append(common.row(NAME, "idle (ticker alone)", unit="ms", value=_longest(idle)))

            # As the app does at start-up: providers and HTTP clients are built off the loop.
            warm, _ = await measured(dialer.warm_up)
            memory.settle()  # as the app does once warm
            rows.append(
                common.row(NAME, "start-up warm-up (clients built in a thread)", unit="ms",
                           value=_longest(warm))
            )  # fmt: skip
            first, attempt = await measured(lambda: dialer.dial(common.number(0), Source.DIALPAD))
            rows.append(
                common.row(
                    NAME,
                    "first call after start-up",
                    unit="ms",
                    value=_longest(first),
                    target=TARGET_MS,
                    note=f"state {attempt.state}",
                )
            )

            _set_fault(url, "slow", 2.0)
            dispatch: list[float] = []
            waiting: list[float] = []
            answers: list[float] = []
            accepted = 0
            for r in range(rounds):

                async def burst(r: int = r) -> list[Any]:
                    numbers = [common.number(1 + r * calls + i) for i in range(calls)]
                    jobs = [dialer.dial(n, Source.DIALPAD) for n in numbers]
                    return await asyncio.gather(*jobs)

                gaps, attempts = await measured(burst)
                # Dispatch starts at 0.05 s; the answers come from 2.05 s on.
                dispatch.append(_longest(gaps, 0.0, 0.6))
                waiting.append(_longest(gaps, 0.6, 2.0))
                answers.append(_longest(gaps, 2.0))
                accepted += sum(a.state is CallState.ACCEPTED for a in attempts)
            _set_fault(url, "none")
            note = f"{accepted} of {calls * rounds} accepted"
            for label, values in (
                (f"{calls} calls started at once", dispatch),
                (f"{calls} calls in flight (waiting for 2 s answers)", waiting),
                (f"{calls} answers arriving together", answers),
            ):
                rows.append(common.row(NAME, label, values, target=TARGET_MS, note=note))

            clipboard = QGuiApplication.clipboard()
            for kind, text in _texts().items():
                clipboard.setText(text)
                on_loop: list[float] = []
                in_thread: list[float] = []
                found = 0
                for _ in range(parses):

                    async def parse() -> int:
                        # The first two steps of ui.clipboard.dial_clipboard.
                        got = clipboard.text()
                        return len(extract_numbers(got, region="GB"))

                    async def parse_in_thread() -> int:
                        got = clipboard.text()
                        found = await asyncio.to_thread(extract_numbers, got, region="GB")
                        return len(found)

                    gaps, found = await measured(parse)
                    on_loop.append(_longest(gaps))
                    gaps, _ = await measured(parse_in_thread)
                    in_thread.append(_longest(gaps))
                rows.append(
                    common.row(NAME, f"1 MB clipboard, {kind}: on the loop (before)", on_loop,
                               target=TARGET_MS, note=f"{found} numbers found")
                )  # fmt: skip
                rows.append(
                    common.row(NAME, f"1 MB clipboard, {kind}: in a thread (as the app does)",
                               in_thread, target=TARGET_MS)
                )  # fmt: skip
            clipboard.clear()
            await dialer.aclose()

        loop.run_until_complete(main())
        model.close()
        view.close()
        history.close()
        # Release the Qt objects now, while the interpreter is whole (PySide6 can crash when
        # they are collected during interpreter shutdown).
        ticker.timer.timeout.disconnect()
        for obj in (ticker.timer, view, model):
            obj.deleteLater()
        qapp.processEvents()
    finally:
        loop.close()
        asyncio.set_event_loop(None)
        sandbox.terminate()
        sandbox.wait(10)
        tmp.cleanup()
    return rows


def main() -> None:
    common.standalone("responsiveness", run("--quick" in sys.argv))


if __name__ == "__main__":
    main()
