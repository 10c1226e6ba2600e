"""Settings without a working keyring: the save says the secret was not stored, nothing claims it.

Two keyrings that cannot keep anything: keyring's own ``fail`` backend (none installed) and one
whose D-Bus service has crashed (every call raises). In both, the profile is saved to the file,
the password is used until dialer-gui quits, and the dialog says so in words instead of
showing "stored in keyring" for a password ``dialer-gui providers`` reports missing.
"""

from __future__ import annotations

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from uitools import finish, qloop  # noqa: F401

from dialer_gui.core.config import load_config
from dialer_gui.core.secrets import SecretStore
from dialer_gui.sandbox import demo
from dialer_gui.ui.settings_dialog import SettingsDialog
from dialer_gui.ui.settings_fields import NOT_SET, STORED

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

SECRET = "s3cret-Pa55"


class CrashedKeyring(KeyringBackend):
    """A keyring behind a D-Bus service that has crashed: every call raises."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError("org.freedesktop.DBus.Error.ServiceUnknown")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError("org.freedesktop.DBus.Error.ServiceUnknown")

    def delete_password(self, service: str, username: str) -> None:
        raise RuntimeError("org.freedesktop.DBus.Error.ServiceUnknown")


def open_dialog(qtbot, path, store, saved, demo=False):
    dialog = SettingsDialog(load_config(path), store, on_saved=saved.append, demo=demo)
    dialog.ask_discard = lambda: True
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


@pytest.mark.parametrize("backend", [fail.Keyring, CrashedKeyring], ids=["none", "crashed"])
def test_a_secret_the_keyring_did_not_take_is_never_shown_as_stored(
    qtbot,
    tmp_path,
    qloop,  # noqa: F811
    backend,
):
    path = tmp_path / "config.toml"
    store = SecretStore(backend())
    saved = []
    dialog = open_dialog(qtbot, path, store, saved, demo=True)
    assert dialog.note.isVisible()  # "Demo mode: ... ends once a provider is saved"
    dialog.add_profile()
    dialog.type_box.setCurrentIndex(dialog.type_box.findData("fonality"))
    dialog.name_edit.setText("office")
    dialog.editors["url"].widget.setText("https://pbx.example.com")
    dialog.editors["user"].widget.setText(demo.FONALITY_USER)
    dialog.editors["password"].widget.setText(SECRET)
    assert dialog.save()
    finish(qtbot, dialog.save_task)

    # The file is saved and used; the dialog stays open to say what was not stored, and why.
    assert "office" in load_config(path).providers
    assert saved and "office" in saved[0].providers
    assert dialog.isVisible()
    said = dialog.error_label.text()
    assert dialog.error_label.isVisible()
    assert "HUD password" in said and "office" in said and "not stored" in said
    assert "keyring" in said  # why
    assert "until dialer-gui quits" in said  # what it means
    assert "dialer-gui secret set office password" in said  # what to do
    assert SECRET not in said
    assert not dialog.note.isVisible()  # a provider is saved: no longer in demo mode
    password = dialog.editors["password"].widget
    assert password.text() == ""
    assert password.placeholderText().startswith(NOT_SET)
    assert "stored" not in password.accessibleDescription().replace("not stored", "")
    dialog.reject()
    assert not dialog.isVisible()  # saved: closing asks nothing

    # Reopened in the same run: still not claimed as stored (it lives in memory only).
    again = open_dialog(qtbot, path, store, [])
    placeholder = again.editors["password"].widget.placeholderText()
    assert placeholder != STORED and placeholder.startswith(NOT_SET)
    # ...but the call still has it until dialer-gui quits.
    assert store.get("office", "password") == SECRET
