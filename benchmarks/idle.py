"""Idle cost: CPU and wake-ups of the running app with no call, and while it follows 10 calls.

The real app runs as a subprocess (offscreen, its own dirs and in-memory keyring) with the demo
MOR profile, which follows calls live, pointed at a simulator on a thread of this process (so
the simulator's work is not counted against the app). Three windows of equal length:

- ``idle``: nothing to do, after start-up settled. No call is live, so the call tracker has no
  task and the call card no timer: what remains is Qt's and the single-instance server's own;
- ``following 10``: ten calls handed over as links, each on the simulator's ``long`` script
  (the number ends in 6: connected after 7 s, talking for an hour), measured once all are
  connected, when the tracker asks at its slowest pace;
- ``idle again``: after the ten calls were hung up, to show the tracker leaves nothing behind.

CPU is user + system time of all the app's threads (``/proc/PID/stat``); wake-ups are its
threads' context switches (voluntary and not, ``/proc/PID/task/*/status``), the usual proxy
for how often a process is woken; requests are those the simulator received in the window.

Offscreen there is no tray, so the window is shown, with the focus in the number field: the
2 wake-ups a second left when idle are Qt blinking that field's text cursor (a 500 ms timer,
gone when the window is hidden in the tray). No timer of dialer-gui's own runs when idle.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

import common

NAME = "idle"
PROFILE = "demo-mor"


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime


def _switches(pid: int) -> int:
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            text = (task / "status").read_text()
        except OSError:  # the thread ended meanwhile
            continue
        for line in text.splitlines():
            if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                total += int(line.split()[1])
    return total


def _window(pid: int, sandbox: Any, seconds: float) -> dict[str, float]:
    before = len(sandbox.requests)
    cpu, switches, t0 = _cpu_seconds(pid), _switches(pid), time.monotonic()
    time.sleep(seconds)
    elapsed = time.monotonic() - t0
    return {
        "cpu_percent": 100.0 * (_cpu_seconds(pid) - cpu) / elapsed,
        "wakeups_per_s": (_switches(pid) - switches) / elapsed,
        "requests_per_s": (len(sandbox.requests) - before) / elapsed,
    }


def _config(base_url: str) -> tuple[str, dict[str, str]]:
    from dialer_gui.sandbox.demo import demo_profiles, demo_secrets

    profile = demo_profiles(base_url)[PROFILE]
    lines = [
        "[general]",
        'region = "GB"',
        f'default_provider = "{PROFILE}"',
        "confirm_links = false",
        "duplicate_window = 0.0",
        "link_rate_limit = 0",
        "",
        f"[providers.{PROFILE}]",
        f'type = "{profile.type}"',
    ]
    for key, value in profile.options.items():
        lines.append(f"{key} = {json.dumps(value)}")
    secrets = {f"{PROFILE}/{k}": v for k, v in demo_secrets()[PROFILE].items()}
    return "\n".join(lines) + "\n", secrets


def measure(seconds: float) -> list[dict[str, Any]]:
    from dialer_gui import ipc
    from dialer_gui.sandbox import running_sandbox

    rows: list[dict[str, Any]] = []
    with running_sandbox() as sandbox:
        text, secrets = _config(sandbox.base_url)
        with common.app_env(text, secrets) as env, common.RunningApp(env, ["--background"]) as app:
            app.start()
            assert app.proc is not None
            pid = app.proc.pid
            time.sleep(5.0)  # start-up, warm-up and settle are over
            figures = {"idle": _window(pid, sandbox, seconds)}
            numbers = [f"+4420794600{n}6" for n in range(10)]  # 020 7946 00n6
            for number in numbers:
                ipc.send(ipc.Message("dial", f"tel:{number}", "link"), name=env.socket)
            time.sleep(12.0)  # all connected (7 s), the tracker at its slowest pace
            placed = [r for r in sandbox.requests if r.path.endswith("callback_init")]
            if len(placed) != len(numbers):
                raise RuntimeError(f"{len(placed)} of 10 calls reached the PBX:\n{app.log_tail()}")
            figures["following 10"] = _window(pid, sandbox, seconds)
            book = sandbox.sandbox.calls  # the simulator's calls: hang each up at the PBX
            for call in book.active("mor"):
                book.hang_up(call)
            time.sleep(12.0)  # the tracker sees the endings and stops
            figures["idle again"] = _window(pid, sandbox, seconds)
    for case, values in figures.items():
        rows.append(common.row(NAME, f"{case}: CPU", value=values["cpu_percent"], unit="%"))
        rows.append(common.row(NAME, f"{case}: wake-ups", value=values["wakeups_per_s"], unit="/s"))
        rows.append(
            common.row(NAME, f"{case}: PBX requests", value=values["requests_per_s"], unit="/s")
        )
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each window")
    args = parser.parse_args(argv)
    common.standalone(NAME, measure(args.seconds))


if __name__ == "__main__":
    main()
