"""The provider pool: one long-lived provider (and HTTP client) per profile.

It builds providers on first use or ahead of time (``warm_up``, off the event loop), hands out
the same one for every call so a tel: click reuses a warm connection, replaces them all when
the settings change, and closes a replaced provider only once its last request is answered:
closing its client under a request the PBX may already have would turn the call "unknown" and
invite a second try.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Iterable
from typing import TYPE_CHECKING, Any, Protocol

from dialer_gui.errors import DialerError
from dialer_gui.providers import create_provider, provider_class, redaction
from dialer_gui.providers.base import Provider
from dialer_gui.vocabulary.profiles import ProviderProfile

if TYPE_CHECKING:
    import httpx

    from dialer_gui.core.config import Config

log = logging.getLogger("dialer_gui.provider_pool")


def pasted_secrets(profile: ProviderProfile) -> list[str]:
    """Values of ``profile`` that look like secrets pasted into the config (``config.py`` warns
    about them at load): they are masked like the keyring's."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            if redaction.looks_secret(value):
                found.extend(redaction.secret_parts(value))  # the password, not the address
        elif isinstance(value, dict):
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list | tuple):
            for inner in value:
                walk(inner)

    walk(dict(profile.options))
    return found


class SecretSource(Protocol):
    def secrets_for(self, profile: str, field_names: Iterable[str]) -> dict[str, str]: ...


TransportFactory = Callable[[ProviderProfile], "httpx.AsyncBaseTransport | None"]


class ProviderPool:
    """Providers by profile name, for the current settings."""

    def __init__(
        self,
        config: Config,
        secrets: SecretSource,
        *,
        transport_factory: TransportFactory | None = None,
    ) -> None:
        self.config = config
        self.secrets = secrets
        self._transport_factory = transport_factory
        self.providers: dict[str, Provider] = {}
        self.busy: dict[int, int] = {}  # id(provider) -> requests in flight
        self.retired: list[Provider] = []  # replaced by reload(), closed once idle
        self._tasks: set[asyncio.Task[Any]] = set()

    def get(self, name: str) -> Provider:
        """The provider of profile ``name``, made on first use.

        Raises:
            KeyError: no such profile. DialerError: its settings or secrets are unusable.
        """
        if name not in self.providers:
            self.providers[name] = self._create(name)
        return self.providers[name]

    def _create(self, name: str) -> Provider:
        profile = self.config.providers[name]
        cls = provider_class(profile.type)
        secret_names = [f.name for f in cls.all_fields() if f.secret]
        secrets = self.secrets.secrets_for(name, secret_names)
        # From here on these values are masked in the log, the history and every message.
        redaction.remember(secrets.values())
        redaction.remember(pasted_secrets(profile))
        transport = self._transport_factory(profile) if self._transport_factory else None
        return create_provider(profile, secrets, transport=transport)

    def _build(self, name: str) -> Provider:
        provider = self._create(name)
        _ = provider.client  # the expensive part: TLS context and connection pool
        return provider

    async def warm_up(self) -> None:
        """Build every profile's provider and HTTP client in a worker thread.

        Creating an httpx client loads the CA bundle (tens of milliseconds) and reading the
        keyring can block on D-Bus; done ahead, the first call finds a warm client.
        """
        config = self.config
        for name in list(config.providers):
            if name in self.providers:
                continue
            try:
                provider = await asyncio.to_thread(self._build, name)
            except (DialerError, KeyError) as exc:  # reported when someone dials with it
                log.info("provider %s not warmed up: %s", name, exc)
                continue
            if self.config is not config or name in self.providers:
                await provider.aclose()  # settings changed meanwhile, or a call got there first
                continue
            self.providers[name] = provider

    def reload(self, config: Config) -> None:
        """Take new settings: every provider is made again; the old ones close when idle."""
        old = list(self.providers.values())
        self.providers.clear()
        self.config = config
        for provider in old:
            if self.busy.get(id(provider)):
                self.retired.append(provider)
            else:
                self._spawn(provider.aclose())

    def claim(self, provider: Provider) -> None:
        """A request through ``provider`` starts: it must not be closed until released."""
        self.busy[id(provider)] = self.busy.get(id(provider), 0) + 1

    def release(self, provider: Provider) -> None:
        if id(provider) not in self.busy:
            return
        left = self.busy[id(provider)] - 1
        if left > 0:
            self.busy[id(provider)] = left
            return
        del self.busy[id(provider)]
        if provider in self.retired:
            self.retired.remove(provider)
            self._spawn(provider.aclose())

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        try:
            task: asyncio.Task[Any] = asyncio.get_running_loop().create_task(coro)
        except RuntimeError:  # no loop (a synchronous caller): nothing to close in the loop
            coro.close()
            return
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def aclose(self) -> None:
        for provider in [*self.providers.values(), *self.retired]:
            await provider.aclose()
        self.providers.clear()
        self.retired.clear()
        for task in list(self._tasks):
            await asyncio.gather(task, return_exceptions=True)
