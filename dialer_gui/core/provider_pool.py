"""The provider pool: one long-lived provider (and HTTP client) per profile.

It builds providers in a worker thread, on first use (``ready``, which a call awaits) or ahead
of time (``warm_up``); a call and the warm-up asking for the same profile share one build.
It hands out the same provider for every call so a tel: click reuses a warm connection,
replaces them all when the settings change, and closes a replaced provider only once its last
request is answered: closing its client under a request the PBX may already have would turn
the call "unknown" and invite a second try.
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
        # Builds in a worker thread, by profile; each stores its provider when done.
        self._building: dict[str, asyncio.Task[Provider | None]] = {}

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

    async def ready(self, name: str) -> Provider:
        """The provider of profile ``name``; one not made yet is built in a worker thread.

        Creating an httpx client loads the CA bundle (tens of milliseconds) and reading the
        keyring can block on D-Bus, so neither happens on the event loop. A build the
        settings replaced while it ran is dropped and the new settings' one is awaited.

        Raises:
            KeyError: no such profile. DialerError: its settings or secrets are unusable.
        """
        while True:
            provider = self.providers.get(name)
            if provider is not None:
                return provider
            build = self._building.get(name)
            if build is None:
                build = asyncio.get_running_loop().create_task(self._build_off_loop(name))
                self._building[name] = build
            # Shielded: a cancelled call must not drop a build the warm-up or the next call
            # waits for (the thread runs to its end anyway).
            built = await asyncio.shield(build)
            if built is not None:
                return built

    async def _build_off_loop(self, name: str) -> Provider | None:
        """Build ``name`` in a thread and keep it; None when the settings changed meanwhile."""
        config = self.config
        try:
            provider = await asyncio.to_thread(self._build, name)
        finally:
            if self._building.get(name) is asyncio.current_task():
                del self._building[name]
        if self.config is not config or name in self.providers:
            await provider.aclose()  # made for settings no longer in use, or made twice
            return self.providers.get(name) if self.config is config else None
        self.providers[name] = provider
        return provider

    async def warm_up(self) -> None:
        """Build every profile's provider and HTTP client ahead of the first call."""
        config = self.config
        for name in list(config.providers):
            if self.config is not config:
                return  # the settings changed; their own warm-up follows
            try:
                await self.ready(name)
            except (DialerError, KeyError) as exc:  # reported when someone dials with it
                log.info("provider %s not warmed up: %s", name, exc)

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
        # Builds still running end first, so that what they made is closed below.
        await asyncio.gather(*self._building.values(), return_exceptions=True)
        for provider in [*self.providers.values(), *self.retired]:
            await provider.aclose()
        self.providers.clear()
        self.retired.clear()
        for task in list(self._tasks):
            await asyncio.gather(task, return_exceptions=True)
