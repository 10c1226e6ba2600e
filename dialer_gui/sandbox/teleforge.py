"""Simulator of Teleforge Click2Dial: ``POST /click2dial/calls`` and the CDR it leaves in Redis.

Values are checked with the rules the vendor's documentation describes (the patterns below are
written from its prose, not taken from the client, so a mistake in one is caught by the other),
and violations get a 400 with a JSON error naming the field. The real server's answers are not
documented: the success answer here, ``{"status": "queued", <ref field>: <ref>}``, is this
simulator's own, and its status and body are knobs. An accepted call, when the sandbox has a
Redis, is followed after ``sandbox.cdr_delay`` seconds by an end-of-call CDR pushed on
``enigma:notifications:cdr``: the v3 shape when the request used ``contact_ref``, the older
shape when it used ``call_ref``.

Knobs in ``sandbox.state``:
    ``teleforge_status``: HTTP status of an accepted call (default 201).
    ``teleforge_answer``: a body (text) to answer a valid request with instead of placing it,
    for answers no fault covers (``{"status":"error","error":"invalid agent"}`` with 200).
    ``teleforge_end_reason``: disposition of the CDR; unset, the call's scripted life
    (``sandbox.lifecycle``) chooses it: ``hungup`` for an answered call, ``busy``, or
    ``timeout`` when a leg rang out (Teleforge documents no disposition for your own phone
    not answering, so that script ends in ``timeout`` too).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from typing import Any

from dialer_gui.sandbox import demo
from dialer_gui.sandbox.server import Fault, Request, Response

log = logging.getLogger("dialer_gui.sandbox.teleforge")

API = "teleforge"
# The document's value rules; it links its regexes without printing them. ASCII digits only.
# <ext>: a 3-4 digit extension, or (from v2.2.1) the same as <callee>.
# <callee>: 0 + 9 digits; 27 + 9 digits; 00 + 11 to 14 digits (13-16 in all).
# <outbound_id>: 'random' (from v2.3.0), tvc_<campaign_name> (no rule given for the name),
# 0 + 9 digits, 27 + 9 digits.
# <custom_call_ref>: alphanumeric and .-_~:, truncated after 230 characters.
_CALLEE = r"0[0-9]{9}|27[0-9]{9}|00[0-9]{11,14}"
AGENT_RE = re.compile(rf"[0-9]{{3,4}}|{_CALLEE}")
CALLEE_RE = re.compile(_CALLEE)
OUTBOUND_ID_RE = re.compile(r"random|tvc_\S+|0[0-9]{9}|27[0-9]{9}")
REF_RE = re.compile(r"[A-Za-z0-9.\-_~:]*")
REF_MAX = 230
CDR_KEY = "enigma:notifications:cdr"
# ISDN cause codes that go with each disposition (Teleforge's dispositions table).
END_CODES = {
    "hungup": 16,
    "callee_hungup": 16,
    "agent_hungup": 16,
    "voicemail": 16,
    "busy": 17,
    "reject": 21,
    "timeout": 18,
    "error": 28,
    "failed": 0,
}
ANSWERED = {"hungup", "callee_hungup", "agent_hungup", "voicemail", "ANSWER"}
# The disposition each scripted life ends in (see the knob above).
END_REASONS = {
    "answered": "hungup",
    "long": "hungup",
    "busy": "busy",
    "no_answer": "timeout",
    "caller_no_answer": "timeout",
}


def error(message: str, status: int = 400) -> Response:
    return Response.json({"status": "error", "error": message}, status)


def validate(data: Any) -> tuple[dict[str, str], str, str] | Response:
    """The checked fields, the reference and its field name; or a 400 answer."""
    if not isinstance(data, dict):
        return error("payload must be a JSON object")
    fields: dict[str, str] = {}
    for name, rule in (("agent", AGENT_RE), ("callee", CALLEE_RE), ("outbound_id", OUTBOUND_ID_RE)):
        value = data.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not rule.fullmatch(value):
            return error(f"invalid {name}")
        fields[name] = value
    ref_field = "contact_ref" if "contact_ref" in data else "call_ref"
    ref = data.get(ref_field)
    if ref is None:
        ref = f"c2d-{time.time_ns()}"
    if not isinstance(ref, str) or not REF_RE.fullmatch(ref[:REF_MAX]):
        return error(f"invalid {ref_field}")
    return fields, ref[:REF_MAX], ref_field


def make_cdr(
    fields: dict[str, str], ref: str, ref_field: str, end_reason: str, count: int
) -> dict[str, Any]:
    """A CDR as Click2Dial pushes it when a call ends."""
    answered = end_reason in ANSWERED
    payload: dict[str, Any] = {
        "extension": fields["agent"],
        "number": fields["callee"],
        "dial_number": fields["outbound_id"],
        "call_ref": f"{int(time.time())}.{count}",
        "contact_ref": ref,
        "dialed_at": int(time.time()),
        "end_reason": end_reason,
        "end_code": END_CODES.get(end_reason, 16),
        "call_time": 42 if answered else 20,
        "hold_time": 0,
        "call_dir": "outbound",
        "recording_url": f"{int(time.time())}.{count}" if answered else "",
        "ref": "click-dial",
    }
    if ref_field == "call_ref":  # before v3: no "number"; "ref" holds the client's number
        payload["ref"] = payload.pop("number")
    return {"type": "cdr", "payload": payload}


async def push_cdr(redis_url: str, delay: float, cdr: dict[str, Any]) -> None:
    from redis.asyncio import Redis
    from redis.exceptions import RedisError

    await asyncio.sleep(delay)
    client: Redis = Redis.from_url(redis_url)
    try:
        await client.lpush(CDR_KEY, json.dumps(cdr))
    except (RedisError, OSError):
        log.warning("could not push the simulated CDR to %s", redis_url, exc_info=True)
    finally:
        await client.aclose()


def register(sandbox: Any) -> None:
    """Add the Click2Dial route to the sandbox."""

    async def calls(request: Request, fault: Fault | None) -> Response:
        if fault is not None and fault.kind == "bad_credentials":
            return error("integrator not recognised on this port", 401)
        if fault is not None and fault.kind == "not_permitted":
            return error("integrator not allowed to dial", 403)
        if fault is not None and fault.kind == "reject_number":
            return error("invalid callee")
        try:
            data = request.json()
        except ValueError:
            return error("payload is not JSON")
        checked = validate(data)
        if isinstance(checked, Response):
            return checked
        fields, ref, ref_field = checked
        answer = sandbox.state.get("teleforge_answer")
        if answer is not None:
            status = int(sandbox.state.get("teleforge_status", 200))
            return Response.text(str(answer), status, "application/json")
        count = sandbox.state.get("teleforge_calls", 0) + 1
        sandbox.state["teleforge_calls"] = count
        if sandbox.redis_url:
            call = sandbox.new_call(API, ref, fields["agent"], fields["callee"])
            end_reason = sandbox.state.get("teleforge_end_reason") or END_REASONS[call.script]
            cdr = make_cdr(fields, ref, ref_field, end_reason, count)
            sandbox.spawn(push_cdr(sandbox.redis_url, sandbox.cdr_delay, cdr))
        status = int(sandbox.state.get("teleforge_status", 201))
        return Response.json({"status": "queued", ref_field: ref}, status)

    sandbox.route(API, {"POST"}, "/click2dial/calls", calls)


def demo_profile(base: str, redis_url: str = "") -> demo.DemoProfile:
    """The demo profile of this API against a sandbox at ``base``, with its secrets."""
    return demo.DemoProfile(
        {
            "url": base,
            "agent": demo.TELEFORGE_AGENT,
            "outbound_id": demo.TELEFORGE_OUTBOUND_ID,
            "api_version": demo.TELEFORGE_API_VERSION,
            "redis_url": redis_url,
        },
        {},
    )
