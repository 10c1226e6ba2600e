"""The phone book database: contacts and their numbers, in SQLite beside the history.

Kept like the history (``core/history.py``): WAL, ``synchronous=NORMAL``, the schema version in
``PRAGMA user_version`` with :data:`MIGRATIONS` upgrading one step at a time, a private file,
and every ``sqlite3`` error turned into :class:`~dialer_gui.errors.ContactsError` with a plain
sentence in :func:`_plain_message`, here and nowhere else.

Each contact belongs to a source: :data:`~dialer_gui.vocabulary.contacts.LOCAL_SOURCE` (typed
in or imported from a file: the user's own) or a company directory, whose contacts are copies
the directory's sync writes (:meth:`ContactStore.apply_sync` with its sync state,
:meth:`ContactStore.replace_source`, :meth:`ContactStore.upsert`, :meth:`ContactStore.delete_uid`)
and the user cannot change here (:meth:`ContactStore.update`
and :meth:`ContactStore.delete` refuse them).

A contact is identified within its source by its UID. A card without one gets a UID of ours
on its first import and is recognised on the next by its name and numbers
(:func:`~dialer_gui.core.contacts.normalise.match_key`), so importing the same file twice
never doubles it. Every change is one transaction: a failed import leaves the book as it was.

Listeners (:meth:`ContactStore.subscribe`) hear each committed change, so the search index
follows without reloading; :meth:`ContactStore.data_version` tells it when another process
changed the file.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dialer_gui.core import paths
from dialer_gui.core.contacts import folding
from dialer_gui.core.contacts.normalise import match_key
from dialer_gui.core.sqlite_files import Trouble, is_busy, run_script, trouble, upgrade
from dialer_gui.errors import ContactsBusy, ContactsError
from dialer_gui.vocabulary.contacts import LABELS, LOCAL_SOURCE, Contact, ContactNumber

log = logging.getLogger(__name__)

DISK_FULL = "The disk is full, so the phone book cannot be saved. Calls still work."

_V1 = """
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    uid TEXT NOT NULL,
    name TEXT NOT NULL,
    organisation TEXT NOT NULL DEFAULT '',
    -- folding.key of the name and organisation: what exact and word searches compare
    name_key TEXT NOT NULL,
    org_key TEXT NOT NULL DEFAULT '',
    -- normalise.match_key: recognises a card without a UID on its next import
    match_key TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    UNIQUE (source, uid)
);
CREATE INDEX contacts_match ON contacts (source, match_key);
CREATE INDEX contacts_name ON contacts (name_key, id);
CREATE TABLE numbers (
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    label TEXT NOT NULL,
    written TEXT NOT NULL,
    number TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (contact_id, position)
) WITHOUT ROWID;
CREATE INDEX numbers_number ON numbers (number) WHERE number != '';
-- What a directory's last sync saw (its sync tokens and ETags, as the directory's JSON), kept
-- in the same transaction as the contacts it describes.
CREATE TABLE sync_states (
    source TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    updated TEXT NOT NULL
)
"""


# MIGRATIONS[n] upgrades a database from user_version n to n + 1.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [run_script(_V1)]
SCHEMA_VERSION = len(MIGRATIONS)

_CONTACT_COLUMNS = "id, source, uid, name, organisation"
# SQLite allows 999 bound parameters in older builds; ask for ids in chunks below that.
_CHUNK = 500


def _plain_message(exc: sqlite3.Error, where: str) -> str:
    kind = trouble(exc)
    if kind is Trouble.FULL:
        return DISK_FULL
    if kind is Trouble.DAMAGED:
        return (
            f"The phone book file {where} is damaged. Move it away and dialer-gui will start "
            "a new, empty phone book (import your contacts again)."
        )
    if kind is Trouble.READ_ONLY:
        return f"The phone book {where} is read-only, so contacts cannot be added or changed."
    if kind is Trouble.CANNOT_OPEN:
        return (
            f"The phone book {where} cannot be opened. Check that its folder exists and that "
            "you may write to it."
        )
    if kind is Trouble.BUSY:
        return f"The phone book {where} is locked by another program. Try again shortly."
    if kind is Trouble.DISK:
        return f"The phone book {where} could not be read or written (a disk error)."
    return f"The phone book {where} could not be used ({exc})."


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Outcome(enum.StrEnum):
    """What one write did to a contact."""

    ADDED = "added"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class Change:
    """One committed change, for listeners: contacts written (with their ids) and ids removed."""

    written: tuple[Contact, ...] = ()
    removed: tuple[int, ...] = ()


@dataclass(slots=True)
class Counts:
    """How many contacts a batch added, updated, left as they were, and removed."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    def count(self, outcome: Outcome) -> None:
        setattr(self, outcome.value, getattr(self, outcome.value) + 1)


@dataclass(frozen=True, slots=True)
class IndexRow:
    """What the search index needs of one contact (lighter than a whole :class:`Contact`)."""

    id: int
    name: str
    organisation: str
    numbers: tuple[tuple[str, str], ...]  # (written, number)


Listener = Callable[[Change], None]


class ContactStore:
    """The phone book database.

    Args:
        path: the SQLite file, or ``":memory:"``. Its folder is created (0700), the file is 0600.
        read_only: open an existing file without writing (the command line's list and search,
            name dialing while the app runs).
        busy_timeout: seconds a statement waits for another program's lock before it fails
            with :class:`~dialer_gui.errors.ContactsBusy`.

    Raises:
        ContactsError: the file cannot be opened, is damaged, or was made by a newer version.
    """

    def __init__(
        self, path: Path | str, *, read_only: bool = False, busy_timeout: float = 5.0
    ) -> None:
        self.path = path if str(path) == ":memory:" else Path(path)
        self.read_only = read_only
        self.busy_timeout = busy_timeout
        self._where = "in memory" if self.path == ":memory:" else f"at {self.path}"
        self._listeners: list[Listener] = []
        self._empty = False  # a read-only open of a file no table was ever written to
        self._conn: sqlite3.Connection | None = None
        try:
            self._conn = self._open()
        except OSError as exc:
            raise ContactsError(
                f"The phone book {self._where} cannot be created ({exc.strerror or exc}). "
                "Check that its folder can be written."
            ) from exc
        except sqlite3.Error as exc:
            raise ContactsError(_plain_message(exc, self._where)) from exc

    def _open(self) -> sqlite3.Connection:
        if isinstance(self.path, Path) and not self.read_only:
            paths.ensure_private_dir(self.path.parent)
            # Created by us so it is private from the start; SQLite gives -wal and -shm the
            # same mode.
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
            conn.execute("PRAGMA foreign_keys = ON")
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
            raise ContactsError(
                f"The phone book {self._where} was made by a newer dialer-gui. Update "
                "dialer-gui, or move the file away to start a new phone book."
            )
        if version < SCHEMA_VERSION and self.read_only:
            if version == 0 and not conn.execute("SELECT 1 FROM sqlite_master").fetchone():
                self._empty = True  # made but never written: every read finds nothing
                return
            raise ContactsError(f"The phone book {self._where} is from an older dialer-gui.")
        upgrade(conn, MIGRATIONS, "Phone book")

    # --- the one sqlite3 boundary ---------------------------------------------------------

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        if self._conn is None:
            raise ContactsError("The phone book is closed.")
        try:
            yield self._conn
        except sqlite3.Error as exc:
            message = _plain_message(exc, self._where)
            if is_busy(exc):
                log.info("Phone book busy: %s", exc)
                raise ContactsBusy(message) from exc
            log.error("Phone book database error: %s (%s)", exc, message)
            raise ContactsError(message) from exc

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

    def _readable(self) -> bool:
        return not self._empty

    # --- listeners ------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` after each committed change; returns a function that unsubscribes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _tell(self, change: Change) -> None:
        if not (change.written or change.removed):
            return
        for listener in list(self._listeners):
            try:
                listener(change)
            except Exception:  # a broken listener must not undo or hide a committed change
                log.exception("phone book listener failed")

    # --- writing: the user's own contacts ---------------------------------------------------

    def add(self, contact: Contact) -> Contact:
        """Add a new local contact (a UID of ours is given when it has none); returns it stored."""
        contact = replace(contact, source=LOCAL_SOURCE, id=None, uid=contact.uid or _new_uid())
        with self._transaction() as conn:
            if self._find_uid(conn, LOCAL_SOURCE, contact.uid) is not None:
                raise ContactsError(f"The phone book already has a contact with UID {contact.uid}.")
            stored = self._insert(conn, contact)
        self._tell(Change(written=(stored,)))
        return stored

    def update(self, contact: Contact) -> Contact:
        """Replace the name, organisation and numbers of the local contact ``contact.id``."""
        if contact.id is None:
            raise ContactsError("That contact is not in the phone book yet.")
        with self._transaction() as conn:
            current = self._get(conn, contact.id)
            if current is None:
                raise ContactsError("That contact is no longer in the phone book.")
            self._refuse_directory(current)
            stored = replace(contact, source=current.source, uid=current.uid)
            self._rewrite(conn, stored)
        self._tell(Change(written=(stored,)))
        return stored

    def delete(self, contact_id: int) -> bool:
        """Remove a local contact; False when there was none with that id."""
        with self._transaction() as conn:
            current = self._get(conn, contact_id)
            if current is None:
                return False
            self._refuse_directory(current)
            conn.execute("DELETE FROM contacts WHERE id = ?", (contact_id,))
        self._tell(Change(removed=(contact_id,)))
        return True

    def import_contacts(self, contacts: Iterable[Contact]) -> Counts:
        """Add or update local contacts from a file, all in one transaction (see the module)."""
        return self._upsert_all(LOCAL_SOURCE, contacts)

    @staticmethod
    def _refuse_directory(contact: Contact) -> None:
        if contact.source != LOCAL_SOURCE:
            raise ContactsError(
                f"{contact.name} comes from the directory “{contact.source}”, which is "
                "read-only here; change it in the directory."
            )

    # --- writing: the directories' copies (their sync) ------------------------------------

    def replace_source(self, source: str, contacts: Iterable[Contact]) -> Counts:
        """Make ``source`` hold exactly ``contacts`` (by UID), in one transaction.

        Contacts already there keep their ids (and are counted unchanged when nothing
        differs); those not in ``contacts`` are removed. For a directory's full sync.
        """
        self._refuse_local(source)
        contacts = list(contacts)
        return self._upsert_all(source, contacts, keep_only=True)

    def upsert(self, contact: Contact) -> Outcome:
        """Add or update one contact of its source (by UID, else by name and numbers)."""
        with self._transaction() as conn:
            outcome, stored = self._upsert(conn, contact.source, contact)
        if outcome is not Outcome.UNCHANGED:
            self._tell(Change(written=(stored,)))
        return outcome

    def delete_uid(self, source: str, uid: str) -> bool:
        """Remove the contact ``uid`` of ``source``; False when there was none."""
        with self._transaction() as conn:
            found = self._find_uid(conn, source, uid)
            if found is None:
                return False
            conn.execute("DELETE FROM contacts WHERE id = ?", (found,))
        self._tell(Change(removed=(found,)))
        return True

    def sync_state(self, source: str) -> str | None:
        """What the last :meth:`apply_sync` of ``source`` kept, or None if none ran."""
        if not self._readable():
            return None
        with self._db() as conn:
            row = conn.execute(
                "SELECT state FROM sync_states WHERE source = ?", (source,)
            ).fetchone()
        return None if row is None else str(row[0])

    def apply_sync(
        self, source: str, changed: Iterable[Contact], deleted_uids: Iterable[str], state: str
    ) -> Counts:
        """A directory's sync, all or nothing: ``changed`` stored by UID, ``deleted_uids``
        removed, and ``state`` kept for the next sync (see ``directories.sync``)."""
        self._refuse_local(source)
        counts = Counts()
        written: list[Contact] = []
        removed: list[int] = []
        with self._transaction() as conn:
            for contact in changed:
                outcome, stored = self._upsert(conn, source, contact)
                counts.count(outcome)
                if outcome is not Outcome.UNCHANGED:
                    written.append(stored)
            for uid in deleted_uids:
                found = self._find_uid(conn, source, uid)
                if found is not None:
                    conn.execute("DELETE FROM contacts WHERE id = ?", (found,))
                    removed.append(found)
            conn.execute(
                "INSERT INTO sync_states (source, state, updated) VALUES (?, ?, ?) "
                "ON CONFLICT (source) DO UPDATE SET state = excluded.state, "
                "updated = excluded.updated",
                (source, state, _now()),
            )
        counts.removed = len(removed)
        self._tell(Change(written=tuple(written), removed=tuple(removed)))
        return counts

    @staticmethod
    def _refuse_local(source: str) -> None:
        if source == LOCAL_SOURCE:
            raise ValueError("replace_source is for directories; it would empty the phone book")

    # --- writing: the parts -----------------------------------------------------------------

    def _upsert_all(
        self, source: str, contacts: Iterable[Contact], keep_only: bool = False
    ) -> Counts:
        counts = Counts()
        written: list[Contact] = []
        removed: list[int] = []
        with self._transaction() as conn:
            kept: set[int] = set()
            for contact in contacts:
                outcome, stored = self._upsert(conn, source, contact)
                counts.count(outcome)
                assert stored.id is not None
                kept.add(stored.id)
                if outcome is not Outcome.UNCHANGED:
                    written.append(stored)
            if keep_only:
                for (contact_id,) in conn.execute(
                    "SELECT id FROM contacts WHERE source = ?", (source,)
                ).fetchall():
                    if contact_id not in kept:
                        removed.append(contact_id)
                for start in range(0, len(removed), _CHUNK):
                    chunk = removed[start : start + _CHUNK]
                    marks = ", ".join("?" * len(chunk))
                    conn.execute(f"DELETE FROM contacts WHERE id IN ({marks})", chunk)  # noqa: S608
                counts.removed = len(removed)
        self._tell(Change(written=tuple(written), removed=tuple(removed)))
        return counts

    def _upsert(
        self, conn: sqlite3.Connection, source: str, contact: Contact
    ) -> tuple[Outcome, Contact]:
        contact = replace(contact, source=source, id=None)
        _check(contact)
        found = self._find_uid(conn, source, contact.uid) if contact.uid else None
        if found is None:
            # No UID, or one new to the book: the same name and numbers are the same contact
            # when it has no UID of its source's (only one we gave it), so a card imported
            # first from a CSV and then from a vCard with UIDs is not doubled.
            row = conn.execute(
                "SELECT id FROM contacts WHERE source = ? AND match_key = ? "
                "AND (? = '' OR uid LIKE 'dialer-gui-%') ORDER BY id LIMIT 1",
                (source, match_key(contact), contact.uid),
            ).fetchone()
            found = None if row is None else int(row[0])
        if found is None:
            stored = self._insert(conn, replace(contact, uid=contact.uid or _new_uid()))
            return Outcome.ADDED, stored
        current = self._get(conn, found)
        assert current is not None
        stored = replace(contact, id=found, uid=contact.uid or current.uid)
        if _meaning(current) == _meaning(stored):
            return Outcome.UNCHANGED, current
        self._rewrite(conn, stored)
        return Outcome.UPDATED, stored

    @staticmethod
    def _find_uid(conn: sqlite3.Connection, source: str, uid: str) -> int | None:
        row = conn.execute(
            "SELECT id FROM contacts WHERE source = ? AND uid = ?", (source, uid)
        ).fetchone()
        return None if row is None else int(row[0])

    def _insert(self, conn: sqlite3.Connection, contact: Contact) -> Contact:
        now = _now()
        cursor = conn.execute(
            "INSERT INTO contacts (source, uid, name, organisation, name_key, org_key, "
            "match_key, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                contact.source,
                contact.uid,
                contact.name,
                contact.organisation,
                folding.key(contact.name),
                folding.key(contact.organisation),
                match_key(contact),
                now,
                now,
            ),
        )
        stored = replace(contact, id=cursor.lastrowid)
        self._write_numbers(conn, stored)
        return stored

    def _rewrite(self, conn: sqlite3.Connection, contact: Contact) -> None:
        _check(contact)
        conn.execute(
            "UPDATE contacts SET uid = ?, name = ?, organisation = ?, name_key = ?, "
            "org_key = ?, match_key = ?, updated = ? WHERE id = ?",
            (
                contact.uid,
                contact.name,
                contact.organisation,
                folding.key(contact.name),
                folding.key(contact.organisation),
                match_key(contact),
                _now(),
                contact.id,
            ),
        )
        conn.execute("DELETE FROM numbers WHERE contact_id = ?", (contact.id,))
        self._write_numbers(conn, contact)

    @staticmethod
    def _write_numbers(conn: sqlite3.Connection, contact: Contact) -> None:
        conn.executemany(
            "INSERT INTO numbers (contact_id, position, label, written, number) "
            "VALUES (?, ?, ?, ?, ?)",
            [(contact.id, i, n.label, n.written, n.number) for i, n in enumerate(contact.numbers)],
        )

    # --- reading --------------------------------------------------------------------------

    def get(self, contact_id: int) -> Contact | None:
        """The contact with this id, or None."""
        if not self._readable():
            return None
        with self._db() as conn:
            return self._get(conn, contact_id)

    def _get(self, conn: sqlite3.Connection, contact_id: int) -> Contact | None:
        found = self._load(conn, "WHERE id = ?", [contact_id])
        return found[0] if found else None

    def get_many(self, ids: Sequence[int]) -> list[Contact]:
        """The contacts with these ids, in the order given (ids no longer there are left out)."""
        if not ids or not self._readable():
            return []
        by_id: dict[int, Contact] = {}
        with self._db() as conn:
            for start in range(0, len(ids), _CHUNK):
                chunk = list(ids[start : start + _CHUNK])
                marks = ", ".join("?" * len(chunk))
                for contact in self._load(conn, f"WHERE id IN ({marks})", chunk):
                    assert contact.id is not None
                    by_id[contact.id] = contact
        return [by_id[i] for i in ids if i in by_id]

    def all(self, source: str | None = None) -> list[Contact]:
        """Every contact (of ``source``, if given), by name."""
        if not self._readable():
            return []
        where, params = ("WHERE source = ?", [source]) if source is not None else ("", [])
        with self._db() as conn:
            return self._load(conn, where, params)

    def count(self, source: str | None = None) -> int:
        if not self._readable():
            return 0
        with self._db() as conn:
            if source is None:
                row = conn.execute("SELECT count(*) FROM contacts").fetchone()
            else:
                row = conn.execute("SELECT count(*) FROM contacts WHERE source = ?", (source,))
                row = row.fetchone()
        return int(row[0])

    def sources(self) -> dict[str, int]:
        """How many contacts each source holds."""
        if not self._readable():
            return {}
        with self._db() as conn:
            rows = conn.execute("SELECT source, count(*) FROM contacts GROUP BY source").fetchall()
        return {str(s): int(n) for s, n in rows}

    def find_by_number(self, number: str) -> list[Contact]:
        """Contacts with this number (E.164 or extension digits), by name."""
        if not number or not self._readable():
            return []
        with self._db() as conn:
            return self._load(
                conn, "WHERE id IN (SELECT contact_id FROM numbers WHERE number = ?)", [number]
            )

    def find_by_name(self, text: str) -> list[Contact]:
        """Contacts whose whole name is ``text`` (compared folded: case and accents aside)."""
        wanted = folding.key(text)
        if not wanted or not self._readable():
            return []
        with self._db() as conn:
            return self._load(conn, "WHERE name_key = ?", [wanted])

    def find_by_words(self, text: str, limit: int = 50) -> list[Contact]:
        """Contacts in which every word of ``text`` begins a word of the name or organisation."""
        wanted = folding.words(text)
        if not wanted or not self._readable():
            return []
        clauses, params = [], []
        for word in wanted:
            pattern = _escape_like(word)
            clauses.append("(' ' || name_key || ' ' || org_key) LIKE ? ESCAPE '\\'")
            params.append(f"% {pattern}%")
        where = "WHERE " + " AND ".join(clauses)
        with self._db() as conn:
            return self._load(conn, where, params, limit)

    def index_rows(self) -> Iterator[IndexRow]:
        """Every contact as the search index needs it, in id order, streamed."""
        if not self._readable():
            return
        with self._db() as conn:
            contacts = conn.execute("SELECT id, name, organisation FROM contacts ORDER BY id")
            numbers = conn.execute(
                "SELECT contact_id, written, number FROM numbers ORDER BY contact_id, position"
            )
            pending = numbers.fetchone()
            for contact_id, name, organisation in contacts:
                found: list[tuple[str, str]] = []
                while pending is not None and pending[0] <= contact_id:
                    if pending[0] == contact_id:
                        found.append((pending[1], pending[2]))
                    pending = numbers.fetchone()
                yield IndexRow(contact_id, name, organisation, tuple(found))

    def data_version(self) -> int:
        """Changes when another connection commits to the file (SQLite's ``data_version``)."""
        with self._db() as conn:
            return int(conn.execute("PRAGMA data_version").fetchone()[0])

    def integrity_ok(self) -> bool:
        with self._db() as conn:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
        return [tuple(r) for r in rows] == [("ok",)]

    def _load(
        self, conn: sqlite3.Connection, where: str, params: Sequence[Any], limit: int = -1
    ) -> list[Contact]:
        rows = conn.execute(
            f"SELECT {_CONTACT_COLUMNS} FROM contacts {where} "  # noqa: S608 - fixed clauses
            "ORDER BY name_key, id LIMIT ?",
            (*params, limit),
        ).fetchall()
        if not rows:
            return []
        numbers: dict[int, list[ContactNumber]] = {row[0]: [] for row in rows}
        ids = list(numbers)
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            for contact_id, label, written, number in conn.execute(
                "SELECT contact_id, label, written, number FROM numbers "  # noqa: S608
                f"WHERE contact_id IN ({marks}) ORDER BY contact_id, position",
                chunk,
            ):
                numbers[contact_id].append(ContactNumber(label, written, number))
        return [
            Contact(
                name=name,
                organisation=organisation,
                numbers=tuple(numbers[contact_id]),
                uid=uid,
                source=source,
                id=contact_id,
            )
            for contact_id, source, uid, name, organisation in rows
        ]

    def close(self) -> None:
        """Close the database; further use raises :class:`ContactsError`. Safe to repeat."""
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None

    def __enter__(self) -> ContactStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _check(contact: Contact) -> None:
    """Refuse what would make the book inconsistent (a bug in the caller, not in a file)."""
    if not contact.name.strip():
        raise ValueError("a contact needs a name")
    for number in contact.numbers:
        if number.label not in LABELS:
            raise ValueError(f"unknown label {number.label!r}; use one of {', '.join(LABELS)}")


def _meaning(contact: Contact) -> tuple[object, ...]:
    """What a contact says: a number written another way ("+12015550142" for "(201)
    555-0142", as an export writes it) is the same number, so re-importing an export is no
    change and keeps the text as the user had it."""
    numbers = tuple((n.label, n.number or n.written) for n in contact.numbers)
    return contact.uid, contact.name, contact.organisation, numbers


def _new_uid() -> str:
    import uuid  # here, not at the top: a start opens the phone book and needs no uuid

    return f"dialer-gui-{uuid.uuid4()}"


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def default_store(*, read_only: bool = False) -> ContactStore:
    """The phone book at the user's data dir (``paths.contacts_path()``)."""
    return ContactStore(paths.contacts_path(), read_only=read_only)
