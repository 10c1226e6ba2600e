"""Enswitch after "accepted": ``calls/active/list`` to follow a call, ``calls/hangup`` to end it.

Both take the call ID ``calls/make`` returns (only when ``wait`` is set). Enswitch documents
the active list as one row per leg of each running call, filtered here by ``callid``, with
``answered`` (a Unix time, 0 while the leg has not been answered) and ``start``; it does not
say which row is which leg. The conservative reading used here, by row count (oldest first)
and answered rows:

======  ========  ==============================================
rows    answered  state
======  ========  ==============================================
1       0         your phone rings (ringing, caller)
1       1         you answered; the other side is not yet called
2+      1         the other side rings (ringing, callee)
2+      all       connected
2+      0         your phone rings (nothing proves more)
======  ========  ==============================================

A row whose own ``callid`` differs from the one asked about is dropped (a server that ignores
the filter lists every call). A call no longer listed is judged by
:func:`~dialer_gui.providers.following.gone`. Hanging up is asynchronous on Enswitch's side:
204 "Hang up successfully requested"; the call then leaves the list.

Both functions need role privileges beyond ``calls/make``: a refusal (code 402 role, 403 rate
plan) is ``NOT_PERMITTED`` in plain words, which turns following off for the profile; it never
touches the call itself.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol

from dialer_gui.providers.errors import ErrorCategory, ProviderError
from dialer_gui.providers.following import FollowMemory, call_ids, gone, plain
from dialer_gui.vocabulary.calls import CallState, Leg, Progress

LIST_PATH = "calls/active/list/"
HANGUP_PATH = "calls/hangup/"
OK_CODES = ("200", "204")


class Answer(Protocol):
    """The first entry of an Enswitch answer's ``responses`` and its ``data``."""

    code: str
    key: str
    message: str
    data: Any


Exchange = Callable[[str, list[tuple[str, str]]], Awaitable[tuple[Answer, str]]]


def _answered(row: Mapping[str, Any]) -> bool:
    """Whether a row's leg was answered; raises ``ValueError`` for a value that is no time."""
    value = row.get("answered")
    if value is None or value == "":
        return False
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError("an answered time that is not a number")
    number = float(value)  # ValueError for words
    if not math.isfinite(number) or number < 0:  # NaN, infinity, or before 1970
        raise ValueError("an answered time that is not a time")
    return number > 0


def _start(row: Mapping[str, Any]) -> float:
    try:
        return float(row.get("start") or 0)
    except (TypeError, ValueError):
        return 0.0


def live_state(call_id: str, data: Any) -> Progress | None:
    """The state of ``call_id`` from the ``data`` of an active list; ``None`` if not listed.

    Raises:
        ValueError: ``data`` is not a list of rows Enswitch's way.
    """
    if data is None or data == "":
        return None
    if isinstance(data, dict):
        data = list(data.values())  # some servers key the rows by uniqueid
    if not isinstance(data, list):
        raise ValueError("the active list is not a list")
    rows = []
    for row in data:
        if not isinstance(row, dict):
            raise ValueError("an active call that is not an object")
        if "callid" in row and str(row["callid"]).strip() != call_id:
            continue
        rows.append(row)
    if not rows:
        return None
    if not any("answered" in row for row in rows):
        raise ValueError("active calls without their answered time")
    rows.sort(key=_start)
    answered = sum(_answered(row) for row in rows)
    if len(rows) == 1:
        state = CallState.ANSWERED if answered else CallState.RINGING
        return Progress(call_id, state, Leg.CALLER)
    if answered >= len(rows):
        return Progress(call_id, CallState.CONNECTED, Leg.CALLEE)
    if answered:
        return Progress(call_id, CallState.RINGING, Leg.CALLEE)
    return Progress(call_id, CallState.RINGING, Leg.CALLER)


def _refusal(code: str, message: str, raw: str, doing: str) -> ProviderError:
    said = f" It said: “{plain(message)}”." if message and message.upper() != "OK" else ""
    if code == "401":
        return ProviderError(
            f"Enswitch refused the user name or password while {doing}.{said}",
            category=ErrorCategory.CREDENTIALS,
            raw=raw,
        )
    if code in ("402", "403"):
        what = "role" if code == "402" else "rate plan"
        return ProviderError(
            f"Your Enswitch {what} does not allow {doing}, so this dialer cannot do it; your "
            f"calls are not affected. Ask your Enswitch administrator for the privilege.{said}",
            category=ErrorCategory.NOT_PERMITTED,
            raw=raw,
        )
    return ProviderError(
        f"Enswitch gave an answer this dialer cannot read while {doing} "
        f"(answer code {plain(code) or 'missing'}).{said}",
        category=ErrorCategory.UNEXPECTED,
        raw=raw,
    )


async def progress(
    exchange: Exchange,
    credentials: list[tuple[str, str]],
    memory: FollowMemory,
    ids: Sequence[str],
) -> list[Progress]:
    """One look at the active list per call (the filter takes one call ID)."""
    reports: list[Progress] = []
    for call_id in call_ids(ids):
        answer, raw = await exchange(LIST_PATH, [*credentials, ("callid", call_id)])
        if answer.code not in OK_CODES:
            raise _refusal(answer.code, answer.message, raw, "listing active calls")
        try:
            now = live_state(call_id, answer.data)
        except ValueError as exc:
            raise ProviderError(
                f"Enswitch listed its active calls in a way this dialer cannot read ({exc}).",
                category=ErrorCategory.UNEXPECTED,
                raw=raw,
            ) from None
        report = memory.saw(now) if now is not None else gone(memory, call_id)
        if report is not None:
            reports.append(report)
    return reports


async def end_call(
    exchange: Exchange, credentials: list[tuple[str, str]], memory: FollowMemory, call_id: str
) -> str:
    """Ask Enswitch to hang the call up (by call ID, as ``calls/make`` returned it)."""
    cleaned = call_ids([call_id])
    if not cleaned:
        raise ProviderError(
            "This call has no Enswitch call ID, so it cannot be ended from here.",
            category=ErrorCategory.CALL_UNKNOWN,
        )
    answer, raw = await exchange(HANGUP_PATH, [*credentials, ("callid", cleaned[0])])
    if answer.code in OK_CODES:
        memory.ending(cleaned[0])
        return "Enswitch is hanging up the call."
    if answer.code == "404":
        raise ProviderError(
            "Enswitch knows no such call any more; it may already have ended.",
            category=ErrorCategory.CALL_UNKNOWN,
            raw=raw,
        )
    raise _refusal(answer.code, answer.message, raw, "hanging up calls")
