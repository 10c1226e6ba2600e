"""Windows: one dialer-gui per user, made certain with a named mutex.

On POSIX a second ``QLocalServer.listen`` on the same name fails, which is how a starting
process finds out it lost the race. Qt's Windows server creates its named pipe without
``FILE_FLAG_FIRST_PIPE_INSTANCE``, so a second process listens on the same pipe just as well,
and two apps would share the links between them. A named mutex closes the gap: the first
process creates it, every later one finds it existing (``ERROR_ALREADY_EXISTS``) and hands its
link over instead. Windows destroys the mutex with the last handle, so a crashed instance leaves
nothing stale behind.

The Win32 calls go through a small :class:`MutexApi`, so the logic is tested anywhere with a
fake; only :func:`win32_api` needs Windows.
"""

from __future__ import annotations

from typing import Any, Protocol

ERROR_ACCESS_DENIED = 5
ERROR_ALREADY_EXISTS = 183


class MutexApi(Protocol):
    def create(self, name: str) -> tuple[Any, bool]:
        """Open or create the mutex; returns its handle and whether it existed already.

        A handle of None with ``True`` means it exists but cannot be opened (an elevated
        instance of the same user holds it).
        """

    def close(self, handle: Any) -> None: ...


def mutex_name(pipe_name: str) -> str:
    r"""The mutex beside a pipe ``\\.\pipe\NAME``: ``Local\NAME`` (this logon session)."""
    return "Local\\" + pipe_name.rsplit("\\", 1)[-1]


class InstanceLock:
    """Held by the running instance for its whole life; :meth:`release` lets the next one in."""

    def __init__(self, name: str, api: MutexApi | None = None) -> None:
        self.name = name
        self._api = api if api is not None else win32_api()
        self._handle: Any = None

    def acquire(self) -> bool:
        """True when this process is the only instance; False when another one holds it."""
        if self._handle is not None:
            return True
        handle, existed = self._api.create(self.name)
        if existed:
            if handle is not None:
                self._api.close(handle)
            return False
        self._handle = handle
        return True

    def release(self) -> None:
        if self._handle is not None:
            handle, self._handle = self._handle, None
            self._api.close(handle)


class _Win32MutexApi:  # pragma: no cover - Windows only
    def __init__(self) -> None:
        import ctypes
        from ctypes import wintypes

        self._ctypes = ctypes
        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
        self._create = kernel32.CreateMutexW
        self._create.argtypes = [ctypes.c_void_p, wintypes.BOOL, wintypes.LPCWSTR]
        self._create.restype = wintypes.HANDLE
        self._close = kernel32.CloseHandle
        self._close.argtypes = [wintypes.HANDLE]
        self._close.restype = wintypes.BOOL

    def create(self, name: str) -> tuple[Any, bool]:
        handle = self._create(None, False, name)
        error = self._ctypes.get_last_error()  # type: ignore[attr-defined]
        if not handle:
            if error == ERROR_ACCESS_DENIED:  # held by an elevated instance of this user
                return None, True
            raise OSError(error, f"CreateMutexW({name!r}) failed")
        return handle, error == ERROR_ALREADY_EXISTS

    def close(self, handle: Any) -> None:
        self._close(handle)


def win32_api() -> MutexApi:  # pragma: no cover - Windows only
    return _Win32MutexApi()
