"""Adding, editing and deleting a contact from the history and the dial pad, by keyboard, in a
real phone book in a temp dir."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from uifakes import attempt
from uitools import dialer, qloop  # noqa: F401

from dialer_gui.core.contacts.finder import ContactFinder
from dialer_gui.core.contacts.normalise import Normaliser
from dialer_gui.core.contacts.store import ContactStore
from dialer_gui.core.events import EventBus
from dialer_gui.core.history import HistoryStore
from dialer_gui.ui.contact_dialog import ContactDialog, dialog_for_number, parse_numbers
from dialer_gui.ui.dialpad import DialPad
from dialer_gui.ui.history_model import HistoryModel
from dialer_gui.ui.history_view import HistoryView
from dialer_gui.vocabulary.contacts import Contact, ContactNumber

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

US = Normaliser("US")


@pytest.fixture
def store(tmp_path: Path):
    with ContactStore(tmp_path / "contacts.sqlite3") as store:
        yield store


def open_dialog(qtbot, dialog: ContactDialog) -> ContactDialog:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)  # mnemonics reach the active window only
    return dialog


def next_field(widget: QWidget) -> QWidget:
    """Where Tab goes from ``widget``: the next widget in the chain that takes focus."""
    nxt = widget.nextInFocusChain()
    while nxt.focusPolicy() == Qt.FocusPolicy.NoFocus:
        nxt = nxt.nextInFocusChain()
    return nxt


def test_tab_walks_name_organisation_numbers(qtbot, store: ContactStore) -> None:
    dialog = open_dialog(qtbot, ContactDialog(store, US))
    assert next_field(dialog.name) is dialog.organisation
    assert next_field(dialog.organisation) is dialog.numbers
    assert dialog.numbers.tabChangesFocus()  # Tab leaves the numbers box


def test_a_new_contact_is_typed_and_saved_by_keyboard(qtbot, store: ContactStore) -> None:
    dialog = open_dialog(qtbot, dialog_for_number(store, US, "+12125550100"))
    assert dialog.numbers.toPlainText() == "+12125550100"
    assert not dialog.delete_button.isVisible()  # nothing to delete yet
    qtbot.keyClicks(dialog.name, "Jane Doe")
    qtbot.keyClicks(dialog.organisation, "Acme")
    numbers = dialog.numbers
    numbers.selectAll()
    qtbot.keyClicks(numbers, "mobile: (212) 555-0100")
    qtbot.keyClick(numbers, Qt.Key.Key_Return)  # a new line, not Save
    assert dialog.isVisible()
    qtbot.keyClicks(numbers, "home: 917 555 0101")
    qtbot.keyClick(dialog.organisation, Qt.Key.Key_Return)  # Enter in a line saves
    assert not dialog.isVisible()
    [saved] = store.all()
    assert (saved.name, saved.organisation) == ("Jane Doe", "Acme")
    assert [(n.label, n.number) for n in saved.numbers] == [
        ("mobile", "+12125550100"),
        ("home", "+19175550101"),
    ]


def test_a_contact_without_a_name_is_not_saved_and_the_dialog_says_why(
    qtbot, store: ContactStore
) -> None:
    dialog = open_dialog(qtbot, ContactDialog(store, US, number="212 555 0100"))
    dialog.save()
    assert dialog.isVisible() and store.count() == 0
    assert dialog.note.text() == "Not saved: it has no name."
    assert dialog.note.textFormat() is Qt.TextFormat.PlainText


def test_the_contact_of_a_number_is_edited_then_deleted(qtbot, store: ContactStore) -> None:
    mobile = ContactNumber("mobile", "(212) 555-0100", "+12125550100")
    jane = store.add(Contact("Jane Doe", numbers=(mobile,)))
    dialog = open_dialog(qtbot, dialog_for_number(store, US, "+12125550100"))
    assert dialog.contact == jane and dialog.numbers.toPlainText() == "mobile: (212) 555-0100"
    dialog.name.setText("Jane Roe")
    dialog.save()
    assert [c.name for c in store.all()] == ["Jane Roe"] and store.all()[0].id == jane.id
    again = open_dialog(qtbot, dialog_for_number(store, US, "+12125550100"))
    assert again.delete_button.isVisible()
    again.name.setFocus()
    qtbot.keyClick(again.name, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)  # &Delete
    qtbot.waitUntil(lambda: again.deleted, timeout=1000)  # a mnemonic clicks animated
    assert store.count() == 0


def test_a_directory_contact_is_read_only_and_says_so(qtbot, store: ContactStore) -> None:
    desk = Contact(
        "Front Desk",
        numbers=(ContactNumber("work", "212 555 0100", "+12125550100"),),
        uid="desk",
        source="office",
    )
    store.replace_source("office", [desk])
    dialog = open_dialog(qtbot, dialog_for_number(store, US, "+12125550100"))
    assert dialog.read_only and dialog.name.isReadOnly() and dialog.numbers.isReadOnly()
    assert not dialog.save_button.isVisible() and not dialog.delete_button.isVisible()
    assert "read-only" in dialog.note.text() and "“office”" in dialog.note.text()
    dialog.save()
    assert store.all()[0].name == "Front Desk"


def test_numbers_are_read_one_a_line_with_their_labels() -> None:
    assert parse_numbers("Mobile: 0791\n\n  212 555 0100 \nfax:1") == [
        (["mobile"], "0791"),
        ([], "212 555 0100"),
        (["fax"], "1"),
    ]


def test_the_history_row_and_the_dial_pad_ask_for_the_contact_of_their_number(
    qtbot,
    dialer,  # noqa: F811
    store: ContactStore,
) -> None:
    history = HistoryStore(":memory:")
    history.add(attempt(7))
    asked: list[str] = []
    view = HistoryView(
        HistoryModel(history, EventBus()),
        history,
        lambda _a: None,
        lambda: [],
        edit_contact=lambda a: asked.append(a.number),
    )
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow)
    view.table.setFocus()
    view.table.setCurrentIndex(view.model.index(0, 0))
    assert view.contact_button.isVisible() and view.contact_button.isEnabled()
    qtbot.keyClick(view.table, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)  # C&ontact…
    qtbot.waitUntil(lambda: asked == ["+15550100007"], timeout=1000)

    pad = DialPad(dialer, contacts=ContactFinder(store))
    qtbot.addWidget(pad)
    pad.show()
    qtbot.waitExposed(pad)
    pad.activateWindow()
    qtbot.waitUntil(pad.isActiveWindow)
    pad.field.setText("(212) 555-0100")
    with qtbot.waitSignal(pad.contact_requested) as signal:
        qtbot.keyClick(pad.field, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    assert signal.args == ["+12125550100"]
    assert not DialPad(dialer).contact_button.isVisibleTo(pad)  # no phone book: no button
