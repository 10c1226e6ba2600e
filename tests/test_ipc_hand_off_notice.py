"""A link the running instance does not confirm is still shown to the user.

The process the OS starts for a tel: click has no window and nobody reads its stderr. When
the instance takes the connection but does not say ``ok`` (busy, refused, closed), this process
must not dial the link itself (the instance may have it: that could call twice), so it shows
the link in a desktop notification. A stand-in ``notify-send`` on ``PATH`` records what it was
asked to show; the instance is a plain socket server answering as a broken one would.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dialer_gui import cli, ipc

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="notify-send is the Linux notifier"
)

LINK = "tel:+12015550123"


@pytest.fixture
def notices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], list[str]]:
    """Put a recording notify-send first on PATH; returns a reader of its calls' arguments."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "notify.log"
    script = bin_dir / "notify-send"
    script.write_text(f'#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done >> "{log}"\n')
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    return lambda: log.read_text().splitlines() if log.exists() else []


@pytest.fixture
def broken_instance() -> Iterator[Callable[[bytes | None], None]]:
    """Listen on the real socket name and answer each request with ``reply`` (None: hang)."""
    stop = threading.Event()
    servers: list[socket.socket] = []

    def start(reply: bytes | None) -> None:
        name = ipc.socket_name()
        ipc.prepare_socket_dir(name)
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(name)
        server.listen()
        servers.append(server)

        def serve() -> None:
            conn, _ = server.accept()
            with conn:
                conn.recv(ipc.MAX_MESSAGE + 1)
                if reply is None:
                    stop.wait(5)
                else:
                    conn.sendall(reply)

        threading.Thread(target=serve, daemon=True).start()

    yield start
    stop.set()
    for server in servers:
        server.close()


@pytest.mark.parametrize(
    "reply",
    [b"", b"error The request uses protocol version 1, but this dialer-gui speaks version 2.\n"],
    ids=["closed", "refused"],
)
def test_a_link_not_confirmed_is_shown_in_a_notification(
    broken_instance: Callable[[bytes | None], None],
    notices: Callable[[], list[str]],
    capsys: pytest.CaptureFixture[str],
    reply: bytes,
) -> None:
    broken_instance(reply)
    assert cli.main(["--link", LINK]) == cli._INPUT
    err = capsys.readouterr().err
    assert LINK in err
    shown = "\n".join(notices())
    assert LINK in shown
    assert "dial pad" in shown
    if reply:
        assert "protocol version" in shown  # the instance's reason reaches the user too


@pytest.mark.slow
def test_a_link_to_a_hung_instance_is_shown_in_a_notification(
    broken_instance: Callable[[bytes | None], None], notices: Callable[[], list[str]]
) -> None:
    broken_instance(None)
    assert cli.main(["--link", LINK]) == cli._INPUT
    shown = "\n".join(notices())
    assert LINK in shown
    assert "did not answer in time" in shown


def test_markup_in_the_reason_is_not_read_as_markup(
    broken_instance: Callable[[bytes | None], None], notices: Callable[[], list[str]]
) -> None:
    """notify-send bodies may be read as markup; the text is shown as the text it is."""
    broken_instance(b"error <b>busy</b> & full\n")
    assert cli.main(["--link", LINK]) == cli._INPUT
    shown = "\n".join(notices())
    assert "&lt;b&gt;busy&lt;/b&gt; &amp; full" in shown
