"""The asyncio loop on Qt's loop (qasync), set up as the app runs it.

Two things differ from a plain ``qasync.QEventLoop``:

- Worker threads start only when needed. qasync's own default executor starts ten QThreads at
  the first ``to_thread``; the app needs a thread now and then (warm-up, clipboard matching,
  CSV export), and the standard pool starts its threads one at a time as work arrives.
- One ``QSocketNotifier`` per file descriptor number and direction, made once and reused.
  qasync makes a new notifier, with a new signal connection to a new lambda, every time asyncio
  watches a socket, and every HTTP request and every socket a call opens is watched several
  times. PySide6 keeps a reference (to ``None``, as it happens) for each Python slot connected
  to a notifier that is then destroyed, so qasync's way grows the process by a few references
  per call for as long as the tray app runs. The kernel hands out the lowest free descriptor
  number, so reused notifiers stay as many as the most sockets ever open at once. A notifier
  is only ever enabled while its descriptor is watched; a closed descriptor's notifier is
  disabled first (asyncio removes the reader before it closes the socket).

This is written here rather than taken from elsewhere because it is a fix to qasync's own
notifier bookkeeping; qasync has no hook for it. It overrides qasync's four private
``_add_reader``/``_remove_reader``/``_add_writer``/``_remove_writer`` methods, which
``tests/ui/test_event_loop.py`` checks still exist with those names.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QSocketNotifier

WORKER_THREADS = 4

_READ = QSocketNotifier.Type.Read
_WRITE = QSocketNotifier.Type.Write


class _Watch:
    """The notifier of one descriptor number and direction, and what to call when it fires.

    Mirrors qasync: when the descriptor is ready the notifier is switched off and the callback
    runs on the next loop turn, after which the notifier is switched on again if the same
    registration is still current (the callback may have removed or replaced it).
    """

    __slots__ = ("args", "callback", "generation", "loop", "notifier")

    def __init__(self, loop: asyncio.AbstractEventLoop, fd: int, kind: QSocketNotifier.Type):
        self.loop = loop
        self.callback: Callable[..., object] | None = None
        self.args: tuple[Any, ...] = ()
        self.generation = 0
        self.notifier = QSocketNotifier(fd, kind)
        self.notifier.setEnabled(False)
        # The one connection this notifier ever gets, to a bound method: it lives as long as
        # the loop, so nothing is left behind per socket.
        self.notifier.activated.connect(self._ready)

    def watch(self, callback: Callable[..., object], args: tuple[Any, ...]) -> None:
        self.callback, self.args = callback, args
        self.generation += 1
        self.notifier.setEnabled(True)

    def unwatch(self) -> bool:
        watched = self.callback is not None
        self.callback, self.args = None, ()
        self.generation += 1
        self.notifier.setEnabled(False)
        return watched

    def _ready(self) -> None:
        self.notifier.setEnabled(False)
        if self.callback is None:
            return
        self.loop.call_soon(self._run, self.generation)

    def _run(self, generation: int) -> None:
        if generation != self.generation or self.callback is None:
            return  # removed or replaced since the notifier fired
        try:
            self.callback(*self.args)
        finally:
            if generation == self.generation and self.callback is not None:
                self.notifier.setEnabled(True)


def _fd(fd: Any) -> int:
    if isinstance(fd, int):
        return fd
    return int(fd.fileno())


def loop_class() -> type[Any]:
    import qasync

    class DialerEventLoop(qasync.QEventLoop):  # type: ignore[misc]
        """qasync's loop with reused socket notifiers (see the module docstring)."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self._watches: dict[tuple[int, QSocketNotifier.Type], _Watch] = {}
            super().__init__(*args, **kwargs)

        def _watch(self, fd: Any, kind: QSocketNotifier.Type) -> _Watch:
            key = (_fd(fd), kind)
            watch = self._watches.get(key)
            if watch is None:
                watch = self._watches[key] = _Watch(self, key[0], kind)
            return watch

        def _unwatch(self, fd: Any, kind: QSocketNotifier.Type) -> bool:
            if self.is_closed():
                return False
            watch = self._watches.get((_fd(fd), kind))
            return watch.unwatch() if watch is not None else False

        def _add_reader(self, fd: Any, callback: Callable[..., object], *args: Any) -> None:
            self._check_closed()
            self._watch(fd, _READ).watch(callback, args)

        def _remove_reader(self, fd: Any) -> bool:
            return self._unwatch(fd, _READ)

        def _add_writer(self, fd: Any, callback: Callable[..., object], *args: Any) -> None:
            self._check_closed()
            self._watch(fd, _WRITE).watch(callback, args)

        def _remove_writer(self, fd: Any) -> bool:
            return self._unwatch(fd, _WRITE)

        def close(self) -> None:
            closing = not self.is_closed() and not self.is_running()
            super().close()
            if closing:
                for watch in self._watches.values():
                    watch.unwatch()

        @property
        def watched_descriptors(self) -> int:
            """How many notifiers exist (one per descriptor number and direction ever used)."""
            return len(self._watches)

    return DialerEventLoop


def new_event_loop(qapp: QCoreApplication) -> Any:
    """A qasync loop bound to ``qapp`` with on-demand worker threads and reused notifiers."""
    loop = loop_class()(qapp)
    loop.set_default_executor(
        concurrent.futures.ThreadPoolExecutor(WORKER_THREADS, thread_name_prefix="dialer-gui")
    )
    return loop
