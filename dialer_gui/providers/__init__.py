"""Click-to-call providers: one module per PBX API, all behind ``base.Provider``.

Provider classes are imported lazily by type name so that reading the config does not import
every API module (and httpx) before it is needed.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

    from dialer_gui.providers.base import Provider
    from dialer_gui.vocabulary.profiles import ProviderProfile

# type name -> (module, class)
PROVIDER_TYPES: dict[str, tuple[str, str]] = {
    "fonality": ("dialer_gui.providers.fonality", "FonalityProvider"),
    "simotel": ("dialer_gui.providers.simotel", "SimotelProvider"),
    "mor": ("dialer_gui.providers.mor", "MorProvider"),
    "enswitch": ("dialer_gui.providers.enswitch", "EnswitchProvider"),
    "teleforge": ("dialer_gui.providers.teleforge", "TeleforgeProvider"),
    "webhook": ("dialer_gui.providers.webhook", "WebhookProvider"),
}


def provider_class(type_name: str) -> type[Provider]:
    try:
        module_name, class_name = PROVIDER_TYPES[type_name]
    except KeyError:
        known = ", ".join(PROVIDER_TYPES)
        raise KeyError(f"unknown provider type {type_name!r}; known types: {known}") from None
    cls: type[Provider] = getattr(importlib.import_module(module_name), class_name)
    return cls


def create_provider(
    profile: ProviderProfile,
    secrets: Mapping[str, str],
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Provider:
    return provider_class(profile.type)(profile, secrets, transport=transport)
