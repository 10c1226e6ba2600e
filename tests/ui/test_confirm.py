"""The confirmation prompt: Call, Cancel, Escape, the countdown, and held-down Enter."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLabel
from uitools import calls_to, dialer, finish, qloop  # noqa: F401

from dialer_gui.ui.confirm import Confirmer
from dialer_gui.vocabulary.calls import CallState, Source

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

NUMBER = "+1 212 555 0100"


def start(dialer, confirmer, source=Source.LINK):  # noqa: F811
    import asyncio

    return asyncio.ensure_future(
        dialer.dial(f"tel:{NUMBER.replace(' ', '')}", source, confirm=confirmer)
    )


def shown_dialog(qtbot, confirmer):
    qtbot.waitUntil(lambda: confirmer.current is not None and confirmer.current.isVisible())
    return confirmer.current


def test_call_button_places_the_call(qtbot, dialer, sandbox):  # noqa: F811
    confirmer = Confirmer(countdown=lambda: 0)
    task = start(dialer, confirmer)
    dialog = shown_dialog(qtbot, confirmer)
    assert dialog.findChild(object, "confirmNumber").text() == "+1 212-555-0100"
    texts = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "<tt>12125550100</tt>" in texts and "demo-simotel" in texts  # the exact dial string
    assert not dialog.countdown_label.isVisible()
    qtbot.mouseClick(dialog.call_button, Qt.MouseButton.LeftButton)
    attempt = finish(qtbot, task)
    assert attempt.state is CallState.ACCEPTED
    assert len(calls_to(sandbox)) == 1


def test_escape_cancels_and_nothing_is_sent(qtbot, dialer, sandbox):  # noqa: F811
    confirmer = Confirmer(countdown=lambda: 0)
    task = start(dialer, confirmer)
    dialog = shown_dialog(qtbot, confirmer)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    attempt = finish(qtbot, task)
    assert attempt.state is CallState.BLOCKED
    assert "cancelled" in attempt.error
    assert calls_to(sandbox) == []


def test_countdown_calls_by_itself_and_shows_it(qtbot, dialer, sandbox):  # noqa: F811
    confirmer = Confirmer(countdown=lambda: 1)
    task = start(dialer, confirmer)
    dialog = shown_dialog(qtbot, confirmer)
    assert dialog.counting
    assert dialog.countdown_label.text() == "Calling automatically in 1 s…"
    attempt = finish(qtbot, task, timeout=3000)
    assert attempt.state is CallState.ACCEPTED
    assert len(calls_to(sandbox)) == 1


def test_a_key_stops_the_countdown(qtbot, dialer, sandbox):  # noqa: F811
    confirmer = Confirmer(countdown=lambda: 5)
    task = start(dialer, confirmer)
    dialog = shown_dialog(qtbot, confirmer)
    qtbot.keyClick(dialog, Qt.Key.Key_Tab)
    assert not dialog.counting
    assert "stopped" in dialog.countdown_label.text()
    dialog.reject()
    finish(qtbot, task)
    assert calls_to(sandbox) == []


def test_held_down_enter_does_not_answer(qtbot, dialer, sandbox):  # noqa: F811
    confirmer = Confirmer(countdown=lambda: 0)
    task = start(dialer, confirmer)
    dialog = shown_dialog(qtbot, confirmer)
    repeat = QKeyEvent(
        QEvent.Type.KeyPress, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier, "\r", True
    )
    QApplication.sendEvent(dialog, repeat)
    assert dialog.isVisible()
    qtbot.keyClick(dialog, Qt.Key.Key_Return)  # a fresh press does
    assert finish(qtbot, task).state is CallState.ACCEPTED
