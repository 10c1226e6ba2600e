"""The Qt side of the single-instance protocol, driven by the stdlib client."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from dialer_gui import ipc
from dialer_gui.errors import IPCError
from dialer_gui.ipc import Message
from dialer_gui.ui.ipc_server import IPCServer


@pytest.fixture
def name(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A socket name in a short private runtime dir, also used by subprocesses."""
    runtime = Path(tempfile.mkdtemp(prefix="dg-"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    yield ipc.socket_name()
    shutil.rmtree(runtime, ignore_errors=True)


@pytest.fixture
def server(name: str, qapp: object) -> Iterator[IPCServer]:
    srv = IPCServer(name)
    srv.listen()
    yield srv
    srv.shutdown()


def send_in_thread(message: Message, name: str) -> list[object]:
    """Run ipc.send on a worker thread; the list receives its result or exception."""
    outcome: list[object] = []

    def work() -> None:
        try:
            outcome.append(ipc.send(message, name=name, timeout=2))
        except Exception as exc:
            outcome.append(exc)

    threading.Thread(target=work, daemon=True).start()
    return outcome


def raw_exchange(name: str, data: bytes, outcome: list[bytes]) -> None:
    """Send raw bytes from a worker thread and collect the reply (for garbage input)."""

    def work() -> None:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(5)
            sock.connect(name)
            sock.sendall(data)
            reply = b""
            while chunk := sock.recv(1024):
                reply += chunk
            outcome.append(reply)

    threading.Thread(target=work, daemon=True).start()


def test_round_trip_from_a_thread(qtbot: QtBot, server: IPCServer, name: str) -> None:
    message = Message("dial", "tel:+12015550123", "link")
    with qtbot.waitSignal(server.received, timeout=5000) as blocker:
        outcome = send_in_thread(message, name)
    assert blocker.args == [message]
    qtbot.waitUntil(lambda: outcome == [True], timeout=5000)


@pytest.mark.slow
def test_round_trip_from_a_subprocess(qtbot: QtBot, server: IPCServer) -> None:
    """How the OS-launched process talks to us: default name, stdlib only."""
    received: list[Message] = []
    server.received.connect(received.append)
    code = (
        "import sys; from dialer_gui import ipc\n"
        "ok1 = ipc.send(ipc.Message('dial', 'tel:+12015550123', 'link'), timeout=5)\n"
        "ok2 = ipc.send(ipc.Message('dial', 'sip:1234@pbx', 'link'), timeout=5)\n"
        "print(ok1, ok2, 'PySide6' in sys.modules)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    qtbot.waitUntil(lambda: proc.poll() is not None, timeout=15000)
    out, err = proc.communicate()
    assert proc.returncode == 0, err
    assert out.split() == ["True", "True", "False"]
    assert received == [
        Message("dial", "tel:+12015550123", "link"),
        Message("dial", "sip:1234@pbx", "link"),
    ]


def test_two_rapid_messages_arrive_in_order(qtbot: QtBot, server: IPCServer, name: str) -> None:
    received: list[Message] = []
    server.received.connect(received.append)
    first, second = Message("show", "", "cli"), Message("dial", "+1 201 555 0123", "cli")
    outcome: list[object] = []

    def work() -> None:
        outcome.append(ipc.send(first, name=name, timeout=2))
        outcome.append(ipc.send(second, name=name, timeout=2))

    threading.Thread(target=work, daemon=True).start()
    qtbot.waitUntil(lambda: len(outcome) == 2, timeout=5000)
    assert outcome == [True, True]
    assert received == [first, second]


def test_invalid_message_is_refused_and_server_keeps_serving(
    qtbot: QtBot, server: IPCServer, name: str
) -> None:
    received: list[Message] = []
    server.received.connect(received.append)
    replies: list[bytes] = []
    raw_exchange(name, b'{"v":1,"kind":"dial","arg":"--help"}\n', replies)
    qtbot.waitUntil(lambda: len(replies) == 1, timeout=5000)
    assert replies[0].startswith(b"error ")
    assert b"option" in replies[0] and replies[0].endswith(b"\n")
    assert replies[0].count(b"\n") == 1
    outcome = send_in_thread(Message("show"), name)
    qtbot.waitUntil(lambda: outcome == [True], timeout=5000)
    assert received == [Message("show")]


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfe garbage\n",
        b'{"v":2,"kind":"show"}\n',
        b"x" * (ipc.MAX_MESSAGE + 200),  # no newline, more than allowed
        b"y" * (ipc.MAX_MESSAGE + 1) + b"\n",
    ],
    ids=["not-utf8", "wrong-version", "oversized-no-newline", "oversized-line"],
)
def test_garbage_gets_an_error_reply(
    qtbot: QtBot, server: IPCServer, name: str, data: bytes
) -> None:
    received: list[Message] = []
    server.received.connect(received.append)
    replies: list[bytes] = []
    raw_exchange(name, data, replies)
    qtbot.waitUntil(lambda: len(replies) == 1, timeout=5000)
    assert replies[0].startswith(b"error ")
    outcome = send_in_thread(Message("show"), name)
    qtbot.waitUntil(lambda: outcome == [True], timeout=5000)
    assert received == [Message("show")]


def test_client_that_sends_nothing_is_dropped_after_the_timeout(
    qtbot: QtBot, server: IPCServer, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dialer_gui.ui.ipc_server as module

    monkeypatch.setattr(module, "READ_TIMEOUT_MS", 100)
    slow = IPCServer(name + "-slow")
    slow.listen()
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.connect(name + "-slow")
            sock.sendall(b'{"v":1,')  # never finishes its line
            sock.setblocking(False)
            closed: list[bool] = []

            def peer_closed() -> bool:
                try:
                    closed.append(sock.recv(16) == b"")
                except BlockingIOError:
                    return False
                return True

            qtbot.waitUntil(peer_closed, timeout=3000)
            assert closed == [True]
    finally:
        slow.shutdown()


def test_socket_and_dir_are_private(server: IPCServer, name: str) -> None:
    assert stat.S_ISSOCK(os.stat(name).st_mode)
    assert stat.S_IMODE(os.stat(name).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(Path(name).parent).st_mode) == 0o700


def test_listen_replaces_a_stale_socket(qtbot: QtBot, name: str, qapp: object) -> None:
    ipc.prepare_socket_dir(name)
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(name)
    dead.close()
    srv = IPCServer(name)
    srv.listen()
    try:
        with qtbot.waitSignal(srv.received, timeout=5000):
            send_in_thread(Message("show"), name)
    finally:
        srv.shutdown()


def test_second_server_does_not_steal_a_live_socket(server: IPCServer, name: str) -> None:
    other = IPCServer(name)
    with pytest.raises(IPCError, match="already running"):
        other.listen()
    assert server.is_listening()
    assert not other.is_listening()


def test_listen_failure_is_a_plain_ipc_error(qapp: object, tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("")
    with pytest.raises(IPCError, match="cannot create its private folder"):
        IPCServer(str(blocked / "dialer-gui" / "ipc-x")).listen()


def test_shutdown_removes_the_socket(qapp: object, name: str) -> None:
    srv = IPCServer(name)
    srv.listen()
    assert os.path.exists(name)
    srv.shutdown()
    assert not os.path.exists(name)
    assert ipc.send(Message("show"), name=name) is False


def test_listen_holds_a_start_lock_so_a_racing_start_cannot_remove_the_socket(
    name: str, qapp: object
) -> None:
    """While another process is between "nobody listens" and "listen", we wait for it."""
    import fcntl

    ipc.prepare_socket_dir(name)
    lock = os.open(os.path.join(os.path.dirname(name), ".start-lock"), os.O_RDWR | os.O_CREAT)
    fcntl.flock(lock, fcntl.LOCK_EX)
    server = IPCServer(name)
    done = threading.Event()
    try:
        # Mark first, then let go: listen() can only return after the release.
        threading.Timer(0.3, lambda: (done.set(), os.close(lock))).start()
        server.listen()  # blocks until the other "process" lets go
        assert done.is_set()
        assert server.is_listening()
    finally:
        server.shutdown()
