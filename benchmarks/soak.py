"""Soak: one running app takes 10,000 hand-offs and 1,000 calls; what it holds must stay flat.

A tray app is started once and left running for weeks, and every click of a link is a
connection to it. This drives the real app (``soak_app.py``: the app plus a reporting thread)
through the single-instance socket with the three kinds of hand-off a desk sees, in turn: a
``show`` request, a line of garbage, and a connection closed without a word. Calls go in as
links (``dial`` requests), in batches of 50, each batch received by the simulator before the
next is sent, so every call runs its whole course: plan, request, answer, history row, model
update, notice.

After a warm-up it reads, every round, the reference counts of ``None``, ``True`` and
``False``, the threads, the open file descriptors and the RSS of the app. PySide6 6.12.0 drops a
reference to ``None`` on every call of a method that returns nothing; on Python 3.11, where
``None`` is an ordinary object, the interpreter aborts (``none_dealloc``) once the count reaches
zero, after about 1,500 hand-offs. A count that stays within a few hundred of where it started
over the whole soak is flat; a leak of one reference per call would move it by thousands.

``python benchmarks/soak.py [--hand-offs N] [--calls N] [--json FILE]``; ``run(quick)`` for
``run.py``.
"""

from __future__ import annotations

import argparse
import json
import socket
import time
from pathlib import Path
from typing import Any

import common

NAME = "soak"
BATCH = 50
ROUNDS = 10
WARM_CALLS = 1_050
"""More than the history model keeps (``ui.history_model.LIVE_ROWS``), so it is full when the
soak starts."""
SETTLE = 11.0
"""Seconds of quiet before a warm or final reading. A finished call's timers (the request's
10 s timeout) stay registered with the Qt loop until they would have fired, cancelled or not;
they hold a few references each until then, so a reading taken sooner counts them."""
HERE = Path(__file__).resolve().parent


class Stats:
    """Asks the app's reporting thread for one reading and waits for it."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "soak-stats.jsonl"
        self._request = folder / "soak-stats.jsonl.request"
        self._read = 0

    def read(self, app: common.RunningApp, timeout: float = 10.0) -> dict[str, int]:
        self._request.touch()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if app.proc is not None and app.proc.poll() is not None:
                raise RuntimeError(f"the app died during the soak:\n{app.log_tail()}")
            lines = self.path.read_text().splitlines() if self.path.exists() else []
            if len(lines) > self._read:
                self._read = len(lines)
                return dict(json.loads(lines[-1]))
            time.sleep(0.01)
        raise TimeoutError("the app did not report its figures")


def _exchange(name: str, data: bytes | None) -> bytes:
    """One raw connection: send ``data`` (None: close at once) and read the answer."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(5.0)
        sock.connect(name)
        if data is None:
            return b""
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        reply = b""
        while chunk := sock.recv(4096):
            reply += chunk
        return reply


def hand_offs(name: str, count: int, start: int = 0) -> None:
    """``count`` hand-offs of the three kinds in turn; each is answered before the next."""
    from dialer_gui import ipc

    show = ipc.Message("show", "", "cli")
    for i in range(start, start + count):
        kind = i % 3
        if kind == 0:
            if not ipc.send(show, name=name, timeout=5.0):
                raise RuntimeError("the app did not answer a show request")
        elif kind == 1:
            reply = _exchange(name, b"not a request %d\n" % i)
            if not reply.startswith(b"error"):
                raise RuntimeError(f"garbage got {reply!r}")
        else:
            _exchange(name, None)


def calls(name: str, sandbox: Any, count: int, start: int = 0) -> None:
    """``count`` link calls in batches; each batch reaches the simulator before the next."""
    from dialer_gui import ipc

    sent = start
    while sent < start + count:
        batch_start = time.monotonic()
        batch = range(sent, min(start + count, sent + BATCH))
        for i in batch:
            ipc.send(ipc.Message("dial", f"tel:{common.number(i)}", "link"), name=name)
        for i in batch:
            common.wait_for_request(sandbox, batch_start, common.number(i)[-10:].encode())
        sent += len(batch)


def soak(
    total_hand_offs: int, total_calls: int, warm_calls: int = WARM_CALLS, settle: float = SETTLE
) -> dict[str, Any]:
    """Run the soak and return the readings: ``warm``, one per round, and the totals."""
    from dialer_gui.sandbox import SandboxThread

    sandbox = SandboxThread()
    url = sandbox.start()
    # Distinct numbers never merge, so each call is a new row and a new request. The calls are
    # not followed after "accepted": Simotel's call records are searched 50 at a time, up to
    # 500 a look, and a thousand calls placed within seconds would leave most of them
    # followed (held in memory) until the tracker's four-hour bound, which is not what a soak
    # of minutes can tell apart from a leak. That following leaves nothing behind is
    # tests/test_tracker_follow.py's to show (many calls followed to their end).
    config, secrets = common.link_config(url)
    config += "follow_calls = false\n"
    readings: list[dict[str, Any]] = []
    try:
        with common.app_env(config, secrets) as env:
            stats = Stats(env.dir)
            program = [str(HERE / "soak_app.py"), str(stats.path)]
            with common.RunningApp(env, program=program) as app:
                app.start()
                name = env.socket
                # Warm-up: the first calls build clients and caches, and the history model
                # fills up to the rows it keeps (LIVE_ROWS), past which new calls push out old.
                hand_offs(name, 300)
                calls(name, sandbox, warm_calls, start=0)
                time.sleep(settle)
                warm = stats.read(app)
                t0 = time.monotonic()
                per_round_h = total_hand_offs // ROUNDS
                per_round_c = total_calls // ROUNDS
                for r in range(ROUNDS):
                    hand_offs(name, per_round_h, start=300 + r * per_round_h)
                    calls(name, sandbox, per_round_c, start=warm_calls + r * per_round_c)
                    reading = stats.read(app)
                    reading["hand_offs"] = (r + 1) * per_round_h
                    reading["calls"] = (r + 1) * per_round_c
                    readings.append(reading)
                elapsed = time.monotonic() - t0
                time.sleep(settle)
                final = stats.read(app)
                alive = app.proc is not None and app.proc.poll() is None
    finally:
        sandbox.stop()
    return {
        "warm": warm,
        "rounds": readings,
        "final": final,
        "hand_offs": per_round_h * ROUNDS,
        "calls": per_round_c * ROUNDS,
        "seconds": elapsed,
        "alive": alive,
        "requests_seen": len(sandbox.requests),
    }


def run(quick: bool = False) -> list[dict[str, Any]]:
    if quick:  # proves the script works; the figures mean nothing
        return rows(soak(300, 30, warm_calls=BATCH, settle=0.5))
    return rows(soak(10_000, 1_000))


def rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    warm, final = result["warm"], result["final"]
    n_h, n_c = result["hand_offs"], result["calls"]
    nones = [r["none"] for r in result["rounds"]]
    mib = 1024.0
    done = f"{n_h:,} hand-offs and {n_c:,} calls in {result['seconds']:.0f} s"
    return [
        common.row(NAME, "refcount of None, warm", unit="refs", value=warm["none"]),
        common.row(NAME, f"refcount of None after {done}", unit="refs", value=final["none"],
                   note=f"per round min {min(nones):,}, max {max(nones):,}"),
        common.row(NAME, "refcount of None, change", unit="refs",
                   value=final["none"] - warm["none"],
                   note=f"{(final['none'] - warm['none']) / (n_h + n_c):+.3f} per operation"),
        common.row(NAME, "refcount of True / False, change", unit="refs",
                   value=final["true"] - warm["true"],
                   note=f"False {final['false'] - warm['false']:+d}"),
        common.row(NAME, "RSS, warm", unit="MiB", value=warm["rss_kib"] / mib),
        common.row(NAME, "RSS, change", unit="MiB",
                   value=(final["rss_kib"] - warm["rss_kib"]) / mib),
        common.row(NAME, "open files, warm -> end", unit="fds", value=final["fds"],
                   note=f"warm {warm['fds']}"),
        common.row(NAME, "threads, warm -> end", unit="threads", value=final["threads"],
                   note=f"warm {warm['threads']}"),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--hand-offs", type=int, default=10_000)
    parser.add_argument("--calls", type=int, default=1_000)
    parser.add_argument("--json", type=Path, default=None, help="also write the raw readings")
    args = parser.parse_args()
    result = soak(args.hand_offs, args.calls)
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=1))
    common.standalone(NAME, rows(result))


if __name__ == "__main__":
    main()
