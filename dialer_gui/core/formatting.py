"""The dial string a provider profile sends for a target.

Every PBX wants numbers written its own way. A profile picks a :class:`NumberFormat`, an
optional outside-line prefix and optional rewrite rules; :func:`format_dial_string` applies
them in that documented order:

1. **format** the external number (see :class:`NumberFormat`);
2. **rewrite rules**, each a ``(pattern, replacement)`` pair applied in order with
   :func:`re.sub`, so the patterns see a predictable number (``^\\+44`` or ``^0``) rather
   than one that already starts with a prefix;
3. **outside-line prefix** (``9``), put in front of the result.

Extensions skip all three steps: they are dialled exactly as typed (architecture contract).
An extension behind an external number (``x89``) is not part of the dial string, because
none of the click-to-call APIs can dial one after the call connects.

The result only ever contains digits, ``*``, ``#`` and a leading ``+``; anything else is a
``ValueError`` that names the step, so a bad rule cannot send garbage to a PBX.
"""

from __future__ import annotations

import enum
import functools
import re
import warnings
from collections.abc import Sequence

import phonenumbers
from phonenumbers import PhoneNumberFormat

from dialer_gui.vocabulary.target import DialTarget

__all__ = ["NumberFormat", "Rules", "explain_format", "format_dial_string"]

Rules = Sequence[tuple[str, str]] | Sequence[list[str]]

_DIALABLE = re.compile(r"\+?[0-9*#]+")
_PREFIX = re.compile(r"[0-9*#]*")
_NON_DIGITS = re.compile(r"[^0-9]")


class NumberFormat(enum.StrEnum):
    """How an external number is written. Examples use +1 201-555-0123 and +49 30 1234567.

    * ``E164``: ``+12015550123``, ``+49301234567``.
    * ``E164_NO_PLUS``: ``12015550123``, ``49301234567``.
    * ``NATIONAL``: as dialled inside the number's own country, trunk prefix included:
      ``2015550123``, ``0301234567`` (Iran: ``09371234567``; South Africa: ``0820001234``).
    * ``INTL_00``: ``0012015550123``, ``0049301234567``.
    * ``INTL_011``: ``01112015550123``, ``01149301234567``.
    * ``DIGITS``: the national significant number alone, without a trunk prefix:
      ``2015550123``, ``301234567``; for PBXs that add the trunk or country code themselves.
    * ``LOCAL``: as dialled from *your* country (the ``region`` setting): national form for
      numbers of your country, your international prefix for the others. From Iran:
      ``09371234567`` and ``0012015550123``; from the US: ``12015550123`` (with the long
      distance 1) and ``01149301234567``. For PBXs that dial exactly what a desk phone would.
    """

    E164 = "e164"
    E164_NO_PLUS = "e164_no_plus"
    NATIONAL = "national"
    INTL_00 = "intl_00"
    INTL_011 = "intl_011"
    DIGITS = "digits"
    LOCAL = "local"


def _to_format(fmt: NumberFormat | str) -> NumberFormat:
    try:
        return NumberFormat(fmt)
    except ValueError:
        choices = ", ".join(f.value for f in NumberFormat)
        raise ValueError(f"Unknown number format {fmt!r}; choose one of {choices}.") from None


@functools.lru_cache(maxsize=256)
def _compile(pattern: str, index: int) -> re.Pattern[str]:
    # Python warns about valid patterns whose meaning may change one day (such as "[[").
    # The warning would reach the user as noise (and only once, as re caches patterns),
    # so it is silenced: the pattern means today what re documents today.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return re.compile(pattern)
        except re.error as exc:
            raise ValueError(
                f"Rewrite rule {index} has an invalid regular expression {pattern!r}: {exc}."
            ) from None


def _formatted(target: DialTarget, fmt: NumberFormat, region: str | None = None) -> str:
    digits = target.digits
    if fmt is NumberFormat.E164:
        return "+" + digits
    if fmt is NumberFormat.E164_NO_PLUS:
        return digits
    if fmt is NumberFormat.INTL_00:
        return "00" + digits
    if fmt is NumberFormat.INTL_011:
        return "011" + digits
    number = phonenumbers.parse(target.e164, None)
    if fmt is NumberFormat.DIGITS:
        return phonenumbers.national_significant_number(number)
    if fmt is NumberFormat.LOCAL:
        home = region or phonenumbers.region_code_for_number(number) or "ZZ"
        dialled = phonenumbers.format_out_of_country_calling_number(number, home)
        return _NON_DIGITS.sub("", dialled)
    # NATIONAL: phonenumbers' national format minus spaces and punctuation; the extension
    # is left out first so its digits do not join the number.
    number.extension = None
    return _NON_DIGITS.sub("", phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL))


def _rule_pair(rule: Sequence[str], index: int) -> tuple[str, str]:
    if len(rule) != 2 or not all(isinstance(part, str) for part in rule):
        raise ValueError(f"Rewrite rule {index} must be a pair: a pattern and a replacement.")
    return rule[0], rule[1]


def explain_format(
    target: DialTarget,
    fmt: NumberFormat | str,
    *,
    outside_prefix: str = "",
    rules: Rules = (),
    region: str | None = None,
) -> list[tuple[str, str]]:
    """Show each step of building the dial string, for the dry run.

    Args:
        target: What to dial.
        fmt: The profile's number format.
        outside_prefix: Digits dialled before external numbers, for example ``9``.
        rules: ``(pattern, replacement)`` pairs applied in order with :func:`re.sub`.
        region: the user's country, for ``LOCAL`` (the number's own country if None).

    Returns:
        ``(step, value after the step)`` pairs; the last value is the dial string.

    Raises:
        ValueError: unknown format, a bad prefix or rule, or a result that is not dialable;
            the message names the step.
    """
    fmt = _to_format(fmt)
    if target.is_extension:
        return [("extension, dialled as typed", target.e164)]
    if not _PREFIX.fullmatch(outside_prefix):
        raise ValueError(
            f"The outside-line prefix {outside_prefix!r} may only hold digits, * and #."
        )
    value = _formatted(target, fmt, region)
    steps = [(f"format {fmt.value}", value)]
    for index, rule in enumerate(rules, start=1):
        pattern, replacement = _rule_pair(rule, index)
        try:
            value = _compile(pattern, index).sub(replacement, value)
        except re.error as exc:
            raise ValueError(f"Rewrite rule {index} has an invalid replacement: {exc}.") from None
        if not _DIALABLE.fullmatch(value):
            raise ValueError(
                f"Rewrite rule {index} ({pattern!r} -> {replacement!r}) turned the number into "
                f"{value!r}, which cannot be dialled; a number may hold only digits, * and # "
                "and start with +."
            )
        steps.append((f"rule {index}: {pattern} -> {replacement}", value))
    if outside_prefix:
        if value.startswith("+"):
            raise ValueError(
                "The outside-line prefix cannot go in front of a number that starts with +; "
                "choose a format without the plus or remove the prefix."
            )
        value = outside_prefix + value
        steps.append((f"outside-line prefix {outside_prefix}", value))
    return steps


def format_dial_string(
    target: DialTarget,
    fmt: NumberFormat | str,
    *,
    outside_prefix: str = "",
    rules: Rules = (),
    region: str | None = None,
) -> str:
    """Write a target the way one provider profile dials it.

    Args:
        target: What to dial.
        fmt: The profile's number format.
        outside_prefix: Digits dialled before external numbers, for example ``9``.
        rules: ``(pattern, replacement)`` pairs applied in order with :func:`re.sub`.
        region: the user's country, for ``LOCAL``.

    Returns:
        Digits, ``*`` and ``#``, with a leading ``+`` only for E.164; extensions unchanged.

    Raises:
        ValueError: unknown format, a bad prefix or rule, or a result that is not dialable.
    """
    steps = explain_format(target, fmt, outside_prefix=outside_prefix, rules=rules, region=region)
    return steps[-1][1]
