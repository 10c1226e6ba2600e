"""The tray's tooltip (default provider, last call, plain text) and its separator-led menu."""

from __future__ import annotations

import dataclasses

import pytest
from uitools import dialer, qloop, run  # noqa: F401

from dialer_gui.ui.tray import Tray, TrayActions
from dialer_gui.vocabulary.calls import CallAttempt, CallState, Source

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def make_tray(dialer, demo=False):  # noqa: F811
    def nothing(*_args):
        return None

    actions = TrayActions(nothing, nothing, nothing, nothing, nothing, nothing, nothing)
    tray = Tray(dialer, actions, demo=demo)
    unsubscribe = tray.watch(dialer.events)
    return tray, unsubscribe


def test_the_tooltip_names_the_provider_and_follows_the_last_call(qtbot, dialer):  # noqa: F811
    tray, unsubscribe = make_tray(dialer)
    assert tray.tooltip_text() == "dialer-gui\nProvider: demo-simotel"
    attempt = run(qtbot, dialer.dial("+1 212 555 0100", Source.DIALPAD))
    qtbot.waitUntil(lambda: tray.last_call is not None and tray.last_call.id == attempt.id)
    qtbot.waitUntil(lambda: "Last call: +1 212-555-0100, " in tray.tooltip_text())
    state = tray.last_call.state
    assert state is not CallState.REQUESTED
    assert tray.toolTip().count("<br>") == 2
    unsubscribe()


def test_an_older_call_changing_does_not_replace_the_last(qtbot, dialer):  # noqa: F811
    tray, unsubscribe = make_tray(dialer)
    older = CallAttempt(Source.LINK, "x", "+12125550100", "+1 212-555-0100", "p", id=3)
    newer = dataclasses.replace(older, number="+12125550199", display="+1 212-555-0199", id=4)
    tray.call_changed(newer)
    tray.call_changed(dataclasses.replace(older, state=CallState.FAILED))
    assert "0199, Calling…" in tray.tooltip_text()
    unsubscribe()


def test_text_from_outside_is_shown_as_plain_text(qtbot, dialer):  # noqa: F811
    tray, unsubscribe = make_tray(dialer)
    hostile = CallAttempt(Source.LINK, "x", "", "<b>1</b> & <i>2</i>", "p", id=1)
    tray.call_changed(hostile)
    assert "&lt;b&gt;1&lt;/b&gt; &amp; &lt;i&gt;2&lt;/i&gt;" in tray.toolTip()
    assert "<b>" not in tray.toolTip()
    unsubscribe()


def test_each_group_of_the_menu_is_led_by_a_separator(qtbot, dialer):  # noqa: F811
    tray, unsubscribe = make_tray(dialer)
    run(qtbot, dialer.dial("+1 212 555 0100", Source.DIALPAD))
    tray.menu.aboutToShow.emit()
    shown = [a for a in tray.menu.actions() if a.isVisible()]
    kinds = ["-" if a.isSeparator() else a.text() for a in shown]
    assert kinds == [
        "&Dial…",
        "Dial &clipboard",
        "-",
        "Call +1 212-555-0100",
        "-",
        "&Provider",
        "-",
        "&History",
        "&Settings…",
        "-",
        "&Quit",
    ]
    unsubscribe()
