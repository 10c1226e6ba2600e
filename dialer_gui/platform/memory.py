"""Hand memory back to the system once start-up is over, and keep the garbage collector cheap.

A tray app runs all day, so what it holds when idle matters more than its peak. Start-up
allocates and frees a lot (imports, the warm-up thread, the first windows); glibc keeps freed
pages in its heaps and per-thread arenas, and only ``malloc_trim`` returns them (about 5 MiB
here). ``gc.freeze`` moves the objects that live for the whole run (modules, Qt wrappers,
settings) out of the collector's reach, so a collection during a burst of calls walks only the
calls' own objects.

The app switches off PySide6's habit of reading the source of every module imported after it
into :mod:`linecache` (see ``ui/import_scan.py``); where that could not be done, or a
traceback was formatted, the cache holds source lines nobody needs. Dropping it costs nothing;
a traceback reads the lines it needs again.
"""

from __future__ import annotations

import functools
import gc
import linecache
import logging
import os
import sys
from typing import Any

log = logging.getLogger(__name__)


@functools.cache
def _find_malloc_trim() -> Any:
    """glibc's ``malloc_trim``, or None elsewhere (musl, macOS and Windows have none)."""
    if not (sys.platform.startswith("linux") and _is_glibc()):
        return None
    try:
        import ctypes

        function = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError) as exc:
        log.debug("malloc_trim unavailable: %s", exc)
        return None
    function.argtypes = [ctypes.c_size_t]
    function.restype = ctypes.c_int
    return function


def _is_glibc() -> bool:
    try:
        return os.confstr("CS_GNU_LIBC_VERSION") is not None
    except (ValueError, OSError):
        return False


def settle() -> bool:
    """Collect garbage, freeze what survived and return free heap pages to the system.

    Call it when the app goes idle after start-up or after a settings change. Returns True
    when pages could be handed back (glibc only).
    """
    linecache.clearcache()
    gc.unfreeze()  # what an earlier settle froze and is garbage now (old settings) goes too
    gc.collect()
    gc.freeze()
    trim = _find_malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
