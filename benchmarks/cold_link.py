"""Cold link to wire: a click with no dialer-gui running, until the PBX receives the call.

The OS runs the registered command (``dialer-gui register``'s, the fast entry) with no
instance listening, so it becomes the app, which places that call first (see ``app.py``). The
clock starts before the command is spawned and stops at the sink's receive stamp of the
provider request (``sink.py``, a process of its own); the app is then stopped (SIGTERM) and
the next round starts it again on the same config and history, as after a reboot with the
files in the page cache. Links are dialed without asking (``confirm_links = false``).

With ``run.py --baseline DIR`` the other checkout's registered command is measured in the
same rounds, alternating.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from typing import Any

import common

NAME = "cold link"
CASE = "registered command, no app running"


def _sample(env: common.AppEnv, command: list[str], sink: common.Sink, n: str) -> float:
    sink.drain()
    log = (env.dir / "app-stderr.log").open("ab")
    with log:
        t0 = time.monotonic()
        proc = subprocess.Popen(
            common.with_link(command, f"tel:{n}"),
            env=env.env,
            cwd=env.dir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        try:
            return sink.wait(t0, n[-10:], timeout=60)
        finally:
            common.stop_process(proc)


def run(quick: bool = False) -> list[dict[str, Any]]:
    warmup, rounds = (1, 2) if quick else (2, 10)
    samples: dict[str, list[float]] = {}
    with contextlib.ExitStack() as stack:
        sink = stack.enter_context(common.Sink())
        config, secrets = common.link_config(sink.url)
        env = stack.enter_context(common.app_env(config, secrets))
        cases = {CASE: (env, env.registered_command(common.LINK))}
        if common.BASELINE is not None:
            base = stack.enter_context(common.app_env(config, secrets, common.BASELINE))
            cases[f"baseline: {CASE}"] = (base, base.registered_command(common.LINK))
        samples = {case: [] for case in cases}
        load_before = common.load_note()
        i = 0
        for round_no in range(warmup + rounds):
            for case, (app_env, command) in cases.items():
                i += 1
                elapsed = _sample(app_env, command, sink, common.number(i))
                if round_no >= warmup:
                    samples[case].append(elapsed * 1000)
        load = f"{load_before} before, {common.load_note()} after"
    rows = [common.row(NAME, case, values) for case, values in samples.items()]
    rows[0]["note"] = load
    before = f"baseline: {CASE}"
    if before in samples:
        ratio = common.summary(samples[CASE])["median"] / common.summary(samples[before])["median"]
        rows[0].update(ratio=ratio, ratio_of="baseline")
    return rows


def main() -> None:
    common.standalone("cold_link", run("--quick" in sys.argv))


if __name__ == "__main__":
    main()
