"""The main window's menu bar: every action reachable without a tray, by mouse and by keyboard.

Each key is pressed for real (``qtbot.keyClick``), so a key owned twice (a QShortcut beside an
action) would make Qt warn "Ambiguous shortcut" and fail the test through pytest-qt's log check.
"""

from __future__ import annotations

import gc

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPlainTextEdit
from uitools import qloop, run  # noqa: F401

from dialer_gui import __version__
from dialer_gui.app import NO_TRAY, Application
from dialer_gui.core import paths
from dialer_gui.ui.window_state import WindowState
from dialer_gui.vocabulary.start_options import StartOptions

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def start(qtbot, qapp, *, tray=False):
    application = Application(StartOptions(demo=True), qapp, tray_available=tray, listen=False)
    run(qtbot, application.start())
    qtbot.waitUntil(lambda: application.window.isVisible() or tray)
    return application


def stop(qtbot, application):
    gc.unfreeze()
    run(qtbot, application.aclose())
    application.window.deleteLater()
    application.deleteLater()


@pytest.fixture
def app(qtbot, qapp, qloop):  # noqa: F811
    application = start(qtbot, qapp)
    yield application
    stop(qtbot, application)


def menu_texts(menu):
    return [a.text() for a in menu.actions() if not a.isSeparator()]


def test_the_menu_bar_holds_every_command(app):
    window = app.window
    titles = [a.text() for a in window.menu_bar.actions()]
    assert titles == ["&File", "&View", "He&lp"]
    assert menu_texts(window.file_menu) == ["Dial &clipboard", "&Settings…", "&Quit"]
    assert menu_texts(window.view_menu) == ["&Dial", "&History"]
    assert menu_texts(window.help_menu) == ["&Help", "&About dialer-gui"]
    keys = {
        a.text(): a.shortcut().toString() for a in window.findChildren(type(window.dial_action))
    }
    assert keys["&Settings…"] == "Ctrl+,"
    assert keys["&Quit"] == "Ctrl+Q"
    assert keys["&Dial"] == "Ctrl+1" and keys["&History"] == "Ctrl+2"
    assert keys["&Help"] == "F1"


def test_each_key_works_once_from_the_keyboard(qtbot, app):
    window = app.window
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.dialpad.field, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == 1
    qtbot.keyClick(window.tabs.currentWidget(), Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == 0
    assert window.dialpad.field.text() == ""  # the key went to the action, not the field
    quits = []
    window.quit_requested.connect(lambda: quits.append(1))
    qtbot.keyClick(window.dialpad.field, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert quits == [1]


def test_f10_and_alt_open_the_menus(qtbot, app):
    window = app.window
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.dialpad.field, Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is window.file_menu)
    qtbot.keyClick(window.file_menu, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is None)
    qtbot.keyClick(window.dialpad.field, Qt.Key.Key_F10)
    assert window.menu_bar.activeAction() is window.file_menu.menuAction()


def test_dial_clipboard_from_the_menu_reads_the_clipboard(qtbot, app):
    QApplication.clipboard().setText("Front desk: +1 212 555 0100")
    window = app.window
    window.clipboard_action.trigger()
    qtbot.waitUntil(lambda: app.confirmer.current is not None)
    assert app.confirmer.current.findChild(object, "confirmNumber").text() == "+1 212-555-0100"
    app.confirmer.current.reject()


def test_help_and_about_are_plain_text_and_say_where_things_are(qtbot, app):
    window = app.window
    qtbot.keyClick(window.dialpad.field, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: window._help is not None and window._help.isVisible())
    assert "Ctrl+1" in window._help.findChild(QPlainTextEdit).toPlainText()
    window._help.close()
    window.about_action.trigger()
    text = window._about.findChild(QPlainTextEdit, "aboutText").toPlainText()
    assert f"dialer-gui {__version__}" in text
    assert "Licence: MIT" in text
    assert str(paths.config_path()) in text
    assert "Log:" in text
    window._about.close()


def test_the_no_tray_notice_is_readable_and_shown_once_per_install(qtbot, qapp, qloop):  # noqa: F811
    first = start(qtbot, qapp)
    notice = first.window.notice
    assert notice.isVisible() and notice.label.text() == NO_TRAY
    assert notice.label.wordWrap()  # never cut off, however narrow the window
    # It floats inside the window, following its size (it was placed before the window showed).
    central = first.window.centralWidget()
    qtbot.waitUntil(lambda: central.rect().contains(notice.geometry()))
    assert notice.label.height() >= notice.label.heightForWidth(notice.label.width())
    qtbot.mouseClick(notice.dismiss_button, Qt.MouseButton.LeftButton)
    assert not notice.isVisible()
    stop(qtbot, first)
    assert "no_tray" in WindowState.load().seen
    second = start(qtbot, qapp)
    assert not second.window.notice.isVisible()
    stop(qtbot, second)
