"""platform/instance_lock.py: the Windows single-instance mutex, through a fake of Win32's.

The fake keeps Win32's semantics: CreateMutexW opens the existing object and says so
(ERROR_ALREADY_EXISTS), and the object disappears with its last handle.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dialer_gui.errors import IPCError
from dialer_gui.platform.instance_lock import InstanceLock, mutex_name
from dialer_gui.ui.ipc_server import IPCServer


class FakeKernel:
    """Named kernel objects with handle counts, shared by every 'process' in a test."""

    def __init__(self) -> None:
        self.handles: dict[int, str] = {}
        self._next = 100

    def open_count(self, name: str) -> int:
        return sum(1 for n in self.handles.values() if n == name)

    def create(self, name: str) -> tuple[Any, bool]:
        existed = self.open_count(name) > 0
        self._next += 4
        self.handles[self._next] = name
        return self._next, existed

    def close(self, handle: Any) -> None:
        del self.handles[handle]  # KeyError: a handle closed twice


def test_mutex_sits_beside_the_pipe_in_the_session_namespace() -> None:
    assert mutex_name(r"\\.\pipe\dialer-gui-0123abcd") == r"Local\dialer-gui-0123abcd"


def test_first_process_holds_the_lock_until_it_releases_it() -> None:
    kernel = FakeKernel()
    first = InstanceLock("Local\\x", kernel)
    second = InstanceLock("Local\\x", kernel)
    assert first.acquire()
    assert first.acquire()  # again: still ours, no second handle
    assert kernel.open_count("Local\\x") == 1
    assert not second.acquire()
    assert kernel.open_count("Local\\x") == 1  # the loser closed its handle
    first.release()
    first.release()  # harmless
    assert second.acquire()  # a quit (or crashed) instance leaves nothing behind
    second.release()
    assert kernel.handles == {}


@pytest.fixture
def names() -> Iterator[tuple[str, str]]:
    runtime = Path(tempfile.mkdtemp(prefix="dg-"))
    yield str(runtime / "a" / "ipc-1"), str(runtime / "b" / "ipc-2")
    shutil.rmtree(runtime, ignore_errors=True)


def test_server_that_loses_the_mutex_does_not_listen(qapp: object, names: tuple[str, str]) -> None:
    # Two different socket names stand for Windows, where both could listen on one pipe.
    kernel = FakeKernel()
    first = IPCServer(names[0], instance_lock=InstanceLock("Local\\dg", kernel))
    second = IPCServer(names[1], instance_lock=InstanceLock("Local\\dg", kernel))
    first.listen()
    try:
        with pytest.raises(IPCError, match="already running"):
            second.listen()
        assert first.is_listening() and not second.is_listening()
    finally:
        first.shutdown()
    assert kernel.handles == {}  # shutdown released it
    second.listen()
    assert second.is_listening()
    second.shutdown()


def test_a_failed_listen_gives_the_mutex_back(qapp: object, tmp_path: Path) -> None:
    kernel = FakeKernel()
    blocked = tmp_path / "file"
    blocked.write_text("")
    server = IPCServer(
        str(blocked / "dialer-gui" / "ipc-x"), instance_lock=InstanceLock("Local\\dg", kernel)
    )
    with pytest.raises(IPCError, match="cannot create its private folder"):
        server.listen()
    assert kernel.handles == {}


class ElevatedKernel(FakeKernel):
    """The mutex is held by an elevated instance: opening it is refused (access denied)."""

    def create(self, name: str) -> tuple[Any, bool]:
        return None, True


class BrokenKernel(FakeKernel):
    def create(self, name: str) -> tuple[Any, bool]:
        raise OSError(1450, "CreateMutexW failed")  # ERROR_NO_SYSTEM_RESOURCES


def test_a_mutex_held_by_an_elevated_instance_means_already_running(
    qapp: object, names: tuple[str, str]
) -> None:
    lock = InstanceLock("Local\\dg", ElevatedKernel())
    assert not lock.acquire()
    lock.release()  # nothing to close
    server = IPCServer(names[0], instance_lock=InstanceLock("Local\\dg", ElevatedKernel()))
    with pytest.raises(IPCError, match="already running"):
        server.listen()


def test_a_failing_mutex_call_is_a_plain_ipc_error(qapp: object, names: tuple[str, str]) -> None:
    server = IPCServer(names[0], instance_lock=InstanceLock("Local\\dg", BrokenKernel()))
    with pytest.raises(IPCError, match="cannot claim its single-instance lock"):
        server.listen()
    assert not server.is_listening()
