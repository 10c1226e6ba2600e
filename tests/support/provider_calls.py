"""Place one call through a provider from a synchronous test, closing its client after."""

from __future__ import annotations

import asyncio

import pytest

from dialer_gui.providers.base import CallRequest, CallResult, Provider
from dialer_gui.providers.errors import ProviderError


def place_call(provider: Provider, request: CallRequest) -> CallResult:
    async def go() -> CallResult:
        try:
            return await provider.place_call(request)
        finally:
            await provider.aclose()

    return asyncio.run(go())


def failed_call(provider: Provider, request: CallRequest) -> ProviderError:
    """The error a call raises; the test fails if it succeeds."""
    with pytest.raises(ProviderError) as info:
        place_call(provider, request)
    return info.value
