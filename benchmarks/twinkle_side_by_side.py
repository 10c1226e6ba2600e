"""Side by side with Twinkle, a native C++/Qt softphone: warm and cold link to wire, idle memory.

Optional: it runs only when ``twinkle`` is on the PATH (``apt install twinkle`` on Debian), and
never in CI (``CI=true``) or with ``--quick``; otherwise it reports nothing.

Twinkle is what a desk would use instead: ``twinkle --immediate --call URI`` hands a number to
the running Twinkle, which sends a SIP INVITE itself. Each Twinkle gets a private home with one
profile whose outbound proxy is the SIP stand-in of ``sink.py`` (UDP on 127.0.0.1, answering
486 Busy Here so each call ends at once), no registration or presence, ALSA's null device and
offscreen Qt. dialer-gui runs as in ``link_to_wire.py`` and ``cold_link.py``, its requests
going to the same sink process. One round, each case in turn:

- floor: ``python -S -c ''`` and one plain curl POST to the sink;
- warm: dialer-gui's registered command to the running app / ``twinkle --call`` to the running
  Twinkle, until the sink receives the PBX request / the INVITE;
- cold: the same with neither running: the command starts the app (or Twinkle), which calls;
  it is stopped afterwards.

At the end the idle RSS and PSS of both running instances are read.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import common
from cold_link import _sample as cold_sample
from link_to_wire import FLOOR, floor_command

NAME = "vs Twinkle"


def available() -> bool:
    return shutil.which("twinkle") is not None and os.environ.get("CI") != "true"


class Twinkle:
    """One Twinkle with a private home, calling through the sink's SIP port."""

    def __init__(self, proxy_port: int, sip_port: int, rtp_port: int) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="dialer-bench-twinkle-"))
        self.sip_port = sip_port
        folder = self.home / ".twinkle"
        folder.mkdir(mode=0o700)
        (folder / "bench.cfg").write_text(
            "user_name=bench\nuser_domain=127.0.0.1\nuser_display=bench\n"
            f"outbound_proxy=127.0.0.1:{proxy_port}\nall_requests_to_proxy=yes\n"
            "register_at_startup=no\npres_publish_startup=no\nsip_transport=udp\n"
        )
        (folder / "twinkle.sys").write_text(
            "dev_ringtone=alsa:null\ndev_speaker=alsa:null\ndev_mic=alsa:null\n"
            "validate_audio_dev=no\nlog_show_sip=no\ngui_use_systray=no\nplay_ringtone=no\n"
            f"play_ringback=no\nsip_port={sip_port}\nrtp_port={rtp_port}\n"
            "last_used_profile=bench\nshow_buddy_list=no\n"
        )
        runtime = self.home / "runtime"
        runtime.mkdir(mode=0o700)
        self.env = dict(
            os.environ, HOME=str(self.home), QT_QPA_PLATFORM="offscreen",
            XDG_RUNTIME_DIR=str(runtime), QT_LOGGING_RULES="*=false",
        )  # fmt: skip
        self.proc: subprocess.Popen[bytes] | None = None

    def command(self, uri: str) -> list[str]:
        return ["twinkle", "--force", "-f", "bench", "--sip-port", str(self.sip_port),
                "--immediate", "--call", uri]  # fmt: skip

    def start(self, timeout: float = 30.0) -> None:
        """Start Twinkle and wait until it takes commands (its command socket exists)."""
        sock = self.home / ".twinkle" / ".cmdsock"
        self.proc = self._spawn(["twinkle", "--force", "-f", "bench", "--sip-port",
                                 str(self.sip_port)])  # fmt: skip
        deadline = time.monotonic() + timeout
        while not sock.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("Twinkle did not start")
            time.sleep(0.05)

    def _spawn(self, command: list[str]) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            command, env=self.env, cwd=self.home, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def call(self, uri: str) -> None:
        """What a click does with Twinkle as the handler: hand the number to the instance."""
        command = ["twinkle", "--immediate", "--call", uri]
        subprocess.run(command, env=self.env, cwd=self.home, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30,
                       check=False)  # fmt: skip

    def cold_call(self, uri: str, sink: common.Sink, needle: str) -> float:
        """No Twinkle running: the command starts one, which calls; stopped afterwards."""
        t0 = time.monotonic()
        proc = self._spawn(self.command(uri))
        try:
            return sink.wait(t0, needle, kind="sip", timeout=60)
        finally:
            common.stop_process(proc, timeout=3)
            for leftover in (".cmdsock", "twinkle.lck"):
                with contextlib.suppress(OSError):
                    (self.home / ".twinkle" / leftover).unlink()

    def stop(self) -> None:
        if self.proc is not None:
            common.stop_process(self.proc, timeout=3)
        shutil.rmtree(self.home, ignore_errors=True)


def run(quick: bool = False) -> list[dict[str, Any]]:
    if quick or not available():
        return []
    warmup, rounds = 2, 15
    samples: dict[str, list[float]] = {}
    memory: dict[str, dict[str, int]] = {}
    with contextlib.ExitStack() as stack:
        sip_port = common.free_udp_port()
        sink = stack.enter_context(common.Sink(sip_port=sip_port))
        config, secrets = common.link_config(sink.url)
        warm_env = stack.enter_context(common.app_env(config, secrets))
        app = stack.enter_context(common.RunningApp(warm_env))
        app.start()
        cold_env = stack.enter_context(common.app_env(config, secrets))
        warm_twinkle = Twinkle(sip_port, common.free_udp_port(), 18000)
        stack.callback(warm_twinkle.stop)
        warm_twinkle.start()
        cold_twinkle = Twinkle(sip_port, common.free_udp_port(), 18100)
        stack.callback(cold_twinkle.stop)
        warm_cmd = warm_env.registered_command(common.LINK)
        cold_cmd = cold_env.registered_command(common.LINK)

        def floor(n: str) -> float:
            t0 = time.monotonic()
            for command in floor_command(sink.url, n):
                subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               timeout=30, check=False)  # fmt: skip
            return sink.wait(t0, n[-10:])

        def warm_dialer(n: str) -> float:
            t0 = time.monotonic()
            subprocess.run(common.with_link(warm_cmd, f"tel:{n}"), env=warm_env.env,
                           cwd=warm_env.dir, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=30, check=False)  # fmt: skip
            return sink.wait(t0, n[-10:])

        def warm_twinkle_call(n: str) -> float:
            t0 = time.monotonic()
            warm_twinkle.call(f"sip:{n[1:]}@127.0.0.1:{sip_port}")
            return sink.wait(t0, n[1:], kind="sip")

        cases: dict[str, Callable[[str], float]] = {
            FLOOR: floor,
            "warm: dialer-gui registered command": warm_dialer,
            "warm: twinkle --immediate --call": warm_twinkle_call,
            "cold: dialer-gui registered command": lambda n: cold_sample(
                cold_env, cold_cmd, sink, n
            ),
            "cold: twinkle --immediate --call": lambda n: cold_twinkle.cold_call(
                f"sip:{n[1:]}@127.0.0.1:{sip_port}", sink, n[1:]
            ),
        }
        samples = {case: [] for case in cases}
        load_before = common.load_note()
        i = 0
        for round_no in range(warmup + rounds):
            for case, action in cases.items():
                i += 1
                sink.drain()
                elapsed = action(common.number(i))
                if round_no >= warmup:
                    samples[case].append(elapsed * 1000)
        load = f"{load_before} before, {common.load_note()} after"
        time.sleep(3)  # both instances idle
        memory["dialer-gui"] = app.memory()
        assert warm_twinkle.proc is not None
        memory["Twinkle"] = common.read_memory(warm_twinkle.proc.pid)

    floor_median = common.summary(samples[FLOOR])["median"]
    rows = [common.row(NAME, FLOOR, samples[FLOOR], note=load)]
    for case, values in samples.items():
        if case == FLOOR:
            continue
        ratio = common.summary(values)["median"] / floor_median
        rows.append(common.row(NAME, case, values, ratio=ratio, ratio_of="floor"))
    for who, found in memory.items():
        rows.append(
            common.row(
                NAME,
                f"idle RSS: {who}",
                unit="MiB",
                value=found["rss"] / 1024,
                note=f"PSS {found['pss'] / 1024:.1f} MiB",
            )
        )
    return rows


def main() -> None:
    if not available():
        print("twinkle is not installed (or CI=true): nothing to compare with")
        return
    common.standalone("twinkle_side_by_side", run())


if __name__ == "__main__":
    main()
