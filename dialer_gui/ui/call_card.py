"""The call card: the call in progress, above the tabs, with its timer and Hang up / Cancel.

It shows the newest call this session placed while that call is in progress: who (the contact,
else the number), what is happening in plain words ("Your phone is ringing", "Connected"), a
timer (talk time once connected, else time since the PBX took the call), and a button to end the
call where its PBX can: Cancel before the call connects, Hang up after. A PBX that tells nothing
after "accepted" says so on the card instead of pretending. When the call ends the card shows how
("Ended after 1:02") for a few seconds, then steps aside.

Everything on it comes from the PBX or the user and is shown as plain text. Its one-second
timer runs only while a call is shown, so an idle app has no timer. Screen readers hear each
change of state (an announcement, without moving the focus) and the card's parts carry what
they show in their names.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from dialer_gui.core.events import CallChanged, Event, EventBus
from dialer_gui.errors import DialerError
from dialer_gui.ui import tasks
from dialer_gui.ui.accessible import announce, name_with_text
from dialer_gui.vocabulary.calls import (
    LIVE_STATES,
    CallAttempt,
    CallState,
    Capabilities,
    Follows,
    state_words,
    talk_time,
    utcnow,
)

# How long the ending stays on the card before it steps aside.
LINGER_MS = 8000


class CallControl(Protocol):
    """What the card needs of the dialer (``core.dialer.Dialer`` is one)."""

    def capabilities(self, profile: str) -> Capabilities: ...

    async def end_call(self, attempt: CallAttempt) -> str: ...


class CallCard(QFrame):
    """The call in progress (see the module docstring).

    Args:
        events: the core's event bus; the card listens for changes of calls.
        control: asks what a profile's PBX can do, and ends calls.
    """

    def __init__(
        self, events: EventBus, control: CallControl, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("callCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.control = control
        self.attempt: CallAttempt | None = None
        self._last: tuple[CallState, object] | None = None
        self._busy = False  # waiting for the PBX to confirm the end of the call
        self._error = ""  # why the last Hang up / Cancel did not work

        self.who = QLabel()
        self.who.setObjectName("callWho")
        self.who.setTextFormat(Qt.TextFormat.PlainText)
        font = self.who.font()
        font.setBold(True)
        self.who.setFont(font)
        self.state = QLabel()
        self.state.setObjectName("callState")
        self.state.setTextFormat(Qt.TextFormat.PlainText)
        self.state.setWordWrap(True)
        self.note = QLabel()
        self.note.setObjectName("callNote")
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        self.end_button = QPushButton("Hang &up")
        self.end_button.setObjectName("endCall")
        self.end_button.clicked.connect(self.end_call)

        text = QVBoxLayout()
        text.setContentsMargins(0, 0, 0, 0)
        text.setSpacing(2)
        text.addWidget(self.who)
        text.addWidget(self.state)
        text.addWidget(self.note)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 8, 10, 8)
        row.addLayout(text, 1)
        row.addWidget(self.end_button, 0, Qt.AlignmentFlag.AlignVCenter)

        # Ticks only while a call is shown (see _sync_timer).
        self.tick = QTimer(self)
        self.tick.setInterval(1000)
        self.tick.timeout.connect(self._refresh)
        self.linger = QTimer(self)
        self.linger.setSingleShot(True)
        self.linger.setInterval(LINGER_MS)
        self.linger.timeout.connect(self._step_aside)
        self.hide()
        self._unsubscribe: Callable[[], None] = events.subscribe(self._on_event)
        self.destroyed.connect(lambda *_: self._unsubscribe())

    # -- following the calls ------------------------------------------------------------
    def _on_event(self, event: Event) -> None:
        if not isinstance(event, CallChanged):
            return
        attempt = event.attempt
        shown = self.attempt
        if attempt.state in LIVE_STATES:
            if shown is None or shown is attempt or shown.state not in LIVE_STATES:
                self.show_call(attempt)
            elif shown.id != attempt.id and attempt.id is not None:
                self.show_call(attempt)  # the newest call is the one the user thinks of
        elif shown is not None and attempt.id == shown.id:
            self.show_call(attempt)

    def show_call(self, attempt: CallAttempt) -> None:
        """Show ``attempt`` (in progress, or just ended)."""
        changed = self.attempt is not attempt or self._last != (attempt.state, attempt.leg)
        if self.attempt is not attempt:
            self._error = ""
        self.attempt = attempt
        self._last = (attempt.state, attempt.leg)
        self.linger.stop()
        if attempt.state not in LIVE_STATES:
            self.linger.start()
        self._refresh()
        self.show()
        self._sync_timer()
        if changed:
            announce(self.state, f"{self.who.text()}: {self.state.text()}")

    def _refresh(self) -> None:
        attempt = self.attempt
        if attempt is None:
            return
        self.who.setText(attempt.contact or attempt.display or attempt.number)
        words = state_words(attempt.state, attempt.leg)
        if attempt.state is CallState.COMPLETED and attempt.outcome:
            words = attempt.outcome
        clock = self._clock(attempt)
        self.state.setText(f"{words} · {clock}" if clock else words)
        name_with_text(self.state, "Call", self.state.text())
        name_with_text(self.who, "Calling", self.who.text())
        caps = self.control.capabilities(attempt.provider)
        live = attempt.state in LIVE_STATES
        can_end = live and caps.can_end(attempt.state) and bool(attempt.call_id)
        busy = self._busy
        self.end_button.setVisible(can_end or busy)
        self.end_button.setEnabled(can_end and not busy)
        if busy:
            label = "Hanging up…" if attempt.state is CallState.CONNECTED else "Cancelling…"
        else:
            label = "Hang &up" if attempt.state is CallState.CONNECTED else "&Cancel call"
        self.end_button.setText(label)
        self.end_button.setAccessibleName(label.replace("&", ""))
        note = self._error
        if not note and not live and attempt.state is CallState.UNTRACKED:
            note = attempt.detail or ""
        elif not note and live and caps.follows is not Follows.LIVE:
            note = caps.note
        self.note.setText(note)
        self.note.setVisible(bool(note))

    @staticmethod
    def _clock(attempt: CallAttempt) -> str:
        if attempt.duration is not None and attempt.state not in LIVE_STATES:
            return talk_time(attempt.duration)
        if attempt.state not in LIVE_STATES:
            return ""
        since = attempt.connected_at or attempt.created
        return talk_time((utcnow() - since).total_seconds())

    def _sync_timer(self) -> None:
        live = self.attempt is not None and self.attempt.state in LIVE_STATES
        if live and not self.tick.isActive():
            self.tick.start()
        elif not live and self.tick.isActive():
            self.tick.stop()

    def _step_aside(self) -> None:
        self.attempt = None
        self._error = ""
        self.hide()
        self._sync_timer()

    # -- ending the call ------------------------------------------------------------------
    def end_call(self) -> asyncio.Task[str] | None:
        """Ask the PBX to end the shown call; the card says how it went."""
        attempt = self.attempt
        if attempt is None or self._busy:
            return None
        self._busy, self._error = True, ""
        self._refresh()
        return tasks.spawn(self._end(attempt))

    async def _end(self, attempt: CallAttempt) -> str:
        try:
            return await self.control.end_call(attempt)
        except DialerError as exc:  # ProviderError is one: the PBX did not confirm
            self._error = f"Could not end the call: {getattr(exc, 'message', None) or exc}"
            with contextlib.suppress(RuntimeError):  # the card may be gone at quit
                announce(self.note, self._error)
            return ""
        finally:
            self._busy = False
            with contextlib.suppress(RuntimeError):
                self._refresh()
