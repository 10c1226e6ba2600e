"""The generated settings dialog: round trip to the config file and the keyring."""

from __future__ import annotations

import threading

import memory_keyring
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from uitools import finish, qloop  # noqa: F401

from dialer_gui.core.config import Config, load_config
from dialer_gui.core.secrets import SERVICE, SecretStore
from dialer_gui.sandbox import demo
from dialer_gui.ui.settings_dialog import SettingsDialog
from dialer_gui.ui.settings_fields import STORED

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def open_dialog(qtbot, path, saved):
    config = load_config(path)
    dialog = SettingsDialog(config, SecretStore(), on_saved=saved.append)
    # pytest-qt closes the dialog after the test; unsaved changes are then discarded unasked.
    dialog.ask_discard = lambda: True
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def save(qtbot, dialog):
    """Press Save and wait until the secrets are stored and the dialog has closed."""
    assert dialog.save()
    finish(qtbot, dialog.save_task)
    assert not dialog.isVisible()


def fill_fonality(dialog, url, password="s3cret-Pa55"):
    dialog.add_profile()
    dialog.type_box.setCurrentIndex(dialog.type_box.findData("fonality"))
    dialog.name_edit.setText("office")
    dialog.editors["url"].widget.setText(url)
    dialog.editors["user"].widget.setText(demo.FONALITY_USER)
    dialog.editors["password"].widget.setText(password)


def test_save_writes_file_and_keyring_never_the_password_in_the_file(qtbot, tmp_path, qloop):  # noqa: F811
    path = tmp_path / "config.toml"
    saved = []
    dialog = open_dialog(qtbot, path, saved)
    fill_fonality(dialog, "https://pbx.example.com")
    dialog.general_editors["confirm_dialpad"].widget.setChecked(True)
    save(qtbot, dialog)
    text = path.read_text()
    assert "s3cret-Pa55" not in text
    assert memory_keyring._STORE[(SERVICE, "office/password")] == "s3cret-Pa55"
    config = load_config(path)
    assert config.providers["office"].type == "fonality"
    assert config.providers["office"].options["url"] == "https://pbx.example.com"
    assert config.general.confirm_dialpad is True
    assert saved and saved[0].providers.keys() == {"office"}

    # Reopened: the password is not shown, only that one is stored.
    again = open_dialog(qtbot, path, [])
    password = again.editors["password"].widget
    assert password.text() == ""
    assert password.placeholderText() == STORED
    save(qtbot, again)  # an untouched secret field keeps the stored secret
    assert memory_keyring._STORE[(SERVICE, "office/password")] == "s3cret-Pa55"


def test_missing_required_fields_are_shown_and_nothing_is_written(qtbot, tmp_path):
    path = tmp_path / "config.toml"
    dialog = open_dialog(qtbot, path, [])
    dialog.add_profile()
    assert not dialog.save()
    assert dialog.error_label.isVisible()
    assert "is required" in dialog.error_label.text()
    assert not path.exists()


def test_tls_off_shows_a_warning(qtbot, tmp_path):
    dialog = open_dialog(qtbot, tmp_path / "c.toml", [])
    fill_fonality(dialog, "https://pbx.example.com")
    assert not dialog.tls_warning.isVisible()
    dialog.editors["verify_tls"].widget.setChecked(False)
    assert dialog.tls_warning.isVisible()


def test_removing_a_profile_forgets_its_secret(qtbot, tmp_path, qloop):  # noqa: F811
    path = tmp_path / "config.toml"
    dialog = open_dialog(qtbot, path, [])
    fill_fonality(dialog, "https://pbx.example.com")
    save(qtbot, dialog)
    again = open_dialog(qtbot, path, [])
    again.remove_profile()
    save(qtbot, again)
    assert load_config(path).providers == {}
    assert (SERVICE, "office/password") not in memory_keyring._STORE


def test_test_button_checks_unsaved_settings_against_the_pbx(qtbot, tmp_path, qloop, sandbox):  # noqa: F811
    dialog = open_dialog(qtbot, tmp_path / "c.toml", [])
    fill_fonality(dialog, sandbox.base_url, password=demo.FONALITY_PASSWORD)
    dialog.test_profile()
    finish(qtbot, dialog.test_task)
    assert dialog.test_result.text().startswith("✔"), dialog.test_result.text()
    dialog.editors["password"].widget.setText("wrong")
    dialog.test_profile()
    finish(qtbot, dialog.test_task)
    assert dialog.test_result.text().startswith("✖"), dialog.test_result.text()


def test_config_built_keeps_general_defaults(qtbot, tmp_path):
    dialog = SettingsDialog(Config(path=tmp_path / "c.toml"), SecretStore(), on_saved=print)
    qtbot.addWidget(dialog)
    config, problems = dialog.build_config()
    assert problems == []
    assert config.general == Config().general


class LockedKeyring(memory_keyring.MemoryKeyring):
    """A keyring that holds every write until ``unlocked`` is set, as a locked one does while
    its unlock prompt is open."""

    def __init__(self) -> None:
        super().__init__()
        self.unlocked = threading.Event()
        self.waiting = threading.Event()

    def set_password(self, service: str, username: str, password: str) -> None:
        self.waiting.set()
        assert self.unlocked.wait(10), "never unlocked"
        super().set_password(service, username, password)


def test_a_slow_keyring_never_freezes_the_window_and_the_dialog_waits_for_it(
    qtbot,
    tmp_path,
    qloop,  # noqa: F811
):
    path = tmp_path / "config.toml"
    saved = []
    keyring = LockedKeyring()
    dialog = SettingsDialog(load_config(path), SecretStore(keyring), on_saved=saved.append)
    qtbot.addWidget(dialog)
    dialog.show()
    fill_fonality(dialog, "https://pbx.example.com")
    assert dialog.save()  # returns while the keyring is still waiting
    assert path.exists()
    qtbot.waitUntil(keyring.waiting.is_set)
    qtbot.wait(50)  # the event loop keeps running meanwhile
    assert dialog.saving and dialog.saving_label.isVisible()
    assert not dialog.tabs.isEnabled() and not dialog.save_button.isEnabled()
    assert not dialog.save()  # a second press does nothing
    dialog.reject()  # Esc: refused, or the secrets would be half saved
    dialog.close()
    assert dialog.isVisible() and saved == []
    keyring.unlocked.set()
    finish(qtbot, dialog.save_task)
    assert memory_keyring._STORE[(SERVICE, "office/password")] == "s3cret-Pa55"
    assert saved and not dialog.isVisible()


def test_cancel_asks_before_throwing_changes_away(qtbot, tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('version = 1\n[general]\nregion = "GB"\n')
    asked = []

    def answer(discard):
        def ask():
            asked.append(discard)
            return discard

        return ask

    untouched = open_dialog(qtbot, path, [])
    untouched.ask_discard = answer(False)
    untouched.reject()
    assert asked == [] and not untouched.isVisible()  # nothing changed: no question

    dialog = open_dialog(qtbot, path, [])
    dialog.general_editors["confirm_dialpad"].widget.toggle()
    dialog.ask_discard = answer(False)
    dialog.reject()
    assert asked == [False] and dialog.isVisible()  # "Keep editing"
    dialog.general_editors["confirm_dialpad"].widget.toggle()  # changed back: nothing to lose
    dialog.reject()
    assert asked == [False] and not dialog.isVisible()

    typed = open_dialog(qtbot, path, [])
    fill_fonality(typed, "https://pbx.example.com")
    typed.ask_discard = answer(True)
    typed.reject()
    assert asked == [False, True] and not typed.isVisible()
    assert load_config(path).providers == {}  # discarded, nothing written


def test_the_discard_question_is_a_real_box_whose_default_keeps_editing(qtbot, tmp_path):
    dialog = open_dialog(qtbot, tmp_path / "config.toml", [])
    del dialog.ask_discard  # the real question
    fill_fonality(dialog, "https://pbx.example.com")
    seen = []

    def press(key_or_button):
        box = QApplication.activeModalWidget()
        seen.append((box.objectName(), box.text()))
        if key_or_button == "Escape":
            QTest.keyClick(box, Qt.Key.Key_Escape)
        else:
            next(b for b in box.buttons() if b.text() == key_or_button).click()

    QTimer.singleShot(0, lambda: press("Escape"))
    dialog.reject()
    assert dialog.isVisible()  # Esc in the question keeps editing
    QTimer.singleShot(0, lambda: press("&Discard changes"))
    dialog.reject()
    assert not dialog.isVisible()
    assert seen == [("discardChanges", "The settings were changed but not saved.")] * 2


TWO_PROFILES = """version = 1
[providers.office]
type = "fonality"
url = "https://pbx.example.com"
user = "desk1"
[providers.branch]
type = "fonality"
url = "https://pbx2.example.com"
user = "desk2"
verify_tls = true
"""


def test_looking_at_every_profile_changes_nothing(qtbot, tmp_path):
    # "verify_tls = true" is the default, spelled out: the form leaves it out, and that is
    # not a change the user made.
    path = tmp_path / "config.toml"
    path.write_text(TWO_PROFILES)
    dialog = open_dialog(qtbot, path, [])
    asked = []
    dialog.ask_discard = lambda: asked.append(True) or False
    for row in (1, 0, 1):
        dialog.profile_list.setCurrentRow(row)
    assert not dialog.changed()
    dialog.reject()
    assert asked == [] and not dialog.isVisible()


def test_quitting_closes_the_dialog_without_asking(qtbot, tmp_path):
    dialog = open_dialog(qtbot, tmp_path / "config.toml", [])
    fill_fonality(dialog, "https://pbx.example.com")
    asked = []
    dialog.ask_discard = lambda: asked.append(True) or False
    dialog.close_for_quit()
    assert asked == [] and not dialog.isVisible()


def test_a_save_cut_short_by_quitting_still_stores_the_secrets(qtbot, tmp_path, qloop):  # noqa: F811
    keyring = LockedKeyring()
    dialog = SettingsDialog(
        load_config(tmp_path / "config.toml"), SecretStore(keyring), on_saved=print
    )
    dialog.ask_discard = lambda: True  # closed unsaved after the test
    qtbot.addWidget(dialog)
    dialog.show()
    fill_fonality(dialog, "https://pbx.example.com")
    assert dialog.save()
    qtbot.waitUntil(keyring.waiting.is_set)
    dialog.save_task.cancel()  # what the app's quit does to every task
    qtbot.waitUntil(dialog.save_task.done)
    assert dialog.saving and not dialog.tabs.isEnabled()  # the keyring still has it
    keyring.unlocked.set()
    qtbot.waitUntil(lambda: not dialog.saving)
    assert memory_keyring._STORE[(SERVICE, "office/password")] == "s3cret-Pa55"
