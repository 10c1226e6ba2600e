"""The list of contacts under the dial pad's number field: a Qt model over the finder's
matches, one row per number ("Jane Doe (Acme) · mobile: 07911 123456"), and the list view.

The names come from imported files and directories, so they are shown as plain text (a list
view never reads markup) and trimmed of control characters by the store's normalising.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QListView, QWidget

from dialer_gui.core.contacts.finder import Match

_Index = QModelIndex | QPersistentModelIndex
ROWS_SHOWN = 5  # the list's height in rows; more scroll


class MatchModel(QAbstractListModel):
    """The finder's matches for the text typed, best first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._matches: list[Match] = []

    def set_matches(self, matches: Sequence[Match]) -> None:
        self.beginResetModel()
        self._matches = list(matches)
        self.endResetModel()

    def at(self, row: int) -> Match | None:
        return self._matches[row] if 0 <= row < len(self._matches) else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._matches)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        found = self.at(index.row()) if index.isValid() else None
        if found is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return found.describe()
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{found.describe()}\nDials {found.number.number}"
        return None


class MatchList(QListView):
    """The list itself: named for screen readers, a few rows high, never takes Tab's focus
    from the field (arrows in the field move through it)."""

    def __init__(self, model: MatchModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contactMatches")
        self.setModel(model)
        self.setAccessibleName("Contacts found")
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setUniformItemSizes(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.fit_rows()
        self.hide()

    def fit_rows(self) -> None:
        """As high as its rows, up to :data:`ROWS_SHOWN` (more scroll), so the preview and the
        keys move no further than the list needs."""
        rows = min(max(self.model().rowCount(), 1), ROWS_SHOWN)
        row = self.sizeHintForRow(0) if self.model().rowCount() else -1
        row = max(row, self.fontMetrics().height() + 2)
        self.setFixedHeight(row * rows + 2 * self.frameWidth() + 2)

    def step(self, step: int) -> int:
        """Move the selection down (+1) or up (-1); -1 means back in the field."""
        rows = self.model().rowCount()
        row = self.currentIndex().row() if self.currentIndex().isValid() else -1
        row = max(-1, min(rows - 1, row + step))
        if row == -1:
            self.clearSelection()
            self.setCurrentIndex(QModelIndex())
        else:
            self.setCurrentIndex(self.model().index(row, 0))
        return row
