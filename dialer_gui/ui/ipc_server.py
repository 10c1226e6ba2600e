"""The receiving side of the single-instance protocol (a ``QLocalServer``).

Each connection carries one request line (see :mod:`dialer_gui.ipc`). The server reads at most
``MAX_MESSAGE + 1`` bytes, gives the client two seconds to finish its line, checks it with
:func:`dialer_gui.ipc.decode` and answers ``ok`` or ``error <reason>`` before it emits
:attr:`IPCServer.received`. Requests of the kinds the browser companion sends
(:data:`dialer_gui.ipc.ANSWERED_KINDS`) go to :attr:`IPCServer.answer` instead, whose result is
the answer (``ok <state>``, or ``error <reason>`` when it raises ``IPCError``), so the browser
can say at once whether the app is calling, asking or busy. Bad requests are logged and
dropped; nothing here raises into the Qt event loop.

Any process of the user can open connections and say nothing, so they are bounded: at most
:data:`MAX_CONNECTIONS` at once, each dropped at its deadline, and when all are taken the
silent connection nearest its deadline is dropped to make room for the new one. A real client
sends its line as soon as it connects and is answered within milliseconds, so a crowd of idle
connections delays no link, and a process running for months holds no more than that bound.

On POSIX the socket's privacy comes from its 0700 directory and a 0600 socket file rather than
``QLocalServer.UserAccessOption``: with that option Qt binds to a temporary name and renames it
into place, which silently replaces a running instance's socket instead of reporting
``AddressInUseError`` (QTBUG-48635, still true in Qt 6). On Windows the option restricts the
named pipe to the current user and is used; and since a second Windows server can listen on
the same pipe, a named mutex decides which process is the instance
(:mod:`dialer_gui.platform.instance_lock`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtNetwork import QAbstractSocket, QLocalServer, QLocalSocket

from dialer_gui import ipc
from dialer_gui.errors import AlreadyRunning, IPCError
from dialer_gui.platform.instance_lock import InstanceLock, mutex_name

log = logging.getLogger("dialer_gui.ipc")

READ_TIMEOUT_MS = 2000
"""How long a client has to send its whole request line."""
MAX_CONNECTIONS = 64
"""Connections served at once; a new one beyond that takes the place of the oldest silent one."""
SWEEP_MS = 250
"""How often open connections are checked against their deadline."""


def _instance_listening(name: str) -> bool:
    """Whether something accepts connections on ``name`` (POSIX only)."""
    if sys.platform == "win32":  # pragma: no cover
        return False
    import socket

    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    probe.settimeout(0.2)
    try:
        probe.connect(name)
    except OSError:
        return False
    finally:
        probe.close()
    return True


Answer = Callable[[ipc.Message], str]
"""Says what the app does with a request of an answered kind: a state word, or raises."""


def _line(text: str) -> bytes:
    """One reply line: whitespace folded, at most ``MAX_REPLY`` bytes with its newline."""
    flat = " ".join(text.split()).encode("utf-8", "replace")
    return flat[: ipc.MAX_REPLY - 1] + b"\n"


class _Connection:
    """One client: buffers its line, answers it and forgets it.

    A plain object rather than a QObject, holding no Qt object but its socket: a tray app takes
    a connection per clicked link for months, and each Qt object or signal connection made per
    connection is a chance for the binding to keep something (see :class:`IPCServer`). The
    socket's only signal connections go to bound methods of this object, and its deadline is
    kept here and checked by the server's one sweep timer.
    """

    def __init__(self, socket: QLocalSocket, server: IPCServer) -> None:
        self._socket = socket
        self._server = server
        self._buffer = bytearray()
        self._answered = False
        self.deadline = time.monotonic() + READ_TIMEOUT_MS / 1000

    def start(self) -> None:
        """Start serving; data or a hang-up that arrived before this is handled now."""
        socket = self._socket
        socket.readyRead.connect(self._on_ready_read)
        socket.disconnected.connect(self._on_disconnected)
        if socket.bytesAvailable():
            self._on_ready_read()
        if socket.state() == QLocalSocket.LocalSocketState.UnconnectedState:
            self._on_disconnected()

    def _on_ready_read(self) -> None:
        if self._answered:
            self._socket.readAll()  # one request per connection; the rest is dropped
            return
        room = ipc.MAX_MESSAGE + 1 - len(self._buffer)
        self._buffer += self._socket.read(room).data()
        end = self._buffer.find(b"\n")
        if end >= 0:
            self._handle(bytes(self._buffer[: end + 1]))
        elif len(self._buffer) > ipc.MAX_MESSAGE:
            self._refuse(f"The request is larger than {ipc.MAX_MESSAGE} bytes.")

    def _handle(self, line: bytes) -> None:
        try:
            message = ipc.decode(line)
        except IPCError as exc:
            self._refuse(str(exc))
            return
        except Exception:  # a bug in decode must not take the event loop down
            log.exception("Checking a request from another dialer-gui process failed")
            self._refuse("The request could not be checked.")
            return
        answer = self._server.answer
        if answer is not None and message.kind in ipc.ANSWERED_KINDS:
            self._answer_with(answer, message)
            return
        log.debug("Accepted request %r", message)
        self._answer(b"ok\n")
        self._server.received.emit(message)

    def _answer_with(self, answer: Answer, message: ipc.Message) -> None:
        try:
            state = answer(message)
        except IPCError as exc:
            # Not a bad request: the app said no (busy, no number); the reason is for the user.
            log.info("Answered a %s request: %s", message.kind, exc)
            self._answer(_line(f"error {exc}"))
            return
        except Exception:  # a bug in the app's answer must not take the event loop down
            log.exception("Answering a %s request failed", message.kind)
            self._refuse("dialer-gui could not handle the request; details are in the log.")
            return
        log.debug("Answered request %r: %s", message, state)
        self._answer(_line(f"ok {state}"[: 3 + ipc.MAX_STATE]))

    def _refuse(self, reason: str) -> None:
        log.warning("Dropped a request from another dialer-gui process: %s", reason)
        self._answer(_line(f"error {reason}"))

    def _answer(self, reply: bytes) -> None:
        self._answered = True
        if self._socket.state() != QLocalSocket.LocalSocketState.ConnectedState:
            return
        self._socket.write(reply)
        self._socket.flush()
        # Waits for the reply to be written; the timer aborts a client that never reads it.
        self._socket.disconnectFromServer()

    @property
    def answered(self) -> bool:
        """Whether the client has had its answer (it may still be on its way out)."""
        return self._answered

    def on_deadline(self) -> None:
        """The client had its time: drop it, answered or not."""
        if not self._answered:
            log.warning(
                "Dropped a connection that sent no complete request within %d ms", READ_TIMEOUT_MS
            )
        self._drop()

    def make_room(self) -> None:
        """Drop a client that has not sent a whole request, for a newer one (the server is full)."""
        log.warning("Dropped a silent connection to make room: %d are open", MAX_CONNECTIONS)
        self._drop()

    def _drop(self) -> None:
        self._answered = True
        self._socket.abort()
        self._on_disconnected()

    def _on_disconnected(self) -> None:
        if not self._answered and self._buffer:
            log.warning("A client closed the connection before finishing its request")
        self._server._forget(self)

    def release(self) -> None:
        """Let Qt delete the socket once control is back in the event loop."""
        self._socket.deleteLater()

    def abort(self) -> None:
        """Drop the client without an answer (used at shutdown)."""
        self._answered = True
        self._socket.abort()


class IPCServer(QObject):
    """Listens for requests from other dialer-gui processes of the same user.

    Signals:
        received: emitted with each valid :class:`dialer_gui.ipc.Message`, after the client
            has been answered ``ok``; requests of an answered kind are not emitted when
            :attr:`answer` is set.

    Attributes:
        answer: called with each request of a kind in :data:`dialer_gui.ipc.ANSWERED_KINDS`;
            returns the state for the ``ok <state>`` answer, or raises ``IPCError`` whose
            text is the reason in the ``error`` answer. None: answered ``ok`` and emitted.
    """

    received = Signal(object)

    def __init__(
        self,
        name: str | None = None,
        parent: QObject | None = None,
        instance_lock: InstanceLock | None = None,
    ) -> None:
        super().__init__(parent)
        self._name = name if name is not None else ipc.socket_name()
        self._server = QLocalServer(self)
        if sys.platform == "win32":  # pragma: no cover
            self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
            if instance_lock is None:
                instance_lock = InstanceLock(mutex_name(self._name))
        self._instance_lock = instance_lock
        self.answer: Answer | None = None
        self._server.newConnection.connect(self._on_new_connection)
        self._connections: set[_Connection] = set()
        # One timer for every connection's deadline, running only while there are connections.
        self._sweeper = QTimer(self)
        self._sweeper.setInterval(SWEEP_MS)
        self._sweeper.timeout.connect(self._sweep)

    @property
    def name(self) -> str:
        """The socket name or path this server listens on."""
        return self._name

    def listen(self) -> None:
        """Start listening; a stale socket left by a crashed instance is removed first.

        Raises:
            IPCError: another instance is running, or the socket cannot be created.
        """
        lock = self._instance_lock
        try:
            if lock is not None and not lock.acquire():
                raise AlreadyRunning("dialer-gui is already running for this user.")
            ipc.prepare_socket_dir(self._name)
            with _start_lock(self._name):
                self._listen_locked()
        except OSError as exc:
            if lock is not None:
                lock.release()
            raise IPCError(f"dialer-gui cannot claim its single-instance lock: {exc}.") from exc
        except BaseException:
            if lock is not None:
                lock.release()
            raise

    def _listen_locked(self) -> None:
        for attempt in (1, 2):
            if _instance_listening(self._name):
                raise AlreadyRunning("dialer-gui is already running for this user.")
            # Nothing answers, so a socket file there is stale.
            QLocalServer.removeServer(self._name)
            if self._server.listen(self._name):
                break
            error = self._server.serverError()
            detail = self._server.errorString()
            if error == QAbstractSocket.SocketError.AddressInUseError and attempt == 1:
                # Another instance may be starting at this very moment; look once more.
                log.info("Socket %s is in use; checking again", self._name)
                continue
            raise IPCError(
                f"dialer-gui cannot open its single-instance socket {self._name}: {detail}."
            )
        if sys.platform != "win32":
            path = self._server.fullServerName()
            try:
                os.chmod(path, 0o600)
            except OSError as exc:
                # Qt reported success but the file is gone (qutebrowser issue 1530).
                self._server.close()
                raise IPCError(
                    f"dialer-gui cannot secure its single-instance socket {path}: {exc.strerror}."
                ) from exc
        log.debug("Listening on %s", self._name)

    def is_listening(self) -> bool:
        """Whether :meth:`listen` succeeded and :meth:`shutdown` has not been called."""
        return self._server.isListening()

    def shutdown(self) -> None:
        """Stop listening, drop open connections and remove the socket."""
        for connection in list(self._connections):
            connection.abort()
            self._forget(connection)
        if self._server.isListening():
            self._server.close()
            QLocalServer.removeServer(self._name)
        if self._instance_lock is not None:
            self._instance_lock.release()

    def _on_new_connection(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            if socket is None:
                return
            # The socket comes as a child of the server, and PySide6 keeps the Python side of
            # each child until its parent dies, deleted or not: one wrapper (and its references)
            # per connection, for the life of the app. Unparented, it goes with our reference.
            socket.setParent(None)
            if len(self._connections) >= MAX_CONNECTIONS and not self._make_room():
                log.warning("Too many IPC connections at once; closing a new one")
                socket.abort()
                socket.deleteLater()
                continue
            connection = _Connection(socket, self)
            self._connections.add(connection)
            if not self._sweeper.isActive():
                self._sweeper.start()
            connection.start()

    def _make_room(self) -> bool:
        """Drop the silent connection nearest its deadline; False if all have been answered.

        The oldest goes, not the new one: a client that has sent nothing since it connected
        is idle or stuck, while a new one is most likely a link being handed over. Answered
        connections are kept, since dropping one could throw its ``ok`` away unsent; they
        leave by themselves once it is written.
        """
        silent = [c for c in self._connections if not c.answered]
        if not silent:
            return False
        min(silent, key=lambda c: c.deadline).make_room()
        return True

    def _sweep(self) -> None:
        now = time.monotonic()
        for connection in [c for c in self._connections if c.deadline <= now]:
            connection.on_deadline()
        if not self._connections:
            self._sweeper.stop()

    def _forget(self, connection: _Connection) -> None:
        if connection in self._connections:
            self._connections.discard(connection)
            connection.release()


@contextlib.contextmanager
def _start_lock(name: str) -> Iterator[None]:
    """Serialise "is anyone listening? remove the stale socket, listen" across processes.

    Without it, a process starting at the same moment could remove the socket the winner has
    just created, leaving that instance running but unreachable. Windows pipes have no file to
    remove, so there is nothing to guard.
    """
    if sys.platform == "win32":
        yield
        return
    import fcntl

    # Not "ipc-*.lock": scripts wait for the socket with a glob on ipc-*.
    lock_path = os.path.join(os.path.dirname(name), ".start-lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # held for a few milliseconds by the other process
        yield
    finally:
        os.close(fd)  # closing releases the lock
