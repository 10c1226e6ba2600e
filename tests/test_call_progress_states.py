"""The states after "accepted": forward-only in the order a click-to-call call happens, and
kept by the history (schema v3), including histories written by older versions."""

from __future__ import annotations

import itertools
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialer_gui.core import history as history_module
from dialer_gui.core.history import HistoryStore
from dialer_gui.vocabulary.calls import (
    FINAL_STATES,
    LIVE_ENDINGS,
    LIVE_STATES,
    CallAttempt,
    CallState,
    Leg,
    Source,
    can_move,
    live_rank,
    placed_maybe,
)

S = CallState


def test_a_call_moves_through_both_legs_in_order() -> None:
    path = [
        (S.ACCEPTED, None),
        (S.RINGING, Leg.CALLER),
        (S.ANSWERED, Leg.CALLER),
        (S.RINGING, Leg.CALLEE),
        (S.CONNECTED, Leg.CALLEE),
    ]
    for (old, old_leg), (new, new_leg) in itertools.pairwise(path):
        assert can_move(old, new, old_leg, new_leg)
        assert not can_move(new, old, new_leg, old_leg), (new, new_leg, "->", old, old_leg)


@pytest.mark.parametrize("live", sorted(LIVE_STATES))
@pytest.mark.parametrize("ending", sorted(LIVE_ENDINGS))
def test_every_live_state_can_end_and_endings_are_final(live: CallState, ending: CallState) -> None:
    assert can_move(live, ending)
    for other in CallState:
        assert not can_move(ending, other)


def test_the_callee_ringing_after_you_answered_is_progress_not_a_step_back() -> None:
    assert can_move(S.ANSWERED, S.RINGING, Leg.CALLER, Leg.CALLEE)
    assert not can_move(S.ANSWERED, S.RINGING, Leg.CALLER, Leg.CALLER)
    assert not can_move(S.CONNECTED, S.RINGING, Leg.CALLEE, Leg.CALLEE)
    # A ringing leg the PBX did not name counts as your phone, the earlier one.
    assert live_rank(S.RINGING, None) == live_rank(S.RINGING, Leg.CALLER)


def test_a_request_never_jumps_to_progress_and_unknown_is_resolved_by_a_report() -> None:
    assert not can_move(S.REQUESTED, S.RINGING)
    assert not can_move(S.REQUESTED, S.ENDED)
    assert can_move(S.UNKNOWN, S.CONNECTED)
    assert can_move(S.UNKNOWN, S.BUSY)
    # Not following an unknown call further tells nothing new: it stays unknown.
    assert not can_move(S.UNKNOWN, S.UNTRACKED)
    assert not can_move(S.FAILED, S.RINGING)
    assert not can_move(S.BLOCKED, S.ACCEPTED)


def test_whatever_may_have_rung_counts_as_placed() -> None:
    assert {s for s in CallState if not placed_maybe(s)} == {
        S.REQUESTED,
        S.FAILED,
        S.MERGED,
        S.BLOCKED,
    }
    assert LIVE_ENDINGS <= FINAL_STATES
    assert not LIVE_STATES & FINAL_STATES


states = st.sampled_from(list(CallState))
legs = st.sampled_from([None, Leg.CALLER, Leg.CALLEE])


@given(st.lists(st.tuples(states, legs), min_size=1, max_size=12))
def test_no_sequence_of_allowed_moves_goes_back(moves: list[tuple[CallState, Leg | None]]) -> None:
    state, leg = S.ACCEPTED, None
    for new, new_leg in moves:
        if not can_move(state, new, leg, new_leg):
            continue
        assert state not in FINAL_STATES, f"moved on from the ending {state}"
        if new in LIVE_STATES:
            assert live_rank(new, new_leg) >= live_rank(state, leg)
        state, leg = new, new_leg


def _attempt(**changes: object) -> CallAttempt:
    attempt = CallAttempt(
        source=Source.DIALPAD,
        raw_input="Jane",
        number="+12125550100",
        display="+1 212-555-0100",
        provider="office",
        state=S.ACCEPTED,
        call_id="c-1",
    )
    for key, value in changes.items():
        setattr(attempt, key, value)
    return attempt


def test_history_keeps_progress_contact_and_page(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    attempt = _attempt(contact="Jane Doe", page="https://crm.example/lead/7")
    store.add(attempt)
    assert attempt.id is not None
    connected = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    store.update(attempt.id, state=S.RINGING, leg=Leg.CALLER)
    store.update(attempt.id, state=S.ANSWERED, leg=Leg.CALLER)
    store.update(attempt.id, state=S.RINGING, leg=Leg.CALLEE)
    store.update(attempt.id, state=S.CONNECTED, leg=Leg.CALLEE, connected_at=connected)
    with pytest.raises(ValueError, match="cannot go from connected to ringing"):
        store.update(attempt.id, state=S.RINGING, leg=Leg.CALLEE)
    store.update(
        attempt.id, state=S.ENDED, ended_at=connected + timedelta(seconds=62), duration=62.0
    )
    again = HistoryStore(tmp_path / "h.sqlite3").get(attempt.id)
    assert again is not None
    assert (again.state, again.leg, again.duration) == (S.ENDED, Leg.CALLEE, 62.0)
    assert again.connected_at == connected
    assert again.ended_at == connected + timedelta(seconds=62)
    assert (again.contact, again.page) == ("Jane Doe", "https://crm.example/lead/7")
    # The name and the page are searchable like the number.
    assert [a.id for a in store.query("jane")] == [attempt.id]
    assert [a.id for a in store.query("crm.example")] == [attempt.id]


def test_live_lists_calls_not_yet_ended(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    live = _attempt(state=S.RINGING, leg=Leg.CALLER)
    ended = _attempt(state=S.ENDED)
    old = _attempt(created=datetime.now(UTC) - timedelta(days=2))
    for attempt in (live, ended, old):
        store.add(attempt)
    assert [a.id for a in store.live(datetime.now(UTC) - timedelta(hours=4))] == [live.id]


def test_a_version_2_history_is_upgraded_with_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    for migrate in history_module.MIGRATIONS[:2]:
        migrate(conn)
    conn.execute("PRAGMA user_version = 2")
    conn.execute(
        "INSERT INTO attempts (created, updated, source, raw_input, number, display, provider,"
        " state, call_id, search_text) VALUES (?, ?, 'link', 'tel:1', '+12125550100',"
        " '+1 212-555-0100', 'office', 'accepted', 'x-9', '')",
        ("2026-11-01T10:00:00.000000+00:00", "2026-11-01T10:00:00.000000+00:00"),
    )
    conn.close()
    store = HistoryStore(path)
    (row,) = store.query()
    assert (row.state, row.call_id, row.leg, row.contact, row.page) == (
        S.ACCEPTED,
        "x-9",
        None,
        None,
        None,
    )
    assert row.id is not None
    store.update(row.id, state=S.RINGING, leg=Leg.CALLER)
    assert int(sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0]) == 3
