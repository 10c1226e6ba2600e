"""The history pane's CSV export: off the event loop, a page at a time, without raw answers."""

from __future__ import annotations

import csv
import threading

from PySide6.QtWidgets import QStatusBar
from uifakes import attempt
from uitools import finish, qloop  # noqa: F401

from dialer_gui.core.events import EventBus
from dialer_gui.core.history import HistoryStore
from dialer_gui.ui import history_view, messages
from dialer_gui.ui.history_model import HistoryModel
from dialer_gui.ui.history_view import HistoryView, write_export
from dialer_gui.vocabulary.calls import CallState


def _fill(store: HistoryStore, count: int) -> None:
    for n in range(count):
        a = attempt(n, CallState.FAILED if n % 3 == 0 else CallState.ACCEPTED)
        a.raw = f'{{"secret-free raw answer": {n}}}'
        store.add(a)


def _view(qtbot, store) -> HistoryView:
    model = HistoryModel(store, EventBus())
    view = HistoryView(model, store, lambda _a: None, lambda: ["office"])
    qtbot.addWidget(view)
    bar = QStatusBar(view)
    messages.install(messages.MessagePresenter(status_bar=bar, parent=view))
    return view


def _last_message(qtbot) -> messages.Message:
    qtbot.waitUntil(lambda: bool(messages.shown))
    return messages.shown[-1]


def _read(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def test_export_of_a_file_history_runs_in_a_worker_a_page_at_a_time(
    qtbot,
    qloop,  # noqa: F811
    tmp_path,
    monkeypatch,
):
    monkeypatch.setattr(history_view, "EXPORT_PAGE", 5)
    store = HistoryStore(tmp_path / "history.sqlite3")
    _fill(store, 12)
    threads: list[str] = []
    real_query = HistoryStore.query

    def recording_query(self, *args, **kwargs):
        if kwargs.get("limit") == 5:  # the export's pages, not the table's own reads
            threads.append(threading.current_thread().name)
        return real_query(self, *args, **kwargs)

    view = _view(qtbot, store)
    monkeypatch.setattr(HistoryStore, "query", recording_query)
    out = tmp_path / "out.csv"
    task = view.export_to(str(out))
    assert not view.export_button.isEnabled()  # no second export while this one runs
    assert finish(qtbot, task) == 12
    assert view.export_button.isEnabled()
    assert view.export_button.text() == history_view.EXPORT_TEXT
    # Three pages (5 + 5 + 2), none of them read on the GUI thread.
    assert len(threads) == 3
    assert threading.main_thread().name not in threads
    rows = _read(out)
    assert len(rows) == 12
    assert "raw" not in rows[0]
    assert len({r["id"] for r in rows}) == 12
    assert _last_message(qtbot).text == f"Exported 12 calls to {out}."
    store.close()


def test_export_follows_the_filters_and_falls_back_for_a_memory_history(
    qtbot,
    qloop,  # noqa: F811
    tmp_path,
):
    store = HistoryStore(":memory:")
    _fill(store, 9)
    view = _view(qtbot, store)
    view.state_box.setCurrentIndex(view.state_box.findData(CallState.FAILED))
    out = tmp_path / "failed.csv"
    assert finish(qtbot, view.export_to(str(out))) == 3
    assert {r["state"] for r in _read(out)} == {"failed"}
    assert _last_message(qtbot).text == f"Exported 3 calls to {out}."
    store.close()


def test_export_to_an_unwritable_place_says_so(qtbot, qloop, tmp_path):  # noqa: F811
    store = HistoryStore(tmp_path / "history.sqlite3")
    _fill(store, 2)
    view = _view(qtbot, store)
    target = tmp_path / "missing-folder" / "out.csv"
    assert finish(qtbot, view.export_to(str(target))) == 0
    message = _last_message(qtbot)
    assert message.level == "error"
    assert str(target) in message.text
    assert view.export_button.isEnabled()
    store.close()


def test_a_call_added_between_pages_is_not_written_twice(tmp_path, monkeypatch):
    monkeypatch.setattr(history_view, "EXPORT_PAGE", 4)
    store = HistoryStore(":memory:")
    _fill(store, 10)
    real_query = store.query
    pages = 0

    def query_then_insert(*args, **kwargs):
        nonlocal pages
        page = real_query(*args, **kwargs)
        pages += 1
        if pages == 1:
            store.add(attempt(99))  # newest first: shifts every later page down by one
        return page

    store.query = query_then_insert  # type: ignore[method-assign]
    out = tmp_path / "out.csv"
    assert write_export(store, str(out)) == 10
    ids = [r["id"] for r in _read(out)]
    assert len(ids) == len(set(ids)) == 10
    store.close()


def test_export_stops_at_the_limit(tmp_path, monkeypatch):
    limit = 3
    monkeypatch.setattr(history_view, "EXPORT_PAGE", 2)
    monkeypatch.setattr(history_view, "EXPORT_LIMIT", limit)
    store = HistoryStore(":memory:")
    _fill(store, 7)
    out = tmp_path / "out.csv"
    assert write_export(store, str(out)) == limit
    assert len(_read(out)) == limit
    store.close()


def test_a_double_click_opens_one_details_dialog_and_again_raises_it(qtbot, tmp_path):
    from PySide6.QtCore import Qt

    store = HistoryStore(tmp_path / "h.sqlite3")
    _fill(store, 3)
    view = _view(qtbot, store)
    view.show()
    qtbot.waitUntil(lambda: view.table.model().rowCount() == 3)
    index = view.table.model().index(0, 0)
    view.table.setCurrentIndex(index)
    cell = view.table.visualRect(index).center()
    qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    shown = [d for d in view.findChildren(history_view.DetailsDialog) if d.isVisible()]
    assert len(shown) == 1
    store.close()


def test_export_starts_in_the_home_folder(qtbot, tmp_path, monkeypatch):
    from pathlib import Path

    asked: list[str] = []

    def save_dialog(_parent, _title, start, _filter):
        asked.append(start)
        return "", ""

    monkeypatch.setattr(history_view.QFileDialog, "getSaveFileName", save_dialog)
    store = HistoryStore(tmp_path / "h.sqlite3")
    view = _view(qtbot, store)
    view.export()
    assert asked == [str(Path.home() / "call-history.csv")]
    store.close()
