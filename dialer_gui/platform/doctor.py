"""``dialer-gui doctor``: what works, what does not, and how to fix it.

The OS-level checks live here (link handlers, keyring, the single-instance socket); the tray
(which needs Qt) and the providers (which need the network) are checked by their owners and
handed in, so this module stays Qt-free and quick.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass

from dialer_gui.platform import BUNDLE_ID, DESKTOP_FILE, SCHEMES, query_default

__all__ = [
    "Check",
    "browser_checks",
    "format_report",
    "ipc_check",
    "keyring_check",
    "link_checks",
    "run",
]

log = logging.getLogger("dialer_gui.platform")

_REGISTER_FIX = "Run `dialer-gui register` to make dialer-gui open these links."


@dataclass
class Check:
    """One line of the report.

    Attributes:
        name: What was checked, e.g. ``"tel: links"``.
        ok: Whether it is fine.
        detail: What was found, as a sentence.
        fix: What to do when it is not fine; empty when ``ok``.
    """

    name: str
    ok: bool
    detail: str
    fix: str = ""


def _ours() -> str:
    if sys.platform == "win32":
        from dialer_gui.platform.windows import PROG_ID

        return PROG_ID
    return BUNDLE_ID if sys.platform == "darwin" else DESKTOP_FILE


def link_checks() -> list[Check]:
    """Which application the OS opens each phone link scheme with."""
    ours = _ours().lower()
    checks = []
    for scheme in SCHEMES:
        try:
            handler = query_default(scheme)
        except Exception as exc:  # a broken helper tool must not break the whole report
            log.warning("Asking the OS about %s: links failed: %s", scheme, exc)
            handler = None
        name = f"{scheme}: links"
        if handler is not None and handler.lower() == ours:
            checks.append(Check(name, True, "open with dialer-gui."))
        elif handler is None:
            checks.append(Check(name, False, "no application is set to open them.", _REGISTER_FIX))
        else:
            checks.append(
                Check(name, False, f"open with {handler}, not dialer-gui.", _REGISTER_FIX)
            )
    return checks


def keyring_check() -> Check:
    """Whether a system keyring is there to keep provider passwords."""
    name = "Password storage"
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
    except Exception as exc:
        return Check(name, False, f"the keyring library does not work: {exc}.", _keyring_fix())
    if isinstance(backend, fail.Keyring):
        return Check(
            name,
            False,
            "no system keyring was found, so passwords are kept only until dialer-gui quits.",
            _keyring_fix(),
        )
    label = getattr(backend, "name", type(backend).__name__)
    return Check(name, True, f"passwords are kept in {label}.")


def _keyring_fix() -> str:
    if sys.platform.startswith("linux"):
        return (
            "Install and unlock a keyring service (GNOME Keyring or KWallet) and log in again; "
            "on a server without a desktop, see the keyring documentation for alternatives."
        )
    return "Make sure the system keychain (Credential Manager or Keychain) is available."


def ipc_check() -> Check:
    """Whether the private folder for the single-instance socket can be used."""
    from dialer_gui import ipc
    from dialer_gui.errors import IPCError

    name = ipc.socket_name()
    try:
        ipc.prepare_socket_dir(name)
    except IPCError as exc:
        return Check(
            "Single instance",
            False,
            str(exc),
            "Links would start a second copy of dialer-gui; fix the folder named above.",
        )
    return Check("Single instance", True, f"links reach the running copy through {name}.")


def _tray_check(available: bool) -> Check:
    if available:
        return Check("System tray", True, "dialer-gui sits in the system tray.")
    return Check(
        "System tray",
        False,
        "no system tray was found, so closing the window quits dialer-gui.",
        "On GNOME, install the AppIndicator extension; other desktops have a tray built in.",
    )


def browser_checks() -> list[Check]:
    """Whether each browser this user has run can start the companion's host."""
    from dialer_gui.platform import native_messaging

    try:
        found = native_messaging.inspect()
    except Exception as exc:  # a broken check must not break the whole report
        log.warning("Checking the browser companion failed: %s", exc)
        return [Check("Browser companion", False, f"could not be checked: {exc}.")]
    return [Check(s.name, s.ok, s.detail, s.fix) for s in found]


def system_checks() -> list[Check]:
    """The checks that need neither Qt nor the network."""
    return [*link_checks(), keyring_check(), ipc_check(), *browser_checks()]


def run(
    tray_available: bool | None = None, provider_checks: list[Check] | None = None
) -> list[Check]:
    """All checks: the system ones, the tray when known, then the providers' results."""
    checks = system_checks()
    if tray_available is not None:
        checks.append(_tray_check(tray_available))
    checks += provider_checks or []
    return checks


def format_report(checks: list[Check]) -> str:
    """A plain-text report: one line per check, the fix indented under each problem."""
    lines = []
    for check in checks:
        mark = "✓" if check.ok else "✗"
        lines.append(f"{mark} {check.name}: {check.detail}")
        if not check.ok and check.fix:
            lines.append(f"    Fix: {check.fix}")
    problems = sum(not check.ok for check in checks)
    if problems == 0:
        lines.append(f"All {len(checks)} checks passed.")
    else:
        lines.append(f"{problems} of {len(checks)} checks found a problem.")
    return "\n".join(lines)
