"""The main window comes back at its size and place, kept on a screen that exists.

The offscreen platform's one screen is 800x800 at (0, 0); the state file is in the test's own
data folder (``isolated_dirs``).
"""

from __future__ import annotations

import gc
import json

import pytest
from PySide6.QtCore import QRect
from uitools import qloop, run  # noqa: F401

from dialer_gui.app import Application
from dialer_gui.ui.window_state import WindowState, placed, state_path
from dialer_gui.vocabulary.start_options import StartOptions

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def start(qtbot, qapp, tray=False):
    application = Application(StartOptions(demo=True), qapp, tray_available=tray, listen=False)
    run(qtbot, application.start())
    return application


def stop(qtbot, application):
    gc.unfreeze()
    run(qtbot, application.aclose())
    application.window.deleteLater()
    application.deleteLater()


def test_size_and_place_are_saved_at_quit_and_restored(qtbot, qapp, qloop):  # noqa: F811
    first = start(qtbot, qapp)
    qtbot.waitUntil(first.window.isVisible)
    first.window.setGeometry(QRect(120, 90, 520, 560))
    stop(qtbot, first)
    assert WindowState.load().geometry == (120, 90, 520, 560)
    second = start(qtbot, qapp)
    qtbot.waitUntil(second.window.isVisible)
    assert second.window.geometry() == QRect(120, 90, 520, 560)
    stop(qtbot, second)


# The offscreen platform has no tray window to follow; Qt says so when a tray icon is made.
@pytest.mark.qt_log_ignore("systemTrayWindowChanged")
def test_closing_to_the_tray_saves_the_place_and_says_so_once(qtbot, qapp, qloop):  # noqa: F811
    from dialer_gui.ui import messages

    app = start(qtbot, qapp, tray=True)
    app.window.show_dialpad()
    app.window.setGeometry(QRect(50, 60, 510, 580))
    app.window.close()
    assert not app.window.isVisible()
    assert WindowState.load().geometry == (50, 60, 510, 580)

    def told():
        return [m for m in messages.shown if m.title == "dialer-gui is still running"]

    qtbot.waitUntil(lambda: len(told()) == 1)
    assert "Ctrl+Q" in told()[0].text
    app.window.show_dialpad()
    app.window.close()
    qtbot.wait(50)
    assert len(told()) == 1
    stop(qtbot, app)


def test_a_place_on_a_screen_that_is_gone_moves_back(qapp):
    # Saved on a second monitor to the right, since unplugged.
    rect = placed(QRect(2100, 300, 460, 560))
    assert QRect(0, 0, 800, 800).contains(rect)
    assert rect.size().width() == 460 and rect.size().height() == 560
    # Half off the bottom right: pulled in whole.
    rect = placed(QRect(700, 700, 460, 560))
    assert QRect(0, 0, 800, 800).contains(rect)
    # Larger than the screen: shrunk to it.
    rect = placed(QRect(0, 0, 2000, 1500), QRect(0, 0, 300, 400))
    assert rect.width() <= 800 and rect.height() <= 800


@pytest.mark.parametrize(
    "text",
    ["", "not json", "[1, 2]", '{"geometry": [1, 2, -5, 9]}', '{"geometry": ["a", 1, 2, 3]}'],
)
def test_a_damaged_state_file_is_ignored(qtbot, qapp, qloop, text):  # noqa: F811
    path = state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    assert WindowState.load().geometry is None
    app = start(qtbot, qapp)
    qtbot.waitUntil(app.window.isVisible)
    assert QRect(0, 0, 800, 800).contains(app.window.geometry())
    stop(qtbot, app)
    assert json.loads(path.read_text(encoding="utf-8"))["version"] == 1
