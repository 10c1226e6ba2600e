"""Start dialer-gui at login: off by default; on with ``dialer-gui autostart on``.

* Linux: an XDG autostart entry, ``$XDG_CONFIG_HOME/autostart/dialer-gui.desktop``;
* Windows: a value in ``HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run``;
* macOS: a LaunchAgent, ``~/Library/LaunchAgents/org.dialer-gui.plist``.

At login we start hidden in the tray (``--background``), never with a link.
"""

from __future__ import annotations

import os
import plistlib
import sys
from pathlib import Path
from typing import Any

from dialer_gui.core import atomic
from dialer_gui.platform import APP_ID, RegistrationError
from dialer_gui.platform.launcher import desktop_exec, handler_command

__all__ = [
    "LAUNCH_AGENT_LABEL",
    "RUN_KEY",
    "autostart_command",
    "autostart_entry",
    "disable",
    "enable",
    "is_enabled",
    "launch_agent",
    "launch_agent_path",
    "run_entry",
    "xdg_autostart_path",
]

RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
LAUNCH_AGENT_LABEL = "org.dialer-gui"


def autostart_command() -> list[str]:
    """The handler command with ``--background``: start in the tray, no window."""
    return [*handler_command(), "--background"]


# --- Linux ----------------------------------------------------------------------------------


def xdg_autostart_path() -> Path:
    """``$XDG_CONFIG_HOME/autostart/dialer-gui.desktop``."""
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "autostart" / f"{APP_ID}.desktop"


def autostart_entry(command: list[str]) -> str:
    """The XDG autostart desktop entry for ``command``."""
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        f"Name={APP_ID}\n"
        "Comment=Click-to-call dialer in the tray\n"
        f"Exec={desktop_exec(command, field_code=None)}\n"
        f"Icon={APP_ID}\n"
        "Terminal=false\n"
        "NoDisplay=true\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


# --- Windows --------------------------------------------------------------------------------


def run_entry(command: list[str]) -> tuple[str, str, str]:
    """The HKCU Run value as ``(key, value name, command line)``."""
    from dialer_gui.platform.windows import command_line

    return (RUN_KEY, APP_ID, command_line(command))


# --- macOS ----------------------------------------------------------------------------------


def launch_agent_path() -> Path:
    """``~/Library/LaunchAgents/org.dialer-gui.plist``."""
    return Path.home() / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT_LABEL}.plist"


def launch_agent(command: list[str]) -> dict[str, Any]:
    """The LaunchAgent property list: run once at login, never restart on quit."""
    return {
        "Label": LAUNCH_AGENT_LABEL,
        "ProgramArguments": list(command),
        "RunAtLoad": True,
        "KeepAlive": False,
        "ProcessType": "Interactive",
        "LimitLoadToSessionType": "Aqua",
    }


# --- per OS ---------------------------------------------------------------------------------


def _write(path: Path, data: bytes) -> None:
    try:
        atomic.write_atomically(path, data, mode=0o644, dir_mode=0o755)
    except OSError as exc:
        raise RegistrationError(
            f"Could not turn on start at login: {path} cannot be written ({exc.strerror})."
        ) from exc


def enable() -> str:
    """Start dialer-gui at login; returns what was done, as a sentence.

    Raises:
        RegistrationError: the file or registry value cannot be written.
    """
    command = autostart_command()
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import winreg

        key, name, value = run_entry(command)
        try:
            with winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, key, 0, winreg.KEY_SET_VALUE) as k:
                winreg.SetValueEx(k, name, 0, winreg.REG_SZ, value)
        except OSError as exc:
            raise RegistrationError(
                f"Windows did not let dialer-gui start at login ({exc.strerror})."
            ) from exc
        return "dialer-gui will start at login (Windows Run entry)."
    if sys.platform == "darwin":  # pragma: no cover - macOS only
        path = launch_agent_path()
        _write(path, plistlib.dumps(launch_agent(command)))
        return f"dialer-gui will start at login ({path})."
    path = xdg_autostart_path()
    _write(path, autostart_entry(command).encode())
    return f"dialer-gui will start at login ({path})."


def disable() -> str:
    """Stop starting at login; returns what was done, as a sentence."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import winreg

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE) as k:
                winreg.DeleteValue(k, APP_ID)
        except FileNotFoundError:
            return "dialer-gui was not set to start at login."
        return "dialer-gui will no longer start at login."
    path = launch_agent_path() if sys.platform == "darwin" else xdg_autostart_path()
    try:
        path.unlink()
    except FileNotFoundError:
        return "dialer-gui was not set to start at login."
    except OSError as exc:
        raise RegistrationError(
            f"Could not turn off start at login: {path} cannot be removed ({exc.strerror})."
        ) from exc
    return "dialer-gui will no longer start at login."


def is_enabled() -> bool:
    """Whether dialer-gui starts at login."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import winreg

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as k:
                winreg.QueryValueEx(k, APP_ID)
        except OSError:
            return False
        return True
    path = launch_agent_path() if sys.platform == "darwin" else xdg_autostart_path()
    return path.is_file()
