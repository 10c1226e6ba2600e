"""Teleforge Click2Dial against the loopback simulator, over real HTTP."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from provider_calls import failed_call, place_call

from dialer_gui.providers import create_provider
from dialer_gui.providers.base import CallRequest, CallResult
from dialer_gui.providers.errors import ErrorCategory, ProviderError
from dialer_gui.providers.teleforge import TeleforgeProvider, contact_ref
from dialer_gui.sandbox import SandboxThread
from dialer_gui.sandbox.demo import TELEFORGE_AGENT, TELEFORGE_OUTBOUND_ID
from dialer_gui.vocabulary.profiles import ProviderProfile
from dialer_gui.vocabulary.target import DialTarget, TargetKind

TARGET = DialTarget(TargetKind.EXTERNAL, "+27820001234", "+27 82 000 1234", "ZA")
REQUEST = CallRequest(TARGET, "27820001234", "a1b2-c3")


def make(url: str, **options: Any) -> TeleforgeProvider:
    opts = {"url": url, "agent": TELEFORGE_AGENT, "outbound_id": TELEFORGE_OUTBOUND_ID, **options}
    provider = create_provider(ProviderProfile("sales", "teleforge", opts), {})
    assert isinstance(provider, TeleforgeProvider)
    return provider


def place(provider: TeleforgeProvider, request: CallRequest = REQUEST) -> CallResult:
    return place_call(provider, request)


def fail(provider: TeleforgeProvider, request: CallRequest = REQUEST) -> ProviderError:
    return failed_call(provider, request)


def test_v3_posts_contact_ref_and_uses_it_as_call_id(sandbox: SandboxThread) -> None:
    result = place(make(sandbox.base_url))
    (sent,) = sandbox.requests
    assert (sent.method, sent.target) == ("POST", "/click2dial/calls")
    assert sent.header("content-type") == "application/json"
    assert sent.body == (
        b'{"agent": "1000", "callee": "27820001234", "outbound_id": "0215550100", '
        b'"contact_ref": "a1b2-c3"}'
    )
    assert result.call_id == "a1b2-c3"
    assert "accepted" in result.message


def test_v2_posts_call_ref(sandbox: SandboxThread) -> None:
    result = place(make(sandbox.base_url, api_version="2", outbound_id="random"))
    assert sandbox.requests[0].json() == {
        "agent": "1000",
        "callee": "27820001234",
        "outbound_id": "random",
        "call_ref": "a1b2-c3",
    }
    assert result.call_id == "a1b2-c3"


@pytest.mark.parametrize("status", [200, 201, 202])
def test_a_2xx_that_says_queued_is_accepted(sandbox: SandboxThread, status: int) -> None:
    sandbox.sandbox.state["teleforge_status"] = status
    assert place(make(sandbox.base_url)).call_id == "a1b2-c3"


@pytest.mark.parametrize("callee", ["0820001234", "27820001234", "0027820001234", "0012125551234"])
def test_documented_callee_formats_are_sent(sandbox: SandboxThread, callee: str) -> None:
    place(make(sandbox.base_url), CallRequest(TARGET, callee, "r"))
    assert sandbox.requests[-1].json()["callee"] == callee


@pytest.mark.parametrize("callee", ["12125551234", "082000123", "+27820001234", "1000", ""])
def test_undialable_callee_is_refused_before_sending(sandbox: SandboxThread, callee: str) -> None:
    error = fail(make(sandbox.base_url), CallRequest(TARGET, callee, "r"))
    assert error.category is ErrorCategory.REJECTED_NUMBER
    assert "27820001234" in error.message and "South African" in error.message
    assert sandbox.requests == []


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"agent": ""}, "extension is missing"),
        ({"agent": "12"}, "3 or 4 digits"),
        ({"outbound_id": "+27820001234"}, "caller ID"),
        ({"outbound_id": ""}, "caller ID is missing"),
        ({"api_version": "4"}, "version"),
        ({"url": ""}, "address is missing"),
        ({"url": "ftp://pbx.example.co.za"}, "http://"),
    ],
)
def test_incomplete_profile_sends_nothing(
    sandbox: SandboxThread, options: dict[str, Any], words: str
) -> None:
    options.setdefault("url", sandbox.base_url)
    error = fail(make(**options))
    assert error.category is ErrorCategory.CONFIG
    assert words in error.message
    assert sandbox.requests == []


def test_server_400_is_a_rejected_number(sandbox: SandboxThread) -> None:
    sandbox.set_fault("reject_number", "teleforge")
    error = fail(make(sandbox.base_url))
    assert error.category is ErrorCategory.REJECTED_NUMBER
    assert "invalid callee" in error.message
    assert not error.maybe_placed


@pytest.mark.parametrize(
    ("fault", "category", "maybe_placed"),
    [
        # Click2Dial has no credentials: a 401 means this integrator or port is not allowed.
        ("bad_credentials", ErrorCategory.NOT_PERMITTED, False),
        ("not_permitted", ErrorCategory.NOT_PERMITTED, False),
        ("reset", ErrorCategory.UNEXPECTED, True),
        ("http_500", ErrorCategory.UNEXPECTED, True),
        ("timeout", ErrorCategory.TIMEOUT, True),
    ],
)
def test_faults(
    sandbox: SandboxThread, fault: str, category: ErrorCategory, maybe_placed: bool
) -> None:
    sandbox.set_fault(fault, "teleforge")
    error = fail(make(sandbox.base_url, timeout=0.5))
    assert error.category is category
    assert error.maybe_placed is maybe_placed


def test_garbage_with_2xx_is_unknown(sandbox: SandboxThread) -> None:
    # A 2xx alone proves nothing (the answer body is undocumented): the PBX may have dialed.
    sandbox.set_fault("garbage", "teleforge")
    error = fail(make(sandbox.base_url))
    assert error.category is ErrorCategory.UNEXPECTED
    assert error.maybe_placed


def test_describe_and_default_port() -> None:
    provider = make("pbx.example.co.za")
    (wire,) = provider.describe(REQUEST)
    assert wire.url == "http://pbx.example.co.za:8300/click2dial/calls"
    assert json.loads(wire.body)["contact_ref"] == "a1b2-c3"
    pasted = make("https://pbx.example.co.za:9000/click2dial/calls/")
    assert pasted.describe(REQUEST)[0].url == "https://pbx.example.co.za:9000/click2dial/calls"


def test_contact_ref_keeps_to_the_documented_alphabet() -> None:
    assert contact_ref("abc-123") == "abc-123"
    assert contact_ref("a b/c") == "a-b-c"
    assert len(contact_ref("x" * 300)) == 230
    assert contact_ref("") == "dialer-gui"


def test_simulator_refuses_bad_fields(sandbox: SandboxThread) -> None:
    import httpx

    url = sandbox.base_url + "/click2dial/calls"
    good = {"agent": "1000", "callee": "0820001234", "outbound_id": "random"}
    with httpx.Client(trust_env=False) as client:
        assert client.post(url, json={**good, "contact_ref": "ok.ref"}).status_code == 201
        assert client.post(url, json={**good, "agent": "12"}).status_code == 400
        assert client.post(url, json={**good, "contact_ref": "bad ref"}).status_code == 400
        assert client.post(url, content=b"{nope").status_code == 400
        answer = client.post(url, json=good)  # no reference: the server makes one
        assert answer.status_code == 201 and answer.json()["call_ref"]


def test_check_connects_without_dialing(sandbox: SandboxThread) -> None:
    async def go(provider: TeleforgeProvider) -> str:
        return await provider.check()

    assert "accepts connections" in asyncio.run(go(make(sandbox.base_url)))
    assert sandbox.requests == []
    with pytest.raises(ProviderError) as info:
        asyncio.run(go(make("http://127.0.0.1:9")))
    assert info.value.category is ErrorCategory.UNREACHABLE


def test_demo_profile_places_a_call(sandbox: SandboxThread) -> None:
    from dialer_gui.sandbox.demo import demo_profiles, demo_secrets

    profile = demo_profiles(sandbox.base_url)["demo-teleforge"]
    provider = create_provider(profile, demo_secrets()["demo-teleforge"])
    assert isinstance(provider, TeleforgeProvider)
    assert place(provider).call_id == "a1b2-c3"
