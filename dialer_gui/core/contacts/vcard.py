"""vCard files (2.1, 3.0 and 4.0) in and out, with ``vobject`` doing the vCard grammar.

``vobject`` (the usual Python vCard library, maintained under py-vobject) reads each card:
folded lines, backslash escapes, vCard 2.1 quoted-printable values with their soft line breaks
and ``CHARSET`` (when asked with ``allowQP``), bare 2.1 parameters such as ``TEL;CELL;VOICE``,
and the structured ``N`` and ``ORG``. It also writes the export (vCard 3.0).

Three parts are done here by hand, because ``vobject`` reads a whole file as one stream and
stops at the first card it cannot read, which would lose every card after it:

* the file is cut into cards (``BEGIN:VCARD`` ... ``END:VCARD``) first, each handed to
  ``vobject`` alone, so a broken card is reported with its line and skipped and the rest kept;
* its bytes are decoded line by line: a 2.1 line may carry raw 8-bit text in the ``CHARSET``
  it names, which a whole-file decode would garble (quoted-printable lines stay ASCII and are
  decoded by ``vobject``);
* photos, logos, sounds and keys are dropped before parsing: nothing here shows them, they make
  up most of a file's bytes, and a damaged one would otherwise cost the whole card. Old phones
  write their base64 lines unfolded, so those lines are recognised and dropped too.

4.0 numbers come as ``tel:`` URIs (``VALUE=uri``); ``TYPE`` values may be quoted and comma
separated (``TYPE="voice,cell"``); Apple's grouped ``itemN.X-ABLabel`` names a number's label.
"""

from __future__ import annotations

import io
import re
import urllib.parse
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from dialer_gui.core.contacts import decoding
from dialer_gui.core.contacts.normalise import Card, Normaliser
from dialer_gui.core.contacts.parsed import Parsed, Skip
from dialer_gui.vocabulary.contacts import LOCAL_SOURCE, Contact

MAX_CARD_CHARS = 1_000_000
"""A card longer than this (photos aside) is skipped: no person's card is that long."""

_SKIPPED = frozenset({"PHOTO", "LOGO", "SOUND", "KEY"})
_PROPERTY = re.compile(r"^(?:[A-Za-z0-9-]+\.)?([A-Za-z0-9-]+)[;:]")
_BASE64_LINE = re.compile(r"^[A-Za-z0-9+/=]+$")
_CHARSET = re.compile(rb"^[^:]*;CHARSET=([A-Za-z0-9_.:-]+)[;:]", re.IGNORECASE)
_QP = re.compile(rb"^[^:]*QUOTED-PRINTABLE", re.IGNORECASE)
_BEGIN = "BEGIN:VCARD"
_END = "END:VCARD"
_FN_LINE = re.compile(r"^FN(;[^:]*)?:(.*)$", re.IGNORECASE)
_APPLE_LABEL = re.compile(r"^_\$!<(.*)>!\$_$")
# 4.0 numbers as URIs: the number, then ;ext= and other parameters.
_TEL_URI = re.compile(r"^tel:", re.IGNORECASE)


# --- reading ----------------------------------------------------------------------------------


def read(data: bytes, normaliser: Normaliser, source: str = LOCAL_SOURCE) -> Parsed:
    """The contacts in a vCard file's bytes (any version, several per file)."""
    parsed = Parsed("vCard")
    for block in _blocks(_lines(data)):
        if isinstance(block, Skip):
            parsed.skipped.append(block)
            continue
        first, text = block
        try:
            card = _card(text, first)
        except Exception as exc:  # vobject raises many kinds on hostile input; see _why
            parsed.skipped.append(Skip(first, _why(exc, first), _guess_name(text)))
            continue
        contact = normaliser.contact(card, source)
        if isinstance(contact, str):
            parsed.skipped.append(Skip(first, contact, card.display_name()))
        else:
            parsed.contacts.append(contact)
    return parsed


def _lines(data: bytes) -> list[str]:
    """The file's physical lines as text (see the module docstring on charsets)."""
    encoding = decoding.detect(data)
    if decoding.is_unicode(encoding):
        return data.decode(encoding, errors="replace").splitlines()
    out = []
    for raw in data.splitlines():
        if raw.isascii():
            out.append(raw.decode("ascii"))
            continue
        named = _CHARSET.match(raw)
        if named and not _QP.match(raw):
            try:
                out.append(raw.decode(named.group(1).decode("ascii"), errors="replace"))
                continue
            except LookupError:  # a charset that does not exist: read it as the file is
                pass
        out.append(raw.decode(encoding, errors="replace"))
    return out


def _blocks(lines: Sequence[str]) -> Iterator[tuple[int, str] | Skip]:
    """Each card as (its first line number, its text without photos), or a Skip."""
    start: int | None = None
    kept: list[str] = []
    size = 0
    skipping = False
    for number, line in enumerate(lines, 1):
        marker = line.strip().upper()
        if marker == _BEGIN:
            if start is not None:
                yield Skip(start, "the card has no END:VCARD line", _guess_name("\n".join(kept)))
            start, kept, size, skipping = number, [line], len(line), False
            continue
        if start is None:
            continue  # text between cards
        if marker == _END:
            kept.append(line)
            if size > MAX_CARD_CHARS:
                yield Skip(start, "the card is too large to be a contact", "")
            else:
                yield start, "\n".join(kept)
            start, kept = None, []
            continue
        # A dropped line leaves an empty one, which vobject passes over, so the line numbers
        # of its reports stay those of the file.
        if skipping:
            if line[:1] in (" ", "\t") or not line.strip() or _BASE64_LINE.match(line):
                kept.append("")  # the photo's folded or unfolded base64, or the blank after it
                continue
            skipping = False
        found = _PROPERTY.match(line)
        if found and found.group(1).upper() in _SKIPPED:
            skipping = True
            kept.append("")
            continue
        if size <= MAX_CARD_CHARS:
            kept.append(line)
        size += len(line)
    if start is not None:
        yield Skip(start, "the file ends inside this card (no END:VCARD line)", "")


def _card(text: str, first: int) -> Card:
    import vobject  # imported here: only importing a vCard needs it (and dateutil, pytz)

    component = vobject.readOne(io.StringIO(text), allowQP=True)
    card = Card(line=first)
    labels: dict[str, list[str]] = {}
    tels: list[Any] = []
    for child in component.getChildren():
        name = child.name.upper()
        if name == "FN" and not card.formatted_name:
            card.formatted_name = _text(child.value)
        elif name == "N":
            card.name_parts = _name_parts(child.value)
        elif name == "ORG" and not card.organisation:
            value = child.value
            card.organisation = _text(value[0] if isinstance(value, list) and value else value)
        elif name == "UID" and not card.uid:
            card.uid = _text(child.value)
        elif name == "TEL":
            tels.append(child)
        elif name == "X-ABLABEL" and child.group:
            found = _APPLE_LABEL.match(_text(child.value))
            labels.setdefault(child.group.lower(), []).append(
                found.group(1) if found else _text(child.value)
            )
    for tel in tels:
        types = _types(tel)
        if tel.group:
            types += labels.get(tel.group.lower(), [])
        written = _tel_text(tel)
        if written:
            card.phones.append((types, written))
    return card


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _name_parts(value: object) -> tuple[str, ...]:
    """Given, additional and family names of a vobject ``Name`` (prefix and suffix left out)."""
    parts = []
    for attribute in ("given", "additional", "family"):
        part = getattr(value, attribute, "")
        if isinstance(part, list):
            part = " ".join(p for p in part if isinstance(p, str))
        if isinstance(part, str) and part.strip():
            parts.append(part.strip())
    return tuple(parts)


def _types(tel: Any) -> list[str]:
    """A number's TYPE values: 3.0's TYPE=a,b, 4.0's TYPE="a,b", and 2.1's bare ;CELL;VOICE."""
    types: list[str] = []
    for value in tel.params.get("TYPE", []):
        types += [t.strip().strip('"') for t in str(value).split(",")]
    types += [str(value) for value in tel.singletonparams]
    return [t for t in types if t]


def _tel_text(tel: Any) -> str:
    """The number as written; a 4.0 ``tel:`` URI without its scheme and its parameters."""
    value = _text(tel.value).strip()
    is_uri = any(str(v).lower() == "uri" for v in tel.params.get("VALUE", []))
    if is_uri or _TEL_URI.match(value):
        number, *params = _TEL_URI.sub("", value).split(";")
        number = urllib.parse.unquote(number)
        for param in params:
            key, _, ext = param.partition("=")
            if key.strip().lower() == "ext" and ext.strip():
                number += f" ext. {urllib.parse.unquote(ext.strip())}"
        return number.strip()
    return value


def _guess_name(text: str) -> str:
    """The FN of a card that could not be read, for the report (plain, short; "" if encoded)."""
    for line in text.splitlines():
        found = _FN_LINE.match(line)
        if found and "ENCODING" not in (found.group(1) or "").upper():
            return found.group(2).strip()[:80]
    return ""


def _why(exc: Exception, first: int) -> str:
    """A plain sentence for what ``vobject`` (or a codec) found wrong with a card."""
    line = getattr(exc, "lineNumber", None)
    if isinstance(line, int):
        return f"its line {first + line - 1} is not a vCard property"
    if isinstance(exc, LookupError):
        return "the card names a character set that does not exist"
    if isinstance(exc, UnicodeError):
        return "the card's text is not in the character set it names"
    return "the card could not be read"


# --- writing ----------------------------------------------------------------------------------

# How each label is written back (vCard 3.0 TYPE values).
_LABEL_TYPES = {
    "work": ["WORK", "VOICE"],
    "mobile": ["CELL", "VOICE"],
    "home": ["HOME", "VOICE"],
    "fax": ["FAX"],
    "extension": ["WORK", "VOICE"],
    "other": ["VOICE"],
}


def write(contacts: Iterable[Contact]) -> str:
    """The contacts as one vCard 3.0 file (CRLF line ends, as the RFC asks).

    Each number is written as dialed when it is national text ("(212) 555-0100"), so that the
    file means the same in another country's phone book; international text ("+1 212 ...") and
    numbers that cannot be dialed are written as they were typed.
    """
    import vobject

    out = io.StringIO()
    for contact in contacts:
        card = vobject.vCard()
        card.add("fn").value = contact.name
        words = contact.name.split()
        family = words[-1] if len(words) > 1 else contact.name
        given = " ".join(words[:-1]) if len(words) > 1 else ""
        card.add("n").value = vobject.vcard.Name(family=family, given=given)
        if contact.organisation:
            card.add("org").value = [contact.organisation]
        for number in contact.numbers:
            tel = card.add("tel")
            keep = not number.number or number.written.lstrip().startswith("+")
            tel.value = number.written if keep else number.number
            tel.params["TYPE"] = list(_LABEL_TYPES.get(number.label, ["VOICE"]))
        if contact.uid:
            card.add("uid").value = contact.uid
        out.write(card.serialize())
    return out.getvalue()


def looks_like_vcard(text: str) -> bool:
    """Whether decoded text holds a vCard (a BEGIN:VCARD line near its start)."""
    return re.search(r"^\s*BEGIN:VCARD\s*$", text[:65536], re.IGNORECASE | re.MULTILINE) is not None
