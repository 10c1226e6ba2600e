"""Text that reads in every theme: hints from the palette, state colours kept readable.

Qt's default placeholder colour is the text colour at half opacity. Laid over a field or a
window it falls under the 4.5:1 contrast WCAG 2.1 asks of body text, in a light palette (about
4.0:1) and more so in a dark one, and the dial pad's hint line, the number field's placeholder
and the Settings fields' "not set" all use it. :func:`install` replaces it in the application
palette, whatever theme the desktop gives, and again whenever that palette changes, with the
dimmest mix of the text and background colours that still reads at 4.5:1 on both fields
(``Base``) and windows (``Window``); a theme whose own placeholder reads already keeps it.
Everything else in the palette stays the theme's.

The colours that repeat a state in words (red for failed, amber for unknown, green for
accepted) read at 4.5:1 on a light window but at about 2:1 on a dark one; :func:`state_color`
gives each lightened towards the theme's text colour just as far as it must be to read there.

Written here because Qt has no contrast function: WCAG's relative luminance and contrast ratio
are a few lines of arithmetic (https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio).
"""

from __future__ import annotations

import functools

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

MIN_CONTRAST = 4.5
"""WCAG 2.1 AA for body text."""

_ROLE = QPalette.ColorRole
_GROUPS = (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive)
_STEPS = 12  # halvings of the mix: finer than one step of a colour channel


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(color: QColor) -> float:
    """WCAG's relative luminance of an opaque colour."""
    return (
        0.2126 * _channel(color.red())
        + 0.7152 * _channel(color.green())
        + 0.0722 * _channel(color.blue())
    )


def over(color: QColor, background: QColor) -> QColor:
    """``color`` as the screen shows it on ``background``: its alpha laid over it."""
    return mix(background, color, color.alphaF())


def mix(a: QColor, b: QColor, share_of_b: float) -> QColor:
    """The opaque colour ``share_of_b`` of the way from ``a`` to ``b``."""
    t = min(1.0, max(0.0, share_of_b))
    return QColor(
        round(a.red() + (b.red() - a.red()) * t),
        round(a.green() + (b.green() - a.green()) * t),
        round(a.blue() + (b.blue() - a.blue()) * t),
    )


def contrast(color: QColor, background: QColor) -> float:
    """WCAG's contrast ratio of ``color`` (with its alpha) on an opaque ``background``."""
    high, low = sorted((luminance(over(color, background)), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


ERROR, WARNING, OK = "error", "warning", "ok"
_STATES = {ERROR: "#b3261e", WARNING: "#9a5b00", OK: "#1f7a4d"}
"""Each state's colour on a light window (each reads there at 4.5:1 or more)."""


def state_color(state: str, palette: QPalette | None = None) -> QColor:
    """The colour of ``state`` (:data:`ERROR`, :data:`WARNING`, :data:`OK`) that reads at
    :data:`MIN_CONTRAST` on ``palette``'s windows and fields (the application's by default)."""
    palette = palette if palette is not None else QGuiApplication.palette()
    group = QPalette.ColorGroup.Active
    return QColor(
        _readable_state(
            _STATES[state],
            palette.color(group, _ROLE.Window).name(),
            palette.color(group, _ROLE.Base).name(),
            palette.color(group, _ROLE.WindowText).name(),
        )
    )


def style(state: str) -> str:
    """A style sheet (or rich-text ``style``) giving text the colour of ``state``."""
    return f"color: {state_color(state).name()};"


@functools.lru_cache(maxsize=64)  # asked for each table cell painted, by colour names
def _readable_state(color: str, window: str, base: str, text: str) -> str:
    own, towards = QColor(color), QColor(text)
    backgrounds = (QColor(window), QColor(base))

    def reads(candidate: QColor) -> bool:
        return min(contrast(candidate, b) for b in backgrounds) >= MIN_CONTRAST

    if reads(own):
        return color
    # From the state's own colour (t = 0) towards the text colour (t = 1): the smallest share
    # that reads, so it stays as much red, amber or green as the background allows.
    low, high = 0.0, 1.0
    for _ in range(_STEPS):
        middle = (low + high) / 2
        if reads(mix(own, towards, middle)):
            high = middle
        else:
            low = middle
    return mix(own, towards, high).name()


def readable_hint(palette: QPalette, group: QPalette.ColorGroup) -> QColor:
    """The placeholder colour of ``group``, or the dimmest text colour that reads on both
    ``Base`` and ``Window`` at :data:`MIN_CONTRAST`."""
    base = palette.color(group, _ROLE.Base)
    window = palette.color(group, _ROLE.Window)
    current = palette.color(group, _ROLE.PlaceholderText)

    def reads(color: QColor) -> bool:
        return min(contrast(color, base), contrast(color, window)) >= MIN_CONTRAST

    if reads(current):
        return current
    text = palette.color(group, _ROLE.Text)
    # From the text colour (t = 0) towards the field's background (t = 1): the largest share
    # that still reads, by halving.
    low, high = 0.0, 1.0
    for _ in range(_STEPS):
        middle = (low + high) / 2
        if reads(mix(text, base, middle)):
            low = middle
        else:
            high = middle
    return mix(text, base, low)


def readable(palette: QPalette) -> QPalette | None:
    """``palette`` with readable placeholders, or None when it has them already."""
    changed = QPalette(palette)
    differs = False
    for group in _GROUPS:
        hint = readable_hint(palette, group)
        if hint != palette.color(group, _ROLE.PlaceholderText):
            changed.setColor(group, _ROLE.PlaceholderText, hint)
            differs = True
    return changed if differs else None


class _PaletteWatch(QObject):
    """Makes each new application palette (a theme switched while running) readable too."""

    def __init__(self, qapp: QApplication) -> None:
        super().__init__()
        self._qapp = qapp

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._qapp and event.type() == QEvent.Type.ApplicationPaletteChange:
            fix(self._qapp)  # setting it again sends this event again, and then changes nothing
        return super().eventFilter(watched, event)


def fix(qapp: QApplication) -> None:
    """Make the application palette's placeholders readable (see the module's docstring)."""
    palette = readable(qapp.palette())
    if palette is not None:
        qapp.setPalette(palette)


def install(qapp: QApplication) -> _PaletteWatch:
    """Fix the palette now and on every change; remove the returned filter on quit."""
    fix(qapp)
    watch = _PaletteWatch(qapp)
    qapp.installEventFilter(watch)
    return watch
