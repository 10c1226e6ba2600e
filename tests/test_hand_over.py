"""A process that lost the start-up race keeps offering its request until the winner listens.

On Windows the winner claims its lock a moment before its pipe listens; the loser must not give
up and run as a second app in that moment. Here a plain socket server stands in for the
winner and starts listening 300 ms late.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from types import SimpleNamespace

from dialer_gui import ipc
from dialer_gui.app import HAND_OVER_WAIT, Application
from dialer_gui.vocabulary.start_options import StartOptions


def late_instance(delay: float, received: list[bytes]) -> threading.Thread:
    assert delay < HAND_OVER_WAIT
    name = ipc.socket_name()

    def serve() -> None:
        time.sleep(delay)
        ipc.prepare_socket_dir(name)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
            server.bind(name)
            server.listen(1)
            server.settimeout(5)
            conn, _ = server.accept()
            with conn:
                data = b""
                while not data.endswith(b"\n"):
                    data += conn.recv(4096)
                received.append(data)
                conn.sendall(b"ok\n")
        os.unlink(name)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return thread


def starting_app(link: str = "", background: bool = False) -> SimpleNamespace:
    """The parts of Application that _hand_over uses, without building the app."""
    app = SimpleNamespace(options=StartOptions(link=link, background=background))
    app._send_start_request = lambda: Application._send_start_request(app)  # type: ignore[arg-type]
    return app


def test_the_loser_of_a_race_waits_for_the_winner_to_listen() -> None:
    received: list[bytes] = []
    thread = late_instance(0.3, received)
    # Handed over although nothing listened when the first attempt was made.
    assert Application._hand_over(starting_app("tel:+12125550100"), wait=True)  # type: ignore[arg-type]
    thread.join(5)
    assert b"tel:+12125550100" in received[0]


def test_without_a_known_winner_nobody_listening_means_start_here() -> None:
    assert not Application._hand_over(starting_app("tel:+12125550100"))  # type: ignore[arg-type]


def test_a_loser_started_hidden_shows_no_window_it_only_checks_the_winner_is_there() -> None:
    received: list[bytes] = []
    thread = late_instance(0.0, received)
    assert Application._hand_over(starting_app(background=True), wait=True)  # type: ignore[arg-type]
    thread.join(5)
    assert ipc.decode(received[0]) == ipc.Message("ping", "", "cli")
