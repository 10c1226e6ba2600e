"""SecretStore over the in-memory test keyring, keyring's fail backend and a broken backend."""

from __future__ import annotations

import logging

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null

from dialer_gui.core.secrets import NO_KEYRING, SERVICE, SecretStore
from dialer_gui.errors import SecretStoreError


class BrokenKeyring(KeyringBackend):
    """Like a keyring behind a DBus service that has crashed: everything raises."""

    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError("org.freedesktop.DBus.Error.ServiceUnknown")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError("org.freedesktop.DBus.Error.ServiceUnknown")

    def delete_password(self, service: str, username: str) -> None:
        raise RuntimeError("org.freedesktop.DBus.Error.ServiceUnknown")


def test_round_trip_uses_the_keyring_with_profile_slash_field(secret_store: SecretStore) -> None:
    assert secret_store.available
    assert secret_store.problem is None
    secret_store.set("office", "password", "hunter2")
    assert secret_store.get("office", "password") == "hunter2"
    # Stored where other tools (and a later run) find it.
    assert keyring.get_keyring().get_password(SERVICE, "office/password") == "hunter2"
    assert secret_store.get("office", "token") is None
    assert secret_store.get("home", "password") is None


def test_default_backend_is_the_configured_keyring() -> None:
    store = SecretStore()
    assert store.available
    store.set("office", "token", "t0k")
    assert SecretStore().get("office", "token") == "t0k"


def test_delete_removes_and_tolerates_absent(secret_store: SecretStore) -> None:
    secret_store.set("office", "password", "hunter2")
    secret_store.delete("office", "password")
    assert secret_store.get("office", "password") is None
    secret_store.delete("office", "password")  # already gone: no error
    secret_store.delete("never", "there")


def test_secrets_for_returns_only_the_set_ones(secret_store: SecretStore) -> None:
    secret_store.set("office", "password", "p")
    secret_store.set("office", "api_key", "k")
    secret_store.set("other", "password", "x")
    assert secret_store.secrets_for("office", ["password", "api_key", "token"]) == {
        "password": "p",
        "api_key": "k",
    }
    assert secret_store.secrets_for("nobody", ["password"]) == {}


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring()], ids=["fail", "null"])
def test_no_keyring_keeps_secrets_in_memory_and_says_so(backend: KeyringBackend) -> None:
    store = SecretStore(backend)
    assert not store.available
    assert store.problem == NO_KEYRING
    assert store.get("office", "password") is None
    store.set("office", "password", "hunter2")
    assert store.get("office", "password") == "hunter2"
    store.delete("office", "password")
    assert store.get("office", "password") is None
    # Memory only: a new store (a restart) has nothing.
    store.set("office", "password", "hunter2")
    assert SecretStore(fail.Keyring()).get("office", "password") is None


def test_broken_backend_falls_back_to_memory_without_leaking(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = SecretStore(BrokenKeyring())
    assert store.available  # nothing has failed yet
    with caplog.at_level(logging.DEBUG):
        store.set("office", "password", "s3cret-value")
    assert not store.available
    assert store.problem is not None
    assert "in memory only" in store.problem
    assert "RuntimeError" in store.problem
    assert store.get("office", "password") == "s3cret-value"
    assert "s3cret-value" not in caplog.text
    assert "s3cret-value" not in store.problem


def test_broken_backend_on_read_gives_none_and_a_problem() -> None:
    store = SecretStore(BrokenKeyring())
    assert store.get("office", "password") is None
    assert store.problem is not None
    assert not store.available


class UndeletableKeyring(KeyringBackend):
    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        return "still-here"

    def set_password(self, service: str, username: str, password: str) -> None:
        pass

    def delete_password(self, service: str, username: str) -> None:
        raise RuntimeError("locked")


def test_delete_that_the_keyring_refuses_raises_a_plain_error() -> None:
    store = SecretStore(UndeletableKeyring())
    with pytest.raises(SecretStoreError, match=r"did not delete the password of office"):
        store.delete("office", "password")


def test_values_are_never_logged(
    secret_store: SecretStore, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        secret_store.set("office", "password", "do-not-log-me")
        secret_store.get("office", "password")
        secret_store.delete("office", "password")
    assert "do-not-log-me" not in caplog.text


class CountingKeyring(KeyringBackend):
    """A working keyring that counts its reads (each one a D-Bus round trip on a desktop)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[tuple[str, str], str] = {}
        self.reads = 0
        self.broken = False

    def get_password(self, service: str, username: str) -> str | None:
        self.reads += 1
        if self.broken:
            raise RuntimeError("org.freedesktop.DBus.Error.ServiceUnknown")
        return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        del self.values[(service, username)]


def test_is_stored_answers_from_what_was_read_or_written_without_asking_again() -> None:
    backend = CountingKeyring()
    backend.values[(SERVICE, "office/password")] = "hunter2"
    store = SecretStore(backend)
    assert store.get("office", "password") == "hunter2"  # as the warm-up reads it
    reads = backend.reads
    assert store.is_stored("office", "password")
    store.set("home", "token", "t0k3n")
    assert store.is_stored("home", "token")
    assert backend.reads == reads  # neither asked the keyring

    # A missing secret is asked about once; confirm_missing asks again, for the checks that
    # refuse to save without it (another process may have set it meanwhile).
    assert not store.is_stored("office", "api_key")
    assert backend.reads == reads + 1
    backend.values[(SERVICE, "office/api_key")] = "k3y"  # `dialer-gui secret set` elsewhere
    assert not store.is_stored("office", "api_key")
    assert backend.reads == reads + 1
    assert store.is_stored("office", "api_key", confirm_missing=True)
    assert backend.reads == reads + 2

    store.delete("home", "token")
    assert not store.is_stored("home", "token")


def test_is_stored_forgets_the_keyring_once_it_broke() -> None:
    backend = CountingKeyring()
    backend.values[(SERVICE, "office/password")] = "hunter2"
    store = SecretStore(backend)
    assert store.get("office", "password") == "hunter2"
    backend.broken = True  # the keyring daemon died
    assert store.get("office", "token") is None
    assert store.problem and "did not answer" in store.problem
    assert store.get("office", "password") is None
    assert not store.is_stored("office", "password")


def test_reload_reads_the_keyring_again_after_another_process_changed_it() -> None:
    """What ``dialer-gui secret set`` makes a running app do (tests/ui/test_secret_reload.py)."""
    backend = CountingKeyring()
    store = SecretStore(backend)
    assert not store.is_stored("office", "password")  # read once: missing
    backend.values[(SERVICE, "office/password")] = "from-the-command"
    assert not store.is_stored("office", "password")  # answered from what it read
    store.reload()
    assert store.is_stored("office", "password")
    assert store.get("office", "password") == "from-the-command"


def test_reload_tries_a_keyring_given_up_on_and_prefers_what_it_now_holds() -> None:
    backend = CountingKeyring()
    store = SecretStore(backend)
    backend.broken = True  # locked or crashed while Settings saved
    store.get("office", "password")
    assert not store.set("office", "password", "typed-in-settings")
    assert store.in_memory_only("office", "password")
    backend.broken = False
    backend.values[(SERVICE, "office/password")] = "stored-by-the-command"
    store.reload()
    assert store.available and store.problem is None
    assert not store.in_memory_only("office", "password")
    assert store.get("office", "password") == "stored-by-the-command"
