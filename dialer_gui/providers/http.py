"""The one boundary between httpx and our error tree, plus redaction of secrets.

``make_client`` builds the long-lived client of a profile; ``build`` makes a request from it
(a request that cannot be built is a settings problem, and nothing was sent); ``send`` sends it
and reads the answer (capped at ``MAX_BODY``) within one deadline, the profile's ``timeout``,
from connecting to the last byte; ``map_transport_error`` turns any httpx exception into a
categorised :class:`ProviderError`; ``read_json`` and ``read_xml`` parse an answer within
bounds (not cut, nested at most ``MAX_DEPTH`` deep), so no answer can make a parser recurse
until it crashes; ``redact`` removes secrets (and their URL, base64, JSON and HTML forms) from
text before it reaches history, logs or the screen.
"""

from __future__ import annotations

import asyncio
import base64
import contextvars
import hashlib
import json
import logging
import ssl
from collections.abc import Callable, Iterable
from typing import Any

from dialer_gui import __version__, tls
from dialer_gui.providers.errors import ErrorCategory, ProviderError
from dialer_gui.providers.redaction import MASK, scrub, secret_forms
from dialer_gui.vocabulary.profiles import ProviderProfile

# Imported inside the functions: httpx costs ~70 ms of start-up, and is first needed when a
# client is built (in the warm-up thread, after the window is shown).
TYPE_CHECKING = False
if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

    import httpx

# httpx logs every request line at INFO, and some APIs put credentials in the URL (Enswitch's
# auth_password, MOR's hash): keep those loggers quiet whatever the app's log level.
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).setLevel(logging.WARNING)

# Answers bigger than this are cut: a PBX never needs more to say "ok" or "no".
MAX_BODY = 256 * 1024
# Ends (within MAX_BODY) every answer that was cut: the details view says so, and the readers
# below refuse it, since the part that was not read could change what the answer means.
CUT_NOTE = f"\n[dialer-gui: the answer is longer than {MAX_BODY // 1024} KB; the rest was not read]"
# No click-to-call answer nests deeper than a few levels; parsers that recurse (json's, and
# any code walking the result) must never meet anything close to Python's recursion limit.
MAX_DEPTH = 64
USER_AGENT = f"dialer-gui/{__version__}"
DEFAULT_TIMEOUT = 10.0  # seconds, when the profile sets no "timeout"


REQUEST_SENT: contextvars.ContextVar[Callable[[], None] | None] = contextvars.ContextVar(
    "dialer_gui_request_sent", default=None
)
"""Called when a request :func:`send` sends in this context is written whole (once per
request, so for each request of an API that needs two, such as Fonality's login and dial).

Set by the caller that needs to know (``Dialer.dial(on_sent=...)``) around the coroutine that
sends; a context variable, so that no provider's interface has to carry it.
"""


def _ssl_context(ca_file: str) -> ssl.SSLContext:
    """The shared verifying context for ``ca_file`` (see ``dialer_gui.tls``)."""
    return tls.verifying_context(ca_file)


def make_client(
    profile: ProviderProfile, *, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    import httpx

    timeout = float(profile.get("timeout", DEFAULT_TIMEOUT) or DEFAULT_TIMEOUT)
    verify: bool | ssl.SSLContext = bool(profile.get("verify_tls", True))
    ca_file = str(profile.get("ca_file") or "")
    if verify:
        try:
            verify = _ssl_context(ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise ProviderError(
                f"The CA file set for “{profile.name}” cannot be read as a certificate "
                f"({ca_file}), so nothing was sent. Choose a PEM file in Settings.",
                category=ErrorCategory.CONFIG,
            ) from exc
    return httpx.AsyncClient(
        transport=transport,
        verify=verify,
        # Connect fast-fails so "PBX down" shows quickly; reading may take the whole budget.
        # The read timeout is also the deadline of each whole exchange (see ``deadline``).
        timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
        # Never follow redirects: a redirect to another host would carry credentials away.
        follow_redirects=False,
        # One PBX per client: a burst of links may open more connections for a moment, but
        # only two stay open between calls (the next click's warm one, and one for the
        # tracker's looks), so a process that runs for months holds a fixed number of sockets.
        limits=httpx.Limits(max_connections=20, max_keepalive_connections=2),
        headers={"User-Agent": USER_AGENT},
        trust_env=False,
    )


def deadline(client: httpx.AsyncClient) -> float:
    """Seconds one exchange may take from connecting to the last byte: the profile's timeout.

    ``make_client`` gives it to httpx as the read timeout, where it limits each read only.
    """
    return client.timeout.read or DEFAULT_TIMEOUT


def build(
    client: httpx.AsyncClient, method: str, url: str, *, provider: str, **kwargs: Any
) -> httpx.Request:
    """``client.build_request(method, url, **kwargs)``, with its failures told as settings errors.

    Every provider builds its requests here: an error at this point means nothing was sent, so
    the call is recorded as failed (not "may ring") and the message says what to fix.

    Raises:
        ProviderError: category ``CONFIG``, ``maybe_placed`` False.
    """
    import httpx

    try:
        request = client.build_request(method, url, **kwargs)
    except UnicodeEncodeError as exc:
        # httpx encodes header values as ASCII: an accented letter in a header template or a
        # token pasted with a stray character ends here.
        raise ProviderError(
            # The character itself is not shown: it may be part of a secret.
            f"A header of “{provider}” holds a character that cannot be sent in a header "
            "(such as an accented letter), so nothing was sent. Remove it from the headers in "
            "Settings, or copy the password, key or token again.",
            category=ErrorCategory.CONFIG,
        ) from exc
    except (httpx.InvalidURL, httpx.LocalProtocolError, ValueError) as exc:
        raise ProviderError(
            f"The request of “{provider}” could not be built from its settings, so nothing was "
            "sent. Check the address and headers in Settings.",
            category=ErrorCategory.CONFIG,
        ) from exc
    port = request.url.port
    if port is not None and not 0 < port < 65536:
        # httpx accepts any number here; the socket would refuse it after the send began.
        raise ProviderError(
            f"The address set for “{provider}” has port {port}, but ports go from 1 to 65535, "
            "so nothing was sent. Correct the address in Settings.",
            category=ErrorCategory.CONFIG,
        )
    return request


def redact(text: str, secrets: Iterable[str], extra: Iterable[str] = ()) -> str:
    """``text`` with every form of every secret replaced by a mask.

    ``extra`` holds derived values that are secret-like too (a MOR hash, a Basic auth blob).
    """
    forms = secret_forms(secrets) | {e for e in extra if e}
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, MASK)
    # And what the provider was not told is secret: values pasted into the config, secrets of
    # other profiles, anything shaped like a credential (providers.redaction).
    return scrub(text)


def basic_auth_blob(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


def sha1_hex(text: str) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def _is_tls_error(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return True
        text = str(seen).lower()
        if "certificate" in text or "ssl" in text or "tls" in text:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def map_transport_error(exc: httpx.HTTPError, provider: str) -> ProviderError:
    """Map an httpx failure to our error. Tells apart "not sent" from "may have been placed"."""
    import httpx

    where = f"the PBX of “{provider}”"
    if isinstance(exc, httpx.ConnectTimeout):
        return ProviderError(
            f"Could not reach {where}: it did not answer the connection in time.",
            category=ErrorCategory.UNREACHABLE,
        )
    if isinstance(exc, httpx.ConnectError):
        if _is_tls_error(exc):
            return ProviderError(
                f"The certificate of {where} is not trusted, so nothing was sent.",
                category=ErrorCategory.TLS,
            )
        return ProviderError(
            f"Could not reach {where}: the connection was refused or the address is wrong.",
            category=ErrorCategory.UNREACHABLE,
        )
    if isinstance(exc, httpx.WriteTimeout | httpx.PoolTimeout):
        return ProviderError(
            f"Could not send the request to {where} in time.",
            category=ErrorCategory.TIMEOUT,
            maybe_placed=isinstance(exc, httpx.WriteTimeout),
        )
    if isinstance(exc, httpx.ReadTimeout):
        return ProviderError(
            f"{where[0].upper()}{where[1:]} did not answer in time. "
            "The call may still ring: check your phone before dialing again.",
            category=ErrorCategory.TIMEOUT,
            maybe_placed=True,
        )
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        return ProviderError(
            f"The connection to {where} broke before it answered. "
            "The call may still ring: check your phone before dialing again.",
            category=ErrorCategory.UNEXPECTED,
            maybe_placed=True,
        )
    if isinstance(exc, httpx.WriteError):
        return ProviderError(
            f"The connection to {where} broke while sending the request.",
            category=ErrorCategory.UNREACHABLE,
            maybe_placed=True,
        )
    if isinstance(exc, httpx.LocalProtocolError):
        # Raised by our side before the request left (an illegal header, for one).
        return ProviderError(
            f"The request of “{provider}” could not be sent as its settings make it (an "
            "address or header HTTP does not allow), so nothing was sent. Check them in Settings.",
            category=ErrorCategory.CONFIG,
        )
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return ProviderError(
            f"The address set for “{provider}” is not a valid http:// or https:// URL.",
            category=ErrorCategory.CONFIG,
        )
    return ProviderError(
        f"Talking to {where} failed ({type(exc).__name__}).",
        category=ErrorCategory.UNEXPECTED,
        maybe_placed=True,
    )


def http_status_error(response: httpx.Response, provider: str, raw: str) -> ProviderError:
    """An error for an HTTP status the API does not document as an answer of its own."""
    code = response.status_code
    if code in (301, 302, 303, 307, 308):
        return ProviderError(
            f"The PBX of “{provider}” redirected the request elsewhere (HTTP {code}); "
            "it was not followed. Check the address in Settings.",
            category=ErrorCategory.CONFIG,
            raw=raw,
        )
    if code in (401, 407):
        return ProviderError(
            f"The PBX of “{provider}” refused the credentials (HTTP {code}).",
            category=ErrorCategory.CREDENTIALS,
            raw=raw,
        )
    if code == 403:
        return ProviderError(
            f"The PBX of “{provider}” does not allow this account or address to dial (HTTP 403).",
            category=ErrorCategory.NOT_PERMITTED,
            raw=raw,
        )
    if code == 404:
        return ProviderError(
            f"The PBX of “{provider}” has no click-to-call service at this address (HTTP 404). "
            "Check the URL in Settings.",
            category=ErrorCategory.CONFIG,
            raw=raw,
        )
    if code >= 500:
        return ProviderError(
            f"The PBX of “{provider}” had an internal error (HTTP {code}). "
            "The call may or may not ring: check your phone before dialing again.",
            category=ErrorCategory.UNEXPECTED,
            maybe_placed=True,
            raw=raw,
        )
    if 200 <= code < 300:
        # A success status the API does not use for its answers: the PBX took the request,
        # and may have dialed.
        return ProviderError(
            f"The PBX of “{provider}” answered HTTP {code}, which this dialer does not expect. "
            "The call may or may not ring: check your phone before dialing again.",
            category=ErrorCategory.UNEXPECTED,
            maybe_placed=True,
            raw=raw,
        )
    return ProviderError(
        f"The PBX of “{provider}” answered HTTP {code}, which this dialer does not expect.",
        category=ErrorCategory.UNEXPECTED,
        raw=raw,
    )


class _Progress:
    """How far a request got, from httpcore's ``trace`` events (its only report of it).

    A deadline can fire at any point of the exchange; what it means depends on whether the
    request had started to leave: before that the PBX cannot have dialed ("could not reach"),
    after it the PBX may have ("unknown").
    """

    def __init__(self, previous: Any = None, on_sent: Callable[[], None] | None = None) -> None:
        self.previous = previous  # a hook already on the request keeps hearing every event
        self.on_sent = on_sent
        self.heard = False
        self.sending = False

    async def __call__(self, name: str, info: dict[str, Any]) -> None:
        self.heard = True
        # "connection.*" (connect, TLS) comes before anything is written; the first event of
        # the HTTP layer ("http11.send_request_headers.started", or http2's) means bytes of
        # the request may be on their way.
        if not name.startswith("connection."):
            self.sending = True
        if self.on_sent is not None and name.endswith(".send_request_body.complete"):
            on_sent, self.on_sent = self.on_sent, None
            on_sent()
        if self.previous is not None:
            await self.previous(name, info)

    @property
    def maybe_sent(self) -> bool:
        # A transport that reports nothing (a test double, a proxy layer) tells us nothing:
        # then the request may have arrived.
        return self.sending or not self.heard


async def send(
    client: httpx.AsyncClient,
    request: httpx.Request,
    *,
    provider: str,
    secrets: Iterable[str],
    extra_secrets: Iterable[str] = (),
) -> tuple[httpx.Response, str]:
    """Send ``request``; return the response and its body text (capped, redacted).

    The whole exchange, from connecting to the last byte of the body, must end within the
    profile's ``timeout`` (httpx's own timeouts apply to each read, so a PBX trickling its
    answer would otherwise hold the call open for ever). At the deadline the connection is
    closed, not reused, and the error says "unknown" once the request had started to leave.

    Raises ``ProviderError`` for transport failures. Status codes are left to the caller, which
    knows which ones its API uses for answers of its own.
    """
    import httpx

    secrets = list(secrets)
    extra_secrets = list(extra_secrets)
    progress = _Progress(request.extensions.get("trace"), REQUEST_SENT.get())
    request.extensions["trace"] = progress
    chunks: list[bytes] = []
    try:
        # Cancelling inside httpcore closes the connection it was using (a half-read one is
        # never handed back to the pool), and the finally below closes the response.
        async with asyncio.timeout(deadline(client)):
            response = await client.send(request, stream=True)
            try:
                size = 0
                async for chunk in response.aiter_bytes():
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > MAX_BODY:
                        break
            finally:
                await response.aclose()
    except TimeoutError as exc:
        # The same words as httpx's own timeouts before and after the request was sent.
        late: httpx.TimeoutException = (
            httpx.ReadTimeout("deadline", request=request)
            if progress.maybe_sent
            else httpx.ConnectTimeout("deadline", request=request)
        )
        raise map_transport_error(late, provider) from exc
    except httpx.HTTPError as exc:
        raise map_transport_error(exc, provider) from exc
    body = b"".join(chunks)
    cut = len(body) > MAX_BODY
    if cut:
        body = body[: MAX_BODY - len(CUT_NOTE.encode())]
    text = redact(
        body.decode(response.encoding or "utf-8", errors="replace"), secrets, extra_secrets
    )
    return response, text + CUT_NOTE if cut else text


def unexpected_answer(provider: str, raw: str, what: str = "") -> ProviderError:
    """The PBX answered 2xx with something we cannot read: it may have placed the call."""
    detail = f" ({what})" if what else ""
    return ProviderError(
        f"The PBX of “{provider}” gave an answer this dialer cannot read{detail}. "
        "The call may or may not ring: check your phone before dialing again.",
        category=ErrorCategory.UNEXPECTED,
        maybe_placed=True,
        raw=raw,
    )


# -- reading answers -------------------------------------------------------------------------


class AnswerOutOfBounds(ValueError):
    """An answer too large or nested too deeply to be read; a ``ValueError`` like any other
    unreadable answer, so callers treat it the same way."""


def whole(text: str) -> str:
    """``text``, if it is a whole answer; raises :class:`AnswerOutOfBounds` if ``send`` cut it."""
    if text.endswith(CUT_NOTE):
        raise AnswerOutOfBounds(f"larger than {MAX_BODY // 1024} KB")
    return text


def read_json(text: str) -> Any:
    """A PBX answer parsed as JSON, within bounds.

    Raises ``ValueError`` for anything that is not JSON, and :class:`AnswerOutOfBounds` (one)
    for an answer ``send`` cut or one nested deeper than ``MAX_DEPTH``. Never raises
    ``RecursionError``, so a hostile answer is "cannot read", not an internal error.
    """
    whole(text)
    try:
        value = json.loads(text)
    except RecursionError:
        # json's C scanner recurses per level and stops at the recursion limit.
        raise AnswerOutOfBounds(f"nested deeper than {MAX_DEPTH} levels") from None
    # Fewer brackets than the limit cannot nest deeper (brackets in strings only add to it).
    if text.count("[") + text.count("{") > MAX_DEPTH and _json_deeper_than(value, MAX_DEPTH):
        raise AnswerOutOfBounds(f"nested deeper than {MAX_DEPTH} levels")
    return value


def _json_deeper_than(value: Any, limit: int) -> bool:
    """Whether ``value`` has more than ``limit`` nested lists and objects; one level at a time,
    so it costs one step per node and never recurses."""
    level = [value]
    for _ in range(limit):
        level = [
            child
            for node in level
            if isinstance(node, dict | list)
            for child in (node.values() if isinstance(node, dict) else node)
        ]
        if not level:
            return False
    return any(isinstance(node, dict | list) for node in level)


def read_xml(text: str) -> ET.Element:
    """A PBX answer parsed as XML, within bounds: the root element.

    Raises ``ValueError`` for anything that is not XML or has a DTD (entity expansion is never
    attempted), and :class:`AnswerOutOfBounds` for an answer ``send`` cut or one nested deeper
    than ``MAX_DEPTH`` elements.
    """
    import xml.etree.ElementTree as ET

    whole(text)
    lowered = text.lower()
    if "<!doctype" in lowered or "<!entity" in lowered:
        raise ValueError("an XML document with a DTD")
    try:
        # Safe: no DTD reaches the parser (refused above), and the size is capped.
        root = ET.fromstring(text)  # noqa: S314
    except ET.ParseError as exc:
        raise ValueError(f"not XML ({exc})") from None
    if text.count("<") > MAX_DEPTH and _xml_deeper_than(root, MAX_DEPTH):
        raise AnswerOutOfBounds(f"nested deeper than {MAX_DEPTH} levels")
    return root


def _xml_deeper_than(root: ET.Element, limit: int) -> bool:
    level = [root]
    for _ in range(limit):
        level = [child for node in level for child in node]
        if not level:
            return False
    return True
