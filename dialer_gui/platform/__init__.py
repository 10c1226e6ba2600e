"""OS integration: link handler registration, autostart and the doctor report, per OS.

Nothing here imports Qt. Each OS has its own module (:mod:`.linux`, :mod:`.windows`,
:mod:`.macos`) with pure functions that build what the OS needs (a desktop entry, registry
entries, an Info.plist) and small functions that apply it; :func:`register`,
:func:`unregister` and :func:`query_default` pick the module for the running OS.

The link always reaches us as ``dialer-gui --link URI``, so a crafted URI can never become a
command-line option (the answer qutebrowser gave to CVE-2021-41146); see :mod:`.launcher`.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

from dialer_gui.errors import DialerError
from dialer_gui.vocabulary.schemes import SCHEMES  # re-exported: what every OS registers

__all__ = [
    "APP_ID",
    "BUNDLE_ID",
    "DESKTOP_FILE",
    "SCHEMES",
    "RegistrationError",
    "query_default",
    "register",
    "unregister",
]

APP_ID = "dialer-gui"
DESKTOP_FILE = "dialer-gui.desktop"
BUNDLE_ID = "org.dialer-gui.DialerGui"


class RegistrationError(DialerError):
    """The OS refused to register dialer-gui as a link handler or for autostart."""


def register() -> list[str]:
    """Make dialer-gui the handler of :data:`SCHEMES` on this OS, and the browser companion's
    native messaging host in each browser; returns the steps done.

    Raises:
        RegistrationError: a step failed; the message says which and what to do.
    """
    from dialer_gui.platform import native_messaging

    steps: list[str] = _module().register()
    return steps + native_messaging.register()


def unregister() -> list[str]:
    """Undo :func:`register`; returns the steps done."""
    from dialer_gui.platform import native_messaging

    steps: list[str] = _module().unregister()
    return steps + native_messaging.unregister()


def query_default(scheme: str) -> str | None:
    """What the OS opens ``scheme:`` links with, or None when nothing or unknown."""
    handler: str | None = _module().query_default(scheme)
    return handler


def _module() -> ModuleType:
    name = {"win32": "windows", "darwin": "macos"}.get(sys.platform, "linux")
    return importlib.import_module(f"dialer_gui.platform.{name}")
