"""Which contact and number a name means: ``dialer-gui call "Jane Doe"``.

Only names are matched here, never parts of numbers or keypad digits: a call is placed on
what was meant, so the rule is narrow. A whole name that is a contact's whole name (case and
accents aside) means that contact, and only those contacts; otherwise every word must begin a
word of a contact's name or organisation ("jane" means Jane Doe when she is the only Jane).
The caller dials when exactly one dialable number results and lists the choices otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from dialer_gui.core.contacts.store import ContactStore
from dialer_gui.vocabulary.contacts import Contact, ContactNumber

MAX_MATCHES = 20


@dataclass(frozen=True, slots=True)
class Choice:
    """One number of one contact that a name may mean."""

    contact: Contact
    number: ContactNumber

    def describe(self) -> str:
        """ "Jane Doe (Acme), mobile: +1 212-555-0100" as plain text."""
        org = f" ({self.contact.organisation})" if self.contact.organisation else ""
        shown = self.number.written or self.number.number
        return f"{self.contact.name}{org}, {self.number.label}: {shown}"


@dataclass(frozen=True, slots=True)
class NameMatch:
    """The contacts a text names, and their dialable numbers."""

    contacts: tuple[Contact, ...]
    choices: tuple[Choice, ...]

    @property
    def one(self) -> Choice | None:
        """The only choice, when there is exactly one."""
        return self.choices[0] if len(self.choices) == 1 else None


def match_name(store: ContactStore, text: str) -> NameMatch:
    """The contacts ``text`` names (see the module docstring), at most :data:`MAX_MATCHES`."""
    contacts = store.find_by_name(text)[:MAX_MATCHES]
    if not contacts:
        contacts = store.find_by_words(text, limit=MAX_MATCHES)
    choices = tuple(Choice(c, n) for c in contacts for n in c.dialable())
    return NameMatch(tuple(contacts), choices)
