"""What a screen reader is told, read through Qt's accessibility interface (what AT-SPI reads).

Each control is heard with what it shows: the number about to be called, the preview, the
call's state and result, the keypad's letters. A fixed name on a label would hide its text.
"""

from __future__ import annotations

import pytest
from PySide6.QtGui import QAccessible, QAction
from PySide6.QtWidgets import QLabel
from uitools import dialer, finish, qloop  # noqa: F401

from dialer_gui.ui.confirm import ConfirmDialog
from dialer_gui.ui.dialpad import DEMO_TEXT, DialPad
from dialer_gui.vocabulary.calls import Source

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def heard(widget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    assert interface is not None
    return interface.text(QAccessible.Text.Name)


def test_the_confirmation_is_heard_with_number_provider_and_dial_string(qtbot, dialer):  # noqa: F811
    plan = dialer.plan("+1 212 555 0100", Source.LINK)
    dialog = ConfirmDialog(plan)
    qtbot.addWidget(dialog)
    spoken = " | ".join(heard(label) for label in dialog.findChildren(QLabel))
    assert "Number to call: +1 212-555-0100" in spoken
    assert "via demo-simotel" in spoken and plan.dial_string in spoken
    assert "<" not in spoken  # the words, not the markup that styles them


def test_the_dial_pad_is_heard_as_it_is_shown(qtbot, dialer, sandbox):  # noqa: F811
    pad = DialPad(dialer, demo=True)
    qtbot.addWidget(pad)
    pad.show()
    assert heard(pad.banner) == DEMO_TEXT
    assert heard(pad.keys["2"]) == "2 ABC" and heard(pad.keys["7"]) == "7 PQRS"
    clear = [a for a in pad.field.findChildren(QAction) if a.text() == "Clear the number"]
    assert clear, "the number field's clear button has no name"

    qtbot.keyClicks(pad.field, "+1 212 555 0100")
    preview = heard(pad.preview)
    assert preview.startswith("Will dial: +1 212-555-0100")
    assert "demo-simotel" in preview and "<" not in preview

    task = pad.call()
    assert heard(pad.call_button) == "Calling…"
    assert heard(pad.status).startswith("Last call: Calling +1 212-555-0100")
    finish(qtbot, task)
    assert heard(pad.call_button) == "Call"
    assert heard(pad.status) == f"Last call: {pad.status.text()}"
    assert "rings first" in heard(pad.status) or "Calling" in heard(pad.status)
