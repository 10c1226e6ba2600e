"""The client trusts the socket folder exactly as the server does, or hands nothing over.

A link handed to a socket another user prepared is a link (and a phone number) given away, so
the client checks the socket's folder, the folder above it and the socket file before it
connects. "Another user" is played by a folder or socket chowned to a uid that is not ours,
which needs root (the tests that do so are skipped otherwise).
"""

from __future__ import annotations

import os
import shutil
import socket
import stat
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from dialer_gui import cli, ipc
from dialer_gui.errors import IPCError
from dialer_gui.ipc import Message

pytestmark = pytest.mark.skipif(os.name != "posix", reason="Unix sockets and file modes")

STRANGER = 12345  # a uid that is not ours
needs_root = pytest.mark.skipif(
    os.name != "posix" or os.getuid() != 0, reason="only root can hand a folder to another uid"
)
LINK = Message("dial", "tel:+12015550123", "link")


@pytest.fixture
def short_dir() -> Iterator[Path]:
    """A short private directory: socket paths must stay under ~100 bytes."""
    path = Path(tempfile.mkdtemp(prefix="dg-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


class Catcher:
    """A plain socket server standing where a link could be captured; it answers ``ok``."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.seen: list[bytes] = []
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(path)
        self._server.listen()
        self._server.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                self.seen.append(conn.recv(ipc.MAX_MESSAGE + 1))
                conn.sendall(b"ok\n")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self._server.close()


@pytest.fixture
def catchers() -> Iterator[list[Catcher]]:
    made: list[Catcher] = []
    yield made
    for catcher in made:
        catcher.close()


def plant(directory: Path, catchers: list[Catcher]) -> Catcher:
    """A listening socket at the place dialer-gui would use inside ``directory``."""
    directory.mkdir(exist_ok=True)
    catcher = Catcher(str(directory / f"ipc-{os.getuid()}"))
    catchers.append(catcher)
    return catcher


# --- where the socket lives -----------------------------------------------------------------


def test_world_writable_runtime_dir_is_not_used(
    short_dir: Path, monkeypatch: pytest.MonkeyPatch, catchers: list[Catcher]
) -> None:
    os.chmod(short_dir, 0o777)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(short_dir))
    catcher = plant(short_dir / "dialer-gui", catchers)
    assert not ipc.socket_name().startswith(str(short_dir))
    assert ipc.send(LINK, timeout=1) is False  # nothing listens at the private fallback
    # Named explicitly, the socket is refused too: anyone could have swapped its folder.
    assert ipc.send(LINK, name=catcher.path, timeout=1) is False
    assert catcher.seen == []


def test_without_runtime_dir_the_socket_is_in_a_private_folder_in_the_cache(
    monkeypatch: pytest.MonkeyPatch, isolated_dirs: dict[str, Path]
) -> None:
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    name = ipc.socket_name()
    folder = isolated_dirs["cache"] / "dialer-gui"
    assert Path(name) == folder / f"ipc-{os.getuid()}"
    assert not name.startswith(tempfile.gettempdir() + os.sep + "dialer-gui")
    ipc.prepare_socket_dir(name)
    assert stat.S_IMODE(os.lstat(folder).st_mode) == 0o700
    assert os.lstat(folder).st_uid == os.getuid()


def test_fallback_folder_is_made_with_its_parents(
    monkeypatch: pytest.MonkeyPatch, isolated_dirs: dict[str, Path], request: pytest.FixtureRequest
) -> None:
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    # A short base: a socket path may not be longer than 107 bytes, and pytest's temp paths
    # (longer still under xdist) come close.
    short = Path(tempfile.mkdtemp(prefix="dg-", dir="/tmp"))
    request.addfinalizer(lambda: shutil.rmtree(short, ignore_errors=True))
    cache = short / "fresh" / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    name = ipc.socket_name()
    ipc.prepare_socket_dir(name)
    assert stat.S_IMODE(os.lstat(Path(name).parent).st_mode) == 0o700
    assert stat.S_IMODE(os.lstat(cache).st_mode) == 0o700


def test_a_pre_made_open_fallback_folder_is_refused(
    monkeypatch: pytest.MonkeyPatch, isolated_dirs: dict[str, Path], catchers: list[Catcher]
) -> None:
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    folder = isolated_dirs["cache"] / "dialer-gui"
    catcher = plant(folder, catchers)
    os.chmod(folder, 0o777)
    name = ipc.socket_name()
    assert name == catcher.path
    with pytest.raises(IPCError, match="can be written by other users"):
        ipc.prepare_socket_dir(name)
    assert stat.S_IMODE(os.lstat(folder).st_mode) == 0o777  # refused, not quietly repaired
    assert ipc.send(LINK, timeout=1) is False
    assert catcher.seen == []


@needs_root
def test_a_fallback_folder_of_another_user_is_refused(
    monkeypatch: pytest.MonkeyPatch, isolated_dirs: dict[str, Path]
) -> None:
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    folder = isolated_dirs["cache"] / "dialer-gui"
    folder.mkdir(mode=0o700)
    os.chown(folder, STRANGER, -1)
    with pytest.raises(IPCError, match="not owned by you"):
        ipc.prepare_socket_dir(ipc.socket_name())


def test_a_runtime_dir_that_is_too_long_for_a_socket_falls_back_to_the_cache(
    monkeypatch: pytest.MonkeyPatch, isolated_dirs: dict[str, Path]
) -> None:
    deep = isolated_dirs["runtime"] / ("x" * 100)
    deep.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(deep))
    assert Path(ipc.socket_name()).parent == isolated_dirs["cache"] / "dialer-gui"


# --- the client checks what the server checks -----------------------------------------------


def test_a_socket_in_our_0755_folder_is_used(short_dir: Path, catchers: list[Catcher]) -> None:
    folder = short_dir / "dialer-gui"
    catcher = plant(folder, catchers)
    os.chmod(folder, 0o755)
    assert ipc.send(LINK, name=catcher.path, timeout=2) is True
    assert catcher.seen == [ipc.encode(LINK)]


def test_a_socket_in_a_world_writable_folder_is_not_used(
    short_dir: Path, catchers: list[Catcher]
) -> None:
    folder = short_dir / "dialer-gui"
    catcher = plant(folder, catchers)
    os.chmod(folder, 0o777)
    assert ipc.send(LINK, name=catcher.path, timeout=1) is False
    assert catcher.seen == []
    with pytest.raises(IPCError, match="can be written by other users"):
        ipc.check_socket_dir(catcher.path)


@needs_root
def test_a_socket_in_a_folder_of_another_user_is_not_used(
    short_dir: Path, catchers: list[Catcher]
) -> None:
    folder = short_dir / "dialer-gui"
    catcher = plant(folder, catchers)
    os.chmod(folder, 0o700)
    os.chown(folder, STRANGER, -1)
    assert ipc.send(LINK, name=catcher.path, timeout=1) is False
    assert catcher.seen == []


@needs_root
def test_a_socket_of_another_user_is_not_used(short_dir: Path, catchers: list[Catcher]) -> None:
    catcher = plant(short_dir / "dialer-gui", catchers)
    os.chown(catcher.path, STRANGER, -1)
    assert ipc.send(LINK, name=catcher.path, timeout=1) is False
    assert catcher.seen == []
    with pytest.raises(IPCError, match="not owned by you"):
        ipc.check_socket_dir(catcher.path)


def test_the_server_refuses_what_the_client_refuses(short_dir: Path) -> None:
    folder = short_dir / "dialer-gui"
    folder.mkdir()
    os.chmod(folder, 0o777)
    name = str(folder / "ipc-1")
    with pytest.raises(IPCError, match="can be written by other users"):
        ipc.prepare_socket_dir(name)
    with pytest.raises(IPCError, match="can be written by other users"):
        ipc.check_socket_dir(name)


# --- what the user gets ---------------------------------------------------------------------


@needs_root
def test_a_link_not_handed_to_an_untrusted_socket_starts_the_app_with_it(
    isolated_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch, catchers: list[Catcher]
) -> None:
    """Not handed over means "no instance we can trust": the app starts and dials it itself."""
    folder = isolated_dirs["runtime"] / "dialer-gui"
    catcher = plant(folder, catchers)
    os.chown(folder, STRANGER, -1)
    assert ipc.socket_name() == catcher.path
    started: list[cli.StartOptions] = []

    def start_app(options: cli.StartOptions) -> int:  # stands in for the whole GUI app
        started.append(options)
        return 0

    monkeypatch.setattr(cli, "_start_app", start_app)
    assert cli.handle_link(LINK.arg) == 0
    assert [options.link for options in started] == [LINK.arg]
    assert catcher.seen == []


def test_an_unsafe_runtime_dir_still_gives_one_instance(
    qtbot: QtBot, short_dir: Path, monkeypatch: pytest.MonkeyPatch, qapp: object
) -> None:
    """Both sides move to the same private fallback, so links still reach the instance."""
    from dialer_gui.ui.ipc_server import IPCServer

    os.chmod(short_dir, 0o777)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(short_dir))
    server = IPCServer()
    server.listen()
    try:
        outcome: list[object] = []
        thread = threading.Thread(target=lambda: outcome.append(ipc.send(LINK, timeout=2)))
        with qtbot.waitSignal(server.received, timeout=5000) as blocker:
            thread.start()
        qtbot.waitUntil(lambda: outcome == [True], timeout=5000)
        assert blocker.args == [LINK]
        assert not server.name.startswith(str(short_dir))
    finally:
        server.shutdown()
