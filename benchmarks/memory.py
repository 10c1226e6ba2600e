"""Memory: RSS and PSS of the running app, idle after start and after 1,000 calls.

Figures come from ``/proc/PID/smaps_rollup``. PSS splits shared library pages among the
processes using them, so it is the fairer share of what the app adds to the machine. The calls
go in as links over the single-instance socket (as from 1,000 clicks, without the 1,000 hand-off
processes), in batches of 50, each batch received by the simulator before the next is sent.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import common

NAME = "memory"
IDLE_TARGET_MB = 90.0
BATCH = 50


def _settle(seconds: float) -> None:
    # Let the app finish writing history and let allocator activity calm down.
    time.sleep(seconds)


def _floor_memory(env: common.AppEnv) -> dict[str, int]:
    """RSS and PSS of a bare QApplication showing one QWidget (``qt_floor.py --hold``)."""
    proc = subprocess.Popen(
        [common.PYTHON, str(Path(__file__).with_name("qt_floor.py")), "--hold", "10"],
        env=env.env,
        cwd=env.dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert proc.stdout is not None
        proc.stdout.readline()
        _settle(1.0)
        return common.read_memory(proc.pid)
    finally:
        proc.terminate()
        proc.wait(10)


def run(quick: bool = False) -> list[dict[str, Any]]:
    from dialer_gui import ipc
    from dialer_gui.sandbox import SandboxThread

    calls = 100 if quick else 1000
    sandbox = SandboxThread()
    url = sandbox.start()
    config, secrets = common.link_config(url)
    try:
        with common.app_env(config, secrets) as env, common.RunningApp(env) as app:
            floor = _floor_memory(env)
            app.start()
            _settle(1.0 if quick else 3.0)
            idle = app.memory()
            name = env.socket
            sent = 0
            t0 = time.monotonic()
            while sent < calls:
                batch_start = time.monotonic()
                batch = range(sent, min(calls, sent + BATCH))
                for i in batch:
                    ipc.send(ipc.Message("dial", f"tel:{common.number(i)}", "link"), name=name)
                for i in batch:
                    needle = common.number(i)[-10:].encode()
                    common.wait_for_request(sandbox, batch_start, needle)
                sent += len(batch)
            elapsed = time.monotonic() - t0
            _settle(1.0 if quick else 3.0)
            after = app.memory()
            received = len(sandbox.requests)
    finally:
        sandbox.stop()
    mib = 1024.0
    growth_rss = (after["rss"] - idle["rss"]) / mib
    growth_pss = (after["pss"] - idle["pss"]) / mib
    per_call_kib = (after["rss"] - idle["rss"]) / calls
    note = f"{calls} calls in {elapsed:.1f} s; simulator saw {received} requests"
    return [
        common.row(NAME, "floor: RSS of QApplication + one QWidget", unit="MiB",
                   value=floor["rss"] / mib, note=f"PSS {floor['pss'] / mib:.1f} MiB"),
        common.row(NAME, "RSS idle after start", unit="MiB", value=idle["rss"] / mib,
                   target=IDLE_TARGET_MB, ratio=idle["rss"] / floor["rss"], ratio_of="floor"),
        common.row(NAME, "PSS idle after start", unit="MiB", value=idle["pss"] / mib),
        common.row(NAME, f"RSS after {calls} calls", unit="MiB", value=after["rss"] / mib,
                   note=note),
        common.row(NAME, f"PSS after {calls} calls", unit="MiB", value=after["pss"] / mib),
        common.row(NAME, f"RSS growth over {calls} calls", unit="MiB", value=growth_rss,
                   note=f"{per_call_kib:.1f} KiB per call; PSS growth {growth_pss:.1f} MiB"),
    ]  # fmt: skip


def main() -> None:
    common.standalone("memory", run("--quick" in sys.argv))


if __name__ == "__main__":
    main()
