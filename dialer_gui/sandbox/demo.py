# ruff: noqa: S105  (fixed fake credentials are the point of this module)
"""Demo credentials of the simulated APIs, and ready-made profiles that point at the sandbox.

The simulator accepts exactly these values, so demo mode and the tests use the same source. The
values are fakes made for the simulator (the Simotel pair is the vendor's documented sample); no
real PBX accepts them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dialer_gui.core.config import Config
from dialer_gui.providers import PROVIDERS, sandbox_module
from dialer_gui.vocabulary.profiles import ProviderProfile

TYPE_CHECKING = False
if TYPE_CHECKING:
    from dialer_gui.core.secrets import SecretStore

# -- Fonality call.cgi: the user's HUD login -------------------------------------------------------
FONALITY_USER = "demo.hud"
FONALITY_PASSWORD = "hud-demo-Pa55"
FONALITY_CALLERID = "15555550100"

# -- Simotel originate: Basic auth pair from the vendor's sample, plus an API key ------------------
SIMOTEL_USERNAME = "test"
SIMOTEL_PASSWORD = "Aa123456"
SIMOTEL_API_KEY = "demoKEY4simotel0sandbox0vZKtIKWsld0egNlkzHo8i5"
SIMOTEL_CALLER = "557"
SIMOTEL_CONTEXT = "main_routing"

# -- Kolmisoft MOR callback_init ---------------------------------------------------------------
MOR_USERNAME = "demo"
MOR_DEVICE = "1002"
MOR_SRC = "37060000001"
MOR_SECRET = "demo-mor-api-secret"
MOR_USER_ID = "2"  # the demo user's numeric ID (user_calls_get's s_user)
MOR_PASSWORD = "mor-demo-Pa55"  # the demo user's login, for the v2 API

# -- Enswitch calls/make ---------------------------------------------------------------------
ENSWITCH_USERNAME = "demo"
ENSWITCH_PASSWORD = "enswitch-demo-Pa55"
ENSWITCH_STYPE = "phone"
ENSWITCH_SNUMBER = "1234567"
ENSWITCH_CTYPE = ""
ENSWITCH_SEPARATOR = ";"

# -- Teleforge click2dial (no authentication exists) -------------------------------------------
TELEFORGE_AGENT = "1000"
TELEFORGE_OUTBOUND_ID = "0215550100"
TELEFORGE_API_VERSION = "3"


# -- Generic webhook (the simulator's /webhook/call) -------------------------------------------
WEBHOOK_TOKEN = "webhook-demo-token"
WEBHOOK_BODY = '{"number": "{number}"}'


# The profile demo mode dials with: MOR gives a call ID, follows both legs live and hangs up
# (through its v2 API), so the demo shows a call from the first ring to its end.
DEMO_DEFAULT = "demo-mor"


@dataclass(frozen=True, slots=True)
class DemoProfile:
    """A profile's option values against the sandbox, and the secrets the sandbox accepts."""

    options: Mapping[str, Any]
    secrets: Mapping[str, str]


def _demos(base_url: str, redis_url: str) -> dict[str, tuple[str, DemoProfile]]:
    """``demo-<type>`` -> (type, its demo profile), for every registered provider type."""
    base = base_url.rstrip("/")
    return {
        f"demo-{type_name}": (type_name, sandbox_module(type_name).demo_profile(base, redis_url))
        for type_name in PROVIDERS
    }


def demo_profiles(base_url: str, *, redis_url: str = "") -> dict[str, ProviderProfile]:
    """One profile per API, each pointing at a sandbox served at ``base_url``.

    Each API's simulator module says what its profile holds (``demo_profile``).

    Args:
        base_url: the sandbox root, e.g. ``http://127.0.0.1:8765`` (no trailing slash needed).
        redis_url: where the simulated Teleforge pushes CDRs; empty for none.
    """
    return {
        name: ProviderProfile(name, type_name, dict(demo.options))
        for name, (type_name, demo) in _demos(base_url, redis_url).items()
    }


def demo_secrets() -> dict[str, dict[str, str]]:
    """The secrets of :func:`demo_profiles`: profile name -> field name -> value."""
    return {name: dict(demo.secrets) for name, (_, demo) in _demos("", "").items()}


# -- demo mode for the app and the command line --------------------------------------------------


class DemoSecrets:
    """The secret store, with the simulator's secrets in front of it while demo mode is on.

    Demo secrets stay in memory; ``set`` and ``delete`` always go to the real store.
    """

    def __init__(self, store: SecretStore, demo: Mapping[str, Mapping[str, str]]) -> None:
        self.store = store
        self.demo = {k: dict(v) for k, v in demo.items()}
        self.active = False

    def get(self, profile: str, field: str) -> str | None:
        if self.active and profile in self.demo:
            return self.demo[profile].get(field)
        return self.store.get(profile, field)

    def secrets_for(self, profile: str, field_names: Iterable[str]) -> dict[str, str]:
        if self.active and profile in self.demo:
            names = set(field_names)
            return {k: v for k, v in self.demo[profile].items() if k in names}
        return self.store.secrets_for(profile, field_names)


def demo_config(config: Config, base_url: str, *, default: str | None = None) -> Config:
    """The user's general settings with the simulator's profiles instead of theirs."""
    profiles = demo_profiles(base_url)
    chosen = default if default in profiles else DEMO_DEFAULT
    general = dataclasses.replace(config.general, default_provider=chosen)
    return Config(general=general, providers=dict(profiles), routes=[], path=None)
