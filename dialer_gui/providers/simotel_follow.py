"""Simotel after "accepted": how a call ended, from its call record (``reports/cdr/search``).

Simotel has no request that tells how a running call is going, and none that ends one; it
can tell how a call ended, once it has, in its call records (CDRs). The originate answer's
``originated_call_id`` (``orig.call.<epoch>.<usec>``) names the call; the CDR webhook carries
the same field, and it is matched here in each record of the search answer.

What the documentation leaves open, and the reading used here:

- The search's documented conditions are ``from``, ``to`` and ``cuid``, with a required date
  range in the server's local time. So one search asks for the records from your extension
  (``from``, the profile's ``caller``) over the day around the calls (the epoch in their IDs
  minus and plus 14 hours, in UTC: wide enough for any server time zone), newest first, and
  the records are matched by ``originated_call_id`` here. A record without that field
  matches nothing: nothing is said rather than guessed.
- ``disposition`` ANSWERED is an ended call with ``billsec`` as its talk time; NO ANSWER
  (the tables also say "No Answered") and BUSY are no answer and busy on the other side's
  leg; anything else is reported in Simotel's word.
- "If the first person does not answer", the documentation warns, Simotel writes no record at
  all. Such a call stays without news, and the tracker stops following it at its bound.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from typing import Any

from dialer_gui.providers.following import plain
from dialer_gui.vocabulary.calls import CallState, Leg, Progress

CDR_SEARCH = "reports/cdr/search"
MARGIN = 14 * 3600  # seconds: the widest time-zone offset, either side
MAX_RECORDS = 50  # records asked for per search (about 2 KB each; answers stop at 256 KB)
# Pages read per look at most: a busy desk's newest 50 records may not reach back to the
# oldest call still followed, so a look reads on, newest first, until every call is found, a
# page comes back short (no older records), or this many pages were read.
MAX_PAGES = 10
_EPOCH = re.compile(r"^orig\.call\.(\d{9,11})\.\d+$")
NO_ANSWER_WORDS = frozenset({"no answer", "no answered", "noanswer", "no_answer"})


def placed_at(call_id: str) -> float | None:
    """The Unix time in an ``originated_call_id``, or ``None`` if it has none we believe."""
    match = _EPOCH.match(call_id)
    if match is None:
        return None
    epoch = float(match.group(1))
    return epoch if 946684800 <= epoch <= time.time() + MARGIN else None  # 2000 to now


def _stamp(unix: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(unix))


def search_body(
    caller: str, call_ids: Sequence[str], now: float | None = None, page: int = 0
) -> dict[str, Any]:
    """The search for the records of ``call_ids``: your extension's, over their day, newest
    first; ``page`` 0 is the newest :data:`MAX_RECORDS`, 1 the ones before them, ..."""
    now = time.time() if now is None else now
    times = [t for t in map(placed_at, call_ids) if t is not None]
    start = min(times, default=now - MARGIN) - MARGIN
    return {
        "conditions": {"from": caller, "to": "", "cuid": ""},
        "date_range": {"from": _stamp(start), "to": _stamp(now + MARGIN)},
        "pagination": {
            "start": page * MAX_RECORDS,
            "count": MAX_RECORDS,
            "sorting": {"starttime": -1},
        },
        "alike": "false",
    }


def records_of(envelope: dict[str, Any]) -> list[dict[str, Any]]:
    """The records in a successful search envelope; raises ``ValueError`` if there are none."""
    data = envelope.get("data")
    rows = data.get("data") if isinstance(data, dict) else data
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise ValueError("the records are not a list")
    return [row for row in rows if isinstance(row, dict)]


def _seconds(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if 0 <= seconds < 10**7 else None


def final_state(call_id: str, records: list[dict[str, Any]]) -> Progress | None:
    """How ``call_id`` ended, from the record that carries its ID; ``None`` without one."""
    mine = [r for r in records if str(r.get("originated_call_id") or "").strip() == call_id]
    if not mine:
        return None
    record = mine[0]  # newest first; an originate leaves one record
    word = " ".join(str(record.get("disposition") or "").split()).lower()
    if word == "answered":
        return Progress(
            call_id, CallState.ENDED, Leg.CALLEE, duration=_seconds(record.get("billsec"))
        )
    if word == "busy":
        return Progress(call_id, CallState.BUSY, Leg.CALLEE)
    if word in NO_ANSWER_WORDS:
        return Progress(call_id, CallState.NO_ANSWER, Leg.CALLEE)
    said = plain(word.upper() or "no disposition", 60)
    return Progress(call_id, CallState.COMPLETED, detail=f"Simotel recorded it as {said}.")
