"""MOR after "accepted": its active calls (``active_calls_get``) and its call records
(``user_calls_get``), read into call states.

Both are MOR's classic XML API, signed like the callback but each with its own hash:
``active_calls_get`` (MOR X14 and later) hashes ``u`` alone; ``user_calls_get`` hashes the
values of the parameters it is sent, in its documented order (``period_start``,
``period_end``, ``s_user``, ..., ``s_callback_uniqueid``), and needs the numeric MOR user ID
(``s_user``). The records are asked for by the ``callback_uniqueid`` the callback returned,
over the day around now (Unix times, so the server's time zone does not matter).

What the documentation leaves open, and the reading used here:

- It does not say how an active call relates to the ``callback_uniqueid``. An active call is
  taken as one of ours when its ``callback_uniqueid`` or ``uniqueid`` equals the call ID; when
  a row carries neither, when it goes to the numbers this provider instance dialed for that
  call (your phone, ``src``, or the number called). A MOR that shows neither, after a restart,
  reports nothing, and the tracker stops following the call at its bound.
- A callback has two legs (the CDRs of both carry the ``callback_uniqueid``); the leg whose
  destination is the profile's own ``src`` is yours (``Leg.CALLER``), any other is theirs.
  Status ``Ringing`` or ``Answered`` (or an ``answer_time``) says how far each leg is.
- A record's ``dispod`` (``ANSWERED(16)``; ``disposition`` on some servers) gives the ending:
  ANSWERED is ended, with ``billsec`` (or ``nice_billsec``) as the talk time; BUSY and
  NO ANSWER are busy and no answer on that leg; anything else (FAILED) is the PBX's word.
  Your leg answered with no record of theirs yet says nothing: that record may still come.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field

from dialer_gui.providers.errors import ErrorCategory, ProviderError
from dialer_gui.providers.following import plain
from dialer_gui.vocabulary.calls import CallState, Leg, Progress

ACTIVE_PATH = "active_calls_get"
RECORDS_PATH = "user_calls_get"
# user_calls_get's hashed parameters, in the order they are hashed (only those sent count).
RECORD_HASH_ORDER = (
    "period_start", "period_end", "s_user", "s_call_type", "s_device", "s_provider", "s_hgc",
    "s_did", "s_destination", "order_by", "order_desc", "only_did", "s_uniqueid",
    "s_callback_uniqueid",
)  # fmt: skip
RECORD_WINDOW = 24 * 3600  # seconds either side of now searched for a call's records
# How an error answer of MOR's own (not a refusal we know) is told: "MOR answered ... error".
ERROR_ANSWER = "MOR answered the request"
MAX_ROWS = 500  # active calls or records read from one answer; an admin sees every call


@dataclass(frozen=True, slots=True)
class Row:
    """One active call or call record: its MOR ID, IDs it carries, where it goes, how far."""

    id: str
    ids: frozenset[str]
    dst: str
    status: str = ""  # active calls: "ringing" / "answered"; records: the disposition word
    answered: bool = False
    billsec: float | None = None
    callback_uniqueid: str = ""


def _text(node: ET.Element, *tags: str) -> str:
    """The text of the first child (at any depth) named one of ``tags``, any case."""
    wanted = {t.lower() for t in tags}
    for child in node.iter():
        if child is not node and isinstance(child.tag, str) and child.tag.lower() in wanted:
            return (child.text or "").strip()
    return ""


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if 0 <= value < 10**7 else None


def error_of(root: ET.Element) -> str | None:
    """MOR's error text, if the answer is an error (``<error>`` anywhere, or a bare status)."""
    for node in root.iter():
        if isinstance(node.tag, str) and node.tag.lower() == "error":
            return (node.text or "").strip() or "error"
    if isinstance(root.tag, str) and root.tag.lower() == "status":
        text = (root.text or "").strip()
        return None if text.lower() == "ok" else text
    return None


def _rows(root: ET.Element, tag: str) -> list[Row]:
    rows: list[Row] = []
    for node in root.iter():
        if not (isinstance(node.tag, str) and node.tag.lower() == tag):
            continue
        if len(rows) >= MAX_ROWS:
            break
        uniqueid = _text(node, "uniqueid")
        callback = _text(node, "callback_uniqueid")
        status = _text(node, "status", "dispod", "disposition")
        billsec = _number(_text(node, "billsec", "nice_billsec"))
        answer_time = _text(node, "answer_time")
        rows.append(
            Row(
                id=_text(node, "id"),
                ids=frozenset(i for i in (uniqueid, callback) if i),
                dst=_text(node, "localized_dst", "dst"),
                status=status.split("(")[0].strip().lower(),
                answered=status.lower().startswith("answered") or bool(answer_time),
                billsec=billsec,
                callback_uniqueid=callback,
            )
        )
    return rows


def active_rows(root: ET.Element) -> list[Row]:
    """Every ``<active_call>`` of an ``active_calls_get`` answer."""
    return _rows(root, "active_call")


def record_rows(root: ET.Element) -> list[Row]:
    """Every ``<call>`` of a ``user_calls_get`` answer."""
    return _rows(root, "call")


def ours(rows: Iterable[Row], call_id: str, numbers: tuple[str, str] | None) -> list[Row]:
    """The rows of ``call_id``: by the IDs they carry, else by the numbers we dialed."""
    rows = list(rows)
    by_id = [r for r in rows if call_id in r.ids]
    if by_id or numbers is None:
        return by_id
    return [r for r in rows if not r.callback_uniqueid and r.dst and r.dst in numbers]


def live_state(call_id: str, rows: list[Row], own_src: str) -> Progress | None:
    """How far a call is, from its active rows; ``None`` when MOR lists none of them."""
    theirs = [r for r in rows if r.dst != own_src]
    yours = [r for r in rows if r.dst == own_src]
    if theirs:
        if any(r.answered for r in theirs):
            return Progress(call_id, CallState.CONNECTED, Leg.CALLEE)
        return Progress(call_id, CallState.RINGING, Leg.CALLEE)
    if yours:
        state = CallState.ANSWERED if any(r.answered for r in yours) else CallState.RINGING
        return Progress(call_id, state, Leg.CALLER)
    return None


def final_state(
    call_id: str, records: list[Row], own_src: str, *, end_requested: bool = False
) -> Progress | None:
    """How a call ended, from its records; ``None`` when they do not say yet."""
    mine = [r for r in records if not r.callback_uniqueid or r.callback_uniqueid == call_id]
    theirs = [r for r in mine if r.dst != own_src]
    yours = [r for r in mine if r.dst == own_src]
    if theirs:
        record, leg = theirs[-1], Leg.CALLEE
    elif yours and yours[-1].status != "answered":
        record, leg = yours[-1], Leg.CALLER
    else:
        return None
    word = record.status
    if word == "answered":
        state = CallState.HUNG_UP if end_requested else CallState.ENDED
        return Progress(call_id, state, Leg.CALLEE, duration=record.billsec)
    if end_requested:
        return Progress(call_id, CallState.CANCELLED, leg)
    if word == "busy":
        return Progress(call_id, CallState.BUSY, leg)
    if word in ("no answer", "no_answer", "noanswer"):
        return Progress(call_id, CallState.NO_ANSWER, leg)
    said = plain(word.upper() or "no disposition", 60)
    return Progress(call_id, CallState.COMPLETED, leg, detail=f"MOR recorded it as {said}.")


def refusal(said: str, raw: str, doing: str) -> ProviderError:
    """MOR's error answer to ``doing`` (listing active calls, reading call records)."""
    key = " ".join(said.split()).lower()
    quoted = f" (“{plain(said, 80)}”)"
    if key in ("access denied", "api requests are disabled"):
        return ProviderError(
            f"MOR does not allow this user {doing}{quoted}, so this dialer cannot follow "
            "calls; your calls are not affected. Ask your MOR administrator.",
            category=ErrorCategory.NOT_PERMITTED,
            raw=raw,
        )
    if key in ("incorrect hash", "not authenticated"):
        return ProviderError(
            f"MOR refused the request {doing}{quoted}: check the MOR user name and API secret "
            "key in Settings.",
            category=ErrorCategory.CREDENTIALS,
            raw=raw,
        )
    return ProviderError(
        f"{ERROR_ANSWER} {doing} with an error{quoted}.",
        category=ErrorCategory.UNEXPECTED,
        raw=raw,
    )


@dataclass(slots=True)
class Placed:
    """The numbers of the calls this provider instance placed, by call ID (bounded)."""

    limit: int = 1000
    numbers: dict[str, tuple[str, str]] = field(default_factory=dict)

    def add(self, call_id: str, src: str, dst: str) -> None:
        self.numbers[call_id] = (src, dst)
        while len(self.numbers) > self.limit:
            self.numbers.pop(next(iter(self.numbers)))

    def get(self, call_id: str) -> tuple[str, str] | None:
        return self.numbers.get(call_id)
