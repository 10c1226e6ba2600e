"""An in-memory keyring backend for tests; selected with PYTHON_KEYRING_BACKEND.

Subprocesses started by tests get their own empty store unless DIALER_GUI_TEST_SECRETS holds a
JSON object of ``{"service|username": "secret"}`` to preload.
"""

from __future__ import annotations

import json
import os

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

_STORE: dict[tuple[str, str], str] = {}


def reset() -> None:
    _STORE.clear()
    preload = os.environ.get("DIALER_GUI_TEST_SECRETS")
    if preload:
        for key, value in json.loads(preload).items():
            service, _, user = key.partition("|")
            _STORE[(service, user)] = value


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        return _STORE.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        _STORE[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del _STORE[(service, username)]
        except KeyError as exc:
            raise PasswordDeleteError(username) from exc


reset()
