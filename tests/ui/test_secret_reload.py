"""``dialer-gui secret set`` while the app runs: the running app uses the new secret at once.

A real app listens on its real single-instance socket; the command runs as it does from a
terminal (on a thread here, so this test's event loop keeps serving the socket), with the
password piped on stdin. Before the command the profile's password is missing and the call
fails with nothing sent; after it, the next call is accepted by the simulated PBX.
"""

from __future__ import annotations

import asyncio
import gc
import io
import types

import pytest
from uitools import finish, qloop, run  # noqa: F401

from dialer_gui import commands
from dialer_gui.app import Application
from dialer_gui.sandbox import demo
from dialer_gui.vocabulary.calls import CallState, Source
from dialer_gui.vocabulary.start_options import StartOptions

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def fonality_calls(sandbox):
    return [r for r in sandbox.requests if r.api == "fonality" and "dial" in r.body.decode()]


@pytest.fixture
def app(qtbot, qapp, qloop, tmp_path, sandbox):  # noqa: F811
    path = tmp_path / "config.toml"
    path.write_text(
        'version = 1\n[providers.office]\ntype = "fonality"\n'
        f'url = "{sandbox.base_url}"\nuser = "{demo.FONALITY_USER}"\n'
        f'callerid = "{demo.FONALITY_CALLERID}"\n',
        encoding="utf-8",
    )
    application = Application(StartOptions(config=path), qapp, tray_available=False)
    assert run(qtbot, application.start())
    application.confirmer.on_shown = lambda dialog: dialog.accept()
    qtbot.waitUntil(lambda: "office" in application.dialer.pool.providers)  # warmed up
    yield application
    gc.unfreeze()
    run(qtbot, application.aclose())
    application.window.deleteLater()
    application.deleteLater()


def secret_set(qtbot, monkeypatch, path, value: str) -> int:
    """Run ``dialer-gui secret set office password`` with ``value`` piped on stdin."""
    monkeypatch.setattr("sys.stdin", io.StringIO(value + "\n"))
    ns = types.SimpleNamespace(config=path, action="set", profile="office", field="password")
    return run(qtbot, asyncio.to_thread(commands.cmd_secret, ns), timeout=10000)


def test_a_secret_set_from_the_command_line_reaches_the_running_app(
    qtbot, app, sandbox, monkeypatch, capsys
):
    first = run(qtbot, app._dial("+12125550100", Source.DIALPAD, None))
    assert first.state is CallState.FAILED
    assert fonality_calls(sandbox) == []

    assert secret_set(qtbot, monkeypatch, app.options.config, demo.FONALITY_PASSWORD) == 0
    assert "running dialer-gui" in capsys.readouterr().out  # the command says it was told

    second = run(qtbot, app._dial("+12125550101", Source.DIALPAD, None))
    assert second.state is CallState.ACCEPTED, second.error
    assert len(fonality_calls(sandbox)) == 1
    # Settings, opened now, knows it is stored.
    app.show_settings()
    field = app.settings_dialog.editors["password"].widget
    assert field.placeholderText() == "•••• stored in keyring"
    app.settings_dialog.close_for_quit()
