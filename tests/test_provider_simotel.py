"""Simotel originate provider against the loopback simulator, over real HTTP."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import httpx
import pytest

from dialer_gui.providers import create_provider
from dialer_gui.providers.base import CallRequest, CallResult, Provider
from dialer_gui.providers.errors import ErrorCategory, ProviderError
from dialer_gui.providers.redaction import MASK
from dialer_gui.sandbox import demo
from dialer_gui.vocabulary.profiles import ProviderProfile
from dialer_gui.vocabulary.target import DialTarget, TargetKind

NUMBER = "09371234567"
CALL = CallRequest(DialTarget(TargetKind.EXTERNAL, "+989371234567", NUMBER, "IR"), NUMBER, "r1")
DOC_BASIC = "Basic dGVzdDpBYTEyMzQ1Ng=="  # the vendor's sample header for test:Aa123456


def provider(sandbox: Any, secrets: dict[str, str] | None = None, **options: Any) -> Provider:
    profile = demo.demo_profiles(sandbox.base_url)["demo-simotel"]
    profile = ProviderProfile(profile.name, profile.type, {**profile.options, **options})
    return create_provider(
        profile, demo.demo_secrets()["demo-simotel"] if secrets is None else secrets
    )


def run(p: Provider, step: Any = None) -> Any:
    """Place CALL (or run ``step``) in a fresh loop; a ProviderError is returned, not raised."""

    async def go() -> Any:
        try:
            return await (step() if step else p.place_call(CALL))
        except ProviderError as exc:
            return exc
        finally:
            await p.aclose()

    return asyncio.run(go())


def canned(status: int, message: str) -> dict[str, Any]:
    """Sandbox state making Simotel give one documented answer the simulator cannot provoke."""
    return {"simotel_answers": [(status, {"success": 0, "message": message, "data": None})]}


def set_state(sandbox: Any, **values: Any) -> None:
    async def update() -> None:
        sandbox.sandbox.state.update(values)

    sandbox.call(update())


def test_post_sends_documented_headers_and_string_values(sandbox: Any) -> None:
    result = run(provider(sandbox))
    assert result.call_id.startswith("orig.call.")
    (r,) = sandbox.requests
    assert (r.method, r.target) == ("POST", "/api/v4/call/originate/act")
    assert r.header("Authorization") == DOC_BASIC
    assert r.header("X-APIKEY") == demo.SIMOTEL_API_KEY
    assert r.header("Content-Type") == "application/json"
    assert r.body == (
        b'{"caller":"557","callee":"09371234567","context":"main_routing",'
        b'"caller_id":"557","timeout":"30"}'
    )
    assert demo.SIMOTEL_API_KEY not in result.raw


def test_put_with_every_optional_value(sandbox: Any) -> None:
    set_state(sandbox, simotel_methods={"PUT"})
    p = provider(
        sandbox, method="PUT", caller_id="masking", trunk_name="cisco", timeout_answer=45,
        call_limit=600,
    )  # fmt: skip
    assert run(p).call_id
    (r,) = sandbox.requests
    assert r.method == "PUT"
    assert r.json() == {
        "caller": "557", "callee": NUMBER, "context": "main_routing", "caller_id": "masking",
        "trunk_name": "cisco", "timeout": "45", "call_limit": "600",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("auth", "basic", "key"), [("basic", True, False), ("apikey", False, True)]
)
def test_single_auth_methods(sandbox: Any, auth: str, basic: bool, key: bool) -> None:
    set_state(sandbox, simotel_auth=auth)
    assert run(provider(sandbox, auth=auth)).call_id
    (r,) = sandbox.requests
    assert (r.header("Authorization") is not None) is basic
    assert (r.header("X-APIKEY") is not None) is key


@pytest.mark.parametrize(
    ("setup", "options", "secrets", "category", "words"),
    [
        ({}, {}, {"password": "nope", "api_key": demo.SIMOTEL_API_KEY},
         ErrorCategory.CREDENTIALS, "BasicAuth or ApiKey is invalid"),
        ({"simotel_auth": "both"}, {"auth": "apikey"}, None,
         ErrorCategory.CREDENTIALS, "Authentication choice"),
        ({"simotel_ip_denied": True}, {}, None, ErrorCategory.NOT_PERMITTED, "IP address"),
        ({"simotel_denied": True}, {}, None, ErrorCategory.NOT_PERMITTED, "Access denied"),
        ({"simotel_methods": {"PUT"}}, {}, None, ErrorCategory.CONFIG, "method to PUT"),
        (canned(200, "Field 'context':value is missing"), {}, None, ErrorCategory.CONFIG,
         "“Context”"),
        (canned(501, "Requested service does not exist"), {}, None, ErrorCategory.CONFIG,
         "API version"),
        (canned(415, "Unsupported Media Type"), {}, None, ErrorCategory.UNEXPECTED, "415"),
        (canned(400, "Unable to parse content"), {}, None, ErrorCategory.UNEXPECTED, "400"),
        ({}, {"api_version": "v9"}, None, ErrorCategory.CONFIG, "404"),
    ],
)  # fmt: skip
def test_documented_errors(
    sandbox: Any,
    setup: dict[str, Any],
    options: dict[str, Any],
    secrets: dict[str, str] | None,
    category: ErrorCategory,
    words: str,
) -> None:
    set_state(sandbox, **setup)
    err = run(provider(sandbox, secrets, **options))
    assert isinstance(err, ProviderError), err
    assert err.category is category
    assert not err.maybe_placed
    assert words in err.message
    assert "demo-simotel" in err.message
    assert err.raw


def test_missing_callee_is_a_rejected_number(sandbox: Any) -> None:
    p = provider(sandbox)
    err = run(p, lambda: p.place_call(CallRequest(CALL.target, "", "r2")))
    assert err.category is ErrorCategory.REJECTED_NUMBER
    assert "Field 'callee':value is missing" in err.message


@pytest.mark.parametrize(
    ("kind", "category"),
    [
        ("bad_credentials", ErrorCategory.CREDENTIALS),
        ("not_permitted", ErrorCategory.NOT_PERMITTED),
        ("reject_number", ErrorCategory.REJECTED_NUMBER),
    ],
)
def test_api_refusals(sandbox: Any, kind: str, category: ErrorCategory) -> None:
    sandbox.set_fault(kind, "simotel")
    err = run(provider(sandbox))
    assert err.category is category
    assert not err.maybe_placed


@pytest.mark.parametrize(
    ("kind", "category"),
    [
        ("reset", ErrorCategory.UNEXPECTED),
        ("http_500", ErrorCategory.UNEXPECTED),
        ("garbage", ErrorCategory.UNEXPECTED),
        ("timeout", ErrorCategory.TIMEOUT),
    ],
)
def test_broken_answers_may_have_placed_the_call(
    sandbox: Any, kind: str, category: ErrorCategory
) -> None:
    sandbox.set_fault(kind, "simotel")
    err = run(provider(sandbox, timeout=0.5))
    assert isinstance(err, ProviderError)
    assert err.category is category
    assert err.maybe_placed
    assert len(sandbox.requests) == 1


def test_describe_masks_every_secret(sandbox: Any) -> None:
    (wire,) = provider(sandbox, call_limit=60).describe(CALL)
    text = wire.render()
    assert wire.method == "POST"
    assert wire.url == f"{sandbox.base_url}/api/v4/call/originate/act"
    assert dict(wire.headers) == {
        "Authorization": f"Basic {MASK}", "X-APIKEY": MASK, "Content-Type": "application/json"
    }  # fmt: skip
    assert json.loads(wire.body)["call_limit"] == "60"
    for secret in (demo.SIMOTEL_PASSWORD, demo.SIMOTEL_API_KEY, DOC_BASIC.split()[1]):
        assert secret not in text
        assert base64.b64encode(secret.encode()).decode() not in text
    assert sandbox.requests == []


def test_check_pings_with_the_configured_method(sandbox: Any) -> None:
    set_state(sandbox, simotel_methods={"PUT"})
    p = provider(sandbox, method="PUT")
    assert "settings work" in run(p, p.check)
    (r,) = sandbox.requests
    assert (r.method, r.target, r.body) == ("PUT", "/api/v4/setting/ping/act", b"{}")


def test_check_reports_refused_credentials(sandbox: Any) -> None:
    p = provider(sandbox, None, auth="basic")
    sandbox.set_fault("bad_credentials", "simotel")
    err = run(p, p.check)
    assert err.category is ErrorCategory.CREDENTIALS
    assert "test request" in err.message
    assert not err.maybe_placed


def test_missing_settings_send_nothing(sandbox: Any) -> None:
    for options, secrets in (({"caller": ""}, None), ({}, {"password": "x"})):
        err = run(provider(sandbox, secrets, **options))
        assert err.category is ErrorCategory.CONFIG
    assert sandbox.requests == []


def test_simulator_wants_json_content_type(sandbox: Any) -> None:
    answer = httpx.post(
        f"{sandbox.base_url}/api/v4/call/originate/act",
        content=b'{"caller":"557"}',
        headers={"X-APIKEY": demo.SIMOTEL_API_KEY, "Content-Type": "text/plain"},
    )
    assert answer.status_code == 415
    assert answer.json() == {"success": 0, "message": "Unsupported Media Type", "data": None}


@pytest.mark.parametrize("status", [200, 201, 202])
def test_success_on_any_2xx_is_accepted(sandbox: Any, status: int) -> None:
    body = {"success": 1, "message": "Call requested", "data": {"originated_call_id": "c.9"}}
    set_state(sandbox, simotel_answers=[(status, body)])
    result = run(provider(sandbox))
    assert isinstance(result, CallResult), result
    assert result.call_id == "c.9"


def test_unreadable_2xx_may_have_placed_the_call(sandbox: Any) -> None:
    set_state(sandbox, simotel_answers=[(202, ["queued"])])
    err = run(provider(sandbox))
    assert isinstance(err, ProviderError) and err.maybe_placed
    assert err.category is ErrorCategory.UNEXPECTED
