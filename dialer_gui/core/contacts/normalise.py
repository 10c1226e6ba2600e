"""Names, labels and numbers as the phone book keeps them, whatever the file said.

Every importer (vCard, CSV) and the directory clients' sync produce a :class:`Card`: the name
parts, the organisation and each number with the words its source filed it under. :meth:`
Normaliser.contact` turns it into a :class:`~dialer_gui.vocabulary.contacts.Contact`:

* text is made one plain line (control characters, line breaks and bidi overrides become
  spaces) and cut to a sane length, so a hostile file cannot smuggle escape sequences, a
  reversed name or megabytes into the book;
* each number keeps its text as written, for display, and is normalised with the app's own
  parser (:func:`dialer_gui.core.numbers.parse_target`) in the configured region: E.164, or
  the digits of an extension. A number the parser refuses is kept, shown, and never dialed;
* the label is one of :data:`~dialer_gui.vocabulary.contacts.LABELS`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from dialer_gui.core import numbers
from dialer_gui.core.contacts import folding
from dialer_gui.errors import NumberError
from dialer_gui.vocabulary.contacts import LOCAL_SOURCE, Contact, ContactNumber

MAX_NAME = 200
"""Longest name or organisation kept (characters); the rest is cut."""
MAX_NUMBERS = 50
"""Most numbers kept for one contact; a card with more is kept with the first ones."""
MAX_WRITTEN = 80
"""Longest number text kept as written; longer text is no phone number."""
MAX_UID = 300

NO_NAME = "it has no name"
NO_NUMBER = "it has no phone number"

# What sources call a number, word by word, and the label each word means; the first label
# found in LABEL_ORDER wins ("work fax" is a fax, "work mobile" a mobile).
_WORD_LABELS = {
    "fax": "fax",
    "facsimile": "fax",
    "cell": "mobile",
    "cellular": "mobile",
    "mobile": "mobile",
    "mobil": "mobile",
    "handy": "mobile",
    "iphone": "mobile",
    "car": "mobile",
    "work": "work",
    "business": "work",
    "office": "work",
    "company": "work",
    "main": "work",
    "assistant": "work",
    "home": "home",
    "private": "home",
    "personal": "home",
    "extension": "extension",
    "ext": "extension",
    "x-extension": "extension",
}
LABEL_ORDER = ("fax", "mobile", "extension", "work", "home")

# Control characters and line breaks; and the bidi embeddings, overrides and isolates, which
# would let a name show its letters in another order than they are (U+202E "Jane" spoofing).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]+")
_SPACES = re.compile(r"\s+")
_LABEL_WORDS = re.compile(r"[a-z]+(?:-[a-z]+)*")


def clean_text(text: object, limit: int = MAX_NAME) -> str:
    """``text`` as one plain line: controls, breaks and bidi overrides become spaces; cut to
    ``limit`` characters."""
    if not isinstance(text, str):
        return ""
    return _SPACES.sub(" ", _CONTROL.sub(" ", text)).strip()[:limit].strip()


def label_for(types: Iterable[str]) -> str:
    """The label for a number a source filed under ``types`` ("WORK", "cell", "Work Fax"...)."""
    found: set[str] = set()
    for raw in types:
        for word in _LABEL_WORDS.findall(raw.casefold()):
            label = _WORD_LABELS.get(word)
            if label is not None:
                found.add(label)
    for label in LABEL_ORDER:
        if label in found:
            return label
    return "other"


@dataclass(slots=True)
class Card:
    """A contact as a source gave it, before normalising (see the module docstring).

    ``phones`` holds ``(types, written)`` pairs: the words the source filed the number under
    (vCard TYPE values, a CSV column's name) and its text. ``line`` is where it starts in the
    file, for reports.
    """

    formatted_name: str = ""
    name_parts: Sequence[str] = ()  # given, additional, family... in the order to show them
    organisation: str = ""
    phones: list[tuple[Sequence[str], str]] = field(default_factory=list)
    uid: str = ""
    line: int | None = None

    def display_name(self) -> str:
        name = clean_text(self.formatted_name)
        if not name:
            name = clean_text(" ".join(p for p in self.name_parts if isinstance(p, str)))
        return name or clean_text(self.organisation)


class Normaliser:
    """Turns :class:`Card` s into contacts for one region and extension length.

    Args:
        region: two-letter region numbers without a country code belong to (the config's).
        extension_lengths: shortest and longest internal extension, inclusive.
    """

    def __init__(self, region: str = "US", extension_lengths: tuple[int, int] = (2, 6)) -> None:
        self.region = region
        self.extension_lengths = extension_lengths
        self._cache: dict[str, str] = {}

    def number(self, written: str) -> str:
        """E.164 or extension digits for ``written``; "" when it cannot be dialed."""
        found = self._cache.get(written)
        if found is None:
            try:
                target = numbers.parse_target(
                    written, region=self.region, extension_lengths=self.extension_lengths
                )
            except NumberError:
                found = ""
            else:
                found = target.e164
            if len(self._cache) > 50_000:  # a bound, not a policy: most files repeat few numbers
                self._cache.clear()
            self._cache[written] = found
        return found

    def contact_number(self, types: Sequence[str], written: str) -> ContactNumber | None:
        text = clean_text(written, MAX_WRITTEN + 1)
        if not text:
            return None
        number = self.number(text) if len(text) <= MAX_WRITTEN else ""
        label = label_for(types)
        if number and number.isdigit() and label in ("work", "other"):
            label = "extension"  # a short internal number: what it is, whatever the card said
        return ContactNumber(label=label, written=text[:MAX_WRITTEN], number=number)

    def contact(self, card: Card, source: str = LOCAL_SOURCE) -> Contact | str:
        """The contact for ``card``, or why it is skipped (:data:`NO_NAME`, :data:`NO_NUMBER`)."""
        kept: list[ContactNumber] = []
        seen: set[tuple[str, str]] = set()
        for types, written in card.phones:
            entry = self.contact_number(types, written)
            if entry is None:
                continue
            identity = (entry.number or entry.written, entry.label)
            if identity in seen:  # the same number twice under the same label
                continue
            seen.add(identity)
            kept.append(entry)
            if len(kept) == MAX_NUMBERS:
                break
        name = card.display_name()
        if not name:
            return NO_NAME
        if not kept:
            return NO_NUMBER
        return Contact(
            name=name,
            organisation=clean_text(card.organisation),
            numbers=tuple(kept),
            uid=clean_text(card.uid, MAX_UID),
            source=source,
        )


def match_key(contact: Contact) -> str:
    """What identifies a contact that has no UID: its folded name and its numbers."""
    dialed = sorted({n.number or folding.digits(n.written) for n in contact.numbers})
    return folding.key(contact.name) + "|" + ",".join(dialed)
