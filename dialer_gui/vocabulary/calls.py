"""Dial requests and the states a call attempt moves through.

States only move forward (see :data:`ALLOWED`): a request becomes accepted (the PBX took it and
maybe gave a call ID) or failed; an accepted call may later get an outcome (answered, busy, ...).
``UNKNOWN`` marks an attempt that may have reached the PBX but whose answer we never saw: the
process died mid-request, or the connection broke after the request was sent.
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


class CallState(enum.StrEnum):
    REQUESTED = "requested"  # we are sending it to the PBX now
    ACCEPTED = "accepted"  # the PBX took the request (call ID if it gave one)
    COMPLETED = "completed"  # an outcome arrived later (Teleforge CDR); see ``outcome``
    FAILED = "failed"  # we know the PBX did not place the call
    UNKNOWN = "unknown"  # the PBX may have placed it; we never saw its answer
    MERGED = "merged"  # a duplicate of a request made moments before; not sent
    BLOCKED = "blocked"  # a guard refused it, or the user cancelled the confirmation


FINAL_STATES = frozenset(
    {CallState.COMPLETED, CallState.FAILED, CallState.UNKNOWN, CallState.MERGED, CallState.BLOCKED}
)

# Forward-only transitions. ACCEPTED -> ACCEPTED allows adding a late call ID.
ALLOWED: dict[CallState, frozenset[CallState]] = {
    CallState.REQUESTED: frozenset(
        {CallState.ACCEPTED, CallState.FAILED, CallState.UNKNOWN, CallState.BLOCKED}
    ),
    CallState.ACCEPTED: frozenset({CallState.ACCEPTED, CallState.COMPLETED}),
    # A CDR can arrive for a call whose HTTP answer we lost; that resolves the doubt.
    CallState.UNKNOWN: frozenset({CallState.COMPLETED}),
    CallState.COMPLETED: frozenset(),
    CallState.FAILED: frozenset(),
    CallState.MERGED: frozenset(),
    CallState.BLOCKED: frozenset(),
}


def can_move(old: CallState, new: CallState) -> bool:
    return new in ALLOWED[old]


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
    # Why it ended so, for exit codes and notices; set by the dialer, not kept in the history
    # (whose rows keep state, error and category as they always have).
    reason: Reason | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of an accepted call, reported later by the PBX (a Teleforge CDR).

    ``call_id`` is the ID the provider returned (or knew before sending); ``outcome`` is in
    plain words ("Busy", "No answer"); ``detail`` adds what else the PBX said.
    """

    call_id: str
    outcome: str
    detail: str = ""
