"""CardDAV directories against a real Radicale: discovery, sync that moves only what changed.

Every test talks to the Radicale the session started (tests/support/fixtures_radicale.py) as
a user of its own. What the client asked for is seen through a transport that records each
request on its way to the real server (and, for the ETag fallback only, answers the one
``sync-collection`` report itself, as a server without RFC 6578 would).
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import pytest
from fixtures_radicale import CardDavUser, RadicaleServer, card

from dialer_gui.directories.base import DirectoryProfile
from dialer_gui.directories.carddav import CardDavDirectory
from dialer_gui.directories.errors import DirectoryError, Problem
from dialer_gui.directories.sync import BookState, MemorySink, SyncState

pytestmark = pytest.mark.slow  # starts a server process

_HREF = re.compile(rb"<(?:\w+:)?href>([^<]+)</(?:\w+:)?href>")


class Recording(httpx.AsyncBaseTransport):
    """Passes every request to the real server and keeps what was asked."""

    def __init__(self, *, refuse_sync_report: bool = False) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.refuse_sync_report = refuse_sync_report
        self.requests: list[tuple[str, str, bytes]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = request.content
        self.requests.append((request.method, request.url.path, body))
        if self.refuse_sync_report and b"sync-collection" in body:
            return httpx.Response(501, text="Not Implemented")
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()

    def fetched(self) -> list[str]:
        """Every card href asked for in a multiget, in order."""
        return [
            href.decode().rsplit("/", 1)[-1]
            for method, _, body in self.requests
            if method == "REPORT" and b"addressbook-multiget" in body
            for href in _HREF.findall(body)
        ]

    def reset(self) -> None:
        self.requests.clear()


def directory(
    user: CardDavUser, url: str | None = None, transport: Any = None, **options: Any
) -> CardDavDirectory:
    profile = DirectoryProfile(
        "office", "carddav", {"url": url or user.server.url, "user": user.name, **options}
    )
    return CardDavDirectory(
        profile,
        {"password": user.password},
        normalise=lambda written: "+" + "".join(c for c in written if c.isdigit()),
        transport=transport,
    )


def sync(d: CardDavDirectory, sink: MemorySink) -> Any:
    return asyncio.run(d.sync(sink))


def three_cards(user: CardDavUser) -> None:
    user.put("jane.vcf", card("Jane Doe", ("WORK", "+1 212 555 0100"), ("CELL", "+1 917 555 0101")))
    user.put("john.vcf", card("John Roe", ("HOME", "+44 20 7946 0958")))
    user.put(
        "desk.vcf", card("Front Desk", ("WORK", "+1 212 555 0111"), ("FAX", "+1 212 555 0112"))
    )


@pytest.mark.parametrize("where", ["server", "home", "book"])
def test_discovery_finds_the_address_book_from_the_server_the_home_or_the_book(
    carddav_user: CardDavUser, where: str
) -> None:
    server = carddav_user.server.url
    url = {
        "server": server,
        "home": f"{server}/{carddav_user.name}/",
        "book": server + carddav_user.book_path(),
    }[where]
    books = asyncio.run(directory(carddav_user, url).discover())
    assert [(b.path, b.name) for b in books] == [(carddav_user.book_path(), "Contacts")]
    assert books[0].has_sync_token


def test_discovery_of_a_user_with_two_books_finds_both_and_the_setting_picks_one(
    carddav_user: CardDavUser,
) -> None:
    carddav_user.make_book("partners", "Partners")
    names = sorted(b.name for b in asyncio.run(directory(carddav_user).discover()))
    assert names == ["Contacts", "Partners"]
    chosen = asyncio.run(directory(carddav_user, addressbooks=["Partners"]).discover())
    assert [b.name for b in chosen] == ["Partners"]


def test_first_sync_brings_every_card_as_a_read_only_contact_with_labelled_numbers(
    carddav_user: CardDavUser,
) -> None:
    three_cards(carddav_user)
    sink = MemorySink()
    report = sync(directory(carddav_user), sink)
    assert (report.changed, report.deleted, report.full) == (3, 0, False)
    contacts = sink.contacts["office"]
    jane = contacts[carddav_user.book_path() + "jane.vcf"]
    assert (jane.name, jane.organisation, jane.source) == ("Jane Doe", "Acme", "office")
    assert [(n.label, n.written, n.number) for n in jane.numbers] == [
        ("work", "+1 212 555 0100", "+12125550100"),
        ("mobile", "+1 917 555 0101", "+19175550101"),
    ]
    desk = contacts[carddav_user.book_path() + "desk.vcf"]
    assert [n.label for n in desk.numbers] == ["work", "fax"]
    assert sink.states["office"].books  # a sync token and the ETags are kept for next time


def test_a_second_sync_moves_only_the_changed_the_added_and_the_deleted_card(
    carddav_user: CardDavUser,
) -> None:
    three_cards(carddav_user)
    for i in range(20):
        carddav_user.put(
            f"staff{i:02d}.vcf", card(f"Staff {i:02d}", ("WORK", f"+1 212 555 02{i:02d}"))
        )
    sink = MemorySink()
    recording = Recording()
    first = sync(directory(carddav_user, transport=recording), sink)
    assert first.changed == 23
    assert len(recording.fetched()) == 23

    carddav_user.put("john.vcf", card("John Roe-Smith", ("HOME", "+44 20 7946 0958")))
    carddav_user.put("new.vcf", card("New Colleague", ("WORK", "+1 212 555 0177")))
    carddav_user.delete("desk.vcf")
    recording.reset()
    second = sync(directory(carddav_user, transport=recording), sink)

    assert (second.changed, second.deleted, second.unchanged) == (2, 1, 21)
    assert sorted(recording.fetched()) == ["john.vcf", "new.vcf"]  # and not one card more
    assert second.received < first.received / 3
    names = sink.names("office")
    assert "John Roe-Smith" in names and "New Colleague" in names
    assert "Front Desk" not in names and "John Roe" not in names
    assert len(names) == 23

    recording.reset()
    third = sync(directory(carddav_user, transport=recording), sink)
    assert (third.changed, third.deleted) == (0, 0)
    assert recording.fetched() == []  # nothing changed, nothing fetched


def test_a_sync_token_the_server_no_longer_knows_means_one_full_comparison(
    carddav_user: CardDavUser,
) -> None:
    three_cards(carddav_user)
    sink = MemorySink()
    sync(directory(carddav_user), sink)
    # The server forgot our token (expired, or its cache was wiped), and meanwhile a card went.
    stale = SyncState(
        {
            url: BookState("http://radicale.org/ns/sync/" + "0" * 64, book.etags)
            for url, book in sink.states["office"].books.items()
        }
    )
    sink.states["office"] = stale
    carddav_user.delete("john.vcf")
    recording = Recording()
    report = sync(directory(carddav_user, transport=recording), sink)
    assert report.full
    assert (report.changed, report.deleted, report.unchanged) == (0, 1, 2)
    assert recording.fetched() == []  # the ETags still matched: no card moved again
    assert sink.names("office") == ["Front Desk", "Jane Doe"]
    token = next(iter(sink.states["office"].books.values())).token
    assert (
        token.startswith("http://radicale.org/ns/sync/")
        and token != stale.books[next(iter(stale.books))].token
    )


def test_without_sync_collection_the_etags_tell_what_changed(carddav_user: CardDavUser) -> None:
    three_cards(carddav_user)
    sink = MemorySink()
    recording = Recording(refuse_sync_report=True)
    first = sync(directory(carddav_user, transport=recording), sink)
    assert first.changed == 3
    assert all(b.token == "" for b in sink.states["office"].books.values())

    carddav_user.put("jane.vcf", card("Jane Doe-Smith", ("CELL", "+1 917 555 0101")))
    carddav_user.put("new.vcf", card("New Colleague", ("WORK", "+1 212 555 0177")))
    carddav_user.delete("john.vcf")
    recording.reset()
    second = sync(directory(carddav_user, transport=recording), sink)
    assert (second.changed, second.deleted, second.unchanged) == (2, 1, 1)
    assert sorted(recording.fetched()) == ["jane.vcf", "new.vcf"]
    assert any(m == "PROPFIND" and b"getetag" in body for m, _, body in recording.requests)
    assert sink.names("office") == ["Front Desk", "Jane Doe-Smith", "New Colleague"]


def test_a_broken_card_is_skipped_and_named_and_the_others_arrive(
    carddav_user: CardDavUser,
) -> None:
    three_cards(carddav_user)
    # A card the server stores but no phone book can use: a name of invisible characters only
    # (a zero-width space and a right-to-left override), no number.
    carddav_user.put(
        "broken.vcf", "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:\u200b\u202e\r\nN:;;;;\r\nEND:VCARD\r\n"
    )
    sink = MemorySink()
    report = sync(directory(carddav_user), sink)
    assert report.changed == 3
    assert len(report.skipped) == 1 and "broken.vcf" in report.skipped[0]
    assert "no name and no number" in report.skipped[0]


def test_an_answer_too_large_to_read_at_once_is_fetched_in_smaller_batches(
    carddav_user: CardDavUser,
) -> None:
    three_cards(carddav_user)
    big = card("Big Photo", ("WORK", "+1 212 555 0150")).replace(
        "END:VCARD", "NOTE:" + "x" * 30_000 + "\r\nEND:VCARD"
    )
    carddav_user.put("big.vcf", big)
    sink = MemorySink()
    recording = Recording()
    d = directory(carddav_user, transport=recording)
    d.max_answer = 20_000  # the four cards in one answer are larger; each alone but one is not
    report = sync(d, sink)
    assert report.changed == 3
    big_path = f"/{carddav_user.name}/contacts/big.vcf"
    assert report.skipped == (f"Skipped the card {big_path}: it is larger than dialer-gui reads.",)
    assert len([m for m, _, b in recording.requests if b"multiget" in b]) > 2


def test_the_wrong_password_is_a_plain_message_and_the_phone_book_is_untouched(
    carddav_user: CardDavUser,
) -> None:
    three_cards(carddav_user)
    sink = MemorySink()
    sync(directory(carddav_user), sink)
    before = dict(sink.contacts["office"])
    wrong = CardDavDirectory(
        DirectoryProfile("office", "carddav", {"url": carddav_user.server.url,
                                               "user": carddav_user.name}),
        {"password": "not-the-password"},
    )  # fmt: skip
    with pytest.raises(DirectoryError) as caught:
        sync(wrong, sink)
    assert caught.value.problem is Problem.CREDENTIALS
    assert str(caught.value) == "The directory “office” refused the user name or password."
    assert "not-the-password" not in str(caught.value)
    assert sink.contacts["office"] == before and sink.applied == 1


def test_a_missing_password_is_named_before_anything_is_sent(carddav_user: CardDavUser) -> None:
    recording = Recording()
    d = CardDavDirectory(
        DirectoryProfile("office", "carddav", {"url": carddav_user.server.url, "user": "x"}),
        {},
        transport=recording,
    )
    with pytest.raises(DirectoryError) as caught:
        sync(d, MemorySink())
    assert caught.value.problem is Problem.CONFIG
    assert "dialer-gui secret set office password" in str(caught.value)
    assert recording.requests == []


def test_an_address_without_address_books_says_so(radicale: RadicaleServer) -> None:
    user = radicale.new_user()  # no address book made
    with pytest.raises(DirectoryError) as caught:
        asyncio.run(directory(user).discover())
    assert caught.value.problem is Problem.NOT_FOUND


def test_an_address_book_removed_on_the_server_takes_its_contacts_with_it(
    carddav_user: CardDavUser,
) -> None:
    carddav_user.make_book("old", "Old")
    carddav_user.put("jane.vcf", card("Jane Doe", ("WORK", "+1 212 555 0100")))
    carddav_user.put("gone.vcf", card("Gone Person", ("WORK", "+1 212 555 0101")), book="old")
    sink = MemorySink()
    sync(directory(carddav_user), sink)
    assert sink.names("office") == ["Gone Person", "Jane Doe"]
    with httpx.Client(auth=(carddav_user.name, carddav_user.password)) as http:
        answer = http.delete(carddav_user.server.url + carddav_user.book_path("old"))
        assert answer.status_code in (200, 204)
    report = sync(directory(carddav_user), sink)
    assert report.deleted == 1
    assert sink.names("office") == ["Jane Doe"]
    assert len(sink.states["office"].books) == 1


def test_check_names_the_address_books_it_found(carddav_user: CardDavUser) -> None:
    assert asyncio.run(directory(carddav_user).check()) == "1 address book: Contacts"


def test_a_stored_state_that_cannot_be_read_means_a_full_sync_not_a_crash() -> None:
    for text in ("", "[]", "{", '{"u": 3}', '{"u": {"token": 1, "etags": {}}}', "[" * 100_000):
        assert SyncState.from_json(text) == SyncState()
    state = SyncState({"https://d/a/": BookState("t1", {"/a/x.vcf": '"e1"'})})
    assert SyncState.from_json(state.to_json()) == state
