"""Link to wire: from the OS starting ``dialer-gui --link tel:...`` to the PBX receiving the call.

The real app runs as a subprocess (offscreen, private dirs, one Simotel profile pointing at a
simulator in this process, links dialed without asking). For each sample the clock starts just
before the hand-off process is spawned and stops at the simulator's receive stamp of the
provider request (``time.monotonic()``, comparable across processes on Linux).

Measured side by side, interleaved round by round so drift hits every case alike:

- floor: a bare ``python -S -c ''`` of the same interpreter binary, then one ``curl`` request
  to the simulator: the least any process-per-click design can cost;
- ``python -m dialer_gui --link`` and the ``dialer-gui`` console script (the hand-off);
- one-shot: ``dialer-gui call --provider sim NUMBER``, a fresh process that places the call
  itself (what a handler without a running instance costs);
- Fonality's documented shell recipe: ``curl`` login, then ``curl`` dial (two processes).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any

import common

NAME = "link to wire"
TARGET_MS = 60.0
RATIO_TARGET = 3.0

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


def run(quick: bool = False) -> list[dict[str, Any]]:
    from dialer_gui.sandbox import SandboxThread, demo
    from dialer_gui.sandbox.simotel import ORIGINATE

    warmup, rounds = (1, 3) if quick else (3, 30)
    sandbox = SandboxThread()
    url = sandbox.start()
    config, secrets = common.link_config(url)
    samples: dict[str, list[float]] = {}
    try:
        with common.app_env(config, secrets) as env, common.RunningApp(env) as app:
            app.start()
            script = common.console_script(env.dir)
            floor_curl = [
                "curl", "-s", "-o", "/dev/null", "-X", "POST",
                "-u", f"{demo.SIMOTEL_USERNAME}:{demo.SIMOTEL_PASSWORD}",
                "-H", f"X-APIKEY: {demo.SIMOTEL_API_KEY}",
                "-H", "Content-Type: application/json",
            ]  # fmt: skip
            fonality_env = dict(
                env.env,
                URL=url,
                HUDUSER=demo.FONALITY_USER,
                PASSWD=demo.FONALITY_PASSWORD,
                CNUM=demo.FONALITY_CALLERID,
            )

            def floor(n: str) -> None:
                _quiet([common.FLOOR_PYTHON, "-S", "-c", ""], env.env, env.dir)
                fields = {"caller": "557", "callee": n[1:], "context": "main_routing"}
                body = json.dumps({**fields, "caller_id": "557"}, separators=(",", ":"))
                _quiet([*floor_curl, "-d", body, url + ORIGINATE], env.env, env.dir)

            def module_link(n: str) -> None:
                _quiet([common.PYTHON, "-m", "dialer_gui", "--link", f"tel:{n}"], env.env, env.dir)

            def script_link(n: str) -> None:
                _quiet([*script, "--link", f"tel:{n}"], env.env, env.dir)

            def one_shot(n: str) -> None:
                _quiet([*script, "call", "--provider", common.PROFILE, n], env.env, env.dir)

            def fonality(n: str) -> None:
                _quiet(["/bin/sh", "-c", FONALITY_SCRIPT], dict(fonality_env, DIAL=n[1:]), env.dir)

            cases = {
                "floor: python -S + curl": (floor, ""),
                "python -m dialer_gui --link": (module_link, ""),
                "dialer-gui --link (console script)": (script_link, ""),
                "one-shot: dialer-gui call": (one_shot, ""),
                "Fonality doc: curl login + curl dial": (fonality, "/call.cgi"),
            }
            samples = {case: [] for case in cases}
            i = 0
            for round_no in range(warmup + rounds):
                for case, (action, path) in cases.items():
                    i += 1
                    n = common.number(i)
                    needle = n[-10:].encode()
                    t0 = time.monotonic()
                    action(n)
                    elapsed = common.wait_for_request(sandbox, t0, needle, path=path)
                    if round_no >= warmup:
                        samples[case].append(elapsed * 1000)
    finally:
        sandbox.stop()

    floor_median = common.summary(samples["floor: python -S + curl"])["median"]
    rows = []
    for case, values in samples.items():
        median = common.summary(values)["median"]
        if case.startswith("floor"):
            rows.append(common.row(NAME, case, values, note="the least a process per click costs"))
        elif "--link" in case:
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
