"""The asyncio loop on Qt's loop (qasync), set up as the app runs it."""

from __future__ import annotations

import concurrent.futures
from typing import Any

from PySide6.QtCore import QCoreApplication

WORKER_THREADS = 4


def new_event_loop(qapp: QCoreApplication) -> Any:
    """A qasync loop bound to ``qapp``, whose worker threads start only when needed.

    qasync's own default executor starts ten QThreads at the first ``to_thread``. The app
    needs a thread now and then (warm-up, clipboard matching, CSV export), and the standard
    pool starts its threads one at a time as work arrives.
    """
    import qasync

    loop = qasync.QEventLoop(qapp)
    loop.set_default_executor(
        concurrent.futures.ThreadPoolExecutor(WORKER_THREADS, thread_name_prefix="dialer-gui")
    )
    return loop
