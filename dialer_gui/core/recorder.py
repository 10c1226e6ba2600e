"""Every state change of an attempt goes to the history and out as an event, in one place.

A history that cannot be written (disk full, database locked or damaged) never stops a call:
the failure is logged, told to the user once, and the call goes on with its events.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from dialer_gui.core.events import CallChanged, EventBus, Notice
from dialer_gui.errors import HistoryError
from dialer_gui.vocabulary.calls import CallAttempt, can_move

if TYPE_CHECKING:
    from dialer_gui.core.history import HistoryStore

log = logging.getLogger("dialer_gui.recorder")


class Recorder:
    """Writes attempts to ``history`` and announces each change on ``events``."""

    def __init__(self, history: HistoryStore, events: EventBus) -> None:
        self.history = history
        self.events = events
        self._broken = False

    def add(self, attempt: CallAttempt) -> CallAttempt:
        try:
            self.history.add(attempt)
        except HistoryError as exc:
            self.failed(exc)
        self.events.emit(CallChanged(attempt))
        return attempt

    def update(self, attempt: CallAttempt, **changes: Any) -> CallAttempt:
        new_state = changes.get("state")
        if new_state is not None and not can_move(attempt.state, new_state):
            # A bug, not the user's problem: keep the recorded state and say so in the log.
            log.error(
                "refused to move attempt %s from %s to %s", attempt.id, attempt.state, new_state
            )
            return attempt
        reason = changes.pop("reason", None)
        if reason is not None:
            attempt.reason = reason
        for key, value in changes.items():
            setattr(attempt, key, value)
        if attempt.id is not None:
            try:
                self.history.update(attempt.id, **changes)
            except HistoryError as exc:
                self.failed(exc)
            except (KeyError, ValueError):  # the row vanished or the store disagrees
                log.exception("history update of attempt %s failed", attempt.id)
        self.events.emit(CallChanged(attempt))
        return attempt

    def failed(self, exc: HistoryError) -> None:
        log.error("history write failed: %s", exc)
        if not self._broken:
            self._broken = True
            self.events.emit(Notice("error", "Call history not saved", str(exc)))
