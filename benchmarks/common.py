"""Shared pieces of the benchmarks: statistics, machine facts, an isolated app environment.

Every benchmark module has ``run(quick: bool) -> list[dict]`` returning result rows and a
``main()`` so it can run alone (``python benchmarks/link_to_wire.py``). ``benchmarks/run.py``
runs them all and prints one table. Nothing here asserts on timings: the numbers are reported,
compared with their targets and written to ``benchmarks/results/``.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import math
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SUPPORT = ROOT / "tests" / "support"
RESULTS = ROOT / "benchmarks" / "results"
if str(ROOT) not in sys.path:  # the scripts run from a checkout, installed or not
    sys.path.insert(0, str(ROOT))

# Headless Qt for the in-process benchmarks, without the offscreen plugin's chatter.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

PYTHON = sys.executable
"""The interpreter the app runs on (a venv's python keeps its site-packages)."""
FLOOR_PYTHON = os.path.realpath(sys.executable)
"""The same interpreter binary, with any venv or shim resolved away (for the floors)."""

# Installed apps run from byte-code that pip compiled at install time. Checkouts (and shells
# with PYTHONDONTWRITEBYTECODE set) would compile every module on every start instead, so the
# app's processes get a private byte-code cache, filled by the first (warm-up) start.
PYCACHE = Path(tempfile.mkdtemp(prefix="dialer-bench-pyc-"))
atexit.register(shutil.rmtree, PYCACHE, True)

BASELINE: Path | None = None
"""Another checkout (``run.py --baseline DIR``) whose app is measured beside this one's, in the
same rounds: before/after figures that a busy machine cannot skew one way."""

PROFILE = "sim"
SIMOTEL_TOML = """
[providers.{name}]
type = "simotel"
url = "{url}"
method = "POST"
auth = "both"
username = "test"
caller = "557"
context = "main_routing"
"""


# -- statistics ---------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def summary(values: Sequence[float]) -> dict[str, float]:
    """Median, p90, min and max of ``values``, plus how many there were."""
    ordered = sorted(values)
    n = len(ordered)
    mid = n // 2
    median = ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    return {
        "median": median,
        "p90": percentile(ordered, 90),
        "min": ordered[0],
        "max": ordered[-1],
        "n": n,
    }


def row(
    benchmark: str,
    case: str,
    values: Sequence[float] | None = None,
    *,
    unit: str = "ms",
    value: float | None = None,
    target: float | None = None,
    target_text: str = "",
    lower_is_better: bool = True,
    ratio: float | None = None,
    ratio_of: str = "",
    ratio_target: float | None = None,
    note: str = "",
) -> dict[str, Any]:
    """One result line: either a sample (``values``) or a single measurement (``value``).

    ``ok`` is None when there is no target; otherwise the median (or value) must meet the
    target and, when given, the ratio must be within ``ratio_target``.
    """
    data: dict[str, Any] = {"benchmark": benchmark, "case": case, "unit": unit}
    if values is not None:
        data.update(summary(values))
        data["samples"] = [round(v, 4) for v in values]
        headline = data["median"]
    else:
        data.update({"median": value, "p90": None, "n": 1})
        headline = value
    ok: bool | None = None
    if target is not None and headline is not None:
        ok = headline < target if lower_is_better else headline > target
        if not target_text:
            target_text = f"{'<' if lower_is_better else '>'} {target:g} {unit}"
    if ratio is not None:
        data["ratio"] = ratio
        data["ratio_of"] = ratio_of
        if ratio_target is not None:
            data["ratio_target"] = ratio_target
            target_text = f"{target_text}, ≤ {ratio_target:g}× floor".lstrip(", ")
            ok = (ok is not False) and ratio <= ratio_target
    data.update({"target": target_text, "ok": ok, "note": note})
    return data


def quiet_qt() -> None:
    """Drop the offscreen plugin's "does not support ..." chatter; keep every other Qt message."""
    from PySide6.QtCore import qInstallMessageHandler

    def handler(_mode: Any, _context: Any, message: str) -> None:
        if "This plugin does not support" not in message:
            sys.stderr.write(message + "\n")

    qInstallMessageHandler(handler)


# -- machine ------------------------------------------------------------------------------------


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory_total() -> str:
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return "unknown"


def _os_name() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
    return platform.system()


def machine_info() -> dict[str, str]:
    """CPU, cores, memory, OS and the versions the numbers depend on."""
    info = {
        "cpu": _cpu_model(),
        "cores": str(os.cpu_count()),
        "memory": _memory_total(),
        "os": f"{_os_name()} (kernel {platform.release()})",
        "python": f"{platform.python_version()} ({FLOOR_PYTHON})",
    }
    try:
        import PySide6
        from PySide6.QtCore import qVersion

        info["pyside6"] = f"{PySide6.__version__} (Qt {qVersion()})"
    except ImportError:
        info["pyside6"] = "not installed"
    import sqlite3

    info["sqlite"] = sqlite3.sqlite_version
    return info


def print_machine(info: dict[str, str]) -> None:
    for key, value in info.items():
        print(f"  {key:8} {value}")


# -- output -------------------------------------------------------------------------------------


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit in ("ms",) or abs(value) < 1000:
        return f"{value:.1f}"
    return f"{value:,.0f}"


def print_table(rows: Sequence[dict[str, Any]]) -> None:
    """The results as an aligned text table."""
    header = ("benchmark", "case", "median", "p90", "unit", "target", "result", "ratio")
    lines = [header]
    for r in rows:
        ratio = f"{r['ratio']:.2f}× {r.get('ratio_of', '')}".strip() if "ratio" in r else ""
        result = {True: "pass", False: "MISS", None: ""}[r["ok"]]
        lines.append(
            (
                r["benchmark"],
                r["case"],
                _fmt(r["median"], r["unit"]),
                _fmt(r.get("p90"), r["unit"]),
                r["unit"],
                r["target"],
                result,
                ratio,
            )
        )
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    for n, line in enumerate(lines):
        print("  ".join(str(cell).ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def save(name: str, rows: Sequence[dict[str, Any]], out: Path | None = None) -> Path:
    """Write the rows with the machine info as JSON; returns the file."""
    folder = out or RESULTS
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = folder / f"{name}-{stamp}.json"
    data = {"when": stamp, "machine": machine_info(), "results": list(rows)}
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return path


def standalone(name: str, rows: list[dict[str, Any]]) -> None:
    """What a benchmark module's ``main()`` prints and saves."""
    print_machine(machine_info())
    print()
    print_table(rows)
    print(f"\nsaved {save(name, rows)}")


# -- an isolated environment for the real app ---------------------------------------------------


class AppEnv:
    """Per-user dirs, config and secrets of a private dialer-gui, all in one temp dir.

    Args:
        config: the body of ``config.toml`` (``version = 1`` is prepended).
        secrets: ``{"profile/field": value}`` handed to the in-memory keyring of tests.
    """

    def __init__(
        self, config: str, secrets: dict[str, str] | None = None, tree: Path = ROOT
    ) -> None:
        self.tree = tree  # the checkout whose dialer_gui the app runs (another: --baseline)
        self.dir = Path(tempfile.mkdtemp(prefix="dialer-bench-"))
        env = dict(os.environ)
        env.pop("DIALER_GUI_CONFIG", None)
        for name in ("config", "data", "state", "cache", "runtime"):
            folder = self.dir / name
            folder.mkdir(mode=0o700)
            key = "XDG_RUNTIME_DIR" if name == "runtime" else f"XDG_{name.upper()}_HOME"
            env[key] = str(folder)
        env["QT_QPA_PLATFORM"] = "offscreen"
        env.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(tree), str(SUPPORT), os.environ.get("PYTHONPATH", "")) if p
        )
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
        env["PYTHON_KEYRING_BACKEND"] = "memory_keyring.MemoryKeyring"
        env["DIALER_GUI_TEST_SECRETS"] = json.dumps(
            {f"dialer-gui|{k}": v for k, v in (secrets or {}).items()}
        )
        self.env = env
        config_dir = self.dir / "config" / "dialer-gui"
        config_dir.mkdir(mode=0o700)
        self.config_path = config_dir / "config.toml"
        self.config_path.write_text("version = 1\n" + config)

    def prime(self) -> None:
        """Fill the byte-code cache with everything a start and a one-shot call import."""
        modules = "dialer_gui.app, dialer_gui.commands, dialer_gui.cli, qasync, memory_keyring"
        subprocess.run(
            [PYTHON, "-c", f"import {modules}"], env=self.env, cwd=self.dir, check=True, timeout=120
        )

    @property
    def socket(self) -> str:
        from dialer_gui import ipc

        return str(ipc.socket_name(self.env["XDG_RUNTIME_DIR"]))

    def registered_command(self, link: str = "%u") -> list[str]:
        """The command ``dialer-gui register`` of this tree writes, with ``link`` for ``%u``.

        Made once per benchmark (a Python start), with :data:`LINK` as the placeholder that
        :func:`with_link` fills in for each sample.
        """
        code = (
            "import json; from dialer_gui.platform import launcher; "
            "print(json.dumps(launcher.link_command('%u')))"
        )
        out = subprocess.run(
            [PYTHON, "-c", code], env=self.env, cwd=self.dir, capture_output=True, text=True,
            check=True, timeout=60,
        )  # fmt: skip
        return [link if arg == "%u" else arg for arg in json.loads(out.stdout)]

    def cleanup(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def link_config(url: str, **general: Any) -> tuple[str, dict[str, str]]:
    """A config with one Simotel profile at ``url`` that dials links without asking."""
    from dialer_gui.sandbox.demo import demo_secrets

    settings = {
        "region": "GB",
        "default_provider": PROFILE,
        "confirm_links": False,
        "duplicate_window": 0.0,
        "link_rate_limit": 0,
        **general,
    }
    lines = ["[general]"]
    for key, value in settings.items():
        lines.append(f"{key} = {json.dumps(value)}")
    text = "\n".join(lines) + "\n" + SIMOTEL_TOML.format(name=PROFILE, url=url)
    secrets = {f"{PROFILE}/{k}": v for k, v in demo_secrets()["demo-simotel"].items()}
    return text, secrets


@contextlib.contextmanager
def app_env(
    config: str, secrets: dict[str, str] | None = None, tree: Path = ROOT
) -> Iterator[AppEnv]:
    env = AppEnv(config, secrets, tree)
    try:
        env.prime()
        yield env
    finally:
        env.cleanup()


def number(i: int) -> str:
    """The i-th of 1,000 distinct fictional London numbers (Ofcom's 020 7946 0xxx range)."""
    return f"+44207946{i % 1000:04d}"


class RunningApp:
    """The real app as a subprocess in an :class:`AppEnv`; ready once it answers on its socket."""

    def __init__(
        self, env: AppEnv, args: Sequence[str] = (), program: Sequence[str] = ("-m", "dialer_gui")
    ) -> None:
        self.env = env
        self.args = list(args)
        self.program = list(program)
        self.proc: subprocess.Popen[bytes] | None = None
        self._log = env.dir / "app-stderr.log"

    def start(self, timeout: float = 60.0) -> float:
        """Start the app; returns seconds from spawn until it answered a ``show`` request."""
        from dialer_gui import ipc
        from dialer_gui.errors import IPCError

        show = ipc.Message("show", "", "cli")
        name = self.env.socket
        with self._log.open("ab") as log:
            t0 = time.monotonic()
            self.proc = subprocess.Popen(
                [PYTHON, *self.program, *self.args],
                env=self.env.env,
                cwd=self.env.dir,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        deadline = t0 + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the app exited early:\n{self.log_tail()}")
            try:
                # The answer is written by the running Qt loop, after the window was shown.
                if ipc.send(show, name=name, timeout=max(0.1, deadline - time.monotonic())):
                    return time.monotonic() - t0
            except IPCError:
                pass
            time.sleep(0.002)
        self.stop()
        raise RuntimeError(f"the app did not answer within {timeout:g} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self._log.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def memory(self) -> dict[str, int]:
        """RSS and PSS of the app in KiB."""
        assert self.proc is not None
        return read_memory(self.proc.pid)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)

    def __enter__(self) -> RunningApp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def read_memory(pid: int) -> dict[str, int]:
    """RSS, PSS and friends of a process in KiB, from ``/proc/PID/smaps_rollup``."""
    found: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("Rss", "Pss", "Private_Dirty", "Shared_Clean"):
            found[key.lower()] = int(rest.split()[0])
    return found


def console_script(folder: Path) -> list[str]:
    """The ``dialer-gui`` console script: the installed one, else one made like pip makes it."""
    installed = Path(PYTHON).parent / "dialer-gui"
    if installed.exists():
        return [str(installed)]
    script = folder / "dialer-gui"
    # The launcher pip writes for [project.scripts] entries.
    script.write_text(
        f"#!{PYTHON}\n"
        "# -*- coding: utf-8 -*-\n"
        "import re\n"
        "import sys\n"
        "from dialer_gui.__main__ import main\n"
        "if __name__ == '__main__':\n"
        "    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n"
        "    sys.exit(main())\n"
    )
    script.chmod(0o755)
    return [str(script)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_request(
    sandbox: Any, t0: float, needle: bytes, timeout: float = 10.0, path: str = ""
) -> float:
    """Seconds from ``t0`` until the sandbox received a request containing ``needle``.

    The sandbox stamps each request with ``time.monotonic()`` as it is read; on Linux that
    clock is shared by all processes, so it times a request sent by another process.
    """
    deadline = time.monotonic() + timeout
    while True:
        for request in reversed(list(sandbox.requests)):
            if request.received < t0:
                break
            if (not path or request.path == path) and (
                needle in request.body or needle in request.target.encode()
            ):
                return float(request.received - t0)
        if time.monotonic() > deadline:
            raise TimeoutError(f"the sandbox received no request with {needle!r}")
        time.sleep(0.001)


LINK = "%LINK%"


def with_link(command: list[str], link: str) -> list[str]:
    """``command`` with its :data:`LINK` placeholder replaced by ``link``."""
    return [link if arg == LINK else arg for arg in command]


class Sink:
    """``sink.py`` as a process: the PBX simulator (and a SIP stand-in) the benchmarks call.

    Its receive stamps arrive over a pipe, read by a thread that only waits on it; see
    ``benchmarks/sink.py``.
    """

    def __init__(self, sip_port: int | None = None) -> None:
        import queue
        import threading

        command = [PYTHON, str(Path(__file__).with_name("sink.py"))]
        if sip_port is not None:
            command += ["--sip-port", str(sip_port)]
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        self.proc = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True
        )
        assert self.proc.stdout is not None
        first = json.loads(self.proc.stdout.readline() or "{}")
        if "url" not in first:
            self.stop()
            raise RuntimeError("the sink process did not start")
        self.url: str = first["url"]
        self.sip_port: int | None = first.get("sip_port")
        self._lines: queue.Queue[dict[str, Any]] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True, name="sink-reader")
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(json.loads(line))

    def drain(self) -> None:
        """Forget what arrived so far (retransmissions, requests of earlier samples)."""
        import queue

        with contextlib.suppress(queue.Empty):
            while True:
                self._lines.get_nowait()

    def wait(
        self, since: float, needle: str, *, kind: str = "http", path: str = "", timeout: float = 15
    ) -> float:
        """Seconds from ``since`` until a request holding ``needle`` arrived at the sink."""
        import queue

        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise TimeoutError(f"the sink received no request with {needle!r}") from None
            if line["t"] < since or line["kind"] != kind:
                continue
            if kind == "sip":
                found = line["method"] == "INVITE" and needle in line["uri"]
            else:
                found = (not path or line["path"] == path) and (
                    needle in line["body"] or needle in line["target"]
                )
            if found:
                return float(line["t"] - since)

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(OSError):
                assert self.proc.stdin is not None
                self.proc.stdin.close()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def __enter__(self) -> Sink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def stop_process(proc: subprocess.Popen[Any], timeout: float = 10.0) -> None:
    """SIGTERM, then SIGKILL if it has not ended within ``timeout``."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def load_note() -> str:
    """The machine's load averages, to be reported beside figures from a shared machine."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "load unknown"
    return f"load {one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min)"
