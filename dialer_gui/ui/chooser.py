"""Pick one of several numbers (the clipboard, or text from the browser, held more than one).

Keyboard first: the list has the focus, arrows move, Enter dials, Escape cancels. Like the
confirmation prompt it never blocks the loop: :func:`choose` awaits the dialog's answer.

Each number is shown with the contact it belongs to (``names``, the dialer's phone book
lookup) and, under it, the words around it in the text it was found in, so "the second
number" can be told from the first by what was written beside it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dialer_gui.core.contacts.lookup import NameLookup
from dialer_gui.ui.dialogs import run_dialog
from dialer_gui.ui.icons import app_icon
from dialer_gui.vocabulary.target import DialTarget

CONTEXT_CHARS = 40  # of the text on each side of a number, cut back to whole words
_SPACE = re.compile(r"\s+")
# Control and format characters (bidi overrides among them) never reach the list.
_UNSHOWN = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def context_around(text: str, part: str, width: int = CONTEXT_CHARS) -> str:
    """The words around the first ``part`` in ``text`` on its line ("…ring Jane on 0791
    after lunch"), cut to whole words; "" when ``part`` is not in ``text``."""
    at = text.find(part) if part else -1
    if at < 0:
        return ""
    # Its own line only: in a signature each line says whose number it is ("Mobile: ...").
    line_start = text.rfind("\n", 0, at) + 1
    line_end = text.find("\n", at + len(part))
    line_end = len(text) if line_end < 0 else line_end
    start, end = max(line_start, at - width), min(line_end, at + len(part) + width)
    before, after = text[start:at], text[at + len(part) : end]
    if start > line_start and " " in before:
        before = before[before.index(" ") + 1 :]  # no half word at the edge
    if end < line_end and " " in after:
        after = after[: after.rindex(" ")]
    shown = _SPACE.sub(" ", _UNSHOWN.sub(" ", before + part + after)).strip()
    return f"{'…' if start > line_start else ''}{shown}{'…' if end < line_end else ''}"


def describe(target: DialTarget, names: NameLookup | None, text: str) -> str:
    """A list row: the number, its contact when it has one, the words around it."""
    line = target.display
    named = names(target.e164) if names is not None else None
    if named is not None:
        label = f", {named.label}" if named.label else ""
        line = f"{line}  ·  {_UNSHOWN.sub(' ', named.name)}{label}"
    context = context_around(text, target.raw)
    return f"{line}\n{context}" if context else line


class NumberChooser(QDialog):
    """A list of numbers; ``selected()`` is the chosen one after ``accepted``."""

    def __init__(
        self,
        targets: Sequence[DialTarget],
        parent: QWidget | None = None,
        origin: str = "the clipboard",
        *,
        names: NameLookup | None = None,
        text: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Which number?")
        self.setWindowIcon(app_icon())
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
        self._targets = list(targets)
        where = origin[:1].upper() + origin[1:]
        label = QLabel(f"{where} holds {len(self._targets)} numbers. Choose one to call:")
        label.setTextFormat(Qt.TextFormat.PlainText)
        self.list = QListWidget()
        self.list.setAccessibleName(f"Numbers found in {origin}")
        label.setBuddy(self.list)
        for target in self._targets:
            item = QListWidgetItem(describe(target, names, text))
            item.setToolTip(target.raw or target.e164)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.list.itemActivated.connect(lambda _item: self.accept())
        buttons = QDialogButtonBox()
        call = buttons.addButton("Call", QDialogButtonBox.ButtonRole.AcceptRole)
        call.setDefault(True)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        self.list.setFocus()

    def selected(self) -> DialTarget | None:
        row = self.list.currentRow()
        return self._targets[row] if 0 <= row < len(self._targets) else None


async def choose(
    targets: Sequence[DialTarget],
    *,
    parent: QWidget | None = None,
    shown: Callable[[NumberChooser], None] | None = None,
    origin: str = "the clipboard",
    names: NameLookup | None = None,
    text: str = "",
) -> DialTarget | None:
    """Let the user pick one of ``targets``; None when cancelled.

    ``origin`` names where the numbers were found, as in "the clipboard"; ``text`` is what
    they were found in (for the words around each), ``names`` the phone book's lookup.
    """
    dialog = NumberChooser(targets, parent, origin, names=names, text=text)
    return await run_dialog(dialog, lambda d, accepted: d.selected() if accepted else None, shown)
