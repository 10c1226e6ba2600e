"""The history pane by keyboard and screen reader: Tab walks through it, filters say what they are.

Driven through Qt itself: real Tab key presses on the focused widget, the focus chain as Qt
keeps it, and names read through Qt's accessibility interface (what AT-SPI reads).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from uifakes import attempt
from uitools import qloop  # noqa: F401

from dialer_gui.core.events import EventBus
from dialer_gui.core.history import HistoryStore
from dialer_gui.ui.history_model import HistoryModel
from dialer_gui.ui.history_view import HistoryView
from dialer_gui.vocabulary.calls import CallState

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def heard(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    assert interface is not None
    return interface.text(QAccessible.Text.Name)


@pytest.fixture
def view(qtbot, qloop):  # noqa: F811
    store = HistoryStore(":memory:")
    for n in range(4):
        store.add(attempt(n, CallState.ACCEPTED))
    model = HistoryModel(store, EventBus())
    view = HistoryView(model, store, lambda _a: None, lambda: ["office"])
    qtbot.addWidget(view)
    view.resize(900, 500)
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    # A selected row, so the row actions are enabled (disabled buttons take no focus).
    view.table.selectRow(0)
    view.table.setCurrentIndex(model.index(0, 0))
    yield view
    store.close()


def _visible_order(view: HistoryView) -> list[QWidget]:
    return [
        view.search,
        view.state_box,
        view.provider_box,
        view.table,
        view.redial_button,
        view.copy_button,
        view.details_button,
        view.export_button,
    ]


def test_tab_walks_every_history_control_once_in_visual_order(qtbot, view):
    expected = _visible_order(view)
    assert all(w.isEnabled() for w in expected)
    view.search.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.search)
    visited: list[QWidget] = [view.search]
    for _ in range(len(expected)):
        focused = QApplication.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
        visited.append(QApplication.focusWidget())
    names = [w.objectName() or type(w).__name__ for w in visited]
    # Every control once, in the order they are shown, then back to the search field.
    assert visited == [*expected, view.search], names


def test_tab_leaves_the_table_and_shift_tab_comes_back(qtbot, view):
    view.table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.table)
    current = view.table.currentIndex()
    qtbot.keyClick(view.table, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is view.redial_button
    assert view.table.currentIndex() == current  # Tab did not wander from cell to cell
    qtbot.keyClick(view.redial_button, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.focusWidget() is view.table


def test_the_focus_chain_follows_the_visual_order(view):
    expected = _visible_order(view)
    chain: list[QWidget] = []
    widget = view.search
    while len(chain) < 50:
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isVisibleTo(view):
            if widget in chain:
                break
            chain.append(widget)
        widget = widget.nextInFocusChain()
    assert chain == expected


def labelled_by(widget: QWidget) -> list[str]:
    """What the labels tied to ``widget`` say (AT-SPI's labelled-by relation)."""
    interface = QAccessible.queryAccessibleInterface(widget)
    assert interface is not None
    return [
        other.text(QAccessible.Text.Name)
        for other, _flag in interface.relations(QAccessible.Relation.Label)
    ]


def test_the_filters_are_heard_by_their_labels(view):
    for box, word in ((view.state_box, "State"), (view.provider_box, "Provider")):
        # The label on screen names the filter: a screen reader says "State: All states".
        assert labelled_by(box) == [f"{word}:"], word
        # Qt names a combo box by its label where the platform reads names (Windows, macOS);
        # over AT-SPI its name is the current item and the label comes from the relation.
        # Never a name of its own that the screen does not show.
        assert heard(box) in (word, box.currentText()), heard(box)
    # The labels are on screen, tied to their combo boxes, with a mnemonic each.
    labels = {label.buddy(): label for label in view.findChildren(QLabel) if label.buddy()}
    for box, word in ((view.state_box, "State"), (view.provider_box, "Provider")):
        label = labels.get(box)
        assert label is not None, f"no visible label for the {word} filter"
        assert label.isVisible()
        assert label.text().replace("&", "") == f"{word}:"
        assert "&" in label.text()
    # Another choice changes what is shown, not what the filter is called.
    view.state_box.setCurrentIndex(view.state_box.findData(CallState.FAILED))
    assert labelled_by(view.state_box) == ["State:"]


def test_the_filter_mnemonics_move_the_focus(qtbot, view):
    labels = {label.buddy(): label for label in view.findChildren(QLabel) if label.buddy()}
    label = labels.get(view.provider_box)
    assert label is not None
    key = label.text()[label.text().index("&") + 1]
    view.search.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.search)
    qtbot.keyClick(view.search, key, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is view.provider_box


def test_tabbing_into_the_table_alone_makes_the_row_actions_reachable(qtbot, view):
    """No mouse: Tab into the table makes a row current; Tab again reaches Redial."""
    view.table.clearSelection()
    view.table.setCurrentIndex(view.table.model().index(-1, -1))
    view._update_actions()
    assert not view.redial_button.isEnabled()
    view.provider_box.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.provider_box)
    qtbot.keyClick(view.provider_box, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is view.table
    assert view.table.currentIndex().isValid()
    assert view.redial_button.isEnabled() and view.details_button.isEnabled()
    qtbot.keyClick(view.table, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is view.redial_button
