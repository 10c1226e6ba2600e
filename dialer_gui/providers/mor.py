"""Kolmisoft MOR: ``/billing/api/callback_init`` with the Callback Addon.

MOR rings the user's own phone (``src``) first and then the number (``dst``). The request is a
POST with the parameters in the query string, exactly like the vendor's example
(``.../api/callback?u=..&device=..&src=..&dst=..``), and an empty body. GET works only when the
MOR admin turned on "Allow GET API", which the vendor calls unsafe, so it is a setting, not the
default.

``hash`` is the SHA-1 of the hashed values followed by the API secret. The vendor's pages disagree
on the order (``device, src, dst`` in 2015-2016, ``device, dst, src`` on the current page), so the
order is a setting, the current page's by default. "Incorrect hash" proves nothing was dialed, so
on it the other order is tried once, and the order MOR accepted is used from then on (see
:class:`MorProvider`). No other answer is ever followed by a second request. The hash stands in
for the secret, so it is masked like one.

Answers are XML: ``<status>Ok</status>``, or with ``callback_uniqueid=1``
``<page><status>ok</status><callback_uniqueid>..</callback_uniqueid></page>``; errors are other
``<status>`` texts or an ``<error>`` element, bare or inside ``<page>`` and ``<status>`` (the form
other MOR methods use); an optional ``<HTML>`` wrapper may surround any of them.

After "accepted" (``providers.mor_follow``, ``providers.mor_v2``): a call with a
``callback_uniqueid`` is followed live through ``active_calls_get`` (MOR X14 and later), its
ending read from ``user_calls_get`` when the numeric ``user_id`` is set, and hung up or
cancelled through the v2 API (MOR X18 and later) when ``hang_up_v2`` is on.
"""

from __future__ import annotations

import urllib.parse
import xml.etree.ElementTree as ET

from dialer_gui.providers.base import CallRequest, CallResult, WireRequest
from dialer_gui.providers.errors import ErrorCategory, ProviderError
from dialer_gui.providers.following import call_ids
from dialer_gui.providers.http import (
    build,
    http_status_error,
    read_xml,
    send,
    sha1_hex,
    unexpected_answer,
)
from dialer_gui.providers.mor_calls import DANGEROUS, DECLARATION, FOLLOW_FIELDS, MorCalls
from dialer_gui.providers.redaction import MASK
from dialer_gui.vocabulary.fields import Field, FieldKind

# The vendor's current page first (the default), then its 2015-2016 pages.
HASH_ORDERS = ("device,dst,src", "device,src,dst")
PATHS = ("callback_init", "callback")


class MorProvider(MorCalls):
    """Click-to-call through MOR's callback: your phone rings first, then the number.

    When MOR answers "Incorrect hash", the call is sent once more with the hash in the other
    order, and the order MOR accepted is kept in this instance for the profile's later calls.
    The instance (and so that memory) lives as long as the app's provider pool keeps it: until
    the settings change or the app quits; the result's message asks to set ``hash_order``.
    """

    type_name = "mor"
    label = "Kolmisoft MOR (callback)"
    default_number_format = "e164_no_plus"  # MOR's examples: 37060000001
    after_accepted = (
        "Each leg live (your phone ringing, answered; theirs ringing, connected) from "
        "active_calls_get (MOR X14 and later), for calls with a call ID (callback_uniqueid on). "
        "How a call ended (with its talk time, busy, no answer, on the leg it concerns) from "
        "user_calls_get when user_id is set; without it, a connected call that is gone is "
        "reported ended and other endings are not guessed. Hang up and cancel through the v2 "
        "API (MOR X18 and later, set up by the MOR administrator) when hang_up_v2 is on, with "
        "the MOR password in the keyring. follow_calls turns following off."
    )
    fields = (
        Field(
            "url",
            "MOR address",
            FieldKind.URL,
            "",
            "Your MOR web address including /billing, for example http://mor.example.com/billing.",
            required=True,
        ),
        Field(
            "path",
            "API method",
            FieldKind.CHOICE,
            "callback_init",
            "callback_init (MOR X4 and later) or callback, the older name.",
            choices=PATHS,
        ),
        Field(
            "method",
            "HTTP method",
            FieldKind.CHOICE,
            "POST",
            "Keep POST. GET works only if your MOR admin turned on 'Allow GET API'.",
            choices=("POST", "GET"),
        ),
        Field("u", "MOR user name", FieldKind.STR, "", "The owner of the device.", required=True),
        Field(
            "device",
            "Device ID",
            FieldKind.STR,
            "",
            "The device (ACC number) that places the call and sets its caller ID.",
            required=True,
        ),
        Field(
            "src",
            "Your phone number",
            FieldKind.STR,
            "",
            "The number MOR rings first: your own phone.",
            required=True,
        ),
        Field(
            "secret",
            "API secret key",
            FieldKind.SECRET,
            "",
            "MOR's API_Secret_Key (Settings, API in MOR).",
            required=True,
        ),
        Field(
            "hash_order",
            "Hash order",
            FieldKind.CHOICE,
            HASH_ORDERS[0],
            "Order of values in the hash. Kolmisoft's pages disagree; if MOR answers "
            "'Incorrect hash', the dialer tries the other order once and says which one worked "
            "(MOR's Generate hash page tells too).",
            choices=HASH_ORDERS,
        ),
        Field("cli_lega", "Caller ID on your phone", FieldKind.STR, "", "Optional (cli_lega)."),
        Field("cli_legb", "Caller ID for the callee", FieldKind.STR, "", "Optional (cli_legb)."),
        Field("server_id", "Server ID", FieldKind.STR, "", "Optional: which MOR server to use."),
        Field(
            "callback_uniqueid",
            "Ask for a call ID",
            FieldKind.BOOL,
            True,
            "Ask MOR for the callback_uniqueid that links both call legs in the CDRs.",
        ),
        *FOLLOW_FIELDS,
    )

    # The hash order MOR last accepted, when it is not the configured one (set per instance, so
    # it lasts as long as the provider pool keeps this profile's provider).
    _accepted_order: str | None = None

    # -- settings --------------------------------------------------------------------------------
    @property
    def _configured_order(self) -> str:
        order = str(self.option("hash_order") or "")
        return order if order in HASH_ORDERS else HASH_ORDERS[0]

    @property
    def _order(self) -> str:
        """The hash order the next call uses: the one MOR accepted last, or the setting."""
        return self._accepted_order or self._configured_order

    @staticmethod
    def _hash(order: str, device: str, src: str, dst: str, secret: str) -> str:
        values = {"device": device, "src": src, "dst": dst}
        return sha1_hex("".join(values[n] for n in order.split(",")) + secret)

    def _request_url(
        self, dst: str, *, masked: bool = False, order: str | None = None
    ) -> tuple[str, str]:
        """The full URL with its query, and the hash it carries (for redaction)."""
        base = self._setting("url", "MOR address").rstrip("/")
        path = str(self.option("path") or PATHS[0])
        path = path if path in PATHS else PATHS[0]
        device = self._setting("device", "device ID")
        src = self._setting("src", "own phone number (the number MOR rings first)")
        user = self._setting("u", "MOR user name")
        secret = self.secrets.get("secret", "")
        if not secret and not masked:
            raise ProviderError(
                f"The profile “{self.name}” has no MOR API secret key. Enter it in Settings.",
                category=ErrorCategory.CONFIG,
            )
        digest = self._hash(order or self._order, device, src, dst, secret)
        params = [("u", user), ("device", device), ("src", src), ("dst", dst)]
        query = urllib.parse.urlencode(params)
        query += f"&hash={MASK if masked else digest}"
        for key in ("cli_lega", "cli_legb", "server_id"):
            value = str(self.option(key) or "")
            if value:
                query += "&" + urllib.parse.urlencode({key: value})
        if self.option("callback_uniqueid"):
            query += "&callback_uniqueid=1"
        return f"{base}/api/{path}?{query}", digest

    # -- calls -----------------------------------------------------------------------------------
    async def place_call(self, request: CallRequest) -> CallResult:
        dst = request.dial_string
        order = self._order
        tried = [order]
        status, error, call_id, raw = await self._send(dst, order)
        if _said(status, error) == "incorrect hash":
            # MOR refused the hash, so it dialed nothing: the other documented order, once.
            order = next(o for o in HASH_ORDERS if o != order)
            tried.append(order)
            status, error, call_id, raw = await self._send(dst, order)
        if error is None and status.lower() == "ok":
            self._accepted_order = None if order == self._configured_order else order
            for followed in call_ids([call_id]):
                self._numbers.add(followed, str(self.option("src") or "").strip(), dst)
            message = "Callback started"
            if len(tried) > 1 and order != self._configured_order:
                message += (
                    f"; MOR accepted the call with the hash in the order {_spoken(order)}. "
                    f"Set “Hash order” (hash_order) to {order} in Settings to skip the retry."
                )
            return CallResult(call_id=call_id, raw=raw, message=message)
        raise self._refusal(status, error, raw, dst, tried)

    async def _send(self, dst: str, order: str) -> tuple[str, str | None, str | None, str]:
        """Send one callback request with the hash in ``order``; its parsed answer and text."""
        url, digest = self._request_url(dst, order=order)
        http_request = build(self.client, self._method, url, provider=self.name)
        response, raw = await send(
            self.client,
            http_request,
            provider=self.name,
            secrets=self.secrets.values(),
            extra_secrets=[digest],
        )
        if response.status_code != 200:
            raise http_status_error(response, self.name, raw)
        status, error, call_id = self._parse(raw)
        return status, error, call_id, raw

    def _parse(self, raw: str) -> tuple[str, str | None, str | None]:
        """``(status text, error text or None, callback_uniqueid or None)`` of an answer."""
        lowered = raw.lower()
        if any(mark in lowered for mark in DANGEROUS):
            # An HTML page (or an entity trick) is not MOR's answer; never expand it.
            raise unexpected_answer(self.name, raw, "an HTML page, not MOR's XML")
        try:
            root = read_xml(DECLARATION.sub("", raw).strip())
        except ValueError:  # not XML, cut, or nested too deeply
            raise unexpected_answer(self.name, raw, "not MOR's XML") from None
        status = _first(root, "status")
        error = _first(root, "error")
        uniqueid = _first(root, "callback_uniqueid")
        call_id = (uniqueid.text or "").strip() if uniqueid is not None else ""
        if error is not None:
            said = (error.text or "").strip()
            status_text = (status.text or "").strip() if status is not None else ""
            if not said or status_text.lower() == "ok" or uniqueid is not None:
                # An empty error, or one beside a success: this answer may mean either.
                raise unexpected_answer(self.name, raw, "an error and a success in one answer")
            return "", said, None
        if status is None:
            raise unexpected_answer(self.name, raw, "no status in MOR's answer")
        return (status.text or "").strip(), None, call_id or None

    def _refusal(
        self, status: str, error: str | None, raw: str, dst: str, tried: list[str]
    ) -> ProviderError:
        said = error if error is not None else status
        key = _said(status, error)
        where = f"MOR refused the callback of “{self.name}” (“{said}”)"
        if key == "not authenticated":
            return ProviderError(
                f"{where}: there is no MOR user “{self.option('u')}”. "
                "Check the MOR user name in Settings.",
                category=ErrorCategory.CREDENTIALS,
                raw=raw,
            )
        if key == "incorrect hash":
            if len(tried) > 1:
                orders = " and ".join(_spoken(order) for order in tried)
                return ProviderError(
                    f"{where}, with the hash in both orders ({orders}): check the API secret "
                    "key in Settings.",
                    category=ErrorCategory.CREDENTIALS,
                    raw=raw,
                )
            return ProviderError(
                f"{where}: check the API secret key and the hash order in Settings "
                f"(now “{tried[0]}”; MOR's Generate hash page shows which).",
                category=ErrorCategory.CREDENTIALS,
                raw=raw,
            )
        if key == "bad device":
            return ProviderError(
                f"{where}: device “{self.option('device')}” does not exist or does not belong "
                f"to user “{self.option('u')}”. Check the device ID in Settings.",
                category=ErrorCategory.CONFIG,
                raw=raw,
            )
        if key == "no source":
            return ProviderError(
                f"{where}: your own phone number is missing. Enter it in Settings.",
                category=ErrorCategory.CONFIG,
                raw=raw,
            )
        if key == "pin was not found":
            return ProviderError(
                f"{where}: this MOR account wants a calling-card PIN, which this dialer does not "
                "send. Ask your MOR administrator.",
                category=ErrorCategory.NOT_PERMITTED,
                raw=raw,
            )
        if key == "api requests are disabled":
            return ProviderError(
                f"{where}: the MOR API is turned off. Ask your MOR administrator to allow it.",
                category=ErrorCategory.NOT_PERMITTED,
                raw=raw,
            )
        if key == "access denied":
            hint = (
                " The profile uses GET, which MOR allows only with 'Allow GET API'; "
                "set the HTTP method to POST in Settings."
                if self._method == "GET"
                else " Ask your MOR administrator to allow this user the callback API."
            )
            return ProviderError(
                f"{where}.{hint}",
                category=ErrorCategory.NOT_PERMITTED,
                raw=raw,
            )
        if error is not None:
            # MOR's explicit error form: it refused, so nothing was dialed.
            return ProviderError(
                f"{where}. Check the number {dst}.",
                category=ErrorCategory.REJECTED_NUMBER,
                raw=raw,
            )
        # A bare status we do not know might be a success we cannot recognise.
        return unexpected_answer(self.name, raw, f"status “{said}”")

    def describe(self, request: CallRequest) -> list[WireRequest]:
        url, _ = self._request_url(request.dial_string, masked=True)
        return [WireRequest(self._method, url)]

    async def check(self) -> str:
        """MOR has no harmless callback request; show what a call would send instead."""
        url, _ = self._request_url("NUMBER", masked=True)
        if not self.secrets.get("secret"):
            raise ProviderError(
                f"The profile “{self.name}” has no MOR API secret key. Enter it in Settings.",
                category=ErrorCategory.CONFIG,
            )
        return (
            "MOR has no test request that does not place a call, so nothing was sent. "
            f"A call would send: {self._method} {url}"
        )


def _said(status: str, error: str | None) -> str:
    """What MOR said, lowered and with its spaces evened out, for comparing."""
    return " ".join((error if error is not None else status).split()).lower()


def _spoken(order: str) -> str:
    """``device,src,dst`` as ``device, src, dst``."""
    return ", ".join(order.split(","))


def _first(element: ET.Element, tag: str) -> ET.Element | None:
    """The first element named ``tag`` (any case) at or below ``element``."""
    for node in element.iter():
        if isinstance(node.tag, str) and node.tag.lower() == tag:
            return node
    return None
