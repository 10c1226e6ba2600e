"""Dial clipboard with no number, one number, and several (the chooser)."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QStatusBar
from uitools import calls_to, dialer, finish, qloop  # noqa: F401

from dialer_gui.ui import messages
from dialer_gui.ui.clipboard import NOTHING_FOUND, dial_clipboard
from dialer_gui.vocabulary.calls import CallState, Source

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


class Yes:
    """A confirmation that always says yes and remembers what it was asked."""

    def __init__(self) -> None:
        self.plans = []

    async def __call__(self, plan):
        self.plans.append(plan)
        return True


def start(dialer, confirm, **kwargs):  # noqa: F811
    return asyncio.ensure_future(dial_clipboard(dialer, confirm, **kwargs))


def test_no_number_says_so_plainly(qtbot, dialer, sandbox):  # noqa: F811
    bar = QStatusBar()
    qtbot.addWidget(bar)
    messages.install(messages.MessagePresenter(status_bar=bar))
    QGuiApplication.clipboard().setText("Meeting at 10:30 in room 4")
    assert finish(qtbot, start(dialer, Yes())) is None
    qtbot.waitUntil(lambda: bool(messages.shown))
    assert messages.shown[-1].text == NOTHING_FOUND
    assert NOTHING_FOUND in bar.currentMessage()
    assert sandbox.requests == []


def test_one_number_is_dialed_with_confirmation(qtbot, dialer, sandbox):  # noqa: F811
    QGuiApplication.clipboard().setText("Best regards,\nAnna\nPhone: +1 (212) 555-0100")
    confirm = Yes()
    attempt = finish(qtbot, start(dialer, confirm))
    assert attempt.source is Source.CLIPBOARD
    assert attempt.state is CallState.ACCEPTED
    assert len(confirm.plans) == 1  # the policy asks before clipboard calls
    assert len(calls_to(sandbox)) == 1


def test_several_numbers_open_the_chooser(qtbot, dialer, sandbox):  # noqa: F811
    QGuiApplication.clipboard().setText("Office +1 212 555 0100, mobile +1 646 555 0199")
    seen = []
    task = start(dialer, Yes(), on_chooser=seen.append)
    qtbot.waitUntil(lambda: bool(seen))
    chooser = seen[0]
    assert chooser.list.count() == 2
    qtbot.keyClick(chooser.list, Qt.Key.Key_Down)
    qtbot.keyClick(chooser.list, Qt.Key.Key_Return)
    attempt = finish(qtbot, task)
    assert attempt.number == "+16465550199"
    assert len(calls_to(sandbox)) == 1


def test_escape_in_the_chooser_dials_nothing(qtbot, dialer, sandbox):  # noqa: F811
    QGuiApplication.clipboard().setText("+1 212 555 0100 or +1 646 555 0199")
    seen = []
    task = start(dialer, Yes(), on_chooser=seen.append)
    qtbot.waitUntil(lambda: bool(seen))
    qtbot.keyClick(seen[0].list, Qt.Key.Key_Escape)
    assert finish(qtbot, task) is None
    assert sandbox.requests == []
