"""Simulator of MOR's follow-up APIs: ``active_calls_get``, ``user_calls_get`` and the v2 drop.

Each accepted callback lives its script (``sandbox.lifecycle``). ``/billing/api/active_calls_get``
(hash over ``u``) lists one ``<active_call>`` per leg that is running: your leg goes to the
profile's ``src``, theirs to ``dst``; ``Ringing`` or ``Answered`` with its ``answer_time``.
``/billing/api/user_calls_get`` (hash over the values sent, in the documented order) gives the
records of ended calls, one ``<call>`` per leg with ``dispod`` (``ANSWERED(16)``, ``BUSY(17)``,
``NO ANSWER(19)``) and ``billsec``, filtered by ``s_callback_uniqueid`` and the period.
``/billing/api/v2/authentication/login`` (HTTP Basic: the demo user's name and password) gives
a token; ``DELETE /billing/api/v2/active_calls/<id>`` with it hangs that call up.

Which of these fields real MOR servers fill is partly guessed (see ``providers.mor_follow``),
so the guesses are knobs in ``sandbox.state``:
    ``mor_active_callback_uniqueid``: ``False`` leaves ``callback_uniqueid`` out of active
        calls (the client then matches them by the numbers it dialed).
    ``mor_active_calls_get``: ``False`` mimics a MOR older than X14 (404).
    ``mor_user_calls_denied``: answer "Access Denied" to ``user_calls_get`` alone.
    ``mor_v2``: ``False`` mimics a MOR without the v2 API (404 on its paths).
    ``mor_v2_answer``: ``"string"`` answers a drop exactly as the documentation prints it
        (a JSON string of a JavaScript object); default a JSON object.
    ``mor_v2_tokens``: the valid tokens; clear it to make every token expire (401).
Faults: ``not_permitted`` is "Access Denied" (classic) or 403 (v2); ``call_unknown`` makes a
drop answer 404.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import time
import urllib.parse
from typing import Any

from dialer_gui.sandbox import demo
from dialer_gui.sandbox.lifecycle import BUSY, CONNECTED, SimCall
from dialer_gui.sandbox.server import Fault, Request, Response

API = "mor"
ACTIVE = "/billing/api/active_calls_get"
RECORDS = "/billing/api/user_calls_get"
LOGIN = "/billing/api/v2/authentication/login"
DROP = "/billing/api/v2/active_calls/"
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
# user_calls_get's hashed parameters in the documented order (the third-party clients'
# order for the last two); a value counts only when it is sent.
RECORD_ORDER = (
    "period_start", "period_end", "s_user", "s_call_type", "s_device", "s_provider", "s_hgc",
    "s_did", "s_destination", "order_by", "order_desc", "only_did", "s_uniqueid",
    "s_callback_uniqueid",
)  # fmt: skip
NOT_FOUND = "<html><body><h1>404 Not Found</h1></body></html>"


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def _stamp(unix: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(unix))


def _xml(body: str) -> Response:
    return Response.text(f"{DECLARATION}{body}\n", 200, "text/xml")


def _error(text: str) -> Response:
    return _xml(f"<page><status><error>{text}</error></status></page>")


def _params(request: Request) -> dict[str, str]:
    params = dict(urllib.parse.parse_qsl(request.query, keep_blank_values=True))
    if request.body and "x-www-form-urlencoded" in (request.header("Content-Type") or ""):
        params.update(request.form())
    return params


def _record(call: SimCall, leg: int, dst: str, dispod: str, billsec: float) -> str:
    return (
        f"<call><calldate2>{_stamp(call.started_wall)}</calldate2><src>{call.caller}</src>"
        f"<dst>{dst}</dst><dispod>{dispod}</dispod><billsec>{int(billsec)}</billsec>"
        f"<nice_billsec>{int(billsec)}</nice_billsec>"
        f"<uniqueid>{int(call.started_wall)}.{call.leg_ids[leg]}</uniqueid>"
        f"<callback_uniqueid>{call.call_id}</callback_uniqueid></call>"
    )


def records(call: SimCall, now: float) -> list[str]:
    """The call records of an ended callback: your leg's, and theirs if it was dialed."""
    legs = call.legs(now, ended_too=True)
    end = call.step(now)
    out = []
    if legs:
        _rang, answered = legs[0]
        mine = max(0.0, end.at - answered) if answered is not None else 0.0
        out.append(
            _record(call, 0, call.caller, "ANSWERED(16)" if answered else "NO ANSWER(19)", mine)
        )
    if call.reached(CONNECTED, now) is not None:
        out.append(_record(call, 1, call.callee, "ANSWERED(16)", call.talk(now)))
    elif end.state is BUSY:
        out.append(_record(call, 1, call.callee, "BUSY(17)", 0))
    elif len(legs) > 1:
        out.append(_record(call, 1, call.callee, "NO ANSWER(19)", 0))
    return out


def register(sandbox: Any) -> None:
    """Add the follow-up routes of MOR to the sandbox."""
    state: dict[str, Any] = sandbox.state
    state.setdefault("mor_v2_tokens", set())

    def refused(
        request: Request, params: dict[str, str], hashed: str, fault: Fault | None
    ) -> Response | None:
        if state.get("mor_api_disabled"):
            return _error("API Requests are disabled")
        if fault is not None and fault.kind == "not_permitted":
            return _error("Access Denied")
        if request.method == "GET" and not state.get("mor_allow_get"):
            return _error("Access Denied")
        if fault is not None and fault.kind == "bad_credentials":
            return _error("Incorrect hash")
        if params.get("u") != demo.MOR_USERNAME:
            return _xml("<status>Not authenticated</status>")
        if params.get("hash") != _sha1(hashed + demo.MOR_SECRET):
            return _error("Incorrect hash")
        return None

    async def active(request: Request, fault: Fault | None) -> Response:
        if state.get("mor_active_calls_get") is False:
            return Response.text(NOT_FOUND, 404, "text/html")
        params = _params(request)
        denied = refused(request, params, params.get("u", ""), fault)
        if denied is not None:
            return denied
        if params.get("s_user_id", demo.MOR_USER_ID) != demo.MOR_USER_ID:
            return _xml("<page><active_calls></active_calls></page>")
        now = sandbox.calls.now()
        rows = []
        for call in sandbox.calls.active(API):
            for leg, (rang, answered) in enumerate(call.legs(now)):
                since = now - call.started - answered if answered is not None else None
                callback = (
                    f"<callback_uniqueid>{call.call_id}</callback_uniqueid>"
                    if state.get("mor_active_callback_uniqueid", True)
                    else ""
                )
                rows.append(
                    f"<active_call><id>{call.leg_ids[leg]}</id>"
                    f"<uniqueid>{int(call.wall(rang))}.{call.leg_ids[leg]}</uniqueid>{callback}"
                    f"<status>{'Answered' if answered is not None else 'Ringing'}</status>"
                    + (f"<answer_time>{_stamp(call.wall(answered))}</answer_time>"
                       f"<duration>{int(since or 0)}</duration>"
                       if answered is not None else "<answer_time/><duration/>")
                    + f"<src>{demo.MOR_DEVICE if leg == 0 else call.caller}</src>"
                    f"<user_id>{demo.MOR_USER_ID}</user_id>"
                    f"<localized_dst>{call.caller if leg == 0 else call.callee}</localized_dst>"
                    "</active_call>"
                )  # fmt: skip
        return _xml("<page><active_calls>" + "".join(rows) + "</active_calls></page>")

    async def user_calls(request: Request, fault: Fault | None) -> Response:
        params = _params(request)
        hashed = "".join(params[k] for k in RECORD_ORDER if k in params)
        denied = refused(request, params, hashed, fault)
        if denied is not None:
            return denied
        if state.get("mor_user_calls_denied"):
            return _error("Access Denied")
        if params.get("s_user") != demo.MOR_USER_ID:
            return _error("User was not found")
        try:
            start = float(params.get("period_start") or 0)
            end = float(params.get("period_end") or 2**40)
        except ValueError:
            return _error("Incorrect period")
        wanted = params.get("s_callback_uniqueid")
        now = sandbox.calls.now()
        calls = [
            record
            for call in sandbox.calls.calls(API)
            if call.finished(now)
            and (not wanted or call.call_id == wanted)
            and start <= call.started_wall <= end
            for record in records(call, now)
        ]
        body = "<page><calls_stat><calls>" + "".join(calls) + "</calls></calls_stat></page>"
        return _xml(body)

    def v2_missing() -> Response | None:
        if state.get("mor_v2") is False:
            return Response.text(NOT_FOUND, 404, "text/html")
        return None

    async def login(request: Request, fault: Fault | None) -> Response:
        missing = v2_missing()
        if missing is not None:
            return missing
        header = request.header("Authorization") or ""
        try:
            pair = (
                base64.b64decode(header[6:], validate=True).decode()
                if header[:6] == "Basic "
                else ""
            )
        except (binascii.Error, UnicodeDecodeError):
            pair = ""
        if pair != f"{demo.MOR_USERNAME}:{demo.MOR_PASSWORD}" or (
            fault and fault.kind == "bad_credentials"
        ):
            return Response.json({"error": "Unauthorized"}, 401)
        token = "eyJ" + secrets.token_urlsafe(24)
        state["mor_v2_tokens"].add(token)
        return Response.json({"token": token})

    async def drop(request: Request, fault: Fault | None) -> Response:
        missing = v2_missing()
        if missing is not None:
            return missing
        header = request.header("Authorization") or ""
        if header[7:] not in state["mor_v2_tokens"] or header[:7] != "Bearer ":
            return Response.json({"error": "Token expired"}, 401)
        if fault is not None and fault.kind == "not_permitted":
            return Response.json({"error": "Forbidden"}, 403)
        wanted = request.path[len(DROP) :]
        for call in sandbox.calls.active(API):
            if wanted in {str(i) for i in call.leg_ids} and not (
                fault and fault.kind == "call_unknown"
            ):
                sandbox.calls.hang_up(call)
                at = _stamp(time.time())
                if state.get("mor_v2_answer") == "string":
                    return Response.json(
                        f"{{status: 'hung_up', hung_up_call: 1, hung_up_at: '{at}'}}"
                    )
                return Response.json({"status": "hung_up", "hung_up_call": 1, "hung_up_at": at})
        return Response.json({"error": "Active call not found"}, 404)

    sandbox.route(API, {"GET", "POST"}, ACTIVE, active)
    sandbox.route(API, {"GET", "POST"}, RECORDS, user_calls)
    sandbox.route(API, {"POST"}, LOGIN, login)
    sandbox.route(API, {"DELETE"}, DROP + "*", drop)
