"""Teleforge after "accepted": the CDR it already reads becomes how the call ended (state, leg,
talk time) where its disposition says so, the words otherwise; end to end through the
simulator and a real Redis."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from follow_calls import look, refusal
from provider_calls import place_call

from dialer_gui.providers import create_provider
from dialer_gui.providers.base import CallRequest
from dialer_gui.providers.errors import ErrorCategory
from dialer_gui.providers.teleforge import TeleforgeProvider
from dialer_gui.providers.teleforge_cdr import parse_cdr
from dialer_gui.sandbox import SandboxThread
from dialer_gui.sandbox.demo import demo_profiles
from dialer_gui.vocabulary.calls import CallState, Follows, Leg, Outcome
from dialer_gui.vocabulary.profiles import ProviderProfile
from dialer_gui.vocabulary.target import DialTarget, TargetKind

S, CALLEE = CallState, Leg.CALLEE


def cdr(end_reason: str, **extra: Any) -> str:
    payload = {"contact_ref": "r-1", "call_ref": "1.1", "number": "27820001234",
               "end_reason": end_reason, "call_time": 42, **extra}  # fmt: skip
    return json.dumps({"type": "cdr", "payload": payload})


@pytest.mark.parametrize(
    ("end_reason", "extra", "state", "leg", "duration"),
    [("hungup", {"billsec": 33}, S.ENDED, CALLEE, 33.0),
     ("callee_hungup", {"billsec": "12"}, S.ENDED, CALLEE, 12.0),
     ("agent_hungup", {}, S.ENDED, CALLEE, None),  # call_time holds ringing too: not talk
     ("voicemail", {"billsec": 5}, S.ENDED, CALLEE, 5.0),
     ("ANSWER", {}, S.ENDED, CALLEE, None),
     ("busy", {"billsec": 9}, S.BUSY, CALLEE, None),
     ("BUSY", {}, S.BUSY, CALLEE, None),
     ("timeout", {}, S.NO_ANSWER, CALLEE, None),
     ("NOANSWER", {}, S.NO_ANSWER, CALLEE, None),
     ("reject", {}, S.COMPLETED, None, None),
     ("error", {}, S.COMPLETED, None, None),
     ("CONGESTION", {}, S.COMPLETED, None, None),
     ("something new", {}, S.COMPLETED, None, None),
     ("hungup", {"billsec": "soon"}, S.ENDED, CALLEE, None),
     ("hungup", {"billsec": -4}, S.ENDED, CALLEE, None),
     ("hungup", {"billsec": 1e30}, S.ENDED, CALLEE, None),
     ("hungup", {"billsec": True}, S.ENDED, CALLEE, None)],
)  # fmt: skip
def test_dispositions_map_to_endings_where_teleforge_says_so(
    end_reason: str, extra: dict[str, Any], state: CallState, leg: Leg | None, duration: Any
) -> None:
    record = parse_cdr(cdr(end_reason, **extra))
    assert (record.state, record.leg, record.duration) == (state, leg, duration)
    assert record.outcome  # the words are kept whatever the state


def test_an_outcome_without_a_state_keeps_todays_meaning() -> None:
    outcome = Outcome("r-1", "Busy")
    assert (outcome.state, outcome.leg, outcome.duration) == (S.COMPLETED, None, None)


def test_capabilities_depend_on_the_redis_and_progress_asks_nothing(
    sandbox: SandboxThread,
) -> None:
    with_redis = ProviderProfile("p", "teleforge", {"redis_url": "redis://127.0.0.1:1/0"})
    caps = TeleforgeProvider.capabilities(with_redis)
    assert caps.follows is Follows.FINAL and not caps.hang_up and not caps.cancel
    without = TeleforgeProvider.capabilities(ProviderProfile("p", "teleforge", {}))
    assert without.follows is Follows.NOTHING and "Redis" in without.note
    provider = create_provider(demo_profiles(sandbox.base_url)["demo-teleforge"], {})
    assert look(provider, "r-1") == [] and not sandbox.requests
    error = refusal(provider, lambda: provider.end_call("r-1"))
    assert error.category is ErrorCategory.NOT_PERMITTED


@pytest.fixture
def cdr_sandbox(redis_server: Any) -> Iterator[SandboxThread]:
    thread = SandboxThread(redis_url=redis_server.url, cdr_delay=0.05)
    thread.start()
    try:
        yield thread
    finally:
        thread.stop()


@pytest.mark.redis
@pytest.mark.parametrize(
    ("number", "state"),
    [("0820001234", S.ENDED), ("0820001237", S.BUSY), ("0820001238", S.NO_ANSWER)],
)
def test_the_simulated_calls_end_as_their_scripts_say(
    cdr_sandbox: SandboxThread, redis_server: Any, number: str, state: CallState
) -> None:
    profile = demo_profiles(cdr_sandbox.base_url, redis_url=redis_server.url)["demo-teleforge"]
    provider = create_provider(profile, {})
    target = DialTarget(TargetKind.EXTERNAL, "+27" + number[1:], number, "ZA")
    result = place_call(provider, CallRequest(target, number, "ref-follow"))

    async def first_outcome() -> Outcome:
        got: asyncio.Queue[Outcome] = asyncio.Queue()
        feed = TeleforgeProvider.outcome_feed(profile)
        assert feed
        listener = TeleforgeProvider.listen_for_outcomes(feed, got.put_nowait, lambda _s: None)
        listener.start()
        try:
            return await asyncio.wait_for(got.get(), 10)
        finally:
            await listener.stop()

    outcome = asyncio.run(first_outcome())
    assert outcome.call_id == result.call_id and outcome.state is state
    assert outcome.leg is CALLEE
