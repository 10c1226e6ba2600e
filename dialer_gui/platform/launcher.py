"""How the OS should start us: the command for links and autostart, however we are installed.

The link is always passed as ``--link URI`` and must come last, so a URI can never be read as
an option. ``dialer_gui.cli`` treats whatever follows ``--link`` as data only.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["desktop_exec", "desktop_quote", "handler_command", "link_command", "native_host_path"]

# Characters that force quoting in a desktop entry's Exec key (Desktop Entry spec, "The Exec
# key"); inside double quotes, the four in _ESCAPED_IN_QUOTES need a backslash.
_RESERVED = frozenset(" \t\n\"'\\><~|&;$*?#()`")
_ESCAPED_IN_QUOTES = ("\\", '"', "`", "$")


def handler_command() -> list[str]:
    """The command that starts this copy of dialer-gui, without arguments.

    Returns:
        ``[sys.executable]`` for a PyInstaller build, ``[$APPIMAGE]`` inside an AppImage,
        ``["flatpak", "run", id]`` inside a Flatpak, the ``dialer-gui`` console script next
        to the interpreter for a pip install, else ``[python, "-m", "dialer_gui"]``.
    """
    if getattr(sys, "frozen", False):
        return [sys.executable]
    appimage = os.environ.get("APPIMAGE")
    if appimage:
        return [appimage]
    flatpak = os.environ.get("FLATPAK_ID")
    if flatpak:
        return ["flatpak", "run", flatpak]
    script = Path(sys.executable).with_name("dialer-gui.exe" if os.name == "nt" else "dialer-gui")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "dialer_gui"]


def native_host_path() -> Path | None:
    """The browser companion's host program of this copy of dialer-gui, or None if missing.

    Browsers start it by path, with no arguments of ours, so it is a program of its own: the
    ``dialer-gui-native-host`` console script pip installs (in the environment's scripts
    folder, usually next to the interpreter), or that file beside a packaged ``dialer-gui``.
    """
    name = "dialer-gui-native-host.exe" if os.name == "nt" else "dialer-gui-native-host"
    folders = [Path(sys.executable).parent]
    if not getattr(sys, "frozen", False):
        import sysconfig

        folders.insert(0, Path(sysconfig.get_path("scripts")))
    for folder in folders:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def link_command(placeholder: str) -> list[str]:
    """The handler command with ``--link`` and the OS's placeholder for the URI, last."""
    return [*handler_command(), "--link", placeholder]


def desktop_quote(arg: str) -> str:
    """Quote one argument for a desktop entry's Exec key (quoting and string escaping).

    Raises:
        ValueError: the argument contains a newline or another control character, which a
            desktop entry cannot carry.
    """
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in arg):
        raise ValueError(f"A command argument cannot contain control characters: {arg!r}")
    arg = arg.replace("%", "%%")  # a literal percent sign, not a field code
    if arg and not any(c in _RESERVED for c in arg):
        quoted = arg
    else:
        inner = arg
        for char in _ESCAPED_IN_QUOTES:
            inner = inner.replace(char, "\\" + char)
        quoted = f'"{inner}"'
    # The string-value escape rule applies on top of the quoting rule, so each backslash is
    # doubled once more (a literal backslash in a quoted argument ends up as four).
    return quoted.replace("\\", "\\\\")


def desktop_exec(command: list[str] | None = None, *, field_code: str | None = "%u") -> str:
    """The Exec line of our desktop entry.

    Args:
        command: The command; :func:`handler_command` by default.
        field_code: ``%u`` for the link handler (added as ``--link %u``); None for autostart.
    """
    parts = [desktop_quote(arg) for arg in (command or handler_command())]
    if field_code is not None:
        parts += ["--link", field_code]
    return " ".join(parts)
