"""The browser companion's identities, listed once.

The native messaging host (``native_host``) checks the caller against these, and the host
manifests that ``dialer-gui register`` writes for each browser (``platform.native_messaging``)
name them as the only extensions allowed to start it. The IDs are fixed: the Chromium-family ID
follows from the public key in the extension's manifest (``key``), the Firefox one is declared
in its ``browser_specific_settings``. It imports nothing: the host reads it on every message.
"""

from __future__ import annotations

HOST_NAME = "app.dialer_gui.native_host"
"""The name the extension passes to ``runtime.connectNative`` / ``sendNativeMessage``."""

HOST_DESCRIPTION = "dialer-gui: calls the numbers you click in the browser"

CHROMIUM_EXTENSION_IDS: tuple[str, ...] = ("dgnciapcpmfcibaegabblaimnlgfaepb",)
"""Chrome, Chromium, Edge and Brave extension IDs of the companion."""

GECKO_EXTENSION_IDS: tuple[str, ...] = ("companion@dialer-gui.app",)
"""Firefox add-on IDs of the companion."""

CHROMIUM_ORIGINS: tuple[str, ...] = tuple(
    f"chrome-extension://{extension_id}/" for extension_id in CHROMIUM_EXTENSION_IDS
)
"""How Chromium-family browsers name the caller: the host's first argument, and the manifest's
``allowed_origins``."""
