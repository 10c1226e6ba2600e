"""Simulator of Kolmisoft MOR's callback API.

Serves ``/billing/api/callback_init`` and its older name ``/billing/api/callback``. Parameters are
read from the query string and from a form body (the body wins), since the vendor's example puts
them in the query of a POST. Like a real server, each simulated one accepts the hash in exactly
one order (``mor_hash_order``), so a client using the other one hears "Incorrect hash". Answers
are the documented XML, byte for byte.

State (``sandbox.state``), all optional:
    ``mor_allow_get``: accept GET (MOR's "Allow GET API"); refused with Access Denied otherwise.
    ``mor_hash_order``: the one order the hash is accepted in, ``"device,dst,src"`` (the
        vendor's current page, the default) or ``"device,src,dst"`` (its 2015-2016 pages).
    ``mor_api_disabled``: answer "API Requests are disabled".
    ``mor_hash_error_form``: how a bad hash is reported (which form MOR uses for callbacks is
        not documented): ``"status"`` (the default) ``<status>Incorrect hash</status>``;
        ``"page"`` ``<page><status><error>..``; ``"error"`` a bare ``<error>..</error>``;
        ``"page_error"`` ``<page><error>..</error></page>``, the forms other MOR methods use.
    ``mor_use_uniqueid``: ``False`` mimics a mor.conf without use_callback_uniqueid.
    ``mor_html_wrapper``: wrap answers in ``<HTML>`` (MOR's "XML API Extension" setting).
    ``mor_calls``: the accepted ``(src, dst)`` pairs, appended here.

Each accepted callback then lives its scripted life (``sandbox.lifecycle``); the follow-up APIs
(active calls, call records, the v2 drop) are in ``sandbox.mor_follow``.
"""

from __future__ import annotations

import hashlib
import itertools
import urllib.parse
from typing import Any

from dialer_gui.sandbox import demo, mor_follow
from dialer_gui.sandbox.server import Fault, Request, Response

PATHS = ("/billing/api/callback_init", "/billing/api/callback")
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
ORDERS = ("device,dst,src", "device,src,dst")  # the current page's first
HASH_ERROR_FORMS = {
    "status": "<status>{}</status>",
    "page": "<page><status><error>{}</error></status></page>",
    "error": "<error>{}</error>",
    "page_error": "<page><error>{}</error></page>",
}
_ids = itertools.count(14811237541247270)


def _status(text: str) -> str:
    return f"{DECLARATION}<status>{text}</status>\n"


def _error(text: str) -> str:
    return f"{DECLARATION}<page><status><error>{text}</error></status></page>\n"


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def register(sandbox: Any) -> None:
    """Add both callback paths to the sandbox."""
    state: dict[str, Any] = sandbox.state
    state.setdefault("mor_calls", [])

    def answer(text: str) -> Response:
        if state.get("mor_html_wrapper"):
            text = f"<HTML>{text}</HTML>"
        return Response.text(text, 200, "text/xml")

    def hash_ok(params: dict[str, str]) -> bool:
        given = params.get("hash", "")
        order = str(state.get("mor_hash_order") or ORDERS[0])
        joined = "".join(params.get(name, "") for name in order.split(","))
        return given == _sha1(joined + demo.MOR_SECRET)

    def outcome(request: Request, params: dict[str, str], fault: Fault | None) -> str:
        kind = fault.kind if fault else None
        if state.get("mor_api_disabled"):
            return _error("API Requests are disabled")
        if kind == "not_permitted" or (request.method == "GET" and not state.get("mor_allow_get")):
            return _error("Access Denied")
        if kind == "bad_credentials" or params.get("u") != demo.MOR_USERNAME:
            return _status("Not authenticated")
        if not hash_ok(params):
            form = HASH_ERROR_FORMS[str(state.get("mor_hash_error_form") or "status")]
            return f"{DECLARATION}{form.format('Incorrect hash')}\n"
        if params.get("device") != demo.MOR_DEVICE:
            return _status("Bad device")
        if not params.get("src"):
            return _status("No source")
        pin = params.get("card_pin")
        if pin is not None and not pin.isdigit():
            return _status("PIN was not found")
        if kind == "reject_number":
            # Not documented for callbacks [G]: MOR's generic error form with a plain reason.
            return _error("Destination is not allowed")
        state["mor_calls"].append((params["src"], params.get("dst", "")))
        uniqueid = next(_ids)
        sandbox.new_call("mor", str(uniqueid), params["src"], params.get("dst", ""))
        if params.get("callback_uniqueid") == "1" and state.get("mor_use_uniqueid", True):
            return (
                "<page>\n\n   <status>ok</status>\n"
                f"   <callback_uniqueid>{uniqueid}</callback_uniqueid>\n\n</page>\n"
            )
        return _status("Ok")

    async def callback(request: Request, fault: Fault | None) -> Response:
        params = dict(urllib.parse.parse_qsl(request.query, keep_blank_values=True))
        content_type = (request.header("Content-Type") or "").lower()
        if request.body and "x-www-form-urlencoded" in content_type:
            params.update(request.form())
        return answer(outcome(request, params, fault))

    for path in PATHS:
        sandbox.route("mor", {"GET", "POST"}, path, callback)
    mor_follow.register(sandbox)


def demo_profile(base: str, _redis_url: str = "") -> demo.DemoProfile:
    """The demo profile of this API against a sandbox at ``base``, with its secrets."""
    return demo.DemoProfile(
        {
            "url": f"{base}/billing",
            "u": demo.MOR_USERNAME,
            "device": demo.MOR_DEVICE,
            "src": demo.MOR_SRC,
            "user_id": demo.MOR_USER_ID,
            "hang_up_v2": True,
        },
        {"secret": demo.MOR_SECRET, "password": demo.MOR_PASSWORD},
    )
