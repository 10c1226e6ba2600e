"""Run coroutines from Qt slots without losing them or their errors.

Slots stay synchronous and thin: they call :func:`spawn`, which schedules the coroutine on the
running asyncio loop (qasync's, bound to the QApplication), keeps a reference so the task is
not garbage-collected mid-flight, and hands any unexpected exception to ``sys.excepthook``,
which the app routes to the message funnel.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Coroutine
from typing import Any, TypeVar

log = logging.getLogger("dialer_gui.ui")

T = TypeVar("T")

_running: set[asyncio.Future[Any]] = set()


def spawn(coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
    """Schedule ``coro`` on the current loop and report its unexpected failure.

    Args:
        coro: the coroutine to run.

    Returns:
        The task, for callers that want to wait on it (tests) or cancel it.
    """
    task = asyncio.ensure_future(coro)
    _running.add(task)
    task.add_done_callback(_finished)
    return task


def _finished(task: asyncio.Future[Any]) -> None:
    _running.discard(task)
    if task.cancelled():
        return
    exc = task.exception()
    if exc is not None:
        sys.excepthook(type(exc), exc, exc.__traceback__)


def pending() -> int:
    """How many spawned tasks are still running."""
    return len(_running)


async def cancel_all() -> None:
    """Cancel every spawned task and wait for them (on quit)."""
    tasks = list(_running)
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.gather(*tasks, return_exceptions=True)
