"""A generic click-to-call endpoint for the webhook provider: ``/webhook/call``.

GET reads ``number`` from the query; POST and PUT read it from a JSON body (``number``) or a
form body, falling back to the query. ``Authorization: Bearer DEMO_TOKEN`` is required.
Answers ``{"ok": true, "id": "wh-<n>"}``; 401 ``{"ok": false, ...}`` for a wrong token; 400 for
a missing or non-numeric number.

Each call then lives its scripted life (``sandbox.lifecycle``). ``GET /webhook/status?call_id=``
answers ``{"ok": true, "call": {"id", "status", "talk_seconds"}}`` in this service's own words
(:data:`WORDS`); ``POST /webhook/hangup`` with ``{"call_id": ...}`` ends a running call. Both
need the token, and answer 404 for a call they do not know (or with the ``call_unknown``
fault); ``not_permitted`` is a 403.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Any

from dialer_gui.sandbox import demo
from dialer_gui.sandbox.lifecycle import SimCall
from dialer_gui.sandbox.server import Fault, Request, Response
from dialer_gui.vocabulary.calls import CallState, Leg

API = "webhook"
PATH = "/webhook/call"
STATUS = "/webhook/status"
HANGUP = "/webhook/hangup"
# The simulated service's own words for each state (a made-up vocabulary, as a real one is).
WORDS = {
    (CallState.ACCEPTED, None): "queued",
    (CallState.RINGING, Leg.CALLER): "calling-agent",
    (CallState.ANSWERED, Leg.CALLER): "agent-answered",
    (CallState.RINGING, Leg.CALLEE): "calling-customer",
    (CallState.CONNECTED, Leg.CALLEE): "in-progress",
    (CallState.ENDED, None): "completed",
    (CallState.HUNG_UP, None): "completed",
    (CallState.BUSY, Leg.CALLEE): "busy",
    (CallState.NO_ANSWER, Leg.CALLEE): "no-answer",
    (CallState.NO_ANSWER, Leg.CALLER): "agent-no-answer",
    (CallState.CANCELLED, None): "canceled",
}
# How the demo profile reads them back (``status_states``).
DEMO_STATES = {
    "calling-agent": "ringing",
    "agent-answered": "answered",
    "calling-customer": "ringing:callee",
    "in-progress": "connected",
    "completed": "ended",
    "busy": "busy",
    "no-answer": "no_answer",
    "agent-no-answer": "no_answer:caller",
    "canceled": "cancelled",
}
DEMO_TOKEN = demo.WEBHOOK_TOKEN
_NUMBER = re.compile(r"^\+?[0-9]{2,20}$")


def _number(request: Request) -> str:
    query = dict(urllib.parse.parse_qsl(request.query, keep_blank_values=True))
    if request.method != "GET" and request.body:
        ctype = (request.header("content-type") or "").lower()
        if ctype.startswith("application/json"):
            data = request.json()
            if isinstance(data, dict) and "number" in data:
                return str(data["number"])
        elif ctype.startswith("application/x-www-form-urlencoded"):
            form = request.form()
            if "number" in form:
                return form["number"]
    return query.get("number", "")


def register(sandbox: Any) -> None:
    """Add the generic webhook endpoint to the sandbox."""

    async def call(request: Request, fault: Fault | None) -> Response:
        token = request.header("authorization") or ""
        if token != f"Bearer {DEMO_TOKEN}" or (fault and fault.kind == "bad_credentials"):
            return Response.json({"ok": False, "error": "invalid token"}, 401)
        if fault is not None and fault.kind == "not_permitted":
            return Response.json({"ok": False, "error": "not allowed"}, 403)
        try:
            number = _number(request)
        except ValueError:
            return Response.json({"ok": False, "error": "body is not JSON"}, 400)
        if not _NUMBER.match(number) or (fault and fault.kind == "reject_number"):
            return Response.json({"ok": False, "error": "invalid number"}, 400)
        count = sandbox.state.get("webhook_calls", 0) + 1
        sandbox.state["webhook_calls"] = count
        sandbox.new_call(API, f"wh-{count}", "", number)
        return Response.json({"ok": True, "id": f"wh-{count}", "data": {"status": "queued"}})

    def known(request: Request, fault: Fault | None, call_id: str) -> SimCall | Response:
        token = request.header("authorization") or ""
        if token != f"Bearer {DEMO_TOKEN}" or (fault and fault.kind == "bad_credentials"):
            return Response.json({"ok": False, "error": "invalid token"}, 401)
        if fault is not None and fault.kind == "not_permitted":
            return Response.json({"ok": False, "error": "not allowed"}, 403)
        found: SimCall | None = sandbox.calls.get(API, call_id)
        if found is None or (fault is not None and fault.kind == "call_unknown"):
            return Response.json({"ok": False, "error": "no such call"}, 404)
        return found

    async def status(request: Request, fault: Fault | None) -> Response:
        query = dict(urllib.parse.parse_qsl(request.query, keep_blank_values=True))
        found = known(request, fault, query.get("call_id", ""))
        if isinstance(found, Response):
            return found
        now = sandbox.calls.now()
        step = found.step(now)
        word = WORDS.get((step.state, step.leg)) or WORDS[(step.state, None)]
        talk = int(found.talk(now))
        return Response.json({"ok": True, "call": {"id": found.call_id, "status": word,
                                                   "talk_seconds": talk}})  # fmt: skip

    async def hangup(request: Request, fault: Fault | None) -> Response:
        try:
            data = request.json() if request.body else {}
        except ValueError:
            return Response.json({"ok": False, "error": "body is not JSON"}, 400)
        call_id = str(data.get("call_id", "")) if isinstance(data, dict) else ""
        found = known(request, fault, call_id)
        if isinstance(found, Response):
            return found
        if sandbox.calls.hang_up(found) is None:
            return Response.json({"ok": False, "error": "no such call"}, 404)
        return Response.json({"ok": True})

    sandbox.route(API, {"GET", "POST", "PUT"}, PATH, call)
    sandbox.route(API, {"GET"}, STATUS, status)
    sandbox.route(API, {"POST"}, HANGUP, hangup)


def demo_profile(base: str, _redis_url: str = "") -> demo.DemoProfile:
    """The demo profile of this API against a sandbox at ``base``, with its secrets."""
    return demo.DemoProfile(
        {
            "url": f"{base}{PATH}",
            "method": "POST",
            "headers": {"Authorization": "Bearer {token}"},
            "body": demo.WEBHOOK_BODY,
            "body_format": "json",
            "success_json_path": "ok",
            "success_value": "true",
            "call_id_json_path": "id",
            "status_url": f"{base}{STATUS}?call_id={{call_id}}",
            "status_json_path": "call.status",
            "status_states": dict(DEMO_STATES),
            "status_duration_json_path": "call.talk_seconds",
            "hangup_url": f"{base}{HANGUP}",
            "hangup_body": '{"call_id": "{call_id}"}',
        },
        {"token": demo.WEBHOOK_TOKEN},
    )
