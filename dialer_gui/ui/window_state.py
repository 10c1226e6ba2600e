"""Where the main window was, and which one-time notices were shown: ``window.json``.

Window state is kept apart from the user's settings (the config file is theirs to edit and
share; a window position is not a setting), in a small JSON file in the data folder. A small
hand-written file rather than ``QSettings``: QSettings writes to a place of its own choosing
(``~/.config/<org>/<app>.conf`` or the Windows registry) that the tests' temporary data folder
does not cover, and the file must survive being hand-edited or truncated: anything unreadable
is ignored (the window opens at its first size), never an error at start-up.

:func:`placed` keeps a restored place on a screen that is still there: a window saved on a
second monitor that has been unplugged comes back on the screen it is opened on, inside its
free area, and no larger than it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication

from dialer_gui.core import paths
from dialer_gui.core.atomic import read_regular_file, write_atomically

log = logging.getLogger("dialer_gui.ui.window_state")

FILE_NAME = "window.json"
MAX_BYTES = 64 * 1024
VISIBLE = 48
"""Pixels of a saved window that must overlap a screen for the place to be kept."""


def state_path() -> Path:
    return paths.data_dir() / FILE_NAME


@dataclass(slots=True)
class WindowState:
    """The main window's last frame (x, y, width, height) and the notices already shown."""

    geometry: tuple[int, int, int, int] | None = None
    seen: set[str] = field(default_factory=set)
    path: Path | None = None

    @classmethod
    def load(cls, path: Path | None = None) -> WindowState:
        """Read the state file; a missing or damaged one gives an empty state."""
        path = path or state_path()
        state = cls(path=path)
        try:
            data = json.loads(read_regular_file(path, MAX_BYTES).decode("utf-8"))
        except FileNotFoundError:
            return state
        except (OSError, ValueError) as exc:
            log.warning("window state ignored (%s): %s", path, exc)
            return state
        if not isinstance(data, dict):
            return state
        geometry = data.get("geometry")
        if (
            isinstance(geometry, list)
            and len(geometry) == 4
            and all(isinstance(v, int) and not isinstance(v, bool) for v in geometry)
            and geometry[2] > 0
            and geometry[3] > 0
        ):
            state.geometry = (geometry[0], geometry[1], geometry[2], geometry[3])
        seen = data.get("seen")
        if isinstance(seen, list):
            state.seen = {s for s in seen if isinstance(s, str)}
        return state

    def save(self) -> None:
        """Write the state; a failure is logged (losing a window position is no error).

        A state made without a path (tests, a window that keeps nothing) is never written.
        """
        if self.path is None:
            return
        data = {
            "version": 1,
            "geometry": list(self.geometry) if self.geometry else None,
            "seen": sorted(self.seen),
        }
        try:
            write_atomically(self.path, json.dumps(data, indent=1) + "\n")
        except OSError as exc:
            log.warning("window state not saved: %s", exc)

    def first_time(self, notice: str) -> bool:
        """True once per install for ``notice``; remembered at once."""
        if notice in self.seen:
            return False
        self.seen.add(notice)
        self.save()
        return True


def placed(saved: QRect, minimum: QRect | None = None) -> QRect:
    """``saved`` moved and shrunk so it lies on a screen that exists now.

    Args:
        saved: the frame as it was saved.
        minimum: the smallest size the window may take (only width and height are read).
    """
    screens = QGuiApplication.screens()
    if not screens:
        return saved
    areas = [s.availableGeometry() for s in screens]
    best = max(areas, key=lambda a: _overlap(a, saved))
    if _overlap(best, saved) < VISIBLE * VISIBLE:  # its screen is gone: the main one
        primary = QGuiApplication.primaryScreen()
        best = primary.availableGeometry() if primary is not None else areas[0]
    rect = QRect(saved)
    width = min(rect.width(), best.width())
    height = min(rect.height(), best.height())
    if minimum is not None:
        width = max(width, min(minimum.width(), best.width()))
        height = max(height, min(minimum.height(), best.height()))
    rect.setWidth(width)
    rect.setHeight(height)
    rect.moveLeft(min(max(rect.left(), best.left()), best.right() - width + 1))
    rect.moveTop(min(max(rect.top(), best.top()), best.bottom() - height + 1))
    return rect


def _overlap(a: QRect, b: QRect) -> int:
    inter = a.intersected(b)
    return 0 if inter.isEmpty() else inter.width() * inter.height()
