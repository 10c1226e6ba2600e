"""Fonality hosted PBX: ``call.cgi`` with a login token.

Two form-encoded POSTs to ``<url>/call.cgi?`` (the literal trailing ``?`` as in the vendor's curl):
``method=login`` returns a token, ``method=dial`` uses it. The vendor's notes say the token lives
until the user logs out, that clients re-login when a dial fails, and that a new token every four
hours is recommended; this provider caches the token per instance and does all three, but sends
a dial again only when that is safe (below).

Failure bodies are not documented. A login answer without a ``token`` is a refused login (as in
the public Odoo client). A dial answer's ``result`` is read as: ``Success``, placed; a failure
word (``Failure``, ``Failed``, ``Error``), the PBX said no, so nothing rang; anything else, the
PBX may have dialed ("unknown"). A refused dial is sent again, after one new login, only when its
``Message`` says the token itself was invalid or expired: that proves the PBX refused the request
before dialing, and that a new token is what it lacked. A message that merely sounds like a
session problem ("Your phone is not logged in") proves neither, so it is reported, never re-sent.
"""

from __future__ import annotations

import asyncio
import re
import time
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any

from dialer_gui.providers.base import CallRequest, CallResult, Provider, WireRequest
from dialer_gui.providers.errors import ErrorCategory, ProviderError
from dialer_gui.providers.http import build, http_status_error, read_json, send, unexpected_answer
from dialer_gui.providers.redaction import MASK
from dialer_gui.vocabulary.calls import Capabilities
from dialer_gui.vocabulary.fields import Field, FieldKind
from dialer_gui.vocabulary.profiles import ProviderProfile

# Not at run time: httpx costs ~70 ms of start-up; it is imported by providers.http when the
# first client is built, in the warm-up thread.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import httpx

TOKEN_MAX_AGE = 4 * 3600.0  # the vendor recommends re-negotiating every 4 hours
REQUESTED_BY = "FonalityClickToDial"
FORM = "application/x-www-form-urlencoded"
# The only refusal that proves a new login may help: the Message says the token itself is bad.
TOKEN_REFUSED = re.compile(
    r"\b(invalid|expired|unknown|bad|wrong|stale)\b[\w ]{0,20}?\btoken\b"
    r"|\btoken\b[\w ]{0,20}?\b(invalid|expired|unknown|not valid|no longer valid)\b",
    re.IGNORECASE,
)
# ``result`` words that say the PBX did not dial; any other non-Success result may have dialed.
FAILURE_RESULTS = frozenset({"failure", "failed", "fail", "error"})
# Why a login request failed, by category; the login never dials, so nothing "may ring".
LOGIN_FAILURES = {
    ErrorCategory.UNREACHABLE: "the server could not be reached (check the address and network)",
    ErrorCategory.TIMEOUT: "the server did not answer in time",
    ErrorCategory.TLS: "its certificate is not trusted (set a CA file in Settings)",
    ErrorCategory.CONFIG: "the address is not a valid http:// or https:// URL",
}
DENIED_WORDS = ("permission", "denied", "not allowed", "not permitted", "unauthori")
# A refusal about the user's own phone (not registered, not logged in): it never rang.
PHONE_WORDS = ("phone", "device", "extension", "handset")
NUMBER_WORDS = ("number", "destination", "digits", "dial string")


class FonalityProvider(Provider):
    """Click-to-call through Fonality's ``call.cgi`` with the user's HUD login."""

    type_name = "fonality"
    label = "Fonality (call.cgi)"
    default_number_format = "e164_no_plus"  # the doc's example: 15551231234
    after_accepted = (
        "Nothing: call.cgi has no status, list or hang-up method, so “accepted” is the last "
        "word; check your phone."
    )
    fields = (
        Field(
            "url",
            "Control panel address",
            FieldKind.URL,
            "",
            "Your Fonality CP server, for example https://cp52-2.fonality.com "
            "(the dialer adds /call.cgi?).",
            required=True,
        ),
        Field("user", "HUD user name", FieldKind.STR, "", "Your HUD login.", required=True),
        Field(
            "password", "HUD password", FieldKind.SECRET, "", "Your HUD password.", required=True
        ),
        Field(
            "callerid",
            "Outbound caller ID",
            FieldKind.STR,
            "",
            "Number shown to the people you call; empty keeps the PBX's choice.",
        ),
    )

    def __init__(
        self,
        profile: ProviderProfile,
        secrets: Mapping[str, str],
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(profile, secrets, transport=transport)
        self._clock = clock
        self._token: str | None = None
        self._token_at = 0.0
        self._login_lock = asyncio.Lock()

    # -- settings --------------------------------------------------------------------------------
    @property
    def endpoint(self) -> str:
        url = str(self.option("url") or "").strip().rstrip("/")
        if not url:
            raise ProviderError(
                f"The profile “{self.name}” has no Fonality address. "
                "Enter your control panel address in Settings.",
                category=ErrorCategory.CONFIG,
            )
        return f"{url}/call.cgi?"

    def _credentials(self) -> tuple[str, str]:
        user = str(self.option("user") or "")
        password = self.secrets.get("password", "")
        if not user or not password:
            missing = "HUD user name" if not user else "HUD password"
            raise ProviderError(
                f"The profile “{self.name}” has no {missing}. Enter it in Settings.",
                category=ErrorCategory.CONFIG,
            )
        return user, password

    @staticmethod
    def _login_form(user: str, password: str | None) -> str:
        """The login body in the doc's order; ``None`` masks the password (dry run)."""
        form = urllib.parse.urlencode({"method": "login", "user": user})
        return f"{form}&pass={MASK if password is None else urllib.parse.quote_plus(password)}"

    def _dial_form(self, number: str, token: str | None) -> str:
        """The dial body in the doc's order, token last; ``None`` masks the token."""
        params = {"method": "dial", "number": number, "dontmodify": "1"}
        callerid = str(self.option("callerid") or "")
        if callerid:  # optional in the doc; sending it empty might blank the caller ID
            params["callerid"] = callerid
        form = urllib.parse.urlencode(params)
        return f"{form}&token={MASK if token is None else urllib.parse.quote_plus(token)}"

    @staticmethod
    def _login_headers() -> dict[str, str]:
        # "Credals" is the doc's spelling for login; send the real name too, since either may
        # be what the server checks.
        return {
            "Access-Control-Allow-Credals": "true",
            "Access-Control-Allow-Credentials": "true",
            "X-Requested-By": REQUESTED_BY,
            "Content-Type": FORM,
        }

    @staticmethod
    def _dial_headers() -> dict[str, str]:
        return {
            "Access-Control-Allow-Credentials": "true",
            "X-Requested-By": REQUESTED_BY,
            "Content-Type": FORM,
        }

    # -- token -----------------------------------------------------------------------------------
    def _token_fresh(self) -> bool:
        return self._token is not None and self._clock() - self._token_at < TOKEN_MAX_AGE

    async def _get_token(self, *, renew: bool = False, stale: str | None = None) -> str:
        """A valid token, logging in when there is none, it is old, or ``renew`` is asked.

        ``stale`` is the token the caller saw refused; a concurrent caller may already have
        replaced it, in which case no second login is needed.
        """
        async with self._login_lock:
            if self._token_fresh() and not (renew and self._token == stale):
                assert self._token is not None
                return self._token
            self._token = None
            token = await self._login()
            self._token, self._token_at = token, self._clock()
            return token

    async def _login(self) -> str:
        user, password = self._credentials()
        request = build(
            self.client,
            "POST",
            self.endpoint,
            provider=self.name,
            headers=self._login_headers(),
            content=self._login_form(user, password).encode(),
        )
        try:
            response, raw = await send(
                self.client, request, provider=self.name, secrets=self.secrets.values()
            )
        except ProviderError as exc:
            # Nothing was dialed yet, whatever happened to the login request.
            reason = LOGIN_FAILURES.get(exc.category, "the connection broke")
            raise ProviderError(
                f"Could not log in to Fonality for “{self.name}”: {reason}. No call was made.",
                category=exc.category,
                raw=exc.raw,
            ) from exc
        if response.status_code != 200:
            raise self._login_status_error(response, user, raw)
        data = _json_object(raw)
        if data is None:
            raise ProviderError(
                f"The Fonality server of “{self.name}” answered the login with something that is "
                "not Fonality's format, so no call was made. Check the address in Settings.",
                category=ErrorCategory.UNEXPECTED,
                raw=raw,
            )
        token = data.get("token")
        if not isinstance(token, str) or not token:
            said = _message(data)
            raise ProviderError(
                f"Fonality refused the login of “{user}” for “{self.name}”"
                f"{f' ({said})' if said else ''}. "
                "Check the HUD user name and password in Settings.",
                category=ErrorCategory.CREDENTIALS,
                raw=raw,
            )
        return token

    def _login_status_error(self, response: httpx.Response, user: str, raw: str) -> ProviderError:
        """A login answered with an HTTP status other than 200; the login never dials."""
        code = response.status_code
        if code in (401, 403):
            return ProviderError(
                f"Fonality refused the login of “{user}” for “{self.name}” (HTTP {code}), "
                "so no call was made. Check the HUD user name and password in Settings.",
                category=ErrorCategory.CREDENTIALS,
                raw=raw,
            )
        if code >= 500:
            return ProviderError(
                f"The Fonality server of “{self.name}” had a problem of its own at login "
                f"(HTTP {code}), so no call was made. Try again later, or ask your Fonality "
                "administrator if it goes on.",
                category=ErrorCategory.UNEXPECTED,
                raw=raw,
            )
        err = http_status_error(response, self.name, raw)
        if err.category is ErrorCategory.CONFIG:  # a redirect or no call.cgi at this address
            return ProviderError(
                f"Could not log in to Fonality for “{self.name}”: {err.message} No call was made.",
                category=ErrorCategory.CONFIG,
                raw=raw,
            )
        return ProviderError(
            f"Could not log in to Fonality for “{self.name}”: the server answered "
            f"HTTP {code}, which is not a Fonality answer. No call was made. "
            "Check the address in Settings.",
            category=ErrorCategory.UNEXPECTED,
            raw=raw,
        )

    # -- calls -----------------------------------------------------------------------------------
    async def place_call(self, request: CallRequest) -> CallResult:
        token = await self._get_token()
        try:
            return await self._dial(request, token)
        except _StaleToken:
            pass
        # The PBX said the token is bad, so it did not dial: one new login, one more try.
        token = await self._get_token(renew=True, stale=token)
        try:
            return await self._dial(request, token)
        except _StaleToken as exc:
            self._token = None
            raise ProviderError(
                f"Fonality refused the login token for “{self.name}” even after logging in "
                f"again ({exc.said}). Check the HUD user name and password in Settings.",
                category=ErrorCategory.CREDENTIALS,
                raw=exc.raw,
            ) from None

    async def _dial(self, call: CallRequest, token: str) -> CallResult:
        request = build(
            self.client,
            "POST",
            self.endpoint,
            provider=self.name,
            headers=self._dial_headers(),
            content=self._dial_form(call.dial_string, token).encode(),
        )
        response, raw = await send(
            self.client,
            request,
            provider=self.name,
            secrets=self.secrets.values(),
            extra_secrets=[token],
        )
        if response.status_code != 200:
            raise http_status_error(response, self.name, raw)
        data = _json_object(raw)
        if data is None or "result" not in data:
            raise unexpected_answer(self.name, raw, "not Fonality's JSON")
        said = _message(data)
        result = data["result"]
        word = result.strip().lower() if isinstance(result, str) else ""
        if word == "success":
            return CallResult(call_id=None, raw=raw, message=said or "Placing call now")
        if word not in FAILURE_RESULTS:
            # Neither the documented "Success" nor a word that says no: the PBX may have dialed.
            shown = str(result)[:40] if result not in (None, "") else "(empty)"
            raise unexpected_answer(self.name, raw, f"a result of “{shown}”")
        # From here the PBX said no, so nothing rang: every case is "failed", never re-sent,
        # except a refused token, which proves the PBX did not dial and a new login may help.
        if TOKEN_REFUSED.search(said):
            raise _StaleToken(said, raw)
        lowered = said.lower()
        words = f" (“{said[:200]}”)" if said else " (it gave no reason)"
        if any(word in lowered for word in DENIED_WORDS):
            raise ProviderError(
                f"Fonality does not allow “{self.name}” to place this call{words}. "
                "Nothing was dialed. Ask your Fonality administrator.",
                category=ErrorCategory.NOT_PERMITTED,
                raw=raw,
            )
        if any(word in lowered for word in PHONE_WORDS) and not any(
            word in lowered for word in NUMBER_WORDS
        ):
            # Fonality rings the user's own phone first; it says that phone cannot be rung.
            raise ProviderError(
                f"Fonality did not place the call for “{self.name}”{words}: it could not ring "
                "your own phone first, so nothing was dialed. Check that your phone is "
                "logged in to Fonality, then dial again.",
                category=ErrorCategory.NOT_PERMITTED,
                raw=raw,
            )
        raise ProviderError(
            f"Fonality refused to call {call.dial_string} for “{self.name}”{words}. "
            "Nothing was dialed. Check the number.",
            category=ErrorCategory.REJECTED_NUMBER,
            raw=raw,
        )

    def describe(self, request: CallRequest) -> list[WireRequest]:
        user = str(self.option("user") or "")
        login = self._login_form(user, None)
        dial = self._dial_form(request.dial_string, None)
        return [
            WireRequest("POST", self.endpoint, tuple(self._login_headers().items()), login),
            WireRequest("POST", self.endpoint, tuple(self._dial_headers().items()), dial),
        ]

    @classmethod
    def capabilities(cls, profile: ProviderProfile) -> Capabilities:
        """Nothing after "accepted": call.cgi has no status, list or hang-up method."""
        return Capabilities(note="Fonality tells nothing after it took a call: check your phone.")

    async def check(self) -> str:
        """Log in (a fresh login, which also caches the token); nothing is dialed."""
        user, _ = self._credentials()
        await self._get_token(renew=True, stale=self._token)
        return f"Logged in to Fonality as “{user}”; the profile “{self.name}” can place calls."


class _StaleToken(Exception):
    """The PBX refused a dial because of its token (internal: triggers one re-login)."""

    def __init__(self, said: str, raw: str) -> None:
        super().__init__(said)
        self.said = said
        self.raw = raw


def _json_object(raw: str) -> dict[str, Any] | None:
    try:
        data = read_json(raw)
    except ValueError:  # not JSON, cut, or nested too deeply
        return None
    return data if isinstance(data, dict) else None


def _message(data: Mapping[str, Any]) -> str:
    # The doc writes "Message"; accept the lower-case spelling too.
    value = data.get("Message", data.get("message"))
    return str(value).strip() if value not in (None, "") else ""
