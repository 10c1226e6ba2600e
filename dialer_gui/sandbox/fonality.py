"""Simulator of Fonality's ``call.cgi``.

``POST /call.cgi?`` with a form body: ``method=login`` gives a 16-character token, and
``method=dial`` with a known token answers ``Placing call now``. The documented success bodies are
copied byte for byte (capital ``M``, the space after the first comma). Failure bodies are not
documented; these follow the shape of the success ones.

Also accepted, as a public client does: a GET with the parameters in the query. Requests without
``X-Requested-By: FonalityClickToDial`` are refused, as the vendor says plain requests cannot call.

State (``sandbox.state``): ``fonality_tokens`` is the set of valid tokens (clear it to expire them);
``fonality_calls`` lists the numbers dialed.
"""

from __future__ import annotations

import secrets
import string
import urllib.parse
from typing import Any

from dialer_gui.sandbox import demo
from dialer_gui.sandbox.server import Fault, Request, Response

PATH = "/call.cgi"
LOGIN_OK = '{"result":"Success", "Message":"Login Successfully","token":"%s"}'
DIAL_OK = '{"result":"Success", "Message":"Placing call now"}'


def _failure(message: str) -> Response:
    return Response.text(f'{{"result":"Failure", "Message":"{message}"}}', 200, "application/json")


def register(sandbox: Any) -> None:
    """Add ``/call.cgi`` to the sandbox."""
    state: dict[str, Any] = sandbox.state
    state.setdefault("fonality_tokens", set())
    state.setdefault("fonality_calls", [])

    async def call_cgi(request: Request, fault: Fault | None) -> Response:
        if request.method == "GET":
            params = dict(urllib.parse.parse_qsl(request.query, keep_blank_values=True))
        else:
            params = request.form()
        if request.header("X-Requested-By") != "FonalityClickToDial":
            return _failure("Invalid request")
        method = params.get("method", "")
        if method == "login":
            return login(params, fault)
        if method == "dial":
            return dial(params, fault)
        return _failure("Unknown method")

    def login(params: dict[str, str], fault: Fault | None) -> Response:
        kind = fault.kind if fault else None
        good = (params.get("user"), params.get("pass")) == (
            demo.FONALITY_USER,
            demo.FONALITY_PASSWORD,
        )
        if kind == "bad_credentials" or not good:
            return _failure("Login Failed")
        alphabet = string.ascii_letters + string.digits
        token = "".join(secrets.choice(alphabet) for _ in range(16))
        state["fonality_tokens"].add(token)
        return Response.text(LOGIN_OK % token, 200, "application/json")

    def dial(params: dict[str, str], fault: Fault | None) -> Response:
        kind = fault.kind if fault else None
        if kind == "bad_credentials" or params.get("token") not in state["fonality_tokens"]:
            return _failure("Invalid token")
        if kind == "not_permitted":
            return _failure("Permission denied: this user may not place calls")
        number = params.get("number", "")
        digits = "".join(c for c in number if c.isdigit())
        if kind == "reject_number" or not 3 <= len(digits) <= 15:
            return _failure("Invalid number")
        state["fonality_calls"].append(number)
        return Response.text(DIAL_OK, 200, "application/json")

    sandbox.route("fonality", {"POST", "GET"}, PATH, call_cgi)


def demo_profile(base: str, _redis_url: str = "") -> demo.DemoProfile:
    """The demo profile of this API against a sandbox at ``base``, with its secrets."""
    return demo.DemoProfile(
        {"url": base, "user": demo.FONALITY_USER, "callerid": demo.FONALITY_CALLERID},
        {"password": demo.FONALITY_PASSWORD},
    )
