"""The write side of a directory sync, kept behind a small protocol: :class:`ContactSink`.

A sync reads what the sink remembers of the last one (:class:`SyncState`: per address book its
sync token and the ETag of every card), asks the server only for what changed, and hands the
result to ``sink.apply`` in one call: the changed and added contacts, the uids of the deleted
ones, and the new state. The sink stores all three together, or none, so a sync that breaks
half-way leaves the last good copy and the state that describes it.

The phone book's store implements this protocol; :class:`MemorySink` is the one in memory, for
tests and for ``dialer-gui contacts sync`` until the store is wired in.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from dialer_gui.vocabulary.contacts import Contact


@dataclass(frozen=True, slots=True)
class BookState:
    """What the last sync saw of one address book."""

    token: str = ""  # the RFC 6578 sync token; "" when the server has none (or none yet)
    etags: Mapping[str, str] = field(default_factory=dict)  # card uid (href) -> ETag


@dataclass(frozen=True, slots=True)
class SyncState:
    """What the last sync of one directory saw, by address book URL; JSON for the store."""

    books: Mapping[str, BookState] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(
            {url: {"token": b.token, "etags": dict(b.etags)} for url, b in self.books.items()},
            ensure_ascii=False,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> SyncState:
        """The state from :meth:`to_json`; anything unreadable is an empty state (a full sync)."""
        try:
            data: Any = json.loads(text)
        except (ValueError, RecursionError):
            return cls()
        if not isinstance(data, dict):
            return cls()
        books: dict[str, BookState] = {}
        for url, book in data.items():
            if not isinstance(book, dict):
                continue
            token = book.get("token")
            etags = book.get("etags")
            if not isinstance(token, str) or not isinstance(etags, dict):
                continue
            books[str(url)] = BookState(
                token, {str(k): v for k, v in etags.items() if isinstance(v, str)}
            )
        return cls(books)


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What one sync did, for the command line and the log."""

    directory: str
    changed: int = 0  # contacts added or changed
    deleted: int = 0
    unchanged: int = 0
    skipped: tuple[str, ...] = ()  # plain sentences: cards that could not be read
    full: bool = False  # the server had forgotten our sync token: everything was compared
    requests: int = 0
    received: int = 0  # bytes of answer bodies


class ContactSink(Protocol):
    """Where a synced directory's contacts go (the local store implements this)."""

    def sync_state(self, source: str) -> SyncState | None:
        """What the last sync of ``source`` left, or None if it never ran."""
        ...

    def apply(
        self,
        source: str,
        changed: Sequence[Contact],
        deleted_uids: Sequence[str],
        state: SyncState,
    ) -> None:
        """Store ``changed`` (by uid, replacing), drop ``deleted_uids``, keep ``state``: all or
        nothing. Every contact has ``source`` set to ``source``."""
        ...


class MemorySink:
    """A :class:`ContactSink` in memory: contacts by source and uid, and the last state."""

    def __init__(self) -> None:
        self.contacts: dict[str, dict[str, Contact]] = {}
        self.states: dict[str, SyncState] = {}
        self.applied = 0

    def sync_state(self, source: str) -> SyncState | None:
        return self.states.get(source)

    def apply(
        self,
        source: str,
        changed: Sequence[Contact],
        deleted_uids: Sequence[str],
        state: SyncState,
    ) -> None:
        book = dict(self.contacts.get(source, {}))
        for contact in changed:
            book[contact.uid] = contact
        for uid in deleted_uids:
            book.pop(uid, None)
        self.contacts[source] = book
        # Kept as the store would keep it: text, read back on the next sync.
        self.states[source] = SyncState.from_json(state.to_json())
        self.applied += 1

    def names(self, source: str) -> list[str]:
        return sorted(c.name for c in self.contacts.get(source, {}).values())
