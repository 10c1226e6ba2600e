"""The running app as a screen reader meets it: read from the real AT-SPI bus under Xvfb.

A private D-Bus session, the AT-SPI bus and an X server are started for the test; the app runs
on them with Qt's accessibility bridge on, and ``tests/support/atspi_dump.py`` (the system
Python, with pyatspi) reads the tree and acts on it as Orca would: types a number into the
field and presses Call, answers a link's confirmation, opens the settings with Ctrl+, and walks
the dial pad with Tab. `.ci/run` installs what this needs (xvfb, xdotool, dbus, at-spi2-core,
python3-pyatspi, Qt's xcb libraries).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dialer_gui.sandbox.demo import DEMO_DEFAULT

SUPPORT = Path(__file__).parent / "support"
SYSTEM_PYTHON = "/usr/bin/python3"
BUS_LAUNCHER = "/usr/libexec/at-spi-bus-launcher"


def _missing() -> str | None:
    for tool in ("Xvfb", "dbus-daemon", "xdotool"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    if not os.path.exists(BUS_LAUNCHER):
        return "at-spi2-core is not installed"
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import pyatspi"], capture_output=True, check=False
    )
    return None if probe.returncode == 0 else "python3-pyatspi is not installed"


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform != "linux", reason="AT-SPI is the Linux accessibility bus"),
    pytest.mark.skipif(bool(_missing()), reason=str(_missing())),
]


class Session:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def dump(self, steps: list[list[object]] | None = None) -> list[dict[str, object]]:
        return self.read(steps)["tree"]

    def read(self, steps: list[list[object]] | None = None) -> dict[str, list[dict[str, object]]]:
        args = [SYSTEM_PYTHON, str(SUPPORT / "atspi_dump.py"), "dialer-gui"]
        if steps:
            args.append(json.dumps(steps))
        env = {k: v for k, v in self.env.items() if k != "PYTHONPATH"}  # the system Python's own
        done = subprocess.run(
            args, env=env, capture_output=True, text=True, timeout=60, check=False
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return json.loads(done.stdout)


@pytest.fixture
def desktop(isolated_dirs: dict[str, Path]) -> Iterator[Callable[..., Session]]:
    """An X server, a private D-Bus and the AT-SPI bus; ``start(*args)`` runs the app on them."""
    started: list[subprocess.Popen[bytes]] = []
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    started.append(xvfb)
    assert xvfb.stdout is not None
    display = xvfb.stdout.readline().decode().strip()
    xvfb.stdout.close()
    bus = subprocess.run(
        ["dbus-daemon", "--session", "--fork", "--print-address=1", "--print-pid=1"],
        capture_output=True, text=True, timeout=10, check=True,
    )  # fmt: skip
    address, pid = bus.stdout.split()[:2]
    env = {
        **os.environ,
        "DISPLAY": f":{display}",
        "DBUS_SESSION_BUS_ADDRESS": address,
        "QT_QPA_PLATFORM": "xcb",
        "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1",
        "NO_AT_BRIDGE": "0",
    }

    def start(*args: str) -> Session:
        app = subprocess.Popen(
            [sys.executable, "-m", "dialer_gui", *args], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        started.append(app)
        return Session(env)

    try:
        launcher = subprocess.Popen(
            [BUS_LAUNCHER, "--launch-immediately"], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        started.append(launcher)
        time.sleep(0.5)
        yield start
    finally:
        for process in reversed(started):
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        os.kill(int(pid), signal.SIGTERM)


@pytest.fixture
def session(desktop: Callable[..., Session]) -> Session:
    return desktop("--demo")


def unnamed(tree: list[dict[str, object]]) -> list[dict[str, object]]:
    """Controls a screen reader can reach (focusable, shown) that have no name."""
    return [n for n in tree if n["focusable"] and n["showing"] and not str(n["name"]).strip()]


def named(tree: list[dict[str, object]], role: str) -> list[str]:
    return [str(n["name"]) for n in tree if n["role"] == role and n["showing"]]


def test_every_control_a_screen_reader_can_reach_has_a_name(session: Session) -> None:
    tree = session.dump()
    reachable = [n for n in tree if n["focusable"] and n["showing"]]
    assert reachable, "nothing on the bus: the accessibility bridge is not on"
    unnamed = [
        (n, [(m["role"], m["name"]) for m in tree[i + 1 : i + 4]])
        for i, n in enumerate(tree)
        if n in reachable and not str(n["name"]).strip()
    ]
    assert unnamed == [], unnamed
    buttons = named(tree, "push button")
    assert "2 ABC" in buttons and "0, hold for plus" in buttons and "Call" in buttons
    labels = named(tree, "label")
    assert any(label.startswith("Demo mode: calls go to a built-in simulator") for label in labels)
    assert any(label.startswith("Will dial: Type a number") for label in labels)
    history = session.dump([["press", "History"], ["wait", 0.5]])
    reachable = [n for n in history if n["focusable"] and n["showing"]]
    assert [n for n in reachable if not str(n["name"]).strip()] == []
    assert "Clear the search" in named(history, "push button")
    assert {"Redial", "Copy", "Details", "Export"} <= {
        name.split(" ")[0].rstrip("…") for name in named(history, "push button")
    }


def _label_words(text: str) -> str:
    return text.replace("&", "").rstrip(":").strip()


def test_every_labelled_control_is_heard_with_its_label(session: Session) -> None:
    """A visible label tied to a control is what it is called (or, for a combo box, which Qt
    names by its current item, what Orca reads first through the labelled-by relation)."""
    for steps in ([], [["press", "History"], ["wait", 0.5]]):
        tree = session.dump(steps)
        labelled = [n for n in tree if n["showing"] and n["labelled_by"]]
        assert labelled, "no control is tied to its label"
        for node in labelled:
            words = [_label_words(str(label)) for label in node["labelled_by"]]  # type: ignore[union-attr]
            if node["role"] == "combo box":
                assert all(words), node
            else:
                assert any(w.lower() in str(node["name"]).lower() for w in words), node


def test_typing_a_number_and_pressing_call_is_heard_end_to_end(session: Session) -> None:
    session.dump()  # the app is up
    tree = session.dump([["set_text", "Number to call", "+1 212 555 0100"], ["wait", 0.5]])
    preview = [label for label in named(tree, "label") if label.startswith("Will dial:")]
    assert preview and "+1 212-555-0100" in preview[0] and DEMO_DEFAULT in preview[0]
    seen = session.read([["press", "Call"], ["wait", 2.0]])
    status = [label for label in named(seen["tree"], "label") if label.startswith("Last call:")]
    assert status, named(seen["tree"], "label")
    # Accepted ("your phone rings first"), or already the demo call's next step.
    assert "+1 212-555-0100" in status[0]
    assert "rings first" in status[0] or "Your phone is ringing" in status[0], status
    # Told, not only shown: the result arrives as an event while the focus stays put.
    told = " | ".join(str(e["text"]) for e in seen["events"])
    assert "rings first" in told, seen["events"]


def test_the_confirmation_is_heard_and_answered_on_the_bus(
    desktop: Callable[..., Session],
) -> None:
    """A link asks first: the prompt is read with the number, provider and dial string."""
    session = desktop("--link", "tel:+12125550100")  # as the OS starts it; no provider: demo
    tree = session.dump([["wait", 1.0]])
    assert any(n["role"] == "dialog" for n in tree if n["showing"])
    labels = " | ".join(named(tree, "label"))
    assert "Number to call: +1 212-555-0100" in labels
    assert f"via {DEMO_DEFAULT}" in labels and "12125550100" in labels
    assert unnamed(tree) == []
    seen = session.read([["press", "Call this number"], ["wait", 2.0]])
    assert "rings first" in " | ".join(str(e["text"]) for e in seen["events"])


def test_settings_are_reached_by_keyboard_and_heard_as_shown(session: Session) -> None:
    session.dump()
    tree = session.dump([["keys", "dialer-gui", "ctrl+comma"], ["wait", 1.0]])
    assert "dialer-gui settings" in [n["name"] for n in tree if n["role"] == "dialog"]
    tree = session.dump([["press", "Add a provider profile"], ["wait", 0.5]])
    assert unnamed(tree) == []
    texts = {str(n["name"]): str(n["description"]) for n in tree if n["showing"]}
    required = [name for name in texts if name.endswith(", required")]
    assert required, "no field says it is required"
    # A password field's placeholder ("not set", "stored in keyring") is heard with it.
    assert any(d.startswith("not set") for d in texts.values()), texts


def test_tab_walks_the_dial_pad_once_with_no_trap(session: Session) -> None:
    """From the number field, Tab visits each control once and comes back round to it."""
    session.dump([["set_text", "Number to call", "+1 212 555 0100"], ["wait", 0.3]])
    seen = session.read([["tab_walk", "dialer-gui — Demo", 12]])
    stops = [f"{w['role']}:{w['name']}" for w in seen["walk"]]
    walk = " > ".join(stops)
    assert all(w["name"] for w in seen["walk"]), walk  # every stop is heard by name
    assert "text:Number to call" in stops, walk  # the walk comes back round
    one_round = stops[: stops.index("text:Number to call") + 1]
    assert len(one_round) == len(set(one_round)), walk  # each control once
    rest = stops[len(one_round) :]
    assert rest == one_round[: len(rest)], walk  # and the same again: no trap
    expected = (
        f"combo box:Automatic ({DEMO_DEFAULT})",
        "push button:Call",
        "push button:Dial the number in the clipboard",
        "page tab list:Dial",
    )
    assert all(control in one_round for control in expected), walk


def _one_round(walk: list[dict[str, object]]) -> tuple[list[str], str]:
    """The stops of one Tab round (until the first stop comes back), and the whole walk."""
    stops = [f"{w['role']}:{w['name']}" for w in walk]
    text = " > ".join(stops)
    assert all(w["name"] for w in walk), text  # every stop is heard by name
    first = stops[0]
    assert first in stops[1:], f"the walk never came back round: {text}"
    one_round = stops[: stops.index(first, 1)]
    assert len(one_round) == len(set(one_round)), text  # each control once
    rest = stops[len(one_round) :]
    again = one_round * (len(rest) // len(one_round) + 1)
    assert rest == again[: len(rest)], text  # and the same again: no trap
    return one_round, text


def test_tab_walks_the_history_once_with_no_trap(session: Session) -> None:
    """With a call in the list, Tab leaves the table and reaches every button, forwards.

    The number ends in 9: on the demo PBX your phone then rings for 15 s, so the call card's
    Cancel stays as it is while the walk goes round (it becomes Hang up once connected)."""
    session.dump([["set_text", "Number to call", "+1 212 555 0109"], ["wait", 0.3]])
    session.dump([["press", "Call"], ["wait", 2.0]])
    tree = session.dump([["press", "History"], ["wait", 0.5]])
    assert any("555" in str(n["name"]) for n in tree if n["role"] == "table cell"), tree
    seen = session.read([["tab_walk", "dialer-gui — Demo", 24]])
    one_round, walk = _one_round(seen["walk"])
    names = {stop.split(":", 1)[1] for stop in one_round}
    for control in ("Redial", "Copy call ID", "Details", "Export CSV…", "Cancel call"):
        assert any(name.startswith(control) for name in names), walk
    assert sum(stop.startswith("table:") for stop in one_round) == 1, walk


def test_tab_walks_the_settings_once_with_no_trap(session: Session) -> None:
    session.dump([["keys", "dialer-gui", "ctrl+comma"], ["wait", 1.0]])
    session.dump([["press", "Add a provider profile"], ["wait", 0.5]])
    seen = session.read([["tab_walk", "dialer-gui settings", 40]])
    one_round, walk = _one_round(seen["walk"])
    names = [stop.split(":", 1)[1] for stop in one_round]
    # On Linux a combo box is heard by its current item and its label's relation (Qt's
    # rule; the labels test checks the relation): the type follows the profile's name.
    after_name = (one_round.index("text:Profile name") + 1) % len(one_round)
    assert one_round[after_name].startswith("combo box:"), walk
    # From the profile's name on, its fields come before Test, Save and Cancel.
    start = one_round.index("text:Profile name")
    one_round = one_round[start:] + one_round[:start]
    names = [stop.split(":", 1)[1] for stop in one_round]
    buttons = [names.index(n) for n in names if n in ("Test", "Save", "Cancel")]
    fields = [i for i, stop in enumerate(one_round) if stop.startswith(("text:", "password"))]
    assert buttons and fields and max(fields) < min(buttons), walk
