"""One vCard from a directory -> a :class:`~dialer_gui.vocabulary.contacts.Contact`, with vobject.

The phone book's own importer (``core.contacts.vcard``) reads files with the same library;
this small function is what the CardDAV sync needs of it, and is kept here, below ``core``, so
the directory room stays importable on its own. It can be swapped for the store's parser
without touching the sync.

What is read: the name (FN, else N, else ORG), the organisation (ORG) and every TEL with its
type (``TYPE=cell`` and the vCard 2.1 spelling ``TEL;CELL`` alike); everything else, photos
included, is ignored. A card that vobject cannot parse, or that has no name and no number,
raises :class:`BrokenCard` with a plain reason; the caller skips it and says so.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from dialer_gui.directories.base import Normaliser
from dialer_gui.vocabulary.contacts import Contact, ContactNumber

log = logging.getLogger(__name__)

MAX_CARD = 1024 * 1024  # characters; a card with a big photo is a few hundred KB
MAX_NUMBERS = 50  # per contact: more is not a person's card
MAX_TEXT = 256  # characters kept of a name or organisation

# vCard TEL types (lower case) -> our label; the first type that maps wins, in this order.
_TEL_LABELS = (
    ("fax", "fax"),
    ("cell", "mobile"),
    ("mobile", "mobile"),
    ("iphone", "mobile"),
    ("home", "home"),
    ("work", "work"),
    ("x-extension", "extension"),
)


class BrokenCard(ValueError):
    """A card that cannot become a contact; ``str()`` says why in plain words."""


def _plain(text: object, limit: int = MAX_TEXT) -> str:
    """``text`` on one line, without control characters, at most ``limit`` characters."""
    raw = text if isinstance(text, str) else ""
    kept = "".join(" " if c.isspace() else c for c in raw if c.isprintable() or c.isspace())
    return " ".join(kept.split())[:limit]


def _types(line: object) -> set[str]:
    params = getattr(line, "params", {}) or {}
    found: set[str] = set()
    values: Iterable[object] = [*params.get("TYPE", []), *getattr(line, "singletonparams", [])]
    for value in values:
        if isinstance(value, str):
            found.update(part.strip().strip('"').lower() for part in value.split(","))
    return found


def tel_label(types: set[str]) -> str:
    for vcard_type, label in _TEL_LABELS:
        if vcard_type in types:
            return label
    return "other"


def _written_number(value: object) -> str:
    text = _plain(value, 64)
    # vCard 4.0 writes numbers as tel: URIs (``tel:+1-555-0100;ext=12``).
    if text.lower().startswith("tel:"):
        text = text[4:]
    return text


def _name(card: object, organisation: str) -> str:
    fn = getattr(card, "fn", None)
    if fn is not None and _plain(fn.value):
        return _plain(fn.value)
    n = getattr(card, "n", None)
    if n is not None:
        value = n.value
        parts = [getattr(value, "prefix", ""), getattr(value, "given", ""),
                 getattr(value, "additional", ""), getattr(value, "family", "")]  # fmt: skip
        joined = " ".join(_plain(" ".join(p) if isinstance(p, list) else p) for p in parts)
        if joined.strip():
            return " ".join(joined.split())
    return organisation


def parse_card(text: str, *, uid: str, source: str, normalise: Normaliser) -> Contact:
    """The contact in one vCard (2.1, 3.0 or 4.0).

    Args:
        text: the card as the server sent it.
        uid: the identity to give it (the CardDAV href).
        source: the directory's name.
        normalise: written number -> E.164 or extension digits, or "".

    Raises:
        BrokenCard: the card cannot be parsed, or has neither a name nor a number.
    """
    import vobject

    if len(text) > MAX_CARD:
        raise BrokenCard(f"the card is larger than {MAX_CARD // 1024} KB")
    try:
        card = vobject.readOne(text, ignoreUnreadable=True)
    except Exception as exc:  # vobject raises ParseError, ValueError, TypeError, ... on garbage
        log.debug("Unreadable card %s: %s", uid, type(exc).__name__)
        raise BrokenCard("the card is not a readable vCard") from None
    if getattr(card, "name", "").upper() != "VCARD":
        raise BrokenCard("the entry is not a vCard")
    contents = getattr(card, "contents", {})
    organisation = ""
    for org in contents.get("org", [])[:1]:
        value = org.value
        units = value if isinstance(value, list) else [value]
        organisation = _plain(", ".join(u for u in units if isinstance(u, str) and u.strip()))
    numbers: list[ContactNumber] = []
    for line in contents.get("tel", [])[:MAX_NUMBERS]:
        written = _written_number(line.value)
        if not written:
            continue
        numbers.append(ContactNumber(tel_label(_types(line)), written, normalise(written)))
    name = _name(card, organisation) or (numbers[0].written if numbers else "")
    if not name:
        raise BrokenCard("the card has no name and no number")
    return Contact(
        name=name, organisation=organisation, numbers=tuple(numbers), uid=uid, source=source
    )
