"""The call history: every call attempt and each change of its state, in SQLite.

Every write commits at once (WAL, ``synchronous=NORMAL``), so an attempt recorded just before
its HTTP request is sent survives a crash or SIGKILL; at the next start :meth:`mark_interrupted`
turns such rows into ``unknown`` ("may or may not have been placed"). States only move forward
(:func:`dialer_gui.vocabulary.calls.can_move`).

The schema version is ``PRAGMA user_version``; :data:`MIGRATIONS` upgrades older files one step
at a time. All ``sqlite3`` errors become :class:`HistoryError` with a plain sentence, here and
nowhere else. The store is used from one thread (the app's event loop).
"""

from __future__ import annotations

import contextlib
import csv
import logging
import os
import re
import sqlite3
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from dialer_gui.core import paths
from dialer_gui.core.sqlite_files import Trouble, is_busy, run_script, trouble, upgrade
from dialer_gui.errors import HistoryBusy, HistoryError
from dialer_gui.vocabulary.calls import (
    LIVE_STATES,
    CallAttempt,
    CallState,
    Leg,
    Source,
    can_move,
    utcnow,
)

log = logging.getLogger(__name__)

INTERRUPTED = (
    "dialer-gui stopped before the PBX answered; the call may or may not have been placed."
)
DISK_FULL = "The disk is full, so the call history cannot be saved. Calls still work."

COLUMNS = (
    "id",
    "created",
    "updated",
    "source",
    "raw_input",
    "number",
    "display",
    "provider",
    "dialed",
    "state",
    "call_id",
    "error",
    "error_category",
    "outcome",
    "detail",
    "raw",
    "leg",
    "connected_at",
    "ended_at",
    "duration",
    "contact",
    "page",
)
# What update() may change; id, created and the request itself are fixed once recorded.
UPDATABLE = frozenset(
    {
        "state",
        "call_id",
        "error",
        "error_category",
        "outcome",
        "detail",
        "raw",
        "dialed",
        "leg",
        "connected_at",
        "ended_at",
        "duration",
    }
)
# Joined and case-folded into search_text, so a search is one LIKE over one indexed column.
SEARCHED = ("number", "display", "contact", "call_id", "error", "outcome", "raw_input", "page")

_V1 = """
CREATE TABLE attempts (
    id INTEGER PRIMARY KEY,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    source TEXT NOT NULL,
    raw_input TEXT NOT NULL,
    number TEXT NOT NULL,
    display TEXT NOT NULL,
    provider TEXT NOT NULL,
    dialed TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,
    call_id TEXT,
    error TEXT,
    error_category TEXT,
    outcome TEXT,
    detail TEXT,
    raw TEXT,
    search_text TEXT NOT NULL DEFAULT ''
);
-- Newest-first order and search in one covering index: a search reads only this index, not
-- the rows with their raw PBX answers (about 10 ms over 100,000 rows).
CREATE INDEX attempts_search ON attempts (created, id, state, provider, search_text);
CREATE INDEX attempts_provider ON attempts (provider, created, id);
CREATE INDEX attempts_state ON attempts (state, created, id);
CREATE INDEX attempts_call_id ON attempts (call_id, created, id);
"""


# v2: the process that recorded a row, so start-up leaves alone the calls another live
# process (a `dialer-gui call` in a terminal) is still placing.
# The number index lets every process ask "was this number just dialed?" cheaply.
_V2 = """
ALTER TABLE attempts ADD COLUMN owner INTEGER;
CREATE INDEX attempts_number ON attempts (number, created)
"""

# v3: what happened after "accepted" (the leg a state concerns, when the call connected and
# ended, its length), the contact's name at the time of the call, and the web page that asked.
_V3 = """
ALTER TABLE attempts ADD COLUMN leg TEXT;
ALTER TABLE attempts ADD COLUMN connected_at TEXT;
ALTER TABLE attempts ADD COLUMN ended_at TEXT;
ALTER TABLE attempts ADD COLUMN duration REAL;
ALTER TABLE attempts ADD COLUMN contact TEXT;
ALTER TABLE attempts ADD COLUMN page TEXT
"""

# MIGRATIONS[n] upgrades a database from user_version n to n + 1.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    run_script(_V1),
    run_script(_V2),
    run_script(_V3),
]

# No click-to-call request takes this long; an older "requested" row is interrupted whoever
# its owner was (process ids are reused).
MAX_REQUEST_AGE = timedelta(minutes=10)
SCHEMA_VERSION = len(MIGRATIONS)


def _plain_message(exc: sqlite3.Error, where: str) -> str:
    kind = trouble(exc)
    if kind is Trouble.FULL:
        return DISK_FULL
    if kind is Trouble.DAMAGED:
        return (
            f"The call history file {where} is damaged. Move it away and dialer-gui will "
            "start a new, empty history."
        )
    if kind is Trouble.READ_ONLY:
        return f"The call history {where} is read-only, so new calls cannot be recorded."
    if kind is Trouble.CANNOT_OPEN:
        return (
            f"The call history {where} cannot be opened. Check that its folder exists and "
            "that you may write to it."
        )
    if kind is Trouble.BUSY:
        return f"The call history {where} is locked by another program. Try again shortly."
    if kind is Trouble.DISK:
        return f"The call history {where} could not be read or written (a disk error)."
    return f"The call history {where} could not be used ({exc})."


def _to_text(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # naive times in this app are UTC
    # Fixed width, so text order is time order.
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _from_text(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class HistoryStore:
    """The call history database.

    Args:
        path: the SQLite file, or ``":memory:"``. Its folder is created (0700), the file is 0600.
        read_only: open an existing file without writing (for exports while the app runs).
        busy_timeout: seconds a statement waits for another program's lock before it fails
            with :class:`HistoryBusy`. The app's window thread uses a short one and retries
            later (``core.recorder``); command-line tools wait.

    Raises:
        HistoryError: the file cannot be opened, is damaged, or was made by a newer version.
    """

    def __init__(
        self, path: Path | str, *, read_only: bool = False, busy_timeout: float = 5.0
    ) -> None:
        self.path = path if str(path) == ":memory:" else Path(path)
        self.read_only = read_only
        self.busy_timeout = busy_timeout
        self._where = "in memory" if self.path == ":memory:" else f"at {self.path}"
        self._conn: sqlite3.Connection | None = None
        try:
            self._conn = self._open()
        except OSError as exc:
            raise HistoryError(
                f"The call history {self._where} cannot be created ({exc.strerror or exc}). "
                "Check that its folder can be written."
            ) from exc
        except sqlite3.Error as exc:
            raise HistoryError(_plain_message(exc, self._where)) from exc

    def _open(self) -> sqlite3.Connection:
        if isinstance(self.path, Path) and not self.read_only:
            paths.ensure_private_dir(self.path.parent)
            # Create the file ourselves so it is private from the start; SQLite gives the -wal
            # and -shm files the same mode.
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            os.close(fd)
            if os.name == "posix":
                self.path.chmod(0o600)
        if self.read_only:
            uri = f"{Path(self.path).resolve().as_uri()}?mode=ro"
            conn = sqlite3.connect(uri, uri=True, timeout=self.busy_timeout, isolation_level=None)
        else:
            # Autocommit: each statement commits at once; multi-step writes use BEGIN.
            conn = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
        try:
            if self.path != ":memory:" and not self.read_only:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
            self._migrate(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def _migrate(self, conn: sqlite3.Connection) -> None:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise HistoryError(
                f"The call history {self._where} was made by a newer dialer-gui. Update "
                "dialer-gui, or move the file away to start a new history."
            )
        if version < SCHEMA_VERSION and self.read_only:
            raise HistoryError(f"The call history {self._where} is from an older dialer-gui.")
        upgrade(conn, MIGRATIONS, "History")

    # --- the one sqlite3 boundary ---------------------------------------------------------

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        if self._conn is None:
            raise HistoryError("The call history is closed.")
        try:
            yield self._conn
        except sqlite3.Error as exc:
            message = _plain_message(exc, self._where)
            if is_busy(exc):
                log.info("History database busy: %s", exc)
                raise HistoryBusy(message) from exc
            log.error("History database error: %s (%s)", exc, message)
            raise HistoryError(message) from exc

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._db() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    # --- writing --------------------------------------------------------------------------

    def add(self, attempt: CallAttempt) -> int:
        """Record a new attempt; sets ``attempt.id`` and returns it."""
        values = _to_row(attempt)
        del values["id"]
        values["owner"] = os.getpid()
        names = ", ".join(values)
        marks = ", ".join("?" * len(values))
        with self._db() as conn:
            cursor = conn.execute(
                f"INSERT INTO attempts ({names}) VALUES ({marks})",  # noqa: S608 - fixed columns
                tuple(values.values()),
            )
        if cursor.lastrowid is None:  # pragma: no cover - INSERT always sets it
            raise HistoryError("The call history did not record the call.")
        attempt.id = cursor.lastrowid
        return attempt.id

    def update(self, attempt_id: int, **changes: Any) -> CallAttempt:
        """Change fields of a recorded attempt; ``updated`` is set to now.

        Args:
            attempt_id: the row.
            **changes: any of :data:`UPDATABLE`.

        Returns:
            The attempt as stored after the change.

        Raises:
            ValueError: an unknown field, or a state change that would go backwards.
            KeyError: there is no attempt with that id.
            HistoryError: the database failed.
        """
        unknown = set(changes) - UPDATABLE
        if unknown:
            raise ValueError(f"cannot update {', '.join(sorted(unknown))} of a call attempt")
        if "state" in changes:
            changes["state"] = CallState(changes["state"])
        if changes.get("leg") is not None:
            changes["leg"] = Leg(changes["leg"])
        with self._transaction() as conn:
            current = self._get(conn, attempt_id)
            if current is None:
                raise KeyError(attempt_id)
            new_state = changes.get("state")
            new_leg = changes.get("leg", current.leg)
            if new_state is not None and not can_move(
                current.state, new_state, current.leg, new_leg
            ):
                raise ValueError(
                    f"call attempt {attempt_id} cannot go from {current.state} to {new_state}"
                )
            for name, value in changes.items():
                setattr(current, name, value)
            current.updated = utcnow()
            row = _to_row(current)
            fields = [*changes, "updated", "search_text"]
            assignments = ", ".join(f"{name} = ?" for name in fields)
            conn.execute(
                f"UPDATE attempts SET {assignments} WHERE id = ?",  # noqa: S608 - names checked
                (*(row[name] for name in fields), attempt_id),
            )
        return current

    def mark_interrupted(self) -> int:
        """Turn attempts left ``requested`` by a previous run into ``unknown``; returns how many.

        Called at start-up, before any new call is placed.
        """
        now = utcnow()
        oldest = _to_text(now - MAX_REQUEST_AGE)
        with self._db() as conn:
            rows = conn.execute(
                "SELECT id, owner, created FROM attempts WHERE state = ?",
                (CallState.REQUESTED.value,),
            ).fetchall()
            ids = [
                row[0]
                for row in rows
                if row[1] is None or row[2] < oldest or not _process_alive(int(row[1]))
            ]
            for attempt_id in ids:
                conn.execute(
                    "UPDATE attempts SET state = ?, error = ?, updated = ? WHERE id = ?",
                    (CallState.UNKNOWN.value, INTERRUPTED, _to_text(now), attempt_id),
                )
        if ids:
            log.warning("%d call(s) were interrupted by the last shutdown", len(ids))
        return len(ids)

    # --- reading --------------------------------------------------------------------------

    def get(self, attempt_id: int) -> CallAttempt | None:
        """The attempt with this id, or None."""
        with self._db() as conn:
            return self._get(conn, attempt_id)

    @staticmethod
    def _get(conn: sqlite3.Connection, attempt_id: int) -> CallAttempt | None:
        row = conn.execute(
            f"SELECT {', '.join(COLUMNS)} FROM attempts WHERE id = ?",  # noqa: S608
            (attempt_id,),
        ).fetchone()
        return None if row is None else _from_row(row)

    def _where_clause(
        self, search: str, state: CallState | None, provider: str | None
    ) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        search = search.strip()
        if search:
            ors = ["search_text LIKE ? ESCAPE '\\'"]
            params.append(f"%{_escape_like(search.casefold())}%")
            # "555 12 34" should find +15551234: compare the digits with the number too.
            digits = re.sub(r"[\s().\-/]", "", search)
            if digits != search and re.fullmatch(r"\+?[0-9]+", digits):
                ors.append("search_text LIKE ?")
                params.append(f"%{digits.lstrip('+')}%")
            clauses.append("(" + " OR ".join(ors) + ")")
        if state is not None:
            clauses.append("state = ?")
            params.append(CallState(state).value)
        if provider is not None:
            clauses.append("provider = ?")
            params.append(provider)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def query(
        self,
        search: str = "",
        *,
        state: CallState | None = None,
        provider: str | None = None,
        limit: int = 200,
        offset: int = 0,
    ) -> list[CallAttempt]:
        """Attempts matching ``search`` (case-insensitive, in number, name, call ID, error,
        outcome or the original input) and the filters, newest first."""
        where, params = self._where_clause(search, state, provider)
        sql = (
            f"SELECT {', '.join(COLUMNS)} FROM attempts{where} "  # noqa: S608 - built from constants
            "ORDER BY created DESC, id DESC LIMIT ? OFFSET ?"
        )
        with self._db() as conn:
            rows = conn.execute(sql, (*params, limit, offset)).fetchall()
        return [_from_row(row) for row in rows]

    def ids(
        self,
        search: str = "",
        *,
        state: CallState | None = None,
        provider: str | None = None,
        limit: int = -1,
        offset: int = 0,
    ) -> list[int]:
        """Like :meth:`query` but only the ids (for lazy table models); limit -1 means all."""
        where, params = self._where_clause(search, state, provider)
        sql = (
            f"SELECT id FROM attempts{where} "  # noqa: S608 - built from constants
            "ORDER BY created DESC, id DESC LIMIT ? OFFSET ?"
        )
        with self._db() as conn:
            return [row[0] for row in conn.execute(sql, (*params, limit, offset))]

    def count(
        self, search: str = "", *, state: CallState | None = None, provider: str | None = None
    ) -> int:
        """How many attempts :meth:`query` would find without a limit."""
        where, params = self._where_clause(search, state, provider)
        with self._db() as conn:
            row = conn.execute(f"SELECT count(*) FROM attempts{where}", params).fetchone()  # noqa: S608
        return int(row[0])

    def recent_numbers(self, limit: int = 20) -> list[tuple[str, str]]:
        """The last distinct numbers called, as ``(number, display)``, newest first."""
        found: dict[str, str] = {}
        with self._db() as conn:
            # Walk the time index newest first and stop once enough are found; cheaper than a
            # GROUP BY over the whole table.
            cursor = conn.execute(
                "SELECT number, display FROM attempts WHERE number != '' "
                "ORDER BY created DESC, id DESC"
            )
            while len(found) < limit:
                batch = cursor.fetchmany(256)
                if not batch:
                    break
                for number, display in batch:
                    if number not in found:
                        found[number] = display
                        if len(found) == limit:
                            break
            cursor.close()
        return list(found.items())

    def live(self, since: datetime) -> list[CallAttempt]:
        """Calls the PBX took that have not ended, created at ``since`` or later, oldest first:
        what a restarted app follows again (or marks as no longer followed)."""
        states = sorted(state.value for state in LIVE_STATES)
        marks = ", ".join("?" * len(states))
        sql = (
            f"SELECT {', '.join(COLUMNS)} FROM attempts "  # noqa: S608 - fixed columns
            f"WHERE state IN ({marks}) AND created >= ? ORDER BY created, id"
        )
        with self._db() as conn:
            rows = conn.execute(sql, (*states, _to_text(since))).fetchall()
        return [_from_row(row) for row in rows]

    def find_by_call_id(self, provider: str | None, call_id: str) -> CallAttempt | None:
        """The newest attempt the PBX gave ``call_id`` (of ``provider`` if given)."""
        sql = f"SELECT {', '.join(COLUMNS)} FROM attempts WHERE call_id = ?"  # noqa: S608
        params: list[Any] = [call_id]
        if provider is not None:
            sql += " AND provider = ?"
            params.append(provider)
        sql += " ORDER BY created DESC, id DESC LIMIT 1"
        with self._db() as conn:
            row = conn.execute(sql, params).fetchone()
        return None if row is None else _from_row(row)

    def latest_for_number(self, number: str, since: datetime) -> CallAttempt | None:
        """The newest attempt to ``number`` (E.164 or extension) created at ``since`` or later.

        Lets the duplicate guard see calls placed by other dialer-gui processes too.
        """
        sql = (
            f"SELECT {', '.join(COLUMNS)} FROM attempts "  # noqa: S608 - fixed columns
            "WHERE number = ? AND created >= ? ORDER BY created DESC, id DESC LIMIT 1"
        )
        with self._db() as conn:
            row = conn.execute(sql, (number, _to_text(since))).fetchone()
        return None if row is None else _from_row(row)

    def integrity_ok(self) -> bool:
        """Whether SQLite finds the file sound (``PRAGMA integrity_check``)."""
        with self._db() as conn:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
        return [tuple(r) for r in rows] == [("ok",)]

    def close(self) -> None:
        """Close the database; further use raises :class:`HistoryError`. Safe to repeat."""
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _to_row(attempt: CallAttempt) -> dict[str, Any]:
    return {
        "id": attempt.id,
        "created": _to_text(attempt.created),
        "updated": _to_text(attempt.updated),
        "source": Source(attempt.source).value,
        "raw_input": attempt.raw_input,
        "number": attempt.number,
        "display": attempt.display,
        "provider": attempt.provider,
        "dialed": attempt.dialed,
        "state": CallState(attempt.state).value,
        "call_id": attempt.call_id,
        "error": attempt.error,
        "error_category": attempt.error_category,
        "outcome": attempt.outcome,
        "detail": attempt.detail,
        "raw": attempt.raw,
        "leg": None if attempt.leg is None else Leg(attempt.leg).value,
        "connected_at": None if attempt.connected_at is None else _to_text(attempt.connected_at),
        "ended_at": None if attempt.ended_at is None else _to_text(attempt.ended_at),
        "duration": attempt.duration,
        "contact": attempt.contact,
        "page": attempt.page,
        "search_text": _search_text(attempt),
    }


def _search_text(attempt: CallAttempt) -> str:
    parts = (getattr(attempt, name) for name in SEARCHED)
    return "\n".join(part for part in parts if part).casefold()


def _from_row(row: Sequence[Any]) -> CallAttempt:
    data = dict(zip(COLUMNS, row, strict=True))  # search_text is not read back
    return CallAttempt(
        id=data["id"],
        created=_from_text(data["created"]),
        updated=_from_text(data["updated"]),
        source=Source(data["source"]),
        raw_input=data["raw_input"],
        number=data["number"],
        display=data["display"],
        provider=data["provider"],
        dialed=data["dialed"],
        state=CallState(data["state"]),
        call_id=data["call_id"],
        error=data["error"],
        error_category=data["error_category"],
        outcome=data["outcome"],
        detail=data["detail"],
        raw=data["raw"],
        leg=None if data["leg"] is None else Leg(data["leg"]),
        connected_at=None if data["connected_at"] is None else _from_text(data["connected_at"]),
        ended_at=None if data["ended_at"] is None else _from_text(data["ended_at"]),
        duration=data["duration"],
        contact=data["contact"],
        page=data["page"],
    )


CSV_COLUMNS = tuple(c for c in COLUMNS if c != "raw")
# The first characters that make a spreadsheet read a cell as a formula (+ and - as arithmetic).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> str:
    """The text of one CSV cell; formula-like text gets one single quote in front.

    A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is what a
    spreadsheet runs as a formula, and a tel: link or a PBX's answer may carry one, so such a
    cell is written with a single quote in front (the common practice): the spreadsheet shows
    it as text. That includes phone numbers: unguarded, ``+12125550100`` would be read as the
    number 12125550100, its plus lost, and ``+1-212-555-0100`` as a sum; guarded, each shows as
    the number it is, as text. No other cell is changed: text that merely contains ``=`` or
    ``+``, or starts with a space or a quote, is written as it is. To get a stored value back,
    drop the first character of a cell that starts with a quote followed by one of those six.
    """
    if value is None:
        return ""
    text = _to_text(value) if isinstance(value, datetime) else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def export_csv(rows: Iterable[CallAttempt], stream: TextIO) -> None:
    """Write attempts as CSV with a header row (without the raw PBX answers).

    Formula-like cells, phone numbers among them, start with a guarding quote (see
    :func:`_csv_cell`); ``stream`` should be opened with ``newline=""``, as for any CSV.
    """
    writer = csv.writer(stream)
    writer.writerow(CSV_COLUMNS)
    for attempt in rows:
        writer.writerow([_csv_cell(getattr(attempt, column)) for column in CSV_COLUMNS])


def default_history() -> HistoryStore:
    """The history at the user's data dir (``paths.history_path()``)."""
    return HistoryStore(paths.history_path())


def _process_alive(pid: int) -> bool:
    """Whether another process with this id runs (ours does not count: it is starting up)."""
    if pid == os.getpid() or pid <= 0:
        return False
    if sys.platform == "win32":  # os.kill(pid, 0) would terminate the process there
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process now holds that id
        return False
    except OSError:  # no way to ask (Windows without the process): assume gone
        return False
    return True
