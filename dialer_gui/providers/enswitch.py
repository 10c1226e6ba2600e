"""Enswitch (Integrics) ``calls/make``: calls the user's own line, then bridges the number.

The request is a form POST (or, as a setting, a plain GET) under a configurable base such as
``https://host/api/json/`` or ``https://host/local/api/json/``; the vendor's documentation lets
clients use GET or POST as they prefer, and POST keeps the password out of addresses and server
logs. Parameters, credentials included, are joined with ``;`` as in every documented example,
or ``&`` when a server wants that. The HTTP status is 200 whatever happens; the answer's
``responses[0].code`` (a string) says what the PBX did: ``200`` accepted with a call ID (only
when ``wait`` is set), ``204`` accepted without one, ``400`` bad parameter (``key`` names it),
``401`` credentials, ``402`` role, ``403`` rate plan.

With ``wait`` the PBX places the call and answers only after ``wait`` seconds. A ``wait`` at or
above the profile's ``timeout`` would end every call "unknown" at the deadline while the PBX
dials, so such a profile is refused as a settings error before anything is sent.

``check()`` sends ``calls/active/list/`` filtered to a call ID that cannot exist: it is
read-only, proves the address and the credentials, and returns almost nothing.

After "accepted" (``providers.enswitch_follow``): each call is followed live through
``calls/active/list`` and hung up or cancelled through ``calls/hangup``, by the call ID that
only a ``wait`` brings; ``follow_calls`` turns both off.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Sequence
from typing import Any, ClassVar

from dialer_gui.providers import enswitch_follow
from dialer_gui.providers.base import CallRequest, CallResult, Provider, WireRequest
from dialer_gui.providers.errors import ErrorCategory, ProviderError
from dialer_gui.providers.following import FollowMemory
from dialer_gui.providers.http import (
    DEFAULT_TIMEOUT,
    AnswerOutOfBounds,
    build,
    http_status_error,
    read_json,
    send,
    unexpected_answer,
)
from dialer_gui.providers.redaction import MASK
from dialer_gui.vocabulary.calls import Capabilities, Follows, Progress
from dialer_gui.vocabulary.fields import Field, FieldKind
from dialer_gui.vocabulary.profiles import ProviderProfile

# Not at run time: httpx costs ~70 ms of start-up; it is imported by providers.http when the
# first client is built, in the warm-up thread.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import httpx

MAKE_PATH = "calls/make/"
LIST_PATH = enswitch_follow.LIST_PATH
# A call ID in Enswitch's "epoch.micro" shape that no real call has: check() lists nothing.
CHECK_CALLID = "0.000000"
# The number the user dials is always "cnumber"; "snumber" is the user's own line.
_TRAILING_COMMA = re.compile(r",\s*([}\]])")


class EnswitchProvider(Provider):
    """Click-to-call through Enswitch's JSON API (``api/json/calls/make/``)."""

    type_name: ClassVar[str] = "enswitch"
    label: ClassVar[str] = "Enswitch (Integrics)"
    default_number_format: ClassVar[str] = "e164_no_plus"
    profile_noun: ClassVar[str] = "Enswitch"
    after_accepted: ClassVar[str] = (
        "Each leg live from calls/active/list, and hang up or cancel through calls/hangup, for "
        "calls with a call ID, which Enswitch gives only when wait is above 0. The role needs "
        "the privileges to list active calls and to hang up; a refusal turns following off "
        "and says so, and calls are not affected. A connected call that is gone is reported "
        "ended and your phone ringing out as no answer on your leg; whether the other side was "
        "busy or did not answer the active list cannot tell, so it is not guessed. "
        "follow_calls turns this off."
    )
    fields: ClassVar[tuple[Field, ...]] = (
        Field(
            "url",
            "API address",
            FieldKind.URL,
            "",
            "Base of the JSON API, up to and including api/json/, for example "
            "https://pbx.example.com/api/json/ (some servers use /local/api/json/).",
            required=True,
        ),
        Field("auth_username", "User name", FieldKind.STR, "", "Your Enswitch login.", True),
        Field("auth_password", "Password", FieldKind.SECRET, "", "Your Enswitch password.", True),
        Field(
            "stype",
            "Your phone type",
            FieldKind.STR,
            "phone",
            "“phone” when your own number below is an Enswitch telephone line; "
            "empty when it is an ordinary phone number.",
        ),
        Field(
            "snumber",
            "Your line or number",
            FieldKind.STR,
            "",
            "The line or number that rings first (yours); the dialed number is called once "
            "you answer.",
            required=True,
        ),
        Field(
            "ctype",
            "Destination type",
            FieldKind.STR,
            "",
            "Leave empty for ordinary numbers (sent only when set).",
        ),
        Field(
            "cdialplan",
            "Destination dialplan",
            FieldKind.STR,
            "",
            "“auto” converts the dialed number to your line's dialplan; empty sends nothing.",
        ),
        Field("callerid1", "Caller ID on your leg", FieldKind.STR, "", "Empty sends nothing."),
        Field("callerid2", "Caller ID shown to the callee", FieldKind.STR, "", ""),
        Field(
            "wait",
            "Wait for call ID (seconds)",
            FieldKind.INT,
            5,
            "Seconds the PBX waits before answering so that it can return a call ID; "
            "0 answers at once without one. Must be more than the delay and less than the "
            "timeout.",
        ),
        Field("delay", "Delay (seconds)", FieldKind.INT, 0, "Seconds before the PBX dials."),
        Field(
            "method",
            "HTTP method",
            FieldKind.CHOICE,
            "POST",
            "POST keeps the password out of the address and server logs (sent as a form "
            "body); GET puts it in the address.",
            choices=("GET", "POST"),
        ),
        Field(
            "separator",
            "Parameter separator",
            FieldKind.CHOICE,
            ";",
            "“;” as in Enswitch's documentation; “&” for servers that want it.",
            choices=(";", "&"),
        ),
        Field(
            "follow_calls",
            "Follow calls",
            FieldKind.BOOL,
            True,
            "Show each call's progress (needs the role privilege to list active calls) and "
            "offer Hang up (the privilege to hang up calls); needs a wait above 0.",
        ),
    )
    # What this instance saw of the calls it follows (providers.following).
    _memory: FollowMemory | None = None

    # -- building the request ------------------------------------------------------------------
    def _int(self, key: str) -> int:
        value = self.option(key)
        try:
            return int(value or 0)
        except (TypeError, ValueError):
            raise self._config(f"the setting “{key}” must be a whole number") from None

    def base_url(self) -> str:
        """The API base ending in ``/``; a bare host gets the documented ``/api/json/``."""
        url = self._text("url")
        if not url:
            raise self._config("the API address is missing")
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise self._config("the API address must start with http:// or https://")
        if parts.query or parts.fragment:
            raise self._config("the API address must not contain “?” or “#”")
        path = parts.path if parts.path.endswith("/") else parts.path + "/"
        if path == "/":
            path = "/api/json/"
        # People paste the whole endpoint; keep only the base.
        for suffix in (MAKE_PATH, LIST_PATH):
            if path.endswith("/" + suffix):
                path = path[: -len(suffix)]
        return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))

    def _credentials(self, *, masked: bool) -> list[tuple[str, str]]:
        user = self._text("auth_username")
        password = self.secrets.get("auth_password", "")
        if not user:
            raise self._config("the user name is missing")
        if not password:
            raise self._config("the password is missing (set it in Settings)")
        return [("auth_username", user), ("auth_password", MASK if masked else password)]

    def make_params(self, request: CallRequest, *, masked: bool = False) -> list[tuple[str, str]]:
        """Parameters of ``calls/make`` in the documented order.

        ``stype`` is always sent because its empty value means "a number"; the other optional
        parameters only when set, so a default profile sends exactly the documented example.
        """
        snumber = self._text("snumber")
        if not snumber:
            raise self._config("your own line or number (snumber) is missing")
        wait, delay = self._int("wait"), self._int("delay")
        if wait < 0 or delay < 0:
            raise self._config("wait and delay cannot be negative")
        if wait and delay and wait <= delay:
            raise self._config("“wait” must be more than “delay”, or the call ID never comes")
        timeout = self._timeout()
        if wait and wait >= timeout:
            # Enswitch holds its answer for ``wait`` seconds: the deadline would always come
            # first, and every call would be "unknown" while the PBX dials.
            raise self._config(
                f"“wait” ({wait} s) must be less than the “timeout” ({timeout:g} s), or every "
                "call ends with its status unknown while the PBX dials; lower the wait (0 "
                "answers at once) or raise the timeout a few seconds above it"
            )
        params = self._credentials(masked=masked)
        params += [("stype", self._text("stype")), ("snumber", snumber)]
        if self._text("ctype"):
            params.append(("ctype", self._text("ctype")))
        params.append(("cnumber", request.dial_string))
        for key in ("cdialplan", "callerid1", "callerid2"):
            if self._text(key):
                params.append((key, self._text(key)))
        if delay:
            params.append(("delay", str(delay)))
        if wait:
            params.append(("wait", str(wait)))
        return params

    def _timeout(self) -> float:
        """The profile's ``timeout``, read as ``providers.http.make_client`` reads it."""
        try:
            return float(self.option("timeout") or DEFAULT_TIMEOUT)
        except (TypeError, ValueError):
            raise self._config("the setting “timeout” must be a number of seconds") from None

    def encode(self, params: list[tuple[str, str]], *, masked: bool = False) -> str:
        """Join parameters with the chosen separator; values URL-encoded, empty ones kept."""
        separator = self._text("separator") or ";"
        if separator not in (";", "&"):
            raise self._config("the parameter separator must be “;” or “&”")

        def value(v: str) -> str:
            return v if masked and v == MASK else urllib.parse.quote(v, safe="")

        return separator.join(f"{k}={value(v)}" for k, v in params)

    def _method(self) -> str:
        method = (self._text("method") or "POST").upper()
        if method not in ("GET", "POST"):
            raise self._config("the HTTP method must be GET or POST")
        return method

    def _wire(self, path: str, params: list[tuple[str, str]], *, masked: bool) -> WireRequest:
        url = self.base_url() + path
        query = self.encode(params, masked=masked)
        if self._method() == "GET":
            return WireRequest("GET", f"{url}?{query}")
        headers = (("Content-Type", "application/x-www-form-urlencoded"),)
        return WireRequest("POST", url, headers, query)

    def _http_request(self, wire: WireRequest) -> httpx.Request:
        headers = dict(wire.headers)
        return build(
            self.client,
            wire.method,
            wire.url,
            provider=self.name,
            headers=headers,
            content=wire.body.encode() or None,
        )

    def describe(self, request: CallRequest) -> list[WireRequest]:
        params = self.make_params(request, masked=True)
        return [self._wire(MAKE_PATH, params, masked=True)]

    # -- sending and reading -------------------------------------------------------------------
    async def _exchange(self, path: str, params: list[tuple[str, str]]) -> tuple[Envelope, str]:
        wire = self._wire(path, params, masked=False)
        secrets = [self.secrets.get("auth_password", "")]
        response, raw = await send(
            self.client, self._http_request(wire), provider=self.name, secrets=secrets
        )
        envelope = parse_envelope(raw)
        if not response.is_success:
            # Enswitch answers its envelope with HTTP 200. On another status the envelope
            # may name a refusal more precisely, but never turns it into a success or an
            # "unknown": a 401 or 403 refused the request whatever the body says.
            if envelope is not None and envelope.code not in ("200", "204"):
                refusal = self._answer_error(envelope.code, envelope.key, envelope.message, raw)
                if not refusal.maybe_placed:
                    raise refusal
            raise http_status_error(response, self.name, raw)
        if envelope is None:
            raise unexpected_answer(self.name, raw, "not an Enswitch JSON answer")
        return envelope, raw

    async def place_call(self, request: CallRequest) -> CallResult:
        params = self.make_params(request)
        envelope, raw = await self._exchange(MAKE_PATH, params)
        code, key, message = envelope.code, envelope.key, envelope.message
        if code == "200":
            data = envelope.data if isinstance(envelope.data, dict) else {}
            call_id = str(data.get("callid") or "") or None
            where = ", ".join(
                f"{name} {data[name]}"
                for name in ("server", "machine")
                if data.get(name) not in (None, "")
            )
            text = "Enswitch requested the call"
            text += f" (call ID {call_id}{', ' + where if where else ''})." if call_id else "."
            return CallResult(call_id, raw, text)
        if code == "204":
            return CallResult(None, raw, "Enswitch requested the call; it returned no call ID.")
        raise self._answer_error(code, key, message, raw)

    def _answer_error(self, code: str, key: str, message: str, raw: str) -> ProviderError:
        said = f" It said: “{message}”." if message and message.upper() != "OK" else ""
        if code == "400" and key == "cnumber":
            return ProviderError(
                f"Enswitch refused the number.{said}",
                category=ErrorCategory.REJECTED_NUMBER,
                raw=raw,
            )
        if code == "400" and key == "snumber":
            return ProviderError(
                f"Enswitch refused your own line or number (snumber) set in Settings.{said}",
                category=ErrorCategory.REJECTED_NUMBER,
                raw=raw,
            )
        if code == "400":
            name = f"the setting “{key}”" if key else "a setting"
            return ProviderError(
                f"Enswitch refused {name} of profile “{self.name}”.{said}",
                category=ErrorCategory.CONFIG,
                raw=raw,
            )
        if code == "401":
            return ProviderError(
                "Enswitch refused the user name or password.",
                category=ErrorCategory.CREDENTIALS,
                raw=raw,
            )
        if code == "402":
            return ProviderError(
                "Your Enswitch role does not allow making calls this way.",
                category=ErrorCategory.NOT_PERMITTED,
                raw=raw,
            )
        if code == "403":
            return ProviderError(
                "Your Enswitch rate plan does not allow this call.",
                category=ErrorCategory.NOT_PERMITTED,
                raw=raw,
            )
        return unexpected_answer(self.name, raw, f"answer code {code or 'missing'}")

    # -- after "accepted" ----------------------------------------------------------------------
    @classmethod
    def capabilities(cls, profile: ProviderProfile) -> Capabilities:
        """Live legs and hang-up, when ``follow_calls`` is on and a ``wait`` brings a call ID."""
        if not profile.get("follow_calls", True):
            return Capabilities(note="Following calls is turned off for this profile.")
        try:
            wait = int(profile.get("wait", 5) or 0)
        except (TypeError, ValueError):
            wait = 0
        if wait <= 0:
            return Capabilities(
                note="Enswitch gives a call ID only when “wait” is set, so this dialer cannot "
                "follow these calls: check your phone."
            )
        return Capabilities(Follows.LIVE, hang_up=True, cancel=True)

    @property
    def _followed(self) -> FollowMemory:
        if self._memory is None:
            self._memory = FollowMemory()
        return self._memory

    async def _quiet_exchange(
        self, path: str, params: list[tuple[str, str]]
    ) -> tuple[Envelope, str]:
        """``_exchange`` for requests that never place a call: no error says "may ring"."""
        try:
            return await self._exchange(path, params)
        except ProviderError as exc:
            exc.maybe_placed = False
            raise

    async def progress(self, call_ids: Sequence[str]) -> list[Progress]:
        return await enswitch_follow.progress(
            self._quiet_exchange, self._credentials(masked=False), self._followed, call_ids
        )

    async def end_call(self, call_id: str) -> str:
        return await enswitch_follow.end_call(
            self._quiet_exchange, self._credentials(masked=False), self._followed, call_id
        )

    async def check(self) -> str:
        """List active calls for an impossible call ID: read-only proof of address and login."""
        params = [*self._credentials(masked=False), ("callid", CHECK_CALLID)]
        try:
            envelope, raw = await self._exchange(LIST_PATH, params)
        except ProviderError as exc:
            exc.maybe_placed = False  # listing calls never places one
            raise
        if envelope.code in ("200", "204"):
            return f"Enswitch accepted the login of “{self._text('auth_username')}”."
        if envelope.code == "402":
            return (
                "Enswitch accepted the login, but this role may not list calls; "
                "placing calls may still work."
            )
        error = self._answer_error(envelope.code, envelope.key, envelope.message, raw)
        error.maybe_placed = False
        raise error


class Envelope:
    """The first entry of ``responses`` and the optional ``data``."""

    __slots__ = ("code", "data", "key", "message")

    def __init__(self, code: str, key: str, message: str, data: Any) -> None:
        self.code, self.key, self.message, self.data = code, key, message, data


def loads_lenient(text: str) -> Any:
    """``json.loads``, forgiving a trailing comma before ``}`` or ``]``.

    The documentation prints ``"data":{...}, }``; a server built from the same template
    could answer exactly that, and the call has been placed by then.
    """
    try:
        return read_json(text)
    except AnswerOutOfBounds:
        raise  # commas do not change the size or the depth
    except ValueError:
        return read_json(_TRAILING_COMMA.sub(r"\1", text))


def parse_envelope(raw: str) -> Envelope | None:
    """The answer's code, key, message and data; ``None`` if it is not Enswitch's shape."""
    try:
        body = loads_lenient(raw)  # JSON allows the whitespace around it
    except ValueError:  # not JSON, cut, or nested too deeply
        return None
    if not isinstance(body, dict):
        return None
    responses = body.get("responses")
    if not isinstance(responses, list) or not responses or not isinstance(responses[0], dict):
        return None
    first = responses[0]
    code = first.get("code")
    if not isinstance(code, str | int) or isinstance(code, bool):
        return None
    return Envelope(
        str(code).strip(),
        str(first.get("key") or ""),
        str(first.get("message") or ""),
        body.get("data"),
    )
