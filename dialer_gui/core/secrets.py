"""Passwords and tokens, kept in the system keyring and nowhere else on disk.

Each secret is stored under service ``dialer-gui`` and username ``PROFILE/FIELD``. When there is
no usable keyring (none installed, locked, or a broken DBus service), secrets are kept in memory
for this run only and :attr:`SecretStore.problem` says so in a plain sentence: calls keep
working, the user is told why they will be asked again after a restart. Never a plaintext file.

Secret values are never logged.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

from dialer_gui.errors import SecretStoreError

# keyring and its backends (D-Bus, cryptography) cost tens of milliseconds and ~13 MiB; they
# are loaded on first use, which the app makes in its warm-up thread, not before the window.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import keyring.backend

log = logging.getLogger(__name__)

SERVICE = "dialer-gui"

NO_KEYRING = (
    "No system keyring is available, so passwords are kept in memory only until dialer-gui "
    "quits. Install and unlock a keyring (GNOME Keyring, KWallet, ...) to keep them."
)
BROKEN_KEYRING = (
    "The system keyring did not answer ({reason}), so passwords are kept in memory only until "
    "dialer-gui quits. Unlock or repair the keyring to keep them."
)

__all__ = ["SERVICE", "SecretStore", "SecretStoreError", "username"]


def username(profile: str, field: str) -> str:
    """The keyring username for one secret: ``PROFILE/FIELD``."""
    return f"{profile}/{field}"


def _unusable(backend: keyring.backend.KeyringBackend) -> bool:
    """True for backends that cannot keep anything: fail, null, or a chainer with nothing."""
    from keyring.backends import chainer, fail, null

    if isinstance(backend, fail.Keyring | null.Keyring):
        return True
    return isinstance(backend, chainer.ChainerBackend) and not backend.backends


def _reason(exc: BaseException) -> str:
    # Only the class name: backend messages might quote what was being stored.
    return type(exc).__name__


class SecretStore:
    """Get, set and delete secrets of provider profiles.

    Args:
        backend: a keyring backend; ``keyring.get_keyring()`` if None.
    """

    def __init__(self, backend: keyring.backend.KeyringBackend | None = None) -> None:
        self._memory: dict[str, str] = {}
        # What this process learnt from the keyring, key -> stored or not: is_stored answers
        # from here, so a window need not wait on a D-Bus round trip for what warm-up read.
        self._known: dict[str, bool] = {}
        self._problem: str | None = None
        self._backend: keyring.backend.KeyringBackend | None = backend
        self._given = backend  # what reload() goes back to after the keyring failed once
        self._resolved = False
        self._lock = threading.Lock()  # first use may come from the warm-up thread

    def _resolve(self) -> None:
        """Find the keyring backend on first use (see the module's import note)."""
        if self._resolved:
            return
        with self._lock:
            if self._resolved:
                return
            backend = self._backend
            if backend is None:
                try:
                    import keyring

                    backend = keyring.get_keyring()
                except Exception as exc:  # keyring's backend discovery can fail in odd ways
                    log.warning("Could not load a keyring backend: %s", _reason(exc))
                    backend = None
            if backend is None or _unusable(backend):
                self._backend = None
                self._problem = NO_KEYRING
            else:
                self._backend = backend
            self._resolved = True

    @property
    def problem(self) -> str | None:
        """A plain sentence when secrets cannot be kept in a keyring; None when all is well."""
        self._resolve()
        return self._problem

    @property
    def available(self) -> bool:
        """Whether secrets are kept in a working keyring (and so survive a restart)."""
        self._resolve()
        return self._backend is not None

    def _give_up(self, action: str, exc: BaseException) -> None:
        """The backend failed: keep secrets in memory from now on and explain why."""
        import keyring.errors

        log.warning("The keyring failed to %s a secret (%s); using memory", action, _reason(exc))
        if isinstance(exc, keyring.errors.NoKeyringError):
            self._problem = NO_KEYRING
        else:
            self._problem = BROKEN_KEYRING.format(reason=_reason(exc))
        self._backend = None
        self._known.clear()  # from now on only memory holds secrets

    def reload(self) -> None:
        """Forget what this process learnt: another process (``dialer-gui secret``) changed it.

        A keyring given up on after a failure is tried again, and a secret held in memory is
        dropped where the keyring now has one of its own. May block on D-Bus: a worker thread's
        job.
        """
        with self._lock:
            self._known.clear()
            self._backend, self._resolved, self._problem = self._given, False, None
        self._resolve()
        backend = self._backend
        if backend is None:
            return
        for key in list(self._memory):
            try:
                found = backend.get_password(SERVICE, key)
            except Exception as exc:  # the one boundary, as in get()
                self._give_up("read", exc)
                return
            if isinstance(found, str):
                self._memory.pop(key, None)

    def get(self, profile: str, field: str) -> str | None:
        """The secret, or None if it was never set."""
        key = username(profile, field)
        if key in self._memory:
            return self._memory[key]
        self._resolve()
        if self._backend is None:
            return None
        try:
            value = self._backend.get_password(SERVICE, key)
        except Exception as exc:  # the one boundary: broken DBus backends raise anything
            self._give_up("read", exc)
            return None
        found = isinstance(value, str)
        self._known[key] = found
        return value if found else None

    def is_stored(self, profile: str, field: str, *, confirm_missing: bool = False) -> bool:
        """Whether a secret is set, answered from what this process already read or wrote.

        The keyring is asked only about secrets not seen yet, and with ``confirm_missing``
        about one believed missing (another process may have set it since).
        """
        key = username(profile, field)
        if key in self._memory:
            return True
        known = self._known.get(key)
        if known or (known is False and not confirm_missing):
            return known
        return self.get(profile, field) is not None

    def set(self, profile: str, field: str, value: str) -> bool:
        """Store a secret; in memory (and :attr:`problem` set) if the keyring fails.

        Returns:
            True when the keyring has it; False when it is kept in memory only, until this
            process ends (:attr:`problem` says why), so nothing may call it stored.
        """
        key = username(profile, field)
        self._resolve()
        if self._backend is not None:
            try:
                self._backend.set_password(SERVICE, key, value)
            except Exception as exc:
                self._give_up("store", exc)
            else:
                self._memory.pop(key, None)
                self._known[key] = True
                log.info("Stored secret %s in the keyring", key)
                return True
        self._memory[key] = value
        return False

    def in_memory_only(self, profile: str, field: str) -> bool:
        """Whether this secret is held by this process alone (the keyring did not take it)."""
        return username(profile, field) in self._memory

    def delete(self, profile: str, field: str) -> None:
        """Forget a secret; no error if there is none.

        Raises:
            SecretStoreError: the keyring refused to delete it, so it would survive.
        """
        import keyring.errors

        key = username(profile, field)
        self._memory.pop(key, None)
        self._known.pop(key, None)
        self._resolve()
        if self._backend is None:
            return
        try:
            if self._backend.get_password(SERVICE, key) is None:
                return
            self._backend.delete_password(SERVICE, key)
        except keyring.errors.PasswordDeleteError:
            return  # gone between the check and the delete
        except Exception as exc:
            # Unlike get and set there is no memory fallback for this: the secret would stay
            # in the keyring, and the caller must be able to say so.
            log.warning("The keyring failed to delete secret %s (%s)", key, _reason(exc))
            raise SecretStoreError(
                f"The system keyring did not delete the {field} of {profile} ({_reason(exc)}). "
                "Unlock the keyring and try again."
            ) from exc

    def secrets_for(self, profile: str, field_names: Iterable[str]) -> dict[str, str]:
        """The secrets of one profile that are set, by field name."""
        found: dict[str, str] = {}
        for name in field_names:
            value = self.get(profile, name)
            if value is not None:
                found[name] = value
        return found
