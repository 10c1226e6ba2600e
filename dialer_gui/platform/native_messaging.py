"""The browser companion's native messaging host manifests, for each browser on each OS.

A browser starts ``dialer-gui-native-host`` for the companion extension only when a host
manifest says where it is and which extensions may start it: a JSON file named after the host
(``app.dialer_gui.native_host.json``) in the browser's per-user folder on Linux and macOS, and
on Windows a file anywhere whose path is the default value of a registry key under
``HKEY_CURRENT_USER`` (so no administrator rights are needed anywhere). Chromium-family
browsers read ``allowed_origins`` (``chrome-extension://ID/``), Firefox ``allowed_extensions``
(add-on IDs); each rejects the other's key, hence two manifests.

:data:`BROWSERS` lists each browser once with its three places. :func:`register` writes the
manifests for all of them (a browser installed later then finds its manifest waiting),
:func:`unregister` removes them, and :func:`inspect` checks the manifest of each browser this
user has run, for ``dialer-gui doctor``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dialer_gui.core import atomic, paths
from dialer_gui.platform import RegistrationError
from dialer_gui.platform.launcher import native_host_path
from dialer_gui.vocabulary import browsers

__all__ = [
    "BROWSERS",
    "Browser",
    "Status",
    "inspect",
    "manifest",
    "manifest_file",
    "register",
    "registry_entries",
    "unregister",
]

log = logging.getLogger("dialer_gui.platform")

FILE_NAME = f"{browsers.HOST_NAME}.json"
_REGISTER = "Run `dialer-gui register`."


@dataclass(frozen=True, slots=True)
class Browser:
    """Where one browser looks for host manifests.

    Attributes:
        name: as people know it.
        firefox: a Firefox (``allowed_extensions``) rather than a Chromium-family browser.
        linux: the folder under ``$XDG_CONFIG_HOME`` (Chromium family) or the home folder
            (Firefox) that holds the manifests.
        macos: the folder under ``~/Library/Application Support``.
        windows: the key under ``HKEY_CURRENT_USER`` whose subkey names the manifest.
    """

    name: str
    firefox: bool
    linux: str
    macos: str
    windows: str

    def profile_dir(self) -> Path:
        """The browser's own per-user folder; it exists once the user has run the browser."""
        return manifest_dir(self).parent


BROWSERS: tuple[Browser, ...] = (
    Browser("Google Chrome", False, "google-chrome/NativeMessagingHosts",
            "Google/Chrome/NativeMessagingHosts", r"Software\Google\Chrome\NativeMessagingHosts"),
    Browser("Chromium", False, "chromium/NativeMessagingHosts",
            "Chromium/NativeMessagingHosts", r"Software\Chromium\NativeMessagingHosts"),
    Browser("Microsoft Edge", False, "microsoft-edge/NativeMessagingHosts",
            "Microsoft Edge/NativeMessagingHosts",
            r"Software\Microsoft\Edge\NativeMessagingHosts"),
    Browser("Brave", False, "BraveSoftware/Brave-Browser/NativeMessagingHosts",
            "BraveSoftware/Brave-Browser/NativeMessagingHosts",
            r"Software\BraveSoftware\Brave-Browser\NativeMessagingHosts"),
    Browser("Firefox", True, ".mozilla/native-messaging-hosts",
            "Mozilla/NativeMessagingHosts", r"Software\Mozilla\NativeMessagingHosts"),
)  # fmt: skip
"""The browsers the companion supports (Chrome, Chromium, Edge and Brave share one code base)."""


def _config_home() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")


def manifest_dir(browser: Browser) -> Path:
    """The folder the browser reads host manifests from, on this OS.

    On Windows, where the registry points at the file, it is dialer-gui's own data folder.
    """
    if sys.platform == "win32":
        return (
            paths.data_dir()
            / "NativeMessagingHosts"
            / ("firefox" if browser.firefox else "chromium")
        )
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / browser.macos
    if browser.firefox:  # Firefox reads ~/.mozilla whatever XDG_CONFIG_HOME says
        return Path.home() / browser.linux
    return _config_home() / browser.linux  # Chromium keeps its profile in XDG_CONFIG_HOME


def manifest_file(browser: Browser) -> Path:
    return manifest_dir(browser) / FILE_NAME


def manifest(browser: Browser, host: str) -> dict[str, Any]:
    """The host manifest ``browser`` reads, for the host program at ``host``."""
    data: dict[str, Any] = {
        "name": browsers.HOST_NAME,
        "description": browsers.HOST_DESCRIPTION,
        "path": host,
        "type": "stdio",
    }
    if browser.firefox:
        data["allowed_extensions"] = list(browsers.GECKO_EXTENSION_IDS)
    else:
        data["allowed_origins"] = list(browsers.CHROMIUM_ORIGINS)
    return data


def registry_entries() -> list[tuple[str, str, str]]:
    """The HKCU values that point each browser at its manifest on Windows: (key, name, value)."""
    return [
        (rf"{browser.windows}\{browsers.HOST_NAME}", "", str(manifest_file(browser)))
        for browser in BROWSERS
    ]


# --- register and unregister -------------------------------------------------------------------


def _names(items: list[Browser]) -> str:
    names = [b.name for b in items]
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)


def register() -> list[str]:
    """Write the host manifests for every browser in :data:`BROWSERS`; the steps done.

    Raises:
        RegistrationError: a manifest could not be written.
    """
    host = native_host_path()
    if host is None:
        return [
            "The browser companion's host program (dialer-gui-native-host) was not found next "
            f"to {Path(sys.executable).parent}, so browsers cannot reach dialer-gui. Install "
            "dialer-gui with pip, then run `dialer-gui register` again."
        ]
    for browser in BROWSERS:
        path = manifest_file(browser)
        text = json.dumps(manifest(browser, str(host)), indent=2) + "\n"
        try:
            # Browsers read it; nothing in it is secret.
            atomic.write_atomically(path, text, mode=0o644, dir_mode=0o755)
        except OSError as exc:
            raise RegistrationError(
                f"Could not write the browser companion's manifest {path}: {exc.strerror}."
            ) from exc
    if sys.platform == "win32":  # pragma: no cover - Windows only
        _write_registry()
    return [
        f"Set up the browser companion for {_names(list(BROWSERS))}: their extension can now "
        f"start {host}."
    ]


def unregister() -> list[str]:
    """Remove what :func:`register` wrote; the steps done."""
    removed = []
    for browser in BROWSERS:
        try:
            manifest_file(browser).unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            log.warning("Could not remove %s: %s", manifest_file(browser), exc)
            continue
        removed.append(browser)
    if sys.platform == "win32":  # pragma: no cover - Windows only
        _delete_registry()
    if not removed:
        return []
    return [f"Removed the browser companion's manifests for {_names(removed)}."]


def _write_registry() -> None:  # pragma: no cover - Windows only
    if sys.platform != "win32":
        return
    import winreg

    try:
        for key, name, value in registry_entries():
            with winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, key, 0, winreg.KEY_SET_VALUE) as k:
                winreg.SetValueEx(k, name, 0, winreg.REG_SZ, value)
    except OSError as exc:
        raise RegistrationError(
            f"Windows did not let dialer-gui register its browser companion ({exc.strerror})."
        ) from exc


def _delete_registry() -> None:  # pragma: no cover - Windows only
    if sys.platform != "win32":
        return
    import winreg

    for key, _name, _value in registry_entries():
        with contextlib.suppress(OSError):
            winreg.DeleteKey(winreg.HKEY_CURRENT_USER, key)


def _registry_manifest(browser: Browser) -> str | None:  # pragma: no cover - Windows only
    if sys.platform != "win32":
        return None
    import winreg

    try:
        key = rf"{browser.windows}\{browsers.HOST_NAME}"
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, key) as k:
            value, _ = winreg.QueryValueEx(k, "")
    except OSError:
        return None
    return str(value)


# --- the doctor ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Status:
    """What :func:`inspect` found for one browser (the doctor shows it as a check)."""

    name: str
    ok: bool
    detail: str
    fix: str = ""


def _installed(browser: Browser) -> bool:
    """Whether this user has run ``browser``: its own folder holds more than our manifests."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        return _registry_manifest(browser) is not None or manifest_file(browser).exists()
    try:
        entries = {p.name for p in browser.profile_dir().iterdir()}
    except OSError:
        return False
    return bool(entries - {manifest_dir(browser).name})


def _problem(browser: Browser, path: Path, host: Path | None) -> tuple[str, str] | None:
    """What is wrong with the manifest at ``path``, and the fix; None when all is right."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return (
            "the companion's host manifest is missing, so the extension cannot reach dialer-gui.",
            _REGISTER,
        )
    except (OSError, ValueError) as exc:
        return f"its host manifest {path} cannot be read ({exc}).", _REGISTER
    if not isinstance(data, dict):
        return f"its host manifest {path} is not a JSON object.", _REGISTER
    if data.get("name") != browsers.HOST_NAME or data.get("type") != "stdio":
        return f"its host manifest {path} names another host or type.", _REGISTER
    key = "allowed_extensions" if browser.firefox else "allowed_origins"
    wanted = browsers.GECKO_EXTENSION_IDS if browser.firefox else browsers.CHROMIUM_ORIGINS
    allowed = data.get(key)
    if not isinstance(allowed, list) or not set(wanted) <= set(allowed):
        return (
            f"its host manifest {path} does not let the companion extension in ({key}).",
            _REGISTER,
        )
    program = data.get("path")
    if not isinstance(program, str) or not Path(program).is_absolute():
        return f"its host manifest {path} has no absolute path to the host program.", _REGISTER
    if not os.path.isfile(program) or not os.access(program, os.X_OK):
        return (
            f"the host program {program} it names does not exist or cannot be run.",
            "Reinstall dialer-gui, then run `dialer-gui register`.",
        )
    if host is not None and Path(program) != host:
        return f"it starts {program}, not this dialer-gui's {host}.", _REGISTER
    return None


def inspect() -> list[Status]:
    """The host manifest of each browser this user has run: present, right path, right IDs."""
    host = native_host_path()
    found = []
    for browser in BROWSERS:
        if not _installed(browser):
            continue
        name = f"Browser companion in {browser.name}"
        path = manifest_file(browser)
        if sys.platform == "win32":  # pragma: no cover - Windows only
            pointed = _registry_manifest(browser)
            if pointed is None:
                found.append(Status(name, False, "its registry key is missing.", _REGISTER))
                continue
            path = Path(pointed)
        problem = _problem(browser, path, host)
        if problem is None:
            found.append(Status(name, True, f"the extension can reach dialer-gui ({path})."))
        else:
            found.append(Status(name, False, *problem))
    if not found:
        names = _names(list(BROWSERS)).replace(" and ", " or ")
        found.append(
            Status(
                "Browser companion", True, f"no {names} was found for this user; nothing to check."
            )
        )
    return found
