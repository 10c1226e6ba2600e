"""Fonality call.cgi provider against the loopback simulator, over real HTTP."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import httpx
import pytest

from dialer_gui.providers import create_provider
from dialer_gui.providers.base import CallRequest
from dialer_gui.providers.errors import ErrorCategory, ProviderError
from dialer_gui.providers.fonality import TOKEN_MAX_AGE, FonalityProvider
from dialer_gui.providers.redaction import MASK
from dialer_gui.sandbox import demo
from dialer_gui.vocabulary.profiles import ProviderProfile
from dialer_gui.vocabulary.target import DialTarget, TargetKind

NUMBER = "15555550123"
CALL = CallRequest(
    DialTarget(TargetKind.EXTERNAL, "+15555550123", "+1 555-555-0123", "US"), NUMBER, "ref-1"
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def provider(sandbox: Any, clock: FakeClock | None = None, **options: Any) -> FonalityProvider:
    profile = demo.demo_profiles(sandbox.base_url)["demo-fonality"]
    profile = ProviderProfile(profile.name, profile.type, {**profile.options, **options})
    secrets = demo.demo_secrets()["demo-fonality"]
    if clock is None:
        made = create_provider(profile, secrets)
        assert isinstance(made, FonalityProvider)
        return made
    return FonalityProvider(profile, secrets, clock=clock)


def run(p: FonalityProvider, *steps: Any) -> list[Any]:
    """Run provider coroutines (callables returning one) in one loop; errors are returned."""

    async def go() -> list[Any]:
        out: list[Any] = []
        try:
            for step in steps:
                try:
                    out.append(await step())
                except ProviderError as exc:
                    out.append(exc)
        finally:
            await p.aclose()
        return out

    return asyncio.run(go())


def call(p: FonalityProvider) -> Any:
    return lambda: p.place_call(CALL)


def kinds(sandbox: Any) -> list[str]:
    return [r.body.decode().split("&")[0] for r in sandbox.requests]


def expire_tokens(sandbox: Any) -> Any:
    async def clear() -> None:
        sandbox.sandbox.state["fonality_tokens"].clear()

    async def step() -> None:
        sandbox.call(clear())

    return step


def fault(sandbox: Any, kind: str, times: int | None = None) -> Any:
    async def set_it() -> None:
        sandbox.set_fault(kind, "fonality", times=times)

    return set_it


def test_login_then_dial_sends_the_documented_bytes(sandbox: Any) -> None:
    p = provider(sandbox)
    (result,) = run(p, call(p))
    assert result.call_id is None
    assert result.message == "Placing call now"
    login, dial = sandbox.requests
    for r in (login, dial):
        assert r.method == "POST"
        assert r.target == "/call.cgi?"
        assert r.header("X-Requested-By") == "FonalityClickToDial"
        assert r.header("Access-Control-Allow-Credentials") == "true"
        assert r.header("Content-Type") == "application/x-www-form-urlencoded"
    assert login.header("Access-Control-Allow-Credals") == "true"
    assert dial.header("Access-Control-Allow-Credals") is None
    assert login.body == b"method=login&user=demo.hud&pass=hud-demo-Pa55"
    token = dial.form()["token"]
    assert len(token) == 16
    assert dial.body == (
        f"method=dial&number={NUMBER}&dontmodify=1&callerid=15555550100&token={token}".encode()
    )
    assert token not in result.raw


def test_callerid_left_out_when_not_set(sandbox: Any) -> None:
    p = provider(sandbox, callerid="")
    run(p, call(p))
    assert sandbox.requests[1].body.startswith(
        f"method=dial&number={NUMBER}&dontmodify=1&token=".encode()
    )


def test_token_is_reused_for_later_calls(sandbox: Any) -> None:
    p = provider(sandbox)
    results = run(p, call(p), call(p), call(p))
    assert all(r.message == "Placing call now" for r in results)
    assert kinds(sandbox) == ["method=login", "method=dial", "method=dial", "method=dial"]


def test_refused_token_logs_in_again_and_dials_once_more(sandbox: Any) -> None:
    p = provider(sandbox)
    results = run(p, call(p), expire_tokens(sandbox), call(p))
    assert results[-1].message == "Placing call now"
    assert kinds(sandbox) == [
        "method=login",
        "method=dial",
        "method=dial",
        "method=login",
        "method=dial",
    ]
    first, second = sandbox.requests[2].form()["token"], sandbox.requests[4].form()["token"]
    assert first != second


def test_token_renewed_after_four_hours(sandbox: Any) -> None:
    clock = FakeClock()
    p = provider(sandbox, clock)

    async def later() -> None:
        clock.now += TOKEN_MAX_AGE - 1

    async def much_later() -> None:
        clock.now += 2

    run(p, call(p), later, call(p), much_later, call(p))
    assert kinds(sandbox) == [
        "method=login", "method=dial", "method=dial", "method=login", "method=dial"
    ]  # fmt: skip


def test_wrong_password_is_a_credentials_error(sandbox: Any) -> None:
    p = FonalityProvider(provider(sandbox).profile, {"password": "wrong-password"})
    (err,) = run(p, call(p))
    assert isinstance(err, ProviderError)
    assert err.category is ErrorCategory.CREDENTIALS
    assert not err.maybe_placed
    assert "demo-fonality" in err.message and "Login Failed" in err.message
    assert "wrong-password" not in (err.raw or "")
    assert kinds(sandbox) == ["method=login"]


def test_bad_credentials_after_token_was_cached(sandbox: Any) -> None:
    p = provider(sandbox)
    results = run(p, call(p), fault(sandbox, "bad_credentials"), call(p))
    err = results[-1]
    assert isinstance(err, ProviderError)
    assert err.category is ErrorCategory.CREDENTIALS
    assert not err.maybe_placed
    # The refused dial led to one new login, which failed; nothing was dialed again.
    assert kinds(sandbox)[2:] == ["method=dial", "method=login"]


@pytest.mark.parametrize(
    ("kind", "category", "words"),
    [
        ("reject_number", ErrorCategory.REJECTED_NUMBER, "Invalid number"),
        ("not_permitted", ErrorCategory.NOT_PERMITTED, "Permission denied"),
    ],
)
def test_refused_dial_is_not_retried(
    sandbox: Any, kind: str, category: ErrorCategory, words: str
) -> None:
    p = provider(sandbox)
    results = run(p, call(p), fault(sandbox, kind), call(p))
    err = results[-1]
    assert isinstance(err, ProviderError)
    assert err.category is category
    assert not err.maybe_placed
    assert words in err.message and "demo-fonality" in err.message
    assert kinds(sandbox)[2:] == ["method=dial"]


@pytest.mark.parametrize(
    ("kind", "category"),
    [
        ("garbage", ErrorCategory.UNEXPECTED),
        ("reset", ErrorCategory.UNEXPECTED),
        ("http_500", ErrorCategory.UNEXPECTED),
        ("html", ErrorCategory.UNEXPECTED),
    ],
)
def test_broken_dial_answer_may_have_placed_the_call(
    sandbox: Any, kind: str, category: ErrorCategory
) -> None:
    p = provider(sandbox)
    results = run(p, call(p), fault(sandbox, kind), call(p))
    err = results[-1]
    assert isinstance(err, ProviderError)
    assert err.category is category
    assert err.maybe_placed
    assert kinds(sandbox)[2:] == ["method=dial"]  # never sent twice


@pytest.mark.parametrize("kind", ["garbage", "reset", "http_500", "html"])
def test_broken_login_answer_means_nothing_was_dialed(sandbox: Any, kind: str) -> None:
    sandbox.set_fault(kind, "fonality")
    p = provider(sandbox)
    (err,) = run(p, call(p))
    assert isinstance(err, ProviderError)
    assert not err.maybe_placed
    assert "No call was made" in err.message or "no call was made" in err.message
    assert kinds(sandbox) == ["method=login"]


def test_dial_timeout(sandbox: Any) -> None:
    p = provider(sandbox, timeout=0.5)
    results = run(p, call(p), fault(sandbox, "timeout"), call(p))
    err = results[-1]
    assert isinstance(err, ProviderError)
    assert err.category is ErrorCategory.TIMEOUT
    assert err.maybe_placed


def test_login_timeout_did_not_dial(sandbox: Any) -> None:
    sandbox.set_fault("timeout", "fonality")
    p = provider(sandbox, timeout=0.5)
    (err,) = run(p, call(p))
    assert err.category is ErrorCategory.TIMEOUT
    assert not err.maybe_placed


def test_describe_masks_password_and_token(sandbox: Any) -> None:
    p = provider(sandbox)
    login, dial = p.describe(CALL)
    assert login.url == f"{sandbox.base_url}/call.cgi?"
    assert login.body == f"method=login&user=demo.hud&pass={MASK}"
    assert (
        dial.body == f"method=dial&number={NUMBER}&dontmodify=1&callerid=15555550100&token={MASK}"
    )
    text = login.render() + dial.render()
    password = demo.FONALITY_PASSWORD
    assert password not in text
    assert base64.b64encode(password.encode()).decode() not in text
    assert sandbox.requests == []


def test_check_logs_in_only(sandbox: Any) -> None:
    p = provider(sandbox)
    (message,) = run(p, p.check)
    assert "demo.hud" in message
    assert kinds(sandbox) == ["method=login"]


def test_missing_settings_are_config_errors(sandbox: Any) -> None:
    p = FonalityProvider(provider(sandbox).profile, {})
    (err,) = run(p, call(p))
    assert err.category is ErrorCategory.CONFIG
    assert "HUD password" in err.message
    q = FonalityProvider(ProviderProfile("x", "fonality", {"user": "u"}), {"password": "pw1"})
    (err,) = run(q, call(q))
    assert err.category is ErrorCategory.CONFIG
    assert sandbox.requests == []


def test_simulator_refuses_requests_without_the_custom_header(sandbox: Any) -> None:
    body = f"method=login&user={demo.FONALITY_USER}&pass={demo.FONALITY_PASSWORD}"
    answer = httpx.post(
        f"{sandbox.base_url}/call.cgi?",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert "token" not in answer.json()
    assert answer.json()["result"] == "Failure"
