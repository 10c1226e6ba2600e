"""The main window keeps its size and place: History fits it, and the keypad keeps its keys.

Here on the offscreen platform's own screen (800x800); ``test_window_scaling.py`` starts the
app on a 1280x800 one at several scale factors.
"""

from __future__ import annotations

import gc

import pytest
from PySide6.QtCore import QRect
from uitools import qloop, run  # noqa: F401

from dialer_gui.app import Application
from dialer_gui.ui.history_model import Column
from dialer_gui.vocabulary.start_options import StartOptions

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

UNKNOWN = (
    "Call to +1 212-555-0100: result unknown. The PBX may have placed the call, but its "
    "answer never arrived. Check your phone before trying again."
)


@pytest.fixture
def app(qtbot, qapp, qloop):  # noqa: F811
    application = Application(StartOptions(demo=True), qapp, tray_available=False, listen=False)
    run(qtbot, application.start())
    qtbot.waitUntil(application.window.isVisible)
    yield application
    gc.unfreeze()
    run(qtbot, application.aclose())
    application.window.deleteLater()
    application.deleteLater()


def key_sizes(app):
    return {key: button.size() for key, button in app.dialpad.keys.items()}


def on_screen(window) -> bool:
    screen = window.screen().availableGeometry()
    return screen.contains(QRect(window.pos(), window.frameGeometry().size()))


def test_history_fits_the_window_instead_of_widening_it(qtbot, app):
    window = app.window
    before = window.size()
    assert on_screen(window)
    window.show_history()
    qtbot.wait(50)
    assert window.size() == before
    assert on_screen(window)
    # Its filters and buttons fit: nothing is pushed out of the window.
    assert app.history_view.minimumSizeHint().width() <= app.history_view.width()


def test_the_dial_tab_keeps_its_keys_after_history(qtbot, app):
    window = app.window
    keys = key_sizes(app)
    window.show_history()
    qtbot.wait(50)
    window.show_dialpad()
    qtbot.wait(50)
    assert key_sizes(app) == keys


def test_the_keys_keep_their_size_whatever_lines_appear(qtbot, app):
    pad = app.dialpad
    keys = key_sizes(app)
    pad._set_status(UNKNOWN, "")
    qtbot.wait(50)
    assert key_sizes(app) == keys
    pad.field.setText("+1 900 555 0100")  # a preview of several lines: type, asks first, ...
    qtbot.wait(50)
    assert pad.preview.text().count("<br>") >= 2
    assert key_sizes(app) == keys
    pad.field.clear()
    pad.status.clear()
    qtbot.wait(50)
    assert key_sizes(app) == keys


def test_a_wide_window_does_not_stretch_the_keys(qtbot, app):
    window = app.window
    keys = key_sizes(app)
    window.resize(window.width() + 300, window.height())
    qtbot.waitUntil(lambda: app.dialpad.width() > 600)
    assert key_sizes(app) == keys


def test_the_history_shows_number_and_state_without_scrolling(qtbot, app):
    app.window.show_history()
    qtbot.wait(50)
    table = app.history_view.table
    header = table.horizontalHeader()
    for column in (Column.TIME, Column.NUMBER, Column.STATE):
        right = header.sectionViewportPosition(column) + header.sectionSize(column)
        assert right <= table.viewport().width(), column.name


def test_the_window_can_fit_a_1280x800_screen_at_150_percent(qtbot, app):
    """At 150 % that screen is 853x533 device-independent pixels, less a title bar."""
    smallest = app.window.minimumSizeHint()
    assert smallest.width() <= 853 and smallest.height() <= 533 - 40


def test_settings_open_within_the_screen(qtbot, app):
    app.show_settings()
    dialog = app.settings_dialog
    qtbot.waitUntil(dialog.isVisible)
    room = dialog.screen().availableGeometry().size()
    assert dialog.width() + 16 <= room.width() and dialog.height() + 48 <= room.height()
    dialog.close_for_quit()
