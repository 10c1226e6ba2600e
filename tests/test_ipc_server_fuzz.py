"""The running single-instance server against any mix of hostile connections (hypothesis).

Each example opens a handful of connections that each do one thing — send nothing, send junk,
send half a line, send a valid line in pieces, send too much, close at once — in any order and
number. Afterwards the server must still take a real link, every connection it holds must be
gone by its deadline, and it must have delivered exactly the valid requests it was sent.
"""

from __future__ import annotations

import json
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytestqt.qtbot import QtBot

from dialer_gui import ipc
from dialer_gui.ipc import Message
from dialer_gui.ui import ipc_server
from dialer_gui.ui.ipc_server import IPCServer

pytestmark = [
    pytest.mark.skipif(sys.platform == "win32", reason="Unix sockets"),
    pytest.mark.slow,
]

LINK = Message("dial", "tel:+12015550123", "link")
VALID = ipc.encode(Message("dial", "tel:+442079460958", "link"))

actions = st.one_of(
    st.just(("silent", b"")),
    st.just(("close", b"")),
    st.tuples(st.just("junk"), st.binary(min_size=1, max_size=300)),
    st.tuples(st.just("half"), st.just(VALID[: len(VALID) // 2])),
    st.tuples(st.just("valid"), st.just(VALID)),
    st.tuples(st.just("pieces"), st.just(VALID)),
    st.tuples(st.just("huge"), st.just(b"x" * (ipc.MAX_MESSAGE * 2))),
    st.tuples(
        st.just("json"),
        st.dictionaries(st.text(max_size=8), st.text(max_size=20), max_size=4).map(
            lambda d: json.dumps(d).encode() + b"\n"
        ),
    ),
)


@pytest.fixture(scope="module")
def server(qapp: object) -> Iterator[IPCServer]:
    runtime = Path(tempfile.mkdtemp(prefix="dg-"))
    patch = pytest.MonkeyPatch()
    patch.setenv("XDG_RUNTIME_DIR", str(runtime))
    patch.setattr(ipc_server, "READ_TIMEOUT_MS", 400)
    srv = IPCServer()
    srv.listen()
    yield srv
    srv.shutdown()
    patch.undo()
    shutil.rmtree(runtime, ignore_errors=True)


def run_clients(name: str, plan: list[tuple[str, bytes]]) -> list[socket.socket]:
    """Do each action on a connection of its own, in a thread; the open ones are returned."""
    kept: list[socket.socket] = []

    def work() -> None:
        for kind, payload in plan:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.connect(name)
                if kind == "close":
                    sock.close()
                    continue
                if kind == "pieces":
                    for i in range(0, len(payload), 3):
                        sock.sendall(payload[i : i + 3])
                        time.sleep(0.001)
                elif payload:
                    sock.sendall(payload)
            except OSError:
                pass  # the server may hang up on junk while it is still being sent
            kept.append(sock)

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(10)
    return kept


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=st.lists(actions, min_size=1, max_size=12))
def test_any_mix_of_connections_leaves_the_server_working(
    qtbot: QtBot, server: IPCServer, plan: list[tuple[str, bytes]]
) -> None:
    received: list[Message] = []
    server.received.connect(received.append)
    try:
        sockets = run_clients(server.name, plan)
        valid = sum(kind in ("valid", "pieces") for kind, _ in plan)
        qtbot.waitUntil(lambda: len(received) >= valid, timeout=5000)
        qtbot.wait(50)  # let the server take the last connections
        # Whatever they did, none outlives its deadline (READ_TIMEOUT_MS is 400 here).
        qtbot.waitUntil(lambda: not server._connections, timeout=5000)
        assert len(received) == valid
        for sock in sockets:
            sock.close()
        outcome: list[object] = []
        threading.Thread(
            target=lambda: outcome.append(ipc.send(LINK, name=server.name, timeout=2.0)),
            daemon=True,
        ).start()
        qtbot.waitUntil(lambda: bool(outcome), timeout=5000)
        assert outcome == [True] and received[-1] == LINK
        qtbot.waitUntil(lambda: not server._connections, timeout=5000)
    finally:
        server.received.disconnect(received.append)
