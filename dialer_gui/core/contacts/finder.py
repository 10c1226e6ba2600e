"""What the dial pad's search asks of the phone book: each matching contact's numbers, found
by :class:`~dialer_gui.core.contacts.search.ContactIndex` on every keystroke.

Building the index reads every contact (1.8 s at 100,000), so :func:`build_index` runs in a
worker thread with a connection of its own (an SQLite connection belongs to the thread that
opened it); the index is then handed to the window's thread, where it follows the store's
changes and answers each keystroke in a few milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dialer_gui.core.contacts.search import ContactIndex
from dialer_gui.core.contacts.store import ContactStore
from dialer_gui.vocabulary.contacts import Contact, ContactNumber

MAX_CONTACTS = 8  # a list under the field, not the whole book: more is typed, not scrolled


@dataclass(frozen=True, slots=True)
class Match:
    """One number of one contact, a row of the dial pad's list."""

    contact: Contact
    number: ContactNumber

    def describe(self) -> str:
        """ "Jane Doe (Acme) · mobile: 07911 123456", plain text."""
        org = f" ({self.contact.organisation})" if self.contact.organisation else ""
        shown = self.number.written or self.number.number
        return f"{self.contact.name}{org} · {self.number.label}: {shown}"


def build_index(path: Path) -> ContactIndex:
    """An index of the phone book at ``path``, built whole (for a worker thread)."""
    index = ContactIndex()
    if path.exists():
        with ContactStore(path, read_only=True) as reader:
            index.load(reader.index_rows())
    index.search("a", limit=1)  # joins the lines now, not on the first keystroke
    return index


class ContactFinder:
    """The dial pad's search over one store; finds nothing until :meth:`attach` is called."""

    def __init__(self, store: ContactStore) -> None:
        self.store = store
        self.index: ContactIndex | None = None

    def attach(self, index: ContactIndex) -> None:
        """Take an index built by :func:`build_index`; from now on it follows the store."""
        index.follow(self.store)
        self.index = index

    def matches(self, text: str, limit: int = MAX_CONTACTS) -> list[Match]:
        """Every dialable number of the best ``limit`` contacts for ``text``."""
        if self.index is None or not text.strip():
            return []
        contacts = self.index.find(text, limit)
        return [Match(c, n) for c in contacts for n in c.dialable()]

    def close(self) -> None:
        if self.index is not None:
            self.index.close()
