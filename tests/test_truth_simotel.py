"""Simotel outcomes never lie: the simulator is as strict as the vendor's documentation about the
originate body (every parameter a string, the four required ones present, nothing else), and
the client's real requests pass it. A refused body is a failure with nothing dialed. Through the
loopback simulator over real HTTP."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from provider_calls import failed_call, place_call

from dialer_gui.providers import create_provider
from dialer_gui.providers.base import CallRequest, Provider
from dialer_gui.providers.errors import ErrorCategory
from dialer_gui.sandbox import SandboxThread, demo
from dialer_gui.vocabulary.profiles import ProviderProfile
from dialer_gui.vocabulary.target import DialTarget, TargetKind

NUMBER = "09371234567"
CALL = CallRequest(DialTarget(TargetKind.EXTERNAL, "+989371234567", NUMBER, "IR"), NUMBER, "r")
# The vendor's sample body: every value a string.
SAMPLE = {
    "caller": "557",
    "callee": "552",
    "context": "main_routing",
    "caller_id": "557",
    "trunk_name": "cisco",
    "timeout": "30",
    "call_limit": "30",
}
REQUIRED = ("caller", "callee", "context", "caller_id")
NOT_STRINGS = [557, 30.5, True, False, None, ["557"], {"number": "557"}]
PARSE_ERROR = {"success": 0, "message": "Unable to parse content", "data": None}


def originate(sandbox: SandboxThread, body: Any) -> httpx.Response:
    """A hand-built originate request with the demo credentials, straight to the simulator."""
    return httpx.post(
        f"{sandbox.base_url}/api/v4/call/originate/act",
        content=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "X-APIKEY": demo.SIMOTEL_API_KEY},
        auth=(demo.SIMOTEL_USERNAME, demo.SIMOTEL_PASSWORD),
    )


def accepted(sandbox: SandboxThread) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = sandbox.sandbox.state["simotel_calls"]
    return calls


def make(sandbox: SandboxThread, **options: Any) -> Provider:
    profile = demo.demo_profiles(sandbox.base_url)["demo-simotel"]
    profile = ProviderProfile(profile.name, profile.type, {**profile.options, **options})
    return create_provider(profile, demo.demo_secrets()["demo-simotel"])


def test_the_vendors_sample_body_is_accepted(sandbox: SandboxThread) -> None:
    answer = originate(sandbox, SAMPLE)
    assert answer.status_code == 200
    assert answer.json()["success"] == 1
    assert answer.json()["data"]["originated_call_id"].startswith("orig.call.")
    assert accepted(sandbox) == [SAMPLE]


def test_the_curl_samples_empty_trunk_is_accepted(sandbox: SandboxThread) -> None:
    answer = originate(sandbox, {**SAMPLE, "trunk_name": ""})
    assert answer.json()["success"] == 1


def test_an_integer_caller_is_refused(sandbox: SandboxThread) -> None:
    answer = originate(sandbox, {**SAMPLE, "caller": 557})
    assert answer.status_code == 400
    assert answer.json() == PARSE_ERROR
    assert accepted(sandbox) == []


@pytest.mark.parametrize("field", list(SAMPLE))
@pytest.mark.parametrize("value", NOT_STRINGS, ids=repr)
def test_every_documented_string_must_be_a_string(
    sandbox: SandboxThread, field: str, value: Any
) -> None:
    answer = originate(sandbox, {**SAMPLE, field: value})
    assert answer.status_code == 400, answer.text
    assert answer.json() == PARSE_ERROR
    assert accepted(sandbox) == []


@pytest.mark.parametrize("field", ["time_out", "callerid", "Caller", "extra"])
def test_an_undocumented_field_is_refused(sandbox: SandboxThread, field: str) -> None:
    # "time_out" is how the document's prose spells the parameter its table calls "timeout".
    answer = originate(sandbox, {**SAMPLE, field: "30"})
    assert answer.status_code == 400, answer.text
    assert answer.json() == PARSE_ERROR
    assert accepted(sandbox) == []


@pytest.mark.parametrize("field", REQUIRED)
@pytest.mark.parametrize("absent", ["left out", "empty"])
def test_a_missing_required_field_is_named(sandbox: SandboxThread, field: str, absent: str) -> None:
    body = {k: v for k, v in SAMPLE.items() if k != field}
    if absent == "empty":
        body[field] = ""
    answer = originate(sandbox, body)
    assert answer.status_code == 200
    assert answer.json() == {
        "success": 0,
        "message": f"Field '{field}':value is missing",
        "data": None,
    }
    assert accepted(sandbox) == []


@pytest.mark.parametrize("body", [[SAMPLE], "557", 557, None])
def test_a_body_that_is_not_an_object_is_refused(sandbox: SandboxThread, body: Any) -> None:
    answer = originate(sandbox, body)
    assert (answer.status_code, answer.json()) == (400, PARSE_ERROR)
    assert accepted(sandbox) == []


def test_the_clients_real_request_passes(sandbox: SandboxThread) -> None:
    p = make(sandbox, caller_id="masking", trunk_name="cisco", timeout_answer=45, call_limit=600)
    result = place_call(p, CALL)
    assert result.call_id and result.call_id.startswith("orig.call.")
    (body,) = accepted(sandbox)
    assert body == {
        "caller": "557",
        "callee": NUMBER,
        "context": "main_routing",
        "caller_id": "masking",
        "trunk_name": "cisco",
        "timeout": "45",
        "call_limit": "600",
    }


@pytest.mark.parametrize(
    ("options", "caller"),
    [
        ({"caller": 557, "caller_id": 557, "timeout_answer": "45", "call_limit": 60}, "557"),
        ({"caller": "0557", "context": 100}, "0557"),
    ],
)
def test_a_numeric_looking_profile_still_sends_strings(
    sandbox: SandboxThread, options: dict[str, Any], caller: str
) -> None:
    # A profile written by hand may hold numbers where Settings stores text.
    assert place_call(make(sandbox, **options), CALL).call_id
    (sent,) = sandbox.requests
    body = json.loads(sent.body)
    assert body["caller"] == caller
    assert all(isinstance(v, str) for v in body.values()), body
    assert accepted(sandbox) == [body]


def test_a_refused_body_is_a_failure_with_nothing_dialed(sandbox: SandboxThread) -> None:
    # The simulator's own answer to an integer caller, given to the client's real request.
    refusal = originate(sandbox, {**SAMPLE, "caller": 557})

    async def replay() -> None:
        sandbox.sandbox.state["simotel_answers"] = [(refusal.status_code, refusal.json())]

    sandbox.call(replay())
    error = failed_call(make(sandbox), CALL)
    assert not error.maybe_placed
    assert error.category is ErrorCategory.UNEXPECTED
    assert "Unable to parse content" in error.message and "HTTP 400" in error.message
    assert accepted(sandbox) == []
