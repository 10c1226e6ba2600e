"""Secrets kept out of everything we write: logs, the history, dry runs and messages.

Two nets, because a secret reaches text in two ways:

- **Known values.** Every secret handed to a provider (from the keyring, or found pasted in
  the config) is remembered here (:func:`remember`); :func:`scrub` masks each of them, in
  every spelling :func:`secret_forms` knows (URL-encoded, base64, JSON, HTML).
- **Shapes.** Text we never saw as a secret may still carry one: a ``Bearer`` header, a
  password in a URL (``https://user:pw@host``, ``redis://:pw@host``), a query parameter named
  like a credential (``api_key=...``). :func:`scrub` masks these wherever they appear.

The remembered set is bounded (:data:`MAX_REMEMBERED`): the app runs for months and profiles
are saved again and again; the oldest values go first.
"""

from __future__ import annotations

import base64
import html
import json
import re
import threading
import urllib.parse
from collections import OrderedDict
from collections.abc import Iterable

MASK = "•••"
MAX_REMEMBERED = 256

# Query and form parameter names that carry credentials in the APIs we speak and beyond.
_PARAM_NAMES = (  # names of parameters, not passwords
    "password", "passwd", "pass", "pwd", "secret", "token", "access_token", "api_key", "apikey",
    "key", "auth_password", "hash",
)  # fmt: skip
SECRET_PARAMS = "|".join(_PARAM_NAMES)
_PARAM = re.compile(rf"(?i)(?<![A-Za-z0-9_])((?:{SECRET_PARAMS})=)([^&\s\"'<>]+)")
_URL_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://[^/@\s:]*:)([^@/\s]+)(@)")
_AUTH_HEADER = re.compile(r"(?i)\b(Bearer|Basic|Token)(\s+)([A-Za-z0-9._~+/=\-]{6,})")

_lock = threading.Lock()
_known: OrderedDict[str, None] = OrderedDict()
_forms: list[str] = []


def remember(values: Iterable[str]) -> None:
    """Mask these values from now on wherever :func:`scrub` is applied."""
    with _lock:
        changed = False
        for value in values:
            if not value or len(value) < 3:  # masking every "1" would make text unreadable
                continue
            if value in _known:
                _known.move_to_end(value)
                continue
            _known[value] = None
            changed = True
            while len(_known) > MAX_REMEMBERED:
                _known.popitem(last=False)
        if changed:
            _rebuild()


def forget_all() -> None:
    """Tests only: start from nothing."""
    with _lock:
        _known.clear()
        _forms.clear()


def _rebuild() -> None:
    # Longest first, so a secret that contains another is masked whole.
    _forms[:] = sorted(secret_forms(_known), key=len, reverse=True)


def secret_forms(secrets: Iterable[str]) -> set[str]:
    """Every spelling of each secret that could leak into an answer.

    Plain, URL-encoded (both ways), base64 (with and without padding), JSON-escaped (also with
    ``/`` written ``\\/``, as PHP does) and HTML-escaped: a PBX may echo a request back in any of
    these.
    """
    # Secrets of one or two characters are not masked: replacing every "1" or "ab" in an
    # answer would make it unreadable, and such a secret protects nothing anyway.
    values = [s for s in secrets if s and len(s) >= 3]
    forms: set[str] = set()
    for s in values:
        forms.add(s)
        for json_form in (json.dumps(s)[1:-1], json.dumps(s, ensure_ascii=False)[1:-1]):
            forms.add(json_form)
            forms.add(json_form.replace("/", "\\/"))
        forms.add(html.escape(s, quote=True))
        forms.add(urllib.parse.quote(s, safe=""))
        forms.add(urllib.parse.quote_plus(s))
        b64 = base64.b64encode(s.encode()).decode()
        forms.add(b64)
        forms.add(b64.rstrip("="))
    return {f for f in forms if f}


def scrub(text: str) -> str:
    """``text`` with every remembered secret and every secret-shaped value masked."""
    if not text:
        return text
    with _lock:
        forms = list(_forms)
    for form in forms:
        if form in text:
            text = text.replace(form, MASK)
    text = _URL_PASSWORD.sub(rf"\1{MASK}\3", text)
    text = _AUTH_HEADER.sub(rf"\1\2{MASK}", text)
    return _PARAM.sub(rf"\1{MASK}", text)


def looks_secret(value: str) -> str | None:
    """Why a config value looks like a pasted secret (a sentence), or ``None``.

    Template placeholders (``Bearer {token}``) are what the config is meant to hold; the
    keyring fills them in, so they are fine.
    """
    stripped = re.sub(r"\{[a-z_]+\}", "", value)
    if _URL_PASSWORD.search(stripped):
        return "it holds a password in the address"
    if _AUTH_HEADER.search(stripped):
        return "it holds a token or password (an Authorization value)"
    if _PARAM.search(stripped):
        return "it holds a credential in a query parameter"
    return None


def secret_parts(value: str) -> list[str]:
    """The secret pieces inside a secret-shaped value: the password of a URL, the token of an
    Authorization value, the value of a credential parameter."""
    parts = [m.group(2) for m in _URL_PASSWORD.finditer(value)]
    parts += [m.group(3) for m in _AUTH_HEADER.finditer(value)]
    parts += [m.group(2) for m in _PARAM.finditer(value)]
    return [p for p in parts if "{" not in p]
