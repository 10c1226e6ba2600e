"""CardDAV address books (Nextcloud, iCloud, Radicale, SOGo, ...), synced into the phone book.

**Discovery** (RFC 6764, RFC 6352 section 7): from the server's address, ``/.well-known/carddav``
(redirects followed only on the same server), then the ``current-user-principal``, its
``addressbook-home-set``, and the address books in it. A URL that already names an address
book is used as it is.

**Sync**, so that a refresh moves only what changed:

1. With a sync token (RFC 6578 ``sync-collection``): the server lists only the cards changed or
   deleted since the last sync. A token the server no longer knows (``valid-sync-token``) means
   one full listing, compared by ETag with what we have.
2. Without one (the server has no ``sync-collection``): a ``PROPFIND`` of every card's ETag,
   compared with the ETags of the last sync.

Either way only cards whose ETag changed are fetched, in batches, with
``addressbook-multiget``; an answer too large for one read is split in halves down to single
cards, and a card too large or unreadable is skipped and named in the report. The contacts
are read-only copies whose uid is the card's path on the server; all of one sync goes to the
sink in one ``apply``, or nothing does. The WebDAV XML is written by hand (see ``webdav`` for
why no library is used).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urljoin, urlsplit

from dialer_gui.directories import webdav
from dialer_gui.directories.base import SyncedDirectory
from dialer_gui.directories.errors import DirectoryError, Problem
from dialer_gui.directories.sync import BookState, ContactSink, SyncReport, SyncState
from dialer_gui.directories.vcards import BrokenCard, parse_card
from dialer_gui.directories.webdav import CARDDAV, DAV, DavResponse, tag
from dialer_gui.vocabulary.contacts import Contact
from dialer_gui.vocabulary.fields import Field, FieldKind

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

BATCH = 100  # cards per addressbook-multiget
MAX_REDIRECTS = 3  # of /.well-known/carddav, on the same server

_RESOURCETYPE = tag(DAV, "resourcetype")
_DISPLAYNAME = tag(DAV, "displayname")
_SYNC_TOKEN = tag(DAV, "sync-token")
_GETETAG = tag(DAV, "getetag")
_PRINCIPAL = tag(DAV, "current-user-principal")
_HOME_SET = tag(CARDDAV, "addressbook-home-set")
_ADDRESS_DATA = tag(CARDDAV, "address-data")
_ADDRESSBOOK = tag(CARDDAV, "addressbook")
_COLLECTION = tag(DAV, "collection")
_CONTEXT_PROPS = (_RESOURCETYPE, _PRINCIPAL, _HOME_SET, _DISPLAYNAME, _SYNC_TOKEN)
_BOOK_PROPS = (_RESOURCETYPE, _DISPLAYNAME, _SYNC_TOKEN)


def _check_url(value: str) -> str | None:
    parts = urlsplit(value)
    if parts.username or parts.password:
        return "must not hold a user name or password: set user, and the password in the keyring"
    return None


@dataclass(frozen=True, slots=True)
class AddressBook:
    url: str
    path: str
    name: str
    has_sync_token: bool


@dataclass(slots=True)
class _BookChanges:
    """What the listing of one book says must be fetched and dropped."""

    fetch: list[tuple[str, str]] = field(default_factory=list)  # (href as sent, path)
    deleted: list[str] = field(default_factory=list)  # paths
    etags: dict[str, str] = field(default_factory=dict)  # path -> ETag, of cards kept
    token: str = ""
    full: bool = False


def _shown(path: str) -> str:
    """A card's path as a message may show it: printable, on one line, not too long."""
    text = "".join(c for c in path if c.isprintable())
    return text if len(text) <= 80 else text[:79] + "…"


class _TokenRefused(Exception):
    """The server no longer knows our sync token."""


class _NoSyncReport(Exception):
    """The server does not do ``sync-collection``."""


class CardDavDirectory(SyncedDirectory):
    type_name: ClassVar[str] = "carddav"
    label: ClassVar[str] = "CardDAV address book"
    fields: ClassVar[tuple[Field, ...]] = (
        Field("url", "Server address", FieldKind.URL, None,
              "The server, a user's address book home, or one address book.", required=True,
              check=_check_url),
        Field("user", "User name", FieldKind.STR, "", "Empty for a server without log-in."),
        Field("password", "Password", FieldKind.SECRET, None,
              "An app password where the server offers them."),
        Field("auth", "Authentication", FieldKind.CHOICE, "basic",
              "How the password is sent (over TLS).", choices=("basic", "digest")),
        Field("addressbooks", "Address books", FieldKind.STR_LIST, [],
              "Names or paths of the address books to sync; all of them if empty."),
    )  # fmt: skip

    # The most one answer may hold; a multiget larger than this is split (see _fetch).
    max_answer: int = webdav.MAX_ANSWER

    def __init__(
        self, *args: Any, transport: httpx.AsyncBaseTransport | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._transport = transport
        self._session: webdav.DavSession | None = None

    # -- the session ------------------------------------------------------------------------

    @property
    def session(self) -> webdav.DavSession:
        if self._session is None:
            from dialer_gui.directories.tls import client_context

            user = self.text("user")
            password = self.secrets.get("password", "")
            if user and not password:
                raise self.config_error(
                    f"its password is not set: dialer-gui secret set {self.name} password"
                )
            self._session = webdav.DavSession(
                self.name,
                user=user,
                password=password,
                timeout=self.timeout,
                verify=client_context(
                    self.name, verify=bool(self.option("verify_tls")), ca_file=self.text("ca_file")
                ),
                digest=self.option("auth") == "digest",
                transport=self._transport,
            )
        return self._session

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.aclose()
            self._session = None

    async def _multistatus(
        self, method: str, url: str, body: bytes, depth: str
    ) -> webdav.Multistatus:
        answer = await self.session.request(
            method, url, body=body, depth=depth, limit=self.max_answer
        )
        if answer.status != 207:
            raise webdav.status_error(answer, self.name)
        return webdav.parse_multistatus(answer.body, url, self.name)

    async def _propfind(self, url: str, depth: str, props: Sequence[str]) -> list[DavResponse]:
        found = await self._multistatus("PROPFIND", url, webdav.propfind_body(props), depth)
        return found.responses

    # -- discovery --------------------------------------------------------------------------

    async def _well_known(self, url: str) -> tuple[str, list[DavResponse]]:
        """Where ``/.well-known/carddav`` leads (on this server), and what it says there."""
        target = urljoin(url, "/.well-known/carddav")
        body = webdav.propfind_body(_CONTEXT_PROPS)
        for _ in range(MAX_REDIRECTS + 1):
            answer = await self.session.request("PROPFIND", target, body=body, depth="0")
            if answer.status == 207:
                return target, webdav.parse_multistatus(answer.body, target, self.name).responses
            if answer.status in (301, 302, 303, 307, 308) and answer.location:
                following = urljoin(target, answer.location)
                if not webdav.same_origin(following, url):
                    host = urlsplit(following).hostname or "?"
                    detail = "to " + "".join(c for c in host if c.isalnum() or c in ".-")[:253]
                    raise DirectoryError(Problem.REDIRECTED, self.name, detail)
                target = following
                continue
            if answer.status in (401, 407):
                raise webdav.status_error(answer, self.name)
            break  # no well-known service: the address itself is the context
        return url, await self._propfind(url, "0", _CONTEXT_PROPS)

    async def discover(self) -> list[AddressBook]:
        """The address books at the configured address, filtered by ``addressbooks``.

        Raises:
            DirectoryError: ``NOT_FOUND`` when there is none.
        """
        url = self.text("url")
        if urlsplit(url).path in ("", "/"):
            start, context = await self._well_known(url)
        else:
            start, context = url, await self._propfind(url, "0", _CONTEXT_PROPS)
        here = context[0] if context else None
        if here is not None and here.is_a(_ADDRESSBOOK):
            books = [self._book(start, here)]
        else:
            home = here.href_in(_HOME_SET) if here is not None else ""
            principal = here.href_in(_PRINCIPAL) if here is not None else ""
            if not home and principal:
                principal_url = urljoin(start, principal)
                found = await self._propfind(principal_url, "0", (_HOME_SET,))
                home = found[0].href_in(_HOME_SET) if found else ""
                start = principal_url
            home_url = urljoin(start, home) if home else start
            listing = await self._propfind(home_url, "1", _BOOK_PROPS)
            books = [self._book(home_url, r) for r in listing if r.is_a(_ADDRESSBOOK)]
        wanted = [w.strip().strip("/") for w in self.option("addressbooks") or [] if w.strip()]
        if wanted:
            books = [b for b in books if b.name in wanted or b.path.strip("/") in wanted
                     or b.path.strip("/").rsplit("/", 1)[-1] in wanted]  # fmt: skip
        if not books:
            raise DirectoryError(Problem.NOT_FOUND, self.name)
        return books

    @staticmethod
    def _book(base: str, response: DavResponse) -> AddressBook:
        return AddressBook(
            url=urljoin(base, response.href),
            path=response.path,
            name=response.text(_DISPLAYNAME) or response.path.strip("/").rsplit("/", 1)[-1],
            has_sync_token=_SYNC_TOKEN in response.props,
        )

    async def check(self) -> str:
        try:
            books = await self.discover()
        finally:
            await self.aclose()
        names = ", ".join(b.name for b in books)
        return f"{len(books)} address book{'s' if len(books) != 1 else ''}: {names}"

    # -- what changed -----------------------------------------------------------------------

    async def _sync_report(self, book: AddressBook, token: str) -> webdav.Multistatus:
        answer = await self.session.request(
            "REPORT",
            book.url,
            body=webdav.sync_collection_body(token),
            depth="0",
            limit=self.max_answer,
        )
        if answer.status == 207:
            return webdav.parse_multistatus(answer.body, book.url, self.name)
        if webdav.is_precondition(answer.body, "valid-sync-token") or (
            token and answer.status == 410
        ):
            raise _TokenRefused
        if answer.status in (405, 501) or webdav.is_precondition(answer.body, "supported-report"):
            raise _NoSyncReport
        raise webdav.status_error(answer, self.name)

    def _members(self, book: AddressBook, responses: Sequence[DavResponse]) -> list[DavResponse]:
        return [
            r for r in responses
            if r.path.rstrip("/") != book.path.rstrip("/") and not r.is_a(_COLLECTION)
        ]  # fmt: skip

    def _compare(
        self, present: Sequence[DavResponse], old: BookState, changes: _BookChanges
    ) -> None:
        """A whole listing against the ETags of the last sync."""
        seen = set()
        for r in present:
            seen.add(r.path)
            etag = r.text(_GETETAG)
            if etag and old.etags.get(r.path) == etag:
                changes.etags[r.path] = etag
            else:
                changes.fetch.append((r.href, r.path))
        changes.deleted += [path for path in old.etags if path not in seen]

    async def _changes(self, book: AddressBook, old: BookState) -> _BookChanges:
        changes = _BookChanges()
        if book.has_sync_token:
            try:
                try:
                    found = await self._sync_report(book, old.token)
                except _TokenRefused:
                    log.info("Directory %s: sync token refused; comparing all ETags", self.name)
                    changes.full = True
                    found = await self._sync_report(book, "")
            except _NoSyncReport:
                log.info("Directory %s: no sync-collection; comparing ETags", self.name)
            else:
                members = self._members(book, found.responses)
                changes.token = found.sync_token
                if old.token and not changes.full:
                    # Only what changed since the token: the rest is as the last sync left it.
                    gone = {r.path for r in members if r.status in (404, 410)}
                    changes.deleted = [p for p in gone if p in old.etags]
                    changes.etags = {p: e for p, e in old.etags.items() if p not in gone}
                    for r in members:
                        etag = r.text(_GETETAG)
                        if r.path in gone or (etag and old.etags.get(r.path) == etag):
                            continue
                        changes.etags.pop(r.path, None)
                        changes.fetch.append((r.href, r.path))
                else:
                    present = [r for r in members if r.status not in (404, 410)]
                    self._compare(present, old, changes)
                return changes
        listing = await self._propfind(book.url, "1", (_GETETAG, _RESOURCETYPE))
        present = [r for r in self._members(book, listing) if r.status is None]
        self._compare(present, old, changes)
        return changes

    # -- fetching ---------------------------------------------------------------------------

    async def _fetch(
        self, book: AddressBook, wanted: list[tuple[str, str]], skipped: list[str]
    ) -> tuple[list[tuple[DavResponse, str]], list[str]]:
        """The cards ``wanted`` as (response, card text), and the paths of those gone since.

        A batch whose answer is too large is split in halves; a single card too large is
        skipped and named in ``skipped``.
        """
        out: list[tuple[DavResponse, str]] = []
        vanished: list[str] = []
        pending = [wanted[i : i + BATCH] for i in range(0, len(wanted), BATCH)]
        while pending:
            batch = pending.pop(0)
            try:
                found = await self._multistatus(
                    "REPORT", book.url, webdav.multiget_body(h for h, _ in batch), "0"
                )
            except DirectoryError as exc:
                if exc.problem is not Problem.TOO_LARGE:
                    raise
                if len(batch) == 1:
                    shown = _shown(batch[0][1])
                    skipped.append(f"Skipped the card {shown}: it is larger than dialer-gui reads.")
                    continue
                half = len(batch) // 2
                pending[:0] = [batch[:half], batch[half:]]
                continue
            asked = {path for _, path in batch}
            for r in found.responses:
                if r.path not in asked:
                    continue  # a server may not add cards we did not ask for
                data = r.props.get(_ADDRESS_DATA)
                if r.status in (404, 410) or data is None:
                    vanished.append(r.path)
                    continue
                out.append((r, data.text or ""))
        return out, vanished

    # -- sync -------------------------------------------------------------------------------

    async def sync(self, sink: ContactSink) -> SyncReport:
        try:
            return await self._sync(sink)
        finally:
            await self.aclose()

    async def _sync(self, sink: ContactSink) -> SyncReport:
        previous = sink.sync_state(self.name) or SyncState()
        books = await self.discover()
        changed: list[Contact] = []
        deleted: list[str] = []
        skipped: list[str] = []
        states: dict[str, BookState] = {}
        unchanged = 0
        full = False
        for book in books:
            changes = await self._changes(book, previous.books.get(book.url, BookState()))
            full = full or changes.full
            unchanged += len(changes.etags)
            etags = dict(changes.etags)
            cards, vanished = await self._fetch(book, changes.fetch, skipped)
            for response, text in cards:
                try:
                    contact = parse_card(
                        text, uid=response.path, source=self.name, normalise=self.normalise
                    )
                except BrokenCard as exc:
                    skipped.append(f"Skipped the card {_shown(response.path)}: {exc}.")
                    continue
                changed.append(contact)
                etag = response.text(_GETETAG)
                if etag:
                    etags[response.path] = etag
            for path in changes.deleted + vanished:
                deleted.append(path)
                etags.pop(path, None)
            states[book.url] = BookState(changes.token, etags)
        for url, old in previous.books.items():
            if url not in states:  # an address book removed on the server, or filtered out
                deleted += list(old.etags)
        sink.apply(self.name, changed, deleted, SyncState(states))
        session = self.session
        return SyncReport(
            directory=self.name,
            changed=len(changed),
            deleted=len(deleted),
            unchanged=unchanged,
            skipped=tuple(skipped),
            full=full,
            requests=session.requests,
            received=session.received,
        )
