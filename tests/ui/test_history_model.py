"""The history table model: paging, filters, live updates, and Qt's own model checks."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from PySide6.QtCore import Qt
from uifakes import ListHistory, attempt

from dialer_gui.core.events import CallChanged, EventBus
from dialer_gui.ui.history_model import Column, HistoryModel
from dialer_gui.vocabulary.calls import CallState


def make(n: int, page: int = 200) -> tuple[ListHistory, EventBus, HistoryModel]:
    history = ListHistory()
    for i in range(n):
        history.add(attempt(i, CallState.FAILED if i % 3 == 0 else CallState.ACCEPTED))
    bus = EventBus()
    return history, bus, HistoryModel(history, bus, page_size=page)


def test_model_passes_qt_model_tester(qtmodeltester):
    _, _, model = make(30, page=10)
    qtmodeltester.check(model)
    while model.canFetchMore():
        model.fetchMore()
    qtmodeltester.check(model)


def test_pages_are_fetched_lazily():
    _history, _, model = make(450)
    assert model.rowCount() == 200
    assert model.canFetchMore()
    model.fetchMore()
    model.fetchMore()
    assert model.rowCount() == 450
    assert not model.canFetchMore()
    # Newest first: the last added attempt is row 0.
    assert model.attempt(0).number == "+15550100449"


def test_display_tooltip_and_user_roles():
    _, _, model = make(3)
    failed = model.index(2, Column.STATE)  # attempt 0, oldest, failed
    assert model.data(failed) == "Failed"
    tip = model.data(model.index(2, Column.DETAILS), Qt.ItemDataRole.ToolTipRole)
    assert "refused the password" in tip and "Settings" in tip  # error and advice
    assert model.data(model.index(0, Column.CALL_ID)) == "call-2"
    assert model.data(model.index(0, 0), Qt.ItemDataRole.UserRole).number == "+15550100002"


def test_filter_change_requeries_but_live_changes_do_not(qtbot):
    history, bus, model = make(20)
    with qtbot.waitSignal(model.modelReset):
        model.set_filter(state=CallState.FAILED)
    assert model.rowCount() == 7
    assert all(model.attempt(r).state is CallState.FAILED for r in range(model.rowCount()))
    model.set_filter("0100001")
    assert [model.attempt(r).number for r in range(model.rowCount())] == ["+15550100001"]
    queries = history.queries
    # A new failed call that does not match the search is not shown, and nothing re-queries.
    new = attempt(99, CallState.FAILED)
    history.add(new)
    bus.emit(CallChanged(new))
    assert model.rowCount() == 1
    assert history.queries == queries


def test_new_attempt_is_inserted_at_the_top(qtbot):
    history, bus, model = make(5)
    new = attempt(42, CallState.REQUESTED)
    history.add(new)
    with qtbot.waitSignal(model.rowsInserted) as inserted:
        bus.emit(CallChanged(new))
    assert inserted.args[1:] == [0, 0]
    assert model.rowCount() == 6
    assert model.data(model.index(0, Column.STATE)) == "Calling…"


def test_state_change_updates_the_row_in_place(qtbot):
    history, bus, model = make(5)
    new = attempt(42, CallState.REQUESTED)
    history.add(new)
    bus.emit(CallChanged(new))
    queries = history.queries
    accepted = dataclasses.replace(new, state=CallState.ACCEPTED, call_id="abc-1")
    with qtbot.waitSignal(model.dataChanged) as changed:
        bus.emit(CallChanged(accepted))
    top_left, bottom_right = changed.args[:2]
    assert (top_left.row(), bottom_right.row()) == (0, 0)
    assert model.data(model.index(0, Column.STATE)) == "Accepted"
    assert model.data(model.index(0, Column.CALL_ID)) == "abc-1"
    assert model.rowCount() == 6
    assert history.queries == queries


def test_row_leaving_the_state_filter_is_removed(qtbot):
    history, bus, model = make(0)
    model.set_filter(state=CallState.REQUESTED)
    new = attempt(1, CallState.REQUESTED)
    history.add(new)
    bus.emit(CallChanged(new))
    assert model.rowCount() == 1
    with qtbot.waitSignal(model.rowsRemoved):
        bus.emit(CallChanged(dataclasses.replace(new, state=CallState.ACCEPTED)))
    assert model.rowCount() == 0


def test_completed_call_shows_its_outcome():
    history, bus, model = make(1)
    done = dataclasses.replace(history.rows[0], state=CallState.COMPLETED, outcome="no_answer")
    bus.emit(CallChanged(done))
    assert model.data(model.index(0, Column.STATE)) == "No answer"


def test_close_stops_following_events():
    history, bus, model = make(1)
    model.close()
    new = attempt(7)
    history.add(new)
    bus.emit(CallChanged(new))
    assert model.rowCount() == 1


def test_a_call_changed_in_place_shows_its_new_texts(qtbot):
    # The dialer updates its CallAttempt object and announces it; cached texts must follow.
    history, bus, model = make(3)
    live = attempt(7, CallState.REQUESTED)
    history.add(live)
    bus.emit(CallChanged(live))
    assert model.data(model.index(0, Column.STATE)) == "Calling…"  # now cached
    live.state = CallState.ACCEPTED
    live.call_id = "in-place-1"
    bus.emit(CallChanged(live))
    assert model.data(model.index(0, Column.STATE)) == "Accepted"
    assert model.data(model.index(0, Column.CALL_ID)) == "in-place-1"


def test_roles_the_model_does_not_answer_are_none():
    _, _, model = make(2)
    index = model.index(0, Column.NUMBER)
    for role in (Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.FontRole, 999):
        assert model.data(index, role) is None
    assert model.data(model.index(5, 0)) is None  # an invalid index
    assert model.data(index, Qt.ItemDataRole.UserRole) is not None


def test_cached_texts_are_made_again_when_the_day_changes():
    # A time of today reads "15:04:05"; after midnight the same call must show its date.
    _, _, model = make(1)
    text = model.data(model.index(0, Column.TIME))
    first = model.attempt(0)
    model._texts[id(first)] = (first, ("stale",) * len(Column))  # as cached yesterday
    assert model.data(model.index(0, Column.TIME)) == "stale"  # the day is checked each minute
    model._texts_day -= timedelta(days=1)
    model._texts_checked -= 120
    assert model.data(model.index(0, Column.TIME)) == text


def test_new_calls_push_the_oldest_loaded_rows_out_and_they_come_back(monkeypatch, qtmodeltester):
    # A tray app placing calls for months must not hold every one in its model.
    from dialer_gui.ui import history_model

    monkeypatch.setattr(history_model, "LIVE_ROWS", 30)
    history, bus, model = make(25, page=10)
    assert model.rowCount() == 10
    for i in range(25, 65):
        new = attempt(i, CallState.ACCEPTED)
        history.add(new)
        bus.emit(CallChanged(new))
    assert model.rowCount() == 30  # LIVE_ROWS, not 50
    assert model.attempt(0).number == "+15550100064"
    assert model.canFetchMore()
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == 65
    # Rows the user scrolled to are kept: a new call pushes out one row past them, no more.
    new = attempt(65, CallState.ACCEPTED)
    history.add(new)
    bus.emit(CallChanged(new))
    assert model.rowCount() == 65
    assert model.attempt(0).number == "+15550100065"
    assert model.canFetchMore()
    qtmodeltester.check(model)


def test_progress_reads_by_leg_and_the_details_keep_times_contact_and_page() -> None:
    from datetime import UTC, datetime, timedelta

    from dialer_gui.ui.history_model import state_text
    from dialer_gui.ui.history_view import details_report
    from dialer_gui.vocabulary.calls import Leg

    call = attempt(1)
    call.state, call.leg = CallState.RINGING, Leg.CALLEE
    assert state_text(call) == "Their phone is ringing"
    call.state, call.leg = CallState.BUSY, Leg.CALLER
    assert state_text(call) == "Your phone was busy"
    start = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    call.state, call.leg = CallState.ENDED, Leg.CALLEE
    call.connected_at, call.ended_at, call.duration = start, start + timedelta(seconds=75), 75.0
    call.contact, call.page = "Jane Doe", "https://crm.example/lead/7"
    assert state_text(call) == "Ended (1:15)"
    report = details_report(call)
    assert report.startswith("Contact:     Jane Doe\n")
    assert "Web page:    https://crm.example/lead/7" in report
    assert "Talk time:   1:15" in report and "Connected:" in report and "Ended:" in report
