"""Enswitch outcomes never lie: a ``wait`` the timeout cannot outlast is refused before anything
is sent (otherwise every call would end "unknown" while the PBX dials), and the password stays
out of the address by default. Through the loopback simulator over real HTTP."""

from __future__ import annotations

import time
from typing import Any

import pytest
from provider_calls import failed_call, place_call

from dialer_gui.providers import create_provider
from dialer_gui.providers.base import CallRequest
from dialer_gui.providers.enswitch import EnswitchProvider
from dialer_gui.providers.errors import ErrorCategory, ProviderError
from dialer_gui.sandbox import SandboxThread
from dialer_gui.sandbox.demo import ENSWITCH_PASSWORD, ENSWITCH_USERNAME
from dialer_gui.vocabulary.profiles import ProviderProfile
from dialer_gui.vocabulary.target import DialTarget, TargetKind

REQUEST = CallRequest(
    DialTarget(TargetKind.EXTERNAL, "+12125551234", "+1 212-555-1234", "US"), "12125551234", "r"
)


def make(url: str, **options: Any) -> EnswitchProvider:
    opts = {"url": url, "auth_username": ENSWITCH_USERNAME, "snumber": "1234567", **options}
    provider = create_provider(
        ProviderProfile("office", "enswitch", opts), {"auth_password": ENSWITCH_PASSWORD}
    )
    assert isinstance(provider, EnswitchProvider)
    return provider


def hold(sandbox: SandboxThread, cap: float | None) -> None:
    async def update() -> None:
        sandbox.sandbox.state["enswitch_wait_cap"] = cap

    sandbox.call(update())


def test_the_simulator_holds_the_answer_for_wait_seconds(sandbox: SandboxThread) -> None:
    hold(sandbox, None)
    start = time.monotonic()
    result = place_call(make(sandbox.base_url, wait=1, timeout=3.0), REQUEST)
    took = time.monotonic() - start
    assert result.call_id, result
    assert 1.0 <= took < 2.5, f"answered after {took:.2f} s"
    assert sandbox.sandbox.state["enswitch_calls"] == 1


def test_the_hold_can_be_capped_for_tests(sandbox: SandboxThread) -> None:
    hold(sandbox, 0.1)
    start = time.monotonic()
    assert place_call(make(sandbox.base_url, wait=5, timeout=10.0), REQUEST).call_id
    assert time.monotonic() - start < 2.0


@pytest.mark.parametrize(("wait", "timeout"), [(1, 1.0), (2, 1.0), (5, 5.0), (10, 3.5)])
def test_a_wait_at_or_above_the_timeout_is_refused_before_sending(
    sandbox: SandboxThread, wait: int, timeout: float
) -> None:
    # Sent, this call would be placed and then end "unknown" at the deadline, every time.
    hold(sandbox, None)
    error = failed_call(make(sandbox.base_url, wait=wait, timeout=timeout), REQUEST)
    assert error.category is ErrorCategory.CONFIG
    assert not error.maybe_placed
    assert "wait" in error.message and "timeout" in error.message
    assert sandbox.requests == []


@pytest.mark.parametrize(("wait", "timeout"), [(1, 2.0), (0, 0.5), (2, 2.5)])
def test_a_wait_below_the_timeout_is_sent_and_accepted(
    sandbox: SandboxThread, wait: int, timeout: float
) -> None:
    hold(sandbox, None)
    result = place_call(make(sandbox.base_url, wait=wait, timeout=timeout), REQUEST)
    assert (result.call_id is not None) is bool(wait), result
    assert len(sandbox.requests) == 1


def test_the_dry_run_refuses_it_too() -> None:
    with pytest.raises(ProviderError) as info:
        make("https://pbx.example.com/", wait=10, timeout=10.0).describe(REQUEST)
    assert info.value.category is ErrorCategory.CONFIG and "timeout" in info.value.message


def test_post_is_the_default_and_keeps_the_password_out_of_the_address(
    sandbox: SandboxThread,
) -> None:
    hold(sandbox, 0.0)
    place_call(make(sandbox.base_url), REQUEST)
    (sent,) = sandbox.requests
    assert sent.method == "POST"
    assert sent.target == "/api/json/calls/make/"
    assert ENSWITCH_PASSWORD not in sent.target
    assert f"auth_password={ENSWITCH_PASSWORD}" in sent.body.decode()
    (wire,) = make(sandbox.base_url).describe(REQUEST)
    assert wire.method == "POST" and "auth_password" not in wire.url


def test_get_stays_a_choice(sandbox: SandboxThread) -> None:
    hold(sandbox, 0.0)
    assert place_call(make(sandbox.base_url, method="GET"), REQUEST).call_id
    (sent,) = sandbox.requests
    assert sent.method == "GET" and sent.body == b""
    assert sent.target.startswith("/api/json/calls/make/?auth_username=")
