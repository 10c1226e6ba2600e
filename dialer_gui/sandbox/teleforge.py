"""Simulator of Teleforge Click2Dial: ``POST /click2dial/calls`` and the CDR it leaves in Redis.

Values are checked with the rules the documentation describes (the provider shares the regexes)
and violations get a 400 with a JSON error; the real server's answers are undocumented, so the
success status is a knob. An accepted call, when the sandbox has a Redis, is followed after
``sandbox.cdr_delay`` seconds by an end-of-call CDR pushed on ``enigma:notifications:cdr``:
the v3 shape when the request used ``contact_ref``, the older shape when it used ``call_ref``.

Knobs in ``sandbox.state``:
    ``teleforge_status``: HTTP status of an accepted call (default 201).
    ``teleforge_end_reason``: disposition of the CDR (default ``hungup``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from dialer_gui.providers.teleforge import AGENT_RE, CALLEE_RE, OUTBOUND_ID_RE, REF_MAX, REF_RE
from dialer_gui.sandbox import demo
from dialer_gui.sandbox.server import Fault, Request, Response

log = logging.getLogger("dialer_gui.sandbox.teleforge")

API = "teleforge"
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
        if not isinstance(value, str) or not rule.match(value):
            return error(f"invalid {name}")
        fields[name] = value
    ref_field = "contact_ref" if "contact_ref" in data else "call_ref"
    ref = data.get(ref_field)
    if ref is None:
        ref = f"c2d-{time.time_ns()}"
    if not isinstance(ref, str) or not REF_RE.match(ref[:REF_MAX]):
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
        count = sandbox.state.get("teleforge_calls", 0) + 1
        sandbox.state["teleforge_calls"] = count
        if sandbox.redis_url:
            end_reason = sandbox.state.get("teleforge_end_reason", "hungup")
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
