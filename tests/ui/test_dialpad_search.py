"""The dial pad's contact search: typing finds contacts, the keyboard picks one, and the call
carries the name. A real phone book in a temp dir, a real dialer and the PBX simulator."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from uitools import calls_to, dialer, finish, qloop, run  # noqa: F401

from dialer_gui.core.contacts.finder import ContactFinder, build_index
from dialer_gui.core.contacts.store import ContactStore
from dialer_gui.ui.dialpad import DialPad
from dialer_gui.vocabulary.calls import CallState
from dialer_gui.vocabulary.contacts import Contact, ContactNumber

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

JOHN = Contact(
    "John Smith",
    "Acme",
    (
        ContactNumber("work", "(212) 555-0100", "+12125550100"),
        ContactNumber("mobile", "(917) 555-0101", "+19175550101"),
    ),
)
# Shares John's work number (the front desk): the number alone names neither of them.
MARY = Contact("Mary Jones", "Acme", (ContactNumber("work", "(212) 555-0100", "+12125550100"),))


@pytest.fixture
def finder(tmp_path: Path, qtbot):
    path = tmp_path / "contacts.sqlite3"
    with ContactStore(path) as store:
        store.add(JOHN)
        store.add(MARY)
        found = ContactFinder(store)
        # Built as the app builds it: in a worker thread, with a connection of its own.
        found.attach(run(qtbot, asyncio.to_thread(build_index, path)))
        yield found
        found.close()


def make_pad(qtbot, dialer, finder) -> DialPad:  # noqa: F811
    pad = DialPad(dialer, contacts=finder)
    qtbot.addWidget(pad)
    pad.show()
    pad.field.setFocus()
    return pad


def rows(pad: DialPad) -> list[str]:
    model = pad.match_model
    return [model.data(model.index(r, 0)) for r in range(model.rowCount())]


def test_letters_keypad_digits_and_numbers_find_contacts_with_each_number(
    qtbot,
    dialer,  # noqa: F811
    finder,
) -> None:
    pad = make_pad(qtbot, dialer, finder)
    assert not pad.match_list.isVisible()
    qtbot.keyClicks(pad.field, "smi")
    assert pad.match_list.isVisible()
    # A name that finds contacts is no error: the preview says how to choose one.
    assert "Cannot dial" not in pad.preview.text() and "Down arrow" in pad.preview.text()
    assert rows(pad) == [
        "John Smith (Acme) · work: (212) 555-0100",
        "John Smith (Acme) · mobile: (917) 555-0101",
    ]
    pad.field.setText("5646")  # J-O-H-N on the keypad
    assert rows(pad)[0].startswith("John Smith")
    pad.field.setText("acme")  # the organisation finds both
    assert {r.split(" (")[0] for r in rows(pad)} == {"John Smith", "Mary Jones"}
    pad.field.setText("917555")  # part of a number
    assert [r.split(" ·")[0] for r in rows(pad)] == ["John Smith (Acme)"] * 2
    assert pad.match_list.accessibleName() == "Contacts found"
    assert pad.match_list.accessibleDescription().startswith("1 contact found, 2 numbers")
    pad.field.setText("zzz")
    assert not pad.match_list.isVisible() and rows(pad) == []


def test_arrows_and_enter_pick_and_the_call_carries_the_name(
    qtbot,
    dialer,  # noqa: F811
    finder,
    sandbox,
) -> None:
    pad = make_pad(qtbot, dialer, finder)
    qtbot.keyClicks(pad.field, "mary")
    qtbot.keyClick(pad.field, Qt.Key.Key_Down)
    assert pad.match_list.currentIndex().row() == 0
    qtbot.keyClick(pad.field, Qt.Key.Key_Return)  # picks; nothing is dialed yet
    assert pad.field.text() == "+12125550100" and not pad.match_list.isVisible()
    assert calls_to(sandbox) == []
    plan = pad.current_plan()
    assert plan is not None and (plan.contact, plan.contact_label) == ("Mary Jones", "work")
    assert "Mary Jones" in pad.preview.text()
    qtbot.keyClick(pad.field, Qt.Key.Key_Return)  # calls
    attempt = finish(qtbot, pad.last_task)
    assert attempt.state is CallState.ACCEPTED and len(calls_to(sandbox)) == 1
    # The number is shared with John, yet the call is Mary's: she was picked.
    assert dialer.history.get(attempt.id).contact == "Mary Jones"


def test_up_from_the_first_row_returns_to_the_field_and_escape_closes_the_list_first(
    qtbot,
    dialer,  # noqa: F811
    finder,
) -> None:
    pad = make_pad(qtbot, dialer, finder)
    qtbot.keyClicks(pad.field, "john")
    qtbot.keyClick(pad.field, Qt.Key.Key_Down)
    qtbot.keyClick(pad.field, Qt.Key.Key_Down)
    assert pad.match_list.currentIndex().row() == 1
    qtbot.keyClick(pad.field, Qt.Key.Key_Up)
    qtbot.keyClick(pad.field, Qt.Key.Key_Up)
    assert not pad.match_list.currentIndex().isValid()
    qtbot.keyClick(pad.field, Qt.Key.Key_Escape)
    assert not pad.match_list.isVisible() and pad.field.text() == "john"
    qtbot.keyClick(pad.field, Qt.Key.Key_Escape)
    assert pad.field.text() == ""


def test_the_index_follows_contacts_added_after_it_was_built(
    qtbot,
    dialer,  # noqa: F811
    finder,
) -> None:
    finder.store.add(Contact("Zoe Quinn", numbers=(ContactNumber("home", "555 0199", "5550199"),)))
    pad = make_pad(qtbot, dialer, finder)
    qtbot.keyClicks(pad.field, "zoe")
    assert rows(pad) == ["Zoe Quinn · home: 555 0199"]


def test_without_a_built_index_the_pad_dials_numbers_as_before(
    qtbot,
    dialer,  # noqa: F811
    tmp_path: Path,
) -> None:
    with ContactStore(tmp_path / "c.sqlite3") as store:
        pad = make_pad(qtbot, dialer, ContactFinder(store))  # index still being built
        qtbot.keyClicks(pad.field, "john")
        assert not pad.match_list.isVisible()
