"""The history pane: search, filters, the table and what can be done with a row.

Search runs as you type, debounced (150 ms) so a fast typist causes one query. Actions work on
the selected row from buttons, the context menu or keys: Enter shows details, Ctrl+R redials,
Ctrl+C copies the call ID. Tab walks the pane in the order it is shown (search, filters, table,
row actions, export) and leaves the table rather than moving from cell to cell in it. Export
writes what the filters show to a CSV file, a page at a time in a worker thread, so a long
history does not freeze the window.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from dialer_gui.core.history import HistoryStore, export_csv
from dialer_gui.errors import DialerError
from dialer_gui.ui import messages
from dialer_gui.ui.history_model import (
    STATE_TEXT,
    Column,
    HistoryModel,
    advice_for,
    local_time,
    state_text,
)
from dialer_gui.ui.tasks import spawn
from dialer_gui.vocabulary.calls import CallAttempt, CallState, talk_time

log = logging.getLogger("dialer_gui.ui.history")

SEARCH_DELAY_MS = 150
EXPORT_LIMIT = 1_000_000
EXPORT_PAGE = 5_000  # rows per query: memory stays flat however long the history is
EXPORT_TEXT = "&Export CSV…"


def details_report(attempt: CallAttempt) -> str:
    """Everything known about one attempt, as plain text (secrets were removed before storing)."""
    lines = [
        f"Number:      {attempt.display or attempt.number}",
        f"Typed/linked: {attempt.raw_input}",
        f"Sent as:     {attempt.dialed or '-'}",
        f"Provider:    {attempt.provider or '-'}",
        f"From:        {attempt.source}",
        f"State:       {state_text(attempt)}",
        f"Call ID:     {attempt.call_id or '-'}",
        f"Started:     {local_time(attempt.created)}",
        f"Updated:     {local_time(attempt.updated)}",
    ]
    if attempt.contact:
        lines.insert(0, f"Contact:     {attempt.contact}")
    if attempt.page:
        lines.append(f"Web page:    {attempt.page}")
    if attempt.connected_at is not None:
        lines.append(f"Connected:   {local_time(attempt.connected_at)}")
    if attempt.ended_at is not None:
        lines.append(f"Ended:       {local_time(attempt.ended_at)}")
    if attempt.duration is not None:
        lines.append(f"Talk time:   {talk_time(attempt.duration)}")
    if attempt.error:
        lines += ["", "Error:", attempt.error]
    advice = advice_for(attempt)
    if advice:
        lines += ["", "What to do:", advice]
    if attempt.outcome:
        lines += ["", f"Outcome: {attempt.outcome}"]
    if attempt.detail:
        lines += ["", "Detail:", attempt.detail]
    if attempt.raw:
        lines += ["", "The PBX answered (passwords removed):", attempt.raw]
    return "\n".join(lines)


class DetailsDialog(QDialog):
    """A read-only report of one attempt."""

    def __init__(self, attempt: CallAttempt, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.attempt_id = attempt.id
        self.setWindowTitle(f"Call to {attempt.display or attempt.number}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        text = QPlainTextEdit(details_report(attempt))
        text.setReadOnly(True)
        text.setAccessibleName("Call details")
        text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(buttons)
        self.text = text
        self.resize(560, 420)


class HistoryView(QWidget):
    """Search field, state and provider filters, the table, and the row actions.

    Args:
        model: the history model.
        history: the store, for the CSV export of everything the filters match.
        redial: called with the attempt to dial again.
        providers: returns the profile names for the provider filter.
        edit_contact: called with the attempt whose number's contact to add or edit (the
            Contact… button and menu item show only with it).
    """

    def __init__(
        self,
        model: HistoryModel,
        history: object,
        redial: Callable[[CallAttempt], object],
        providers: Callable[[], list[str]],
        parent: QWidget | None = None,
        *,
        edit_contact: Callable[[CallAttempt], object] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("historyView")
        self._edit_contact = edit_contact
        self.model = model
        self._history = history
        self._redial = redial
        self._providers = providers
        self.export_task: asyncio.Task[int] | None = None

        self.search = QLineEdit()
        self.search.setObjectName("historySearch")
        self.search.setPlaceholderText("Search name, number, call ID or error")
        self.search.setAccessibleName("Search the history")
        self.search.setClearButtonEnabled(True)
        for action in self.search.findChildren(QAction):  # Qt's own clear button is unnamed
            action.setText("Clear the search")
            action.setToolTip("Clear the search")
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self.apply_filter)

        # Named by their labels below (a buddy label is what a screen reader reads with a combo
        # box; a name of its own would hide it, and over AT-SPI the name is the current item).
        self.state_box = QComboBox()
        self.state_box.setAccessibleDescription("Show only the calls in this state")
        self.state_box.addItem("All states", None)
        for state in CallState:
            self.state_box.addItem(STATE_TEXT[state], state)
        self.state_box.currentIndexChanged.connect(lambda _i: self.apply_filter())

        self.provider_box = QComboBox()
        self.provider_box.setAccessibleDescription("Show only the calls through this provider")
        self.provider_box.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.refresh_providers()

        self.table = QTableView()
        self.table.setObjectName("historyTable")
        self.table.setAccessibleName("Call history")
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        # Tab leaves the table for the row actions; arrows move between rows and cells.
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        for column, width in (
            (Column.TIME, 70),
            (Column.SOURCE, 80),
            (Column.NUMBER, 150),
            (Column.PROVIDER, 110),
            (Column.STATE, 110),
            (Column.CALL_ID, 170),
            (Column.NAME, 110),
        ):
            header.resizeSection(column, width)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # What was called and how it ended first, so they show in the dial pad's width; the
        # rest scrolls. Only the order shown changes: the model's columns stay as they are.
        header.moveSection(header.visualIndex(Column.NAME), 1)
        header.moveSection(header.visualIndex(Column.NUMBER), 2)
        header.moveSection(header.visualIndex(Column.STATE), 3)
        # ``activated`` alone: it is Enter, and a double click where the platform activates on
        # one; connecting ``doubleClicked`` as well opened every Details dialog twice.
        self.table.activated.connect(lambda _index: self.show_details())
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
        # The buttons act on the current row; Tab into the table makes a row current without
        # selecting it, and a keyboard user must then be able to reach Redial and Details.
        self.table.selectionModel().currentChanged.connect(lambda *_: self._update_actions())
        self.table.installEventFilter(self)
        model.modelReset.connect(self._update_actions)

        self.redial_button = QPushButton("&Redial")
        self.redial_button.setToolTip("Call this number again (Ctrl+R)")
        self.redial_button.clicked.connect(self.redial)
        self.copy_button = QPushButton("Copy call &ID")
        self.copy_button.setToolTip("Copy the PBX's call ID (Ctrl+C)")
        self.copy_button.clicked.connect(self.copy_call_id)
        self.details_button = QPushButton("De&tails…")
        self.details_button.setToolTip("Everything about this call (Enter)")
        self.details_button.clicked.connect(self.show_details)
        self.contact_button = QPushButton("C&ontact…")
        self.contact_button.setToolTip("Add this number to the phone book, or edit its contact")
        self.contact_button.clicked.connect(self.edit_contact)
        self.contact_button.setVisible(edit_contact is not None)
        self.export_button = QPushButton(EXPORT_TEXT)
        self.export_button.setToolTip("Save the calls shown to a CSV file")
        self.export_button.clicked.connect(self.export)
        QShortcut(QKeySequence("Ctrl+R"), self.table, self.redial)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Copy), self.table, self.copy_call_id)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self, self.search.setFocus)

        search_label = QLabel("&Search:")
        search_label.setBuddy(self.search)
        state_label = QLabel("St&ate:")
        state_label.setBuddy(self.state_box)
        provider_label = QLabel("&Provider:")
        provider_label.setBuddy(self.provider_box)
        # Two rows, so the pane fits the dial pad's window: in one, the filters pushed the
        # window (or its right edge) off a small screen.
        search_row = QHBoxLayout()
        search_row.addWidget(search_label)
        search_row.addWidget(self.search, 1)
        filters = QHBoxLayout()
        filters.addWidget(state_label)
        filters.addWidget(self.state_box, 1)
        filters.addWidget(provider_label)
        filters.addWidget(self.provider_box, 1)
        for box in (self.state_box, self.provider_box):
            # Long profile names are cut in the closed box, not allowed to widen it.
            box.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            box.setMinimumContentsLength(8)
        actions = QHBoxLayout()
        actions.addWidget(self.redial_button)
        actions.addWidget(self.copy_button)
        actions.addWidget(self.details_button)
        actions.addWidget(self.contact_button)
        actions.addStretch(1)
        actions.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(search_row)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        # Tab goes through the pane as it is shown: search, filters, table, row actions, export.
        order = [
            self.search,
            self.state_box,
            self.provider_box,
            self.table,
            self.redial_button,
            self.copy_button,
            self.details_button,
            self.export_button,
        ]
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)
        self.setFocusProxy(self.search)
        self._update_actions()

    def refresh_providers(self) -> None:
        current = self.provider_box.currentData()
        self.provider_box.blockSignals(True)
        self.provider_box.clear()
        self.provider_box.addItem("All providers", None)
        for name in self._providers():
            self.provider_box.addItem(name, name)
        self.provider_box.setCurrentIndex(max(0, self.provider_box.findData(current)))
        self.provider_box.blockSignals(False)

    def apply_filter(self) -> None:
        self._debounce.stop()
        self.model.set_filter(
            self.search.text(), self.state_box.currentData(), self.provider_box.currentData()
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Tab into a table with no current row: pick the newest call, so the focus shows where
        # it is and the row actions after the table are enabled (disabled buttons take no Tab).
        if (
            watched is self.table
            and event.type() == QEvent.Type.FocusIn
            and not self.table.currentIndex().isValid()
            and self.model.rowCount() > 0
        ):
            self.table.selectRow(0)
        return super().eventFilter(watched, event)

    def selected(self) -> CallAttempt | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.model.attempt(index.row())

    def _update_actions(self) -> None:
        attempt = self.selected()
        self.redial_button.setEnabled(attempt is not None and bool(attempt.number))
        self.copy_button.setEnabled(attempt is not None and bool(attempt.call_id))
        self.details_button.setEnabled(attempt is not None)
        self.contact_button.setEnabled(attempt is not None and bool(attempt.number))

    def redial(self) -> None:
        attempt = self.selected()
        if attempt is not None and attempt.number:
            self._redial(attempt)

    def edit_contact(self) -> None:
        attempt = self.selected()
        if attempt is not None and attempt.number and self._edit_contact is not None:
            self._edit_contact(attempt)

    def copy_call_id(self) -> None:
        attempt = self.selected()
        if attempt is not None and attempt.call_id:
            QGuiApplication.clipboard().setText(attempt.call_id)
            messages.info("Call ID copied", attempt.call_id)

    def show_details(self) -> DetailsDialog | None:
        """The Details dialog of the selected call; one per call, raised if already open."""
        attempt = self.selected()
        if attempt is None:
            return None
        for dialog in self.findChildren(DetailsDialog):
            if dialog.attempt_id == attempt.id and dialog.isVisible():
                dialog.raise_()
                dialog.activateWindow()
                return dialog
        dialog = DetailsDialog(attempt, self)
        dialog.show()
        return dialog

    def _context_menu(self, pos: QPoint) -> None:
        index: QModelIndex = self.table.indexAt(pos)
        if not index.isValid():
            return
        self.table.setCurrentIndex(index)
        menu = QMenu(self)
        menu.addAction("Redial", self.redial).setEnabled(self.redial_button.isEnabled())
        menu.addAction("Copy call ID", self.copy_call_id).setEnabled(self.copy_button.isEnabled())
        menu.addAction("Details…", self.show_details)
        if self._edit_contact is not None:
            menu.addAction("Contact…", self.edit_contact).setEnabled(
                self.contact_button.isEnabled()
            )
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def export(self) -> None:
        if self.export_task is not None and not self.export_task.done():
            return
        # In the home folder: the working directory of a tray app is wherever it was started.
        start = str(Path.home() / "call-history.csv")
        path, _filter = QFileDialog.getSaveFileName(
            self, "Export call history", start, "CSV files (*.csv)"
        )
        if path:
            self.export_to(path)

    def export_to(self, path: str) -> asyncio.Task[int]:
        """Start writing every attempt the filters match to ``path``.

        Returns:
            The task; its result is how many calls were written (0 on failure).
        """
        self.export_button.setEnabled(False)
        self.export_button.setText("Exporting…")
        self.export_task = spawn(self._export(path))
        return self.export_task

    async def _export(self, path: str) -> int:
        search, state, provider = self.model.filters
        store_path = getattr(self._history, "path", ":memory:")
        loop = asyncio.get_running_loop()

        def progress(written: int) -> None:
            # Called on the worker thread; the label belongs to the GUI thread.
            loop.call_soon_threadsafe(self.export_button.setText, f"Exporting… {written:,}")

        def work() -> int:
            # sqlite3 connections stay on the thread that opened them, so the worker reads
            # through a read-only connection of its own.
            with HistoryStore(store_path, read_only=True) as store:
                return write_export(
                    store, path, search=search, state=state, provider=provider, progress=progress
                )

        try:
            if str(store_path) == ":memory:":
                # An in-memory history exists only on this thread's connection.
                written = write_export(
                    self._history, path, search=search, state=state, provider=provider
                )
            else:
                written = await asyncio.to_thread(work)
        except (OSError, DialerError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            messages.error("History not exported", f"{path} could not be written: {reason}.")
            return 0
        finally:
            self.export_button.setText(EXPORT_TEXT)
            self.export_button.setEnabled(True)
        calls = "call" if written == 1 else "calls"
        messages.info("History exported", f"Exported {written:,} {calls} to {path}.")
        return written


def write_export(
    history: Any,
    path: str,
    *,
    search: str = "",
    state: CallState | None = None,
    provider: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the matching attempts to a CSV file at ``path``, a page at a time.

    Args:
        history: a store with ``query(search, state=, provider=, limit=, offset=)``.
        path: the CSV file to write.
        search: the search text in use.
        state: the state filter, or None.
        provider: the provider filter, or None.
        progress: called with the number written after each page.

    Returns:
        How many attempts were written (at most :data:`EXPORT_LIMIT`).
    """
    written = 0

    def rows() -> Iterator[CallAttempt]:
        nonlocal written
        previous: set[int | None] = set()
        offset = 0
        while written < EXPORT_LIMIT:
            page = history.query(
                search, state=state, provider=provider, limit=EXPORT_PAGE, offset=offset
            )
            offset += len(page)
            # A call added meanwhile shifts the pages by one row; skip what was just written.
            fresh = [a for a in page if a.id not in previous][: EXPORT_LIMIT - written]
            yield from fresh
            written += len(fresh)
            if progress is not None:
                progress(written)
            if len(page) < EXPORT_PAGE:
                return
            previous = {a.id for a in page}

    with open(path, "w", encoding="utf-8", newline="") as stream:
        export_csv(rows(), stream)
    return written
