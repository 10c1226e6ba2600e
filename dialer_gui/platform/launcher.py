"""How the OS should start us: the command for links and autostart, however we are installed.

The link is always passed as ``--link URI`` and must come last, so a URI can never be read as
an option. ``dialer_gui.cli`` treats whatever follows ``--link`` as data only.

For a pip install the OS runs the fast entry for links (:func:`link_handler_command`): the
interpreter with ``-I -S`` and the absolute path of ``dialer_gui/link_entry.py``, which hands
the link to the running app importing only the standard library and our hand-off modules.
Everything else (autostart, the app menu, a link when the app is not running) ends up in the
normal command, :func:`handler_command`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = [
    "desktop_exec",
    "desktop_quote",
    "handler_command",
    "link_command",
    "link_handler_command",
    "native_host_path",
]

# Characters that force quoting in a desktop entry's Exec key (Desktop Entry spec, "The Exec
# key"); inside double quotes, the four in _ESCAPED_IN_QUOTES need a backslash.
_RESERVED = frozenset(" \t\n\"'\\><~|&;$*?#()`")
_ESCAPED_IN_QUOTES = ("\\", '"', "`", "$")
# The interpreter options of the fast entry: no site-packages (-S), no PYTHON* variables and
# no script or working folder on the module path (-I).
FAST_OPTIONS = ("-I", "-S")


def _packaged_command() -> list[str] | None:
    """The command of a packaged build (PyInstaller, AppImage, Flatpak), or None."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    appimage = os.environ.get("APPIMAGE")
    if appimage:
        return [appimage]
    flatpak = os.environ.get("FLATPAK_ID")
    if flatpak:
        return ["flatpak", "run", flatpak]
    return None


def handler_command() -> list[str]:
    """The command that starts this copy of dialer-gui, without arguments.

    Returns:
        ``[sys.executable]`` for a PyInstaller build, ``[$APPIMAGE]`` inside an AppImage,
        ``["flatpak", "run", id]`` inside a Flatpak, the ``dialer-gui`` console script next
        to the interpreter for a pip install, else ``[python, "-m", "dialer_gui"]``.
    """
    packaged = _packaged_command()
    if packaged is not None:
        return packaged
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


def _link_python() -> str:
    """The interpreter for the fast entry: ``pythonw.exe`` on Windows (no console window)."""
    if os.name == "nt":
        windowless = Path(sys.executable).with_name("pythonw.exe")
        if windowless.is_file():
            return str(windowless)
    return sys.executable


def link_handler_command() -> list[str]:
    """The command the OS runs for a link, without ``--link URI``.

    A packaged build starts as :func:`handler_command` says. A pip install (regular or
    editable) gets the fast entry: ``[python, "-I", "-S", "/abs/path/dialer_gui/link_entry.py"]``,
    both paths absolute, so the entry finds our package without site-packages (see
    ``dialer_gui/link_entry.py``).
    """
    packaged = _packaged_command()
    if packaged is not None:
        return packaged
    # Found beside this room rather than imported: the entry sits above every room.
    entry = Path(__file__).resolve().parent.parent / "link_entry.py"
    if not entry.is_file():  # an install that left it out: the normal command still works
        return handler_command()
    return [_link_python(), *FAST_OPTIONS, str(entry)]


def link_command(placeholder: str) -> list[str]:
    """The link handler command with ``--link`` and the OS's placeholder for the URI, last."""
    return [*link_handler_command(), "--link", placeholder]


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
        command: The command; by default :func:`link_handler_command` with a field code,
            :func:`handler_command` without.
        field_code: ``%u`` for the link handler (added as ``--link %u``); None for autostart.
    """
    if command is None:
        command = link_handler_command() if field_code is not None else handler_command()
    parts = [desktop_quote(arg) for arg in command]
    if field_code is not None:
        parts += ["--link", field_code]
    return " ".join(parts)
