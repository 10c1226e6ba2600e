"""Contacts: the names the phone book and the company directories put on numbers.

Shared by the local store (``core/contacts``), the directory clients (``directories/``) and
the UI, so it lives here and imports nothing of theirs. A contact keeps each number twice: as
the source wrote it (shown to people) and normalised (``number``: E.164 or extension digits,
what is dialed and matched); a number that could not be normalised keeps ``number`` empty and
is shown but never dialed.
"""

from __future__ import annotations

from dataclasses import dataclass

# The labels a number is filed under; anything else a source says is kept as "other".
LABELS = ("work", "mobile", "home", "fax", "extension", "other")

# Where a contact came from when it was not a configured directory.
LOCAL_SOURCE = "local"


@dataclass(frozen=True, slots=True)
class ContactNumber:
    label: str  # one of LABELS
    written: str  # as the source wrote it, for display
    number: str = ""  # E.164 or extension digits; "" when it could not be normalised


@dataclass(frozen=True, slots=True)
class Contact:
    """One person (or desk) with any number of numbers.

    ``uid`` is the identity the source gives (a vCard UID, a CardDAV href, an LDAP DN), so a
    second import or sync updates the contact instead of adding it again. ``source`` is
    :data:`LOCAL_SOURCE` or the name of the directory it came from (read-only in the store).
    """

    name: str
    organisation: str = ""
    numbers: tuple[ContactNumber, ...] = ()
    uid: str = ""
    source: str = LOCAL_SOURCE
    id: int | None = None

    def dialable(self) -> tuple[ContactNumber, ...]:
        return tuple(n for n in self.numbers if n.number)
