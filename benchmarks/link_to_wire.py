"""Link to wire: from the OS starting the link handler to the PBX receiving the call.

The real app runs as a subprocess (offscreen, private dirs, one Simotel profile pointing at the
simulator of ``sink.py``, a process of its own, links dialed without asking). For each sample
the clock starts just before the hand-off process is spawned and stops at the sink's receive
stamp of the provider request (``time.monotonic()``, comparable across processes on Linux).

Measured side by side, interleaved round by round so drift hits every case alike:

- floor: a bare ``python -S -c ''`` of the same interpreter binary, then one plain ``curl``
  POST of the same body to the sink: the least any process-per-click design can cost;
- the registered command: what ``dialer-gui register`` writes for links (the fast entry,
  ``python -I -S .../link_entry.py --link URI``);
- ``python -m dialer_gui --link`` and the ``dialer-gui`` console script (the full hand-off);
- one-shot: ``dialer-gui call --provider sim NUMBER``, a fresh process that places the call
  itself (what a handler without a running instance costs);
- Fonality's documented shell recipe: ``curl`` login, then ``curl`` dial (two processes);
- with ``run.py --baseline DIR``: the registered command and ``python -m`` of another checkout
  (its own running app), for before/after figures from the same rounds.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import common

NAME = "link to wire"
TARGET_MS = 60.0
RATIO_TARGET = 1.25
FLOOR = "floor: python -S + curl to the sink"

FONALITY_SCRIPT = r"""
TOKEN=$(curl -s -X POST -d "method=login&user=$HUDUSER&pass=$PASSWD" "$URL/call.cgi?" \
  --header "Access-Control-Allow-Credals:true" --header "X-Requested-By:FonalityClickToDial" \
  | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
curl -s -X POST -d "method=dial&number=$DIAL&dontmodify=1&callerid=$CNUM&token=$TOKEN" \
  "$URL/call.cgi?" --header "Access-Control-Allow-Credentials:true" \
  --header "X-Requested-By:FonalityClickToDial" -vv
"""


def _quiet(cmd: list[str], env: dict[str, str], cwd: Any) -> None:
    subprocess.run(
        cmd,
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=30,
        check=False,
    )


def floor_command(url: str, number: str) -> list[list[str]]:
    """The floor: a bare interpreter start, then one plain curl POST of the call's body."""
    from dialer_gui.sandbox.simotel import ORIGINATE

    fields = {"caller": "557", "callee": number[1:], "context": "main_routing"}
    body = json.dumps({**fields, "caller_id": "557"}, separators=(",", ":"))
    return [
        [common.FLOOR_PYTHON, "-S", "-c", ""],
        ["curl", "-s", "-o", "/dev/null", "-H", "Content-Type: application/json", "-d", body,
         url + ORIGINATE],
    ]  # fmt: skip


def run(quick: bool = False) -> list[dict[str, Any]]:
    from dialer_gui.sandbox import demo

    warmup, rounds = (1, 3) if quick else (3, 30)
    samples: dict[str, list[float]] = {}
    with contextlib.ExitStack() as stack:
        sink = stack.enter_context(common.Sink())
        url = sink.url
        config, secrets = common.link_config(url)
        env = stack.enter_context(common.app_env(config, secrets))
        stack.enter_context(common.RunningApp(env)).start()
        script = common.console_script(env.dir)
        fonality_env = dict(
            env.env,
            URL=url,
            HUDUSER=demo.FONALITY_USER,
            PASSWD=demo.FONALITY_PASSWORD,
            CNUM=demo.FONALITY_CALLERID,
        )

        def run_in(e: common.AppEnv) -> Callable[[list[str]], None]:
            return lambda cmd: _quiet(cmd, e.env, e.dir)

        here = run_in(env)
        registered = env.registered_command(common.LINK)

        def floor(n: str) -> None:
            for command in floor_command(url, n):
                here(command)

        cases: dict[str, tuple[Callable[[str], None], str]] = {
            FLOOR: (floor, ""),
            "registered command (fast entry)": (
                lambda n: here(common.with_link(registered, f"tel:{n}")),
                "",
            ),
            "python -m dialer_gui --link": (
                lambda n: here([common.PYTHON, "-m", "dialer_gui", "--link", f"tel:{n}"]),
                "",
            ),
            "dialer-gui --link (console script)": (
                lambda n: here([*script, "--link", f"tel:{n}"]),
                "",
            ),
            "one-shot: dialer-gui call": (
                lambda n: here([*script, "call", "--provider", common.PROFILE, n]),
                "",
            ),
            "Fonality doc: curl login + curl dial": (
                lambda n: _quiet(
                    ["/bin/sh", "-c", FONALITY_SCRIPT], dict(fonality_env, DIAL=n[1:]), env.dir
                ),
                "/call.cgi",
            ),
        }
        if common.BASELINE is not None:
            base = stack.enter_context(common.app_env(config, secrets, common.BASELINE))
            stack.enter_context(common.RunningApp(base)).start()
            there = run_in(base)
            base_link = base.registered_command(common.LINK)
            cases["baseline: registered command"] = (
                lambda n: there(common.with_link(base_link, f"tel:{n}")),
                "",
            )
            cases["baseline: python -m dialer_gui --link"] = (
                lambda n: there([common.PYTHON, "-m", "dialer_gui", "--link", f"tel:{n}"]),
                "",
            )
        samples = {case: [] for case in cases}
        load_before = common.load_note()
        i = 0
        for round_no in range(warmup + rounds):
            for case, (action, path) in cases.items():
                i += 1
                n = common.number(i)
                sink.drain()
                t0 = time.monotonic()
                action(n)
                elapsed = sink.wait(t0, n[-10:], path=path)
                if round_no >= warmup:
                    samples[case].append(elapsed * 1000)
        load = f"{load_before} before, {common.load_note()} after"

    floor_median = common.summary(samples[FLOOR])["median"]
    rows = []
    for case, values in samples.items():
        median = common.summary(values)["median"]
        if case == FLOOR:
            rows.append(
                common.row(NAME, case, values, note=f"the least a process per click costs; {load}")
            )
        elif case.startswith("registered"):
            rows.append(
                common.row(
                    NAME,
                    case,
                    values,
                    target=TARGET_MS,
                    ratio=median / floor_median,
                    ratio_of="floor",
                    ratio_target=RATIO_TARGET,
                )
            )
        else:
            ratio = median / floor_median
            rows.append(common.row(NAME, case, values, ratio=ratio, ratio_of="floor"))
    return rows


def main() -> None:
    common.standalone("link_to_wire", run("--quick" in sys.argv))


if __name__ == "__main__":
    main()
