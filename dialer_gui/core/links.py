"""tel:, callto: and sip: links, treated as hostile input.

A link reaches us from a browser, a mail client or another program through the operating
system's URL handler, so anyone who can put a link on a web page controls it. The checks
are therefore strict and happen in two layers:

* :func:`split_link` checks the syntax with the standard library only, so the small IPC
  sender can refuse a bad link before it wakes the running instance;
* :func:`target_from_link` turns the parts into a :class:`DialTarget` with phonenumbers.

What is accepted (RFC 3966 for tel:, RFC 3261 user parts for sip:):

* ``tel:+1-201-555-0123``, visual separators ``-.()`` and percent-encoded spaces;
* ``tel:7042;phone-context=+1-914-555`` (the context digits go in front) and
  ``tel:557;phone-context=example.com`` (a local number: an extension if it is short,
  otherwise national for the default region); ``tel:`` and ``callto:`` also accept ``//``;
* parameters ``;ext=`` (kept as the target's extension), ``;isub=`` and unknown harmless
  ``;name=value`` parameters (ignored);
* ``sip:+15551234567@example.com;user=phone`` and ``sip:1234@pbx`` (a number or extension
  as the user part);
* vanity numbers in tel: links (``tel:1-800-FLOWERS``): a digit first, then at least
  :data:`MIN_LETTERS` letters among the digits. RFC 3966 allows no letters in a global number
  (and only the hex digits A-F, for network signalling, in a local one), but advertisements
  and CRMs write numbers this way and the dial pad takes them, so refusing would only make the
  user retype the number. Each letter becomes its keypad digit (ITU E.161, as phonenumbers
  maps it), and every place that shows the call shows both forms (:func:`spelled_number`),
  so a word in a link never hides the digits it calls.

Everything else is refused with :class:`LinkError`: raw or encoded control characters and
whitespace, ``?`` queries and SIP headers, ``&``, ``#``, stray ``=``, a leading ``-``,
passwords in sip: links, user names instead of numbers, links longer than
:data:`MAX_LINK` characters and numbers with more than :data:`MAX_DIGITS` digits.
"""

from __future__ import annotations

from dialer_gui.errors import LinkError, NumberError
from dialer_gui.vocabulary.schemes import SCHEMES

# Not typing.TYPE_CHECKING: importing typing (and target's dataclasses) would slow the
# process the OS starts for every tel: click, which only needs split_link.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from dialer_gui.vocabulary.target import DialTarget

__all__ = [
    "MAX_DIGITS",
    "MAX_LINK",
    "MIN_LETTERS",
    "looks_like_link",
    "spelled_number",
    "split_link",
    "target_from_link",
]

MAX_LINK = 256
"""Longest link we read, in characters."""
MAX_DIGITS = 32
"""Most digits a number (with its phone-context) may have."""
_MAX_PARAMS = 16
MIN_LETTERS = 3
"""Fewest letters that make a tel: number a vanity number (phonenumbers' rule): one stray
letter is a typo, not a word."""

# The checks are written with sets of characters and string methods rather than ``re`` and
# ``urllib.parse``: this module runs in the process the OS starts for every click, where
# importing those two (with the ``enum`` that ``re`` loads) took about 6 ms, a third of the
# whole hand-off. Every pattern is one character class with a length, so each check below is
# the regular expression quoted in its docstring; ``tests/test_links_equivalence.py`` holds the
# parser that used them and checks this one against it on generated links.
_DIGITS = frozenset("0123456789")
_HEX = frozenset("0123456789ABCDEFabcdef")
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_ALNUM = _LETTERS | _DIGITS
_SCHEME_CHARS = _ALNUM | frozenset("+.-")
# Raw characters no phone link has: controls, whitespace and URI delimiters we do not use.
_FORBIDDEN = frozenset([chr(c) for c in range(0x21)] + ["\x7f", *'?&#"<>\\^`{|}'])
_SEPARATOR_CHARS = frozenset("-.() ")
_SEPARATORS = {ord(c): None for c in _SEPARATOR_CHARS}  # for str.translate: drop them
_NUMBER_CHARS = _DIGITS | _SEPARATOR_CHARS
_PARAM_NAME_CHARS = _ALNUM | frozenset("-")
_PARAM_VALUE_CHARS = _ALNUM | frozenset("-_.!~*'()[]/:+$ ")
_CONTEXT_CHARS = _DIGITS | frozenset("-.()")
_DOMAIN_CHARS = _ALNUM | frozenset(".-")
_IPV6_CHARS = _HEX | frozenset(":.")

# Text that starts like one of our links (leading blanks allowed), whatever follows.
_LOOKS_LIKE = r"\s*(?:" + "|".join(sorted(SCHEMES, key=len, reverse=True)) + "):"


def _spelled(number: str) -> bool:
    """A number written with letters: an optional ``+``, a digit, then digits, letters and
    separators only."""
    body = number.removeprefix("+")
    return (
        bool(body)
        and body[0] in _DIGITS
        and all(c in _ALNUM or c in _SEPARATOR_CHARS for c in body)
    )


_FORBIDDEN_REASONS = {
    "?": "That link has a query part (after '?'), which phone links do not use.",
    "&": "That link contains '&', which phone links do not use.",
    "#": "That link contains '#', which phone links do not use.",
}


def looks_like_link(text: str) -> bool:
    """Whether ``text`` starts with a scheme we dial (tel:, callto:, sip:, sips:).

    Only the scheme is looked at; :func:`split_link` does the real checking.
    """
    # Not on the hand-off path (which checks the scheme itself), so ``re`` may load here; it
    # caches the compiled pattern. Its IGNORECASE also takes the few non-ASCII letters that
    # fold to ASCII ones (U+017F for s), which str.lower would not.
    import re

    return re.match(_LOOKS_LIKE, text, re.IGNORECASE) is not None


def _only(text: str, allowed: frozenset[str], shortest: int = 1, longest: int = MAX_LINK) -> bool:
    """``[allowed]{shortest,longest}`` matched against the whole of ``text``."""
    return shortest <= len(text) <= longest and all(char in allowed for char in text)


def _has_digit(text: str) -> bool:
    """``[0-9]`` found anywhere in ``text`` (ASCII digits only, unlike str.isdigit)."""
    return any(char in _DIGITS for char in text)


def _is_number(text: str) -> bool:
    """``\\+?[0-9\\-.() ]+`` matched against the whole of ``text``."""
    return _only(text.removeprefix("+"), _NUMBER_CHARS)


def _is_domain(text: str) -> bool:
    """``[A-Za-z0-9][A-Za-z0-9.\\-]{0,252}`` matched against the whole of ``text``."""
    return text[:1] in _ALNUM and _only(text, _DOMAIN_CHARS, 1, 253)


def _is_host(text: str) -> bool:
    """``(?:DOMAIN|\\[[0-9A-Fa-f:.]{2,45}\\])(?::[0-9]{1,5})?`` against the whole of ``text``."""
    if text.startswith("["):
        inside, bracket, port = text[1:].partition("]")
        if not bracket or not _only(inside, _IPV6_CHARS, 2, 45):
            return False
    else:
        # A domain holds no colon, so the first one starts the port.
        domain, colon, port = text.partition(":")
        if not _is_domain(domain):
            return False
        port = colon + port
    return not port or (port[0] == ":" and _only(port[1:], _DIGITS, 1, 5))


def _scheme_of(uri: str) -> str | None:
    """What ``[A-Za-z][A-Za-z0-9+.\\-]{0,15}:`` matches at the start of ``uri``, colon left out."""
    head, colon, _rest = uri.partition(":")
    if colon and head[:1] in _LETTERS and _only(head, _SCHEME_CHARS, 1, 16):
        return head
    return None


def _bad_escape(uri: str) -> bool:
    """``%(?![0-9A-Fa-f]{2})`` found: a percent sign not followed by two hex digits."""
    for index, char in enumerate(uri):
        if char == "%" and not _only(uri[index + 1 : index + 3], _HEX, 2, 2):
            return True
    return False


def _check_raw(uri: str) -> None:
    if len(uri) > MAX_LINK:
        raise LinkError(f"That link is too long; phone links have at most {MAX_LINK} characters.")
    if uri.startswith("-"):
        raise LinkError("That link starts with '-', which could be read as an option.")
    if not uri.isascii():
        raise LinkError("That link contains characters that are not allowed in a link.")
    bad = next((char for char in uri if char in _FORBIDDEN), None)
    if bad is not None:
        raise LinkError(
            _FORBIDDEN_REASONS.get(
                bad,
                "That link contains spaces, control characters or symbols that phone links "
                "never have.",
            )
        )
    if _bad_escape(uri):
        raise LinkError(
            "That link has a broken percent-encoding ('%' not followed by two hex digits)."
        )


def _unquote(part: str) -> str:
    """``urllib.parse.unquote(part, errors="strict")`` for the ASCII text ``_check_raw`` lets
    through.

    Raises:
        UnicodeDecodeError: the decoded bytes are not UTF-8.
    """
    first, *escaped = part.split("%")
    if not escaped:
        return part
    data = bytearray(first.encode())
    for item in escaped:
        if _only(item[:2], _HEX, 2, 2):
            data.append(int(item[:2], 16))
            data += item[2:].encode()
        else:  # kept as it is, as unquote keeps it (``_check_raw`` lets none through)
            data += b"%" + item.encode()
    return data.decode("utf-8")


def _decode(part: str) -> str:
    """Percent-decode once; refuse anything that decodes to control or invisible characters."""
    try:
        decoded = _unquote(part)
    except UnicodeDecodeError as exc:
        raise LinkError("That link has a percent-encoding that is not valid text.") from exc
    if not decoded.isprintable():
        raise LinkError("That link hides control characters in percent-encoding.")
    return decoded


def _parse_params(items: list[str]) -> dict[str, str]:
    """Turn ``name=value`` items into a dict with lower-case names and decoded values."""
    if len(items) > _MAX_PARAMS:
        raise LinkError("That link has too many parameters.")
    params: dict[str, str] = {}
    for item in items:
        name, equals, value = item.partition("=")
        if not _only(name, _PARAM_NAME_CHARS, 1, 32):
            raise LinkError("That link has an empty or malformed parameter.")
        if "=" in value or (equals and not value):
            raise LinkError(f"The link parameter '{name}' has a malformed value.")
        value = _decode(value)
        if not _only(value, _PARAM_VALUE_CHARS, 0, 64):
            raise LinkError(f"The link parameter '{name}' has characters that are not allowed.")
        key = name.lower()
        if key in params:
            raise LinkError(f"The link parameter '{key}' appears twice.")
        params[key] = value
    return params


def _digits(number: str, what: str) -> str:
    """Strip visual separators from a decoded number; keep a leading ``+``."""
    if not _is_number(number) or not _has_digit(number):
        raise LinkError(f"{what} is not a phone number.")
    plus = "+" if number.startswith("+") else ""
    digits = number.removeprefix("+").translate(_SEPARATORS)
    if len(digits) > MAX_DIGITS:
        raise LinkError(f"The number in that link has more than {MAX_DIGITS} digits.")
    return plus + digits


def _spelled_digits(number: str, what: str) -> str:
    """A vanity number's digits and letters (upper case), separators removed; see the top."""
    if not _spelled(number) or sum(c in _LETTERS for c in number) < MIN_LETTERS:
        raise LinkError(f"{what} is not a phone number.")
    plus = "+" if number.startswith("+") else ""
    spelled = number.removeprefix("+").translate(_SEPARATORS).upper()
    if len(spelled) > MAX_DIGITS:
        raise LinkError(f"The number in that link has more than {MAX_DIGITS} digits.")
    return plus + spelled


def _split_sip(rest: str) -> tuple[str, list[str]]:
    """Split ``user[;params]@host[:port][;params]`` into the user part and all params."""
    if rest.count("@") != 1:
        raise LinkError("A sip: link needs a number and a host, like sip:1234@pbx.")
    user, host_part = rest.split("@")
    user, *user_params = user.split(";")
    host, *uri_params = host_part.split(";")
    if ":" in user:
        raise LinkError("That sip: link contains a password, which we never accept.")
    if not _is_host(host):
        raise LinkError("The host in that sip: link is not valid.")
    return user, user_params + uri_params


def split_link(uri: str) -> tuple[str, str, dict[str, str]]:
    """Check a link's syntax and take it apart, using the standard library only.

    Args:
        uri: The link exactly as received.

    Returns:
        ``(scheme, number, params)``: the scheme in lower case; the number as ASCII digits
        with visual separators removed and a leading ``+`` if it is global (for sip: the
        user part; a tel: vanity number keeps its letters, in upper case); the parameters
        with lower-case names and percent-decoded values (``ext`` reduced to its digits).

    Raises:
        LinkError: the link is malformed, unsupported or hostile.
    """
    if not isinstance(uri, str):
        raise LinkError("A link must be text.")
    _check_raw(uri)
    found = _scheme_of(uri)
    if found is None:
        raise LinkError("That is not a link: it does not start with a scheme such as tel:.")
    scheme = found.lower()
    if scheme not in SCHEMES:
        raise LinkError(f"Only tel:, callto: and sip: links can be dialled, not {scheme}: links.")
    rest = uri[len(found) + 1 :]
    if scheme in ("tel", "callto"):
        rest = rest.removeprefix("//")
        number, *items = rest.split(";")
        what = "The number in that link"
    else:
        number, items = _split_sip(rest)
        what = "The user part of that sip: link"
    if not number:
        raise LinkError("That link has no number in it.")
    decoded = _decode(number)
    if scheme == "callto" and not (_is_number(decoded) and _has_digit(decoded)):
        raise LinkError(
            "That callto: link names a user, not a phone number, so it cannot be dialled."
        )
    if scheme == "tel" and any(c in _LETTERS for c in decoded):
        digits = _spelled_digits(decoded, what)
    else:
        digits = _digits(decoded, what)
    params = _parse_params(items)
    if "ext" in params:
        params["ext"] = _digits(params["ext"], "The extension in that link").lstrip("+")
    context = params.get("phone-context")
    if context is not None and not (
        (context[:1] == "+" and _only(context[1:], _CONTEXT_CHARS) and _has_digit(context))
        or _is_domain(context)
    ):
        raise LinkError("The phone-context of that link is neither a number prefix nor a domain.")
    return scheme, digits, params


def target_from_link(
    uri: str, *, region: str = "US", extension_lengths: tuple[int, int] = (2, 6)
) -> DialTarget:
    """Turn a tel:, callto: or sip: link into something to dial.

    Args:
        uri: The link exactly as received.
        region: Two-letter region for local numbers.
        extension_lengths: Shortest and longest internal extension, inclusive.

    Returns:
        The target; ``raw`` is ``uri`` unchanged.

    Raises:
        LinkError: the link is malformed, hostile, or its number cannot be dialled.
    """
    scheme, number, params = split_link(uri)
    # Imported here so that validating a link does not load phonenumbers.
    from dialer_gui.core.numbers import keypad_digits, target_from_digits

    number = keypad_digits(number)

    context = params.get("phone-context", "")
    if scheme == "tel" and not number.startswith("+") and context.startswith("+"):
        number = "+" + context[1:].translate(_SEPARATORS) + number
        if len(number) - 1 > MAX_DIGITS:
            raise LinkError(f"The number in that link has more than {MAX_DIGITS} digits.")
    try:
        return target_from_digits(
            number,
            region=region,
            extension=params.get("ext") or None,
            raw=uri,
            extension_lengths=extension_lengths,
        )
    except NumberError as exc:
        raise LinkError(f"The number in that link cannot be dialled. {exc}") from exc


def spelled_number(uri: str) -> str | None:
    """The number of a tel: link as written, when it is spelled with letters (``1-800-FLOWERS``).

    Shown beside the digits that are dialed; ``None`` for a link with digits only, or one
    :func:`split_link` refuses.
    """
    try:
        scheme, number, _params = split_link(uri)
    except LinkError:
        return None
    if scheme != "tel" or not any(c in _LETTERS for c in number):
        return None
    rest = uri[uri.index(":") + 1 :].removeprefix("//")
    return _decode(rest.split(";")[0])
