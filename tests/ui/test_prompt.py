"""The prompt's default button, focus, window buttons, origin line and "Don't ask again"."""

from __future__ import annotations

import asyncio
import gc

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel
from uitools import calls_to, dialer, finish, qloop, run  # noqa: F401

from dialer_gui.core import paths
from dialer_gui.core.config import load_config
from dialer_gui.ui.confirm import ORIGIN, TITLE, Confirmer
from dialer_gui.vocabulary.calls import CallState, Source

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

PAGE = "https://crm.example.com/contacts/42"


def prompt(qtbot, dialer, raw, source, page=None, **confirmer_args):  # noqa: F811
    confirmer = Confirmer(countdown=lambda: 0, **confirmer_args)
    task = asyncio.ensure_future(dialer.dial(raw, source, confirm=confirmer, page=page))
    qtbot.waitUntil(lambda: confirmer.current is not None and confirmer.current.isVisible())
    return task, confirmer.current


def origin(dialog):
    return dialog.findChild(QLabel, "confirmOrigin").text()


def test_an_ordinary_link_defaults_to_call_and_can_stop_asking(qtbot, dialer, sandbox):  # noqa: F811
    stopped = []
    task, dialog = prompt(
        qtbot, dialer, "tel:+12125550100", Source.LINK, stop_asking=stopped.append
    )
    assert dialog.call_button.isDefault() and not dialog.cancel_button.isDefault()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.call_button)
    assert origin(dialog) == "From a link: tel:+12125550100"
    assert dialog.quiet_box is not None and not dialog.quiet_box.isChecked()
    dialog.quiet_box.setChecked(True)
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert finish(qtbot, task).state is CallState.ACCEPTED
    assert stopped == ["confirm_links"]


def test_cancelling_with_the_box_ticked_changes_nothing(qtbot, dialer, sandbox):  # noqa: F811
    stopped = []
    task, dialog = prompt(
        qtbot, dialer, "+1 212 555 0100", Source.CLIPBOARD, stop_asking=stopped.append
    )
    assert origin(dialog) == "From the clipboard."
    dialog.quiet_box.setChecked(True)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert finish(qtbot, task).state is CallState.BLOCKED
    assert stopped == []


@pytest.mark.parametrize(
    ("raw", "source"),
    [("tel:+19005550100", Source.LINK), ("911", Source.CLIPBOARD), ("911", Source.DIALPAD)],
)
def test_emergency_and_premium_default_to_cancel_and_never_offer_to_stop(
    qtbot,
    dialer,  # noqa: F811
    sandbox,
    raw,
    source,
):
    task, dialog = prompt(qtbot, dialer, raw, source)
    assert dialog.cancel_button.isDefault() and not dialog.call_button.isDefault()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.cancel_button)
    assert dialog.quiet_box is None
    qtbot.keyClick(dialog, Qt.Key.Key_Return)  # the Enter meant for another window
    assert finish(qtbot, task).state is CallState.BLOCKED
    assert calls_to(sandbox) == []


def test_a_web_page_is_named_with_its_address(qtbot, dialer, sandbox):  # noqa: F811
    task, dialog = prompt(qtbot, dialer, "+1 212 555 0100", Source.BROWSER, page=PAGE)
    assert origin(dialog) == f"From a web page: {PAGE}"
    assert dialog.quiet_setting == "confirm_browser"
    dialog.reject()
    finish(qtbot, task)


def test_the_command_line_is_named(qtbot, sandbox, qloop):  # noqa: F811
    from uitools import make_dialer

    typed = make_dialer(sandbox.base_url, confirm_dialpad=True)
    try:
        task, dialog = prompt(qtbot, typed, "+1 212 555 0100", Source.CLI)
        assert origin(dialog) == "From the command line."
        assert dialog.quiet_box is None  # typed numbers are turned off in Settings only
        dialog.reject()
        finish(qtbot, task)
    finally:
        run(qtbot, typed.aclose())
        typed.history.close()


def test_no_minimise_or_maximise_and_the_whole_title(qtbot, dialer, sandbox):  # noqa: F811
    task, dialog = prompt(qtbot, dialer, "tel:+12125550100", Source.LINK)
    flags = dialog.windowFlags()
    assert not flags & Qt.WindowType.WindowMinimizeButtonHint
    assert not flags & Qt.WindowType.WindowMaximizeButtonHint
    assert flags & Qt.WindowType.WindowCloseButtonHint
    assert flags & Qt.WindowType.WindowStaysOnTopHint
    # A window that cannot grow gets no maximise button from WMs that ignore the hints.
    assert dialog.minimumSize() == dialog.maximumSize()
    assert dialog.windowTitle() == TITLE
    assert dialog.width() >= dialog.fontMetrics().horizontalAdvance(TITLE) * 2
    assert QApplication.activeWindow() is dialog
    dialog.reject()
    finish(qtbot, task)


def test_a_long_page_address_is_elided_in_the_middle(qtbot, dialer, sandbox):  # noqa: F811
    page = "https://crm.example.com/" + "a" * 300 + "/contact-42"
    task, dialog = prompt(qtbot, dialer, "+1 212 555 0100", Source.BROWSER, page=page)
    text = origin(dialog)
    assert len(text) < 160 and text.endswith("/contact-42") and "…" in text
    dialog.reject()
    finish(qtbot, task)


def test_every_door_has_a_name():
    assert set(ORIGIN) == set(Source)


def test_dont_ask_again_is_saved_in_the_settings_file(qtbot, qapp, qloop, sandbox):  # noqa: F811
    from dialer_gui.app import Application
    from dialer_gui.vocabulary.start_options import StartOptions

    app = Application(StartOptions(demo=True), qapp, tray_available=False, listen=False)
    run(qtbot, app.start())
    try:
        app.open_link("tel:+12125550100")
        qtbot.waitUntil(lambda: app.confirmer.current is not None)
        dialog = app.confirmer.current
        dialog.quiet_box.setChecked(True)
        dialog.call_button.click()
        qtbot.waitUntil(lambda: paths.config_path().exists())
        assert load_config(paths.config_path()).general.confirm_links is False
        assert app.dialer.config.general.confirm_links is False
        assert app.dialer.config.general.confirm_clipboard is True
        app.open_link("tel:+12125550199")  # the next link dials at once
        qtbot.waitUntil(lambda: app.history_model.rowCount() == 2)
        assert app.confirmer.current is None
    finally:
        gc.unfreeze()
        run(qtbot, app.aclose())
        app.window.deleteLater()
        app.deleteLater()
