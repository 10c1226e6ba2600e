"""The settings by keyboard and screen reader: reachable, in order, and heard as shown."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QPlainTextEdit, QScrollArea
from uitools import dialer, qloop, run  # noqa: F401

from dialer_gui.core.config import load_config
from dialer_gui.core.secrets import SecretStore
from dialer_gui.ui.settings_dialog import SettingsDialog
from dialer_gui.ui.settings_fields import NOT_SET

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.fixture
def dialog(qtbot, tmp_path):
    (tmp_path / "c.toml").write_text("")
    dlg = SettingsDialog(load_config(tmp_path / "c.toml"), SecretStore(), on_saved=print)
    dlg.ask_discard = lambda: True
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.add_profile()
    dlg.type_box.setCurrentIndex(dlg.type_box.findData("simotel"))
    return dlg


def heard(widget, what=QAccessible.Text.Name) -> str:
    return QAccessible.queryAccessibleInterface(widget).text(what)


def test_tab_visits_the_profile_fields_before_test_save_and_cancel(dialog) -> None:
    order = []
    widget = dialog.type_box
    for _ in range(60):
        widget = widget.nextInFocusChain()
        if widget is dialog.test_button:
            break
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isVisibleTo(dialog):
            order.append(widget)
    fields = [e.widget for e in dialog.editors.values()]
    assert [w for w in order if w in fields] == fields, "a field is out of order or missing"
    assert dialog.save_button not in order and dialog.test_button is widget


def test_no_frame_takes_a_tab_stop_and_rules_do_not_eat_tab(qtbot, dialog) -> None:
    assert all(
        not s.focusPolicy() & Qt.FocusPolicy.TabFocus for s in dialog.findChildren(QScrollArea)
    )
    rules = dialog.editors["rewrite"].widget
    assert isinstance(rules, QPlainTextEdit)
    rules.setFocus()
    qtbot.keyClick(rules, Qt.Key.Key_Tab)
    assert "\t" not in rules.toPlainText()
    assert rules.tabChangesFocus()


def test_required_fields_and_secret_placeholders_are_heard(dialog) -> None:
    url = dialog.editors["url"].widget
    assert heard(url) == "API address, required" or heard(url).endswith(", required")
    password = dialog.editors["password"].widget
    assert heard(password, QAccessible.Text.Description).startswith(NOT_SET)
    optional = dialog.editors["timeout"].widget
    assert "required" not in heard(optional)


def test_ctrl_comma_in_the_main_window_opens_the_settings(qtbot, qapp, qloop) -> None:  # noqa: F811
    from dialer_gui.app import Application
    from dialer_gui.vocabulary.start_options import StartOptions

    app = Application(StartOptions(), qapp, tray_available=False, listen=False)
    run(qtbot, app.start())
    try:
        assert app.window is not None
        assert app.window.settings_action.shortcut().toString() == "Ctrl+,"
        app.window.settings_action.trigger()
        assert app.settings_dialog is not None and app.settings_dialog.isVisible()
        app.settings_dialog.ask_discard = lambda: True
    finally:
        run(qtbot, app.aclose())
        app.window.deleteLater()
        app.deleteLater()


def test_every_mnemonic_of_the_providers_tab_is_used_once(dialog) -> None:
    from PySide6.QtWidgets import QAbstractButton, QLabel

    keys: list[str] = []
    for widget in [*dialog.findChildren(QLabel), *dialog.findChildren(QAbstractButton)]:
        text = widget.text().replace("&&", "")
        if "&" in text and widget.isVisibleTo(dialog):
            keys.append(text[text.index("&") + 1].lower())
    keys += [
        dialog.tabs.tabText(i)[dialog.tabs.tabText(i).index("&") + 1].lower() for i in range(2)
    ]
    assert len(keys) == len(set(keys)), sorted(keys)


def test_alt_s_saves_whatever_the_desktop_theme(qtbot, dialog) -> None:
    """Qt gives the standard buttons mnemonics only under some desktops' themes (GTK, KDE);
    the offscreen platform, like a bare X session or Windows, has none of its own."""
    pressed = []
    dialog.save = lambda: pressed.append("save") or False
    dialog.buttons.accepted.disconnect()
    dialog.buttons.accepted.connect(dialog.save)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)  # shortcuts reach the active window only
    dialog.name_edit.setFocus()
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: pressed == ["save"], timeout=1000)  # a mnemonic clicks animated
    assert "s" not in dialog.name_edit.text().replace("office", "")
