"""Fonality outcomes never lie: each answer is told as what it proves, through the simulator.

A dial is sent again only after an answer that proves the PBX refused the token (so it did not
dial); a ``result`` no one documents is "unknown"; a login, which never dials, fails in words
that say why.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from dialer_gui.providers.base import CallRequest
from dialer_gui.providers.errors import ErrorCategory, ProviderError
from dialer_gui.providers.fonality import FonalityProvider
from dialer_gui.sandbox import SandboxThread, demo
from dialer_gui.vocabulary.target import DialTarget, TargetKind

NUMBER = "15555550123"
CALL = CallRequest(
    DialTarget(TargetKind.EXTERNAL, "+15555550123", "+1 555-555-0123", "US"), NUMBER, "ref-1"
)
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def provider(sandbox: SandboxThread) -> FonalityProvider:
    made = demo.demo_profiles(sandbox.base_url)["demo-fonality"]
    return FonalityProvider(made, demo.demo_secrets()["demo-fonality"])


def outcome(sandbox: SandboxThread) -> Any:
    """One call's result or error."""
    p = provider(sandbox)

    async def go() -> Any:
        try:
            return await p.place_call(CALL)
        except ProviderError as exc:
            return exc
        finally:
            await p.aclose()

    return asyncio.run(go())


def methods(sandbox: SandboxThread) -> list[str]:
    return [r.form().get("method", "") for r in sandbox.requests]


def test_phone_not_logged_in_is_one_dial_and_a_refusal_in_the_pbx_words(
    sandbox: SandboxThread,
) -> None:
    sandbox.sandbox.state["fonality_dial_answer"] = (
        '{"result":"Failure", "Message":"Your phone is not logged in"}'
    )
    err = outcome(sandbox)
    assert isinstance(err, ProviderError)
    # "Failure" is the PBX saying no, about the user's phone, not about the token: nothing rang,
    # so "failed"; and nothing proves a new login would change it, so it is not sent again.
    assert not err.maybe_placed
    assert "Your phone is not logged in" in err.message
    assert "demo-fonality" in err.message
    assert methods(sandbox) == ["login", "dial"]


@pytest.mark.parametrize(
    "message", ["Session timed out", "Please login", "Not authenticated", "Your phone is offline"]
)
def test_words_that_merely_sound_like_a_session_problem_are_not_resent(
    sandbox: SandboxThread, message: str
) -> None:
    sandbox.sandbox.state["fonality_dial_answer"] = f'{{"result":"Failure", "Message":"{message}"}}'
    err = outcome(sandbox)
    assert isinstance(err, ProviderError) and not err.maybe_placed
    assert message in err.message
    assert methods(sandbox) == ["login", "dial"]


def test_refused_token_is_the_only_answer_that_logs_in_again(sandbox: SandboxThread) -> None:
    p = provider(sandbox)

    async def go() -> Any:
        try:
            await p.place_call(CALL)
            await asyncio.to_thread(sandbox.sandbox.state["fonality_tokens"].clear)
            return await p.place_call(CALL)
        finally:
            await p.aclose()

    result = asyncio.run(go())
    assert result.message == "Placing call now"
    assert methods(sandbox) == ["login", "dial", "dial", "login", "dial"]


@pytest.mark.parametrize(
    "body",
    [
        '{"result":"Pending", "Message":"Queued"}',
        '{"result":"", "Message":"Placing call now"}',
        '{"result":null}',
        '{"result":1}',
    ],
)
def test_a_result_neither_success_nor_a_known_failure_is_unknown(
    sandbox: SandboxThread, body: str
) -> None:
    sandbox.sandbox.state["fonality_dial_answer"] = body
    err = outcome(sandbox)
    assert isinstance(err, ProviderError)
    assert err.maybe_placed
    assert err.category is ErrorCategory.UNEXPECTED
    assert "check your phone" in err.message.lower()
    assert methods(sandbox) == ["login", "dial"]


@pytest.mark.parametrize("status", [401, 403])
def test_login_refused_by_status_is_a_credentials_failure(
    sandbox: SandboxThread, status: int
) -> None:
    sandbox.sandbox.state["fonality_login_status"] = status
    err = outcome(sandbox)
    assert isinstance(err, ProviderError)
    assert err.category is ErrorCategory.CREDENTIALS
    assert not err.maybe_placed
    assert f"HTTP {status}" in err.message
    assert "user name and password" in err.message
    assert "no call was made" in err.message.lower()
    assert methods(sandbox) == ["login"]


@pytest.mark.parametrize("status", [500, 502, 503])
def test_login_server_error_is_pbx_trouble_and_failed(sandbox: SandboxThread, status: int) -> None:
    sandbox.sandbox.state["fonality_login_status"] = status
    err = outcome(sandbox)
    assert isinstance(err, ProviderError)
    assert err.category is ErrorCategory.UNEXPECTED
    assert not err.maybe_placed  # the login never dials
    assert f"HTTP {status}" in err.message
    assert "password" not in err.message and "address" not in err.message
    assert "no call was made" in err.message.lower()
    assert methods(sandbox) == ["login"]


def test_login_404_points_at_the_address(sandbox: SandboxThread) -> None:
    sandbox.sandbox.state["fonality_login_status"] = 404
    err = outcome(sandbox)
    assert isinstance(err, ProviderError)
    assert err.category is ErrorCategory.CONFIG and not err.maybe_placed
    assert "address" in err.message


LOGIN = f"method=login&user={demo.FONALITY_USER}&pass={demo.FONALITY_PASSWORD}"
LOGIN_HEADERS = {
    **FORM,
    "Access-Control-Allow-Credals": "true",
    "X-Requested-By": "FonalityClickToDial",
}
DIAL_HEADERS = {
    **FORM,
    "Access-Control-Allow-Credentials": "true",
    "X-Requested-By": "FonalityClickToDial",
}


def _token(client: httpx.Client, url: str) -> str:
    answer = client.post(url, content=LOGIN, headers=LOGIN_HEADERS).json()
    token = answer["token"]
    assert isinstance(token, str)
    return token


@pytest.mark.parametrize(
    "drop", ["X-Requested-By", "Access-Control-Allow-Credentials", "Content-Type"]
)
def test_simulator_refuses_a_dial_without_a_documented_header(
    sandbox: SandboxThread, drop: str
) -> None:
    url = f"{sandbox.base_url}/call.cgi?"
    with httpx.Client(trust_env=False) as client:
        token = _token(client, url)
        headers = {k: v for k, v in DIAL_HEADERS.items() if k != drop}
        body = f"method=dial&number={NUMBER}&dontmodify=1&token={token}"
        answer = client.post(url, content=body, headers=headers)
        assert answer.json()["result"] == "Failure"
        assert client.post(url, content=body, headers=DIAL_HEADERS).json()["result"] == "Success"
    assert sandbox.sandbox.state["fonality_calls"] == [NUMBER]


def test_simulator_login_needs_the_documented_credentials_header(sandbox: SandboxThread) -> None:
    url = f"{sandbox.base_url}/call.cgi?"
    plain = {**FORM, "X-Requested-By": "FonalityClickToDial"}
    with httpx.Client(trust_env=False) as client:
        assert "token" not in client.post(url, content=LOGIN, headers=plain).json()
        assert _token(client, url)


def test_simulator_takes_no_get_and_needs_dontmodify(sandbox: SandboxThread) -> None:
    url = f"{sandbox.base_url}/call.cgi"
    with httpx.Client(trust_env=False) as client:
        token = _token(client, url + "?")
        query = {"method": "dial", "number": NUMBER, "dontmodify": "1", "token": token}
        assert client.get(url, params=query, headers=DIAL_HEADERS).status_code == 405
        body = f"method=dial&number={NUMBER}&token={token}"
        assert client.post(url + "?", content=body, headers=DIAL_HEADERS).json()["result"] == (
            "Failure"
        )
    assert sandbox.sandbox.state["fonality_calls"] == []
