"""A real CardDAV server for the directory tests: Radicale, on a free 127.0.0.1 port.

One server per test session (per xdist worker), started in about a second; each test gets a
user of its own (:func:`carddav_user`), so tests never see each other's address books. The
server keeps its data in a temp dir, checks passwords from a plain htpasswd file (added to
while it runs) and answers wrong passwords without Radicale's usual one-second delay.
"""

from __future__ import annotations

import itertools
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

START_TIMEOUT = 15.0

VCARD = """BEGIN:VCARD\r
VERSION:3.0\r
{uid}FN:{name}\r
N:{family};{given};;;\r
ORG:{org}\r
{tels}END:VCARD\r
"""


def card(name: str, *numbers: tuple[str, str], org: str = "Acme", uid: str = "") -> str:
    """A vCard 3.0 for ``name`` with ``(type, number)`` pairs such as ``("CELL", "+1 ...")``.

    Without ``uid`` the card gets one when it is put: its file name, so a card put again
    under the same name is the same card changed.
    """
    given, _, family = name.partition(" ")
    tels = "".join(f"TEL;TYPE={kind}:{number}\r\n" for kind, number in numbers)
    uid_line = f"UID:{uid}\r\n" if uid else ""
    return VCARD.format(uid=uid_line, name=name, given=given, family=family, org=org, tels=tels)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class RadicaleServer:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = _free_port()
        self.users = workdir / "users"
        self.users.write_text("", encoding="utf-8")
        self.config = workdir / "radicale.conf"
        self.config.write_text(
            f"""[server]
hosts = 127.0.0.1:{self.port}
[auth]
type = htpasswd
htpasswd_filename = {self.users}
htpasswd_encryption = plain
delay = 0.001
[rights]
type = owner_only
[storage]
filesystem_folder = {workdir / "collections"}
[web]
type = none
[logging]
level = error
mask_passwords = True
""",
            encoding="utf-8",
        )
        self.process: subprocess.Popen[bytes] | None = None
        self._names = itertools.count()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with (self.workdir / "radicale.log").open("wb") as log:  # the child keeps its own copy
            self.process = subprocess.Popen(
                [sys.executable, "-m", "radicale", "--config", str(self.config)],
                stdout=subprocess.DEVNULL,
                stderr=log,
                cwd=self.workdir,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                httpx.get(self.url + "/", timeout=0.5)
                return
            except httpx.TransportError:
                pass
            if self.process.poll() is not None:
                log = (self.workdir / "radicale.log").read_text(errors="replace")
                raise RuntimeError(f"radicale exited with {self.process.returncode}: {log}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("radicale did not answer in time")
            time.sleep(0.05)  # polling a child process; there is no event to wait on

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        self.process = None

    def new_user(self) -> CardDavUser:
        name = f"user{next(self._names)}"
        password = uuid.uuid4().hex
        with self.users.open("a", encoding="utf-8") as f:
            f.write(f"{name}:{password}\n")
        return CardDavUser(self, name, password)


@dataclass
class CardDavUser:
    """One user of the server, with helpers that act as another client (a colleague's phone)."""

    server: RadicaleServer
    name: str
    password: str

    def _http(self) -> httpx.Client:
        return httpx.Client(base_url=self.server.url, auth=(self.name, self.password), timeout=10)

    def book_path(self, book: str = "contacts") -> str:
        return f"/{self.name}/{book}/"

    def make_book(self, book: str = "contacts", display: str = "Contacts") -> str:
        body = f"""<?xml version="1.0" encoding="utf-8"?>
<d:mkcol xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:set><d:prop>
<d:resourcetype><d:collection/><card:addressbook/></d:resourcetype>
<d:displayname>{display}</d:displayname></d:prop></d:set></d:mkcol>"""
        with self._http() as http:
            answer = http.request("MKCOL", self.book_path(book), content=body)
            assert answer.status_code == 201, answer.text
        return self.book_path(book)

    def put(self, filename: str, text: str, book: str = "contacts") -> str:
        if "\nUID:" not in text:
            text = text.replace("VERSION:3.0\r\n", f"VERSION:3.0\r\nUID:{filename}\r\n", 1)
        with self._http() as http:
            answer = http.put(
                self.book_path(book) + filename,
                content=text.encode(),
                headers={"Content-Type": "text/vcard"},
            )
            assert answer.status_code in (201, 204), answer.text
            return answer.headers.get("ETag", "")

    def delete(self, filename: str, book: str = "contacts") -> None:
        with self._http() as http:
            answer = http.delete(self.book_path(book) + filename)
            assert answer.status_code in (200, 204), answer.text


@pytest.fixture(scope="session")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RadicaleServer]:
    server = RadicaleServer(tmp_path_factory.mktemp("radicale"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def carddav_user(radicale: RadicaleServer) -> CardDavUser:
    """A new user on the shared server, with an empty address book "contacts"."""
    user = radicale.new_user()
    user.make_book()
    return user
