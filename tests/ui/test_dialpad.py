"""The dial pad, driven by keyboard and mouse, against a real dialer and the PBX simulator."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStatusBar, QWidget
from uitools import calls_to, dialer, finish, qloop  # noqa: F401

from dialer_gui.ui import messages
from dialer_gui.ui.dialpad import DialPad
from dialer_gui.vocabulary.calls import CallState

# The offscreen platform cannot resize or raise windows and says so; that is not a failure.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def make_pad(qtbot, dialer, **kwargs) -> DialPad:  # noqa: F811
    pad = DialPad(dialer, **kwargs)
    qtbot.addWidget(pad)
    pad.show()
    return pad


def test_keyboard_only_call_places_exactly_one_request(qtbot, dialer, sandbox):  # noqa: F811
    pad = make_pad(qtbot, dialer)
    pad.field.setFocus()
    qtbot.keyClicks(pad.field, "+1 212 555 0100")
    assert "+1 212-555-0100" in pad.preview.text()
    assert "demo-simotel" in pad.preview.text()
    qtbot.keyClick(pad.field, Qt.Key.Key_Return)
    assert pad.call_button.text() == "Calling…"
    assert not pad.call_button.isEnabled()
    attempt = finish(qtbot, pad.last_task)
    assert attempt.state is CallState.ACCEPTED
    requests = calls_to(sandbox)
    assert len(requests) == 1
    assert "2125550100" in requests[0].body.decode()
    assert pad.field.text() == ""  # ready for the next number
    assert "Calling +1 212-555-0100" in pad.status.text()
    assert pad.call_button.text() == "Call"


def test_second_press_while_calling_places_no_second_call(qtbot, dialer, sandbox):  # noqa: F811
    sandbox.set_fault("slow", "simotel", delay=0.3, times=1)
    pad = make_pad(qtbot, dialer)
    pad.field.setText("+1 212 555 0100")
    first = pad.call()
    assert first is not None
    qtbot.mouseClick(pad.call_button, Qt.MouseButton.LeftButton)  # disabled: nothing happens
    assert pad.call() is None
    qtbot.keyClick(pad.field, Qt.Key.Key_Return)
    assert pad.last_task is first
    finish(qtbot, first)
    assert len(calls_to(sandbox)) == 1
    assert pad.call_button.text() == "Call"


def test_invalid_number_explains_and_cannot_be_called(qtbot, dialer, sandbox):  # noqa: F811
    pad = make_pad(qtbot, dialer)
    qtbot.keyClicks(pad.field, "12ab")
    assert "Cannot dial" in pad.preview.text()
    assert not pad.call_button.isEnabled()
    qtbot.keyClick(pad.field, Qt.Key.Key_Return)
    assert pad.last_task is None
    assert sandbox.requests == []


def test_keys_typing_anywhere_and_plus_on_zero(qtbot, dialer):  # noqa: F811
    pad = make_pad(qtbot, dialer)
    qtbot.mouseClick(pad.keys["2"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(pad.keys["0"], Qt.MouseButton.LeftButton)
    assert pad.field.text() == "20"
    pad.field.clear()
    # Right-click on 0 gives +; so does holding it.
    pad.keys["0"].customContextMenuRequested.emit(pad.keys["0"].rect().center())
    assert pad.field.text() == "+"
    qtbot.mousePress(pad.keys["0"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: pad.field.text() == "++")
    qtbot.mouseRelease(pad.keys["0"], Qt.MouseButton.LeftButton)
    assert pad.field.text() == "++"
    pad.field.clear()
    # A digit typed while the Call button has the focus still lands in the field.
    pad.call_button.setEnabled(True)
    pad.call_button.setFocus()
    qtbot.keyClick(pad.call_button, "7")
    assert pad.field.text() == "7"


def test_escape_clears_then_dismisses(qtbot, dialer):  # noqa: F811
    pad = make_pad(qtbot, dialer)
    qtbot.keyClicks(pad.field, "555")
    qtbot.keyClick(pad.field, Qt.Key.Key_Escape)
    assert pad.field.text() == ""
    with qtbot.waitSignal(pad.dismissed):
        qtbot.keyClick(pad.field, Qt.Key.Key_Escape)


def test_escape_on_an_empty_pad_says_where_the_window_went_once(qtbot, dialer):  # noqa: F811
    pad = make_pad(qtbot, dialer)
    messages.install(messages.MessagePresenter(status_bar=QStatusBar(pad), parent=pad))
    dismissed: list[bool] = []
    pad.dismissed.connect(lambda: dismissed.append(True))
    qtbot.keyClicks(pad.field, "555")
    qtbot.keyClick(pad.field, Qt.Key.Key_Escape)
    assert pad.field.text() == ""
    assert not dismissed
    with qtbot.waitSignal(pad.dismissed):
        qtbot.keyClick(pad.field, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: bool(messages.shown))
    (message,) = messages.shown
    said = f"{message.title} {message.text}"
    assert message.level == "info"
    assert "still running" in said
    assert "tray icon" in said and "running dialer-gui" in said  # the ways back
    # Shown again, the pad hides again without repeating itself in the same session.
    qtbot.keyClicks(pad.field, "7")
    qtbot.keyClick(pad.field, Qt.Key.Key_Escape)
    with qtbot.waitSignal(pad.dismissed):
        qtbot.keyClick(pad.field, Qt.Key.Key_Escape)
    qtbot.wait(50)  # a second message would be queued to the presenter by now
    assert len(messages.shown) == 1
    assert len(dismissed) == 2


def test_up_and_down_walk_recent_numbers(qtbot, dialer):  # noqa: F811
    pad = make_pad(qtbot, dialer)
    for number in ("+1 212 555 0100", "+1 212 555 0199"):
        pad.field.setText(number)
        finish(qtbot, pad.call())
    qtbot.keyClicks(pad.field, "9")
    qtbot.keyClick(pad.field, Qt.Key.Key_Up)
    assert pad.field.text() == "+12125550199"
    qtbot.keyClick(pad.field, Qt.Key.Key_Up)
    assert pad.field.text() == "+12125550100"
    qtbot.keyClick(pad.field, Qt.Key.Key_Down)
    qtbot.keyClick(pad.field, Qt.Key.Key_Down)
    assert pad.field.text() == "9"  # back to what was typed


def test_every_control_is_named_and_demo_is_labelled(qtbot, dialer):  # noqa: F811
    pad = make_pad(qtbot, dialer, demo=True)
    assert pad.banner.isVisible()
    assert "Demo" in pad.banner.text()
    for widget in pad.findChildren(QWidget):
        focusable = widget.focusPolicy() != Qt.FocusPolicy.NoFocus
        key = widget.objectName().startswith("key_")
        if (focusable or key) and widget.isVisible() and widget.parent() is pad:
            assert widget.accessibleName(), widget


def test_provider_choice_changes_the_preview(qtbot, dialer):  # noqa: F811
    pad = make_pad(qtbot, dialer)
    pad.field.setText("+1 212 555 0100")
    pad.provider_box.setCurrentIndex(pad.provider_box.findData("demo-mor"))
    assert "via demo-mor" in pad.preview.text()
    assert pad.provider() == "demo-mor"


def test_status_line_shows_the_pbx_words_as_plain_text(qtbot, dialer):  # noqa: F811
    pad = DialPad(dialer)
    qtbot.addWidget(pad)
    # The status line carries errors in the PBX's own words; rich text would let it draw.
    assert pad.status.textFormat() == Qt.TextFormat.PlainText


def test_an_emergency_short_number_is_not_called_an_extension(qtbot, dialer, sandbox):  # noqa: F811
    pad = make_pad(qtbot, dialer)
    qtbot.keyClicks(pad.field, "911")
    text = pad.preview.text()
    assert "(emergency number)" in text and "(extension)" not in text
    assert "911 is an emergency number" in text


def test_while_the_confirmation_is_open_the_pad_says_so_not_calling(qtbot, dialer, sandbox):  # noqa: F811
    from dialer_gui.ui.confirm import Confirmer

    seen: list[tuple[str, str]] = []
    confirmer = Confirmer(countdown=lambda: 0)
    pad = make_pad(qtbot, dialer, confirm=confirmer)

    def shown(dialog) -> None:
        seen.append((pad.status.text(), pad.call_button.text()))
        dialog.accept()

    confirmer.on_shown = shown
    pad.field.setText("+1 900 555 0100")  # premium rate: it asks first, from every door
    attempt = finish(qtbot, pad.call())
    assert seen == [("Waiting for you to confirm the call to +1 900-555-0100…", "Confirming…")]
    assert calls_to(sandbox) and attempt.state is CallState.ACCEPTED
    assert pad.call_button.text() == "Call"
