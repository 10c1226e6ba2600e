"""What the providers that follow calls share: call IDs, a memory of what was seen, the rule for
a call that is gone, and PBX words made safe to show.

A PBX that lists only the calls it is running (Enswitch's active list, MOR's active calls)
says nothing when a call ends: the call is simply no longer there. What that means depends on
what was seen before, so each provider instance keeps a small memory per call
(:class:`FollowMemory`) and :func:`gone` says what can honestly be said of a call that left
the list: a connected call ended (or was hung up, when we asked), a call we asked to end was
cancelled, and a call whose first leg, your phone, rang without being answered rang out on
that leg. Anything else (the other side rang, then the call was gone: busy, no answer, or
you hung up?) cannot be told apart, so nothing is said and the tracker stops following it at
its bound. The memory lives as long as the provider instance (the provider pool keeps it
until the settings change or the app quits); a call it has not seen is never guessed about.
"""

from __future__ import annotations

import unicodedata
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from dialer_gui.providers.base import clean_call_id
from dialer_gui.providers.redaction import scrub
from dialer_gui.vocabulary.calls import CallState, Leg, Progress

MAX_FOLLOWED = 1000  # calls remembered per provider instance; a desk follows a handful
MAX_DETAIL = 200  # characters of a PBX's own words kept in a report
# The states a PBX report may carry (UNTRACKED is the tracker's to say).
REPORTABLE = frozenset(
    {
        CallState.RINGING,
        CallState.ANSWERED,
        CallState.CONNECTED,
        CallState.ENDED,
        CallState.BUSY,
        CallState.NO_ANSWER,
        CallState.CANCELLED,
        CallState.HUNG_UP,
        CallState.COMPLETED,
    }
)


def call_ids(values: Iterable[object]) -> list[str]:
    """The call IDs worth asking about: cleaned (as every ``CallResult`` cleans them), once each.

    An ID that is not a short printable token cannot be one we handed out, so it is left out
    rather than sent to the PBX.
    """
    seen: dict[str, None] = {}
    for value in values:
        cleaned = clean_call_id(value)
        if cleaned is not None:
            seen.setdefault(cleaned, None)
    return list(seen)


def plain(text: object, limit: int = MAX_DETAIL) -> str:
    """A PBX's words as one short line of plain text: control and format characters dropped,
    whitespace evened out, cut at ``limit`` characters, remembered secrets masked."""
    cleaned = "".join(
        " " if ch.isspace() else ch
        for ch in str(text)
        if ch.isspace() or unicodedata.category(ch)[0] != "C"
    )
    cleaned = " ".join(cleaned.split())
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 1] + "…"
    return scrub(cleaned)


@dataclass(slots=True)
class Seen:
    """The last live state seen of one call, and whether we asked the PBX to end it."""

    state: CallState | None = None
    leg: Leg | None = None
    end_requested: bool = False


class FollowMemory:
    """Per call ID, what this provider instance saw last; the oldest calls are forgotten."""

    def __init__(self, limit: int = MAX_FOLLOWED) -> None:
        self.limit = limit
        self._calls: OrderedDict[str, Seen] = OrderedDict()

    def get(self, call_id: str) -> Seen | None:
        return self._calls.get(call_id)

    def _entry(self, call_id: str) -> Seen:
        entry = self._calls.get(call_id)
        if entry is None:
            entry = self._calls[call_id] = Seen()
            while len(self._calls) > self.limit:
                self._calls.popitem(last=False)
        self._calls.move_to_end(call_id)
        return entry

    def saw(self, progress: Progress) -> Progress:
        """Remember a live report; returns it unchanged."""
        entry = self._entry(progress.call_id)
        entry.state, entry.leg = progress.state, progress.leg
        return progress

    def ending(self, call_id: str) -> None:
        """We asked the PBX to end this call."""
        self._entry(call_id).end_requested = True

    def forget(self, call_id: str) -> None:
        self._calls.pop(call_id, None)


def gone(memory: FollowMemory, call_id: str, *, detail: str = "") -> Progress | None:
    """What can honestly be said of a call the PBX no longer lists (see the module docstring).

    The call is forgotten once something is said, so it is said once.
    """
    seen = memory.get(call_id)
    if seen is None or seen.state is None:
        return None  # never seen: it may not have started yet
    report: Progress | None = None
    if seen.state is CallState.CONNECTED:
        state = CallState.HUNG_UP if seen.end_requested else CallState.ENDED
        report = Progress(call_id, state, Leg.CALLEE, detail=detail)
    elif seen.end_requested:
        report = Progress(call_id, CallState.CANCELLED, seen.leg, detail=detail)
    elif seen.state is CallState.RINGING and seen.leg in (Leg.CALLER, None):
        said = detail or "Your phone stopped ringing before it was answered."
        report = Progress(call_id, CallState.NO_ANSWER, Leg.CALLER, detail=said)
    if report is not None:
        memory.forget(call_id)
    return report
