"""The call history as a read-only Qt table model over the history store.

Rows are loaded lazily, a page at a time (``canFetchMore``/``fetchMore``), newest first. A new
search or filter re-queries the store (the only full reset). Call changes from the dialer arrive
as ``CallChanged`` events: a loaded row is updated in place (``dataChanged``), a new attempt that
matches the filter is inserted at the top (``rowsInserted``); nothing reloads the whole list.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Protocol

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from dialer_gui.core.events import CallChanged, Event, EventBus
from dialer_gui.errors import HistoryError
from dialer_gui.providers.errors import ADVICE, ErrorCategory
from dialer_gui.ui import colors
from dialer_gui.vocabulary.calls import (
    STATE_WORDS,
    CallAttempt,
    CallState,
    state_words,
    talk_time,
)

log = logging.getLogger("dialer_gui.ui.history")

PAGE_SIZE = 200
LIVE_ROWS = 1000
"""Rows kept in memory beyond those the user scrolled to: new calls push the oldest out."""

AnyIndex = QModelIndex | QPersistentModelIndex

# data() runs hundreds of times per repaint; plain ints and a set keep the common "not a role
# we answer" case to one lookup.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_USER = int(Qt.ItemDataRole.UserRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_ROLES = frozenset({_DISPLAY, _TOOLTIP, _USER, _FOREGROUND})
_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class HistorySource(Protocol):
    """What the model needs from ``core.history.HistoryStore``."""

    def query(
        self,
        search: str = "",
        *,
        state: CallState | None = None,
        provider: str | None = None,
        limit: int = ...,
        offset: int = 0,
    ) -> list[CallAttempt]: ...

    def count(
        self, search: str = "", *, state: CallState | None = None, provider: str | None = None
    ) -> int: ...


class Column(enum.IntEnum):
    TIME = 0
    SOURCE = 1
    NUMBER = 2
    PROVIDER = 3
    STATE = 4
    CALL_ID = 5
    DETAILS = 6
    NAME = 7  # the contact's name; shown beside the number (the view orders the columns)


HEADERS = {
    Column.TIME: "Time",
    Column.SOURCE: "From",
    Column.NUMBER: "Number",
    Column.PROVIDER: "Provider",
    Column.STATE: "State",
    Column.CALL_ID: "Call ID",
    Column.DETAILS: "Error or outcome",
    Column.NAME: "Name",
}

SOURCE_TEXT = {
    "dialpad": "Dial pad",
    "clipboard": "Clipboard",
    "link": "Link",
    "cli": "Command line",
    "history": "Redial",
}

# One list of state words for every screen (vocabulary.calls).
STATE_TEXT = STATE_WORDS

STATE_COLOURS = {
    CallState.FAILED: colors.ERROR,
    CallState.UNKNOWN: colors.WARNING,
    CallState.ACCEPTED: colors.OK,
    CallState.COMPLETED: colors.OK,
    CallState.RINGING: colors.OK,
    CallState.ANSWERED: colors.OK,
    CallState.CONNECTED: colors.OK,
    CallState.ENDED: colors.OK,
    CallState.HUNG_UP: colors.OK,
    CallState.BUSY: colors.WARNING,
    CallState.NO_ANSWER: colors.WARNING,
}
"""The colour that repeats a state's words (``ui.colors`` keeps it readable in dark themes)."""


def state_text(attempt: CallAttempt) -> str:
    """The state as people read it; a finished call shows its outcome."""
    if attempt.state is CallState.COMPLETED and attempt.outcome:
        return attempt.outcome.replace("_", " ").capitalize()
    words = state_words(attempt.state, attempt.leg)
    if attempt.duration is not None and attempt.state in (CallState.ENDED, CallState.HUNG_UP):
        words += f" ({talk_time(attempt.duration)})"
    return words


def local_time(moment: datetime) -> str:
    """``moment`` in the local time zone: the time today, else date and time."""
    local = moment.astimezone()
    if local.date() == datetime.now().astimezone().date():
        return local.strftime("%H:%M:%S")
    return local.strftime("%Y-%m-%d %H:%M")


def details_text(attempt: CallAttempt) -> str:
    """The error (or outcome) column: the first thing to read when a call went wrong."""
    return attempt.error or attempt.outcome or attempt.detail or ""


def advice_for(attempt: CallAttempt) -> str:
    """What to do about a failed attempt, from its error category; empty when unknown."""
    if not attempt.error_category:
        return ""
    try:
        return ADVICE[ErrorCategory(attempt.error_category)]
    except ValueError:
        return ""


class HistoryModel(QAbstractTableModel):
    """Read-only table of call attempts, newest first.

    Args:
        history: the store (``core.history.HistoryStore`` or anything with its query/count).
        events: the dialer's event bus; the model follows ``CallChanged`` live.
        page_size: rows fetched per ``fetchMore``.
    """

    def __init__(
        self,
        history: HistorySource,
        events: EventBus | None = None,
        *,
        page_size: int = PAGE_SIZE,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._history = history
        self._page_size = page_size
        self._rows: list[CallAttempt] = []
        # Each attempt's cell texts, made once and dropped when the attempt changes: a repaint
        # asks for every visible cell, and formatting them each time made a row insert cost
        # 6 ms of repaint during a burst of calls.
        self._texts: dict[int, tuple[CallAttempt, tuple[str, ...]]] = {}
        self._texts_day = date.today()
        self._texts_checked = time.monotonic()
        self._total = 0
        # How many rows the user asked for (first page, then each fetchMore): new calls arriving
        # at the top push rows out past max(this, LIVE_ROWS), so a model that runs for months
        # holds a bounded number of calls; rows pushed out come back with fetchMore.
        self._wanted = 0
        self._search = ""
        self._state: CallState | None = None
        self._provider: str | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._reload()
        if events is not None:
            self._unsubscribe = events.subscribe(self._on_event)

    def close(self) -> None:
        """Stop following the event bus."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    # -- filtering ------------------------------------------------------------------------------
    @property
    def filters(self) -> tuple[str, CallState | None, str | None]:
        return self._search, self._state, self._provider

    def set_filter(
        self, search: str = "", state: CallState | None = None, provider: str | None = None
    ) -> None:
        """Show only attempts matching all three (empty/None means any). Re-queries the store."""
        search = search.strip()
        if (search, state, provider) == self.filters:
            return
        self._search, self._state, self._provider = search, state, provider
        self.beginResetModel()
        self._reload()
        self.endResetModel()

    def refresh(self) -> None:
        """Re-read from the store (after an export or an outside change)."""
        self.beginResetModel()
        self._reload()
        self.endResetModel()

    def _reload(self) -> None:
        self._rows = []
        self._texts.clear()
        try:
            self._total = self._history.count(
                self._search, state=self._state, provider=self._provider
            )
            self._rows = self._history.query(
                self._search,
                state=self._state,
                provider=self._provider,
                limit=self._page_size,
                offset=0,
            )
        except HistoryError as exc:
            log.error("history cannot be read: %s", exc)
            self._total = 0
        self._wanted = len(self._rows)

    def matches(self, attempt: CallAttempt) -> bool:
        """Whether ``attempt`` passes the current filter (mirrors the store's search)."""
        if self._state is not None and attempt.state is not self._state:
            return False
        if self._provider is not None and attempt.provider != self._provider:
            return False
        if self._search:
            needle = self._search.casefold()
            haystack = (
                attempt.number,
                attempt.display,
                attempt.raw_input,
                attempt.call_id or "",
                attempt.error or "",
            )
            return any(needle in text.casefold() for text in haystack)
        return True

    # -- paging ---------------------------------------------------------------------------------
    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid():
            return
        try:
            page = self._history.query(
                self._search,
                state=self._state,
                provider=self._provider,
                limit=self._page_size,
                offset=len(self._rows),
            )
        except HistoryError as exc:
            log.error("history cannot be read: %s", exc)
            page = []
        loaded = {a.id for a in self._rows}
        page = [a for a in page if a.id not in loaded]
        if not page:
            self._total = len(self._rows)  # the store has fewer rows than it counted
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
        self._rows.extend(page)
        self.endInsertRows()
        self._wanted = len(self._rows)

    # -- live updates ---------------------------------------------------------------------------
    def _on_event(self, event: Event) -> None:
        if isinstance(event, CallChanged):
            self.apply(event.attempt)

    def apply(self, attempt: CallAttempt) -> None:
        """Show a new or changed attempt: update its row, insert it, or drop it from view."""
        row = self.row_of(attempt.id)
        if row is not None:
            self._texts.pop(id(self._rows[row]), None)
            if self.matches(attempt):
                self._rows[row] = attempt
                last = self.columnCount() - 1
                self.dataChanged.emit(self.index(row, 0), self.index(row, last))
            else:  # it left the filter (a state filter and a state change)
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self._total -= 1
                self.endRemoveRows()
        elif attempt.id is not None and self.matches(attempt):
            self.beginInsertRows(QModelIndex(), 0, 0)
            self._rows.insert(0, attempt)
            self._total += 1
            self.endInsertRows()
            self._trim()

    def _trim(self) -> None:
        """Drop the oldest loaded rows past what the user asked for (they stay fetchable)."""
        keep = max(self._wanted, LIVE_ROWS)
        if len(self._rows) <= keep:
            return
        self.beginRemoveRows(QModelIndex(), keep, len(self._rows) - 1)
        for attempt in self._rows[keep:]:
            self._texts.pop(id(attempt), None)
        del self._rows[keep:]
        self.endRemoveRows()

    def row_of(self, attempt_id: int | None) -> int | None:
        if attempt_id is None:
            return None
        # Changes are almost always about the newest calls, at the top.
        for row, attempt in enumerate(self._rows):
            if attempt.id == attempt_id:
                return row
        return None

    def attempt(self, row: int) -> CallAttempt:
        return self._rows[row]

    # -- Qt model interface ---------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if role == Qt.ItemDataRole.DisplayRole and horizontal and 0 <= section < len(Column):
            return HEADERS[Column(section)]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _ROW_FLAGS

    def data(self, index: AnyIndex, role: int = _DISPLAY) -> Any:
        if role not in _ROLES:
            return None
        row = index.row()  # -1 for an invalid index
        if not 0 <= row < len(self._rows):
            return None
        attempt = self._rows[row]
        column = index.column()
        if role == _DISPLAY:
            return self._cell_texts(attempt)[column]
        if role == _TOOLTIP:
            return self._tooltip(attempt, Column(column))
        if role == _USER:
            return attempt
        if column == Column.STATE:
            kind = STATE_COLOURS.get(attempt.state)
            return colors.state_color(kind) if kind is not None else None
        return None

    def _cell_texts(self, attempt: CallAttempt) -> tuple[str, ...]:
        now = time.monotonic()
        if now >= self._texts_checked + 60:  # date.today() is too slow for every cell
            self._texts_checked = now
            today = date.today()
            if today != self._texts_day:  # "today" shows a time only; after midnight, a date
                self._texts.clear()
                self._texts_day = today
        cached = self._texts.get(id(attempt))
        if cached is not None and cached[0] is attempt:
            return cached[1]
        texts = tuple(self._display(attempt, column) for column in Column)
        self._texts[id(attempt)] = (attempt, texts)
        return texts

    @staticmethod
    def _display(attempt: CallAttempt, column: Column) -> str:
        if column is Column.TIME:
            return local_time(attempt.created)
        if column is Column.SOURCE:
            return SOURCE_TEXT.get(str(attempt.source), str(attempt.source))
        if column is Column.NUMBER:
            return attempt.shown_number
        if column is Column.NAME:
            return attempt.contact or ""
        if column is Column.PROVIDER:
            return attempt.provider
        if column is Column.STATE:
            return state_text(attempt)
        if column is Column.CALL_ID:
            return attempt.call_id or ""
        return details_text(attempt)

    @staticmethod
    def _tooltip(attempt: CallAttempt, column: Column) -> str | None:
        if column is Column.TIME:
            return attempt.created.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
        if column in (Column.NUMBER, Column.NAME):
            parts = [attempt.display or attempt.number]
            if attempt.dialed:
                parts.append(f"Sent to the PBX as: {attempt.dialed}")
            if attempt.raw_input and attempt.raw_input != attempt.display:
                parts.append(f"From: {attempt.raw_input}")
            return "\n".join(parts)
        if column in (Column.DETAILS, Column.STATE):
            parts = [state_text(attempt)]
            if attempt.error:
                parts.append(attempt.error)
            advice = advice_for(attempt)
            if advice:
                parts.append(advice)
            if attempt.detail:
                parts.append(attempt.detail)
            return "\n".join(parts)
        return None
