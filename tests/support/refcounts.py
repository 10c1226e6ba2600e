"""Measuring what a repeated action does to the reference count of ``None``.

A binding that keeps or drops one reference per call is invisible to ``gc`` and to memory
figures for a long time, then either grows the process or (on Python 3.11, where ``None`` is a
mortal object) aborts it with ``Fatal Python error: none_dealloc``. ``None`` is referenced from
almost everywhere, so a count that moves by one per call is the most sensitive sign there is.

Wait with :func:`spin`, not ``qtbot.waitUntil``: pytest-qt's wait loop itself keeps a reference
to ``None`` per poll on PySide6 6.11 (about 600 a second), which would drown the measurement.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable
from typing import Any


def none_refs() -> int:
    gc.collect()
    return sys.getrefcount(None)


def spin(qapp: Any, done: Callable[[], bool], timeout: float = 30.0) -> None:
    """Process Qt events (and so the qasync loop) until ``done()`` or the timeout."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError("the condition did not come true in time")
        qapp.processEvents()
        time.sleep(0.0005)


def per_call(action: Callable[[], object], n: int = 300, warm: int = 20) -> float:
    """How ``None``'s reference count moves per call of ``action``, after ``warm`` calls."""
    for _ in range(warm):
        action()
    before = none_refs()
    for _ in range(n):
        action()
    return (none_refs() - before) / n
