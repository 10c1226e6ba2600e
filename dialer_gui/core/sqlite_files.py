"""What the app's SQLite files (the call history, the phone book) share: telling sqlite3's
errors apart, running schema scripts, and upgrading a file one version at a time.

Each store keeps its own sentences (a history is not a phone book) and its own error types;
this module only says *what* went wrong, as a :class:`Trouble`, from SQLite's primary result
code (the low byte of the extended code) and, for builds that give none, the message's words.
"""

from __future__ import annotations

import enum
import logging
import sqlite3
from collections.abc import Callable, Sequence

log = logging.getLogger(__name__)

Migration = Callable[[sqlite3.Connection], None]

# sqlite3 primary result codes.
_PERM, _BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = (
    3,
    5,
    6,
    8,
    10,
    11,
    13,
    14,
    26,
)


class Trouble(enum.Enum):
    FULL = "full"  # the disk is full
    DAMAGED = "damaged"  # not a database, or a malformed one
    READ_ONLY = "read_only"
    CANNOT_OPEN = "cannot_open"  # folder missing or not ours to write
    BUSY = "busy"  # another program holds the lock
    DISK = "disk"  # an I/O error
    OTHER = "other"


def trouble(exc: sqlite3.Error) -> Trouble:
    """What kind of problem ``exc`` is."""
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    text = str(exc).lower()
    if code == _FULL or "disk is full" in text:
        return Trouble.FULL
    if code in (_CORRUPT, _NOTADB) or "malformed" in text or "not a database" in text:
        return Trouble.DAMAGED
    if code == _READONLY or "readonly" in text:
        return Trouble.READ_ONLY
    if code in (_CANTOPEN, _PERM) or "unable to open" in text:
        return Trouble.CANNOT_OPEN
    if code in (_BUSY, _LOCKED) or "locked" in text:
        return Trouble.BUSY
    if code == _IOERR:
        return Trouble.DISK
    return Trouble.OTHER


def is_busy(exc: sqlite3.Error) -> bool:
    """Whether ``exc`` only means another program holds the lock (worth waiting for)."""
    return trouble(exc) is Trouble.BUSY


def run_script(script: str) -> Migration:
    """A migration running each ``;``-separated statement of ``script``."""

    def migrate(conn: sqlite3.Connection) -> None:
        for statement in script.split(";"):
            if statement.strip():
                conn.execute(statement)

    return migrate


def upgrade(conn: sqlite3.Connection, migrations: Sequence[Migration], what: str) -> None:
    """Bring the file from its ``PRAGMA user_version`` to ``len(migrations)``, one version per
    transaction (``migrations[n]`` upgrades version n to n + 1); the caller has checked that
    the file is not newer and may be written."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    while version < len(migrations):
        conn.execute("BEGIN IMMEDIATE")
        try:
            migrations[version](conn)
            # PRAGMA takes no parameters; version is our own int.
            conn.execute(f"PRAGMA user_version = {version + 1:d}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        version += 1
        log.info("%s schema upgraded to version %d", what, version)
