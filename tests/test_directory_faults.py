"""A CardDAV directory that is down, slow, hostile or behind an untrusted certificate.

Radicale answers correctly, so these servers are small stdlib fakes, each wrong in one way.
Every case ends in a plain sentence (one Problem), never a traceback, and the phone book is
left as it was.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import tls_certs

from dialer_gui.directories.base import DirectoryProfile
from dialer_gui.directories.carddav import CardDavDirectory
from dialer_gui.directories.errors import DirectoryError, Problem
from dialer_gui.directories.sync import MemorySink

pytestmark = pytest.mark.slow  # servers that wait on purpose

Behaviour = Callable[[BaseHTTPRequestHandler], None]


def answer(status: int, body: bytes = b"", **headers: str) -> Behaviour:
    def respond(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        for key, value in headers.items():
            handler.send_header(key.replace("_", "-"), value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return respond


class FakeDav:
    """A server whose every request gets ``behaviour``."""

    def __init__(self, behaviour: Behaviour, context: ssl.SSLContext | None = None) -> None:
        self.behaviour = behaviour
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def handle_one(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                fake.behaviour(self)

            do_PROPFIND = do_REPORT = do_GET = handle_one

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if context is not None:
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        scheme = "https" if isinstance(self.server.socket, ssl.SSLSocket) else "http"
        return f"{scheme}://127.0.0.1:{self.server.server_address[1]}/dav/"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake() -> Iterator[Callable[..., FakeDav]]:
    made: list[FakeDav] = []

    def make(behaviour: Behaviour, context: ssl.SSLContext | None = None) -> FakeDav:
        made.append(FakeDav(behaviour, context))
        return made[-1]

    yield make
    for server in made:
        server.close()


def directory(url: str, **options: Any) -> CardDavDirectory:
    profile = DirectoryProfile("office", "carddav", {"url": url, "user": "me", **options})
    return CardDavDirectory(profile, {"password": "pw-123456"})


def sync_error(d: CardDavDirectory) -> DirectoryError:
    sink = MemorySink()
    with pytest.raises(DirectoryError) as caught:
        asyncio.run(d.sync(sink))
    assert sink.applied == 0 and sink.contacts == {}
    assert "pw-123456" not in str(caught.value)
    return caught.value


def test_a_server_that_is_down(fake: Callable[..., FakeDav]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    error = sync_error(directory(f"http://127.0.0.1:{port}/dav/"))
    assert error.problem is Problem.UNREACHABLE
    assert str(error) == (
        "Could not reach the directory “office”: the server is down, or its address is wrong."
    )


def test_a_server_that_never_answers_times_out(fake: Callable[..., FakeDav]) -> None:
    release = threading.Event()
    server = fake(lambda handler: release.wait(10))
    started = time.monotonic()
    try:
        error = sync_error(directory(server.url, timeout=0.5))
    finally:
        release.set()
    assert error.problem is Problem.TIMEOUT
    assert time.monotonic() - started < 3


def test_a_server_that_trickles_its_answer_is_cut_at_the_deadline(
    fake: Callable[..., FakeDav],
) -> None:
    release = threading.Event()

    def trickle(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(207)
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        for _ in range(100):
            handler.wfile.write(b" ")
            handler.wfile.flush()
            if release.wait(0.1):
                return

    server = fake(trickle)
    started = time.monotonic()
    try:
        error = sync_error(directory(server.url, timeout=0.5))
    finally:
        release.set()
    assert error.problem is Problem.TIMEOUT
    assert time.monotonic() - started < 3


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"<html><body>Welcome to our intranet</body></html>", 207),
        (b"\x00\xff garbage \x89PNG", 207),
        (b'<?xml version="1.0"?><multistatus xmlns="DAV:"><response><href>', 207),
        (  # the billion laughs: entities are never expanded
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><multistatus xmlns="DAV:">'
            b"<response><href>&b;</href></response></multistatus>",
            207,
        ),
        (b'<?xml version="1.0"?>' + b"<a>" * 5000 + b"</a>" * 5000, 207),
        (b"<html>Sign in</html>", 200),
    ],
    ids=["html", "binary", "cut", "entities", "deep", "web-page"],
)
def test_an_answer_that_is_not_webdav_is_unreadable(
    fake: Callable[..., FakeDav], body: bytes, status: int
) -> None:
    error = sync_error(directory(fake(answer(status, body)).url))
    assert error.problem is Problem.UNREADABLE


def test_an_answer_larger_than_the_bound_is_refused(fake: Callable[..., FakeDav]) -> None:
    body = b'<?xml version="1.0"?><multistatus xmlns="DAV:">' + b" " * 300_000
    d = directory(fake(answer(207, body)).url)
    d.max_answer = 100_000
    error = sync_error(d)
    assert error.problem is Problem.TOO_LARGE


def test_a_server_error_names_its_status(fake: Callable[..., FakeDav]) -> None:
    error = sync_error(directory(fake(answer(500, b"Traceback: secret stuff")).url))
    assert error.problem is Problem.UNEXPECTED
    assert str(error) == "The directory “office” had a problem answering. (HTTP 500)"


def test_a_redirect_to_another_server_is_not_followed(fake: Callable[..., FakeDav]) -> None:
    server = fake(answer(301, Location="https://evil.example/.well-known/carddav"))
    root = server.url.removesuffix("dav/")
    error = sync_error(directory(root))
    assert error.problem is Problem.REDIRECTED
    assert str(error).endswith("(to evil.example)")


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> tls_certs.TestCA:
    if tls_certs.OPENSSL is None:
        pytest.skip("the openssl command is not installed")
    return tls_certs.make_ca(tmp_path_factory.mktemp("ca"))


def test_an_untrusted_certificate_stops_before_the_password_is_sent(
    fake: Callable[..., FakeDav], ca: tls_certs.TestCA
) -> None:
    seen: list[str] = []

    def record(handler: BaseHTTPRequestHandler) -> None:
        seen.append(handler.headers.get("Authorization", ""))
        answer(404)(handler)

    cert = ca.issue("dav", san="IP:127.0.0.1")
    server = fake(record, cert.context())
    error = sync_error(directory(server.url))
    assert error.problem is Problem.TLS and seen == []
    # With the CA that signed it, the same server is trusted (and says it has no books).
    trusted = sync_error(directory(server.url, ca_file=str(ca.cert)))
    assert trusted.problem is Problem.NOT_FOUND
    assert seen and seen[0].startswith("Basic ")
