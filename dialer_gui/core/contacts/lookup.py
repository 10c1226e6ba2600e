"""Which contact a dialed number belongs to, so the history, the prompt and the notices can
say "Jane Doe" instead of digits.

A number names a contact only when exactly one contact has it (compared normalised: E.164 or
extension digits); a number two contacts share, or none has, shows as digits, since guessing
between two people would put the wrong name on a call. A broken or locked phone book never
stops a call: the number is then shown as digits and the reason logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from dialer_gui.core.contacts.store import ContactStore
from dialer_gui.errors import ContactsError

log = logging.getLogger("dialer_gui.contacts")


@dataclass(frozen=True, slots=True)
class NamedNumber:
    """The contact a number belongs to, and the label it is filed under there."""

    name: str
    label: str = ""


# What the dialer asks: the contact of a normalised number, or None.
NameLookup = Callable[[str], "NamedNumber | None"]


class NumberNames:
    """Looks numbers up in a phone book (see the module docstring)."""

    def __init__(self, store: ContactStore) -> None:
        self.store = store

    def __call__(self, number: str) -> NamedNumber | None:
        if not number:
            return None
        try:
            found = self.store.find_by_number(number)
        except ContactsError as exc:
            log.warning("phone book not read for a call's name: %s", exc)
            return None
        if len(found) != 1:
            return None
        contact = found[0]
        label = next((n.label for n in contact.numbers if n.number == number), "")
        return NamedNumber(contact.name, label)
