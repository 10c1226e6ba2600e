"""LDAP and Active Directory, searched live as the user types, with ``ldap3``.

**Why ldap3.** The two maintained candidates are ``python-ldap`` (a C binding to OpenLDAP's
libldap, released more often) and ``ldap3`` (pure Python, last released in 2021 but complete
for what we need: simple bind, StartTLS, LDAPS, paged results, RFC 4515 escaping). ldap3 wins
for a desktop app: python-ldap publishes no wheels, so installing it needs OpenLDAP's headers
and a compiler (none on a receptionist's Windows or macOS machine, and PyInstaller would have
to bundle libldap), and its TLS is libldap's own (GnuTLS on Debian) set through process-wide
options, so it could not share the verifying context every other connection of the app uses.
The pin in ``constraints.txt`` and the tests against a real ``slapd`` keep it honest.

**TLS.** ``ldaps://`` addresses use LDAPS; ``ldap://`` ones StartTLS unless ``starttls`` is
turned off. Either way the certificate is checked with ``directories.tls``'s context, and its
host name by OpenSSL: :class:`_VerifiedTls` replaces ldap3's own hostname check (which calls
``ssl.match_hostname``, deprecated since Python 3.7 and gone in 3.12) and sends SNI.

**A search.** The text is split into words (at most :data:`MAX_WORDS`); every word must match
one of the searched attributes as a substring, each escaped (RFC 4515) so that ``*``, ``(``,
``)``, ``\\`` or NUL typed by the user are searched for, never obeyed. The directory's own
``filter`` narrows it (people by default). Results come in pages (RFC 2696, ``page_size``)
until ``max_results``; one more tells that the list was cut. Every network step has the
directory's ``timeout``, and the whole search the same again, so a server that accepts and
never answers costs the user a few seconds, not a frozen window. The connection and its bind
are kept for the next keystroke, and opened again after any failure; a keystroke's search that
is still waiting for the connection when the next one arrives is dropped unsent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import re
import socket
import ssl
import threading
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar
from urllib.parse import urlsplit

from dialer_gui.directories.base import SearchedDirectory, SearchResult
from dialer_gui.directories.errors import DirectoryError, Problem
from dialer_gui.vocabulary.contacts import LABELS, Contact, ContactNumber
from dialer_gui.vocabulary.fields import Field, FieldKind

log = logging.getLogger(__name__)

MAX_WORDS = 8
MAX_WORD = 64  # characters of one word
MAX_VALUE = 256  # characters kept of one attribute value
MAX_NUMBERS = 20

DEFAULT_NUMBERS = {
    "telephoneNumber": "work",
    "mobile": "mobile",
    "ipPhone": "extension",
    "homePhone": "home",
    "facsimileTelephoneNumber": "fax",
}
# An attribute description (RFC 4512): a name or an OID, so a setting cannot smuggle in filter
# syntax through an attribute.
_ATTRIBUTE = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,63}|[0-9]+(\.[0-9]+){1,63}")


def _check_url(value: str) -> str | None:
    parts = urlsplit(value)
    if parts.scheme not in ("ldap", "ldaps") or not parts.hostname:
        return "must be an address such as ldaps://dc1.example.com or ldap://ldap.example.com"
    if parts.username or parts.password:
        return "must not hold a user name or password: set bind_dn, and the password in the keyring"
    try:
        parts.port  # noqa: B018  (raises ValueError for a port out of range)
    except ValueError:
        return "has a port that is not a number from 1 to 65535"
    return None


def _check_attributes(value: Iterable[str]) -> str | None:
    bad = [a for a in value if not _ATTRIBUTE.fullmatch(a)]
    return f"must hold attribute names only; not {bad}" if bad else None


def _check_numbers(value: Mapping[str, str]) -> str | None:
    problem = _check_attributes(value)
    if problem:
        return problem
    bad = sorted({label for label in value.values() if label not in LABELS})
    return f"maps to unknown labels {bad}; labels are {', '.join(LABELS)}" if bad else None


def _check_filter(value: str) -> str | None:
    depth = 0
    for c in value:
        depth += {"(": 1, ")": -1}.get(c, 0)
        if depth < 0:
            break
    if not value.startswith("(") or not value.endswith(")") or depth != 0:
        return "must be one LDAP filter in parentheses, such as (objectClass=person)"
    return None


def _between(low: int, high: int) -> Any:
    def check(value: int) -> str | None:
        return None if low <= value <= high else f"must be between {low} and {high}"

    return check


def _load_ldap3() -> None:
    """Import ldap3 once, without pyasn1's warning about the names ldap3 2.9.1 imports.

    pyasn1 0.6.1 renamed ``tagMap``/``typeMap`` and warns on the old names, which ldap3
    imports at load time (ldap3/utils/asn1.py); the old names still work. Called before every
    use of ldap3 here, so the warning never reaches the log, nor fails a test.
    """
    import sys
    import warnings

    if "ldap3" in sys.modules:
        return
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", r"(tag|type)Map is deprecated", DeprecationWarning)
        import ldap3  # noqa: F401


def escape(value: str) -> str:
    """``value`` as an RFC 4515 assertion value: filter syntax in it is searched, not obeyed."""
    _load_ldap3()
    from ldap3.utils.conv import escape_filter_chars

    escaped: str = escape_filter_chars(value)
    return escaped


def search_filter(base: str, attributes: Iterable[str], words: Iterable[str]) -> str:
    """Every word as a substring of one of ``attributes``, within ``base``."""
    attributes = list(attributes)
    parts = ["(|" + "".join(f"({a}=*{escape(w)}*)" for a in attributes) + ")" for w in words]
    return f"(&{base}{''.join(parts)})"


def _text(value: bytes) -> str:
    text = value.decode("utf-8", errors="replace")
    kept = "".join(" " if c.isspace() else c for c in text if c.isprintable() or c.isspace())
    return " ".join(kept.split())[:MAX_VALUE]


def _verified_tls(context: ssl.SSLContext) -> Any:
    """An ``ldap3.Tls`` that wraps the socket with our verifying context.

    ldap3 calls ``wrap_socket(connection, do_handshake)`` for LDAPS and after the StartTLS
    operation alike; this one lets OpenSSL check the certificate and the host name, and sends
    the host name (SNI), instead of ldap3's own check after the handshake.
    """
    _load_ldap3()
    from ldap3 import Tls

    class VerifiedTls(Tls):  # type: ignore[misc]
        def wrap_socket(self, connection: Any, do_handshake: bool = False) -> None:
            connection.socket = context.wrap_socket(
                connection.socket,
                server_side=False,
                do_handshake_on_connect=do_handshake,
                server_hostname=connection.server.host,
            )

    return VerifiedTls()


class LdapDirectory(SearchedDirectory):
    type_name: ClassVar[str] = "ldap"
    label: ClassVar[str] = "LDAP / Active Directory"
    fields: ClassVar[tuple[Field, ...]] = (
        Field("url", "Server address", FieldKind.STR, None,
              "ldaps://host (LDAPS) or ldap://host (StartTLS unless turned off).",
              required=True, check=_check_url),
        Field("base_dn", "Base DN", FieldKind.STR, None,
              "Where people are searched, such as ou=Staff,dc=example,dc=com.", required=True),
        Field("bind_dn", "Bind DN", FieldKind.STR, "",
              "The account that searches; empty for an anonymous search."),
        Field("password", "Password", FieldKind.SECRET, None, "The bind DN's password."),
        Field("starttls", "StartTLS", FieldKind.BOOL, True,
              "For ldap:// addresses: encrypt with StartTLS. Turn off only on a trusted network."),
        Field("filter", "Filter", FieldKind.STR, "(objectClass=person)",
              "Only entries matching this LDAP filter are searched.", check=_check_filter),
        Field("search_attributes", "Searched attributes", FieldKind.STR_LIST,
              ["cn", "displayName", "givenName", "sn", "telephoneNumber", "mobile", "ipPhone"],
              "Attributes a typed word is looked for in.", check=_check_attributes),
        Field("name_attributes", "Name attributes", FieldKind.STR_LIST, ["displayName", "cn"],
              "The first of these an entry has is its name.", check=_check_attributes),
        Field("organisation_attributes", "Organisation attributes", FieldKind.STR_LIST,
              ["company", "o"], "The first of these an entry has is its organisation.",
              check=_check_attributes),
        Field("number_attributes", "Number attributes", FieldKind.MAPPING,
              dict(DEFAULT_NUMBERS), "Attribute -> label (work, mobile, home, fax, extension).",
              check=_check_numbers),
        Field("page_size", "Page size", FieldKind.INT, 100,
              "Entries asked for per page (at most the server's own limit).",
              check=_between(1, 10000)),
        Field("max_results", "Most results", FieldKind.INT, 50,
              "Results shown for one search at most.", check=_between(1, 1000)),
        Field("min_length", "Shortest search", FieldKind.INT, 2,
              "Characters typed before the directory is asked.", check=_between(1, 20)),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lock = threading.Lock()
        self._connection: Any = None
        # Each search is numbered; one that waited for the connection while the user typed on
        # is dropped unasked, so a slow server is never sent a queue of stale keystrokes.
        self._latest = 0

    # -- the connection ---------------------------------------------------------------------

    def _connect(self) -> Any:
        _load_ldap3()
        from ldap3 import ANONYMOUS, NONE, SIMPLE, SYNC, Connection, Server

        from dialer_gui.directories.tls import client_context

        parts = urlsplit(self.text("url"))
        ldaps = parts.scheme == "ldaps"
        bind_dn = self.text("bind_dn")
        password = self.secrets.get("password", "")
        if bind_dn and not password:
            # An empty password would be an "unauthenticated bind": it succeeds and reads
            # nothing, which would look like an empty directory.
            raise self.config_error(
                f"its password is not set: dialer-gui secret set {self.name} password"
            )
        use_tls = ldaps or bool(self.option("starttls"))
        context = client_context(
            self.name, verify=bool(self.option("verify_tls")), ca_file=self.text("ca_file")
        )
        server = Server(
            parts.hostname or "",
            port=parts.port or (636 if ldaps else 389),
            use_ssl=ldaps,
            tls=_verified_tls(context) if use_tls else None,
            get_info=NONE,
            connect_timeout=min(self.timeout, 5.0),
        )
        connection = Connection(
            server,
            user=bind_dn or None,
            password=password or None,
            authentication=SIMPLE if bind_dn else ANONYMOUS,
            client_strategy=SYNC,
            auto_bind=False,
            read_only=True,
            raise_exceptions=True,
            # Whole seconds: ldap3 packs it into SO_RCVTIMEO as an integer on Linux.
            receive_timeout=max(1, math.ceil(self.timeout)),
            auto_referrals=False,  # a referral would send our bind to another server
        )
        try:
            connection.open()
            if use_tls and not ldaps:
                connection.start_tls()
            connection.bind()
        except BaseException:
            self._drop(connection)
            raise
        return connection

    @staticmethod
    def _drop(connection: Any) -> None:
        try:
            connection.unbind()
        except Exception as exc:  # closing a broken connection may fail in any way
            log.debug("Closing an LDAP connection: %s", type(exc).__name__)
        # After a timeout in StartTLS ldap3 counts the connection as closed but leaves its
        # socket open; close it here so no file descriptor is left behind.
        sock = getattr(connection, "socket", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.close()

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._drop(self._connection)
                self._connection = None

    async def aclose(self) -> None:
        await asyncio.to_thread(self.close)

    # -- searching --------------------------------------------------------------------------

    def words(self, text: str) -> list[str]:
        words = [w[:MAX_WORD] for w in text.split()][:MAX_WORDS]
        if sum(len(w) for w in words) < int(self.option("min_length")):
            return []
        return words

    async def search(self, text: str) -> SearchResult:
        words = self.words(text)
        if not words:
            return SearchResult(())
        self._latest += 1
        try:
            async with asyncio.timeout(self.timeout * 2):
                return await asyncio.to_thread(self._search_mapped, words, self._latest)
        except TimeoutError:
            raise DirectoryError(Problem.TIMEOUT, self.name) from None

    def _search_mapped(self, words: list[str], number: int) -> SearchResult:
        try:
            return self._search(words, number)
        except DirectoryError:
            raise
        except Exception as exc:
            raise self._mapped(exc) from exc

    def _search(self, words: list[str], number: int) -> SearchResult:
        numbers: Mapping[str, str] = self.option("number_attributes")
        names = list(self.option("name_attributes"))
        organisations = list(self.option("organisation_attributes"))
        wanted = list(dict.fromkeys([*names, *organisations, *numbers]))
        query = search_filter(self.text("filter"), self.option("search_attributes"), words)
        cap = int(self.option("max_results"))
        page = int(self.option("page_size"))
        entries: list[tuple[str, Mapping[str, list[bytes]]]] = []
        cut = False
        with self._lock:
            if number != self._latest:
                return SearchResult(())  # superseded while it waited; its caller is gone
            for attempt in (1, 2):
                if self._connection is None:
                    self._connection = self._connect()
                try:
                    entries, cut = self._pages(self._connection, query, wanted, page, cap + 1)
                    break
                except Exception as exc:
                    self._drop(self._connection)
                    self._connection = None
                    # A kept connection the server has closed since is opened again, once.
                    if attempt == 2 or not _connection_lost(exc):
                        raise
        contacts = [
            self._contact(dn, attrs, names, organisations, numbers) for dn, attrs in entries
        ]
        return SearchResult(tuple(contacts[:cap]), truncated=cut or len(contacts) > cap)

    def _pages(
        self, connection: Any, query: str, wanted: list[str], page: int, most: int
    ) -> tuple[list[tuple[str, Mapping[str, list[bytes]]]], bool]:
        """Up to ``most`` entries, a page at a time; and whether the server's limit cut them."""
        _load_ldap3()
        from ldap3 import SUBTREE
        from ldap3.core.exceptions import LDAPSizeLimitExceededResult

        found: list[tuple[str, Mapping[str, list[bytes]]]] = []
        cookie: bytes | None = None
        while True:
            try:
                connection.search(
                    self.text("base_dn"),
                    query,
                    search_scope=SUBTREE,
                    attributes=wanted,
                    paged_size=min(page, most - len(found)),
                    paged_cookie=cookie,
                    time_limit=max(1, int(self.timeout)),
                )
            except LDAPSizeLimitExceededResult:
                # The server's own limit ended the search: what it sent is kept, marked as cut.
                return found + _entries(connection.response), True
            found += _entries(connection.response)
            controls = connection.result.get("controls") or {}
            paged = controls.get("1.2.840.113556.1.4.319", {}).get("value", {})
            cookie = paged.get("cookie") or None
            if not cookie or len(found) >= most:
                return found, False

    def _contact(
        self,
        dn: str,
        attrs: Mapping[str, list[bytes]],
        names: list[str],
        organisations: list[str],
        numbers: Mapping[str, str],
    ) -> Contact:
        lowered = {k.lower(): v for k, v in attrs.items()}

        def first(keys: Iterable[str]) -> str:
            for key in keys:
                for value in lowered.get(key.lower(), []):
                    text = _text(value)
                    if text:
                        return text
            return ""

        found: list[ContactNumber] = []
        for attribute, label in numbers.items():
            for value in lowered.get(attribute.lower(), []):
                written = _text(value)[:64]
                if written and len(found) < MAX_NUMBERS:
                    found.append(ContactNumber(label, written, self.normalise(written)))
        organisation = first(organisations)
        name = first(names) or organisation or (found[0].written if found else "") or dn
        return Contact(
            name=name[:MAX_VALUE],
            organisation=organisation,
            numbers=tuple(found),
            uid=dn,
            source=self.name,
        )

    async def check(self) -> str:
        def probe() -> str:
            with self._lock:
                if self._connection is None:
                    self._connection = self._connect()
            who = self.text("bind_dn") or "anonymously"
            return f"Connected and logged in {'as ' + who if who != 'anonymously' else who}."

        try:
            return await asyncio.to_thread(self._mapped_call, probe)
        finally:
            await self.aclose()

    def _mapped_call(self, function: Any) -> Any:
        try:
            return function()
        except DirectoryError:
            raise
        except Exception as exc:
            raise self._mapped(exc) from exc

    # -- errors -----------------------------------------------------------------------------

    def _mapped(self, exc: BaseException) -> DirectoryError:
        """Our error for anything ldap3 (or the socket under it) raised."""
        _load_ldap3()
        from ldap3.core import exceptions as lx

        from dialer_gui.directories.tls import is_tls_error

        name = self.name
        if isinstance(exc, lx.LDAPInvalidCredentialsResult):
            return DirectoryError(Problem.CREDENTIALS, name)
        if isinstance(exc, lx.LDAPInsufficientAccessRightsResult | lx.LDAPUnwillingToPerformResult):
            return DirectoryError(Problem.NOT_PERMITTED, name)
        if isinstance(
            exc, lx.LDAPStrongerAuthRequiredResult | lx.LDAPConfidentialityRequiredResult
        ):
            return DirectoryError(
                Problem.CONFIG, name, "the server asks for an encrypted connection"
            )
        if isinstance(exc, lx.LDAPNoSuchObjectResult | lx.LDAPInvalidDNSyntaxResult):
            return DirectoryError(Problem.NOT_FOUND, name, "check base_dn")
        if isinstance(exc, lx.LDAPAdminLimitExceededResult):
            return DirectoryError(Problem.CONFIG, name, "the server refused the page size")
        if isinstance(exc, lx.LDAPTimeLimitExceededResult):
            return DirectoryError(Problem.TIMEOUT, name)
        if isinstance(exc, lx.LDAPInvalidFilterError):
            return DirectoryError(Problem.CONFIG, name, "the filter is not valid")
        if isinstance(exc, lx.LDAPStartTLSError):
            if is_tls_error(exc) and "startTLS failed" not in str(exc):
                return DirectoryError(Problem.TLS, name)
            return DirectoryError(Problem.TLS, name, "the server does not offer StartTLS")
        if isinstance(exc, lx.LDAPOperationResult):
            log.warning("Directory %s: LDAP result %s", name, type(exc).__name__)
            return DirectoryError(Problem.UNEXPECTED, name, type(exc).__name__)
        if _timed_out(exc):
            return DirectoryError(Problem.TIMEOUT, name)
        if isinstance(exc, lx.LDAPSocketOpenError):
            if is_tls_error(exc):
                return DirectoryError(Problem.TLS, name)
            return DirectoryError(Problem.UNREACHABLE, name)
        if isinstance(
            exc,
            lx.LDAPSocketReceiveError
            | lx.LDAPSocketSendError
            | lx.LDAPSessionTerminatedByServerError,
        ):
            return DirectoryError(Problem.UNEXPECTED, name, "the connection broke")
        if isinstance(exc, ssl.SSLError):
            return DirectoryError(Problem.TLS, name)
        if isinstance(exc, OSError):
            return DirectoryError(Problem.UNREACHABLE, name)
        log.warning("Directory %s: %s", name, type(exc).__name__)
        return DirectoryError(Problem.UNEXPECTED, name, type(exc).__name__)


def _entries(response: Any) -> list[tuple[str, Mapping[str, list[bytes]]]]:
    return [
        (str(item.get("dn", "")), item.get("raw_attributes") or {})
        for item in response or []
        if item.get("type") == "searchResEntry"
    ]


def _chain(exc: BaseException) -> Iterable[BaseException]:
    seen: BaseException | None = exc
    for _ in range(16):
        if seen is None:
            return
        yield seen
        seen = seen.__cause__ or seen.__context__


def _timed_out(exc: BaseException) -> bool:
    _load_ldap3()
    from ldap3.core.exceptions import LDAPResponseTimeoutError

    for link in _chain(exc):
        if isinstance(link, LDAPResponseTimeoutError | socket.timeout | TimeoutError):
            return True
        if "timed out" in str(link).lower():
            return True
    return False


def _connection_lost(exc: BaseException) -> bool:
    _load_ldap3()
    from ldap3.core import exceptions as lx

    return isinstance(
        exc,
        lx.LDAPSocketReceiveError | lx.LDAPSocketSendError | lx.LDAPSessionTerminatedByServerError,
    ) and not _timed_out(exc)
