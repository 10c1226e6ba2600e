"""macOS: URL types in the app bundle's Info.plist and the LaunchServices default.

On macOS a program does not register a command line. The app bundle declares the schemes it
opens in ``CFBundleURLTypes`` (see :func:`info_plist`; the packaged copy is
``packaging/macos/Info.plist``), LaunchServices learns about it when the bundle is copied to
/Applications or first started, and links then arrive in the running app as a Qt
``QEvent.FileOpen`` event carrying the URL, not as ``--link`` (the app must handle that
event). Making dialer-gui the default calls ``LSSetDefaultHandlerForURLScheme`` through
``ctypes``; it only works for a bundle LaunchServices knows.

So no process is started per click here: LaunchServices hands the URL to the running app
itself, and the fast entry that Linux and Windows run for a link (``link_entry.py``, see
``launcher.py``) has nothing to do. When the app is not running, LaunchServices starts the
bundle and the URL arrives as that event once its event loop runs.
"""

from __future__ import annotations

import ctypes
import plistlib
import sys
from pathlib import Path
from typing import Any

from dialer_gui.platform import APP_ID, BUNDLE_ID, SCHEMES, RegistrationError

__all__ = ["info_plist", "query_default", "register", "unregister", "write_info_plist"]

_CF = "/System/Library/Frameworks/CoreFoundation.framework/CoreFoundation"
_CS = "/System/Library/Frameworks/CoreServices.framework/CoreServices"
_UTF8 = 0x08000100  # kCFStringEncodingUTF8


def info_plist(version: str, bundle_id: str = BUNDLE_ID) -> dict[str, Any]:
    """The Info.plist of the app bundle.

    ``LSUIElement`` keeps the tray app out of the Dock and the app switcher.
    """
    return {
        "CFBundleDevelopmentRegion": "en",
        "CFBundleDisplayName": APP_ID,
        "CFBundleExecutable": APP_ID,
        "CFBundleIconFile": f"{APP_ID}.icns",
        "CFBundleIdentifier": bundle_id,
        "CFBundleInfoDictionaryVersion": "6.0",
        "CFBundleName": APP_ID,
        "CFBundlePackageType": "APPL",
        "CFBundleShortVersionString": version,
        "CFBundleVersion": version,
        "CFBundleURLTypes": [
            {
                "CFBundleURLName": f"{bundle_id}.{scheme}",
                "CFBundleTypeRole": "Viewer",
                "CFBundleURLSchemes": [scheme],
            }
            for scheme in SCHEMES
        ],
        "LSApplicationCategoryType": "public.app-category.business",
        "LSMinimumSystemVersion": "11.0",
        "LSUIElement": True,
        "NSHighResolutionCapable": True,
        "NSHumanReadableCopyright": "MIT licence",
    }


def write_info_plist(path: Path, version: str, bundle_id: str = BUNDLE_ID) -> None:
    """Write :func:`info_plist` as an XML property list."""
    path.write_bytes(plistlib.dumps(info_plist(version, bundle_id), sort_keys=True))


class _CoreServices:  # pragma: no cover - macOS only
    """The few CoreFoundation and LaunchServices calls we need, through ctypes."""

    def __init__(self) -> None:
        self.cf = ctypes.CDLL(_CF)
        self.cs = ctypes.CDLL(_CS)
        self.cf.CFStringCreateWithCString.restype = ctypes.c_void_p
        self.cf.CFStringCreateWithCString.argtypes = [
            ctypes.c_void_p,
            ctypes.c_char_p,
            ctypes.c_uint32,
        ]
        self.cf.CFStringGetCString.restype = ctypes.c_bool
        self.cf.CFStringGetCString.argtypes = [
            ctypes.c_void_p,
            ctypes.c_char_p,
            ctypes.c_long,
            ctypes.c_uint32,
        ]
        self.cf.CFRelease.argtypes = [ctypes.c_void_p]
        self.cs.LSSetDefaultHandlerForURLScheme.restype = ctypes.c_int32
        self.cs.LSSetDefaultHandlerForURLScheme.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        self.cs.LSCopyDefaultHandlerForURLScheme.restype = ctypes.c_void_p
        self.cs.LSCopyDefaultHandlerForURLScheme.argtypes = [ctypes.c_void_p]

    def string(self, text: str) -> int:
        ref = self.cf.CFStringCreateWithCString(None, text.encode(), _UTF8)
        if not ref:
            raise RegistrationError("macOS could not create a string for LaunchServices.")
        return int(ref)

    def text(self, ref: int) -> str | None:
        buffer = ctypes.create_string_buffer(1024)
        if not self.cf.CFStringGetCString(ref, buffer, len(buffer), _UTF8):
            return None
        return buffer.value.decode()

    def set_default(self, scheme: str, bundle_id: str) -> int:
        scheme_ref, bundle_ref = self.string(scheme), self.string(bundle_id)
        try:
            return int(self.cs.LSSetDefaultHandlerForURLScheme(scheme_ref, bundle_ref))
        finally:
            self.cf.CFRelease(scheme_ref)
            self.cf.CFRelease(bundle_ref)

    def get_default(self, scheme: str) -> str | None:
        scheme_ref = self.string(scheme)
        try:
            handler = self.cs.LSCopyDefaultHandlerForURLScheme(scheme_ref)
        finally:
            self.cf.CFRelease(scheme_ref)
        if not handler:
            return None
        try:
            return self.text(handler)
        finally:
            self.cf.CFRelease(handler)


def register(bundle_id: str = BUNDLE_ID) -> list[str]:
    """Ask LaunchServices to open phone links with our bundle.

    Raises:
        RegistrationError: not on macOS, or LaunchServices refused (usually because the app
            was never started from /Applications, so it does not know the bundle yet).
    """
    if sys.platform != "darwin":
        raise RegistrationError("This step only works on macOS.")
    services = _CoreServices()  # pragma: no cover - macOS only
    steps = []  # pragma: no cover
    for scheme in SCHEMES:  # pragma: no cover
        status = services.set_default(scheme, bundle_id)
        if status != 0:
            raise RegistrationError(
                f"macOS did not make dialer-gui the handler for {scheme}: links (error "
                f"{status}). Move dialer-gui to Applications, open it once, and try again."
            )
        steps.append(f"Made dialer-gui the default for {scheme}: links.")
    return steps  # pragma: no cover


def unregister() -> list[str]:
    """There is no "no default" in LaunchServices: say how to pick another app."""
    return [
        "macOS always keeps a handler for each link type, so dialer-gui cannot remove itself: "
        "make another app the handler for phone links (most calling apps offer this in their "
        "settings), or move dialer-gui to the Trash."
    ]


def query_default(scheme: str) -> str | None:
    """The bundle id LaunchServices opens ``scheme:`` links with, or None."""
    if sys.platform != "darwin":
        return None
    try:  # pragma: no cover - macOS only
        return _CoreServices().get_default(scheme)
    except (OSError, AttributeError, RegistrationError):  # pragma: no cover
        return None


if __name__ == "__main__":  # regenerate packaging/macos/Info.plist (see packaging/README.md)
    from dialer_gui import __version__

    write_info_plist(Path(sys.argv[1]), __version__)
