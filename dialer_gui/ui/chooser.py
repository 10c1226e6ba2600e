"""Pick one of several numbers (the clipboard, or text from the browser, held more than one).

Keyboard first: the list has the focus, arrows move, Enter dials, Escape cancels. Like the
confirmation prompt it never blocks the loop: :func:`choose` awaits the dialog's answer.
"""

from __future__ import annotations

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

from dialer_gui.ui.dialogs import run_dialog
from dialer_gui.ui.icons import app_icon
from dialer_gui.vocabulary.target import DialTarget


class NumberChooser(QDialog):
    """A list of numbers; ``selected()`` is the chosen one after ``accepted``."""

    def __init__(
        self,
        targets: Sequence[DialTarget],
        parent: QWidget | None = None,
        origin: str = "the clipboard",
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
            item = QListWidgetItem(target.display)
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
) -> DialTarget | None:
    """Let the user pick one of ``targets``; None when cancelled.

    ``origin`` names where the numbers were found, as in "the clipboard".
    """
    dialog = NumberChooser(targets, parent, origin)
    return await run_dialog(dialog, lambda d, accepted: d.selected() if accepted else None, shown)
