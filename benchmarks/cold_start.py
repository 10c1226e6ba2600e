"""Cold start: from spawning ``python -m dialer_gui`` until the window is up and links are served.

Ready means the app answered a ``show`` request on its single-instance socket: the answer is
written by the running event loop, which the app only enters after the IPC server listens and
the window (or tray) is shown, so the request disturbs nothing. The floor is ``qt_floor.py``, a
bare QApplication showing one QWidget, timed to its first event-loop pass. Runs alternate
between the two; the app is stopped (SIGTERM) between runs and restarts on the same config
and history, as after a reboot with the files in the page cache. With ``run.py --baseline DIR``
the other checkout's app is started in the same rounds too.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import common

NAME = "cold start"
RATIO_TARGET = 1.8
FLOOR_SCRIPT = Path(__file__).with_name("qt_floor.py")


def _floor(env: common.AppEnv) -> float:
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [common.PYTHON, str(FLOOR_SCRIPT)],
        env=env.env,
        cwd=env.dir,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        elapsed = time.monotonic() - t0
        if line.strip() != b"ready":
            raise RuntimeError("the Qt floor script did not start")
    finally:
        proc.wait(10)
    return elapsed


def run(quick: bool = False) -> list[dict[str, Any]]:
    from dialer_gui.sandbox import SandboxThread

    warmup, rounds = (1, 2) if quick else (2, 10)
    sandbox = SandboxThread()
    url = sandbox.start()
    config, secrets = common.link_config(url)
    floor: list[float] = []
    app: list[float] = []
    before: list[float] = []
    try:
        with contextlib.ExitStack() as stack:
            env = stack.enter_context(common.app_env(config, secrets))
            base = None
            if common.BASELINE is not None:
                base = stack.enter_context(common.app_env(config, secrets, common.BASELINE))
            load_before = common.load_note()
            for round_no in range(warmup + rounds):
                f = _floor(env)
                with common.RunningApp(env) as running:
                    a = running.start()
                b = None
                if base is not None:
                    with common.RunningApp(base) as running:
                        b = running.start()
                if round_no >= warmup:
                    floor.append(f * 1000)
                    app.append(a * 1000)
                    if b is not None:
                        before.append(b * 1000)
            load = f"{load_before} before, {common.load_note()} after"
    finally:
        sandbox.stop()
    floor_median = common.summary(floor)["median"]
    rows = [
        common.row(NAME, "floor: QApplication + one QWidget", floor, note=load),
        common.row(
            NAME,
            "dialer-gui until window shown and socket answers",
            app,
            ratio=common.summary(app)["median"] / floor_median,
            ratio_of="floor",
            ratio_target=RATIO_TARGET,
        ),
    ]
    if before:
        rows.append(
            common.row(
                NAME,
                "baseline: dialer-gui until window shown and socket answers",
                before,
                ratio=common.summary(before)["median"] / floor_median,
                ratio_of="floor",
            )
        )
    return rows


def main() -> None:
    common.standalone("cold_start", run("--quick" in sys.argv))


if __name__ == "__main__":
    main()
