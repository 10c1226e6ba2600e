"""Linux (and other freedesktop systems): a desktop entry and x-scheme-handler defaults.

Registering writes ``$XDG_DATA_HOME/applications/dialer-gui.desktop`` and makes it the default
for each scheme with ``xdg-mime``. ``xdg-mime`` guesses the desktop environment and may do
nothing useful when it cannot; each default is therefore read back, and when it did not take,
written into ``$XDG_CONFIG_HOME/mimeapps.list`` directly (the file the MIME Applications
Associations spec names, which ``xdg-mime`` itself writes in the generic case).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path

from dialer_gui.core import atomic
from dialer_gui.platform import APP_ID, DESKTOP_FILE, SCHEMES, RegistrationError
from dialer_gui.platform.launcher import desktop_exec

__all__ = [
    "applications_dir",
    "desktop_entry",
    "desktop_file",
    "mimeapps_file",
    "query_default",
    "register",
    "unregister",
]

log = logging.getLogger("dialer_gui.platform")

_TIMEOUT = 10.0
_DEFAULTS_GROUP = "[Default Applications]"
_ADDED_GROUP = "[Added Associations]"


def _data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def _config_home() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")


def applications_dir() -> Path:
    """Where per-user desktop entries live: ``$XDG_DATA_HOME/applications``."""
    return _data_home() / "applications"


def desktop_file() -> Path:
    """Our desktop entry's path."""
    return applications_dir() / DESKTOP_FILE


def mimeapps_file() -> Path:
    """The per-user defaults file: ``$XDG_CONFIG_HOME/mimeapps.list``."""
    return _config_home() / "mimeapps.list"


def desktop_entry(exec_line: str) -> str:
    """The text of our desktop entry.

    Args:
        exec_line: The Exec value, ending in ``--link %u`` (see ``launcher.desktop_exec``).
    """
    mime_types = "".join(f"x-scheme-handler/{scheme};" for scheme in SCHEMES)
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        f"Name={APP_ID}\n"
        "GenericName=Click-to-call dialer\n"
        "Comment=Dial tel:, callto: and sip: links through your phone system\n"
        f"Exec={exec_line}\n"
        f"Icon={APP_ID}\n"
        "Terminal=false\n"
        "StartupNotify=false\n"
        "NoDisplay=false\n"
        "Categories=Network;Telephony;\n"
        f"MimeType={mime_types}\n"
    )


def _run(args: list[str]) -> subprocess.CompletedProcess[str] | None:
    """Run a helper tool; None when it is not installed."""
    if shutil.which(args[0]) is None:
        return None
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("Running %s failed: %s", args[0], exc)
        return subprocess.CompletedProcess(args, 1, "", str(exc))


def query_default(scheme: str) -> str | None:
    """The desktop entry that opens ``scheme:`` links (``xdg-mime query default``)."""
    result = _run(["xdg-mime", "query", "default", f"x-scheme-handler/{scheme}"])
    if result is None:
        return _read_mimeapps_default(scheme)
    answer = result.stdout.strip()
    return answer or None if result.returncode == 0 else None


def _write_atomic(path: Path, text: str) -> None:
    # Desktop entries and mimeapps.list are read by the desktop, not secret: 0644 when new.
    atomic.write_atomically(path, text, mode=0o644, dir_mode=0o755)


def _read_mimeapps_defaults(scheme: str) -> list[str]:
    """The [Default Applications] list for ``scheme`` in the per-user mimeapps.list."""
    path = mimeapps_file()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    group = ""
    key = f"x-scheme-handler/{scheme}"
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("["):
            group = stripped
        elif group == _DEFAULTS_GROUP and stripped.partition("=")[0].strip() == key:
            return [e.strip() for e in stripped.partition("=")[2].split(";") if e.strip()]
    return []


def _read_mimeapps_default(scheme: str) -> str | None:
    entries = _read_mimeapps_defaults(scheme)
    return entries[0] if entries else None


def _edit_mimeapps(
    schemes: tuple[str, ...] | list[str],
    *,
    make_default: bool,
    previous: dict[str, list[str]] | None = None,
) -> None:
    """Put our desktop file first for ``schemes`` in [Default Applications], or take it out.

    Only our own entries change: other groups, comments, keys and other applications in the
    same lists are kept. Taking it out also removes it from [Added Associations].

    Args:
        schemes: The schemes to change.
        make_default: True to put us first, False to remove us.
        previous: Per scheme, the default list before ``xdg-mime`` replaced it; those
            applications are put back behind us, so unregistering restores them.
    """
    path = mimeapps_file()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = []
    keys = [f"x-scheme-handler/{scheme}" for scheme in schemes]
    missing = list(keys)
    out: list[str] = []
    group = ""
    insert_at: int | None = None
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("["):
            group = stripped
            out.append(line)
            if group == _DEFAULTS_GROUP and insert_at is None:
                insert_at = len(out)
            continue
        key, equals, value = stripped.partition("=")
        key = key.strip()
        if not equals or key not in keys or group not in (_DEFAULTS_GROUP, _ADDED_GROUP):
            out.append(line)
            continue
        others = [e.strip() for e in value.split(";") if e.strip() and e.strip() != DESKTOP_FILE]
        if group == _DEFAULTS_GROUP and previous:
            scheme = key.removeprefix("x-scheme-handler/")
            others += [e for e in previous.get(scheme, []) if e not in others and e != DESKTOP_FILE]
        if make_default and group == _DEFAULTS_GROUP and key in missing:
            missing.remove(key)
            others.insert(0, DESKTOP_FILE)
        if others:
            out.append(f"{key}={';'.join(others)};")
    if make_default and missing:
        new = [f"{key}={DESKTOP_FILE};" for key in missing]
        if insert_at is None:
            if out and out[-1].strip():
                out.append("")
            out += [_DEFAULTS_GROUP, *new]
        else:
            out[insert_at:insert_at] = new
    _write_atomic(path, "\n".join(out) + "\n")


def register() -> list[str]:
    """Install our desktop entry and make it the default for tel:, callto:, sip: and sips:.

    Returns:
        The steps done, as sentences.

    Raises:
        RegistrationError: the desktop entry cannot be written.
    """
    steps: list[str] = []
    path = desktop_file()
    try:
        _write_atomic(path, desktop_entry(desktop_exec()))
    except OSError as exc:
        raise RegistrationError(
            f"Could not write the menu entry {path}: {exc.strerror}. "
            "Check that your home folder is writable."
        ) from exc
    steps.append(f"Wrote the menu entry {path}.")
    previous = {scheme: _read_mimeapps_defaults(scheme) for scheme in SCHEMES}
    by_xdg_mime: list[str] = []
    for scheme in SCHEMES:
        result = _run(["xdg-mime", "default", DESKTOP_FILE, f"x-scheme-handler/{scheme}"])
        if result is None:
            continue
        if result.returncode != 0:
            log.warning("xdg-mime default for %s failed: %s", scheme, result.stderr.strip())
        elif query_default(scheme) == DESKTOP_FILE:
            by_xdg_mime.append(scheme)
    try:
        # xdg-mime replaces the whole list, and may not know this desktop at all: write the
        # spec's per-user file too, with us first and the applications that were there after.
        _edit_mimeapps(SCHEMES, make_default=True, previous=previous)
    except OSError as exc:
        raise RegistrationError(
            f"Could not record dialer-gui as the handler of links in {mimeapps_file()}: "
            f"{exc.strerror}."
        ) from exc
    if by_xdg_mime:
        links = ", ".join(f"{scheme}:" for scheme in by_xdg_mime)
        steps.append(f"Made dialer-gui the default for {links} links with xdg-mime.")
    steps.append(f"Recorded dialer-gui as the default for phone links in {mimeapps_file()}.")
    if _run(["update-desktop-database", str(path.parent)]) is not None:
        steps.append("Refreshed the desktop database.")
    return steps


def unregister() -> list[str]:
    """Remove our desktop entry and our defaults; other applications' settings are kept."""
    steps: list[str] = []
    ours = [s for s in SCHEMES if _read_mimeapps_default(s) == DESKTOP_FILE]
    try:
        if mimeapps_file().exists():
            _edit_mimeapps(SCHEMES, make_default=False)
    except OSError as exc:
        raise RegistrationError(
            f"Could not remove dialer-gui from {mimeapps_file()}: {exc.strerror}."
        ) from exc
    if ours:
        steps.append(f"Removed dialer-gui as the default for {', '.join(ours)} links.")
    path = desktop_file()
    if path.exists():
        path.unlink()
        steps.append(f"Removed the menu entry {path}.")
        if _run(["update-desktop-database", str(path.parent)]) is not None:
            steps.append("Refreshed the desktop database.")
    return steps
