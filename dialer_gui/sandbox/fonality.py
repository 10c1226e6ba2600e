"""Simulator of Fonality's ``call.cgi``.

``POST /call.cgi?`` with a form body: ``method=login`` gives a 16-character token, and
``method=dial`` with a known token answers ``Placing call now``. The documented success bodies are
copied byte for byte (capital ``M``, the space after the first comma). Failure bodies are not
documented; these follow the shape of the success ones.

As strict as the vendor's documentation, which says plain HTTP requests cannot place calls: only
a form-encoded POST is taken, and every request needs ``X-Requested-By: FonalityClickToDial`` and
the CORS-style header of its step: ``Access-Control-Allow-Credentials: true`` for the dial, and
for the login the documentation's spelling ``Access-Control-Allow-Credals: true`` (the correct
spelling is taken too, since the documentation's own curl may be a typo of it). A dial must
carry ``number``, ``dontmodify=1`` and ``token``, as every documented example does.

State (``sandbox.state``): ``fonality_tokens`` is the set of valid tokens (clear it to expire them);
``fonality_calls`` lists the numbers dialed. Knobs: ``fonality_dial_answer`` (a body) is what a
dial with a valid token is answered with instead of dialing, for answers no fault covers (a
refusal in the PBX's own words, a ``result`` no one documents); ``fonality_login_status`` (an
HTTP status) is how every login is answered, with a small HTML page.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from dialer_gui.sandbox import demo
from dialer_gui.sandbox.server import Fault, Request, Response

PATH = "/call.cgi"
FORM = "application/x-www-form-urlencoded"
REQUESTED_BY = "FonalityClickToDial"
LOGIN_OK = '{"result":"Success", "Message":"Login Successfully","token":"%s"}'
DIAL_OK = '{"result":"Success", "Message":"Placing call now"}'
TOKEN_ALPHABET = string.ascii_letters + string.digits


def _failure(message: str) -> Response:
    return Response.text(f'{{"result":"Failure", "Message":"{message}"}}', 200, "application/json")


def _headers_ok(request: Request, method: str) -> bool:
    if request.header("X-Requested-By") != REQUESTED_BY:
        return False
    if (request.header("Content-Type") or "").split(";")[0].strip().lower() != FORM:
        return False
    names: tuple[str, ...] = ("Access-Control-Allow-Credentials",)
    if method == "login":
        names = ("Access-Control-Allow-Credals", "Access-Control-Allow-Credentials")
    return any((request.header(name) or "").strip().lower() == "true" for name in names)


def register(sandbox: Any) -> None:
    """Add ``/call.cgi`` to the sandbox."""
    state: dict[str, Any] = sandbox.state
    state.setdefault("fonality_tokens", set())
    state.setdefault("fonality_calls", [])

    async def call_cgi(request: Request, fault: Fault | None) -> Response:
        params = request.form()
        method = params.get("method", "")
        if not _headers_ok(request, method):
            return _failure("Invalid request")
        if method == "login":
            return login(params, fault)
        if method == "dial":
            return dial(params, fault)
        return _failure("Unknown method")

    def login(params: dict[str, str], fault: Fault | None) -> Response:
        status = state.get("fonality_login_status")
        if status is not None:
            page = f"<html><body><h1>HTTP {int(status)}</h1></body></html>"
            return Response.text(page, int(status), "text/html")
        kind = fault.kind if fault else None
        good = (params.get("user"), params.get("pass")) == (
            demo.FONALITY_USER,
            demo.FONALITY_PASSWORD,
        )
        if kind == "bad_credentials" or not good:
            return _failure("Login Failed")
        token = "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(16))
        state["fonality_tokens"].add(token)
        return Response.text(LOGIN_OK % token, 200, "application/json")

    def dial(params: dict[str, str], fault: Fault | None) -> Response:
        kind = fault.kind if fault else None
        if kind == "bad_credentials" or params.get("token") not in state["fonality_tokens"]:
            return _failure("Invalid token")
        if params.get("dontmodify") != "1" or "number" not in params:
            return _failure("Missing parameters")
        answer = state.get("fonality_dial_answer")
        if answer is not None:
            return Response.text(str(answer), 200, "application/json")
        if kind == "not_permitted":
            return _failure("Permission denied: this user may not place calls")
        number = params["number"]
        digits = "".join(c for c in number if c.isdigit())
        if kind == "reject_number" or not 3 <= len(digits) <= 15:
            return _failure("Invalid number")
        state["fonality_calls"].append(number)
        return Response.text(DIAL_OK, 200, "application/json")

    sandbox.route("fonality", {"POST"}, PATH, call_cgi)


def demo_profile(base: str, _redis_url: str = "") -> demo.DemoProfile:
    """The demo profile of this API against a sandbox at ``base``, with its secrets."""
    return demo.DemoProfile(
        {"url": base, "user": demo.FONALITY_USER, "callerid": demo.FONALITY_CALLERID},
        {"password": demo.FONALITY_PASSWORD},
    )
