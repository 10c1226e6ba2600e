"""Idle or slow connections cannot keep links from reaching the running instance.

Any process of the user can open connections to the socket and say nothing. Each is dropped
at its deadline, and while the server is full the oldest silent one makes room for a new one,
so a link clicked in the meantime is still handed over at once.
"""

from __future__ import annotations

import shutil
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from dialer_gui import ipc
from dialer_gui.ipc import Message
from dialer_gui.ui import ipc_server
from dialer_gui.ui.ipc_server import IPCServer

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="Unix sockets")

LINK = Message("dial", "tel:+12015550123", "link")


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch, qapp: object) -> Iterator[IPCServer]:
    runtime = Path(tempfile.mkdtemp(prefix="dg-"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    srv = IPCServer()
    srv.listen()
    yield srv
    srv.shutdown()
    shutil.rmtree(runtime, ignore_errors=True)


def open_idle(qtbot: QtBot, name: str, count: int) -> list[socket.socket]:
    """``count`` connections that never send a byte, opened while the server runs."""
    sockets: list[socket.socket] = []

    def work() -> None:
        for _ in range(count):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            # Blocking: with a timeout, a Unix socket fails at once when the backlog is full
            # instead of waiting for the server to take the earlier ones.
            sock.connect(name)
            sockets.append(sock)

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    qtbot.waitUntil(lambda: not worker.is_alive(), timeout=10000)
    assert len(sockets) == count
    qtbot.wait(100)  # let the server take the last of them
    return sockets


def hand_over(qtbot: QtBot, server: IPCServer) -> float:
    """Hand a link over from a worker thread, as the OS-started process does; seconds taken."""
    received: list[Message] = []
    server.received.connect(received.append)
    outcome: list[object] = []

    def work() -> None:
        try:
            outcome.append(ipc.send(LINK, timeout=2.0))
        except Exception as exc:
            outcome.append(exc)

    start = time.monotonic()
    threading.Thread(target=work, daemon=True).start()
    qtbot.waitUntil(lambda: bool(outcome), timeout=5000)
    took = time.monotonic() - start
    assert outcome == [True]
    assert received == [LINK]
    return took


def close_all(sockets: list[socket.socket]) -> None:
    for sock in sockets:
        sock.close()


@pytest.mark.parametrize("count", [16, ipc_server.MAX_CONNECTIONS + 10], ids=["16", "over"])
def test_a_link_gets_through_a_crowd_of_idle_connections(
    qtbot: QtBot, server: IPCServer, count: int
) -> None:
    idle = open_idle(qtbot, server.name, count)
    try:
        assert hand_over(qtbot, server) < 2.0
    finally:
        close_all(idle)


def test_the_server_holds_a_bounded_number_of_connections(qtbot: QtBot, server: IPCServer) -> None:
    idle = open_idle(qtbot, server.name, ipc_server.MAX_CONNECTIONS * 2)
    try:
        assert len(server._connections) <= ipc_server.MAX_CONNECTIONS
        # The ones that made room were told so by a closed connection, not left hanging.
        qtbot.waitUntil(lambda: sum(_closed(s) for s in idle) >= ipc_server.MAX_CONNECTIONS)
    finally:
        close_all(idle)


def test_idle_connections_are_dropped_at_their_deadline(
    qtbot: QtBot, server: IPCServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ipc_server, "READ_TIMEOUT_MS", 300)
    idle = open_idle(qtbot, server.name, 8)
    try:
        qtbot.waitUntil(lambda: not server._connections, timeout=3000)
        assert all(_closed(s) for s in idle)
        assert hand_over(qtbot, server) < 2.0
    finally:
        close_all(idle)


def _closed(sock: socket.socket) -> bool:
    """Whether the server has closed its end (reads as end of file)."""
    sock.setblocking(False)
    try:
        return sock.recv(16) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True
