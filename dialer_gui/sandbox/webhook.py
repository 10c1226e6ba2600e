"""A generic click-to-call endpoint for the webhook provider: ``/webhook/call``.

GET reads ``number`` from the query; POST and PUT read it from a JSON body (``number``) or a
form body, falling back to the query. ``Authorization: Bearer DEMO_TOKEN`` is required.
Answers ``{"ok": true, "id": "wh-<n>"}``; 401 ``{"ok": false, ...}`` for a wrong token; 400 for
a missing or non-numeric number.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Any

from dialer_gui.sandbox import demo
from dialer_gui.sandbox.server import Fault, Request, Response

API = "webhook"
PATH = "/webhook/call"
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
        return Response.json({"ok": True, "id": f"wh-{count}", "data": {"status": "queued"}})

    sandbox.route(API, {"GET", "POST", "PUT"}, PATH, call)


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
        },
        {"token": demo.WEBHOOK_TOKEN},
    )
