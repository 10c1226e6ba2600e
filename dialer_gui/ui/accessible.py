"""What a screen reader hears: names that carry what the screen shows, and announcements.

``setAccessibleName`` replaces what a label or button says: a label named "Last call" is heard
as "Last call" whatever it shows. So a widget whose text changes gets a name made of a short
role and its current text (:func:`name_with_text`), and assistive tools are told it changed.
Results are also announced (:func:`announce`), which screen readers speak without moving
the focus; Qt sends announcements where the platform has them (AT-SPI, UIA, NSAccessibility).
"""

from __future__ import annotations

from PySide6.QtGui import (
    QAccessible,
    QAccessibleAnnouncementEvent,
    QAccessibleEvent,
    QTextDocumentFragment,
)
from PySide6.QtWidgets import QWidget


def plain(html_text: str) -> str:
    """Rich text as a screen reader should read it: the words, no markup, one line."""
    text = QTextDocumentFragment.fromHtml(html_text).toPlainText()
    return " ".join(text.split())


def name_with_text(widget: QWidget, role: str, text: str) -> None:
    """Name ``widget`` "role: text" (just the role when empty) and say that it changed."""
    name = f"{role}: {text}" if text else role
    if widget.accessibleName() == name:
        return
    widget.setAccessibleName(name)
    if QAccessible.isActive():  # no one listens otherwise; building the event costs
        QAccessible.updateAccessibility(QAccessibleEvent(widget, QAccessible.Event.NameChanged))


def announce(widget: QWidget, text: str) -> None:
    """Have a screen reader speak ``text`` now, without moving the focus."""
    if text and QAccessible.isActive():
        QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(widget, text))
