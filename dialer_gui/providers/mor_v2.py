"""MOR's REST API (v2, MOR X18 and later): log in, then drop an active call by its ID.

``POST <url>/api/v2/authentication/login`` with HTTP Basic (the MOR user's name and password)
returns a JWT; ``DELETE <url>/api/v2/active_calls/:id`` with ``Authorization: Bearer`` hangs
that active call up. The vendor notes that this API is set up apart from the classic one, so a
MOR may lack it: a 404 on the login path says so (``NOT_PERMITTED``, which turns hanging up
off in words), while a 404 on a call after a good login means that call is gone
(``CALL_UNKNOWN``). The token is kept per provider instance and renewed once when a request
answers 401 (the documented lifetime is 15 minutes).

What the documentation leaves open: the login answer's shape (a JSON object whose ``token``,
``jwt``, ``access_token`` or ``auth_token``, at the top or under ``data``, is taken), and the
drop answer, printed as ``"{status: 'hung_up', hung_up_call: 1, ...}"``, a JSON string of a
JavaScript object: a JSON object or such a string both count, ``hung_up_call: 0`` means no
call was hung up, and a 2xx that is neither is an answer this dialer cannot read.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Awaitable, Callable
from typing import Any

from dialer_gui.providers.errors import ErrorCategory, ProviderError
from dialer_gui.providers.http import basic_auth_blob, read_json

LOGIN_PATH = "/api/v2/authentication/login"
DROP_PATH = "/api/v2/active_calls/"
TOKEN_KEYS = ("token", "jwt", "access_token", "auth_token")
_TOKEN = re.compile(r"^[A-Za-z0-9._~+/=-]{8,4096}$")
_HUNG_UP_CALLS = re.compile(r"hung_up_call['\"]?\s*:\s*['\"]?(\d+)")

# (method, url, headers, derived secrets to mask) -> (HTTP status, the answer's text)
Send = Callable[[str, str, dict[str, str], list[str]], Awaitable[tuple[int, str]]]


def token_of(raw: str) -> str | None:
    """The JWT in a login answer, or ``None``."""
    try:
        data: Any = read_json(raw)
    except ValueError:
        return None
    for holder in (data, data.get("data") if isinstance(data, dict) else None):
        if isinstance(holder, dict):
            for key in TOKEN_KEYS:
                value = holder.get(key)
                if isinstance(value, str) and _TOKEN.match(value):
                    return value
    return None


def hung_up(raw: str) -> bool | None:
    """Whether a drop answer says a call was hung up; ``None`` when it says neither."""
    try:
        data: Any = read_json(raw)
    except ValueError:
        return None
    if isinstance(data, dict):
        count = data.get("hung_up_call")
        if isinstance(count, int | str) and not isinstance(count, bool) and str(count).isdigit():
            return int(count) > 0
        return True if data.get("status") == "hung_up" else None
    if isinstance(data, str):  # the documented answer: a JavaScript object in a JSON string
        found = _HUNG_UP_CALLS.search(data)
        if found:
            return int(found.group(1)) > 0
        return True if "'hung_up'" in data or '"hung_up"' in data else None
    return None


class MorV2:
    """One MOR's v2 API for one user: the token, and dropping calls with it."""

    def __init__(self, send: Send, base: str, user: str, password: str) -> None:
        self._send = send
        self._base = base.rstrip("/")
        self._blob = basic_auth_blob(user, password)
        self._token: str | None = None

    async def _login(self) -> str:
        status, raw = await self._send(
            "POST", self._base + LOGIN_PATH, {"Authorization": f"Basic {self._blob}"}, [self._blob]
        )
        if status == 404:
            raise ProviderError(
                "This MOR has no v2 API (it comes with MOR X18 and must be set up by your MOR "
                "administrator), so calls cannot be hung up from here. Turn off “Hang up "
                "through MOR's v2 API” in Settings, or ask your administrator.",
                category=ErrorCategory.NOT_PERMITTED,
                raw=raw,
            )
        if status in (401, 403):
            raise ProviderError(
                f"MOR's v2 API refused the user name or password (HTTP {status}), so the call "
                "was not hung up. Check the MOR user name and password in Settings.",
                category=ErrorCategory.CREDENTIALS,
                raw=raw,
            )
        token = token_of(raw) if 200 <= status < 300 else None
        if token is None:
            raise ProviderError(
                f"MOR's v2 API answered the login with something this dialer cannot read "
                f"(HTTP {status}), so the call was not hung up.",
                category=ErrorCategory.UNEXPECTED,
                raw=raw,
            )
        self._token = token
        return token

    async def drop(self, active_id: str) -> str:
        """Hang up MOR's active call ``active_id``; a 401 renews the token once."""
        url = self._base + DROP_PATH + urllib.parse.quote(active_id, safe="")
        for attempt in range(2):
            token = self._token or await self._login()
            status, raw = await self._send(
                "DELETE", url, {"Authorization": f"Bearer {token}"}, [token]
            )
            if status == 401 and attempt == 0:
                self._token = None  # expired: log in again, once
                continue
            break
        if status == 404:
            raise ProviderError(
                "MOR has no such active call any more; it may already have ended.",
                category=ErrorCategory.CALL_UNKNOWN,
                raw=raw,
            )
        if status in (401, 403):
            raise ProviderError(
                f"MOR's v2 API does not let this user hang up calls (HTTP {status}). Ask your "
                "MOR administrator.",
                category=ErrorCategory.NOT_PERMITTED,
                raw=raw,
            )
        said = hung_up(raw) if 200 <= status < 300 else None
        if said is None:
            raise ProviderError(
                f"MOR answered the hang-up with something this dialer cannot read (HTTP "
                f"{status}); the call may still be running.",
                category=ErrorCategory.UNEXPECTED,
                raw=raw,
            )
        if not said:
            raise ProviderError(
                "MOR hung up no call: the call may already have ended.",
                category=ErrorCategory.CALL_UNKNOWN,
                raw=raw,
            )
        return "MOR hung up the call."
