"""Teleforge outcomes end to end: call through the simulator, CDR on a real Redis, history."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fake_secrets import StaticSecrets

from dialer_gui.core.config import Config, GeneralSettings
from dialer_gui.core.dialer import Dialer
from dialer_gui.core.history import HistoryStore
from dialer_gui.sandbox import SandboxThread
from dialer_gui.sandbox.demo import demo_profiles
from dialer_gui.vocabulary.calls import CallState, Source
from dialer_gui.vocabulary.profiles import ProviderProfile

pytestmark = pytest.mark.redis

ZA = "+27 82 000 1234"


@pytest.fixture
def cdr_sandbox(redis_server: Any) -> Iterator[SandboxThread]:
    # Simulated calls live 100 times faster than real time: each ends in well under a second.
    thread = SandboxThread(redis_url=redis_server.url, cdr_delay=0.05, lifecycle_speed=100.0)
    thread.start()
    try:
        yield thread
    finally:
        thread.stop()


def make(sandbox: SandboxThread, redis_url: str, *, timeout: float = 10.0) -> Dialer:
    base = demo_profiles(sandbox.base_url, redis_url=redis_url)["demo-teleforge"]
    options = {**base.options, "timeout": timeout}
    # Two profiles on one Redis list: one listener must serve both, not steal from each other.
    profiles = {
        "sales": ProviderProfile("sales", "teleforge", {**options, "agent": "1000"}),
        "support": ProviderProfile("support", "teleforge", {**options, "agent": "1001"}),
    }
    general = GeneralSettings(region="ZA", default_provider="sales")
    config = Config(general=general, providers=profiles)
    return Dialer(config, StaticSecrets({}), HistoryStore(":memory:"))


async def wait_state(dialer: Dialer, attempt_id: int, state: CallState) -> Any:
    for _ in range(500):
        row = dialer.history.get(attempt_id)
        if row is not None and row.state is state:
            return row
        await asyncio.sleep(0.01)
    raise AssertionError(f"attempt {attempt_id} never became {state}")


def test_outcomes_of_two_profiles_on_one_redis_both_arrive(
    cdr_sandbox: SandboxThread, redis_server: Any
) -> None:
    dialer = make(cdr_sandbox, redis_server.url)

    async def scenario() -> list[Any]:
        await dialer.start_listeners()
        assert len(dialer.tracker.listeners) == 1
        try:
            first = await dialer.dial(ZA, Source.DIALPAD, provider="sales")
            second = await dialer.dial("+27 82 000 5678", Source.DIALPAD, provider="support")
            assert first.state is second.state is CallState.ACCEPTED
            # Numbers ending in 4 and 8: the simulator's "answered" and "no answer" scripts.
            return [
                await wait_state(dialer, first.id, CallState.ENDED),
                await wait_state(dialer, second.id, CallState.NO_ANSWER),
            ]
        finally:
            await dialer.aclose()

    rows = asyncio.run(scenario())
    assert all(r.outcome for r in rows)
    assert {r.provider for r in rows} == {"sales", "support"}


def test_a_call_whose_answer_was_lost_is_resolved_by_its_cdr(
    cdr_sandbox: SandboxThread, redis_server: Any
) -> None:
    """Teleforge's call ID is ours, known before sending: an "unknown" call still matches."""
    dialer = make(cdr_sandbox, redis_server.url, timeout=0.3)
    cdr_sandbox.set_fault("timeout", "teleforge")

    async def scenario() -> Any:
        await dialer.start_listeners()
        try:
            attempt = await dialer.dial(ZA, Source.DIALPAD)
            assert attempt.state is CallState.UNKNOWN
            assert attempt.call_id  # recorded before the request left
            from redis.asyncio import Redis

            client = Redis.from_url(redis_server.url)
            payload = {"contact_ref": attempt.call_id, "end_reason": "hungup", "call_time": 42}
            cdr = {"type": "cdr", "payload": payload}
            await client.lpush("enigma:notifications:cdr", json.dumps(cdr))
            await client.aclose()
            return await wait_state(dialer, attempt.id, CallState.ENDED)
        finally:
            await dialer.aclose()

    row = asyncio.run(scenario())
    # The doubt is resolved by the record, in the PBX's words and with its figures.
    assert row.outcome == "Answered, then hung up" and "42" in (row.detail or "")
