"""Click-to-call providers: one module per PBX API, all behind ``base.Provider``.

:data:`PROVIDERS` is the one list of provider types. Each entry names the client class, the
loopback simulator module that serves the API (``sandbox/<api>.py``: ``register(sandbox)`` adds
its routes, ``demo_profile(base_url, redis_url)`` the demo profile and its secrets) and the
example profile the docs show. Config loading, the settings dialog, demo mode, the sandbox, the
docs generator and the tests all read this list; ``tests/test_registry.py`` fails when an entry
lacks any of its parts. Adding a provider means a client module, a sandbox module and one entry.

Classes and modules are named as strings and imported on first use, so that reading the config
does not import every API module (and httpx) before it is needed.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

    from dialer_gui.providers.base import Provider
    from dialer_gui.vocabulary.profiles import ProviderProfile


@dataclass(frozen=True, slots=True)
class ProviderEntry:
    """One provider type: where its parts live.

    Attributes:
        client: ``module:Class`` of the :class:`~dialer_gui.providers.base.Provider` subclass.
        sandbox: module of the loopback simulator of this API.
        example: option values of a realistic profile for the docs (placeholders, no real host).
    """

    client: str
    sandbox: str
    example: Mapping[str, Any] = field(default_factory=dict)


PROVIDERS: dict[str, ProviderEntry] = {
    "fonality": ProviderEntry(
        "dialer_gui.providers.fonality:FonalityProvider",
        "dialer_gui.sandbox.fonality",
        {"url": "https://cp52-2.fonality.example", "user": "alice.hud", "callerid": "15555550100"},
    ),
    "simotel": ProviderEntry(
        "dialer_gui.providers.simotel:SimotelProvider",
        "dialer_gui.sandbox.simotel",
        {"url": "https://pbx.example.ir", "method": "POST", "auth": "both",
         "username": "api-user", "caller": "557", "context": "main_routing"},
    ),
    "mor": ProviderEntry(
        "dialer_gui.providers.mor:MorProvider",
        "dialer_gui.sandbox.mor",
        {"url": "https://mor.example.com/billing", "u": "alice", "device": "1002",
         "src": "37060000001"},
    ),
    "enswitch": ProviderEntry(
        "dialer_gui.providers.enswitch:EnswitchProvider",
        "dialer_gui.sandbox.enswitch",
        {"url": "https://pbx.example.com/api/json/", "auth_username": "alice",
         "stype": "phone", "snumber": "1234567", "wait": 5},
    ),
    "teleforge": ProviderEntry(
        "dialer_gui.providers.teleforge:TeleforgeProvider",
        "dialer_gui.sandbox.teleforge",
        {"url": "http://pbx.example.co.za:8300", "agent": "1000", "outbound_id": "27215550100",
         "redis_url": "redis://pbx.example.co.za:6379/0"},
    ),
    "webhook": ProviderEntry(
        "dialer_gui.providers.webhook:WebhookProvider",
        "dialer_gui.sandbox.webhook",
        {"url": "https://pbx.example.com/click2call", "method": "POST",
         "body": '{"to": "{number}"}'},
    ),
}  # fmt: skip


def _entry(type_name: str) -> ProviderEntry:
    try:
        return PROVIDERS[type_name]
    except KeyError:
        known = ", ".join(PROVIDERS)
        raise KeyError(f"unknown provider type {type_name!r}; known types: {known}") from None


def provider_class(type_name: str) -> type[Provider]:
    module_name, _, class_name = _entry(type_name).client.partition(":")
    cls: type[Provider] = getattr(importlib.import_module(module_name), class_name)
    return cls


def sandbox_module(type_name: str) -> ModuleType:
    """The simulator module of ``type_name`` (``register`` and ``demo_profile``)."""
    return importlib.import_module(_entry(type_name).sandbox)


def create_provider(
    profile: ProviderProfile,
    secrets: Mapping[str, str],
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Provider:
    return provider_class(profile.type)(profile, secrets, transport=transport)
