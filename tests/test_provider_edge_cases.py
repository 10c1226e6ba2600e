"""Provider edge cases: each pinned by a test through real code paths (the sandbox, real httpx)."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import httpx
import pytest
from fake_secrets import StaticSecrets

from dialer_gui.core.config import Config, GeneralSettings
from dialer_gui.core.dialer import Dialer
from dialer_gui.core.events import EventBus
from dialer_gui.core.history import HistoryStore
from dialer_gui.providers import create_provider
from dialer_gui.providers.base import CallRequest
from dialer_gui.providers.errors import ErrorCategory, ProviderError
from dialer_gui.providers.http import build, map_transport_error, redact
from dialer_gui.providers.redaction import MASK
from dialer_gui.sandbox import SandboxThread
from dialer_gui.sandbox.demo import demo_profiles, demo_secrets
from dialer_gui.vocabulary.calls import CallAttempt, CallState, Source
from dialer_gui.vocabulary.profiles import ProviderProfile
from dialer_gui.vocabulary.target import DialTarget, TargetKind

UK = "+44 20 7946 0958"
TARGET = DialTarget(TargetKind.EXTERNAL, "+12125551234", "+1 212-555-1234", "US")
REQUEST = CallRequest(TARGET, "+12125551234", "ref-7")


def dial(sandbox: SandboxThread, profile: str, **options: Any) -> CallAttempt:
    """Dial ``UK`` through a real Dialer with the demo ``profile`` and ``options`` changed."""
    profiles = demo_profiles(sandbox.base_url)
    base = profiles[profile]
    profiles[profile] = dataclasses.replace(base, options={**base.options, **options})
    config = Config(
        general=GeneralSettings(region="GB", default_provider=profile), providers=profiles
    )
    dialer = Dialer(config, StaticSecrets(demo_secrets()), HistoryStore(":memory:"), EventBus())

    async def go() -> CallAttempt:
        try:
            return await dialer.dial(UK, Source.DIALPAD)
        finally:
            await dialer.aclose()

    return asyncio.run(go())


# -- 1. a request that cannot be built was never sent: FAILED, not "may ring" ------------------


def test_port_out_of_range_fails_as_config_through_the_dialer(sandbox: SandboxThread) -> None:
    attempt = dial(sandbox, "demo-fonality", url="https://127.0.0.1:99999")
    assert attempt.state is CallState.FAILED
    assert attempt.error_category == "config"
    assert attempt.error and "99999" in attempt.error and "demo-fonality" in attempt.error
    assert sandbox.requests == []


def test_non_ascii_header_fails_as_config_through_the_dialer(sandbox: SandboxThread) -> None:
    headers = {"Authorization": "Bearer {token}", "X-Who": "Büro {number}"}
    attempt = dial(sandbox, "demo-webhook", headers=headers)
    assert attempt.state is CallState.FAILED
    assert attempt.error_category == "config"
    assert attempt.error and "demo-webhook" in attempt.error and "header" in attempt.error
    assert sandbox.requests == []


def test_non_ascii_token_fails_as_config_and_is_not_quoted() -> None:
    token = "tökén-secret"
    profile = ProviderProfile(
        "hook", "webhook", {"url": "http://127.0.0.1:1/", "headers": {"X-Token": "{token}"}}
    )
    provider = create_provider(profile, {"token": token})

    async def go() -> None:
        try:
            await provider.place_call(REQUEST)
        finally:
            await provider.aclose()

    with pytest.raises(ProviderError) as info:
        asyncio.run(go())
    assert info.value.category is ErrorCategory.CONFIG and not info.value.maybe_placed
    assert "ö" not in info.value.message and token not in info.value.message


@pytest.mark.parametrize("url", ["http://[::1/", "http://127.0.0.1:0/"])
def test_build_refuses_bad_addresses(url: str) -> None:
    async def go() -> None:
        async with httpx.AsyncClient() as client:
            build(client, "GET", url, provider="p1")

    with pytest.raises(ProviderError) as info:
        asyncio.run(go())
    assert info.value.category is ErrorCategory.CONFIG and not info.value.maybe_placed
    assert "p1" in info.value.message


def test_build_passes_good_requests_through() -> None:
    async def go() -> httpx.Request:
        async with httpx.AsyncClient() as client:
            return build(client, "POST", "http://127.0.0.1:8/x", provider="p", content=b"a")

    request = asyncio.run(go())
    assert request.method == "POST" and request.url.port == 8 and request.content == b"a"


def test_local_protocol_error_means_nothing_was_sent() -> None:
    error = map_transport_error(httpx.LocalProtocolError("Illegal header name"), "p2")
    assert error.category is ErrorCategory.CONFIG and not error.maybe_placed
    assert "p2" in error.message


def test_illegal_header_name_fails_as_config(sandbox: SandboxThread) -> None:
    # h11 refuses the header name while writing, before any byte of the request left.
    attempt = dial(
        sandbox, "demo-webhook", headers={"Authorization": "Bearer {token}", "X Who": "a"}
    )
    assert attempt.state is CallState.FAILED
    assert attempt.error_category == "config"
    assert sandbox.requests == []


# -- 2. webhook: only an explicit "no" is FAILED; an answer we cannot judge may have dialed ------


def test_webhook_html_page_without_rule_is_unknown(sandbox: SandboxThread) -> None:
    sandbox.set_fault("html", "webhook")
    attempt = dial(sandbox, "demo-webhook", success_json_path="", success_value="")
    assert attempt.state is CallState.UNKNOWN
    assert attempt.error_category == "unexpected"
    assert len(sandbox.requests) == 1


def place_webhook(sandbox: SandboxThread, **options: Any) -> ProviderError:
    profile = demo_profiles(sandbox.base_url)["demo-webhook"]
    profile = dataclasses.replace(profile, options={**profile.options, **options})
    provider = create_provider(profile, demo_secrets()["demo-webhook"])

    async def go() -> None:
        try:
            await provider.place_call(REQUEST)
        finally:
            await provider.aclose()

    with pytest.raises(ProviderError) as info:
        asyncio.run(go())
    return info.value


@pytest.mark.parametrize(
    "options",
    [
        {"success_json_path": "data.placed", "success_value": ""},
        {"success_json_path": "", "success_regex": "ringing"},
    ],
)
def test_webhook_answer_the_rule_cannot_judge_may_have_dialed(
    sandbox: SandboxThread, options: dict[str, str]
) -> None:
    error = place_webhook(sandbox, **options)
    assert error.maybe_placed and error.category is ErrorCategory.UNEXPECTED
    assert "may or may not ring" in error.message


def test_webhook_explicit_no_is_not_placed(sandbox: SandboxThread) -> None:
    error = place_webhook(sandbox, success_json_path="data.status", success_value="ringing")
    assert not error.maybe_placed
    assert "queued" in error.message


# -- 3. redaction covers the JSON- and HTML-escaped spellings of a secret ----------------------

ODD_SECRET = 's3cr"t/pw&1'


@pytest.mark.parametrize(
    "text",
    [
        '{"pass": "s3cr\\"t\\/pw&1"}',  # JSON, with PHP's escaped slash
        '{"pass": "s3cr\\"t/pw&1"}',  # JSON
        "<pass>s3cr&quot;t/pw&amp;1</pass>",  # HTML or XML
    ],
)
def test_redact_masks_escaped_forms(text: str) -> None:
    masked = redact(text, [ODD_SECRET])
    assert MASK in masked
    assert "s3cr" not in masked and "pw&" not in masked


def test_redact_masks_json_escaped_non_ascii_secret() -> None:
    masked = redact('{"token": "p\\u00e4ss-word"}', ["päss-word"])
    assert masked == '{"token": "' + MASK + '"}'


def test_redact_leaves_very_short_secrets_alone() -> None:
    # Masking every "1" of an answer would make it unreadable.
    assert redact('{"ok": 1}', ["1"]) == '{"ok": 1}'


# -- 5. the call ID known before sending -------------------------------------------------------


def test_teleforge_expected_call_id_is_the_reference_it_sends(sandbox: SandboxThread) -> None:
    profile = demo_profiles(sandbox.base_url)["demo-teleforge"]
    provider = create_provider(profile, {})
    za = DialTarget(TargetKind.EXTERNAL, "+27820001234", "082 000 1234", "ZA")
    request = CallRequest(za, "27820001234", "ref/with spaces é")
    expected = provider.expected_call_id(request)

    async def go() -> str | None:
        try:
            return (await provider.place_call(request)).call_id
        finally:
            await provider.aclose()

    assert expected == asyncio.run(go()) == "ref-with-spaces--"
    (sent,) = sandbox.requests
    assert sent.json()["contact_ref"] == expected


def test_providers_that_learn_the_id_from_the_answer_expect_none(sandbox: SandboxThread) -> None:
    for name, profile in demo_profiles(sandbox.base_url).items():
        if profile.type != "teleforge":
            provider = create_provider(profile, demo_secrets().get(name, {}))
            assert provider.expected_call_id(REQUEST) is None, name


# -- 6. the shared settings helpers keep each provider's wording and spacing -------------------


def test_shared_helpers_keep_messages_and_template_spacing() -> None:
    hook = create_provider(
        ProviderProfile("h", "webhook", {"url": "http://127.0.0.1:1/", "body": " {number}\n"}),
        {},
    )
    assert hook.describe(REQUEST)[0].body == " +12125551234\n"
    for kind, noun in (
        ("webhook", "webhook"),
        ("enswitch", "Enswitch"),
        ("teleforge", "Teleforge"),
    ):
        with pytest.raises(ProviderError) as info:
            create_provider(ProviderProfile("p", kind, {"url": "  "}), {}).describe(REQUEST)
        assert info.value.message.startswith(f"The {noun} profile “p” is not usable: ")
        assert info.value.category is ErrorCategory.CONFIG
