"""Teleforge outcomes never lie: a 2xx is "accepted" only when its answer says so.

Click2Dial documents no answer body. An answer that says error is a refusal with its reason; one
that cannot be read, or says neither yes nor no, is "unknown" (the PBX may have dialed). A 400 is
explained by the field it names; and since Click2Dial has no credentials, no answer tells the
user to check them. All through the simulator on loopback.
"""

from __future__ import annotations

from typing import Any

import pytest
from provider_calls import failed_call, place_call

from dialer_gui.providers import create_provider
from dialer_gui.providers.base import CallRequest
from dialer_gui.providers.errors import ErrorCategory
from dialer_gui.providers.teleforge import TeleforgeProvider
from dialer_gui.sandbox import SandboxThread
from dialer_gui.vocabulary.profiles import ProviderProfile
from dialer_gui.vocabulary.target import DialTarget, TargetKind

TARGET = DialTarget(TargetKind.EXTERNAL, "+27820001234", "+27 82 000 1234", "ZA")
REQUEST = CallRequest(TARGET, "27820001234", "a1b2-c3")


def make(url: str, **options: Any) -> TeleforgeProvider:
    opts = {"url": url, "agent": "1000", "outbound_id": "27215550100", **options}
    provider = create_provider(ProviderProfile("sales", "teleforge", opts), {})
    assert isinstance(provider, TeleforgeProvider)
    return provider


def answer(sandbox: SandboxThread, body: str, status: int = 200) -> None:
    sandbox.sandbox.state["teleforge_answer"] = body
    sandbox.sandbox.state["teleforge_status"] = status


@pytest.mark.parametrize(
    ("body", "category", "words"),
    [
        ('{"status":"error","error":"invalid agent"}', ErrorCategory.CONFIG, "extension"),
        ('{"status":"error","error":"invalid outbound_id"}', ErrorCategory.CONFIG, "caller ID"),
        ('{"status":"error","error":"invalid callee"}', ErrorCategory.REJECTED_NUMBER, "number"),
        ('{"status":"error"}', ErrorCategory.REJECTED_NUMBER, "no reason"),
        ('{"status":"failed","message":"no route"}', ErrorCategory.REJECTED_NUMBER, "no route"),
        ('{"error":"agent offline"}', ErrorCategory.CONFIG, "extension"),
    ],
)
def test_a_2xx_that_says_error_is_a_refusal_with_its_reason(
    sandbox: SandboxThread, body: str, category: ErrorCategory, words: str
) -> None:
    answer(sandbox, body)
    error = failed_call(make(sandbox.base_url), REQUEST)
    assert not error.maybe_placed
    assert error.category is category
    assert words in error.message
    assert "credentials" not in error.message.lower()
    assert len(sandbox.requests) == 1


@pytest.mark.parametrize("body", ["", "   ", "{nope", "[]", '"ok"', "{}", '{"status":"pending"}'])
def test_a_2xx_that_cannot_be_read_or_says_nothing_is_unknown(
    sandbox: SandboxThread, body: str
) -> None:
    answer(sandbox, body)
    error = failed_call(make(sandbox.base_url), REQUEST)
    assert error.maybe_placed
    assert error.category is ErrorCategory.UNEXPECTED
    assert "check your phone" in error.message.lower()
    assert len(sandbox.requests) == 1


@pytest.mark.parametrize("fault", ["empty", "garbage", "truncated"])
def test_empty_garbage_and_half_answers_are_unknown(sandbox: SandboxThread, fault: str) -> None:
    sandbox.set_fault(fault, "teleforge")
    error = failed_call(make(sandbox.base_url), REQUEST)
    assert error.maybe_placed and error.category is ErrorCategory.UNEXPECTED


@pytest.mark.parametrize(
    "body",
    [
        '{"status":"queued","contact_ref":"a1b2-c3"}',
        '{"status":"OK"}',
        '{"success":true}',
        '{"contact_ref":"a1b2-c3"}',
    ],
)
def test_a_2xx_that_says_yes_is_accepted(sandbox: SandboxThread, body: str) -> None:
    answer(sandbox, body, 201)
    assert place_call(make(sandbox.base_url), REQUEST).call_id == "a1b2-c3"


@pytest.mark.parametrize(
    ("error", "category", "words"),
    [
        ("invalid agent", ErrorCategory.CONFIG, "extension"),
        ("invalid outbound_id", ErrorCategory.CONFIG, "caller ID"),
        ("invalid callee", ErrorCategory.REJECTED_NUMBER, "South African"),
        ("invalid contact_ref", ErrorCategory.CONFIG, "version"),
    ],
)
def test_a_400_is_explained_by_the_field_it_names(
    sandbox: SandboxThread, error: str, category: ErrorCategory, words: str
) -> None:
    answer(sandbox, f'{{"status":"error","error":"{error}"}}', 400)
    err = failed_call(make(sandbox.base_url), REQUEST)
    assert not err.maybe_placed
    assert err.category is category
    assert words in err.message and error in err.message


def test_a_400_for_the_agent_does_not_blame_the_number(sandbox: SandboxThread) -> None:
    answer(sandbox, '{"status":"error","error":"invalid agent"}', 400)
    err = failed_call(make(sandbox.base_url), REQUEST)
    assert "South African" not in err.message


@pytest.mark.parametrize(("fault", "status"), [("bad_credentials", 401), ("not_permitted", 403)])
def test_401_and_403_never_mention_credentials(
    sandbox: SandboxThread, fault: str, status: int
) -> None:
    sandbox.set_fault(fault, "teleforge")
    err = failed_call(make(sandbox.base_url), REQUEST)
    assert not err.maybe_placed
    assert err.category is ErrorCategory.NOT_PERMITTED
    assert "credential" not in err.message.lower() and "password" not in err.message.lower()
    assert "credential" not in err.advice.lower()
    assert f"HTTP {status}" in err.message


def test_caller_id_is_required_and_has_no_default(sandbox: SandboxThread) -> None:
    field = next(f for f in TeleforgeProvider.fields if f.name == "outbound_id")
    assert field.required and not field.default
    assert "27820001234" in field.help
    err = failed_call(make(sandbox.base_url, outbound_id=""), REQUEST)
    assert err.category is ErrorCategory.CONFIG and "caller ID" in err.message
    assert sandbox.requests == []


@pytest.mark.parametrize(
    "outbound_id", ["random", "tvc_sales", "tvc_Sales-East", "tvc_campaign.2026", "27215550100"]
)
def test_documented_caller_ids_are_sent(sandbox: SandboxThread, outbound_id: str) -> None:
    place_call(make(sandbox.base_url, outbound_id=outbound_id), REQUEST)
    assert sandbox.requests[-1].json()["outbound_id"] == outbound_id


@pytest.mark.parametrize(
    "outbound_id", ["RANDOM", "tvc_", "tvc_two words", "TVC_sales", "٠٢١٥٥٥٠١٠٠", "+27215550100"]
)
def test_undocumented_caller_ids_are_refused_before_sending(
    sandbox: SandboxThread, outbound_id: str
) -> None:
    err = failed_call(make(sandbox.base_url, outbound_id=outbound_id), REQUEST)
    assert err.category is ErrorCategory.CONFIG
    assert sandbox.requests == []


def test_non_ascii_digits_are_not_an_extension(sandbox: SandboxThread) -> None:
    err = failed_call(make(sandbox.base_url, agent="١٠٠٠"), REQUEST)
    assert err.category is ErrorCategory.CONFIG
    assert sandbox.requests == []


def test_simulator_has_its_own_patterns_from_the_document() -> None:
    import dialer_gui.providers.teleforge as client
    import dialer_gui.sandbox.teleforge as simulator

    for name in ("AGENT_RE", "CALLEE_RE", "OUTBOUND_ID_RE", "REF_RE"):
        assert getattr(simulator, name) is not getattr(client, name, None), name
    assert simulator.OUTBOUND_ID_RE.fullmatch("tvc_Sales-East")
    assert not simulator.AGENT_RE.fullmatch("١٠٠٠")
    assert not simulator.CALLEE_RE.fullmatch("0027820001234567890")
