"""Simulator of Enswitch's ``calls/make``, ``calls/active/list`` and ``calls/hangup``.

Served at ``/api/json/`` and at the ``/local/api/json/`` prefix some deployments use. Like the
real API it answers HTTP 200 whatever happens and puts the outcome in ``responses[0].code``.
Parameters are read from the query and from a form body, split on ``;`` and ``&`` by hand
(``urllib.parse.parse_qs`` stopped splitting on ``;`` in Python 3.10).

Knobs in ``sandbox.state``:
    ``enswitch_rate_plan_denied``: answer code 403 to every call.
    ``enswitch_trailing_comma``: print the 200 answer exactly as the documentation does, with
    its trailing comma (invalid JSON).
    ``enswitch_no_callid``: answer 204 even when ``wait`` is set (ID not known in time).
    ``enswitch_wait_cap``: at most this many seconds of holding (below); unset, the whole
    ``wait``. Tests set it to keep calls quick.

As the vendor's documentation describes, a call with ``wait`` is answered only after ``wait``
seconds (with the call ID, or 204 when it is not known by then).

Every placed call then lives its script (``sandbox.lifecycle``): ``calls/active/list`` shows
one row per leg that has started (``answered`` 0 until the leg is answered), filtered by
``callid`` when one is given; ``calls/hangup`` takes ``callid`` or ``uniqueid`` (not both,
400) and answers 204, or 404 when no such call is running. Faults: ``not_permitted`` is the
role refusal (402) of every function, ``call_unknown`` makes ``calls/hangup`` answer 404.

The demo profile sends no ``wait``: tests give demo profiles short timeouts, and the dialer
refuses a ``wait`` at or above the timeout.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import urllib.parse
from typing import Any

from dialer_gui.sandbox import demo
from dialer_gui.sandbox.demo import ENSWITCH_PASSWORD, ENSWITCH_USERNAME
from dialer_gui.sandbox.lifecycle import SimCall
from dialer_gui.sandbox.server import Fault, Request, Response

API = "enswitch"
PREFIXES = ("/api/json/", "/local/api/json/")
_SPLIT = re.compile(r"[;&]")
# Any destination dialable by the customer: digits, and * or # for feature codes.
_DIALABLE = re.compile(r"^[0-9*#]{2,32}$")


def parse_params(text: str) -> dict[str, str]:
    """``a=1;b=&c=x`` -> dict; empty values kept, last value wins, ``+`` is a space."""
    params: dict[str, str] = {}
    for part in _SPLIT.split(text):
        if not part:
            continue
        key, _, value = part.partition("=")
        params[urllib.parse.unquote_plus(key)] = urllib.parse.unquote_plus(value)
    return params


def request_params(request: Request) -> dict[str, str]:
    params = parse_params(request.query)
    if request.method == "POST" and request.body:
        params.update(parse_params(request.body.decode("utf-8", "replace")))
    return params


def answer(code: str, key: str = "", message: str = "OK", data: Any = None) -> Response:
    body: dict[str, Any] = {"responses": [{"code": code, "key": key, "message": message}]}
    if data is not None:
        body["data"] = data
    return Response.json(body)


def _authenticate(params: dict[str, str], fault: Fault | None) -> Response | None:
    if fault is not None and fault.kind == "bad_credentials":
        return answer("401", "", "Authentication failed")
    if "auth_username" not in params or "auth_password" not in params:
        return answer("401", "", "Authentication details missing")
    if (params["auth_username"], params["auth_password"]) != (
        ENSWITCH_USERNAME,
        ENSWITCH_PASSWORD,
    ):
        return answer("401", "", "Authentication failed")
    return None


def _int_param(params: dict[str, str], key: str) -> int | None:
    text = params.get(key, "") or "0"
    return int(text) if text.isdigit() else None


def register(sandbox: Any) -> None:
    """Add the Enswitch routes to the sandbox."""

    async def make(request: Request, fault: Fault | None) -> Response:
        params = request_params(request)
        denied = _authenticate(params, fault)
        if denied is not None:
            return denied
        if fault is not None and fault.kind == "not_permitted":
            return answer("402", "", "Your role does not allow this")
        if sandbox.state.get("enswitch_rate_plan_denied"):
            return answer("403", "", "Your rate plan does not allow this")
        for key in ("snumber", "cnumber"):
            if not params.get(key):
                return answer("400", key, "Required")
        if fault is not None and fault.kind == "reject_number":
            return answer("400", "cnumber", "Invalid destination")
        if not _DIALABLE.match(params["cnumber"]):
            return answer("400", "cnumber", "Invalid destination")
        if params.get("stype", "") not in ("phone", ""):
            return answer("400", "stype", "Invalid type")
        wait, delay = _int_param(params, "wait"), _int_param(params, "delay")
        if wait is None:
            return answer("400", "wait", "Must be a whole number")
        if delay is None:
            return answer("400", "delay", "Must be a whole number")
        count = sandbox.state.get("enswitch_calls", 0) + 1
        sandbox.state["enswitch_calls"] = count
        callid = f"{int(time.time())}.{count:06d}"
        sandbox.new_call(API, callid, params["snumber"], params["cnumber"])
        if wait:
            # The call is placed; the answer waits for it, as the documentation says.
            cap = sandbox.state.get("enswitch_wait_cap")
            await asyncio.sleep(wait if cap is None else min(wait, float(cap)))
        if not wait or sandbox.state.get("enswitch_no_callid"):
            return answer("204")
        data = {"machine": 1, "server": "asterisk01", "callid": callid}
        if sandbox.state.get("enswitch_trailing_comma"):
            # The documentation's own example, trailing comma and all.
            text = (
                '{ "responses":[ { "code":"200", "key":"", "message":"OK" } ], '
                f'"data":{json.dumps(data)}, }}'
            )
            return Response.text(text, 200, "application/json")
        return answer("200", data=data)

    async def active_list(request: Request, fault: Fault | None) -> Response:
        params = request_params(request)
        denied = _authenticate(params, fault)
        if denied is not None:
            return denied
        if fault is not None and fault.kind == "not_permitted":
            return answer("402", "", "Your role does not allow this")
        wanted = params.get("callid")
        rows = [
            row
            for call in sandbox.calls.active(API)
            if wanted is None or call.call_id == wanted
            for row in leg_rows(call, sandbox.calls.now())
        ]
        return answer("200", data=rows)

    async def hangup(request: Request, fault: Fault | None) -> Response:
        params = request_params(request)
        denied = _authenticate(params, fault)
        if denied is not None:
            return denied
        if fault is not None and fault.kind == "not_permitted":
            return answer("402", "", "Your role does not allow this")
        callid, uniqueid = params.get("callid", ""), params.get("uniqueid", "")
        if bool(callid) == bool(uniqueid):
            return answer("400", "callid", "Give callid or uniqueid")
        for call in sandbox.calls.active(API):
            ids = {call.call_id, *(f"{call.call_id}-{leg}" for leg in (1, 2))}
            if (callid or uniqueid) in ids and (fault is None or fault.kind != "call_unknown"):
                sandbox.calls.hang_up(call)
                return answer("204", "", "Hang up successfully requested")
        return answer("404", "callid" if callid else "uniqueid", "Call not found")

    for prefix in PREFIXES:
        sandbox.route(API, {"GET", "POST"}, prefix + "calls/make/", make)
        sandbox.route(API, {"GET", "POST"}, prefix + "calls/active/list/", active_list)
        sandbox.route(API, {"GET", "POST"}, prefix + "calls/hangup/", hangup)


def leg_rows(call: SimCall, now: float) -> list[dict[str, Any]]:
    """The active-list rows of a running call: one per leg that has started ringing."""
    return [
        {
            "callid": call.call_id,
            "uniqueid": f"{call.call_id}-{leg}",
            "start": int(call.wall(rang)),
            "answered": int(call.wall(answered)) if answered is not None else 0,
            "callerid_internal": call.caller if leg == 1 else call.callee,
            "billing_peer": "",
        }
        for leg, (rang, answered) in enumerate(call.legs(now), start=1)
    ]


def demo_profile(base: str, _redis_url: str = "") -> demo.DemoProfile:
    """The demo profile of this API against a sandbox at ``base``, with its secrets."""
    return demo.DemoProfile(
        {
            "url": base,
            "auth_username": demo.ENSWITCH_USERNAME,
            "stype": demo.ENSWITCH_STYPE,
            "snumber": demo.ENSWITCH_SNUMBER,
            "ctype": demo.ENSWITCH_CTYPE,
            "wait": 0,
            "separator": demo.ENSWITCH_SEPARATOR,
        },
        {"auth_password": demo.ENSWITCH_PASSWORD},
    )
