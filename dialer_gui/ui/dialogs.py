"""Await a dialog's answer without blocking the event loop (no ``exec()``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtWidgets import QDialog

D = TypeVar("D", bound=QDialog)
T = TypeVar("T")


async def run_dialog(
    dialog: D,
    result_of: Callable[[D, bool], T],
    shown: Callable[[D], None] | None = None,
) -> T:
    """Show ``dialog``, wait until it is finished, and return what ``result_of`` makes of it.

    Args:
        dialog: a dialog that is not shown yet; it is deleted afterwards.
        result_of: called with the dialog and whether it was accepted.
        shown: called with the dialog once it is visible (tests, screenshots).

    Returns:
        ``result_of``'s answer. If the waiting task is cancelled (quit), the dialog is rejected.
    """
    answer: asyncio.Future[T] = asyncio.get_running_loop().create_future()

    def finished(result: int) -> None:
        if not answer.done():
            answer.set_result(result_of(dialog, result == QDialog.DialogCode.Accepted))

    dialog.finished.connect(finished)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    if shown is not None:
        shown(dialog)
    try:
        return await answer
    finally:
        dialog.finished.disconnect(finished)
        if dialog.isVisible():
            dialog.reject()
        dialog.deleteLater()
