"""A tiny observer: the core announces call changes and notices; the UI listens.

Plain Python so the core stays Qt-free; callbacks run synchronously on the caller's thread
(the app's event loop thread). A failing subscriber is logged and never breaks the dial flow.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from dialer_gui.vocabulary.calls import CallAttempt

log = logging.getLogger("dialer_gui.events")


@dataclass(frozen=True, slots=True)
class CallChanged:
    """An attempt was added or moved to a new state."""

    attempt: CallAttempt


@dataclass(frozen=True, slots=True)
class Notice:
    """Something to tell the user: ``level`` is ``info``, ``warning`` or ``error``."""

    level: str
    title: str
    text: str
    attempt_id: int | None = None


Event = CallChanged | Notice
Callback = Callable[[Event], None]


class EventBus:
    def __init__(self) -> None:
        self._callbacks: list[Callback] = []

    def subscribe(self, callback: Callback) -> Callable[[], None]:
        self._callbacks.append(callback)

        def unsubscribe() -> None:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

        return unsubscribe

    def emit(self, event: Event) -> None:
        for callback in list(self._callbacks):
            try:
                callback(event)
            except Exception:
                log.exception("event subscriber failed on %r", type(event).__name__)
