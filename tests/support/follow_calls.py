"""Follow and end calls through a provider from a synchronous test, closing its client after.

The provider instance (and so what it remembers of each call) lives across the calls; only
its HTTP client is closed, since each call runs on a fresh event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

from dialer_gui.providers.base import Provider
from dialer_gui.providers.errors import ProviderError
from dialer_gui.vocabulary.calls import CallState, Leg, Progress

T = TypeVar("T")


def run(provider: Provider, work: Callable[[], Awaitable[T]]) -> T:
    async def go() -> T:
        try:
            return await work()
        finally:
            await provider.aclose()

    return asyncio.run(go())


def look(provider: Provider, *call_ids: str) -> list[Progress]:
    """One ``progress`` request for ``call_ids``."""
    return run(provider, lambda: provider.progress(list(call_ids)))


def state(provider: Provider, call_id: str) -> tuple[CallState, Leg | None] | None:
    """The state and leg ``progress`` reports for one call, or ``None`` when it says nothing."""
    reports = look(provider, call_id)
    assert len(reports) <= 1 and all(r.call_id == call_id for r in reports), reports
    return (reports[0].state, reports[0].leg) if reports else None


def end(provider: Provider, call_id: str) -> str:
    return run(provider, lambda: provider.end_call(call_id))


def refusal(provider: Provider, work: Callable[[], Awaitable[object]]) -> ProviderError:
    """The error ``work`` raises; the test fails if it succeeds."""
    with pytest.raises(ProviderError) as info:
        run(provider, work)
    return info.value
