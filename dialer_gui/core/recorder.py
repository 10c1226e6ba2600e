"""Every state change of an attempt goes to the history and out as an event, in one place.

A history that cannot be written never stops a call, and never holds up the window:

- **Locked** (another program holds the database: a backup tool, a second app, a sync client):
  the store gives up after its short busy timeout (``HistoryBusy``), the write waits here in
  order, and is tried again with backoff until the lock clears. An attempt whose first write
  is still waiting has no id yet; later changes land on the object itself, so the row written
  when the lock clears is the attempt as it is by then (a placed call ends with its row). Said
  once, while it lasts.
- **Broken** (disk full, file damaged, read-only): logged, and told to the user once; the call
  goes on with its events.

The waiting writes are bounded (:data:`MAX_PENDING`): a history locked for days must not grow
the tray process without end; the oldest are dropped, and that is logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from dialer_gui.core.events import CallChanged, EventBus, Notice
from dialer_gui.errors import HistoryBusy, HistoryError
from dialer_gui.vocabulary.calls import CallAttempt, can_move

if TYPE_CHECKING:
    from dialer_gui.core.history import HistoryStore

log = logging.getLogger("dialer_gui.recorder")

MAX_PENDING = 1000
RETRY_FIRST = 0.2  # seconds before the first retry; doubled up to RETRY_MAX
RETRY_MAX = 5.0
BUSY_TITLE = "Call history is waiting"
BUSY_TEXT = (
    "Another program holds the call history locked. Calls go on as usual; they are written "
    "to the history as soon as it is free."
)


class Recorder:
    """Writes attempts to ``history`` and announces each change on ``events``."""

    def __init__(self, history: HistoryStore, events: EventBus) -> None:
        self.history = history
        self.events = events
        self._broken = False
        self._busy_said = False
        # Waiting writes, oldest first: attempts not yet added (keyed by object id), and
        # changes of recorded rows merged per row id.
        self._adds: OrderedDict[int, CallAttempt] = OrderedDict()
        self._updates: OrderedDict[int, dict[str, Any]] = OrderedDict()
        self._retry: asyncio.Task[None] | None = None

    @property
    def pending(self) -> int:
        """Writes waiting for a locked history."""
        return len(self._adds) + len(self._updates)

    def add(self, attempt: CallAttempt) -> CallAttempt:
        if self.pending:
            self._wait_add(attempt)  # keep the order: earlier writes go first
        else:
            try:
                self.history.add(attempt)
            except HistoryBusy:
                self._wait_add(attempt)
            except HistoryError as exc:
                self.failed(exc)
        self.events.emit(CallChanged(attempt))
        return attempt

    def update(self, attempt: CallAttempt, **changes: Any) -> CallAttempt:
        new_state = changes.get("state")
        new_leg = changes.get("leg", attempt.leg)
        if new_state is not None and not can_move(attempt.state, new_state, attempt.leg, new_leg):
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
            if attempt.id in self._updates:
                self._updates[attempt.id].update(changes)
            else:
                try:
                    self.history.update(attempt.id, **changes)
                except HistoryBusy:
                    self._wait_update(attempt.id, changes)
                except HistoryError as exc:
                    self.failed(exc)
                except (KeyError, ValueError):  # the row vanished or the store disagrees
                    log.exception("history update of attempt %s failed", attempt.id)
        # An attempt still waiting for its first write needs nothing more: the row is written
        # from the object as it is when the lock clears.
        self.events.emit(CallChanged(attempt))
        return attempt

    def failed(self, exc: HistoryError) -> None:
        log.error("history write failed: %s", exc)
        if not self._broken:
            self._broken = True
            self.events.emit(Notice("error", "Call history not saved", str(exc)))

    # -- waiting for a lock -------------------------------------------------------------------
    def _wait_add(self, attempt: CallAttempt) -> None:
        self._adds[id(attempt)] = attempt
        self._bound()
        self._busy()

    def _wait_update(self, attempt_id: int, changes: dict[str, Any]) -> None:
        self._updates.setdefault(attempt_id, {}).update(changes)
        self._bound()
        self._busy()

    def _bound(self) -> None:
        while self.pending > MAX_PENDING:
            queue = self._adds if self._adds else self._updates
            _key, lost = queue.popitem(last=False)
            log.error("history locked too long; a waiting write was dropped: %r", lost)

    def _busy(self) -> None:
        if not self._busy_said:
            self._busy_said = True
            self.events.emit(Notice("warning", BUSY_TITLE, BUSY_TEXT))
        if self._retry is None or self._retry.done():
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # a synchronous caller: flush() at the end writes them
                return
            self._retry = loop.create_task(self._retry_until_written())

    async def _retry_until_written(self) -> None:
        delay = RETRY_FIRST
        while self.pending:
            await asyncio.sleep(delay)
            self.write_waiting()
            delay = min(delay * 2, RETRY_MAX)

    def write_waiting(self) -> bool:
        """Try the waiting writes once, in order; True when none is left."""
        while self._adds:
            key, attempt = next(iter(self._adds.items()))
            try:
                self.history.add(attempt)
            except HistoryBusy:
                return False
            except HistoryError as exc:
                self.failed(exc)
            del self._adds[key]
            self.events.emit(CallChanged(attempt))  # now with its id: the window shows it
        while self._updates:
            attempt_id, changes = next(iter(self._updates.items()))
            try:
                self.history.update(attempt_id, **changes)
            except HistoryBusy:
                return False
            except HistoryError as exc:
                self.failed(exc)
            except (KeyError, ValueError):
                log.exception("history update of attempt %s failed", attempt_id)
            del self._updates[attempt_id]
        if self._busy_said:
            self._busy_said = False
            log.info("the call history is free again; waiting writes are done")
        return True

    async def flush(self, *, wait: float = 3.0) -> None:
        """Before closing: keep trying the waiting writes for up to ``wait`` seconds."""
        if self._retry is not None:
            self._retry.cancel()
            self._retry = None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while not self.write_waiting() and loop.time() < deadline:
            await asyncio.sleep(0.1)
        if self.pending:
            log.error("%d history writes lost: the database stayed locked", self.pending)
