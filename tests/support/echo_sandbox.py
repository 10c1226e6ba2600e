"""The simulator of the throwaway ``echo`` API: ``POST /echo/call`` with ``X-Token``."""

from __future__ import annotations

from typing import Any

from dialer_gui.sandbox import demo
from dialer_gui.sandbox.server import Fault, Request, Response

API = "echo"
TOKEN = "echo-demo-token"


def register(sandbox: Any) -> None:
    """Add ``/echo/call`` to the sandbox; ``sandbox.state["echo_calls"]`` lists who was rung.

    Following: ``/echo/status`` answers each asked ID with the next step of the lifecycle the
    test put in ``state["echo_lifecycle"]`` (a list of ``{"state", "leg"}`` dicts, one step per
    look, the last repeated); ``state["echo_status"]`` counts the looks and
    ``state["echo_status_fault"]`` makes them fail (403, 500, "garbage" or "unknown").
    ``/echo/hangup`` ends a call: it is then reported ``hung_up`` or ``cancelled``.
    """
    calls: list[tuple[str, str]] = sandbox.state.setdefault("echo_calls", [])
    steps: dict[str, int] = {}
    ended: dict[str, str] = {}
    sandbox.state.setdefault("echo_status", 0)
    sandbox.state.setdefault("echo_hangups", [])

    async def call(request: Request, fault: Fault | None) -> Response:
        if request.header("x-token") != TOKEN:
            return Response.json({"error": "bad token"}, 401)
        body = request.json()
        calls.append((str(body["from"]), str(body["to"])))
        return Response.json({"id": f"echo-{len(calls)}"})

    async def status(request: Request, fault: Fault | None) -> Response:
        if request.header("x-token") != TOKEN:
            return Response.json({"error": "bad token"}, 401)
        sandbox.state["echo_status"] += 1
        trouble = sandbox.state.get("echo_status_fault")
        if trouble == 403:
            return Response.json({"error": "not allowed"}, 403)
        if trouble == 500:
            return Response.json({"error": "down"}, 500)
        if trouble == "garbage":
            return Response(200, b"<html>oops", "text/html")
        lifecycle = sandbox.state.get("echo_lifecycle") or []
        answers = []
        for call_id in request.json()["ids"]:
            if trouble == "unknown":
                continue
            if call_id in ended:
                answers.append({"id": call_id, "state": ended[call_id]})
                continue
            if not lifecycle:
                continue
            step = min(steps.get(call_id, 0), len(lifecycle) - 1)
            steps[call_id] = step + 1
            answers.append({"id": call_id, **lifecycle[step]})
        return Response.json({"calls": answers})

    async def hangup(request: Request, fault: Fault | None) -> Response:
        if request.header("x-token") != TOKEN:
            return Response.json({"error": "bad token"}, 401)
        call_id = str(request.json()["id"])
        placed = {f"echo-{n}" for n in range(1, len(calls) + 1)}
        if call_id not in placed or call_id in ended:
            return Response.json({"error": "no such call"}, 404)
        lifecycle = sandbox.state.get("echo_lifecycle") or [{}]
        step = min(max(steps.get(call_id, 0) - 1, 0), len(lifecycle) - 1)
        connected = lifecycle[step].get("state") == "connected"
        ended[call_id] = "hung_up" if connected else "cancelled"
        sandbox.state["echo_hangups"].append(call_id)
        return Response.json({"ok": True})

    sandbox.route(API, {"POST"}, "/echo/call", call)
    sandbox.route(API, {"POST"}, "/echo/status", status)
    sandbox.route(API, {"POST"}, "/echo/hangup", hangup)


def demo_profile(base: str, _redis_url: str = "") -> demo.DemoProfile:
    return demo.DemoProfile({"url": base, "extension": "201"}, {"token": TOKEN})
