"""Window sizes that fit the screen they open on.

A window's first size is what suits its content, made smaller where the screen's free area
(less the window manager's frame, which is not known before the window is shown) is smaller,
and never below what the window needs: at 150 % scaling a 1280x800 screen is 853x533
device-independent pixels, and a 600-pixel-high window put its own buttons off the bottom.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QWidget

FRAME = QSize(16, 48)
"""Room left for a title bar and borders (a guess on the large side)."""


def first_size(widget: QWidget, wanted: QSize) -> QSize:
    """``wanted``, bounded by the free area of the screen ``widget`` opens on."""
    screen = widget.screen()
    if screen is None:
        return wanted
    fitting = wanted.boundedTo(screen.availableGeometry().size() - FRAME)
    return fitting.expandedTo(widget.minimumSizeHint())
