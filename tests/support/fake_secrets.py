"""The one stand-in for the secret store in tests: secrets from a dict, the demo's by default."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from dialer_gui.sandbox.demo import demo_secrets


class StaticSecrets:
    """``secrets_for`` and ``get`` over ``values`` (profile -> field -> value)."""

    def __init__(self, values: Mapping[str, Mapping[str, str]] | None = None) -> None:
        self.values = {
            k: dict(v) for k, v in (demo_secrets() if values is None else values).items()
        }

    def secrets_for(self, profile: str, names: Iterable[str]) -> dict[str, str]:
        have = self.values.get(profile, {})
        return {n: have[n] for n in names if n in have}

    def get(self, profile: str, field: str) -> str | None:
        return self.values.get(profile, {}).get(field)
