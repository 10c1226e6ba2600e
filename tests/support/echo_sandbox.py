"""The simulator of the throwaway ``echo`` API: ``POST /echo/call`` with ``X-Token``."""

from __future__ import annotations

from typing import Any

from dialer_gui.sandbox import demo
from dialer_gui.sandbox.server import Fault, Request, Response

API = "echo"
TOKEN = "echo-demo-token"


def register(sandbox: Any) -> None:
    """Add ``/echo/call`` to the sandbox; ``sandbox.state["echo_calls"]`` lists who was rung."""
    calls: list[tuple[str, str]] = sandbox.state.setdefault("echo_calls", [])

    async def call(request: Request, fault: Fault | None) -> Response:
        if request.header("x-token") != TOKEN:
            return Response.json({"error": "bad token"}, 401)
        body = request.json()
        calls.append((str(body["from"]), str(body["to"])))
        return Response.json({"id": f"echo-{len(calls)}"})

    sandbox.route(API, {"POST"}, "/echo/call", call)


def demo_profile(base: str, _redis_url: str = "") -> demo.DemoProfile:
    return demo.DemoProfile({"url": base, "extension": "201"}, {"token": TOKEN})
