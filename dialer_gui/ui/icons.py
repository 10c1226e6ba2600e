"""The application icon, from the SVGs in ``resources/icons``."""

from __future__ import annotations

import functools
from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

_PACKAGE = Path(__file__).resolve().parent.parent


def resource_dir() -> Path:
    """Where the icons are: inside the installed package, or ``resources`` in a checkout."""
    for candidate in (_PACKAGE / "resources", _PACKAGE.parent / "resources"):
        if (candidate / "icons").is_dir():
            return candidate
    return _PACKAGE / "resources"


@functools.cache
def app_icon(demo: bool = False) -> QIcon:
    """The phone glyph; with an orange "D" badge in demo mode."""
    name = "dialer-gui-demo.svg" if demo else "dialer-gui.svg"
    icon = QIcon(str(resource_dir() / "icons" / name))
    if icon.isNull() or (not icon.availableSizes() and icon.pixmap(32).isNull()):
        icon = _drawn_icon()
    return icon


def _drawn_icon() -> QIcon:
    # A plain green square, for a build where the SVG files or the SVG plugin are missing.
    pixmap = QPixmap(32, 32)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor("#1f7a4d"))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawRoundedRect(QRectF(1, 1, 30, 30), 7, 7)
    painter.setPen(QColor("white"))
    painter.drawText(QRectF(0, 0, 32, 32), Qt.AlignmentFlag.AlignCenter, "☎")
    painter.end()
    return QIcon(pixmap)
