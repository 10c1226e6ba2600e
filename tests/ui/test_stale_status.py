"""Status lines never outlive what they describe.

The dial pad's "Last call" line follows the number's later calls from any door (a redial from
the history, a link), so "result unknown" does not stay once the same number was dialed again
and accepted; the Settings Test result goes as soon as a field it was about is edited.
"""

from __future__ import annotations

import gc

import pytest
from uitools import finish, qloop, run  # noqa: F401

from dialer_gui.app import Application
from dialer_gui.core.config import load_config
from dialer_gui.core.secrets import SecretStore
from dialer_gui.sandbox import demo
from dialer_gui.ui.settings_dialog import SettingsDialog
from dialer_gui.vocabulary.calls import CallState, Source
from dialer_gui.vocabulary.start_options import StartOptions

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

NUMBER = "+1 212 555 0100"


@pytest.fixture
def app(qtbot, qapp, qloop):  # noqa: F811
    application = Application(StartOptions(demo=True), qapp, tray_available=False, listen=False)
    run(qtbot, application.start())
    application.confirmer.on_shown = lambda dialog: dialog.accept()
    application.dialer._dupes.window = 0  # a redial at once is a new call, not merged
    yield application
    gc.unfreeze()
    run(qtbot, application.aclose())
    application.window.deleteLater()
    application.deleteLater()


def test_a_redial_from_the_history_replaces_result_unknown(qtbot, app):
    pad = app.dialpad
    app.sandbox.set_fault("http_500", demo.DEMO_DEFAULT.removeprefix("demo-"), times=1)
    pad.field.setText(NUMBER)
    first = finish(qtbot, pad.call())
    assert first.state is CallState.UNKNOWN
    assert "result unknown" in pad.status.text()

    again = finish(qtbot, app.redial(first))
    assert again.state is CallState.ACCEPTED
    assert "result unknown" not in pad.status.text()
    assert "accepted" in pad.status.text()
    assert "result unknown" not in pad.status.accessibleName()


def test_a_call_to_another_number_leaves_the_line_about_this_one(qtbot, app):
    pad = app.dialpad
    app.sandbox.set_fault("http_500", demo.DEMO_DEFAULT.removeprefix("demo-"), times=1)
    pad.field.setText(NUMBER)
    finish(qtbot, pad.call())
    other = finish(qtbot, app.dial("+1 212 555 0199", Source.HISTORY))
    assert other.state is CallState.ACCEPTED
    assert "result unknown" in pad.status.text()  # still true of +1 212-555-0100


def test_the_test_result_goes_when_a_field_is_edited(qtbot, tmp_path, qloop, sandbox):  # noqa: F811
    dialog = SettingsDialog(load_config(tmp_path / "c.toml"), SecretStore(), on_saved=print)
    dialog.ask_discard = lambda: True
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.add_profile()
    dialog.type_box.setCurrentIndex(dialog.type_box.findData("fonality"))
    dialog.editors["url"].widget.setText(sandbox.base_url)
    dialog.editors["user"].widget.setText(demo.FONALITY_USER)
    dialog.editors["password"].widget.setText("wrong")
    dialog.test_profile()
    finish(qtbot, dialog.test_task)
    assert dialog.test_result.text().startswith("✖")
    qtbot.keyClicks(dialog.editors["password"].widget, "x")
    assert dialog.test_result.text() == ""
    # Every kind of field counts: a check box too.
    dialog.test_profile()
    finish(qtbot, dialog.test_task)
    assert dialog.test_result.text()
    dialog.editors["verify_tls"].widget.toggle()
    assert dialog.test_result.text() == ""


def test_the_last_call_line_follows_the_call_after_accepted(qtbot, app):
    """Not "your phone rings first" while the card above says the other side is talking."""
    import dataclasses

    from dialer_gui.vocabulary.calls import Leg

    pad = app.dialpad
    pad.field.setText(NUMBER)
    first = finish(qtbot, pad.call())
    assert "rings first" in pad.status.text()
    pad.call_changed(dataclasses.replace(first, state=CallState.RINGING, leg=Leg.CALLEE))
    assert "Their phone is ringing" in pad.status.text()
    pad.call_changed(dataclasses.replace(first, state=CallState.ENDED, duration=75.0))
    assert "Ended after 1:15" in pad.status.text()
    assert "rings first" not in pad.status.text()
