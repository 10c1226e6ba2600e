"""Whether this desktop shows tray icons, for ``dialer-gui doctor`` (which has no window)."""

from __future__ import annotations

import os
import sys


def tray_available() -> bool | None:
    """True or False as Qt sees the desktop; ``None`` when there is no desktop to ask.

    Without a display (an SSH session, CI), creating a QApplication would abort the process,
    so the question is not asked at all.
    """
    if not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ) and sys.platform not in (
        "win32",
        "darwin",
    ):
        return None
    try:
        from PySide6.QtWidgets import QApplication, QSystemTrayIcon
    except ImportError:
        return None
    _app = QApplication.instance() or QApplication([])
    return bool(QSystemTrayIcon.isSystemTrayAvailable())
