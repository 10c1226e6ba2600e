"""The message funnel: tray notifications, the notifications setting, call warnings."""

from __future__ import annotations

from PySide6.QtWidgets import QStatusBar, QSystemTrayIcon, QWidget
from uitools import qloop  # noqa: F401

from dialer_gui.core.events import EventBus, Notice
from dialer_gui.ui import messages


class RecordingTray:
    """Stands in for a ``QSystemTrayIcon`` that is shown and supports messages.

    A plain object: Python overrides on a real tray icon upset PySide's reference counts.
    """

    def __init__(self) -> None:
        self.notes: list[tuple[str, str, QSystemTrayIcon.MessageIcon]] = []

    def isVisible(self) -> bool:
        return True

    def supportsMessages(self) -> bool:
        return True

    def showMessage(self, title, text, icon, _ms=0) -> None:
        self.notes.append((title, text, icon))


def _presenter(qtbot, notifications: dict[str, bool]):
    parent = QWidget()
    qtbot.addWidget(parent)
    tray = RecordingTray()
    bar = QStatusBar(parent)
    presenter = messages.MessagePresenter(
        tray=tray,  # type: ignore[arg-type]
        status_bar=bar,
        parent=parent,
        call_notifications=lambda: notifications["on"],
    )
    messages.install(presenter)
    return tray, bar


def _emit_all(qtbot, bus: EventBus, notices: list[Notice]) -> None:
    before = len(messages.shown)
    for notice in notices:
        bus.emit(notice)
    qtbot.waitUntil(lambda: len(messages.shown) == before + len(notices))


def test_call_notices_pop_up_while_notifications_are_on(qtbot, qloop):  # noqa: F811
    tray, _bar = _presenter(qtbot, {"on": True})
    bus = EventBus()
    messages.watch_events(bus)
    _emit_all(qtbot, bus, [Notice("info", "Calling", "+1 555 via office", 7)])
    assert [n[0] for n in tray.notes] == ["Calling"]


def test_with_notifications_off_only_problems_pop_up(qtbot, qloop):  # noqa: F811
    setting = {"on": False}
    tray, bar = _presenter(qtbot, setting)
    bus = EventBus()
    messages.watch_events(bus)
    _emit_all(
        qtbot,
        bus,
        [
            Notice("info", "Calling", "+1 555 via office", 7),
            Notice("error", "Call failed", "The PBX refused the password.", 8),
            Notice("warning", "Call status unknown", "Check your phone.", 9),
        ],
    )
    assert [n[0] for n in tray.notes] == ["Call failed", "Call status unknown"]
    assert bar.currentMessage() == "Calling: +1 555 via office"
    # The quiet notice still reaches the status line, and messages not about a call still show.
    messages.info("Call ID copied", "abc")
    qtbot.waitUntil(lambda: messages.shown[-1].title == "Call ID copied")
    assert [n[0] for n in tray.notes][-1] == "Call ID copied"
    # The setting is read at each message: turning it back on applies to the next call.
    setting["on"] = True
    _emit_all(qtbot, bus, [Notice("info", "Calling", "+1 556 via office", 10)])
    assert tray.notes[-1][0] == "Calling"


def test_call_warning_turns_a_good_call_notice_into_a_warning(qtbot, qloop):  # noqa: F811
    tray, _bar = _presenter(qtbot, {"on": False})
    bus = EventBus()
    messages.watch_events(bus, call_warning=lambda i: "Checks are off." if i == 7 else None)
    _emit_all(
        qtbot,
        bus,
        [
            Notice("info", "Calling", "+1 555 via insecure", 7),
            Notice("info", "Calling", "+1 556 via office", 8),
            Notice("info", "Settings saved", ""),
        ],
    )
    # Shown even with notifications off: the warning is promised on every such call.
    assert tray.notes == [
        (
            "Calling",
            "+1 555 via insecure\n⚠ Checks are off.",
            QSystemTrayIcon.MessageIcon.Warning,
        ),
        ("Settings saved", "", QSystemTrayIcon.MessageIcon.Information),
    ]


def test_text_from_outside_is_shown_as_plain_text_never_markup(qtbot, qloop):  # noqa: F811
    from PySide6.QtCore import Qt

    parent = QWidget()
    qtbot.addWidget(parent)
    presenter = messages.MessagePresenter(tray=None, status_bar=None, parent=parent)
    messages.install(presenter)
    hostile = '<b style="color:green;font-size:40px">Call connected</b>'
    messages.error("Call not placed", f"The PBX said: {hostile}")
    qtbot.waitUntil(lambda: presenter._dialog is not None)
    dialog = presenter._dialog
    assert dialog.textFormat() == Qt.TextFormat.PlainText  # auto-detect drew it big and green
    assert hostile in dialog.informativeText()


def test_tray_notifications_carry_pbx_markup_as_text(qtbot, qloop, monkeypatch):  # noqa: F811
    """freedesktop notification servers draw HTML in the body; a PBX's <b> must show as typed."""
    monkeypatch.setattr(messages.sys, "platform", "linux")
    tray, _bar = _presenter(qtbot, {"on": True})
    bus = EventBus()
    messages.watch_events(bus)
    hostile = '<b style="font-size:40px;color:green">Call connected</b> <img src="http://x/y">'
    _emit_all(qtbot, bus, [Notice("error", "Call not placed", hostile, 3)])
    (_title, text, _icon) = tray.notes[-1]
    assert "<b" not in text and "<img" not in text
    assert "&lt;b style=" in text and "Call connected" in text
    monkeypatch.setattr(messages.sys, "platform", "win32")  # balloons there are plain already
    assert messages.notification_text("<b>x</b>") == "<b>x</b>"
