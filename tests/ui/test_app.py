"""The composition root in-process: demo start-up, doors (IPC, FileOpen, start-up link), quit."""

from __future__ import annotations

import dataclasses
import gc

import pytest
from PySide6.QtCore import QCoreApplication, QUrl
from PySide6.QtGui import QFileOpenEvent
from uitools import finish, qloop, run  # noqa: F401

from dialer_gui import ipc
from dialer_gui.app import Application
from dialer_gui.sandbox.demo import DEMO_DEFAULT
from dialer_gui.ui import messages
from dialer_gui.vocabulary.calls import CallState, Source
from dialer_gui.vocabulary.start_options import StartOptions

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.fixture
def started(qtbot, qapp, qloop):  # noqa: F811
    made = []

    def start(**options):
        app = Application(StartOptions(**options), qapp, tray_available=False, listen=False)
        run(qtbot, app.start())
        made.append(app)
        app.confirmer.on_shown = lambda dialog: dialog.accept()
        return app

    yield start
    gc.unfreeze()  # the app froze its start-up objects (memory.settle); the suite collects as usual
    for app in made:
        run(qtbot, app.aclose())
        app.window.deleteLater()
        app.deleteLater()


def sandbox_calls(app):
    """Calls placed on the demo PBX: the demo dials through the simulated MOR's callback (its
    other requests follow and end calls)."""
    assert DEMO_DEFAULT == "demo-mor"
    return [r for r in app.sandbox.requests if r.path == "/billing/api/callback_init"]


def test_without_providers_the_app_starts_in_labelled_demo_mode(qtbot, started):
    app = started()
    assert app.demo
    assert "Demo" in app.window.windowTitle()
    assert app.dialpad.banner.isVisible()
    assert app.window.isVisible()  # no tray: the window is the app
    # Said in the window, not cut off in the status line (the menu bar test checks it).
    assert app.window.notice.label.text().startswith("No system tray was found")
    assert app.history_model.rowCount() == 0
    # Once warm, start-up's objects are frozen out of the collector's way (memory.settle).
    qtbot.waitUntil(lambda: gc.get_freeze_count() > 0)


def test_start_up_link_is_dialed_once(qtbot, started):
    app = started(link="tel:+12125550100")
    # The link asks first (policy for links); the prompt may have opened during start-up.
    qtbot.waitUntil(lambda: app.confirmer.current is not None or app.history_model.rowCount())
    if app.confirmer.current is not None:
        app.confirmer.current.accept()
    qtbot.waitUntil(lambda: app.history_model.rowCount() == 1)
    app._run_initial_request()  # a second trigger does nothing
    attempt = app.history_model.attempt(0)
    qtbot.waitUntil(lambda: app.history_model.attempt(0).state is CallState.ACCEPTED)
    assert attempt.number == "+12125550100"
    assert len(sandbox_calls(app)) == 1


def test_ipc_and_file_open_links_take_the_dial_path(qtbot, started):
    app = started()
    app._on_ipc_message(ipc.Message("dial", "tel:+12125550100", "link"))
    qtbot.waitUntil(lambda: len(sandbox_calls(app)) == 1)
    QCoreApplication.sendEvent(app.qapp, QFileOpenEvent(QUrl("tel:+16465550199")))
    qtbot.waitUntil(lambda: len(sandbox_calls(app)) == 2)
    # A hostile "link" is refused before the dialer sees it.
    app.open_link("tel:+1212\n--evil")
    assert len(sandbox_calls(app)) == 2
    qtbot.waitUntil(lambda: any(m.title == "Link not dialed" for m in messages.shown))


def test_quit_closes_everything(qtbot, started):
    app = started()
    sandbox = app.sandbox
    run(qtbot, app.aclose())
    assert app.sandbox is None
    assert sandbox is not None
    run(qtbot, app.aclose())  # twice is harmless


def test_settings_reach_notifications_tls_warnings_and_warm_clients(qtbot, started):
    # One app for three checks: each started app costs start-up time and Qt objects.
    app = started(demo=True)
    config = app.dialer.config
    names = list(config.providers)
    qtbot.waitUntil(lambda: set(app.dialer.pool.providers) == set(names))

    # The tray's provider switch: reload() dropped the built providers; they are built again
    # without waiting for a call.
    other = next(n for n in names if n != app.dialer.default_profile_name())
    app.set_default_provider(other)
    assert app.dialer.default_profile_name() == other
    qtbot.waitUntil(lambda: set(app.dialer.pool.providers) == set(names))

    # A call through a profile without TLS checks is notified as a warning that says so.
    profile = config.providers[other]
    config.providers[other] = dataclasses.replace(
        profile, options={**profile.options, "verify_tls": False}
    )
    app.dialer.reload(config)
    app.dial("+12125550100", Source.DIALPAD)
    qtbot.waitUntil(lambda: any(m.title == "Calling" for m in messages.shown))
    calling = next(m for m in messages.shown if m.title == "Calling")
    assert calling.level == "warning"
    assert f"TLS certificate checks are OFF for “{other}”" in calling.text
    # A profile that checks certificates gets the plain notice.
    config.providers[other] = profile
    app.dialer.reload(config)
    messages.shown.clear()
    app.dial("+12125550101", Source.DIALPAD)
    qtbot.waitUntil(lambda: any(m.title == "Calling" for m in messages.shown))
    calling = next(m for m in messages.shown if m.title == "Calling")
    assert calling.level == "info"
    assert "TLS" not in calling.text

    # general.notifications is read from the settings in use, so a save applies at once.
    assert app._presenter.call_notifications() is True
    general = dataclasses.replace(app.config.general, notifications=False)
    app.apply_config(dataclasses.replace(app.config, general=general))
    qtbot.waitUntil(lambda: app._presenter.call_notifications() is False)


def test_an_app_that_never_started_closes_cleanly_and_says_what_is_missing(qtbot, qapp, qloop):  # noqa: F811
    """Every attribute exists from __init__: closing before start needs no hasattr guesses."""
    app = Application(StartOptions(), qapp, tray_available=False, listen=False)
    with pytest.raises(RuntimeError, match="when the app starts"):
        _ = app.dialer
    with pytest.raises(RuntimeError, match="when the app starts"):
        _ = app.history
    assert app.dialpad is None and app.history_model is None and app.window is None
    run(qtbot, app.aclose())
    run(qtbot, app.aclose())  # twice is fine
    app.deleteLater()


def test_a_pasted_secret_in_the_settings_is_warned_about_at_start(qtbot, started, tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(
        '[providers.hook]\ntype = "webhook"\nurl = "https://pbx.example.com/c?api_key=k3y-123456"\n',
        encoding="utf-8",
    )
    started(config=path, demo=True)
    warned = [m for m in messages.shown if m.title == "A secret is written in the settings file"]
    assert warned and "providers.hook.url" in warned[0].text
    assert "k3y-123456" not in warned[0].text
