"""Simulator of Simotel's originate and ping services.

Answers follow the "Common Response Messages" table of Simotel's settings page: JSON envelopes
``{"success": 0|1, "message": ..., "data": ...}``, with 401/403/405/415 statuses carrying JSON too.
Both PUT and POST are accepted, as the documentation moved from one to the other. The originate
body is held to the documentation: only its seven parameters, every value a string, the four
required ones present and not empty.

State (``sandbox.state``), all optional:
    ``simotel_methods``: methods accepted (default PUT and POST); ``{"PUT"}`` mimics an old server.
    ``simotel_auth``: ``"any"`` (default: whatever credentials are sent must be right),
        ``"basic"``, ``"apikey"`` or ``"both"`` (those must be present).
    ``simotel_denied``: answer 403 "Access denied" (the account lacks the endpoint permission).
    ``simotel_ip_denied``: answer 403 "IP is not permitted".
    ``simotel_answers``: list of ``(status, body)`` answers to give first, for rare documented rows.
    ``simotel_calls``: the originate bodies accepted, appended here.
    ``simotel_cdr_without_originated_id``: leave ``originated_call_id`` out of call records.

Each originated call lives its scripted life (``sandbox.lifecycle``). ``reports/cdr/search``
returns the records of ended calls, newest first, filtered by ``conditions`` (``from``,
``to``, ``cuid``; substrings when ``alike`` is "true") and the required ``date_range``
(``YYYY-MM-DD HH:MM``, taken as UTC), with the ``originated_call_id`` the CDR webhook carries.
As the documentation warns, a call whose first leg (the caller) was not answered leaves no
record.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import time
from typing import Any

from dialer_gui.sandbox import demo
from dialer_gui.sandbox.lifecycle import ANSWERED, BUSY, CONNECTED, SimCall
from dialer_gui.sandbox.server import Fault, Request, Response

ORIGINATE = "/api/v4/call/originate/act"
PING = "/api/v4/setting/ping/act"
CDR_SEARCH = "/api/v4/reports/cdr/search"
REQUIRED = ("caller", "callee", "context", "caller_id")  # the "**" rows of the doc
OPTIONAL = ("trunk_name", "timeout", "call_limit")
DOCUMENTED = frozenset(REQUIRED + OPTIONAL)
PING_MESSAGE = (
    "If the 'Ping' event is enabled in the settings menu, you'll receive it when it's sent"
)
ALL_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


def _answer(status: int, message: str | None, data: Any = None, success: int = 0) -> Response:
    return Response.json({"success": success, "message": message, "data": data}, status)


def _documented_strings(body: dict[str, Any]) -> bool:
    """Whether every parameter is one of the documented ones, and a string as documented.

    The vendor's documentation lists a closed set of parameters and gives every value as a JSON
    string, numbers included ("timeout":"30"). It does not say what Simotel answers to a number,
    boolean, null, list or object there, nor to an unlisted parameter: the answer given for them,
    400 "Unable to parse content" (its row for a body it cannot read), is assumed. Refusing
    unlisted names also keeps a misspelling from passing; the document's prose writes "time_out"
    where its table and every sample send "timeout".
    """
    return all(name in DOCUMENTED and isinstance(value, str) for name, value in body.items())


def _basic(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        user, _, password = (
            base64.b64decode(header[6:].strip(), validate=True).decode().partition(":")
        )
    except (binascii.Error, UnicodeDecodeError):
        return ("", "")
    return user, password


def register(sandbox: Any) -> None:
    """Add the originate and ping services to the sandbox."""
    state: dict[str, Any] = sandbox.state
    state.setdefault("simotel_calls", [])

    def auth_problem(request: Request) -> str | None:
        basic = _basic(request.header("Authorization"))
        key = request.header("X-APIKEY")
        if basic is None and key is None:
            return "BasicAuth or ApiKey is missing"
        basic_ok = basic == (demo.SIMOTEL_USERNAME, demo.SIMOTEL_PASSWORD)
        key_ok = key == demo.SIMOTEL_API_KEY
        mode = state.get("simotel_auth", "any")
        wrong = (basic is not None and not basic_ok) or (key is not None and not key_ok)
        incomplete = (mode in ("basic", "both") and basic is None) or (
            mode in ("apikey", "both") and key is None
        )
        return "BasicAuth or ApiKey is invalid" if wrong or incomplete else None

    def gate(request: Request, fault: Fault | None, service: str) -> Response | None:
        """The checks every service shares, in the order a request meets them."""
        if state.get("simotel_answers"):
            status, body = state["simotel_answers"].pop(0)
            return Response.json(body, status)
        if request.method not in state.get("simotel_methods", {"PUT", "POST"}):
            return _answer(405, "Method not allowed")
        problem = auth_problem(request)
        if fault is not None and fault.kind == "bad_credentials":
            problem = "BasicAuth or ApiKey is invalid"
        if problem:
            return _answer(401, problem)
        if state.get("simotel_ip_denied") or (fault is not None and fault.kind == "not_permitted"):
            return _answer(403, "IP is not permitted")
        if state.get("simotel_denied"):
            return _answer(403, f'"{service}";Access denied')
        content_type = (request.header("Content-Type") or "").split(";")[0].strip().lower()
        if content_type != "application/json":
            return _answer(415, "Unsupported Media Type")
        return None

    async def originate(request: Request, fault: Fault | None) -> Response:
        refused = gate(request, fault, "call/originate/act")
        if refused is not None:
            return refused
        try:
            body = request.json()
        except ValueError:
            return _answer(400, "Unable to parse content")
        if not isinstance(body, dict) or not _documented_strings(body):
            return _answer(400, "Unable to parse content")
        for name in REQUIRED:
            if not body.get(name):
                return _answer(200, f"Field '{name}':value is missing")
        if fault is not None and fault.kind == "reject_number":
            return _answer(200, "Requested operation failed")
        state["simotel_calls"].append(body)
        now = time.time()
        call_id = f"orig.call.{int(now)}.{int(now % 1 * 1_000_000):06d}"
        sandbox.new_call("simotel", call_id, body["caller"], body["callee"])
        return _answer(200, None, {"originated_call_id": call_id}, success=1)

    async def ping(request: Request, fault: Fault | None) -> Response:
        refused = gate(request, fault, "setting/ping/act")
        if refused is not None:
            return refused
        return _answer(200, PING_MESSAGE, None, success=1)

    async def cdr_search(request: Request, fault: Fault | None) -> Response:
        refused = gate(request, fault, "reports/cdr/search")
        if refused is not None:
            return refused
        try:
            body = request.json()
        except ValueError:
            return _answer(400, "Unable to parse content")
        if not isinstance(body, dict):
            return _answer(400, "Unable to parse content")
        span: Any = body.get("date_range")
        try:
            start, end = (_minute(span[key]) for key in ("from", "to"))
        except (KeyError, TypeError, ValueError):
            return _answer(200, "Field 'date_range':value is missing")
        conditions: dict[str, Any] = body.get("conditions") or {}
        if not isinstance(conditions, dict):
            conditions = {}
        alike = str(body.get("alike", "true")).lower() == "true"
        now = sandbox.calls.now()
        rows = []
        for call in sandbox.calls.calls("simotel"):
            record = cdr(call, now, with_id=not state.get("simotel_cdr_without_originated_id"))
            if record is None or not start <= call.started_wall <= end + 60:
                continue
            if all(_fits(record, conditions, key, alike) for key in ("from", "to", "cuid")):
                rows.append(record)
        rows.sort(key=lambda r: str(r["starttime"]), reverse=True)
        page: dict[str, Any] = body.get("pagination") or {}
        if not isinstance(page, dict):
            page = {}
        first, count = int(page.get("start") or 0), int(page.get("count") or 20)
        data = {
            "pagination": {"start": first, "count": count, "total": len(rows)},
            "target": "cdr",
            "data": rows[first : first + count],
        }
        return _answer(200, "", data, success=1)

    sandbox.route("simotel", ALL_METHODS, ORIGINATE, originate)
    sandbox.route("simotel", ALL_METHODS, PING, ping)
    sandbox.route("simotel", ALL_METHODS, CDR_SEARCH, cdr_search)


def _minute(text: Any) -> float:
    """``YYYY-MM-DD HH:MM`` (as UTC) as a Unix time; ``ValueError`` otherwise."""
    return float(calendar.timegm(time.strptime(str(text), "%Y-%m-%d %H:%M")))


def _fits(record: dict[str, Any], conditions: dict[str, Any], key: str, alike: bool) -> bool:
    wanted = str(conditions.get(key) or "")
    have = str(record["src" if key == "from" else "dst" if key == "to" else "cuid"])
    return not wanted or (wanted in have if alike else wanted == have)


def cdr(call: SimCall, now: float, *, with_id: bool = True) -> dict[str, Any] | None:
    """The call record of an ended call; none while it runs, or if you never answered."""
    if not call.finished(now) or call.reached(ANSWERED, now) is None:
        return None
    end = call.step(now)
    if call.reached(CONNECTED, now) is not None:
        disposition = "ANSWERED"
    elif end.state is BUSY:
        disposition = "BUSY"
    else:
        disposition = "NO ANSWER"
    talk = int(call.talk(now))
    record: dict[str, Any] = {
        "_id": f"{call.leg_ids[0]:024x}",
        "type": "outgoing",
        "cuid": f"{int(call.started_wall)}.{call.leg_ids[0]}",
        "src": call.caller,
        "dst": call.callee,
        "dcontext": "main_routing",
        "disposition": disposition,
        "duration": int(end.at),
        "billsec": talk,
        "starttime": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(call.started_wall)),
        "billsec_hhmmss": time.strftime("%H:%M:%S", time.gmtime(talk)),
    }
    if with_id:
        record["originated_call_id"] = call.call_id
    return record


def demo_profile(base: str, _redis_url: str = "") -> demo.DemoProfile:
    """The demo profile of this API against a sandbox at ``base``, with its secrets."""
    return demo.DemoProfile(
        {
            "url": base,
            "method": "POST",
            "auth": "both",
            "username": demo.SIMOTEL_USERNAME,
            "caller": demo.SIMOTEL_CALLER,
            "context": demo.SIMOTEL_CONTEXT,
        },
        {"password": demo.SIMOTEL_PASSWORD, "api_key": demo.SIMOTEL_API_KEY},
    )
