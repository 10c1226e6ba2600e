"""WebDAV over httpx for the CardDAV client: the one boundary to httpx and to the XML parser.

Written by hand on purpose. No maintained Python library speaks CardDAV as a client: ``caldav``
covers calendars only (RFC 4791), ``pyCardDAV`` was last released in 2014 for Python 2, and
``vdirsyncer`` is a sync program whose storage classes are not a public API (and bring
aiohttp). What CardDAV needs of WebDAV is small: PROPFIND and REPORT with a few properties,
and reading a ``207 Multi-Status`` answer. So this module builds those bodies with the standard
library's ElementTree and parses answers with ``defusedxml`` (no DTDs, no entities, no external
references), within bounds: at most :data:`MAX_ANSWER` bytes read, at most :data:`MAX_DEPTH`
elements deep, one deadline (the directory's timeout) from connecting to the last byte.

:class:`DavSession` holds one long-lived ``httpx.AsyncClient`` per directory (TLS verified
with ``directories.tls``, redirects never followed, so a password never travels to a server
the user did not name) and counts requests and bytes, so a sync can say what it moved.
Every failure becomes a :class:`~dialer_gui.directories.errors.DirectoryError`.
"""

from __future__ import annotations

import asyncio
import logging
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import unquote, urljoin, urlsplit

from dialer_gui import __version__
from dialer_gui.directories.errors import DirectoryError, Problem

if TYPE_CHECKING:
    import ssl

    import httpx

log = logging.getLogger(__name__)

# A multiget of 100 cards with photos, or the ETag list of a 50,000-card address book, fits.
MAX_ANSWER = 16 * 1024 * 1024
MAX_DEPTH = 64
USER_AGENT = f"dialer-gui/{__version__}"

DAV = "DAV:"
CARDDAV = "urn:ietf:params:xml:ns:carddav"
CALENDARSERVER = "http://calendarserver.org/ns/"
ET.register_namespace("d", DAV)
ET.register_namespace("card", CARDDAV)


def tag(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: bytes
    location: str = ""  # the Location header of a redirect


@dataclass(frozen=True, slots=True)
class DavResponse:
    """One ``<response>`` of a multistatus answer.

    ``href`` is as the server wrote it (sent back as is in a multiget); ``path`` is its
    percent-decoded path, the same for every spelling of one resource: the card's identity.
    ``status`` is the response's own status (a deleted member in a sync report: 404), or None
    when it has propstats; ``props`` holds the properties found (status 200).
    """

    href: str
    path: str
    status: int | None = None
    props: Mapping[str, ET.Element] = field(default_factory=dict)

    def text(self, name: str) -> str:
        element = self.props.get(name)
        return (element.text or "").strip() if element is not None else ""

    def href_in(self, name: str) -> str:
        """The first ``<href>`` inside the property ``name`` (a principal, a home set)."""
        element = self.props.get(name)
        if element is None:
            return ""
        inner = element.find(tag(DAV, "href"))
        return (inner.text or "").strip() if inner is not None else ""

    def is_a(self, resource_type: str) -> bool:
        element = self.props.get(tag(DAV, "resourcetype"))
        return element is not None and element.find(resource_type) is not None


@dataclass(frozen=True, slots=True)
class Multistatus:
    responses: list[DavResponse]
    sync_token: str = ""


def canonical_path(base: str, href: str) -> str:
    """The decoded path of ``href`` as seen from ``base``: one spelling per resource."""
    return unquote(urlsplit(urljoin(base, href)).path)


def same_origin(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.scheme, pa.hostname, pa.port) == (pb.scheme, pb.hostname, pb.port)


# -- request bodies ---------------------------------------------------------------------------


def _document(root: ET.Element) -> bytes:
    text: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return text


def propfind_body(props: Iterable[str]) -> bytes:
    root = ET.Element(tag(DAV, "propfind"))
    prop = ET.SubElement(root, tag(DAV, "prop"))
    for name in props:
        ET.SubElement(prop, name)
    return _document(root)


def sync_collection_body(token: str) -> bytes:
    """RFC 6578: members changed since ``token`` ("" for all), with their ETags."""
    root = ET.Element(tag(DAV, "sync-collection"))
    ET.SubElement(root, tag(DAV, "sync-token")).text = token
    ET.SubElement(root, tag(DAV, "sync-level")).text = "1"
    prop = ET.SubElement(root, tag(DAV, "prop"))
    ET.SubElement(prop, tag(DAV, "getetag"))
    return _document(root)


def multiget_body(hrefs: Iterable[str]) -> bytes:
    """RFC 6352 addressbook-multiget: these cards' data and ETags in one answer."""
    root = ET.Element(tag(CARDDAV, "addressbook-multiget"))
    prop = ET.SubElement(root, tag(DAV, "prop"))
    ET.SubElement(prop, tag(DAV, "getetag"))
    ET.SubElement(prop, tag(CARDDAV, "address-data"))
    for href in hrefs:
        ET.SubElement(root, tag(DAV, "href")).text = href
    return _document(root)


# -- reading answers --------------------------------------------------------------------------


def _deeper_than(root: ET.Element, limit: int) -> bool:
    level = [root]
    for _ in range(limit):
        level = [child for node in level for child in node]
        if not level:
            return False
    return True


def parse_xml(body: bytes, directory: str) -> ET.Element:
    """``body`` parsed safely; ``UNREADABLE`` for anything that is not plain, shallow XML."""
    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException

    try:
        root: ET.Element = SafeET.fromstring(body, forbid_dtd=True)
    except (ET.ParseError, DefusedXmlException, ValueError, RecursionError):
        raise DirectoryError(Problem.UNREADABLE, directory, "not WebDAV XML") from None
    if body.count(b"<") > MAX_DEPTH and _deeper_than(root, MAX_DEPTH):
        raise DirectoryError(Problem.UNREADABLE, directory, "XML nested too deeply")
    return root


def _status_code(element: ET.Element | None) -> int | None:
    if element is None or not element.text:
        return None
    parts = element.text.split()  # "HTTP/1.1 200 OK"
    if len(parts) >= 2 and parts[1].isdigit() and len(parts[1]) == 3:
        return int(parts[1])
    return None


def parse_multistatus(body: bytes, base: str, directory: str) -> Multistatus:
    """A ``207 Multi-Status`` answer: each response's href, status and found properties."""
    root = parse_xml(body, directory)
    if root.tag != tag(DAV, "multistatus"):
        raise DirectoryError(Problem.UNREADABLE, directory, "not a WebDAV multistatus answer")
    responses: list[DavResponse] = []
    for response in root.findall(tag(DAV, "response")):
        href_element = response.find(tag(DAV, "href"))
        href = (href_element.text or "").strip() if href_element is not None else ""
        if not href:
            continue
        props: dict[str, ET.Element] = {}
        for propstat in response.findall(tag(DAV, "propstat")):
            if _status_code(propstat.find(tag(DAV, "status"))) != 200:
                continue
            prop = propstat.find(tag(DAV, "prop"))
            for element in prop if prop is not None else ():
                props[element.tag] = element
        status = _status_code(response.find(tag(DAV, "status")))
        responses.append(DavResponse(href, canonical_path(base, href), status, props))
    token_element = root.find(tag(DAV, "sync-token"))
    token = (token_element.text or "").strip() if token_element is not None else ""
    return Multistatus(responses, token)


def is_precondition(body: bytes, name: str) -> bool:
    """Whether an error answer names the WebDAV precondition ``name`` (``valid-sync-token``)."""
    try:
        import defusedxml.ElementTree as SafeET

        root = SafeET.fromstring(body[:65536], forbid_dtd=True)
    except Exception:  # any unreadable error body simply names no precondition
        return False
    return root.tag == tag(DAV, "error") and root.find(tag(DAV, name)) is not None


def status_error(answer: Answer, directory: str) -> DirectoryError:
    """The error for an HTTP status that is not the answer we asked for."""
    code = answer.status
    if 200 <= code < 300:
        # A success that is not a multistatus: a web page (a log-in form, an intranet).
        return DirectoryError(Problem.UNREADABLE, directory, f"HTTP {code}, not WebDAV")
    if code in (301, 302, 303, 307, 308):
        return DirectoryError(Problem.REDIRECTED, directory, f"HTTP {code}")
    if code in (401, 407):
        return DirectoryError(Problem.CREDENTIALS, directory)
    if code == 403:
        return DirectoryError(Problem.NOT_PERMITTED, directory)
    if code in (404, 410):
        return DirectoryError(Problem.NOT_FOUND, directory, f"HTTP {code}")
    return DirectoryError(Problem.UNEXPECTED, directory, f"HTTP {code}")


# -- the session ------------------------------------------------------------------------------


class DavSession:
    """One directory's HTTP client: requests within a deadline, answers within bounds."""

    def __init__(
        self,
        directory: str,
        *,
        user: str,
        password: str,
        timeout: float,
        verify: ssl.SSLContext,
        digest: bool = False,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.directory = directory
        self._user = user
        self._password = password
        self._timeout = timeout
        self._verify = verify
        self._digest = digest
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self.requests = 0
        self.received = 0

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            import httpx

            auth: httpx.Auth | None = None
            if self._user:
                auth = (
                    httpx.DigestAuth(self._user, self._password)
                    if self._digest
                    else httpx.BasicAuth(self._user, self._password)
                )
            self._client = httpx.AsyncClient(
                transport=self._transport,
                verify=self._verify,
                auth=auth,
                timeout=httpx.Timeout(self._timeout, connect=min(self._timeout, 5.0)),
                follow_redirects=False,
                headers={"User-Agent": USER_AGENT},
                trust_env=False,
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def request(
        self,
        method: str,
        url: str,
        *,
        body: bytes = b"",
        depth: str | None = None,
        limit: int = MAX_ANSWER,
    ) -> Answer:
        """Send one request and read its answer, all within the directory's timeout.

        Raises:
            DirectoryError: the server could not be reached, was too slow, broke the
                connection, or sent more than ``limit`` bytes (``TOO_LARGE``).
        """
        import httpx

        headers = {"Content-Type": "application/xml; charset=utf-8"} if body else {}
        if depth is not None:
            headers["Depth"] = depth
        try:
            request = self.client.build_request(method, url, content=body, headers=headers)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError) as exc:
            raise DirectoryError(Problem.CONFIG, self.directory, "the url is not valid") from exc
        chunks: list[bytes] = []
        size = 0
        self.requests += 1
        try:
            async with asyncio.timeout(self._timeout):
                response = await self.client.send(request, stream=True)
                try:
                    async for chunk in response.aiter_bytes():
                        size += len(chunk)
                        self.received += len(chunk)
                        if size > limit:
                            raise DirectoryError(Problem.TOO_LARGE, self.directory)
                        chunks.append(chunk)
                finally:
                    await response.aclose()
        except TimeoutError as exc:
            raise DirectoryError(Problem.TIMEOUT, self.directory) from exc
        except httpx.HTTPError as exc:
            raise self._transport_error(exc) from exc
        location = response.headers.get("Location", "")
        return Answer(response.status_code, b"".join(chunks), location)

    def _transport_error(self, exc: httpx.HTTPError) -> DirectoryError:
        import httpx

        from dialer_gui.directories.tls import is_tls_error

        name = self.directory
        if isinstance(exc, httpx.TimeoutException):
            return DirectoryError(Problem.TIMEOUT, name)
        if isinstance(exc, httpx.ConnectError):
            if is_tls_error(exc):
                return DirectoryError(Problem.TLS, name)
            return DirectoryError(Problem.UNREACHABLE, name)
        if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
            return DirectoryError(Problem.CONFIG, name, "the url is not a valid https:// address")
        if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
            return DirectoryError(Problem.UNEXPECTED, name, "the connection broke")
        log.warning("Directory %s: %s", name, type(exc).__name__)
        return DirectoryError(Problem.UNEXPECTED, name, type(exc).__name__)
