"""Read an app's accessibility tree from the AT-SPI bus, as a screen reader does (Orca uses the
same calls), optionally after acting on it; print it as JSON.

Run by the system Python, which has pyatspi (Debian's python3-pyatspi); the test suite's own
interpreter does not. ``tests/test_screen_reader.py`` starts the bus and the app and calls this::

    /usr/bin/python3 atspi_dump.py APP_NAME [ACTIONS_JSON]

It prints ``{"tree": [...], "events": [...]}``: the tree after the steps, and what a screen
reader was told while they ran (announcements, changed names). ACTIONS_JSON is a list of steps
done before the dump, in order: ``["set_text", NAME, TEXT]`` (an editable text named NAME gets
TEXT), ``["press", NAME]`` (the first action of the button or tab named NAME: "press" for a
button, "switch" for a tab), ``["wait", SECONDS]`` (events arrive meanwhile), ``["keys",
WINDOW_TITLE, KEY...]`` (xdotool types into that window) and ``["tab_walk", WINDOW_TITLE, N]``
(press Tab N times and note where the focus lands each time, in ``"walk"``).
"""

from __future__ import annotations

import json
import sys
import time

import pyatspi

FOCUSABLE_ROLES = {
    "push button", "text", "combo box", "check box", "spin button", "table", "list", "page tab",
    "toggle button", "radio button", "password text", "menu item", "slider",
}  # fmt: skip


def find_app(name: str, timeout: float = 20.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for app in pyatspi.Registry.getDesktop(0):
            if app is not None and app.name == name and app.childCount:
                return app
        time.sleep(0.2)
    raise SystemExit(f"no application {name!r} on the accessibility bus")


def labels_of(node: object) -> list[str]:
    """The names of the labels that label ``node`` (what Orca reads before a control's name)."""
    names = []
    for relation in node.getRelationSet():
        if relation.getRelationType() == pyatspi.RELATION_LABELLED_BY:
            for i in range(relation.getNTargets()):
                target = relation.getTarget(i)
                if target is not None and target.name:
                    names.append(target.name)
    return names


def walk(node: object, depth: int = 0, out: list[dict[str, object]] | None = None) -> list:
    out = [] if out is None else out
    if node is None or depth > 40:
        return out
    states = node.getState()
    out.append(
        {
            "role": node.getRoleName(),
            "name": node.name or "",
            "description": node.description or "",
            "focusable": states.contains(pyatspi.STATE_FOCUSABLE),
            "showing": states.contains(pyatspi.STATE_SHOWING),
            "focused": states.contains(pyatspi.STATE_FOCUSED),
            "labelled_by": labels_of(node),
            "depth": depth,
        }
    )
    for child in node:
        walk(child, depth + 1, out)
    return out


def first(node: object, name: str, roles: set[str]) -> object:
    if node is None:
        raise LookupError(name)
    if node.name == name and node.getRoleName() in roles:
        return node
    for child in node:
        try:
            return first(child, name, roles)
        except LookupError:
            continue
    raise LookupError(name)


def act(app: object, steps: list[list[object]]) -> None:
    for step in steps:
        kind = step[0]
        if kind == "set_text":
            field = first(app, str(step[1]), {"text", "password text"})
            field.queryEditableText().setTextContents(str(step[2]))
        elif kind == "press":
            button = first(app, str(step[1]), {"push button", "page tab"})
            button.queryAction().doAction(0)
        elif kind == "wait":
            pump(float(step[1]))  # type: ignore[arg-type]
        elif kind == "keys":
            keys(str(step[1]), [str(k) for k in step[2:]])
        elif kind == "tab_walk":
            # Where the focus lands is what the app says on the bus, as Orca hears it: the
            # object whose "focused" state turns on after each Tab.
            for _ in range(int(step[2])):  # type: ignore[call-overload]
                FOCUS.clear()
                keys(str(step[1]), ["Tab"])
                pump(0.3)
                WALK.append(FOCUS[-1] if FOCUS else {"role": "", "name": ""})


EVENTS: list[dict[str, str]] = []
WALK: list[dict[str, object]] = []
FOCUS: list[dict[str, object]] = []


def focused(event: object) -> None:
    if event.detail1 == 1:
        FOCUS.append({"role": event.source.getRoleName(), "name": event.source.name or ""})


def keys(title: str, names: list[str]) -> None:
    """Type keys into the shown window called ``title``, as a keyboard user does (xdotool)."""
    import subprocess

    found = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--name", title],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    window = found.stdout.split()[-1]
    subprocess.run(["xdotool", "windowfocus", "--sync", window], check=True)
    subprocess.run(["xdotool", "key", "--clearmodifiers", *names], check=True)


WATCHED = ("object:announcement", "object:property-change:accessible-name")


def heard(event: object) -> None:
    """What a screen reader is told while the steps run: announcements and changed names."""
    try:
        source = event.source.name or ""
    except Exception:
        source = ""
    detail = event.any_data if isinstance(event.any_data, str) else ""
    EVENTS.append({"type": event.type, "source": source, "text": detail or source})


def pump(seconds: float) -> None:
    """Let events arrive (they come through the GLib main loop) for ``seconds``."""
    from gi.repository import GLib

    context = GLib.MainContext.default()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        while context.iteration(False):
            pass
        time.sleep(0.02)


def main() -> None:
    app = find_app(sys.argv[1])
    pyatspi.Registry.registerEventListener(heard, *WATCHED)
    pyatspi.Registry.registerEventListener(focused, "object:state-changed:focused")
    if len(sys.argv) > 2:
        act(app, json.loads(sys.argv[2]))
    pump(0.2)
    print(json.dumps({"tree": walk(app), "events": EVENTS, "walk": WALK}))


if __name__ == "__main__":
    main()
