"""The regular-expression link parser dialer-gui shipped until the hand-off path dropped ``re``.

Kept verbatim (``split_link`` and its helpers from ``dialer_gui/core/links.py``, with
``urllib.parse.unquote``) as the oracle of ``tests/test_links_equivalence.py``: the hand-written
parser now in the app must accept, take apart and refuse every text exactly as this one did,
with the same message.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from dialer_gui.errors import LinkError
from dialer_gui.vocabulary.schemes import SCHEMES

MAX_LINK = 256
"""Longest link we read, in characters."""
MAX_DIGITS = 32
"""Most digits a number (with its phone-context) may have."""
_MAX_PARAMS = 16

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]{0,15}):")
# Text that starts like one of our links (leading blanks allowed), whatever follows.
_LOOKS_LIKE = re.compile(
    r"\s*(?:" + "|".join(sorted(SCHEMES, key=len, reverse=True)) + "):", re.IGNORECASE
)
# Raw characters no phone link has: controls, whitespace and URI delimiters we do not use.
_FORBIDDEN = re.compile(r"[\x00-\x20\x7f?&#\"<>\\^`{|}]")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
# Numbers and contexts must also hold a digit; that is checked apart to keep these linear.
_NUMBER = re.compile(r"\+?[0-9\-.() ]+")
_SEPARATORS = re.compile(r"[\-.() ]")
_PARAM_NAME = re.compile(r"[A-Za-z0-9\-]{1,32}")
_PARAM_VALUE = re.compile(r"[A-Za-z0-9\-_.!~*'()\[\]/:+$ ]{0,64}")
_GLOBAL_CONTEXT = re.compile(r"\+[0-9\-.()]+")
_DIGIT = re.compile(r"[0-9]")
_DOMAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-]{0,252}")
_HOST = re.compile(r"(?:[A-Za-z0-9][A-Za-z0-9.\-]{0,252}|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?")

_FORBIDDEN_REASONS = {
    "?": "That link has a query part (after '?'), which phone links do not use.",
    "&": "That link contains '&', which phone links do not use.",
    "#": "That link contains '#', which phone links do not use.",
}


def looks_like_link(text: str) -> bool:
    """Whether ``text`` starts with a scheme we dial (tel:, callto:, sip:, sips:).

    Only the scheme is looked at; :func:`split_link` does the real checking.
    """
    return _LOOKS_LIKE.match(text) is not None


def _check_raw(uri: str) -> None:
    if len(uri) > MAX_LINK:
        raise LinkError(f"That link is too long; phone links have at most {MAX_LINK} characters.")
    if uri.startswith("-"):
        raise LinkError("That link starts with '-', which could be read as an option.")
    if not uri.isascii():
        raise LinkError("That link contains characters that are not allowed in a link.")
    bad = _FORBIDDEN.search(uri)
    if bad:
        raise LinkError(
            _FORBIDDEN_REASONS.get(
                bad.group(),
                "That link contains spaces, control characters or symbols that phone links "
                "never have.",
            )
        )
    if _BAD_ESCAPE.search(uri):
        raise LinkError(
            "That link has a broken percent-encoding ('%' not followed by two hex digits)."
        )


def _decode(part: str) -> str:
    """Percent-decode once; refuse anything that decodes to control or invisible characters."""
    try:
        decoded = unquote(part, errors="strict")
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
        if not _PARAM_NAME.fullmatch(name):
            raise LinkError("That link has an empty or malformed parameter.")
        if "=" in value or (equals and not value):
            raise LinkError(f"The link parameter '{name}' has a malformed value.")
        value = _decode(value)
        if not _PARAM_VALUE.fullmatch(value):
            raise LinkError(f"The link parameter '{name}' has characters that are not allowed.")
        key = name.lower()
        if key in params:
            raise LinkError(f"The link parameter '{key}' appears twice.")
        params[key] = value
    return params


def _digits(number: str, what: str) -> str:
    """Strip visual separators from a decoded number; keep a leading ``+``."""
    if not _NUMBER.fullmatch(number) or not _DIGIT.search(number):
        raise LinkError(f"{what} is not a phone number.")
    plus = "+" if number.startswith("+") else ""
    digits = _SEPARATORS.sub("", number.removeprefix("+"))
    if len(digits) > MAX_DIGITS:
        raise LinkError(f"The number in that link has more than {MAX_DIGITS} digits.")
    return plus + digits


def _split_sip(rest: str) -> tuple[str, list[str]]:
    """Split ``user[;params]@host[:port][;params]`` into the user part and all params."""
    if rest.count("@") != 1:
        raise LinkError("A sip: link needs a number and a host, like sip:1234@pbx.")
    user, host_part = rest.split("@")
    user, *user_params = user.split(";")
    host, *uri_params = host_part.split(";")
    if ":" in user:
        raise LinkError("That sip: link contains a password, which we never accept.")
    if not _HOST.fullmatch(host):
        raise LinkError("The host in that sip: link is not valid.")
    return user, user_params + uri_params


def split_link(uri: str) -> tuple[str, str, dict[str, str]]:
    """Check a link's syntax and take it apart, using the standard library only.

    Args:
        uri: The link exactly as received.

    Returns:
        ``(scheme, number, params)``: the scheme in lower case; the number as ASCII digits
        with visual separators removed and a leading ``+`` if it is global (for sip: the
        user part); the parameters with lower-case names and percent-decoded values
        (``ext`` reduced to its digits).

    Raises:
        LinkError: the link is malformed, unsupported or hostile.
    """
    if not isinstance(uri, str):
        raise LinkError("A link must be text.")
    _check_raw(uri)
    match = _SCHEME.match(uri)
    if match is None:
        raise LinkError("That is not a link: it does not start with a scheme such as tel:.")
    scheme = match.group(1).lower()
    if scheme not in SCHEMES:
        raise LinkError(f"Only tel:, callto: and sip: links can be dialled, not {scheme}: links.")
    rest = uri[match.end() :]
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
    if scheme == "callto" and not (_NUMBER.fullmatch(decoded) and _DIGIT.search(decoded)):
        raise LinkError(
            "That callto: link names a user, not a phone number, so it cannot be dialled."
        )
    digits = _digits(decoded, what)
    params = _parse_params(items)
    if "ext" in params:
        params["ext"] = _digits(params["ext"], "The extension in that link").lstrip("+")
    context = params.get("phone-context")
    if context is not None and not (
        (_GLOBAL_CONTEXT.fullmatch(context) and _DIGIT.search(context))
        or _DOMAIN.fullmatch(context)
    ):
        raise LinkError("The phone-context of that link is neither a number prefix nor a domain.")
    return scheme, digits, params
