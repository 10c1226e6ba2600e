"""Dial clipboard: find the numbers in the clipboard text and call one.

No number gives a plain message; one number is dialed (the dialer asks first if the policy says
so); several open the chooser. The text is read once, capped by ``core.numbers``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Protocol

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from dialer_gui.core.dialer import CallPlacer, ConfirmFn
from dialer_gui.core.numbers import extract_numbers
from dialer_gui.ui import chooser, messages
from dialer_gui.vocabulary.calls import CallAttempt, Source

NOTHING_FOUND = "No phone number found in the clipboard."


class ClipboardDialer(CallPlacer, Protocol):
    """What dialing the clipboard needs of the dialer (``core.dialer.Dialer`` is one)."""

    @property
    def region(self) -> str: ...


async def dial_clipboard(
    dialer: ClipboardDialer,
    confirm: ConfirmFn | None,
    *,
    parent: QWidget | None = None,
    on_chooser: Callable[[chooser.NumberChooser], None] | None = None,
) -> CallAttempt | None:
    """Call the number in the clipboard, letting the user pick when there are several.

    Args:
        dialer: places the call.
        confirm: the confirmation prompt, used when the policy asks for one.
        parent: the window dialogs belong to.
        on_chooser: called with the chooser once shown (tests).

    Returns:
        The attempt, or None when nothing was dialed (no number, or the user cancelled).
    """
    text = QGuiApplication.clipboard().text()  # Qt objects only on this thread
    region = dialer.region
    # Matching a long paste (a log file, a whole web page) takes hundreds of milliseconds;
    # in a worker thread the window stays responsive meanwhile.
    targets = await asyncio.to_thread(extract_numbers, text, region=region) if text.strip() else []
    if not targets:
        messages.info("Dial clipboard", NOTHING_FOUND)
        return None
    if len(targets) == 1:
        target = targets[0]
    else:
        # The phone book's names, when the dialer has one (fakes in tests need not).
        names = getattr(dialer, "names", None)
        picked = await chooser.choose(
            targets, parent=parent, shown=on_chooser, names=names, text=text
        )
        if picked is None:
            return None
        target = picked
    # The matched text, not the E.164 form, so an extension written after it is kept.
    return await dialer.dial(target.raw or target.e164, Source.CLIPBOARD, confirm=confirm)
