"""Names instead of digits on screen: the history's Name column and the confirmation prompt."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel
from uifakes import ListHistory, attempt
from uitools import dialer, finish, qloop  # noqa: F401

from dialer_gui.core.contacts.lookup import NumberNames
from dialer_gui.core.contacts.store import ContactStore
from dialer_gui.core.events import EventBus
from dialer_gui.core.history import HistoryStore
from dialer_gui.ui.chooser import context_around
from dialer_gui.ui.clipboard import dial_clipboard
from dialer_gui.ui.confirm import ConfirmDialog
from dialer_gui.ui.history_model import Column, HistoryModel
from dialer_gui.ui.history_view import HistoryView
from dialer_gui.vocabulary.calls import Source
from dialer_gui.vocabulary.contacts import Contact, ContactNumber

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def test_the_name_column_shows_the_contact_and_the_number_column_the_number() -> None:
    history = ListHistory()
    history.add(attempt(1))
    named = dataclasses.replace(
        attempt(2), contact="Jane Doe", display="Jane Doe (+1 555-010-0002)"
    )
    history.add(named)
    model = HistoryModel(history, EventBus())
    shown = Qt.ItemDataRole.DisplayRole
    assert model.headerData(Column.NAME, Qt.Orientation.Horizontal, shown) == "Name"
    assert model.data(model.index(0, Column.NAME), shown) == "Jane Doe"
    assert model.data(model.index(0, Column.NUMBER), shown) == "+1 555-010-0002"
    # A number that matched no contact shows as it always has.
    assert model.data(model.index(1, Column.NAME), shown) == ""
    assert model.data(model.index(1, Column.NUMBER), shown) == "+1 555-010-0001"


def test_the_name_is_shown_first_after_the_time(qtbot) -> None:
    store = HistoryStore(":memory:")
    view = HistoryView(HistoryModel(store, EventBus()), store, lambda _a: None, lambda: [])
    qtbot.addWidget(view)
    header = view.table.horizontalHeader()
    assert [header.logicalIndex(i) for i in range(4)] == [
        Column.TIME,
        Column.NAME,
        Column.NUMBER,
        Column.STATE,
    ]


def test_the_prompt_says_whom_it_calls_and_on_which_number(
    qtbot,
    dialer,  # noqa: F811
    tmp_path: Path,
) -> None:
    with ContactStore(tmp_path / "contacts.sqlite3") as contacts:
        mobile = ContactNumber("mobile", "(212) 555-0100", "+12125550100")
        contacts.add(Contact("Jane Doe", numbers=(mobile,)))
        dialer.names = NumberNames(contacts)
        plan = dialer.plan("tel:+12125550100", Source.LINK)
    dialog = ConfirmDialog(plan)
    qtbot.addWidget(dialog)
    texts = [label.text() for label in dialog.findChildren(QLabel)]
    assert "Jane Doe, mobile (+1 212-555-0100)" in texts
    number = dialog.findChild(QLabel, "confirmNumber")
    assert number.textFormat() is Qt.TextFormat.PlainText  # a name from a file, shown as text


def test_the_clipboard_chooser_names_each_number_and_shows_the_words_around_it(
    qtbot,
    dialer,  # noqa: F811
    sandbox,
    tmp_path: Path,
) -> None:
    QGuiApplication.clipboard().setText(
        "Hi all, for the launch ring Jane on +1 212 555 0100 after lunch,\n"
        "or the\u202eevil\u202c front desk: +1 646 555 0199. Thanks"
    )
    seen: list = []
    with ContactStore(tmp_path / "contacts.sqlite3") as contacts:
        mobile = ContactNumber("mobile", "(212) 555-0100", "+12125550100")
        contacts.add(Contact("Jane Doe", numbers=(mobile,)))
        dialer.names = NumberNames(contacts)
        task = asyncio.ensure_future(dial_clipboard(dialer, None, on_chooser=seen.append))
        qtbot.waitUntil(lambda: bool(seen))
        chooser = seen[0]
        texts = [chooser.list.item(r).text() for r in range(chooser.list.count())]
        qtbot.keyClick(chooser.list, Qt.Key.Key_Escape)
        assert finish(qtbot, task) is None
    assert texts == [
        "+1 212-555-0100  ·  Jane Doe, mobile\n"
        "Hi all, for the launch ring Jane on +1 212 555 0100 after lunch,",
        "+1 646-555-0199\nor the evil front desk: +1 646 555 0199. Thanks",
    ]


def test_words_around_a_number_are_whole_words_on_one_line() -> None:
    assert context_around("call 555 0100", "555 0100") == "call 555 0100"
    assert context_around("x" * 10, "nothing") == ""
    assert context_around("Mobile: 0791\nFax: 0792", "0791") == "Mobile: 0791"
    long = "word " * 20 + "555 0100" + " more" * 20
    shown = context_around(long, "555 0100")
    assert shown.startswith("…word") and shown.endswith("more…") and "\n" not in shown
