"""Read an app's accessibility tree from the AT-SPI bus, as a screen reader does (Orca uses the
same calls), optionally after acting on it; print it as JSON.

Run by the system Python, which has pyatspi (Debian's python3-pyatspi); the test suite's own
interpreter does not. ``tests/test_screen_reader.py`` starts the bus and the app and calls this::

    /usr/bin/python3 atspi_dump.py APP_NAME [ACTIONS_JSON]

It prints ``{"tree": [...], "events": [...]}``: the tree after the steps, and what a screen
reader was told while they ran (announcements, changed names). ACTIONS_JSON is a list of steps
done before the dump, in order: ``["set_text", NAME, TEXT]`` (an editable text named NAME gets
TEXT), ``["press", NAME]`` (the first action of the button or tab named NAME: "press" for a
button, "switch" for a tab), ``["wait", SECONDS]`` (events arrive meanwhile).
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


EVENTS: list[dict[str, str]] = []
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
    if len(sys.argv) > 2:
        act(app, json.loads(sys.argv[2]))
    pump(0.2)
    print(json.dumps({"tree": walk(app), "events": EVENTS}))


if __name__ == "__main__":
    main()
