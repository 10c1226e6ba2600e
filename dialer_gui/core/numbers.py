"""Phone numbers and extensions from what people type, paste or copy.

Three entry points feed the dialer:

* :func:`parse_target` reads one number (dial pad, command line, a selected snippet);
* :func:`extract_numbers` finds every number in free text (the clipboard, an e-mail signature);
* :func:`number_type` tells the policy what kind of number a target is (mobile, premium rate...).

All text first goes through :func:`clean_text`, because numbers copied from web pages, PDFs
and chat programs carry full-width or Arabic-Indic digits, non-breaking spaces and invisible
direction marks that would otherwise split or hide digits.

Acceptance rule: a number is accepted when phonenumbers calls it valid, or when it has a
possible length for its country *and* fits the country's general numbering pattern. The second
half lets through numbers in ranges phonenumbers does not list yet (and the fictional 555
numbers used in examples) while still refusing impossible ones; the PBX is the final judge.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import phonenumbers
from phonenumbers import Leniency, NumberParseException, PhoneNumber, PhoneNumberFormat

from dialer_gui.errors import NumberError
from dialer_gui.vocabulary.target import DialTarget, TargetKind

__all__ = [
    "MAX_NUMBERS",
    "MAX_TARGET_TEXT",
    "MAX_TEXT",
    "clean_text",
    "external_target",
    "extract_numbers",
    "keypad_digits",
    "number_type",
    "parse_target",
    "spelled_number",
    "target_from_digits",
]

MAX_TEXT = 100_000
"""Free text beyond this many characters is ignored by :func:`extract_numbers`."""
MAX_NUMBERS = 50
""":func:`extract_numbers` stops after this many distinct numbers."""
MAX_TARGET_TEXT = 256
"""Longest text :func:`parse_target` reads as one number (labels and spaces included)."""
_MAX_DIGITS = 32

# Invisible marks that copy-and-paste drags along: bidi marks and embeddings (U+200E/F,
# U+202A-E, U+2066-9), zero-width space/joiners, word joiner, BOM, soft hyphen. All are
# category Cf; removing the whole category is simpler and also covers ones not listed here.
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# "Tel.:", "Phone:", "Mobil:", "Direct line:" - any short word label ending in a colon...
_COLON_LABEL = re.compile(r"^[^\W\d_]{1,20}(?:[ .\-/][^\W\d_]{1,20}){0,3}\.?\s*:\s*")
# ...or a well-known label without a colon ("Tel. +49 ...", "Phone 555 ...").
_WORD_LABEL = re.compile(
    r"^(?:tel|tél|telefon|telephone|téléphone|phone|ph|mobil|mobile|mob|cell|handy|fon|fax)"
    r"\b\.?\s*(?=[+(\d])",
    re.IGNORECASE,
)
_BARE_EXTENSION = re.compile(r"(?:x|ext\.?|extension)\s*(\d+)", re.IGNORECASE)
_DIGITS = re.compile(r"\d")
# Never part of a number: query/JSON/markup characters, control characters, and a ";" that
# is neither ";ext=" nor a separator between two numbers.
_FOREIGN = re.compile(r"[&=\"'{}<>\\\x00-\x08\x0a-\x1f\x7f]|;(?!\s*[+(\d])")
_EXT_PARAM = re.compile(r";\s*ext\s*=\s*\d+\s*$", re.I)
_LETTER = re.compile(r"[^\W\d_]")
# Separators between several numbers in one text; "/" alone is not one ("030/1234567").
_LIST_SEPARATOR = re.compile(r"[,;|\n\r\t]+|\s+(?:or|and|und|oder|ou|o)\s+|\s+/\s+", re.I)
_EXTENSION_PART = re.compile(r"^\s*(?:x|ext|extn|extension|durchwahl|dw|#)\b", re.I)
_EXIT_CODES = ("00", "011")
# A number spelled with letters (1-800-FLOWERS): digits first, then letters among them...
_SPELLED = re.compile(r"\+?[\d(][\dA-Za-z\-. ()/]*")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
# ...once an extension behind it ("x12", "ext. 12", ";ext=12") is set aside.
_EXTENSION_SUFFIX = re.compile(
    r"\s*(?:;\s*ext\s*=\s*\d+|(?:x|ext\.?|extn|extension)\s*\d+)\s*$", re.I
)
_MIN_LETTERS = 3  # phonenumbers' rule: one stray letter is a typo, not a word

_TYPE_NAMES = {
    value: name.lower()
    for name, value in vars(phonenumbers.PhoneNumberType).items()
    if name.isupper() and isinstance(value, int)
}

_PARSE_REASONS = {
    NumberParseException.INVALID_COUNTRY_CODE: "The country code of that number does not exist.",
    NumberParseException.NOT_A_NUMBER: "That does not look like a phone number.",
    NumberParseException.TOO_SHORT_AFTER_IDD: "That number is too short after its exit code.",
    NumberParseException.TOO_SHORT_NSN: "That number is too short.",
    NumberParseException.TOO_LONG: "That number is too long.",
}


@functools.lru_cache(maxsize=1024)
def _ascii_for(char: str) -> str:
    """What one non-ASCII character becomes in cleaned text."""
    code = ord(char)
    if 0xFF01 <= code <= 0xFF5E:  # full-width ASCII forms: ０-９, ＋, （, Ａ...
        return chr(code - 0xFEE0)
    category = unicodedata.category(char)
    if category == "Nd":  # any decimal digit: Arabic-Indic, Devanagari, ...
        return str(unicodedata.decimal(char))
    if category == "Cf":
        return ""
    if category in ("Zs", "Zl", "Zp"):  # NBSP, narrow NBSP, ideographic space, line separator
        return " "
    if category == "Pd" or char == "\u2212":  # dashes and the minus sign
        return "-"
    return char


def clean_text(text: str) -> str:
    """Make copied text safe to search for digits.

    Maps every Unicode decimal digit and full-width form to ASCII, removes invisible
    formatting characters (direction marks, zero-width characters), turns non-breaking and
    other Unicode spaces into plain spaces and control characters (except tab and line
    breaks) into spaces. Never makes the text longer.

    Args:
        text: Any text.

    Returns:
        The cleaned text.
    """
    if not text.isascii():
        text = _NON_ASCII.sub(lambda m: _ascii_for(m.group()), text)
    return _CONTROL.sub(" ", text)


def _strip_label(text: str) -> str:
    """Remove a leading label such as ``Tel.:`` or ``Phone``."""
    text = _COLON_LABEL.sub("", text, count=1)
    return _WORD_LABEL.sub("", text, count=1).strip()


def _acceptable(number: PhoneNumber) -> bool:
    """Whether we dial this number (see the module docstring)."""
    if phonenumbers.is_valid_number(number):
        return True
    if not phonenumbers.is_possible_number(number):
        return False
    country_code = number.country_code or 0
    region = phonenumbers.region_code_for_country_code(country_code)
    metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
    general = metadata.general_desc if metadata else None
    pattern = general.national_number_pattern if general else None
    if not pattern:
        return False
    nsn = phonenumbers.national_significant_number(number)
    return re.fullmatch(pattern, nsn) is not None


def external_target(number: PhoneNumber, raw: str) -> DialTarget:
    """Build the target for a parsed external number.

    Args:
        number: A parsed number that passed our acceptance rule.
        raw: The text it came from.

    Returns:
        An external :class:`DialTarget`.
    """
    # An accepted but not valid number has no exact region; the country code's main one will do.
    region = phonenumbers.region_code_for_number(
        number
    ) or phonenumbers.region_code_for_country_code(number.country_code or 0)
    return DialTarget(
        kind=TargetKind.EXTERNAL,
        e164=phonenumbers.format_number(number, PhoneNumberFormat.E164),
        display=phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL),
        region=region if region and region != "ZZ" else None,
        extension=number.extension or None,
        raw=raw,
    )


def _extension_target(digits: str, raw: str) -> DialTarget:
    return DialTarget(kind=TargetKind.EXTENSION, e164=digits, display=digits, raw=raw)


def _is_extension(digits: str, extension_lengths: tuple[int, int]) -> bool:
    low, high = extension_lengths
    return digits.isascii() and digits.isdigit() and low <= len(digits) <= high


def _parse_one(text: str, region: str) -> PhoneNumber:
    """Parse one number, understanding both common exit codes whatever the region.

    ``00`` and ``011`` are tried as exit codes when the number does not make sense in
    ``region`` as written: someone in the US who pastes ``0027 82 000 1234`` means South
    Africa, and no US number starts with 0.

    Raises:
        NumberError: the number is not one we dial.
    """
    first_error: NumberParseException | None = None
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as exc:
        first_error = exc
    else:
        if _acceptable(number):
            return number
    stripped = text.lstrip(" (")
    for exit_code in _EXIT_CODES:
        if stripped.startswith(exit_code) and not stripped.startswith("+"):
            try:
                number = phonenumbers.parse("+" + stripped[len(exit_code) :], region)
            except NumberParseException:
                continue
            if _acceptable(number):
                return number
    if first_error is not None:
        reason = _PARSE_REASONS.get(first_error.error_type, "That is not a phone number.")
        raise NumberError(reason) from first_error
    raise NumberError("That is not a valid phone number. Check the digits and the country code.")


def _matches(text: str, region: str) -> list[PhoneNumber]:
    """Acceptable numbers found in ``text``, each once, in order."""
    found: dict[str, PhoneNumber] = {}
    # POSSIBLE rather than VALID so ranges phonenumbers does not list are still found;
    # _acceptable then drops the impossible ones.
    for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=Leniency.POSSIBLE):
        if _acceptable(match.number):
            key = phonenumbers.format_number(match.number, PhoneNumberFormat.E164)
            found.setdefault(key, match.number)
    return list(found.values())


def _holds_several(text: str, region: str) -> bool:
    """Whether the text lists more than one number."""
    parts = [p for p in _LIST_SEPARATOR.split(text) if p and p.strip()]
    numbered = [p for p in parts if _DIGITS.search(p) and not _EXTENSION_PART.match(p)]
    if len(numbered) > 1 and all(len(_DIGITS.findall(p)) >= 2 for p in numbered):
        return True
    if len(_DIGITS.findall(text)) <= 15:
        return False
    return len(_matches(text, region)) > 1


def parse_target(
    text: str, *, region: str = "US", extension_lengths: tuple[int, int] = (2, 6)
) -> DialTarget:
    """Read one number or extension.

    Understands labels (``Tel.:``), national and international notation, the ``00`` and
    ``011`` exit codes, vanity letters (``1-800-FLOWERS``), extensions behind a number
    (``x89``, ``ext. 89``, ``;ext=89``) and the Unicode noise :func:`clean_text` removes.
    A bare run of digits whose length lies within ``extension_lengths`` is an internal
    extension and is kept exactly as typed.

    Args:
        text: What the person typed or selected.
        region: Two-letter region for numbers written without a country code.
        extension_lengths: Shortest and longest internal extension, inclusive.

    Returns:
        The target; ``raw`` is ``text`` unchanged.

    Raises:
        NumberError: empty text, no digits, too long, several numbers, or a number that
            cannot exist.
    """
    if len(text) > MAX_TARGET_TEXT:
        raise NumberError("That text is too long to be a single phone number.")
    if _FOREIGN.search(_EXT_PARAM.sub("", text.strip())):
        if "\n" in text and _holds_several(clean_text(text).strip(), region):
            raise NumberError("That text holds more than one number. Pick the one to call.")
        # Characters from URLs, JSON or headers mean the text is not (only) a number; dialing
        # the number out of it would hide an injection attempt instead of refusing it.
        raise NumberError(
            "That contains characters a phone number never has, so it was not dialed."
        )
    cleaned = _strip_label(clean_text(text).strip())
    if not cleaned:
        raise NumberError("There is no number to dial.")
    if _is_extension(cleaned, extension_lengths):
        return _extension_target(cleaned, text)
    bare = _BARE_EXTENSION.fullmatch(cleaned)
    if bare and _is_extension(bare.group(1), extension_lengths):
        return _extension_target(bare.group(1), text)
    digit_count = len(_DIGITS.findall(cleaned))
    if digit_count == 0:
        raise NumberError("There are no digits in that text, so there is nothing to dial.")
    if digit_count > _MAX_DIGITS:
        raise NumberError("That has too many digits to be a phone number.")
    if _holds_several(cleaned, region):
        raise NumberError("That text holds more than one number. Pick the one to call.")
    try:
        return external_target(_parse_one(cleaned, region), text)
    except NumberError:
        # A number inside a sentence ("call 201-555-0123 after 5") confuses the whole-text
        # parse; if exactly one number can be found in it, that is the one meant. Digits
        # without words are meant as one number: a part of them could be someone else.
        if _LETTER.search(cleaned):
            found = _matches(cleaned, region)
            if len(found) == 1:
                return external_target(found[0], text)
        raise


def keypad_digits(text: str) -> str:
    """``text`` with each letter replaced by its keypad digit (ITU E.161: ABC 2 ... WXYZ 9)."""
    return str(phonenumbers.convert_alpha_characters_in_number(text))


def spelled_number(text: str) -> str | None:
    """The number in ``text`` as written, when it is spelled with letters (``1-800-FLOWERS``).

    Labels (``Tel.:``) and an extension behind the number (``x12``) do not count as letters;
    ``None`` when the number is written in digits.
    """
    cleaned = _EXTENSION_SUFFIX.sub("", _strip_label(clean_text(text).strip()))
    if _SPELLED.fullmatch(cleaned) and len(_ASCII_LETTER.findall(cleaned)) >= _MIN_LETTERS:
        return cleaned.strip()
    return None


def target_from_digits(
    number: str,
    *,
    region: str = "US",
    extension: str | None = None,
    raw: str = "",
    extension_lengths: tuple[int, int] = (2, 6),
) -> DialTarget:
    """Build a target from digits that were already taken apart, as in a link.

    Args:
        number: ASCII digits, optionally with a leading ``+`` for a global number.
        region: Two-letter region for a number without a country code.
        extension: An extension behind the number (``;ext=``), digits only.
        raw: The text the number came from.
        extension_lengths: Shortest and longest internal extension, inclusive.

    Returns:
        An extension target for a short local number, an external target otherwise.

    Raises:
        NumberError: the number is not one we dial.
    """
    if _is_extension(number, extension_lengths):
        return _extension_target(number, raw)
    parsed = _parse_one(number, region)
    if extension:
        parsed.extension = extension
    return external_target(parsed, raw)


def extract_numbers(
    text: str, *, region: str = "US", extension_lengths: tuple[int, int] = (2, 6)
) -> list[DialTarget]:
    """Find every phone number in free text.

    Only the first :data:`MAX_TEXT` characters are read and at most :data:`MAX_NUMBERS`
    numbers are returned, so a huge paste costs no more than a large one. Numbers come back
    in the order they appear, each once (by E.164 number). A text that is nothing but a
    short run of digits gives that extension; other short digit runs in prose are ignored,
    as they are usually order numbers or times.

    Args:
        text: Any text, for example the clipboard.
        region: Two-letter region for numbers written without a country code.
        extension_lengths: Shortest and longest internal extension, inclusive.

    Returns:
        The numbers found, possibly none.
    """
    cleaned = clean_text(text[:MAX_TEXT])
    lone = cleaned.strip()
    if _is_extension(lone, extension_lengths):
        return [_extension_target(lone, lone)]
    targets: list[DialTarget] = []
    seen: set[str] = set()
    # POSSIBLE rather than VALID so ranges phonenumbers does not list are still found;
    # _acceptable then drops the impossible ones.
    for match in phonenumbers.PhoneNumberMatcher(cleaned, region, leniency=Leniency.POSSIBLE):
        if not _acceptable(match.number):
            continue
        target = external_target(match.number, match.raw_string)
        if target.e164 in seen:
            continue
        seen.add(target.e164)
        targets.append(target)
        if len(targets) >= MAX_NUMBERS:
            break
    return targets


def number_type(target: DialTarget) -> str:
    """Name the kind of number, for policies such as "confirm premium-rate calls".

    Args:
        target: Any target.

    Returns:
        ``"extension"`` for extensions; otherwise phonenumbers' type name in lower case
        (``"mobile"``, ``"fixed_line"``, ``"premium_rate"``, ...), ``"unknown"`` when the
        type cannot be told.
    """
    if target.is_extension:
        return "extension"
    try:
        number = phonenumbers.parse(target.e164, None)
    except NumberParseException:
        return "unknown"
    return _TYPE_NAMES.get(phonenumbers.number_type(number), "unknown")
