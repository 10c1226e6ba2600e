"""Dial requests and the states a call attempt moves through.

States only move forward (see :func:`can_move`): a request becomes accepted (the PBX took it and
maybe gave a call ID) or failed. ``UNKNOWN`` marks an attempt that may have reached the PBX but
whose answer we never saw: the process died mid-request, or the connection broke after the
request was sent.

After "accepted", a PBX that can tell reports the call's progress (:class:`Progress`). A
click-to-call call has two legs: the PBX first rings *your* phone (``Leg.CALLER``), then, once
you answer, the number you asked for (``Leg.CALLEE``). Progress runs in one order,
:data:`LIVE_ORDER`: your phone ringing, you answered, the other side ringing, connected; it ends
in one of :data:`LIVE_ENDINGS` (ended, busy, no answer, cancelled, hung up), or in
``UNTRACKED`` when dialer-gui stopped following before the PBX said how it ended (a restart, or
the bound on following). ``COMPLETED`` is the older, coarser ending: a PBX's outcome in its own
words (a Teleforge CDR we cannot map), kept so old histories still read.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, datetime

from dialer_gui.vocabulary.reasons import Reason


class Source(enum.StrEnum):
    """Which door a dial request came through."""

    DIALPAD = "dialpad"
    CLIPBOARD = "clipboard"
    LINK = "link"
    CLI = "cli"
    HISTORY = "history"
    BROWSER = "browser"  # the browser companion: text a web page's user clicked or selected


class Leg(enum.StrEnum):
    """Which side of a click-to-call call a state concerns."""

    CALLER = "caller"  # your own phone, rung first
    CALLEE = "callee"  # the number you asked for


class CallState(enum.StrEnum):
    REQUESTED = "requested"  # we are sending it to the PBX now
    ACCEPTED = "accepted"  # the PBX took the request (call ID if it gave one)
    RINGING = "ringing"  # a leg rings (see ``leg``)
    ANSWERED = "answered"  # you answered your phone; the other side is being called
    CONNECTED = "connected"  # the other side answered: you are talking
    ENDED = "ended"  # a connected call ended normally (``duration``)
    BUSY = "busy"  # a leg was busy (see ``leg``)
    NO_ANSWER = "no_answer"  # a leg rang out (see ``leg``)
    CANCELLED = "cancelled"  # ended by us (Cancel) before it connected
    HUNG_UP = "hung_up"  # ended by us (Hang up) after it connected
    UNTRACKED = "untracked"  # placed; we stopped following before the PBX said how it ended
    COMPLETED = "completed"  # an outcome arrived later in the PBX's words; see ``outcome``
    FAILED = "failed"  # we know the PBX did not place the call
    UNKNOWN = "unknown"  # the PBX may have placed it; we never saw its answer
    MERGED = "merged"  # a duplicate of a request made moments before; not sent
    BLOCKED = "blocked"  # a guard refused it, or the user cancelled the confirmation


# The states of a call the PBX took, in the order they happen; progress never goes back.
LIVE_ORDER: tuple[tuple[CallState, Leg | None], ...] = (
    (CallState.ACCEPTED, None),
    (CallState.RINGING, Leg.CALLER),
    (CallState.ANSWERED, Leg.CALLER),
    (CallState.RINGING, Leg.CALLEE),
    (CallState.CONNECTED, Leg.CALLEE),
)
LIVE_STATES = frozenset(state for state, _leg in LIVE_ORDER)
# How a call the PBX took can end.
LIVE_ENDINGS = frozenset(
    {
        CallState.ENDED,
        CallState.BUSY,
        CallState.NO_ANSWER,
        CallState.CANCELLED,
        CallState.HUNG_UP,
        CallState.UNTRACKED,
        CallState.COMPLETED,
    }
)
FINAL_STATES = LIVE_ENDINGS | {
    CallState.FAILED,
    CallState.UNKNOWN,
    CallState.MERGED,
    CallState.BLOCKED,
}

_NOT_PLACED = frozenset({CallState.FAILED, CallState.MERGED, CallState.BLOCKED})


def live_rank(state: CallState, leg: Leg | str | None) -> int:
    """Where a live state stands in :data:`LIVE_ORDER`; a ringing leg the PBX did not name
    counts as your phone (the earlier one)."""
    if state is CallState.RINGING:
        return 3 if leg == Leg.CALLEE else 1
    for rank, (live, _leg) in enumerate(LIVE_ORDER):
        if live is state:
            return rank
    raise ValueError(f"{state} is not a live state")


def can_move(
    old: CallState,
    new: CallState,
    old_leg: Leg | str | None = None,
    new_leg: Leg | str | None = None,
) -> bool:
    """Whether a call in ``old`` (on ``old_leg``) may move to ``new`` (on ``new_leg``).

    Forward only: requested -> accepted, failed, unknown or blocked; a live state -> a later
    live state (the same one again adds a late call ID) or an ending; unknown -> any live
    state or ending (a report from the PBX resolves the doubt). Endings are final.
    """
    if old is CallState.REQUESTED:
        return new in (CallState.ACCEPTED, CallState.FAILED, CallState.UNKNOWN, CallState.BLOCKED)
    if old is CallState.UNKNOWN:
        return new in LIVE_STATES - {CallState.ACCEPTED} or new in LIVE_ENDINGS - {
            CallState.UNTRACKED
        }
    if old in LIVE_STATES:
        if new in LIVE_ENDINGS:
            return True
        if new in LIVE_STATES:
            return live_rank(new, new_leg) >= live_rank(old, old_leg)
        return False
    return False  # endings, and the requests never placed


def placed_maybe(state: CallState) -> bool:
    """Whether a call in ``state`` may have rung someone (so it must never be re-sent)."""
    return state not in _NOT_PLACED and state is not CallState.REQUESTED


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class CallAttempt:
    """One row of the history: a single attempt to place a call.

    ``id`` is assigned by the history store. ``raw`` is the provider's answer with secrets
    removed, for the details view.
    """

    source: Source
    raw_input: str
    number: str  # E.164 or extension digits; "" when parsing failed
    display: str
    provider: str  # profile name
    dialed: str = ""  # the exact string the provider received
    state: CallState = CallState.REQUESTED
    call_id: str | None = None
    error: str | None = None
    error_category: str | None = None
    outcome: str | None = None
    detail: str | None = None
    raw: str | None = None
    created: datetime = field(default_factory=utcnow)
    updated: datetime = field(default_factory=utcnow)
    id: int | None = None
    # After "accepted": the leg the state concerns, when the call connected and ended, and
    # its length in seconds (as the PBX said, else from connected to ended).
    leg: Leg | None = None
    connected_at: datetime | None = None
    ended_at: datetime | None = None
    duration: float | None = None
    # The contact the number belonged to when it was dialed, and the web page that asked
    # (the browser companion); both as shown to the user, both plain text.
    contact: str | None = None
    page: str | None = None
    # Why it ended so, for exit codes and notices; set by the dialer, not kept in the history
    # (whose rows keep state, error and category as they always have).
    reason: Reason | None = field(default=None, compare=False)

    @property
    def shown_number(self) -> str:
        """The number as shown, without the contact's name the dialer put before it: the
        history keeps "Jane Doe (+1 212-555-0100)" whole as the display, for the notices."""
        shown = self.display or self.number or self.raw_input
        prefix = f"{self.contact} (" if self.contact else ""
        if prefix and shown.startswith(prefix) and shown.endswith(")"):
            return shown[len(prefix) : -1]
        return shown


class Follows(enum.StrEnum):
    """How much a provider can tell about a call after it took it."""

    NOTHING = "nothing"  # "accepted" is the last word (Fonality)
    FINAL = "final"  # how it ended, once it has (a CDR), but nothing while it runs
    LIVE = "live"  # each leg as it happens, and how it ended


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a profile's PBX can do for a call it took: follow it, end it.

    ``cancel`` ends a call that has not connected (your phone or theirs still ringing);
    ``hang_up`` ends a connected one. ``note`` says in plain words what the PBX cannot tell,
    for the UI to show instead of pretending ("Fonality says nothing after it took a call").
    """

    follows: Follows = Follows.NOTHING
    hang_up: bool = False
    cancel: bool = False
    note: str = ""

    def can_end(self, state: CallState) -> bool:
        if state is CallState.CONNECTED:
            return self.hang_up
        return state in LIVE_STATES and self.cancel


@dataclass(frozen=True, slots=True)
class Progress:
    """One report from the PBX about a call it took: a live state or how the call ended.

    ``state`` is a live state or one of :data:`LIVE_ENDINGS` (not ``UNTRACKED``: that is ours
    to say); ``leg`` is the side it concerns when the PBX says; ``at`` when it happened (now,
    unless the PBX gave a time); ``duration`` the talk time in seconds when the PBX gave one;
    ``detail`` anything else it said, in plain words.
    """

    call_id: str
    state: CallState
    leg: Leg | None = None
    at: datetime = field(default_factory=utcnow)
    duration: float | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of an accepted call, reported later by the PBX (a Teleforge CDR).

    ``call_id`` is the ID the provider returned (or knew before sending); ``outcome`` is in
    plain words ("Busy", "No answer"); ``detail`` adds what else the PBX said. ``state`` is the
    ending it maps to when the provider can tell (one of :data:`LIVE_ENDINGS` but
    ``UNTRACKED``), with the ``leg`` it concerns and the talk time ``duration`` in seconds
    when the PBX gave them; the default, ``COMPLETED``, keeps the outcome in the PBX's words.
    """

    call_id: str
    outcome: str
    detail: str = ""
    state: CallState = CallState.COMPLETED
    leg: Leg | None = None
    duration: float | None = None


# How each state reads to people, in one place for the history, the call card, notifications
# and the command line. A state with a leg reads by the leg (see :func:`state_words`).
STATE_WORDS: dict[CallState, str] = {
    CallState.REQUESTED: "Calling…",
    CallState.ACCEPTED: "Accepted",
    CallState.RINGING: "Ringing",
    CallState.ANSWERED: "You answered",
    CallState.CONNECTED: "Connected",
    CallState.ENDED: "Ended",
    CallState.BUSY: "Busy",
    CallState.NO_ANSWER: "No answer",
    CallState.CANCELLED: "Cancelled",
    CallState.HUNG_UP: "Hung up",
    CallState.UNTRACKED: "No longer followed",
    CallState.COMPLETED: "Completed",
    CallState.FAILED: "Failed",
    CallState.UNKNOWN: "Unknown: may have rung",
    CallState.MERGED: "Merged with earlier call",
    CallState.BLOCKED: "Not placed",
}

_LEG_WORDS: dict[tuple[CallState, Leg], str] = {
    (CallState.RINGING, Leg.CALLER): "Your phone is ringing",
    (CallState.RINGING, Leg.CALLEE): "Their phone is ringing",
    (CallState.BUSY, Leg.CALLER): "Your phone was busy",
    (CallState.BUSY, Leg.CALLEE): "Busy",
    (CallState.NO_ANSWER, Leg.CALLER): "You did not answer",
    (CallState.NO_ANSWER, Leg.CALLEE): "No answer",
}


def state_words(state: CallState, leg: Leg | None = None) -> str:
    """``state`` (on ``leg``) in a few plain words: "Your phone is ringing", "Connected"."""
    if leg is not None:
        words = _LEG_WORDS.get((state, leg))
        if words:
            return words
    return STATE_WORDS[state]


def talk_time(seconds: float) -> str:
    """A duration as a call timer shows it: ``0:07``, ``12:34``, ``1:02:03``."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
