"""Hint text reads in a dark theme: at least 4.5:1 against its background (WCAG 2.1 AA).

Qt's default placeholder colour is the text colour at half opacity, which in a dark palette
(and a light one) falls under 4.5:1: the dial pad's "Type a number..." line, the number
field's placeholder and the Settings fields' "not set" were hard to read. The ratio is
computed here from the palette the way WCAG defines it, with the half-transparent colour laid
over the background as the screen shows it.
"""

from __future__ import annotations

import gc
import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from uitools import qloop, run  # noqa: F401

from dialer_gui.app import Application
from dialer_gui.ui.history_model import Column
from dialer_gui.vocabulary.start_options import StartOptions

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

R = QPalette.ColorRole


def channel(value: float) -> float:
    value /= 255
    return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4


def luminance(color: QColor) -> float:
    r, g, b = (channel(v) for v in (color.red(), color.green(), color.blue()))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def over(color: QColor, background: QColor) -> QColor:
    """``color`` as seen on ``background`` (alpha laid over it)."""
    a = color.alphaF()
    mix = [
        a * c + (1 - a) * b
        for c, b in zip(color.getRgb()[:3], background.getRgb()[:3], strict=True)
    ]
    return QColor(*(round(v) for v in mix))


def ratio(color: QColor, background: QColor) -> float:
    high, low = sorted((luminance(over(color, background)), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def dark_palette() -> QPalette:
    """A dark theme as desktops ship it, with Qt's own placeholder (text at half opacity)."""
    palette = QPalette()
    text = QColor("#e6e6e6")
    for role, color in (
        (R.Window, "#2b2b2b"), (R.WindowText, text), (R.Base, "#1e1e1e"), (R.Text, text),
        (R.Button, "#353535"), (R.ButtonText, text), (R.AlternateBase, "#262626"),
    ):  # fmt: skip
        palette.setColor(role, QColor(color))
    half = QColor(text)
    half.setAlpha(128)
    palette.setColor(R.PlaceholderText, half)
    return palette


@pytest.fixture(params=["dark", "light"])
def app(request, qtbot, qapp, qloop):  # noqa: F811
    before = qapp.palette()
    if request.param == "dark":
        qapp.setPalette(dark_palette())
    application = Application(StartOptions(demo=True), qapp, tray_available=False, listen=False)
    run(qtbot, application.start())
    yield application
    gc.unfreeze()
    run(qtbot, application.aclose())
    application.window.deleteLater()
    application.deleteLater()
    qapp.setPalette(before)


def test_hints_and_placeholders_read_at_four_and_a_half_to_one(qtbot, app):
    pad = app.dialpad
    field_palette = pad.field.palette()
    placeholder = field_palette.color(R.PlaceholderText)
    assert ratio(placeholder, field_palette.color(R.Base)) >= 4.5
    # The hint under the empty field is drawn in the palette's placeholder colour.
    assert "palette(placeholder-text)" in pad.preview.text()
    window = pad.palette().color(R.Window)
    assert ratio(app.qapp.palette().color(R.PlaceholderText), window) >= 4.5
    # Settings: a secret's "not set" is a placeholder too.
    app.show_settings()
    dialog = app.settings_dialog
    assert ratio(dialog.palette().color(R.PlaceholderText), dialog.palette().color(R.Base)) >= 4.5
    dialog.close_for_quit()


def test_a_palette_changed_while_running_is_made_readable_too(qtbot, app):
    app.qapp.setPalette(dark_palette())
    qtbot.waitUntil(
        lambda: (
            ratio(app.qapp.palette().color(R.PlaceholderText), app.qapp.palette().color(R.Base))
            >= 4.5
        )
    )
    # The theme's own colours stay: only the hint is made darker or lighter.
    assert app.qapp.palette().color(R.Base) == QColor("#1e1e1e")
    assert re.fullmatch(r"#[0-9a-f]{6}", app.qapp.palette().color(R.PlaceholderText).name())


def colour_in(style: str) -> QColor:
    found = re.search(r"color:\s*(#[0-9a-fA-F]{6})", style)
    assert found, style
    return QColor(found.group(1))


def test_state_colours_read_too(qtbot, app):
    pad = app.dialpad
    window = pad.palette().color(R.Window)
    pad.field.setText("12ab")  # "Cannot dial", in the error colour
    assert ratio(colour_in(pad.preview.text()), window) >= 4.5
    pad.field.setText("+1 212 555 0100")
    attempt = run(qtbot, pad.call())
    assert ratio(colour_in(pad.status.styleSheet()), window) >= 4.5, attempt.state
    # The history's state column.
    model = app.history_model
    qtbot.waitUntil(lambda: model.rowCount() > 0)
    fg = model.data(model.index(0, Column.STATE), int(Qt.ItemDataRole.ForegroundRole))
    base = app.history_view.table.palette().color(R.Base)
    assert ratio(fg, base) >= 4.5
