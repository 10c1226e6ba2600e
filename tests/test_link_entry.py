"""The command ``dialer-gui register`` writes for links is the fast entry, and it works as one.

Each test registers dialer-gui in the test's own XDG folders, reads the desktop entry back and
runs exactly the command in it (or lets ``xdg-open`` run it, as a desktop without its own
opener does), with the real app as a process and the simulator this test runs as its PBX.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import test_e2e
from test_e2e import APP, TIMEOUT, _listening, _stop, calls, history_rows, wait_for
from test_hostile_input import HOSTILE_LINKS

from dialer_gui.platform import linux
from dialer_gui.sandbox import SandboxThread
from dialer_gui.vocabulary.calls import CallState

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# The e2e tests' fixtures: the app's environment and the app running in it.
app_env = test_e2e.app_env
running_app = test_e2e.running_app

ENTRY = Path(__file__).resolve().parent.parent / "dialer_gui" / "link_entry.py"
_STRING_ESCAPES = {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}


def exec_argv(value: str, url: str) -> list[str]:
    """The command a desktop runs for ``Exec=value`` and ``url`` (Desktop Entry spec, "The Exec
    key"): string escapes first, then arguments split by the rules of the shell's double quotes,
    which ``shlex`` follows; ``%u`` becomes the URL and ``%%`` a percent sign."""
    text = re.sub(r"\\(.)", lambda m: _STRING_ESCAPES.get(m.group(1), m.group(0)), value)
    return [url if arg == "%u" else arg.replace("%%", "%") for arg in shlex.split(text)]


@pytest.fixture
def registered(
    isolated_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> str:
    """``dialer-gui register`` in the test's folders; returns the desktop entry's Exec value."""
    # Without xdg-mime on the path, register writes mimeapps.list itself; quicker, same entry.
    empty = tmp_path / "no-tools"
    empty.mkdir()
    with monkeypatch.context() as patch:
        patch.setenv("PATH", str(empty))
        linux.register()
    text = linux.desktop_file().read_text(encoding="utf-8")
    (exec_line,) = [line for line in text.splitlines() if line.startswith("Exec=")]
    return exec_line.removeprefix("Exec=")


def run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )


def test_register_writes_the_fast_entry(registered: str) -> None:
    argv = exec_argv(registered, "tel:+442079460958")
    assert argv == [sys.executable, "-I", "-S", str(ENTRY), "--link", "tel:+442079460958"]


def test_the_registered_command_hands_a_link_to_the_running_app(
    sandbox: SandboxThread,
    running_app: subprocess.Popen[bytes],
    app_env: dict[str, str],
    registered: str,
) -> None:
    done = run(exec_argv(registered, "tel:+44-20-7946-0958"), app_env)
    assert (done.returncode, done.stderr) == (0, "")
    wait_for(lambda: calls(sandbox), "the provider request")
    rows = wait_for(
        lambda: [r for r in history_rows() if r.state is CallState.ACCEPTED], "accepted row"
    )
    (request,) = calls(sandbox)
    assert request.json()["callee"] == "02079460958"
    assert rows[0].source == "link" and rows[0].raw_input == "tel:+44-20-7946-0958"


def test_xdg_open_runs_the_entry_and_the_call_is_placed(
    sandbox: SandboxThread,
    running_app: subprocess.Popen[bytes],
    app_env: dict[str, str],
    registered: str,
) -> None:
    """What a click does on a desktop that leaves links to xdg-utils."""
    if shutil.which("xdg-open") is None:
        pytest.skip("xdg-open is not installed")
    env = {**app_env, "XDG_CURRENT_DESKTOP": "X-Generic", "WAYLAND_DISPLAY": "wayland-test"}
    for name in ("DISPLAY", "KDE_FULL_SESSION", "GNOME_DESKTOP_SESSION_ID", "DESKTOP_SESSION"):
        env.pop(name, None)
    done = run(["xdg-open", "tel:+442079460959"], env)
    assert done.returncode == 0, done.stderr
    wait_for(lambda: calls(sandbox), "the provider request")
    assert [r.json()["callee"] for r in calls(sandbox)] == ["02079460959"]


def test_hostile_links_are_refused_by_the_entry_exactly_as_by_the_normal_path(
    sandbox: SandboxThread,
    running_app: subprocess.Popen[bytes],
    app_env: dict[str, str],
    registered: str,
) -> None:
    for case, link in sorted(HOSTILE_LINKS.items()):
        fast = run(exec_argv(registered, link), app_env)
        normal = run([*APP, "--link", link], app_env)
        assert (fast.returncode, fast.stderr) == (normal.returncode, normal.stderr), case
        assert fast.returncode != 0 and fast.stderr.startswith("dialer-gui: "), case
        assert "Traceback" not in fast.stderr, case
    assert calls(sandbox) == []
    assert running_app.poll() is None


def test_with_no_app_running_the_entry_becomes_the_app_and_dials_once(
    sandbox: SandboxThread,
    app_env: dict[str, str],
    registered: str,
) -> None:
    proc = subprocess.Popen(
        exec_argv(registered, "tel:+442079460958"), env=app_env, stderr=subprocess.PIPE
    )
    try:
        wait_for(lambda: calls(sandbox), "the provider request")
        wait_for(lambda: any(r.state is CallState.ACCEPTED for r in history_rows()), "accepted")
        # The process the OS started is the app now (the same process, replaced by exec).
        assert proc.poll() is None
        wait_for(_listening, "the app to listen")
        cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes().split(b"\0")
        assert b"-I" not in cmdline and b"dialer_gui" in cmdline
        assert run(exec_argv(registered, "tel:+442079460959"), app_env).returncode == 0
        wait_for(lambda: len(calls(sandbox)) == 2, "the second request")
    finally:
        _stop(proc)
    assert [r.json()["callee"] for r in calls(sandbox)] == ["02079460958", "02079460959"]


def test_from_the_app_menu_the_entry_starts_the_app(
    app_env: dict[str, str],
    registered: str,
) -> None:
    """The menu runs the entry with an empty %u: a bare --link, which opens the app."""
    argv: list[Any] = [arg for arg in exec_argv(registered, "") if arg]
    assert argv[-1] == "--link"
    proc = subprocess.Popen(argv, env=app_env, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: _listening() or proc.poll() is not None, "the app to listen")
        assert proc.poll() is None
    finally:
        _stop(proc)
