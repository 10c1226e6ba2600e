"""The bytes of an imported file as text.

Address books write contacts in a handful of encodings: UTF-8 (with or without a byte order
mark), UTF-16 with a mark (Outlook's "Unicode" CSV, Windows tools), and the Windows code page
1252 (Outlook's default CSV, old phones' vCards). A general-purpose charset guesser would be
one more dependency that guesses; this short rule is exact for those and predictable for the
rest: a byte order mark decides; bytes with NULs in every other position are UTF-16 without a
mark; text that is valid UTF-8 is UTF-8; anything else is cp1252, or Latin-1 for the five bytes
cp1252 leaves undefined (so no byte is ever refused or lost).
"""

from __future__ import annotations

import codecs

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def detect(data: bytes) -> str:
    """The codec name to decode ``data`` with (see the module docstring)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    sample = data[:4096]
    if len(sample) >= 4:
        evens, odds = sample[0::2], sample[1::2]
        if odds.count(0) > len(odds) * 0.4 and evens.count(0) < len(evens) * 0.1:
            return "utf-16-le"
        if evens.count(0) > len(evens) * 0.4 and odds.count(0) < len(odds) * 0.1:
            return "utf-16-be"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return "latin-1"
    return "cp1252"


def decode(data: bytes) -> tuple[str, str]:
    """``data`` as text, and the codec it was read with."""
    name = detect(data)
    # "replace" only matters for UTF-16 with an odd byte at the end or a lone surrogate.
    return data.decode(name, errors="replace"), name


def is_unicode(name: str) -> bool:
    """Whether a codec from :func:`detect` can only be read whole (UTF-16/32), not by line."""
    return name.startswith(("utf-16", "utf-32"))
