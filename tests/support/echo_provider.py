"""A throwaway provider type, ``echo``, added through the registry alone (tests/test_registry.py).

It is written the way a sixth real provider would be: fields, a JSON POST built and sent through
``providers.http``, an answer read and classified. Its simulator is ``echo_sandbox``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

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
from dialer_gui.providers.http import build, http_status_error, send, unexpected_answer
from dialer_gui.vocabulary.calls import CallState, Capabilities, Follows, Leg, Outcome, Progress
from dialer_gui.vocabulary.fields import Field, FieldKind
from dialer_gui.vocabulary.profiles import ProviderProfile


class EchoFeed:
    """An outcome feed held in memory: the test pushes outcomes, as a PBX would later."""

    running: dict[str, EchoFeed] = {}

    def __init__(self, feed: str, on_outcome: OnOutcome, on_status: OnFeedStatus) -> None:
        self.feed, self.on_outcome, self.on_status = feed, on_outcome, on_status

    def start(self) -> None:
        EchoFeed.running[self.feed] = self

    async def stop(self) -> None:
        EchoFeed.running.pop(self.feed, None)

    def push(self, call_id: str, outcome: str) -> None:
        self.on_outcome(Outcome(call_id, outcome, "pushed by the test"))


class EchoProvider(Provider):
    type_name = "echo"
    label = "Echo PBX (tests)"
    profile_noun = "Echo"
    fields = (
        Field("url", "Server address", FieldKind.URL, "", "Where /echo/call is.", required=True),
        Field("extension", "Your extension", FieldKind.STR, "", "Rings first.", required=True),
        Field("token", "Token", FieldKind.SECRET, None, "Sent as X-Token.", required=True),
        Field("report_outcomes", "Report outcomes", FieldKind.BOOL, False, "Late outcomes."),
        Field("follow", "Follow calls", FieldKind.BOOL, False, "Live progress and hang-up."),
    )

    def _endpoint(self) -> str:
        return self._text("url").rstrip("/") + "/echo/call"

    def _body(self, request: CallRequest) -> str:
        return json.dumps({"from": self._text("extension"), "to": request.dial_string})

    def describe(self, request: CallRequest) -> list[WireRequest]:
        headers = (("X-Token", "•••"), ("Content-Type", "application/json"))
        return [WireRequest("POST", self._endpoint(), headers, self._body(request))]

    async def place_call(self, request: CallRequest) -> CallResult:
        token = self.secrets.get("token", "")
        http_request = build(
            self.client,
            "POST",
            self._endpoint(),
            provider=self.name,
            content=self._body(request).encode(),
            headers={"X-Token": token, "Content-Type": "application/json"},
        )
        response, raw = await send(self.client, http_request, provider=self.name, secrets=[token])
        if response.status_code == 401:
            raise ProviderError("Echo refused the token.", category=ErrorCategory.AUTH, raw=raw)
        if not response.is_success:
            raise http_status_error(response, self.name, raw)
        try:
            call_id = json.loads(raw)["id"]
        except (ValueError, KeyError, TypeError):
            raise unexpected_answer(self.name, raw) from None
        return CallResult(call_id, raw, "Echo accepted the call.")

    @classmethod
    def outcome_feed(cls, profile: ProviderProfile) -> str | None:
        return f"echo-feed:{profile.get('url')}" if profile.get("report_outcomes") else None

    @classmethod
    def listen_for_outcomes(
        cls, feed: str, on_outcome: OnOutcome, on_status: OnFeedStatus
    ) -> OutcomeListener:
        return EchoFeed(feed, on_outcome, on_status)

    # -- after "accepted": POST /echo/status {"ids": [...]} and POST /echo/hangup {"id": ...} --
    @classmethod
    def capabilities(cls, profile: ProviderProfile) -> Capabilities:
        if profile.get("follow"):
            return Capabilities(Follows.LIVE, hang_up=True, cancel=True)
        return Capabilities(note="Echo tells nothing after it took a call.")

    async def _post(self, path: str, body: object) -> tuple[int, str]:
        token = self.secrets.get("token", "")
        http_request = build(
            self.client,
            "POST",
            self._text("url").rstrip("/") + path,
            provider=self.name,
            content=json.dumps(body).encode(),
            headers={"X-Token": token, "Content-Type": "application/json"},
        )
        response, raw = await send(self.client, http_request, provider=self.name, secrets=[token])
        if response.status_code == 403:
            raise ProviderError(
                "This Echo account may not ask about calls.", category=ErrorCategory.NOT_PERMITTED
            )
        if response.status_code == 404:
            raise ProviderError("Echo knows no such call.", category=ErrorCategory.CALL_UNKNOWN)
        if not response.is_success:
            raise http_status_error(response, self.name, raw)
        return response.status_code, raw

    async def progress(self, call_ids: Sequence[str]) -> list[Progress]:
        _status, raw = await self._post("/echo/status", {"ids": list(call_ids)})
        try:
            calls = json.loads(raw)["calls"]
            return [
                Progress(
                    str(c["id"]),
                    CallState(c["state"]),
                    Leg(c["leg"]) if c.get("leg") else None,
                    duration=c.get("duration"),
                )
                for c in calls
            ]
        except (ValueError, KeyError, TypeError):
            raise unexpected_answer(self.name, raw) from None

    async def end_call(self, call_id: str) -> str:
        await self._post("/echo/hangup", {"id": call_id})
        return "Echo ended the call."
