"""Per-call and per-hand-off paths keep reference counts flat (issue: the tray app aborted).

PySide6 6.12.0 drops a reference to ``None`` on every call of a method that returns nothing
and to ``True`` on every signal emission; on Python 3.11 the interpreter aborts once a count
reaches zero, which the running app did after about 1,500 hand-offs. The project pins 6.11.3
(``constraints.txt``), and the first tests here fail on a binding with that bug. PySide6 6.11
has smaller faults of its own: it keeps a reference for each Python slot connected to a Qt
object that is later destroyed, and the Python side of every child of a living parent. The
other tests hold the places that used to meet those, one per path that runs per call or per
hand-off: the single-instance server, the event loop's socket notifiers, the tray menu.
"""

from __future__ import annotations

import logging
import socket
import sys
import threading

import pytest
from PySide6.QtCore import QObject, QTimer, Signal
from refcounts import none_refs, per_call, spin
from uitools import dialer, qloop, run  # noqa: F401

from dialer_gui import ipc
from dialer_gui.ui import event_loop
from dialer_gui.ui.ipc_server import IPCServer
from dialer_gui.ui.tray import Tray, TrayActions
from dialer_gui.vocabulary.calls import Source

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

# Python 3.12 made None, True and False immortal: their counts are fixed, and a lost
# reference can no longer free them.
MORTAL = sys.version_info < (3, 12)
needs_mortal = pytest.mark.skipif(not MORTAL, reason="None is immortal on Python 3.12+")


class _Emitter(QObject):
    fired = Signal(object)


@needs_mortal
def test_the_binding_keeps_none_and_true_for_void_calls_and_emissions(qapp):
    timer = QTimer()
    assert abs(per_call(lambda: timer.setSingleShot(True))) < 0.1  # 6.12.0: -1 per call
    assert abs(per_call(lambda: timer.setInterval(5))) < 0.1
    emitter = _Emitter()
    emitter.fired.connect(lambda _m: None)
    before = sys.getrefcount(True)
    for _ in range(300):
        emitter.fired.emit(1)
    assert abs(sys.getrefcount(True) - before) < 10  # 6.12.0: -300


def _client(name: str, kind: int) -> None:
    if kind == 0:
        assert ipc.send(ipc.Message("show", "", "cli"), name=name, timeout=5)
        return
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(name)
        if kind == 1:  # a line of garbage, then read the refusal
            sock.sendall(b"garbage\n")
            sock.shutdown(socket.SHUT_WR)
            while sock.recv(256):
                pass
        # kind 2: connect and close without a word


@needs_mortal
@pytest.mark.parametrize("kind", [0, 1, 2], ids=["show", "garbage", "empty"])
def test_hand_offs_leave_none_flat(qapp, isolated_dirs, monkeypatch, kind):
    # Each refusal is logged, and pytest keeps every log record (with its references) for the
    # report; the app's own logging keeps none.
    monkeypatch.setattr(logging.getLogger("dialer_gui.ipc"), "disabled", True)
    server = IPCServer()
    server.listen()
    received: list[object] = []
    server.received.connect(received.append)
    n = 600

    def clients(count: int) -> None:
        for _ in range(count):
            _client(server.name, kind)

    def serve(count: int) -> None:
        worker = threading.Thread(target=clients, args=(count,))
        worker.start()
        spin(qapp, lambda: not worker.is_alive())
        spin(qapp, lambda: not server._connections)
        for _ in range(5):
            qapp.processEvents()  # the sockets' deleteLater
        received.clear()

    try:
        serve(30)
        before = none_refs()
        serve(n)
        after = none_refs()
    finally:
        server.shutdown()
    # Before the fix: +1 per connection (the socket's wrapper, kept by the server).
    assert abs(after - before) < n / 20


@needs_mortal
def test_the_event_loop_reuses_socket_notifiers(qapp):
    import asyncio

    loop = event_loop.new_event_loop(qapp)
    try:

        async def serve() -> float:
            async def handle(reader, writer):
                await reader.read(16)
                writer.write(b"ok")
                await writer.drain()
                writer.close()

            server = await asyncio.start_server(handle, "127.0.0.1", 0)
            port = server.sockets[0].getsockname()[1]

            async def talk(count: int) -> None:
                for _ in range(count):
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    writer.write(b"hi")
                    await writer.drain()
                    assert await reader.read() == b"ok"
                    writer.close()
                    await writer.wait_closed()

            await talk(20)
            await asyncio.sleep(0.05)
            before = none_refs()
            await talk(200)
            await asyncio.sleep(0.05)
            grew = (none_refs() - before) / 200
            server.close()
            await server.wait_closed()
            return grew

        # qasync's own loop: +9 per connection (a notifier and a slot per watch).
        assert loop.run_until_complete(serve()) < 0.1
        # Descriptor numbers are reused, so notifiers stay few.
        assert loop.watched_descriptors < 40
    finally:
        loop.close()


def test_qasync_still_has_the_methods_the_loop_overrides():
    import qasync

    for name in ("_add_reader", "_remove_reader", "_add_writer", "_remove_writer"):
        assert callable(getattr(qasync.QEventLoop, name))


@needs_mortal
def test_refreshing_the_tray_menu_leaves_none_flat(qtbot, dialer, qapp):  # noqa: F811
    for i in range(6):
        run(qtbot, dialer.dial(f"+1212555010{i}", Source.DIALPAD))
    log: list[object] = []
    tray = Tray(
        dialer,
        TrayActions(
            show_dialpad=lambda: log.append("dialpad"),
            dial_clipboard=lambda: log.append("clipboard"),
            redial=log.append,
            set_default_provider=log.append,
            show_history=lambda: log.append("history"),
            show_settings=lambda: log.append("settings"),
            quit=lambda: log.append("quit"),
        ),
    )
    # Before the fix: +18 per opening (every action and its slot made anew).
    assert abs(per_call(tray.rebuild)) < 0.5
    recent = [a for a in tray.menu.actions() if a.isVisible() and a.text().startswith("Call ")]
    assert len(recent) == 5
    recent[0].trigger()
    assert log == ["+12125550105"]
