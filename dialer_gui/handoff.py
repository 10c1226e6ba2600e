"""Offer one link to the running instance, and start the full app when nobody takes it.

Every door from outside that carries a link (the OS's link handler, ``dialer-gui --link``, and
any later one such as a browser's native messaging host) takes the same two steps:

1. :func:`offer`: check the link with the same code the receiving side runs
   (:func:`dialer_gui.ipc.encode`) and hand it to the running instance; the answer says what
   happened, with the reason in words a person understands;
2. when nobody took it, start the app with the link. A process started without
   site-packages (``link_entry.py``, ``python -I -S``) cannot import Qt, so
   :func:`full_app_command` says how to run the same command line on the full interpreter
   and :func:`restart_with_site` replaces this process with it.

Stdlib only and small, like :mod:`dialer_gui.ipc`: it runs in the process the OS starts for
every click.
"""

from __future__ import annotations

import sys

from dialer_gui import ipc
from dialer_gui.errors import IPCError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn

__all__ = [
    "HANDED",
    "NOBODY",
    "REFUSED",
    "UNCONFIRMED",
    "Offer",
    "full_app_command",
    "offer",
    "restart_with_site",
]

# What became of an offered link; plain strings, so this module loads no enum.
HANDED = "handed"
"""The running instance confirmed the link; it shows the call from here on."""
REFUSED = "refused"
"""The link failed the checks; nothing was sent and nobody was woken."""
UNCONFIRMED = "unconfirmed"
"""An instance took the connection but did not confirm: it may have the link, so do not dial
it again here; tell the user instead."""
NOBODY = "nobody"
"""No instance listens on a socket we trust: start the app with the link."""


class Offer:
    """The outcome of :func:`offer`: one of the four constants above, and why."""

    __slots__ = ("outcome", "reason")

    def __init__(self, outcome: str, reason: str = "") -> None:
        self.outcome = outcome
        self.reason = reason

    def __repr__(self) -> str:
        return f"Offer({self.outcome!r}, {self.reason!r})"


def offer(uri: str, *, timeout: float = 2.0) -> Offer:
    """Check ``uri`` and hand it to the running instance as a link.

    Args:
        uri: The link exactly as the OS (or the browser) gave it.
        timeout: Seconds for connecting, writing and reading the answer, all together.
    """
    message = ipc.Message("dial", uri, "link")
    try:
        ipc.encode(message)  # the same checks the receiving side makes
    except IPCError as exc:
        return Offer(REFUSED, str(exc))
    try:
        handed = ipc.send(message, timeout=timeout)
    except IPCError as exc:
        return Offer(UNCONFIRMED, str(exc))
    return Offer(HANDED) if handed else Offer(NOBODY)


def full_app_command(args: list[str]) -> list[str]:
    """The command that runs ``dialer-gui ARGS`` on this interpreter with its site-packages.

    ``-P`` keeps the working folder (wherever the OS started us) off the module path, so a
    folder there named like a module cannot stand in for it.
    """
    return [sys.executable, "-P", "-m", "dialer_gui", *args]


def restart_with_site(args: list[str]) -> NoReturn:
    """Replace this process with :func:`full_app_command` (on Windows: run it and pass on its
    exit code, since ``os.execv`` there neither quotes arguments nor keeps the process)."""
    import os

    command = full_app_command(args)
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import subprocess

        sys.exit(subprocess.call(command))
    for stream in (sys.stdout, sys.stderr):  # exec drops what they still buffer
        if stream is not None:
            stream.flush()
    os.execv(command[0], command)  # noqa: S606 - our interpreter, arguments as a list
