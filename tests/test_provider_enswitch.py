"""Enswitch calls/make against the loopback simulator, over real HTTP."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from provider_calls import failed_call, place_call

from dialer_gui.providers import create_provider
from dialer_gui.providers.base import CallRequest, CallResult
from dialer_gui.providers.enswitch import EnswitchProvider, loads_lenient, parse_envelope
from dialer_gui.providers.errors import ErrorCategory, ProviderError
from dialer_gui.providers.redaction import MASK
from dialer_gui.sandbox import SandboxThread
from dialer_gui.sandbox.demo import ENSWITCH_PASSWORD, ENSWITCH_USERNAME
from dialer_gui.sandbox.enswitch import parse_params
from dialer_gui.vocabulary.profiles import ProviderProfile
from dialer_gui.vocabulary.target import DialTarget, TargetKind

TARGET = DialTarget(TargetKind.EXTERNAL, "+12125551234", "+1 212-555-1234", "US")
REQUEST = CallRequest(TARGET, "12125551234", "ref-1")
CREDS = f"auth_username={ENSWITCH_USERNAME};auth_password={ENSWITCH_PASSWORD}"


@pytest.fixture(autouse=True)
def quick_wait(request: pytest.FixtureRequest) -> None:
    """The simulator holds an answer for ``wait`` seconds; a tenth of one is enough here."""
    if "sandbox" in request.fixturenames:
        sandbox: SandboxThread = request.getfixturevalue("sandbox")
        sandbox.sandbox.state["enswitch_wait_cap"] = 0.1


def make(url: str, password: str = ENSWITCH_PASSWORD, **options: Any) -> EnswitchProvider:
    opts = {"url": url, "auth_username": ENSWITCH_USERNAME, "snumber": "1234567", **options}
    provider = create_provider(
        ProviderProfile("office", "enswitch", opts), {"auth_password": password}
    )
    assert isinstance(provider, EnswitchProvider)
    return provider


def place(provider: EnswitchProvider, request: CallRequest = REQUEST) -> CallResult:
    return place_call(provider, request)


def fail(provider: EnswitchProvider, request: CallRequest = REQUEST) -> ProviderError:
    return failed_call(provider, request)


def test_get_sends_the_documented_example(sandbox: SandboxThread) -> None:
    result = place(make(sandbox.base_url + "/api/json/", method="GET"))
    (sent,) = sandbox.requests
    assert sent.method == "GET"
    assert sent.target == (
        f"/api/json/calls/make/?{CREDS};stype=phone;snumber=1234567;cnumber=12125551234;wait=5"
    )
    assert result.call_id is not None and result.call_id.endswith(".000001")
    assert "asterisk01" in result.message and result.call_id in result.message


def test_empty_stype_is_kept_and_204_means_accepted_without_id(sandbox: SandboxThread) -> None:
    feature = CallRequest(DialTarget(TargetKind.EXTENSION, "100", "100"), "100", "ref-2")
    result = place(make(sandbox.base_url + "/api/json", stype="", wait=0, method="GET"), feature)
    assert sandbox.requests[0].target == (
        f"/api/json/calls/make/?{CREDS};stype=;snumber=1234567;cnumber=100"
    )
    assert result.call_id is None
    assert "no call ID" in result.message


def test_ampersand_separator_and_local_prefix(sandbox: SandboxThread) -> None:
    provider = make(
        sandbox.base_url + "/local/api/json", separator="&", callerid2="15555550100", method="GET"
    )
    result = place(provider)
    assert sandbox.requests[0].target == (
        "/local/api/json/calls/make/?"
        f"auth_username={ENSWITCH_USERNAME}&auth_password={ENSWITCH_PASSWORD}"
        "&stype=phone&snumber=1234567&cnumber=12125551234&callerid2=15555550100&wait=5"
    )
    assert result.call_id


def test_post_is_the_default_and_keeps_the_password_out_of_the_address(
    sandbox: SandboxThread,
) -> None:
    place(make(sandbox.base_url, delay=2))
    (sent,) = sandbox.requests
    assert (sent.method, sent.target) == ("POST", "/api/json/calls/make/")
    assert sent.header("content-type") == "application/x-www-form-urlencoded"
    assert sent.body.decode() == (
        f"{CREDS};stype=phone;snumber=1234567;cnumber=12125551234;delay=2;wait=5"
    )


def test_pasted_endpoint_is_reduced_to_the_base(sandbox: SandboxThread) -> None:
    place(make(sandbox.base_url + "/local/api/json/calls/make/"))
    assert sandbox.requests[0].path == "/local/api/json/calls/make/"


def test_values_are_url_encoded_and_the_password_never_shows(sandbox: SandboxThread) -> None:
    password = "p;a&s=s w+rd"
    error = fail(make(sandbox.base_url, password=password, method="GET"))
    assert "auth_password=p%3Ba%26s%3Ds%20w%2Brd;" in sandbox.requests[0].target
    fail(make(sandbox.base_url, password=password))
    assert b"auth_password=p%3Ba%26s%3Ds%20w%2Brd;" in sandbox.requests[1].body
    assert error.category is ErrorCategory.CREDENTIALS
    assert not error.maybe_placed
    assert password not in error.message and password not in (error.raw or "")


def test_documented_trailing_comma_answer_is_read(sandbox: SandboxThread) -> None:
    sandbox.sandbox.state["enswitch_trailing_comma"] = True
    result = place(make(sandbox.base_url))
    assert result.call_id is not None and result.call_id.endswith(".000001")
    assert result.raw.rstrip().endswith(", }")


@pytest.mark.parametrize(
    ("fault", "category", "words"),
    [
        ("bad_credentials", ErrorCategory.CREDENTIALS, "user name or password"),
        ("reject_number", ErrorCategory.REJECTED_NUMBER, "refused the number"),
        ("not_permitted", ErrorCategory.NOT_PERMITTED, "role"),
    ],
)
def test_documented_error_codes(
    sandbox: SandboxThread, fault: str, category: ErrorCategory, words: str
) -> None:
    sandbox.set_fault(fault, "enswitch")
    error = fail(make(sandbox.base_url))
    assert error.category is category
    assert words in error.message
    assert not error.maybe_placed
    assert error.raw and '"responses"' in error.raw


def test_rate_plan_refusal(sandbox: SandboxThread) -> None:
    sandbox.sandbox.state["enswitch_rate_plan_denied"] = True
    error = fail(make(sandbox.base_url))
    assert error.category is ErrorCategory.NOT_PERMITTED
    assert "rate plan" in error.message


def test_bad_parameter_names_the_setting(sandbox: SandboxThread) -> None:
    error = fail(make(sandbox.base_url, stype="bogus"))
    assert error.category is ErrorCategory.CONFIG
    assert "“stype”" in error.message and "Invalid type" in error.message


def test_refused_number_carries_the_pbx_words(sandbox: SandboxThread) -> None:
    provider = make(sandbox.base_url)
    error = fail(provider, CallRequest(TARGET, "12-34", "ref-3"))
    assert error.category is ErrorCategory.REJECTED_NUMBER
    assert "Invalid destination" in error.message


@pytest.mark.parametrize(
    ("options", "password", "words"),
    [
        ({"snumber": ""}, ENSWITCH_PASSWORD, "snumber"),
        ({"wait": 2, "delay": 3}, ENSWITCH_PASSWORD, "more than"),
        ({}, "", "password is missing"),
        ({"url": "ftp://pbx.example.com/"}, ENSWITCH_PASSWORD, "http://"),
        ({"separator": ","}, ENSWITCH_PASSWORD, "separator"),
    ],
)
def test_incomplete_profile_sends_nothing(
    sandbox: SandboxThread, options: dict[str, Any], password: str, words: str
) -> None:
    error = fail(make(options.pop("url", sandbox.base_url), password=password, **options))
    assert error.category is ErrorCategory.CONFIG
    assert words in error.message
    assert sandbox.requests == []


def test_describe_masks_the_password() -> None:
    provider = make("https://pbx.example.com/local/api/json/", method="GET")
    (wire,) = provider.describe(REQUEST)
    assert wire.url == (
        "https://pbx.example.com/local/api/json/calls/make/?"
        f"auth_username={ENSWITCH_USERNAME};auth_password={MASK};stype=phone;"
        "snumber=1234567;cnumber=12125551234;wait=5"
    )
    post = make("https://pbx.example.com/").describe(REQUEST)[0].render()
    assert ENSWITCH_PASSWORD not in post and MASK in post


@pytest.mark.parametrize(
    ("fault", "category"),
    [
        ("reset", ErrorCategory.UNEXPECTED),
        ("http_500", ErrorCategory.UNEXPECTED),
        ("garbage", ErrorCategory.UNEXPECTED),
        ("html", ErrorCategory.UNEXPECTED),
        ("timeout", ErrorCategory.TIMEOUT),
    ],
)
def test_transport_faults_may_have_placed_the_call(
    sandbox: SandboxThread, fault: str, category: ErrorCategory
) -> None:
    sandbox.set_fault(fault, "enswitch")
    # wait 0: a wait of 5 s would be refused before sending with a 0.5 s timeout.
    error = fail(make(sandbox.base_url, timeout=0.5, wait=0))
    assert error.category is category
    assert error.maybe_placed


def test_redirect_is_not_followed(sandbox: SandboxThread) -> None:
    sandbox.set_fault("redirect", "enswitch")
    error = fail(make(sandbox.base_url))
    assert error.category is ErrorCategory.CONFIG
    assert len(sandbox.requests) == 1


def test_check_lists_nothing_and_proves_the_login(sandbox: SandboxThread) -> None:
    async def go(provider: EnswitchProvider) -> str:
        try:
            return await provider.check()
        finally:
            await provider.aclose()

    assert "accepted the login" in asyncio.run(go(make(sandbox.base_url)))
    assert sandbox.requests[0].target == "/api/json/calls/active/list/"
    assert sandbox.requests[0].body.startswith(b"auth_username=")
    with pytest.raises(ProviderError) as info:
        asyncio.run(go(make(sandbox.base_url, password="wrong")))
    assert info.value.category is ErrorCategory.CREDENTIALS
    assert not info.value.maybe_placed
    assert not [r for r in sandbox.requests if "calls/make" in r.path]


def test_lenient_json_and_envelope() -> None:
    assert loads_lenient('{"a": {"b": 1}, }') == {"a": {"b": 1}}
    envelope = parse_envelope('{"responses":[{"code":204,"key":"","message":"OK"}]}')
    assert envelope is not None and envelope.code == "204"
    for raw in ("", "[]", '{"responses": []}', '{"responses":[{"code":true}]}', "<html>"):
        assert parse_envelope(raw) is None


def test_simulator_splits_both_separators() -> None:
    assert parse_params("a=1;b=&c=x%3By;d") == {"a": "1", "b": "", "c": "x;y", "d": ""}


def test_demo_profile_places_a_call(sandbox: SandboxThread) -> None:
    from dialer_gui.sandbox.demo import demo_profiles, demo_secrets

    profile = demo_profiles(sandbox.base_url)["demo-enswitch"]
    provider = create_provider(profile, demo_secrets()["demo-enswitch"])
    assert isinstance(provider, EnswitchProvider)
    # The demo profile sends no wait (tests give it short timeouts), so no call ID comes back.
    assert "no call ID" in place(provider).message
    assert sandbox.requests[0].path == "/api/json/calls/make/"
