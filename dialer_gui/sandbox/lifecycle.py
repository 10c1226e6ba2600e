"""Scripted lives of the simulated calls: what happens after a simulated PBX took a call.

Every simulator that can tell about a call (Enswitch's active list, MOR's active calls and
call records, Simotel's CDR search, Teleforge's CDR, the webhook's status request) reads the
same :class:`CallBook`, so one call looks the same through every API. A click-to-call call
first rings your phone, then, once you answer, the number you asked for. A call's script is
chosen by the last digit of the number dialed (or, for every call, by the sandbox knob
``sandbox.state["lifecycle"]``):

=========  ====================  ==========================================================
digit      script                what happens (seconds after the PBX took the call)
=========  ====================  ==========================================================
0-5        ``answered``          your phone rings at 1, you answer at 3, theirs rings at 4,
                                 they answer at 7, they hang up at 17 (10 s of talk)
6          ``long``              as ``answered``, but the talk lasts an hour: hang it up
7          ``busy``              you answer at 3; their line is busy at 4
8          ``no_answer``         you answer at 3; theirs rings from 4 and rings out at 24
9          ``caller_no_answer``  your phone rings from 1 and rings out at 16
=========  ====================  ==========================================================

Time runs at ``CallBook.speed`` (the ``lifecycle_speed`` of the sandbox; 1 is real time, the
demo's pace), and :meth:`CallBook.advance` moves every call forward at once, so tests step
through each state without waiting. Hanging up (any API's hang-up request) ends a call at
once: cancelled before it connected, hung up after.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from dialer_gui.vocabulary.calls import CallState, Leg

ACCEPTED, RINGING, ANSWERED = CallState.ACCEPTED, CallState.RINGING, CallState.ANSWERED
CONNECTED, ENDED, BUSY = CallState.CONNECTED, CallState.ENDED, CallState.BUSY
NO_ANSWER, CANCELLED, HUNG_UP = CallState.NO_ANSWER, CallState.CANCELLED, CallState.HUNG_UP
CALLER, CALLEE = Leg.CALLER, Leg.CALLEE
MAX_CALLS = 10_000  # calls remembered; the demo may run for months


@dataclass(frozen=True, slots=True)
class Step:
    """From ``at`` seconds on, the call is in ``state`` on ``leg``."""

    at: float
    state: CallState
    leg: Leg | None = None


_START = (Step(0, ACCEPTED), Step(1, RINGING, CALLER), Step(3, ANSWERED, CALLER))
SCRIPTS: dict[str, tuple[Step, ...]] = {
    "answered": (*_START, Step(4, RINGING, CALLEE), Step(7, CONNECTED, CALLEE), Step(17, ENDED)),
    "long": (*_START, Step(4, RINGING, CALLEE), Step(7, CONNECTED, CALLEE), Step(3607, ENDED)),
    "busy": (*_START, Step(4, BUSY, CALLEE)),
    "no_answer": (*_START, Step(4, RINGING, CALLEE), Step(24, NO_ANSWER, CALLEE)),
    "caller_no_answer": (Step(0, ACCEPTED), Step(1, RINGING, CALLER), Step(16, NO_ANSWER, CALLER)),
}
BY_LAST_DIGIT = {"6": "long", "7": "busy", "8": "no_answer", "9": "caller_no_answer"}
DEFAULT_SCRIPT = "answered"
ENDINGS = frozenset({ENDED, BUSY, NO_ANSWER, CANCELLED, HUNG_UP})


def script_for(number: str, forced: str | None = None) -> str:
    """The script of a call to ``number``: ``forced`` if it names one, else by its last digit."""
    if forced:
        if forced not in SCRIPTS:
            raise ValueError(f"unknown lifecycle {forced!r}; known: {', '.join(SCRIPTS)}")
        return forced
    digits = [c for c in number if c.isdigit()]
    return BY_LAST_DIGIT.get(digits[-1] if digits else "", DEFAULT_SCRIPT)


@dataclass(slots=True)
class SimCall:
    """One simulated call: who rings first (``caller``), whom it calls, and its script."""

    api: str
    call_id: str
    caller: str
    callee: str
    script: str
    started: float  # on the book's clock
    started_wall: float = field(default_factory=time.time)
    ended_by: CallState | None = None  # CANCELLED or HUNG_UP once hung up
    ended_at: float | None = None
    leg_ids: tuple[int, int] = (0, 0)  # active-call row IDs of each leg (MOR)

    def step(self, now: float) -> Step:
        """Where the call stands at ``now`` (the book's clock)."""
        age = now - self.started
        if self.ended_by is not None and self.ended_at is not None and now >= self.ended_at:
            return Step(self.ended_at - self.started, self.ended_by)
        current = SCRIPTS[self.script][0]
        for step in SCRIPTS[self.script]:
            if step.at <= age:
                current = step
        return current

    def finished(self, now: float) -> bool:
        return self.step(now).state in ENDINGS

    def reached(self, state: CallState, now: float) -> float | None:
        """When (seconds after the start) the call reached ``state``, or ``None``."""
        limit = now - self.started
        if self.ended_at is not None:
            limit = min(limit, self.ended_at - self.started)
        for step in SCRIPTS[self.script]:
            if step.state is state and step.at <= limit:
                return step.at
        return None

    def legs(self, now: float, *, ended_too: bool = False) -> list[tuple[float, float | None]]:
        """For each leg that has started ringing, by now: when it rang and when it was
        answered (seconds after the start; ``None`` while unanswered). Empty once it ended,
        unless ``ended_too`` (then: each leg the call ever had, as call records show)."""
        if self.finished(now) and not ended_too:
            return []
        limit = now - self.started
        if self.ended_at is not None:
            limit = min(limit, self.ended_at - self.started)
        out: list[tuple[float, float | None]] = []
        marks = (((RINGING, CALLER), (ANSWERED, CALLER)), ((RINGING, CALLEE), (CONNECTED, CALLEE)))
        for rang_mark, answer_mark in marks:
            times = {
                (step.state, step.leg): step.at for step in SCRIPTS[self.script] if step.at <= limit
            }
            if rang_mark in times:
                out.append((times[rang_mark], times.get(answer_mark)))
        return out

    def talk(self, now: float) -> float:
        """Seconds of talk so far (0 when it never connected)."""
        connected = self.reached(CONNECTED, now)
        if connected is None:
            return 0.0
        end = self.step(now)
        last = end.at if end.state in ENDINGS else now - self.started
        return max(0.0, last - connected)

    def wall(self, at: float) -> float:
        """``at`` seconds after the start as a Unix time (for answers that carry times)."""
        return self.started_wall + at


class CallBook:
    """Every simulated call, on one clock that runs ``speed`` times real time.

    Thread-safe: tests advance the clock from their own thread while the sandbox's loop reads.
    """

    def __init__(self, speed: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._speed = speed
        self._base_real = clock()
        self._base = 0.0
        self._calls: OrderedDict[str, SimCall] = OrderedDict()
        self._ids = 0

    @property
    def speed(self) -> float:
        return self._speed

    @speed.setter
    def speed(self, value: float) -> None:
        if value <= 0:
            raise ValueError("the lifecycle speed must be more than 0")
        with self._lock:
            self._rebase()
            self._speed = value

    def _rebase(self) -> None:
        real = self._clock()
        self._base += (real - self._base_real) * self._speed
        self._base_real = real

    def now(self) -> float:
        with self._lock:
            return self._base + (self._clock() - self._base_real) * self._speed

    def advance(self, seconds: float) -> None:
        """Move every call ``seconds`` forward in its life."""
        with self._lock:
            self._base += seconds

    def place(
        self, api: str, call_id: str, caller: str, callee: str, forced: str | None = None
    ) -> SimCall:
        """Start the life of a call the simulated PBX just took."""
        script = script_for(callee, forced)
        now = self.now()
        with self._lock:
            self._ids += 2
            call = SimCall(api, call_id, caller, callee, script, now)
            call.leg_ids = (self._ids - 1, self._ids)
            self._calls[f"{api}\0{call_id}"] = call
            while len(self._calls) > MAX_CALLS:
                self._calls.popitem(last=False)
        return call

    def get(self, api: str, call_id: str) -> SimCall | None:
        with self._lock:
            return self._calls.get(f"{api}\0{call_id}")

    def calls(self, api: str) -> list[SimCall]:
        with self._lock:
            return [c for c in self._calls.values() if c.api == api]

    def active(self, api: str) -> list[SimCall]:
        """The calls of ``api`` that have started ringing and not ended."""
        now = self.now()
        return [c for c in self.calls(api) if c.step(now).state not in ENDINGS | {ACCEPTED}]

    def hang_up(self, call: SimCall) -> CallState | None:
        """End ``call`` now, as the PBX would on a hang-up request; ``None`` if it had ended."""
        now = self.now()
        step = call.step(now)
        if step.state in ENDINGS:
            return None
        with self._lock:
            call.ended_by = HUNG_UP if step.state is CONNECTED else CANCELLED
            call.ended_at = now
        return call.ended_by
