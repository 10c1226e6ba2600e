"""Why a call attempt ended as it did, as a code: the one word every output is derived from.

Plans and attempts carry a :class:`Reason`. Exit codes (``exitcodes.EXIT_CODES``), notification
titles (:data:`TITLES`) and the CLI's JSON ``reason`` field are looked up from it, each in one
table, and never worked out from the wording of a message; the sentence beside it (the attempt's
``error`` or ``detail``) is for people, and free to change or be translated.
"""

from __future__ import annotations

import enum


class Reason(enum.StrEnum):
    # The PBX took it.
    ACCEPTED = "accepted"  # the PBX took the request (the phone rings first)
    FINISHED = "finished"  # an outcome arrived later (answered, busy, ...)
    # Refused before anything was sent: nothing dialed.
    NOT_DIALABLE = "not_dialable"  # not a number, extension or link we can dial
    NO_PROVIDER = "no_provider"  # no profile is set up
    UNKNOWN_PROVIDER = "unknown_provider"  # the profile asked for does not exist
    PROVIDER_UNUSABLE = "provider_unusable"  # the profile's settings cannot make a request
    BLOCKED_NUMBER = "blocked_number"  # a blocked number type or prefix
    RATE_LIMITED = "rate_limited"  # too many calls from links in a minute
    NEEDS_CONFIRMATION = "needs_confirmation"  # asks first, and nobody could be asked
    PROMPT_BUSY = "prompt_busy"  # another link's question was still open
    CANCELLED = "cancelled"  # the user said no
    DUPLICATE = "duplicate"  # merged with a request for the same number moments ago
    # Sent, and then:
    REFUSED = "refused"  # the PBX said no, or could not be reached: nothing dialed
    MAYBE_PLACED = "maybe_placed"  # we never saw the answer: it may ring
    INTERNAL_ERROR = "internal_error"  # a bug while sending: it may ring


NOT_SENT = frozenset(
    {
        Reason.NOT_DIALABLE,
        Reason.NO_PROVIDER,
        Reason.UNKNOWN_PROVIDER,
        Reason.PROVIDER_UNUSABLE,
        Reason.BLOCKED_NUMBER,
        Reason.RATE_LIMITED,
        Reason.NEEDS_CONFIRMATION,
        Reason.PROMPT_BUSY,
        Reason.CANCELLED,
        Reason.DUPLICATE,
    }
)
"""Reasons for which no request left this machine."""

TITLES: dict[Reason, str] = {
    Reason.ACCEPTED: "Calling",
    Reason.FINISHED: "Call finished",
    Reason.NOT_DIALABLE: "Call not placed",
    Reason.NO_PROVIDER: "Call not placed",
    Reason.UNKNOWN_PROVIDER: "Call not placed",
    Reason.PROVIDER_UNUSABLE: "Call not placed",
    Reason.BLOCKED_NUMBER: "Call not placed",
    Reason.RATE_LIMITED: "Call not placed",
    Reason.NEEDS_CONFIRMATION: "Call not placed",
    Reason.PROMPT_BUSY: "Call not placed",
    Reason.CANCELLED: "Call not placed",
    Reason.DUPLICATE: "Already dialing",
    Reason.REFUSED: "Call not placed",
    Reason.MAYBE_PLACED: "Call status unknown",
    Reason.INTERNAL_ERROR: "Call status unknown",
}
"""The notification title of each reason (``tests/test_reasons.py`` checks every one has one)."""
