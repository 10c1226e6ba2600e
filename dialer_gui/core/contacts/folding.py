"""The keys contacts are matched by: folded words, keypad digits and number digits.

Typing "jorg" finds "Jörg", "obrien" finds "O’Brien" and ``5646`` finds "John" (the letters on
a phone's keys), so names are compared in a folded form: compatibility-decomposed (full-width
letters become plain ones), accents dropped, case folded, apostrophes removed, and split into
words at anything that is not a letter or a digit. The store keeps these keys in columns and
the search index builds its text from them, so both match the same way.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# The letters on a phone's keys (ITU E.161).
_KEYS = {
    **dict.fromkeys("abc", "2"),
    **dict.fromkeys("def", "3"),
    **dict.fromkeys("ghi", "4"),
    **dict.fromkeys("jkl", "5"),
    **dict.fromkeys("mno", "6"),
    **dict.fromkeys("pqrs", "7"),
    **dict.fromkeys("tuv", "8"),
    **dict.fromkeys("wxyz", "9"),
    **{d: d for d in "0123456789"},
}
# Apostrophes join the parts of a name ("O'Brien", "D’Angelo") rather than split it.
_APOSTROPHES = re.compile(r"['\u2019\u02bc`´]")
_SEPARATORS = re.compile(r"[\W_]+")


@functools.lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if unicodedata.category(char) == "Nd":  # Arabic-Indic and other decimal digits
        return str(unicodedata.decimal(char))
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """``text`` without accents, in folded case, with every decimal digit as ASCII."""
    if text.isascii():
        return text.casefold()
    return "".join(_fold_char(c) for c in text).casefold()


def words(text: str) -> list[str]:
    """The folded words of ``text``: "Dr. Jörg O’Brien-Smith" -> jorg, obrien, smith (and dr)."""
    return [w for w in _SEPARATORS.split(_APOSTROPHES.sub("", fold(text))) if w]


def key(text: str) -> str:
    """The folded words of ``text`` joined by single spaces (what the store compares)."""
    return " ".join(words(text))


def keypad(word: str) -> str:
    """The digits a folded word is typed with on a phone's keys; "" if it has other letters."""
    out = []
    for char in word:
        digit = _KEYS.get(char)
        if digit is None:
            return ""
        out.append(digit)
    return "".join(out)


def digits(text: str) -> str:
    """Only the digits of ``text`` (any script's decimal digits, as ASCII)."""
    return "".join(c for c in fold(text) if c.isascii() and c.isdigit())
