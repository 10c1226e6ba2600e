# ruff: noqa: S105  (fixed fake credentials are the point of this module)
"""Demo credentials of the simulated APIs, and ready-made profiles that point at the sandbox.

The simulator accepts exactly these values, so demo mode and the tests use the same source. The
values are fakes made for the simulator (the Simotel pair is the vendor's documented sample); no
real PBX accepts them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from dialer_gui.core.config import Config
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

# -- Enswitch calls/make ---------------------------------------------------------------------
ENSWITCH_USERNAME = "demo"
ENSWITCH_PASSWORD = "enswitch-demo-Pa55"
ENSWITCH_STYPE = "phone"
ENSWITCH_SNUMBER = "1234567"
ENSWITCH_CTYPE = ""
ENSWITCH_WAIT = 5
ENSWITCH_SEPARATOR = ";"

# -- Teleforge click2dial (no authentication exists) -------------------------------------------
TELEFORGE_AGENT = "1000"
TELEFORGE_OUTBOUND_ID = "0215550100"
TELEFORGE_API_VERSION = "3"


# -- Generic webhook (the simulator's /webhook/call) -------------------------------------------
WEBHOOK_TOKEN = "webhook-demo-token"
WEBHOOK_BODY = '{"number": "{number}"}'


# The profile demo mode dials with: Simotel returns a call ID, so the history shows the whole story.
DEMO_DEFAULT = "demo-simotel"


def demo_profiles(base_url: str, *, redis_url: str = "") -> dict[str, ProviderProfile]:
    """One profile per API, each pointing at a sandbox served at ``base_url``.

    Args:
        base_url: the sandbox root, e.g. ``http://127.0.0.1:8765`` (no trailing slash needed).
        redis_url: where the simulated Teleforge pushes CDRs; empty for none.
    """
    base = base_url.rstrip("/")
    return {
        "demo-fonality": ProviderProfile(
            "demo-fonality",
            "fonality",
            {"url": base, "user": FONALITY_USER, "callerid": FONALITY_CALLERID},
        ),
        "demo-simotel": ProviderProfile(
            "demo-simotel",
            "simotel",
            {
                "url": base,
                "method": "POST",
                "auth": "both",
                "username": SIMOTEL_USERNAME,
                "caller": SIMOTEL_CALLER,
                "context": SIMOTEL_CONTEXT,
            },
        ),
        "demo-mor": ProviderProfile(
            "demo-mor",
            "mor",
            {"url": f"{base}/billing", "u": MOR_USERNAME, "device": MOR_DEVICE, "src": MOR_SRC},
        ),
        "demo-enswitch": ProviderProfile(
            "demo-enswitch",
            "enswitch",
            {
                "url": base,
                "auth_username": ENSWITCH_USERNAME,
                "stype": ENSWITCH_STYPE,
                "snumber": ENSWITCH_SNUMBER,
                "ctype": ENSWITCH_CTYPE,
                "wait": ENSWITCH_WAIT,
                "separator": ENSWITCH_SEPARATOR,
            },
        ),
        "demo-teleforge": ProviderProfile(
            "demo-teleforge",
            "teleforge",
            {
                "url": base,
                "agent": TELEFORGE_AGENT,
                "outbound_id": TELEFORGE_OUTBOUND_ID,
                "api_version": TELEFORGE_API_VERSION,
                "redis_url": redis_url,
            },
        ),
        "demo-webhook": ProviderProfile(
            "demo-webhook",
            "webhook",
            {
                "url": f"{base}/webhook/call",
                "method": "POST",
                "headers": {"Authorization": "Bearer {token}"},
                "body": WEBHOOK_BODY,
                "body_format": "json",
                "success_json_path": "ok",
                "success_value": "true",
                "call_id_json_path": "id",
            },
        ),
    }


def demo_secrets() -> dict[str, dict[str, str]]:
    """The secrets of :func:`demo_profiles`: profile name -> field name -> value."""
    return {
        "demo-fonality": {"password": FONALITY_PASSWORD},
        "demo-simotel": {"password": SIMOTEL_PASSWORD, "api_key": SIMOTEL_API_KEY},
        "demo-mor": {"secret": MOR_SECRET},
        "demo-enswitch": {"auth_password": ENSWITCH_PASSWORD},
        "demo-teleforge": {},
        "demo-webhook": {"token": WEBHOOK_TOKEN},
    }


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
