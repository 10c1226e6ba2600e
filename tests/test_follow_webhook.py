"""The webhook after "accepted": templated status and hang-up requests, against the simulated
service over real HTTP, with the dial request's success rules."""

from __future__ import annotations

import json
from typing import Any

import pytest
from follow_calls import end, look, refusal, state
from provider_calls import place_call

from dialer_gui.core.config import parse_config
from dialer_gui.errors import DialerError
from dialer_gui.providers import create_provider
from dialer_gui.providers.base import CallRequest, Provider
from dialer_gui.providers.errors import ErrorCategory
from dialer_gui.providers.webhook import WebhookProvider
from dialer_gui.providers.webhook_follow import our_state, report
from dialer_gui.sandbox import SandboxThread, demo
from dialer_gui.vocabulary.calls import CallState, Follows, Leg
from dialer_gui.vocabulary.profiles import ProviderProfile
from dialer_gui.vocabulary.target import DialTarget, TargetKind

S, CALLER, CALLEE = CallState, Leg.CALLER, Leg.CALLEE


def make(sandbox: SandboxThread, **options: Any) -> Provider:
    base = demo.demo_profiles(sandbox.base_url)["demo-webhook"]
    profile = ProviderProfile(base.name, base.type, {**base.options, **options})
    return create_provider(profile, demo.demo_secrets()["demo-webhook"])


def placed(provider: Provider, last_digit: str) -> str:
    number = f"+1212555123{last_digit}"
    target = DialTarget(TargetKind.EXTERNAL, number, number, "US")
    result = place_call(provider, CallRequest(target, number, "r"))
    assert result.call_id
    return result.call_id


def test_an_answered_call_is_seen_through_every_state(sandbox: SandboxThread) -> None:
    provider = make(sandbox)
    call_id = placed(provider, "4")
    assert state(provider, call_id) is None  # "queued" is not in the table: nothing said
    seen = []
    for step in (1.5, 2, 1.5, 3):
        sandbox.advance(step)
        seen.append(state(provider, call_id))
    assert seen == [(S.RINGING, CALLER), (S.ANSWERED, CALLER), (S.RINGING, CALLEE),
                    (S.CONNECTED, CALLEE)]  # fmt: skip
    sandbox.advance(10)
    (ended,) = look(provider, call_id)
    assert (ended.state, ended.leg, ended.duration) == (S.ENDED, CALLEE, 10)
    assert "completed" in ended.detail
    sent = sandbox.requests[-1]
    assert sent.target == f"/webhook/status?call_id={call_id}" and sent.method == "GET"
    assert sent.header("authorization") == f"Bearer {demo.WEBHOOK_TOKEN}"


@pytest.mark.parametrize(
    ("last_digit", "ending"),
    [("7", (S.BUSY, CALLEE)), ("8", (S.NO_ANSWER, CALLEE)), ("9", (S.NO_ANSWER, CALLER))],
)
def test_each_ending_is_the_services_word_translated(
    sandbox: SandboxThread, last_digit: str, ending: Any
) -> None:
    provider = make(sandbox)
    call_id = placed(provider, last_digit)
    sandbox.advance(30)
    assert state(provider, call_id) == ending


def test_a_connected_call_is_hung_up_and_a_ringing_one_cancelled(sandbox: SandboxThread) -> None:
    provider = make(sandbox)
    talking, ringing = placed(provider, "6"), placed(provider, "8")
    sandbox.advance(8)
    assert end(provider, talking) == "The service is ending the call."
    sent = sandbox.requests[-1]
    assert (sent.method, sent.path, json.loads(sent.body)) == (
        "POST", "/webhook/hangup", {"call_id": talking})  # fmt: skip
    end(provider, ringing)
    reports = {r.call_id: r for r in look(provider, talking, ringing)}
    assert (reports[talking].state, reports[talking].duration) == (S.HUNG_UP, 1)
    assert reports[ringing].state is S.CANCELLED


def test_unknown_calls_are_call_unknown_and_ids_are_escaped(sandbox: SandboxThread) -> None:
    provider = make(sandbox)
    call_id = placed(provider, "4")
    sandbox.advance(30)
    error = refusal(provider, lambda: provider.end_call(call_id))  # over already
    assert error.category is ErrorCategory.CALL_UNKNOWN and not error.maybe_placed
    error = refusal(provider, lambda: provider.progress(['a&b="c"']))
    assert error.category is ErrorCategory.CALL_UNKNOWN
    assert sandbox.requests[-1].target == "/webhook/status?call_id=a%26b%3D%22c%22"
    refusal(provider, lambda: provider.end_call('x"y'))
    assert json.loads(sandbox.requests[-1].body) == {"call_id": 'x"y'}
    sandbox.set_fault("call_unknown", "webhook")
    error = refusal(provider, lambda: provider.progress([call_id]))
    assert error.category is ErrorCategory.CALL_UNKNOWN


@pytest.mark.parametrize(
    ("fault", "category"),
    [("not_permitted", ErrorCategory.NOT_PERMITTED), ("bad_credentials", ErrorCategory.CREDENTIALS),
     ("garbage", ErrorCategory.UNEXPECTED), ("html", ErrorCategory.UNEXPECTED),
     ("huge", ErrorCategory.UNEXPECTED), ("deep", ErrorCategory.UNEXPECTED),
     ("http_502", ErrorCategory.UNEXPECTED), ("timeout", ErrorCategory.TIMEOUT)],
)  # fmt: skip
def test_troubled_answers_never_say_may_ring_nor_show_the_token(
    sandbox: SandboxThread, fault: str, category: ErrorCategory
) -> None:
    provider = make(sandbox, timeout=0.5)
    call_id = placed(provider, "6")
    sandbox.advance(8)
    sandbox.set_fault(fault, "webhook")
    for work in (lambda: provider.progress([call_id]), lambda: provider.end_call(call_id)):
        error = refusal(provider, work)
        assert error.category is category and not error.maybe_placed
        assert demo.WEBHOOK_TOKEN not in error.message + (error.raw or "")


def test_the_dial_success_rules_apply(sandbox: SandboxThread) -> None:
    provider = make(sandbox, success_json_path="ok", success_value="yes")
    call_id = "wh-1"
    sandbox.sandbox.calls.place("webhook", call_id, "", "+12125551234")
    error = refusal(provider, lambda: provider.progress([call_id]))  # "ok" is true, not yes
    assert error.category is ErrorCategory.UNEXPECTED and "did not confirm" in error.message


def test_a_slow_answer_within_the_timeout_is_read(sandbox: SandboxThread) -> None:
    provider = make(sandbox, timeout=2.0)
    call_id = placed(provider, "4")
    sandbox.advance(2)
    sandbox.set_fault("slow", "webhook", delay=0.3, times=1)
    assert state(provider, call_id) == (S.RINGING, CALLER)


def test_capabilities_follow_what_is_configured() -> None:
    def caps(**options: Any) -> Any:
        return WebhookProvider.capabilities(ProviderProfile("p", "webhook", options))

    table = {"in-progress": "connected", "done": "ended"}
    live = caps(status_url="https://s.example/{call_id}", status_states=table,
                hangup_url="https://s.example/h")  # fmt: skip
    assert (live.follows, live.hang_up, live.cancel) == (Follows.LIVE, True, True)
    final = caps(status_url="https://s.example/{call_id}", status_states={"done": "ended"})
    assert (final.follows, final.hang_up) == (Follows.FINAL, False)
    assert caps(status_url="https://s.example/x").follows is Follows.NOTHING  # no table
    nothing = caps()
    assert nothing.follows is Follows.NOTHING and nothing.note and not nothing.hang_up


def test_a_state_table_naming_no_state_of_ours_is_refused_by_the_config() -> None:
    text = (
        '[providers.w]\ntype = "webhook"\nurl = "https://s.example/call"\n'
        '[providers.w.status_states]\nringing = "ringing:callee"\ndone = "finished"\n'
    )
    with pytest.raises(DialerError, match="finished"):
        parse_config(text)
    assert our_state("RINGING:Callee") == (S.RINGING, CALLEE)
    assert our_state("ringing:both") is None and our_state("untracked") is None


def test_a_text_status_answer_with_no_path_is_the_word_itself() -> None:
    table = {"up": "connected", "gone": "ended"}
    assert report("c", "up", table) is not None
    weird = report("c", "GONE", table, "1e400")
    assert weird is not None and weird.state is S.ENDED and weird.duration is None
    assert report("c", "sideways", table) is None
    hostile = report("c", "up\x1b[2J\u202e", {"up\x1b[2J\u202e": "connected"})
    assert hostile is not None and "\x1b" not in hostile.detail and "\u202e" not in hostile.detail
