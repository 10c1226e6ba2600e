"""LDAP directories against a real slapd: live search, paging, the cap, TLS and errors.

The server (tests/support/fixtures_slapd.py) answers at most 5 entries to a search that is not
paged, like Active Directory (at 1000), has twelve "Staff Member" entries, Jane Doe with
every kind of number, and entries whose names hold filter syntax and accents.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fixtures_slapd import PEOPLE, READER_DN, READER_PASSWORD, STAFF, UNPAGED_LIMIT, SlapdServer

from dialer_gui.directories.base import DirectoryProfile, SearchResult
from dialer_gui.directories.errors import DirectoryError, Problem
from dialer_gui.directories.ldap import LdapDirectory, escape, search_filter

pytestmark = pytest.mark.slow  # starts a server process


def directory(
    slapd: SlapdServer, password: str | None = READER_PASSWORD, **options: Any
) -> LdapDirectory:
    opts = {
        "url": slapd.url,
        "base_dn": PEOPLE,
        "bind_dn": READER_DN,
        "ca_file": str(slapd.ca.cert),
    }
    profile = DirectoryProfile("corp", "ldap", {**opts, **options})
    return LdapDirectory(
        profile,
        {} if password is None else {"password": password},
        normalise=lambda written: "".join(c for c in written if c.isdigit()),
    )


def search(d: LdapDirectory, text: str) -> SearchResult:
    async def run() -> SearchResult:
        try:
            return await d.search(text)
        finally:
            await d.aclose()

    return asyncio.run(run())


def failure(d: LdapDirectory, text: str = "jane") -> DirectoryError:
    with pytest.raises(DirectoryError) as caught:
        search(d, text)
    return caught.value


def test_a_name_finds_the_person_with_every_number_labelled(slapd: SlapdServer) -> None:
    found = search(directory(slapd), "jane")
    assert len(found.contacts) == 1 and not found.truncated
    jane = found.contacts[0]
    assert (jane.name, jane.organisation, jane.source) == ("Jane Doe (Sales)", "Acme Corp", "corp")
    assert jane.uid == f"uid=jdoe,{PEOPLE}"
    assert [(n.label, n.written, n.number) for n in jane.numbers] == [
        ("work", "+1 212 555 0100", "12125550100"),
        ("mobile", "+1 917 555 0101", "19175550101"),
        ("extension", "4711", "4711"),
        ("fax", "+1 212 555 0199", "12125550199"),
    ]


def test_every_word_must_match_and_numbers_are_searched_too(slapd: SlapdServer) -> None:
    d = directory(slapd)
    assert [c.name for c in search(d, "john roe").contacts] == ["John Roe"]
    assert search(d, "john doe").contacts == ()
    assert [c.name for c in search(d, "4711").contacts] == ["Jane Doe (Sales)"]
    roe = search(d, "roe").contacts[0]
    assert roe.organisation == "Roe & Sons" and roe.numbers[0].label == "home"
    assert [c.name for c in search(d, "müller").contacts] == ["Jürgen Müller"]


def test_more_entries_than_the_page_size_arrive_page_by_page(slapd: SlapdServer) -> None:
    # Without paging the server stops at 5; a page of 5 and the cookie bring all 12.
    found = search(directory(slapd, page_size=UNPAGED_LIMIT, max_results=100), "staff")
    assert len(found.contacts) == STAFF > UNPAGED_LIMIT
    assert not found.truncated
    assert sorted(c.name for c in found.contacts) == [f"Staff Member {i:02d}" for i in range(STAFF)]


def test_the_result_cap_stops_the_search_and_says_more_matched(slapd: SlapdServer) -> None:
    found = search(directory(slapd, page_size=2, max_results=3), "staff")
    assert len(found.contacts) == 3 and found.truncated
    exact = search(directory(slapd, page_size=4, max_results=STAFF), "staff")
    assert len(exact.contacts) == STAFF and not exact.truncated


def test_filter_syntax_typed_by_the_user_is_searched_for_not_obeyed(slapd: SlapdServer) -> None:
    d = directory(slapd)
    assert [c.name for c in search(d, "(asterisk)").contacts] == ["Star (Asterisk) Person"]
    # "*)(uid=*" would widen an unescaped filter to every entry; escaped, it matches nobody.
    assert search(d, "*)(uid=*").contacts == ()
    assert search(d, "\\2a").contacts == ()
    assert search(d, "ja\x00ne").contacts == ()
    assert escape("*)(uid=*\\") == "\\2a\\29\\28uid=\\2a\\5c"
    assert search_filter("(objectClass=person)", ["cn"], ["a*"]) == (
        "(&(objectClass=person)(|(cn=*a\\2a*)))"
    )


def test_too_short_a_search_asks_nobody(slapd: SlapdServer) -> None:
    d = directory(slapd, url="ldap://127.0.0.1:1")  # nothing listens there
    assert search(d, "j") == SearchResult(())
    assert search(d, "   ") == SearchResult(())


def test_one_connection_serves_the_keystrokes_that_follow(slapd: SlapdServer) -> None:
    d = directory(slapd)

    async def typing() -> tuple[list[int], list[object]]:
        counts, connections = [], []
        for text in ("st", "sta", "staf", "staff"):
            counts.append(len((await d.search(text)).contacts))
            connections.append(d._connection)
        await d.aclose()
        return counts, connections

    counts, connections = asyncio.run(typing())
    assert counts[-1] == STAFF
    assert connections[0] is not None and all(c is connections[0] for c in connections)
    assert d._connection is None  # closed by aclose


@pytest.mark.parametrize("scheme", ["starttls", "ldaps"])
def test_tls_is_verified_against_the_ca_file(slapd: SlapdServer, scheme: str) -> None:
    url = slapd.url if scheme == "starttls" else slapd.ldaps_url
    assert len(search(directory(slapd, url=url), "jane").contacts) == 1
    # Without the CA that signed it, the server's certificate is not trusted: no bind is sent.
    untrusted = failure(directory(slapd, url=url, ca_file=""))
    assert untrusted.problem is Problem.TLS
    assert "no password was sent" in str(untrusted)


def test_a_certificate_for_another_name_is_refused(slapd: SlapdServer) -> None:
    # The certificate names 127.0.0.1 only; "localhost" is the same server by another name.
    wrong_name = f"ldaps://localhost:{slapd.ldaps_port}"
    assert failure(directory(slapd, url=wrong_name)).problem is Problem.TLS


def test_without_starttls_a_plain_connection_works_when_asked_for(slapd: SlapdServer) -> None:
    assert len(search(directory(slapd, starttls=False), "jane").contacts) == 1


def test_the_wrong_password_is_a_plain_message(slapd: SlapdServer) -> None:
    error = failure(directory(slapd, password="wrong-password"))
    assert error.problem is Problem.CREDENTIALS
    assert str(error) == "The directory “corp” refused the user name or password."
    assert "wrong-password" not in str(error)


def test_a_missing_password_is_named_and_never_sent_as_an_empty_bind(slapd: SlapdServer) -> None:
    error = failure(directory(slapd, password=None))
    assert error.problem is Problem.CONFIG
    assert "dialer-gui secret set corp password" in str(error)


def test_a_base_dn_that_does_not_exist_says_so(slapd: SlapdServer) -> None:
    error = failure(directory(slapd, base_dn="ou=nobody,dc=example,dc=test"))
    assert error.problem is Problem.NOT_FOUND


def test_a_server_that_is_down_is_a_plain_message(slapd: SlapdServer) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again before the search: nothing listens
    started = time.monotonic()
    error = failure(directory(slapd, url=f"ldap://127.0.0.1:{port}"))
    assert error.problem is Problem.UNREACHABLE
    assert time.monotonic() - started < 3


class Silent(int):
    """The port of a server that accepts connections and never says a word."""

    accepted: list[socket.socket]


@pytest.fixture
def silent_server() -> Iterator[Silent]:
    """A port that accepts connections and never says a word (``.accepted``: the connections)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    port = Silent(listener.getsockname()[1])
    port.accepted = accepted
    try:
        yield port
    finally:
        stop.set()
        thread.join(2)
        for sock in accepted:
            sock.close()
        listener.close()


@pytest.mark.parametrize("starttls", [True, False])
def test_a_server_that_accepts_and_never_answers_times_out(
    slapd: SlapdServer, silent_server: Silent, starttls: bool
) -> None:
    d = directory(slapd, url=f"ldap://127.0.0.1:{silent_server}", timeout=1.0, starttls=starttls)
    started = time.monotonic()
    error = failure(d)
    elapsed = time.monotonic() - started
    assert error.problem is Problem.TIMEOUT
    assert str(error) == "The directory “corp” did not answer in time."
    assert elapsed < 3.5


def test_check_says_whom_it_logged_in_as(slapd: SlapdServer) -> None:
    d = directory(slapd)
    assert asyncio.run(d.check()) == f"Connected and logged in as {READER_DN}."


def test_a_silent_server_never_stalls_the_event_loop(
    slapd: SlapdServer, silent_server: Silent
) -> None:
    # The search runs in a worker thread: the app's loop (the dial pad, the tray) keeps going.
    d = directory(slapd, url=f"ldap://127.0.0.1:{silent_server}", timeout=1.0)

    async def run() -> tuple[float, Problem]:
        gaps: list[float] = []
        done = asyncio.Event()

        async def tick() -> None:
            last = time.monotonic()
            while not done.is_set():
                await asyncio.sleep(0.01)
                now = time.monotonic()
                gaps.append(now - last)
                last = now

        ticker = asyncio.create_task(tick())
        try:
            await d.search("jane")
        except DirectoryError as exc:
            problem = exc.problem
        finally:
            done.set()
            await ticker
            await d.aclose()
        return max(gaps), problem

    worst, problem = asyncio.run(run())
    assert problem is Problem.TIMEOUT
    assert worst < 0.2


def test_keystrokes_typed_while_the_server_is_silent_do_not_queue_up(
    slapd: SlapdServer, silent_server: Silent
) -> None:
    # Five keystrokes against a server that never answers: the one being sent and the last one
    # are tried; those that waited in between are dropped unsent (and answer "nothing").
    d = directory(slapd, url=f"ldap://127.0.0.1:{silent_server}", timeout=1.0)

    async def typing() -> list[Any]:
        tasks = []
        for text in ("ja", "jan", "jane", "jane ", "jane d"):
            tasks.append(asyncio.create_task(d.search(text)))
            await asyncio.sleep(0.05)
        results = await asyncio.gather(*tasks, return_exceptions=True)
        await d.aclose()
        return results

    results = asyncio.run(typing())  # returns once every worker thread has finished
    timeouts = [r for r in results if isinstance(r, DirectoryError)]
    assert timeouts and all(t.problem is Problem.TIMEOUT for t in timeouts)
    assert all(r == SearchResult(()) for r in results if r not in timeouts)  # superseded
    assert len(silent_server.accepted) <= 2
