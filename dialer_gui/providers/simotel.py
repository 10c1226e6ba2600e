"""Simotel: ``/api/v4/call/originate/act``.

One JSON request with every value as a string, authenticated with HTTP Basic, an ``X-APIKEY``
header, or both. The documentation moved the method from PUT to POST in March 2025, so both are
offered. Simotel answers errors as JSON envelopes (``success``/``message``) even on 4xx statuses,
so the body is read first and the HTTP status is only the fallback.

After "accepted" Simotel tells only how a call ended, from its call record
(``providers.simotel_follow``); it has no request that ends a call.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from dialer_gui.providers import simotel_follow
from dialer_gui.providers.base import CallRequest, CallResult, Provider, WireRequest
from dialer_gui.providers.errors import ErrorCategory, ProviderError
from dialer_gui.providers.following import call_ids
from dialer_gui.providers.http import (
    basic_auth_blob,
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

ORIGINATE = "call/originate/act"
PING = "setting/ping/act"
# Body fields that come from settings, and the setting that fills each one (for messages).
FIELD_SETTINGS = {
    "caller": "Your extension",
    "context": "Context",
    "caller_id": "Caller ID",
    "trunk_name": "Trunk name",
    "timeout": "Answer timeout",
    "call_limit": "Call limit",
}


class SimotelProvider(Provider):
    """Click-to-call through Simotel's originate API."""

    type_name = "simotel"
    label = "Simotel (call originate)"
    # The doc's numbers are local (09371234567); other countries get the caller's IDD prefix.
    default_number_format = "local"
    after_accepted = (
        "How each call ended (ended with its talk time, busy, no answer), read once from the "
        "call records (reports/cdr/search) by the originated_call_id; nothing while it runs, "
        "and no hang-up. The API account needs the reports/cdr/search permission. A call "
        "whose first ring, your phone, is not answered leaves no record, so it stays without "
        "news. follow_calls turns this off."
    )
    fields = (
        Field(
            "url",
            "Simotel address",
            FieldKind.URL,
            "",
            "Your Simotel server, for example http://192.168.51.20 (the dialer adds /api/...).",
            required=True,
        ),
        Field(
            "method",
            "HTTP method",
            FieldKind.CHOICE,
            "POST",
            "Simotel's documentation changed from PUT to POST in 2025. Keep POST; choose PUT "
            "if your Simotel answers 'Method not allowed'.",
            choices=("POST", "PUT"),
        ),
        Field(
            "auth",
            "Authentication",
            FieldKind.CHOICE,
            "both",
            "What your Simotel API account expects: user name and password (basic), "
            "an API key (apikey), or both.",
            choices=("basic", "apikey", "both"),
        ),
        Field("username", "API user name", FieldKind.STR, "", "The Simotel API account."),
        Field("password", "API password", FieldKind.SECRET, "", "Password of the API account."),
        Field("api_key", "API key", FieldKind.SECRET, "", "Sent as the X-APIKEY header."),
        Field(
            "caller",
            "Your extension",
            FieldKind.STR,
            "",
            "The phone that rings first (for example 557).",
            required=True,
        ),
        Field(
            "context",
            "Context",
            FieldKind.STR,
            "main_routing",
            "The route of the first call in Simotel's dial plan.",
        ),
        Field(
            "caller_id",
            "Caller ID",
            FieldKind.STR,
            "",
            "Caller ID for the call; empty uses your extension.",
        ),
        Field(
            "trunk_name",
            "Trunk name",
            FieldKind.STR,
            "",
            "Route of the second call; needed when the first party is an outside number.",
        ),
        Field(
            "timeout_answer",
            "Answer timeout (seconds)",
            FieldKind.INT,
            30,
            "How long Simotel lets your phone ring before giving up.",
        ),
        Field(
            "call_limit",
            "Call limit (seconds)",
            FieldKind.INT,
            None,
            "Longest call allowed; empty for no limit.",
        ),
        Field("api_version", "API version", FieldKind.STR, "v4", "Path segment, such as v4."),
        Field(
            "follow_calls",
            "Follow calls",
            FieldKind.BOOL,
            True,
            "Show how each call ended, read from Simotel's call records (the API account needs "
            "the reports/cdr/search permission).",
        ),
    )

    # -- settings --------------------------------------------------------------------------------
    def _url(self, service: str) -> str:
        base = str(self.option("url") or "").strip().rstrip("/")
        if not base:
            raise self._config("has no Simotel address. Enter it in Settings")
        version = str(self.option("api_version") or "v4").strip("/")
        return f"{base}/api/{version}/{service}"

    def _config(self, what: str) -> ProviderError:
        # Simotel's sentences read "The profile “x” has no ...": the base wording does not fit.
        return ProviderError(f"The profile “{self.name}” {what}.", category=ErrorCategory.CONFIG)

    def _auth_headers(self, *, masked: bool = False) -> list[tuple[str, str]]:
        mode = str(self.option("auth") or "both")
        headers: list[tuple[str, str]] = []
        if mode in ("basic", "both"):
            user = str(self.option("username") or "")
            password = self.secrets.get("password", "")
            if not masked and (not user or not password):
                raise self._config(
                    "needs the API user name and password for Basic authentication. "
                    "Enter them in Settings"
                )
            blob = MASK if masked else basic_auth_blob(user, password)
            headers.append(("Authorization", f"Basic {blob}"))
        if mode in ("apikey", "both"):
            key = self.secrets.get("api_key", "")
            if not masked and not key:
                raise self._config("needs the API key. Enter it in Settings")
            if not masked and not key.isascii():
                # HTTP headers carry ASCII only; refusing here means nothing was sent.
                raise self._config(
                    "has an API key with characters a header cannot carry. "
                    "Copy the key again from Simotel into Settings"
                )
            headers.append(("X-APIKEY", MASK if masked else key))
        headers.append(("Content-Type", "application/json"))
        return headers

    @property
    def _method(self) -> str:
        method = str(self.option("method") or "POST").upper()
        return method if method in ("POST", "PUT") else "POST"

    def _body(self, dial_string: str) -> str:
        caller = str(self.option("caller") or "").strip()
        if not caller:
            raise self._config("has no extension to ring first. Enter “Your extension” in Settings")
        body: dict[str, str] = {
            "caller": caller,
            "callee": dial_string,
            "context": str(self.option("context") or "main_routing"),
            "caller_id": str(self.option("caller_id") or caller),
        }
        trunk = str(self.option("trunk_name") or "")
        if trunk:
            body["trunk_name"] = trunk
        # Every sample sends numbers as strings; do the same.
        body["timeout"] = str(self.option("timeout_answer") or 30)
        limit = self.option("call_limit")
        if limit not in (None, "", 0):
            body["call_limit"] = str(limit)
        return json.dumps(body, separators=(",", ":"))

    def _extra_secrets(self) -> list[str]:
        user = str(self.option("username") or "")
        password = self.secrets.get("password", "")
        return [basic_auth_blob(user, password)] if password else []

    # -- requests --------------------------------------------------------------------------------
    async def _send(
        self, service: str, body: str
    ) -> tuple[httpx.Response, str, dict[str, Any] | None]:
        """Send one request; return the response, its redacted text, and Simotel's envelope."""
        request = build(
            self.client,
            self._method,
            self._url(service),
            provider=self.name,
            headers=self._auth_headers(),
            content=body.encode(),
        )
        response, raw = await send(
            self.client,
            request,
            provider=self.name,
            secrets=self.secrets.values(),
            extra_secrets=self._extra_secrets(),
        )
        try:
            data = read_json(raw)
        except ValueError:  # not JSON, cut, or nested too deeply: the status decides
            data = None
        envelope = data if isinstance(data, dict) and "success" in data else None
        return response, raw, envelope

    async def place_call(self, request: CallRequest) -> CallResult:
        body = self._body(request.dial_string)
        response, raw, envelope = await self._send(ORIGINATE, body)
        status = response.status_code
        # Simotel documents 200, but a proxy or a newer version may say 201/202: any 2xx with
        # success 1 is Simotel taking the call.
        if envelope is not None and _ok(envelope) and response.is_success:
            data = envelope.get("data")
            call_id = data.get("originated_call_id") if isinstance(data, dict) else None
            message = str(envelope.get("message") or "Call requested")
            return CallResult(call_id=str(call_id) if call_id else None, raw=raw, message=message)
        if envelope is not None and (status < 500 or status == 501):
            raise self._refusal(status, envelope, raw, request.dial_string)
        if response.is_success:
            raise unexpected_answer(self.name, raw, "not Simotel's JSON")
        raise http_status_error(response, self.name, raw)

    def _refusal(
        self, status: int, envelope: dict[str, Any], raw: str, number: str
    ) -> ProviderError:
        """Simotel's own error answer (``success`` 0) as a plain sentence."""
        said = str(envelope.get("message") or "").strip()
        quoted = f" (“{said}”)" if said else ""
        lowered = said.lower()
        where = f"Simotel refused the call of “{self.name}”{quoted}"
        if status == 401:
            return ProviderError(
                f"{where}: the API user name, password or key is missing or wrong. "
                "Check them in Settings, and the Authentication choice.",
                category=ErrorCategory.CREDENTIALS,
                raw=raw,
            )
        if status == 403:
            what = (
                "this computer's IP address is not on the API account's allowed list"
                if re.search(r"\bip\b", lowered)
                else "the API account may not use the originate service"
            )
            return ProviderError(
                f"{where}: {what}. Ask your Simotel administrator.",
                category=ErrorCategory.NOT_PERMITTED,
                raw=raw,
            )
        if status == 405:
            other = "PUT" if self._method == "POST" else "POST"
            return ProviderError(
                f"{where}: it does not take {self._method} here. "
                f"Set the HTTP method to {other} in Settings.",
                category=ErrorCategory.CONFIG,
                raw=raw,
            )
        if status == 501:
            return ProviderError(
                f"{where}: this Simotel has no originate service at API version "
                f"“{self.option('api_version')}”. Check the API version in Settings.",
                category=ErrorCategory.CONFIG,
                raw=raw,
            )
        if status in (400, 415):
            return ProviderError(
                f"{where}: it could not read the request (HTTP {status}). "
                "A proxy may be changing it; check the address in Settings.",
                category=ErrorCategory.UNEXPECTED,
                raw=raw,
            )
        if status == 200 and lowered.startswith("field"):
            name = said.split("'")[1] if said.count("'") >= 2 else ""
            if name == "callee":
                return ProviderError(
                    f"{where}: the number {number or '(empty)'} is missing or not accepted.",
                    category=ErrorCategory.REJECTED_NUMBER,
                    raw=raw,
                )
            setting = FIELD_SETTINGS.get(name, name or "a setting")
            return ProviderError(
                f"{where}: check “{setting}” in Settings.",
                category=ErrorCategory.CONFIG,
                raw=raw,
            )
        if status == 200:
            return ProviderError(
                f"{where}. Check the number {number}.",
                category=ErrorCategory.REJECTED_NUMBER,
                raw=raw,
            )
        return ProviderError(
            f"{where} with HTTP {status}.",
            category=ErrorCategory.UNEXPECTED,
            raw=raw,
        )

    def describe(self, request: CallRequest) -> list[WireRequest]:
        return [
            WireRequest(
                self._method,
                self._url(ORIGINATE),
                tuple(self._auth_headers(masked=True)),
                self._body(request.dial_string),
            )
        ]

    # -- after "accepted" ----------------------------------------------------------------------
    @classmethod
    def capabilities(cls, profile: ProviderProfile) -> Capabilities:
        """How a call ended, once it has; nothing while it runs, and no hanging up."""
        if not profile.get("follow_calls", True):
            return Capabilities(note="Following calls is turned off for this profile.")
        return Capabilities(
            Follows.FINAL,
            note="Simotel tells how a call ended, not how it is going, and cannot end it from "
            "here; a call whose first ring (your phone) was not answered leaves no record.",
        )

    async def progress(self, call_ids_: Sequence[str]) -> list[Progress]:
        """One search of your extension's call records for all of the calls."""
        wanted = call_ids(call_ids_)
        if not wanted:
            return []
        caller = str(self.option("caller") or "").strip()
        found: dict[str, Progress] = {}
        for page in range(simotel_follow.MAX_PAGES):
            search = simotel_follow.search_body(caller, wanted, page=page)
            records = await self._records(json.dumps(search, separators=(",", ":")))
            for call_id in wanted:
                if call_id not in found:
                    report = simotel_follow.final_state(call_id, records)
                    if report is not None:
                        found[call_id] = report
            if len(found) == len(wanted) or len(records) < simotel_follow.MAX_RECORDS:
                break
        return [found[call_id] for call_id in wanted if call_id in found]

    async def _records(self, body: str) -> list[dict[str, Any]]:
        """One page of the call-record search."""
        try:
            response, raw, envelope = await self._send(simotel_follow.CDR_SEARCH, body)
        except ProviderError as exc:
            exc.maybe_placed = False
            raise
        if envelope is None or not (_ok(envelope) and response.is_success):
            raise self._search_refusal(response, raw, envelope)
        try:
            return simotel_follow.records_of(envelope)
        except ValueError:
            raise ProviderError(
                "Simotel listed its call records in a way this dialer cannot read.",
                category=ErrorCategory.UNEXPECTED,
                raw=raw,
            ) from None

    def _search_refusal(
        self, response: httpx.Response, raw: str, envelope: dict[str, Any] | None
    ) -> ProviderError:
        status = response.status_code
        said = str((envelope or {}).get("message") or "").strip()
        quoted = f" (“{said[:200]}”)" if said else ""
        if status in (403, 404, 501):
            return ProviderError(
                f"Simotel does not let this API account read call records{quoted}, so this "
                "dialer cannot tell how calls ended; your calls are not affected. Ask your "
                "Simotel administrator for the reports/cdr/search permission.",
                category=ErrorCategory.NOT_PERMITTED,
                raw=raw,
            )
        if status == 401:
            return ProviderError(
                f"Simotel refused the API credentials while reading call records{quoted}.",
                category=ErrorCategory.CREDENTIALS,
                raw=raw,
            )
        if envelope is None and not response.is_success:
            error = http_status_error(response, self.name, raw)
            error.maybe_placed = False
            return error
        return ProviderError(
            f"Simotel gave an answer this dialer cannot read while reading call records{quoted}.",
            category=ErrorCategory.UNEXPECTED,
            raw=raw,
        )

    async def check(self) -> str:
        """Simotel's ping service: proves address, method, credentials and permissions."""
        response, raw, envelope = await self._send(PING, "{}")
        status = response.status_code
        if envelope is not None and _ok(envelope) and response.is_success:
            return f"Simotel answered the test request of “{self.name}”: the settings work."
        if envelope is not None:
            err = self._refusal(status, envelope, raw, "")
            raise ProviderError(
                err.message.replace("refused the call of", "refused the test request of"),
                category=err.category,
                raw=raw,
            )
        if response.is_success:
            raise ProviderError(
                f"The Simotel server of “{self.name}” answered the test request with something "
                "that is not Simotel's format. Check the address in Settings.",
                category=ErrorCategory.UNEXPECTED,
                raw=raw,
            )
        err = http_status_error(response, self.name, raw)
        raise ProviderError(err.message, category=err.category, raw=raw)


def _ok(envelope: dict[str, Any]) -> bool:
    return str(envelope.get("success")).strip().lower() in ("1", "true")
