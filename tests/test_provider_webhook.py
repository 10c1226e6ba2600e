"""The generic webhook provider against the simulator's /webhook/call, over real HTTP."""

from __future__ import annotations

import json
from typing import Any

import pytest
from provider_calls import failed_call, place_call

from dialer_gui.providers import create_provider
from dialer_gui.providers.base import CallRequest, CallResult
from dialer_gui.providers.errors import ErrorCategory, ProviderError
from dialer_gui.providers.redaction import MASK
from dialer_gui.providers.webhook import WebhookProvider, json_path, render
from dialer_gui.sandbox import SandboxThread
from dialer_gui.sandbox.webhook import DEMO_TOKEN
from dialer_gui.vocabulary.profiles import ProviderProfile
from dialer_gui.vocabulary.target import DialTarget, TargetKind

TARGET = DialTarget(TargetKind.EXTERNAL, "+12125551234", "+1 212-555-1234", "US", extension="89")
REQUEST = CallRequest(TARGET, "+12125551234", "ref-9")
AUTH = {"Authorization": "Bearer {token}"}


def make(
    base: str, token: str = DEMO_TOKEN, path: str = "/webhook/call", **options: Any
) -> WebhookProvider:
    opts = {"url": base + path, "headers": AUTH, **options}
    provider = create_provider(ProviderProfile("hook", "webhook", opts), {"token": token})
    assert isinstance(provider, WebhookProvider)
    return provider


def place(provider: WebhookProvider, request: CallRequest = REQUEST) -> CallResult:
    return place_call(provider, request)


def fail(provider: WebhookProvider, request: CallRequest = REQUEST) -> ProviderError:
    return failed_call(provider, request)


def test_json_body_with_placeholders_and_call_id(sandbox: SandboxThread) -> None:
    provider = make(
        sandbox.base_url,
        body='{"number": "{number}", "ext": "{extension}", "ref": "{reference}", "who": "{agent}"}',
        agent='Ann "the boss"',
        success_json_path="ok",
        success_value="true",
        call_id_json_path="id",
    )
    result = place(provider)
    (sent,) = sandbox.requests
    assert sent.method == "POST" and sent.header("authorization") == f"Bearer {DEMO_TOKEN}"
    assert sent.header("content-type") == "application/json"
    assert json.loads(sent.body) == {
        "number": "+12125551234",
        "ext": "89",
        "ref": "ref-9",
        "who": 'Ann "the boss"',
    }
    assert result.call_id == "wh-1"


def test_get_with_url_encoded_number_and_regex_call_id(sandbox: SandboxThread) -> None:
    provider = make(
        sandbox.base_url,
        path="/webhook/call?number={number}&digits={digits}",
        method="GET",
        success_regex=r'"ok":\s*true',
        call_id_regex=r'"id":\s*"([^"]+)"',
    )
    result = place(provider)
    assert sandbox.requests[0].target == "/webhook/call?number=%2B12125551234&digits=12125551234"
    assert result.call_id == "wh-1"


def test_form_body_is_form_escaped(sandbox: SandboxThread) -> None:
    place(make(sandbox.base_url, body="number={number}&note={e164}", body_format="form"))
    sent = sandbox.requests[0]
    assert sent.body == b"number=%2B12125551234&note=%2B12125551234"
    assert sent.header("content-type") == "application/x-www-form-urlencoded"


def test_values_cannot_break_out_of_their_place() -> None:
    hostile = '", "admin": true, "x": "'
    rendered = render('{"a": "{v}"}', {"v": hostile}, lambda v: json.dumps(v)[1:-1])
    assert json.loads(rendered) == {"a": hostile}
    provider = make("http://127.0.0.1:1", agent="a\r\nX-Evil: 1", headers={"X-A": "{agent}"})
    with pytest.raises(ProviderError) as info:
        provider.describe(REQUEST)
    assert info.value.category is ErrorCategory.CONFIG
    provider = make("http://127.0.0.1:1", path="/call?who={agent}", agent="a/b?c#d&e=f")
    assert provider.describe(REQUEST)[0].url == "http://127.0.0.1:1/call?who=a%2Fb%3Fc%23d%26e%3Df"


def test_secrets_are_masked_in_describe_and_raw(sandbox: SandboxThread) -> None:
    provider = make(sandbox.base_url, body='{"number": "{number}", "token": "{token}"}')
    wire = provider.describe(REQUEST)[0].render()
    assert DEMO_TOKEN not in wire and f"Bearer {MASK}" in wire and f'"token": "{MASK}"' in wire
    sandbox.set_fault("bad_credentials", "webhook")
    error = fail(make(sandbox.base_url))
    assert error.category is ErrorCategory.CREDENTIALS


@pytest.mark.parametrize(
    ("fault", "category"),
    [
        ("bad_credentials", ErrorCategory.CREDENTIALS),
        ("not_permitted", ErrorCategory.NOT_PERMITTED),
        ("reject_number", ErrorCategory.REJECTED_NUMBER),
    ],
)
def test_error_answers(sandbox: SandboxThread, fault: str, category: ErrorCategory) -> None:
    sandbox.set_fault(fault, "webhook")
    error = fail(make(sandbox.base_url, body='{"number": "{number}"}'))
    assert error.category is category
    assert not error.maybe_placed


def test_success_field_that_disagrees_is_not_accepted(sandbox: SandboxThread) -> None:
    provider = make(
        sandbox.base_url,
        body='{"number": "{number}"}',
        success_json_path="data.status",
        success_value="ringing",
    )
    error = fail(provider)
    assert error.category is ErrorCategory.UNEXPECTED and not error.maybe_placed
    assert "data.status" in error.message and "queued" in error.message


@pytest.mark.parametrize(
    ("fault", "category"),
    [
        ("reset", ErrorCategory.UNEXPECTED),
        ("http_500", ErrorCategory.UNEXPECTED),
        ("garbage", ErrorCategory.UNEXPECTED),
        ("timeout", ErrorCategory.TIMEOUT),
    ],
)
def test_transport_faults(sandbox: SandboxThread, fault: str, category: ErrorCategory) -> None:
    sandbox.set_fault(fault, "webhook")
    provider = make(sandbox.base_url, timeout=0.5, success_json_path="ok")
    error = fail(provider)
    assert error.category is category
    assert error.maybe_placed


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"url": ""}, "address is missing"),
        ({"url": "ftp://example.com/{number}"}, "http://"),
        ({"body": '{"n": "{nmber}"}'}, "{nmber}"),
        ({"method": "DELETE"}, "method"),
        ({"success_regex": "("}, "regular expression"),
    ],
)
def test_bad_settings_are_config_errors(
    sandbox: SandboxThread, options: dict[str, Any], words: str
) -> None:
    base = "" if "url" in options else sandbox.base_url
    error = fail(make(base, path=options.pop("url", "/webhook/call"), **options))
    assert error.category is ErrorCategory.CONFIG
    assert words in error.message
    assert sandbox.requests == []


def test_json_path() -> None:
    data = {"data": {"items": [{"id": 7}], "ok": False}}
    assert json_path(data, "data.items.0.id") == 7
    assert json_path(data, "data.ok") is False
    missing = json_path(data, "x")
    assert missing is not None  # a sentinel, so a JSON null stays distinguishable
    assert json_path(data, "data.nope") is missing
    assert json_path(data, "data.items.5") is missing
