"""The webhook after "accepted": an optional templated status request and hang-up request.

Both are templates like the dial request (``providers.webhook``), with ``{call_id}`` (the ID
the dial answer gave) among the placeholders, the same headers, and the same success rules
(a 2xx that is not a web page, narrowed by ``success_json_path``/``success_value`` or
``success_regex``). A 404 means the service knows no such call.

The status answer's state is found at ``status_json_path`` (a dotted path; empty: the whole
answer is the state) and translated by ``status_states``, a table from the service's words to
ours, with no patterns: ``ringing`` (your phone), ``ringing:callee``, ``answered``,
``connected``, ``ended``, ``busy``, ``no_answer`` (``busy:caller`` and ``no_answer:caller``
for your own leg; theirs otherwise), ``cancelled``, ``hung_up``. A word the table does not
hold says nothing (the tracker asks again). ``status_duration_json_path`` may point at the
talk time in seconds. What the profile sets decides what it can do: following needs the
status address and a table, hanging up (and cancelling) the hang-up address.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dialer_gui.providers.following import plain
from dialer_gui.vocabulary.calls import CallState, Capabilities, Follows, Leg, Progress
from dialer_gui.vocabulary.fields import Field, FieldKind
from dialer_gui.vocabulary.profiles import ProviderProfile

# Our words a status table may use, and the leg each means when none is named.
STATES: dict[str, tuple[CallState, Leg | None]] = {
    "ringing": (CallState.RINGING, Leg.CALLER),
    "answered": (CallState.ANSWERED, Leg.CALLER),
    "connected": (CallState.CONNECTED, Leg.CALLEE),
    "ended": (CallState.ENDED, Leg.CALLEE),
    "busy": (CallState.BUSY, Leg.CALLEE),
    "no_answer": (CallState.NO_ANSWER, Leg.CALLEE),
    "cancelled": (CallState.CANCELLED, None),
    "hung_up": (CallState.HUNG_UP, Leg.CALLEE),
}
LIVE_WORDS = frozenset({"ringing", "answered", "connected"})
LEGS = {"caller": Leg.CALLER, "callee": Leg.CALLEE}
TEMPLATE_OPTIONS = ("status_url", "status_body", "hangup_url", "hangup_body")


def our_state(word: str) -> tuple[CallState, Leg | None] | None:
    """``ringing:callee`` and the like as a state and leg; ``None`` if it is none of ours."""
    name, _, leg = word.strip().lower().partition(":")
    if name not in STATES or (leg and leg not in LEGS):
        return None
    state, default_leg = STATES[name]
    return state, LEGS[leg] if leg else default_leg


def check_states(value: Any) -> str | None:
    """The ``status_states`` check: every value one of our words."""
    if not isinstance(value, Mapping):
        return None  # the kind check says so
    bad = [str(v) for v in value.values() if our_state(str(v)) is None]
    if bad:
        words = ", ".join(STATES)
        return f"maps to {', '.join(bad)}; use one of {words} (a leg after a colon: :callee)"
    return None


FOLLOW_FIELDS: tuple[Field, ...] = (
    Field(
        "status_url",
        "Status address",
        FieldKind.URL,
        "",
        "Address asked for a call's state, with {call_id} (URL-encoded); empty: calls are not "
        "followed.",
    ),
    Field("status_method", "Status method", FieldKind.CHOICE, "GET", "", choices=("GET", "POST")),
    Field("status_body", "Status body", FieldKind.STR, "", "Body of the status request."),
    Field(
        "status_json_path",
        "State field",
        FieldKind.STR,
        "",
        "Dotted path to the state in the status answer, e.g. call.state; empty: the whole "
        "answer is the state.",
    ),
    Field(
        "status_states",
        "State words",
        FieldKind.MAPPING,
        {},
        "The service's state words and ours: ringing, ringing:callee, answered, connected, "
        "ended, busy, no_answer, cancelled, hung_up (a leg after a colon).",
        check=check_states,
    ),
    Field(
        "status_duration_json_path",
        "Talk time field",
        FieldKind.STR,
        "",
        "Dotted path to the talk time in seconds in the status answer; optional.",
    ),
    Field(
        "hangup_url",
        "Hang-up address",
        FieldKind.URL,
        "",
        "Address that ends a call, with {call_id}; empty: calls cannot be ended from here.",
    ),
    Field(
        "hangup_method",
        "Hang-up method",
        FieldKind.CHOICE,
        "POST",
        "",
        choices=("POST", "DELETE", "PUT", "GET"),
    ),
    Field("hangup_body", "Hang-up body", FieldKind.STR, "", "Body of the hang-up request."),
)


def capabilities(profile: ProviderProfile) -> Capabilities:
    """What the profile's templates allow: following with a status address and a table,
    ending calls with a hang-up address."""
    table = profile.get("status_states") or {}
    words = {str(v).strip().lower().partition(":")[0] for v in dict(table).values()}
    follows = Follows.NOTHING
    if str(profile.get("status_url") or "").strip() and words:
        follows = Follows.LIVE if words & LIVE_WORDS else Follows.FINAL
    ends = bool(str(profile.get("hangup_url") or "").strip())
    note = "" if follows is not Follows.NOTHING else (
        "This service's settings have no status request, so this dialer cannot follow its "
        "calls: check your phone."
    )  # fmt: skip
    return Capabilities(follows, hang_up=ends, cancel=ends, note=note)


def report(
    call_id: str,
    word: Any,
    table: Mapping[str, Any],
    duration: Any = None,
    *,
    end_requested: bool = False,
) -> Progress | None:
    """The report of a status answer whose state is ``word``; ``None`` if the table lacks it."""
    text = "" if word is None else str(word).strip()
    ours = next(
        (our_state(str(v)) for k, v in table.items() if str(k).strip() == text), None
    ) or next((our_state(str(v)) for k, v in table.items() if str(k).lower() == text.lower()), None)
    if ours is None:
        return None
    state, leg = ours
    if end_requested and state is CallState.ENDED:
        state = CallState.HUNG_UP
    elif end_requested and state in (CallState.NO_ANSWER, CallState.BUSY):
        state = CallState.CANCELLED
    seconds = None
    if isinstance(duration, int | float | str) and not isinstance(duration, bool):
        try:
            seconds = float(duration)
        except ValueError:
            seconds = None
        if seconds is not None and not 0 <= seconds < 10**7:
            seconds = None
    if state not in (CallState.ENDED, CallState.HUNG_UP):
        seconds = None
    return Progress(
        call_id, state, leg, duration=seconds, detail=f"The service said “{plain(text, 60)}”."
    )
