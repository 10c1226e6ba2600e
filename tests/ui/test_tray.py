"""Tray menu rebuilt on open, provider switch, and the main window with and without a tray."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel
from uitools import dialer, qloop, run  # noqa: F401

from dialer_gui.ui.dialpad import DialPad
from dialer_gui.ui.main_window import MainWindow
from dialer_gui.ui.tray import Tray, TrayActions
from dialer_gui.vocabulary.calls import Source

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def make_tray(dialer, log):  # noqa: F811
    actions = TrayActions(
        show_dialpad=lambda: log.append("dialpad"),
        dial_clipboard=lambda: log.append("clipboard"),
        redial=lambda n: log.append(("redial", n)),
        set_default_provider=lambda n: log.append(("default", n)),
        show_history=lambda: log.append("history"),
        show_settings=lambda: log.append("settings"),
        quit=lambda: log.append("quit"),
    )
    return Tray(dialer, actions, demo=True)


def texts(menu):
    return [a.text() for a in menu.actions() if a.isVisible() and not a.isSeparator()]


def test_menu_is_rebuilt_with_recent_numbers_when_opened(qtbot, dialer):  # noqa: F811
    log = []
    tray = make_tray(dialer, log)
    assert texts(tray.menu)[:2] == ["&Dial…", "Dial &clipboard"]
    assert not any(t.startswith("Call ") for t in texts(tray.menu))
    run(qtbot, dialer.dial("+1 212 555 0100", Source.DIALPAD))
    tray.menu.aboutToShow.emit()
    calls = [a for a in tray.menu.actions() if a.isVisible() and a.text().startswith("Call ")]
    assert [a.text() for a in calls] == ["Call +1 212-555-0100"]
    calls[0].trigger()
    assert log == [("redial", "+12125550100")]
    assert texts(tray.menu)[-3:] == ["&History", "&Settings…", "&Quit"]
    assert "Demo" in tray.toolTip()


def test_provider_switch_is_a_radio_group(qtbot, dialer):  # noqa: F811
    log = []
    tray = make_tray(dialer, log)
    sub = next(a.menu() for a in tray.menu.actions() if a.text() == "&Provider")
    checked = [a.data() for a in sub.actions() if a.isVisible() and a.isChecked()]
    assert checked == [dialer.default_profile_name()]
    other = next(a for a in sub.actions() if a.data() == "demo-mor")
    other.trigger()
    assert log == [("default", "demo-mor")]


def test_closing_the_window_hides_it_when_a_tray_exists(qtbot, dialer):  # noqa: F811
    window = MainWindow(DialPad(dialer), QLabel("history"), has_tray=True, demo=True)
    qtbot.addWidget(window)
    window.show_dialpad()
    assert "Demo" in window.windowTitle()
    event = QCloseEvent()
    window.closeEvent(event)
    assert not event.isAccepted()
    assert not window.isVisible()


def test_without_a_tray_closing_the_window_closes_the_app(qtbot, dialer):  # noqa: F811
    window = MainWindow(DialPad(dialer), QLabel("history"), has_tray=False)
    qtbot.addWidget(window)
    window.show_dialpad()
    event = QCloseEvent()
    window.closeEvent(event)
    assert event.isAccepted()
    window.dismiss()  # Escape on an empty pad must not make a tray-less app vanish
    assert window.isMinimized() or window.isVisible()


def test_a_left_click_toggles_the_window(qtbot, dialer):  # noqa: F811
    from PySide6.QtWidgets import QSystemTrayIcon

    log = []
    tray = make_tray(dialer, log)
    tray.actions.toggle_window = lambda: log.append("toggle")
    tray.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)
    tray.activated.emit(QSystemTrayIcon.ActivationReason.Context)  # the menu, not a toggle
    assert log == ["toggle"]


def test_the_window_toggles_between_in_front_and_put_away(qtbot, dialer):  # noqa: F811
    pad = DialPad(dialer)
    window = MainWindow(pad, QLabel("history"), has_tray=True)
    qtbot.addWidget(window)
    window.toggle()
    assert window.isVisible()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    window.toggle()
    assert not window.isVisible()
    window.toggle()
    assert window.isVisible()
