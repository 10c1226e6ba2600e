"""MOR after "accepted": each scripted callback followed through ``active_calls_get`` and its
records (``user_calls_get``), and hung up through the v2 API, against the loopback simulator
over real HTTP."""

from __future__ import annotations

import base64
import hashlib
import urllib.parse
from typing import Any

import pytest
from follow_calls import end, look, refusal, state
from provider_calls import place_call

from dialer_gui.providers import create_provider
from dialer_gui.providers.base import CallRequest, Provider
from dialer_gui.providers.errors import ErrorCategory
from dialer_gui.providers.mor import MorProvider
from dialer_gui.providers.mor_v2 import hung_up, token_of
from dialer_gui.sandbox import SandboxThread, demo
from dialer_gui.vocabulary.calls import CallState, Follows, Leg
from dialer_gui.vocabulary.profiles import ProviderProfile
from dialer_gui.vocabulary.target import DialTarget, TargetKind

S, CALLER, CALLEE = CallState, Leg.CALLER, Leg.CALLEE
SECRETS = (demo.MOR_SECRET, demo.MOR_PASSWORD)


def make(sandbox: SandboxThread, secrets: dict[str, str] | None = None, **options: Any) -> Provider:
    base = demo.demo_profiles(sandbox.base_url)["demo-mor"]
    profile = ProviderProfile(base.name, base.type, {**base.options, **options})
    return create_provider(profile, demo.demo_secrets()["demo-mor"] if secrets is None else secrets)


def placed(provider: Provider, last_digit: str) -> str:
    dst = f"3706000000{last_digit}"
    target = DialTarget(TargetKind.EXTERNAL, "+" + dst, dst, "LT")
    result = place_call(provider, CallRequest(target, dst, "r"))
    assert result.call_id
    return result.call_id


def paths(sandbox: SandboxThread) -> list[str]:
    return [f"{r.method} {r.path}" for r in sandbox.requests]


def test_an_answered_call_goes_through_every_state_and_ends_with_its_talk_time(
    sandbox: SandboxThread,
) -> None:
    provider = make(sandbox)
    call_id = placed(provider, "4")
    assert state(provider, call_id) is None  # taken, not ringing yet; no records either
    seen = []
    for step in (1.5, 2, 1.5, 3):
        sandbox.advance(step)
        seen.append(state(provider, call_id))
    assert seen == [(S.RINGING, CALLER), (S.ANSWERED, CALLER), (S.RINGING, CALLEE),
                    (S.CONNECTED, CALLEE)]  # fmt: skip
    sandbox.advance(10)
    (report,) = look(provider, call_id)
    assert (report.state, report.leg, report.duration) == (S.ENDED, CALLEE, 10)
    active = next(r for r in sandbox.requests if r.path == "/billing/api/active_calls_get")
    query = dict(urllib.parse.parse_qsl(active.query))
    digest = hashlib.sha1((demo.MOR_USERNAME + demo.MOR_SECRET).encode()).hexdigest()
    assert query == {"u": demo.MOR_USERNAME, "s_user_id": demo.MOR_USER_ID, "hash": digest}


@pytest.mark.parametrize(
    ("last_digit", "at", "before", "ending"),
    [("7", 3.5, (S.ANSWERED, CALLER), (S.BUSY, CALLEE)),
     ("8", 5, (S.RINGING, CALLEE), (S.NO_ANSWER, CALLEE)),
     ("9", 2, (S.RINGING, CALLER), (S.NO_ANSWER, CALLER))],
)  # fmt: skip
def test_each_ending_is_read_from_the_call_records(
    sandbox: SandboxThread, last_digit: str, at: float, before: Any, ending: Any
) -> None:
    provider = make(sandbox)
    call_id = placed(provider, last_digit)
    sandbox.advance(at)
    assert state(provider, call_id) == before
    sandbox.advance(30)
    assert state(provider, call_id) == ending


def test_without_the_user_id_endings_are_judged_from_what_was_seen(sandbox: SandboxThread) -> None:
    provider = make(sandbox, user_id="")
    answered, busy = placed(provider, "4"), placed(provider, "7")
    sandbox.advance(8)
    assert {(r.call_id, r.state) for r in look(provider, answered, busy)} == {
        (answered, S.CONNECTED)  # the busy call already ended, unseen: nothing to say
    }
    sandbox.advance(10)
    (report,) = look(provider, answered, busy)
    assert (report.call_id, report.state, report.duration) == (answered, S.ENDED, None)
    assert not any("user_calls_get" in p for p in paths(sandbox))


def test_active_calls_without_the_call_id_are_matched_by_the_numbers_dialed(
    sandbox: SandboxThread,
) -> None:
    sandbox.sandbox.state["mor_active_callback_uniqueid"] = False
    provider = make(sandbox)
    call_id = placed(provider, "4")
    sandbox.advance(5)
    assert state(provider, call_id) == (S.RINGING, CALLEE)
    # Another instance (after a restart) does not know the numbers: it does not guess.
    assert state(make(sandbox), call_id) is None


def test_a_connected_call_is_hung_up_through_the_v2_api(sandbox: SandboxThread) -> None:
    provider = make(sandbox)
    call_id = placed(provider, "6")
    sandbox.advance(8)
    assert state(provider, call_id) == (S.CONNECTED, CALLEE)
    sandbox.clear()
    assert end(provider, call_id) == "MOR hung up the call."
    login, *drops = [r for r in sandbox.requests if "/v2/" in r.path]
    blob = base64.b64encode(f"{demo.MOR_USERNAME}:{demo.MOR_PASSWORD}".encode()).decode()
    assert login.header("Authorization") == f"Basic {blob}"
    assert drops and all(d.method == "DELETE" for d in drops)
    assert drops[0].header("Authorization", "").startswith("Bearer eyJ")
    (report,) = look(provider, call_id)
    assert (report.state, report.leg, report.duration) == (S.HUNG_UP, CALLEE, 1)


def test_a_ringing_call_is_cancelled_and_the_token_is_kept(sandbox: SandboxThread) -> None:
    provider = make(sandbox)
    first, second = placed(provider, "8"), placed(provider, "8")
    sandbox.advance(5)
    end(provider, first)
    end(provider, second)
    assert sum(r.path.endswith("/login") for r in sandbox.requests) == 1
    assert {(r.call_id, r.state, r.leg) for r in look(provider, first, second)} == {
        (first, S.CANCELLED, CALLEE), (second, S.CANCELLED, CALLEE)}  # fmt: skip


def test_an_expired_token_is_renewed_once(sandbox: SandboxThread) -> None:
    provider = make(sandbox)
    first, second = placed(provider, "6"), placed(provider, "6")
    sandbox.advance(8)
    end(provider, first)
    sandbox.sandbox.state["mor_v2_tokens"].clear()
    sandbox.sandbox.state["mor_v2_answer"] = "string"  # and the documentation's own answer
    assert end(provider, second) == "MOR hung up the call."
    assert sum(r.path.endswith("/login") for r in sandbox.requests) == 2


def test_hanging_up_a_call_that_is_over_or_unknown_says_so(sandbox: SandboxThread) -> None:
    provider = make(sandbox)
    call_id = placed(provider, "4")
    sandbox.advance(30)
    error = refusal(provider, lambda: provider.end_call(call_id))
    assert error.category is ErrorCategory.CALL_UNKNOWN and not error.maybe_placed
    sandbox.advance(-25)
    sandbox.set_fault("call_unknown", "mor")
    error = refusal(provider, lambda: provider.end_call(call_id))
    assert error.category is ErrorCategory.CALL_UNKNOWN
    assert error.raw and "not found" in error.raw


def test_a_mor_without_the_v2_api_or_without_hanging_up_says_so(sandbox: SandboxThread) -> None:
    provider = make(sandbox)
    call_id = placed(provider, "6")
    sandbox.advance(8)
    sandbox.sandbox.state["mor_v2"] = False
    error = refusal(provider, lambda: provider.end_call(call_id))
    assert error.category is ErrorCategory.NOT_PERMITTED and "v2 API" in error.message
    off = make(sandbox, hang_up_v2=False)
    count = len(sandbox.requests)
    error = refusal(off, lambda: off.end_call(call_id))
    assert error.category is ErrorCategory.NOT_PERMITTED and len(sandbox.requests) == count
    sandbox.sandbox.state["mor_v2"] = True
    wrong = make(sandbox, secrets={"secret": demo.MOR_SECRET, "password": "wrong-Pa55"})
    error = refusal(wrong, lambda: wrong.end_call(call_id))
    assert error.category is ErrorCategory.CREDENTIALS
    assert "wrong-Pa55" not in error.message + (error.raw or "")


@pytest.mark.parametrize("knob", ["fault", "mor_api_disabled", "mor_active_calls_get"])
def test_a_refused_privilege_is_not_permitted_in_plain_words(
    sandbox: SandboxThread, knob: str
) -> None:
    provider = make(sandbox)
    call_id = placed(provider, "4")
    if knob == "fault":
        sandbox.set_fault("not_permitted", "mor")
    else:
        sandbox.sandbox.state[knob] = knob == "mor_api_disabled"
    error = refusal(provider, lambda: provider.progress([call_id]))
    assert error.category is ErrorCategory.NOT_PERMITTED and not error.maybe_placed
    assert "not affected" in error.message


def test_refused_call_records_leave_live_following_working(sandbox: SandboxThread) -> None:
    sandbox.sandbox.state["mor_user_calls_denied"] = True
    provider = make(sandbox)
    call_id = placed(provider, "4")
    sandbox.advance(8)
    assert state(provider, call_id) == (S.CONNECTED, CALLEE)
    sandbox.advance(10)
    (report,) = look(provider, call_id)
    assert (report.state, report.duration) == (S.ENDED, None)  # from what was seen


@pytest.mark.parametrize(
    ("fault", "category"),
    [("garbage", ErrorCategory.UNEXPECTED), ("html", ErrorCategory.UNEXPECTED),
     ("huge", ErrorCategory.UNEXPECTED), ("truncated", ErrorCategory.UNEXPECTED),
     ("http_502", ErrorCategory.UNEXPECTED), ("timeout", ErrorCategory.TIMEOUT),
     ("bad_credentials", ErrorCategory.CREDENTIALS)],
)  # fmt: skip
def test_a_troubled_answer_is_a_passing_trouble_with_no_secret_in_it(
    sandbox: SandboxThread, fault: str, category: ErrorCategory
) -> None:
    provider = make(sandbox, timeout=0.5)
    call_id = placed(provider, "6")
    sandbox.advance(8)
    sandbox.set_fault(fault, "mor")
    for work in (lambda: provider.progress([call_id]), lambda: provider.end_call(call_id)):
        error = refusal(provider, work)
        assert error.category is category and not error.maybe_placed
        text = error.message + (error.raw or "")
        assert not any(secret in text for secret in SECRETS)
        assert hashlib.sha1((demo.MOR_USERNAME + demo.MOR_SECRET).encode()).hexdigest() not in text


def test_a_slow_answer_within_the_timeout_is_read(sandbox: SandboxThread) -> None:
    provider = make(sandbox, timeout=2.0)
    call_id = placed(provider, "4")
    sandbox.advance(2)
    sandbox.set_fault("slow", "mor", delay=0.3, times=1)
    assert state(provider, call_id) == (S.RINGING, CALLER)


def test_capabilities_follow_the_options() -> None:
    def caps(**options: Any) -> Any:
        return MorProvider.capabilities(ProviderProfile("p", "mor", options))

    assert caps().follows is Follows.LIVE and not caps().hang_up and "v2" in caps().note
    assert caps(hang_up_v2=True).hang_up and caps(hang_up_v2=True).cancel
    assert caps(callback_uniqueid=False).follows is Follows.NOTHING
    assert caps(follow_calls=False).follows is Follows.NOTHING


def test_v2_answers_are_read_in_every_documented_and_tolerated_shape() -> None:
    assert token_of('{"token": "eyJhbGciOiJIUzI1NiJ9.e30.x"}') == "eyJhbGciOiJIUzI1NiJ9.e30.x"
    assert token_of('{"data": {"jwt": "abcdefgh12"}}') == "abcdefgh12"
    for bad in ('{"token": "a b c d e f g h"}', '{"token": 5}', "[]", "<html>", '{"token": ""}'):
        assert token_of(bad) is None
    assert hung_up("\"{status: 'hung_up', hung_up_call: 1, hung_up_at: '2025-10-17'}\"")
    assert hung_up('{"status": "hung_up", "hung_up_call": 0}') is False
    assert hung_up('{"status": "hung_up"}') is True
    assert hung_up('{"status": "busy"}') is None and hung_up("garbage") is None
