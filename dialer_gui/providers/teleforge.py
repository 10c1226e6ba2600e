"""Teleforge Click2Dial: ``POST <server>:<port>/click2dial/calls`` with a JSON body.

The API has no authentication (each integrator gets its own port) and its documentation shows
no answer body, so a 2xx alone proves nothing. A 2xx counts as "accepted" only when its JSON
says yes (a ``status`` such as ``queued`` or ``ok``, ``success``/``ok`` true, or our own
reference echoed back); one that says error is a refusal with its reason; anything else (empty,
unreadable, neither yes nor no) is "unknown", since the PBX may have dialed. The outcome arrives
later as a CDR on Redis (``providers.teleforge_cdr``), which also completes an "unknown" call: we
send our own reference with every call and use it as the call ID; the CDR carries it back as
``contact_ref`` (v3 and later) or ``call_ref`` (the field's name before v3, still accepted).

Only South African formats are dialable. Values are checked against the documented rules before
anything is sent, so a wrong number is explained instead of dropped silently by the PBX.
"""

from __future__ import annotations

import asyncio
import json
import re
import urllib.parse
from collections.abc import Sequence
from typing import Any, ClassVar

from dialer_gui.providers.base import (
    CallRequest,
    CallResult,
    OnFeedStatus,
    OnOutcome,
    OutcomeListener,
    Provider,
    WireRequest,
)
from dialer_gui.providers.errors import ErrorCategory, ProviderError
from dialer_gui.providers.http import (
    build,
    http_status_error,
    read_json,
    send,
    unexpected_answer,
)
from dialer_gui.vocabulary.calls import Capabilities, Follows, Outcome, Progress
from dialer_gui.vocabulary.fields import Field, FieldKind
from dialer_gui.vocabulary.profiles import ProviderProfile

CALLS_PATH = "/click2dial/calls"
DEFAULT_PORT = 8300  # since Click2Dial v3.3
# The documentation links its regexes without printing them; these follow its prose, with ASCII
# digits only (``\d`` would also take other scripts' digits, which no PBX dials).
AGENT_RE = re.compile(r"^([0-9]{3,4}|0[0-9]{9}|27[0-9]{9}|00[0-9]{11,14})$")
CALLEE_RE = re.compile(r"^(0[0-9]{9}|27[0-9]{9}|00[0-9]{11,14})$")
# "random" (from v2.3.0, needs Teleforge set-up), tvc_<campaign_name> (the documentation sets no
# rule for the name: any printable ASCII without spaces, as Teleforge named the campaign),
# 0820001234 or 27820001234.
OUTBOUND_ID_RE = re.compile(r"^(random|tvc_[!-~]+|0[0-9]{9}|27[0-9]{9})$")
REF_RE = re.compile(r"^[A-Za-z0-9.\-_~:]{0,230}$")
REF_MAX = 230
_REF_BAD = re.compile(r"[^A-Za-z0-9.\-_~:]")
# Words of an answer's "status" (lower-cased): the PBX said yes, or said no.
YES_STATUSES = frozenset({"queued", "accepted", "ok", "success", "created"})
NO_STATUSES = frozenset({"error", "failed", "failure", "fail", "rejected", "invalid"})
CALLER_ID_HINT = (
    "27820001234 (recommended), 0820001234 (carriers often reject it), tvc_<campaign> for "
    "Verified Services, or “random” (Click2Dial v2.3 and later, needs Teleforge set-up)"
)

CALLEE_RULES = (
    "Teleforge only dials South African numbers written as 0820001234 (10 digits), "
    "27820001234 (11 digits) or 0027820001234 (13 to 16 digits starting with 00)"
)


def contact_ref(reference: str) -> str:
    """Our per-call reference in the documented alphabet, cut to the documented length."""
    ref = _REF_BAD.sub("-", reference)[:REF_MAX]
    return ref or "dialer-gui"


class TeleforgeProvider(Provider):
    """Click-to-call through Teleforge Click2Dial (v3 ``contact_ref`` or v2 ``call_ref``)."""

    type_name: ClassVar[str] = "teleforge"
    label: ClassVar[str] = "Teleforge Click2Dial"
    # 27820001234: the documented canonical form for South African numbers.
    default_number_format: ClassVar[str] = "e164_no_plus"
    profile_noun: ClassVar[str] = "Teleforge"
    after_accepted: ClassVar[str] = (
        "How each call ended, from the call record Click2Dial pushes to Redis (redis_url): "
        "answered (with billsec as the talk time when a record has one), busy and no answer on "
        "the callee's leg, other dispositions in Teleforge's words. Nothing while a call runs, "
        "and no hang-up: hang up on your phone."
    )
    fields: ClassVar[tuple[Field, ...]] = (
        Field(
            "url",
            "Server address",
            FieldKind.URL,
            "",
            f"The Click2Dial server with its port, for example http://pbx.example.co.za:"
            f"{DEFAULT_PORT} (port {DEFAULT_PORT} when none is given).",
            required=True,
        ),
        Field(
            "agent",
            "Your extension",
            FieldKind.STR,
            "",
            "Your 3 or 4 digit extension, which rings first; or a South African number.",
            required=True,
        ),
        Field(
            "outbound_id",
            "Caller ID",
            FieldKind.STR,
            "",
            f"Required: the caller ID Teleforge shows, one of {CALLER_ID_HINT}.",
            required=True,
        ),
        Field(
            "api_version",
            "Click2Dial version",
            FieldKind.CHOICE,
            "3",
            "3 for Click2Dial v3.0 and later (sends contact_ref); 2 for older servers "
            "(sends call_ref).",
            choices=("3", "2"),
        ),
        Field(
            "redis_url",
            "Redis for call records",
            FieldKind.STR,
            "",
            "Optional, e.g. redis://pbx.example.co.za:6379/0: call outcomes are read from "
            "there. Empty: no outcomes.",
        ),
    )

    # -- settings ------------------------------------------------------------------------------
    def endpoint(self) -> str:
        """``<scheme>://<host>:<port>/click2dial/calls``; port 8300 unless one is given."""
        url = self._text("url")
        if not url:
            raise self._config("the server address is missing")
        if "://" not in url:
            url = "http://" + url
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise self._config("the server address must start with http:// or https://")
        netloc = parts.netloc
        try:
            port = parts.port
        except ValueError:
            raise self._config("the port in the server address is not a number") from None
        if port is None:
            netloc = f"{netloc}:{DEFAULT_PORT}"
        path = parts.path.rstrip("/")
        if path.endswith(CALLS_PATH):
            path = path[: -len(CALLS_PATH)]
        return urllib.parse.urlunsplit((parts.scheme, netloc, path + CALLS_PATH, "", ""))

    def payload(self, request: CallRequest) -> dict[str, str]:
        """The JSON body, in the documented field order; raises before anything is sent."""
        agent = self._text("agent")
        outbound_id = self._text("outbound_id")
        version = self._text("api_version") or "3"
        if not AGENT_RE.match(agent):
            raise self._config(
                "your extension must be 3 or 4 digits, or a South African number"
                if agent
                else "your extension is missing"
            )
        if not outbound_id:
            raise self._config(f"the caller ID is missing: set one of {CALLER_ID_HINT}")
        if not OUTBOUND_ID_RE.match(outbound_id):
            raise self._config(f"the caller ID must be one of {CALLER_ID_HINT}")
        if version not in ("3", "2"):
            raise self._config("the Click2Dial version must be 3 or 2")
        callee = request.dial_string
        if not CALLEE_RE.match(callee):
            raise ProviderError(
                f"Teleforge cannot dial “{callee}”. {CALLEE_RULES}. "
                "For other countries set the number format to “intl_00” in Settings.",
                category=ErrorCategory.REJECTED_NUMBER,
            )
        ref_field = "contact_ref" if version == "3" else "call_ref"
        return {
            "agent": agent,
            "callee": callee,
            "outbound_id": outbound_id,
            ref_field: contact_ref(request.reference),
        }

    def _body(self, request: CallRequest) -> tuple[str, dict[str, str]]:
        payload = self.payload(request)
        return json.dumps(payload, separators=(", ", ": ")), payload

    def describe(self, request: CallRequest) -> list[WireRequest]:
        body, _ = self._body(request)
        headers = (("Content-Type", "application/json"),)
        return [WireRequest("POST", self.endpoint(), headers, body)]

    # -- sending -------------------------------------------------------------------------------
    def expected_call_id(self, request: CallRequest) -> str | None:
        """The reference sent with the call, which the CDR carries back: its call ID."""
        return contact_ref(request.reference)

    async def place_call(self, request: CallRequest) -> CallResult:
        body, payload = self._body(request)
        ref = payload.get("contact_ref") or payload["call_ref"]
        http_request = build(
            self.client,
            "POST",
            self.endpoint(),
            provider=self.name,
            content=body.encode(),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        response, raw = await send(self.client, http_request, provider=self.name, secrets=())
        if response.is_success:
            if "html" in response.headers.get("content-type", "").lower():
                # Click2Dial answers JSON; a web page comes from a proxy or a captive portal,
                # which may or may not have passed the request on.
                raise unexpected_answer(self.name, raw, "a web page instead of Click2Dial")
            self._read_answer(raw, payload)
            outcome = "its outcome arrives by Redis" if self._text("redis_url") else ""
            message = "Teleforge accepted the call request"
            return CallResult(ref, raw, f"{message}; {outcome}." if outcome else f"{message}.")
        if response.status_code == 400:
            raise self._refused(_said(raw), payload, raw)
        if response.status_code in (401, 403, 407):
            # Click2Dial has no credentials (each integrator has its own port): the server, or a
            # proxy in front of it, does not take requests from here.
            raise ProviderError(
                f"The Teleforge server of “{self.name}” did not take the call request "
                f"(HTTP {response.status_code}), so nothing was dialed. Click2Dial takes no "
                "login: each integrator has its own port. Check the port in the server "
                "address in Settings, or ask Teleforge to allow this integrator.",
                category=ErrorCategory.NOT_PERMITTED,
                raw=raw,
            )
        raise http_status_error(response, self.name, raw)

    def _read_answer(self, raw: str, payload: dict[str, str]) -> None:
        """Return if a 2xx answer says the PBX took the call; raise what it says otherwise.

        The documentation shows no answer body, so only an answer that says yes is "accepted";
        one that says no is a refusal (failed); anything else may have dialed ("unknown").
        """
        try:
            data: Any = read_json(raw)
        except ValueError:  # empty, not JSON, cut, or nested too deeply
            raise unexpected_answer(
                self.name, raw, "an empty answer" if not raw.strip() else "not JSON"
            ) from None
        if not isinstance(data, dict):
            raise unexpected_answer(self.name, raw, "not a JSON object")
        status = data.get("status")
        word = status.strip().lower() if isinstance(status, str) else ""
        error = data.get("error")
        if (
            word in NO_STATUSES
            or (isinstance(error, str) and error.strip())
            or data.get("success") is False
            or data.get("ok") is False
        ):
            said = next(
                (
                    data[key].strip()
                    for key in ("error", "message", "detail")
                    if isinstance(data.get(key), str) and data[key].strip()
                ),
                "",
            )
            raise self._refused(f" (“{said[:200]}”)" if said else "", payload, raw)
        ref_field = "contact_ref" if "contact_ref" in payload else "call_ref"
        echoed = data.get(ref_field) == payload[ref_field]
        if word in YES_STATUSES or data.get("success") is True or data.get("ok") is True or echoed:
            return
        raise unexpected_answer(self.name, raw, "an answer that says neither yes nor no")

    def _refused(self, said: str, payload: dict[str, str], raw: str) -> ProviderError:
        """The PBX said no (a 400, or an answer saying error): explained by the field it names."""
        lowered = said.lower()
        nothing = "so nothing was dialed"
        if not said:
            said = " (it gave no reason)"
        if "outbound" in lowered or "caller" in lowered:
            return ProviderError(
                f"Teleforge refused the caller ID “{payload['outbound_id']}” of “{self.name}”"
                f"{said}, {nothing}. Set a caller ID Teleforge accepts in Settings: "
                f"{CALLER_ID_HINT}.",
                category=ErrorCategory.CONFIG,
                raw=raw,
            )
        if "agent" in lowered or "extension" in lowered:
            return ProviderError(
                f"Teleforge refused the extension “{payload['agent']}” of “{self.name}”{said}, "
                f"{nothing}. Check “Your extension” in Settings.",
                category=ErrorCategory.CONFIG,
                raw=raw,
            )
        if "callee" in lowered:
            return ProviderError(
                f"Teleforge refused the number {payload['callee']}{said}, {nothing}. "
                f"{CALLEE_RULES}.",
                category=ErrorCategory.REJECTED_NUMBER,
                raw=raw,
            )
        if "contact_ref" in lowered or "call_ref" in lowered:
            return ProviderError(
                f"Teleforge refused the call reference of “{self.name}”{said}, {nothing}. "
                "If the server is older than Click2Dial v3, set the Click2Dial version to 2 "
                "in Settings.",
                category=ErrorCategory.CONFIG,
                raw=raw,
            )
        return ProviderError(
            f"Teleforge refused the call request of “{self.name}”{said}, {nothing}. "
            f"Check your extension and caller ID in Settings, and the number: {CALLEE_RULES}.",
            category=ErrorCategory.REJECTED_NUMBER,
            raw=raw,
        )

    # -- after "accepted": CDRs from Redis ------------------------------------------------------
    @classmethod
    def capabilities(cls, profile: ProviderProfile) -> Capabilities:
        """How a call ended (its CDR, through the outcome feed) when a Redis is set."""
        if not cls.outcome_feed(profile):
            return Capabilities(
                note="Without a Redis for call records, Teleforge says nothing after it took "
                "a call: check your phone."
            )
        return Capabilities(
            Follows.FINAL,
            note="Teleforge tells how a call ended, not how it is going, and cannot end it "
            "from here: hang up on your phone.",
        )

    async def progress(self, call_ids: Sequence[str]) -> list[Progress]:
        """Nothing to ask: Teleforge's endings arrive by the outcome feed (Redis), never by
        request, so every look is empty."""
        return []

    @classmethod
    def outcome_feed(cls, profile: ProviderProfile) -> str | None:
        """The profile's Redis URL: Click2Dial pushes a record there when each call ends."""
        url = str(profile.get("redis_url") or "").strip()
        return url or None

    @classmethod
    def listen_for_outcomes(
        cls, feed: str, on_outcome: OnOutcome, on_status: OnFeedStatus
    ) -> OutcomeListener:
        # Imported only when needed: redis costs ~100 ms of start-up for everyone else.
        from dialer_gui.providers.teleforge_cdr import CdrListener, CdrRecord

        def on_cdr(record: CdrRecord) -> None:
            on_outcome(
                Outcome(
                    record.reference,
                    record.outcome,
                    _cdr_detail(record),
                    state=record.state,
                    leg=record.leg,
                    duration=record.duration,
                )
            )

        return CdrListener(feed, on_cdr, on_status=on_status)

    async def check(self) -> str:
        """Open (and close) a TCP connection to the server, and PING Redis if one is set.

        Click2Dial has no read-only request, and any POST would dial, so nothing is sent.
        """
        parts = urllib.parse.urlsplit(self.endpoint())
        host, port = parts.hostname or "", parts.port or DEFAULT_PORT
        timeout = float(self.option("timeout") or 10.0)
        try:
            _reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
        except (OSError, TimeoutError) as exc:
            raise ProviderError(
                f"Could not reach the Teleforge server at {host}:{port}.",
                category=ErrorCategory.UNREACHABLE,
            ) from exc
        writer.close()
        await writer.wait_closed()
        text = f"The Teleforge server at {host}:{port} accepts connections."
        redis_url = self._text("redis_url")
        if redis_url:
            text += " " + await _ping_redis(redis_url, timeout)
        return text


def _cdr_detail(record: Any) -> str:
    parts = []
    if getattr(record, "call_time", None) is not None:
        parts.append(f"call time {record.call_time} s")
    if getattr(record, "recording_url", None):
        parts.append(f"recording {record.recording_url}")
    return ", ".join(parts)


def _said(raw: str) -> str:
    """The PBX's own words from a JSON error body, if it has any."""
    try:
        body: Any = read_json(raw)
    except ValueError:  # not JSON, cut, or nested too deeply: no words to quote
        return ""
    if isinstance(body, dict):
        for key in ("error", "message", "detail"):
            if isinstance(body.get(key), str) and body[key]:
                return f" (“{body[key][:200]}”)"
    return ""


async def _ping_redis(url: str, timeout: float) -> str:
    from redis.asyncio import Redis
    from redis.exceptions import RedisError

    try:
        client: Redis = Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    except ValueError as exc:
        raise ProviderError(
            "The Redis address must look like redis://host:6379/0.",
            category=ErrorCategory.CONFIG,
        ) from exc
    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        raise ProviderError(
            "The Teleforge server answers, but its Redis (for call outcomes) does not.",
            category=ErrorCategory.UNREACHABLE,
        ) from exc
    finally:
        await client.aclose()
    return "Its Redis answers, so call outcomes will arrive."
