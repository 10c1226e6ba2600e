"""Windows: a ProgID for phone links, announced to Default Apps through Capabilities.

Everything goes under ``HKEY_CURRENT_USER``, so no administrator rights are needed. Since
Windows 8 a program cannot make itself the default for a scheme (the user's choice is
protected by a hash), so we register the way browsers do and open Settings > Default apps:

* ``Software\\Classes\\dialer-gui.tel``: the ProgID with ``URL Protocol``, an icon and
  ``shell\\open\\command`` = ``"<exe>" --link "%1"``, where for a pip install ``<exe>`` is the
  fast entry, ``"<pythonw.exe>" -I -S "<...\\dialer_gui\\link_entry.py>"`` (see
  ``platform/launcher.py``);
* ``Software\\dialer-gui\\Capabilities``: name, description and ``URLAssociations`` mapping
  tel, callto, sip and sips to the ProgID;
* ``Software\\RegisteredApplications``: ``dialer-gui`` pointing at the Capabilities key.

The scheme keys themselves (``Software\\Classes\\tel``) are left alone unless the caller asks
for them with ``claim_schemes``: they would override other programs' handlers silently, and
Windows may already ship a handler for ``tel:``.
"""

from __future__ import annotations

import logging
import subprocess
import sys

from dialer_gui.platform import APP_ID, SCHEMES, RegistrationError
from dialer_gui.platform.launcher import link_handler_command

__all__ = [
    "CAPABILITIES_KEY",
    "PROG_ID",
    "command_line",
    "is_our_command",
    "query_default",
    "register",
    "registry_entries",
    "unregister",
]

log = logging.getLogger("dialer_gui.platform")

PROG_ID = f"{APP_ID}.tel"
PROG_ID_KEY = rf"Software\Classes\{PROG_ID}"
APP_KEY = rf"Software\{APP_ID}"
CAPABILITIES_KEY = rf"{APP_KEY}\Capabilities"
REGISTERED_APPS_KEY = r"Software\RegisteredApplications"
_USER_CHOICE = r"Software\Microsoft\Windows\Shell\Associations\UrlAssociations\{}\UserChoice"


def command_line(command: list[str], *extra: str) -> str:
    """A Windows command line: the program always quoted, the rest as the C runtime expects."""
    program, *args = command
    rest = subprocess.list2cmdline([*args, *extra])
    return f'"{program}"' + (f" {rest}" if rest else "")


def registry_entries(
    command: list[str], *, claim_schemes: bool = False
) -> list[tuple[str, str, str]]:
    """The registry values to write under HKCU, as ``(key, value name, value)``.

    Args:
        command: The program and its fixed arguments (``launcher.link_handler_command()``).
        claim_schemes: Also write ``Software\\Classes\\<scheme>`` so that we open the links
            even where the user never picked a default (see the module docstring).

    Returns:
        Entries in the order to write them; a value name of ``""`` is the key's default.
    """
    exe = command[0]
    open_command = command_line(command, "--link") + ' "%1"'
    entries = [
        (PROG_ID_KEY, "", "URL:Phone link (dialer-gui)"),
        (PROG_ID_KEY, "URL Protocol", ""),
        (PROG_ID_KEY, "FriendlyTypeName", "Phone link"),
        (rf"{PROG_ID_KEY}\DefaultIcon", "", f'"{exe}",0'),
        (rf"{PROG_ID_KEY}\shell\open\command", "", open_command),
        (CAPABILITIES_KEY, "ApplicationName", APP_ID),
        (
            CAPABILITIES_KEY,
            "ApplicationDescription",
            "Dial tel:, callto: and sip: links through your phone system.",
        ),
        *((rf"{CAPABILITIES_KEY}\URLAssociations", scheme, PROG_ID) for scheme in SCHEMES),
        (REGISTERED_APPS_KEY, APP_ID, CAPABILITIES_KEY),
    ]
    if claim_schemes:
        for scheme in SCHEMES:
            key = rf"Software\Classes\{scheme}"
            entries += [
                (key, "", f"URL:{scheme}"),
                (key, "URL Protocol", ""),
                (rf"{key}\shell\open\command", "", open_command),
            ]
    return entries


def is_our_command(command: str) -> bool:
    """Whether a scheme's open command is one :func:`registry_entries` wrote: the installed
    program (``...\\dialer-gui.exe``) or the fast entry (``...\\dialer_gui\\link_entry.py``)."""
    text = command.lower()
    return "--link" in text and (APP_ID in text or "dialer_gui" in text)


def register(*, claim_schemes: bool = False) -> list[str]:  # pragma: no cover - Windows only
    """Write :func:`registry_entries` and open Settings > Default apps.

    Raises:
        RegistrationError: the registry refused a value.
    """
    if sys.platform != "win32":
        raise RegistrationError("This step only works on Windows.")
    import winreg

    entries = registry_entries(link_handler_command(), claim_schemes=claim_schemes)
    try:
        for key, name, value in entries:
            with winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, key, 0, winreg.KEY_SET_VALUE) as k:
                winreg.SetValueEx(k, name, 0, winreg.REG_SZ, value)
    except OSError as exc:
        raise RegistrationError(
            f"Windows did not let dialer-gui register for phone links ({exc.strerror})."
        ) from exc
    _notify_association_change()
    steps = [f"Registered dialer-gui for {', '.join(s + ':' for s in SCHEMES)} links."]
    try:
        import os

        os.startfile("ms-settings:defaultapps")  # noqa: S606 - opens Settings, no shell
        steps.append(
            "Opened Settings > Default apps: choose dialer-gui for TEL (and CALLTO, SIP) there."
        )
    except OSError:
        steps.append("Open Settings > Default apps and choose dialer-gui for TEL, CALLTO and SIP.")
    return steps


def _notify_association_change() -> None:  # pragma: no cover - Windows only
    if sys.platform != "win32":
        return
    import ctypes

    shcne_assocchanged, shcnf_idlist = 0x08000000, 0
    try:
        ctypes.windll.shell32.SHChangeNotify(shcne_assocchanged, shcnf_idlist, None, None)
    except OSError:
        log.debug("SHChangeNotify failed", exc_info=True)


def _delete_tree(root: int, key: str) -> bool:  # pragma: no cover - Windows only
    if sys.platform != "win32":
        return False
    import winreg

    try:
        with winreg.OpenKey(root, key, 0, winreg.KEY_ALL_ACCESS) as handle:
            while True:
                try:
                    child = winreg.EnumKey(handle, 0)
                except OSError:
                    break
                _delete_tree(root, rf"{key}\{child}")
        winreg.DeleteKey(root, key)
    except FileNotFoundError:
        return False
    return True


def unregister() -> list[str]:  # pragma: no cover - Windows only
    """Remove what :func:`register` wrote (scheme keys only where they point at us)."""
    if sys.platform != "win32":
        raise RegistrationError("This step only works on Windows.")
    import winreg

    hkcu = winreg.HKEY_CURRENT_USER
    steps = []
    if _delete_tree(hkcu, PROG_ID_KEY):
        steps.append("Removed the dialer-gui link type.")
    if _delete_tree(hkcu, APP_KEY):
        steps.append("Removed dialer-gui from Default apps.")
    try:
        with winreg.OpenKey(hkcu, REGISTERED_APPS_KEY, 0, winreg.KEY_SET_VALUE) as k:
            winreg.DeleteValue(k, APP_ID)
    except FileNotFoundError:
        pass
    for scheme in SCHEMES:
        command_key = rf"Software\Classes\{scheme}\shell\open\command"
        try:
            with winreg.OpenKey(hkcu, command_key) as k:
                value, _ = winreg.QueryValueEx(k, "")
        except FileNotFoundError:
            continue
        if is_our_command(str(value)):
            _delete_tree(hkcu, rf"Software\Classes\{scheme}")
            steps.append(f"Removed the {scheme}: handler that pointed at dialer-gui.")
    _notify_association_change()
    return steps


def query_default(scheme: str) -> str | None:
    """The ProgID the user chose for ``scheme:`` links, or None (best effort)."""
    if sys.platform != "win32":
        return None
    import winreg

    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, _USER_CHOICE.format(scheme)) as k:
            value, _ = winreg.QueryValueEx(k, "ProgId")
    except OSError:
        return None
    return str(value) or None
