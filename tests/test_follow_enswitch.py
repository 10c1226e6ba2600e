"""Enswitch after "accepted": each scripted call followed through ``calls/active/list`` and
ended through ``calls/hangup``, against the loopback simulator over real HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from follow_calls import end, look, refusal, run, state
from hypothesis import given
from hypothesis import strategies as st
from provider_calls import place_call

from dialer_gui.providers import create_provider
from dialer_gui.providers.base import CallRequest
from dialer_gui.providers.enswitch import EnswitchProvider
from dialer_gui.providers.enswitch_follow import live_state
from dialer_gui.providers.errors import ErrorCategory
from dialer_gui.sandbox import SandboxThread
from dialer_gui.sandbox.demo import ENSWITCH_PASSWORD, ENSWITCH_USERNAME
from dialer_gui.vocabulary.calls import CallState, Follows, Leg
from dialer_gui.vocabulary.profiles import ProviderProfile
from dialer_gui.vocabulary.target import DialTarget, TargetKind

S, CALLER, CALLEE = CallState, Leg.CALLER, Leg.CALLEE


@pytest.fixture(autouse=True)
def quick_wait(sandbox: SandboxThread) -> None:
    sandbox.sandbox.state["enswitch_wait_cap"] = 0.05


def make(sandbox: SandboxThread, **options: Any) -> EnswitchProvider:
    opts = {
        "url": sandbox.base_url,
        "auth_username": ENSWITCH_USERNAME,
        "snumber": "1234567",
        "wait": 5,
        **options,
    }
    provider = create_provider(
        ProviderProfile("office", "enswitch", opts), {"auth_password": ENSWITCH_PASSWORD}
    )
    assert isinstance(provider, EnswitchProvider)
    return provider


def placed(sandbox: SandboxThread, provider: EnswitchProvider, last_digit: str) -> str:
    """Place a call to a number ending in ``last_digit`` (which picks its script)."""
    number = f"1212555123{last_digit}"
    target = DialTarget(TargetKind.EXTERNAL, "+" + number, number, "US")
    result = place_call(provider, CallRequest(target, number, "ref"))
    assert result.call_id
    return result.call_id


def test_an_answered_call_is_seen_through_every_state_it_reaches(sandbox: SandboxThread) -> None:
    provider = make(sandbox)
    call_id = placed(sandbox, provider, "4")
    assert state(provider, call_id) is None  # taken, not yet ringing: nothing to say
    seen = []
    for step in (1.5, 2, 1.5, 3):  # at 1.6, 3.6, 5.1, 8.1 seconds of its life
        sandbox.advance(step)
        seen.append(state(provider, call_id))
    assert seen == [(S.RINGING, CALLER), (S.ANSWERED, CALLER), (S.RINGING, CALLEE),
                    (S.CONNECTED, CALLEE)]  # fmt: skip
    sandbox.advance(10)  # the other side hangs up at 17
    assert state(provider, call_id) == (S.ENDED, CALLEE)
    assert state(provider, call_id) is None  # said once


def test_your_phone_ringing_out_is_no_answer_on_your_leg(sandbox: SandboxThread) -> None:
    provider = make(sandbox)
    call_id = placed(sandbox, provider, "9")
    sandbox.advance(2)
    assert state(provider, call_id) == (S.RINGING, CALLER)
    sandbox.advance(15)
    (report,) = look(provider, call_id)
    assert (report.state, report.leg) == (S.NO_ANSWER, CALLER)
    assert report.detail


@pytest.mark.parametrize("last_digit", ["7", "8"])  # busy; rings out
def test_an_ending_enswitch_cannot_tell_apart_is_not_guessed(
    sandbox: SandboxThread, last_digit: str
) -> None:
    provider = make(sandbox)
    call_id = placed(sandbox, provider, last_digit)
    sandbox.advance(3.5)
    assert state(provider, call_id) == (S.ANSWERED, CALLER)
    sandbox.advance(30)
    # Busy, no answer or you hung up look alike in the active list: nothing is said, and the
    # tracker stops following the call at its bound.
    assert state(provider, call_id) is None


def test_a_connected_call_is_hung_up(sandbox: SandboxThread) -> None:
    provider = make(sandbox)
    call_id = placed(sandbox, provider, "6")  # an hour of talk
    sandbox.advance(8)
    assert state(provider, call_id) == (S.CONNECTED, CALLEE)
    assert end(provider, call_id) == "Enswitch is hanging up the call."
    sent = sandbox.requests[-1]
    assert sent.path == "/api/json/calls/hangup/" and f"callid={call_id}" in sent.body.decode()
    assert state(provider, call_id) == (S.HUNG_UP, CALLEE)


def test_a_call_still_ringing_is_cancelled(sandbox: SandboxThread) -> None:
    provider = make(sandbox)
    call_id = placed(sandbox, provider, "8")
    sandbox.advance(5)
    assert state(provider, call_id) == (S.RINGING, CALLEE)
    end(provider, call_id)
    assert state(provider, call_id) == (S.CANCELLED, CALLEE)


def test_ending_a_call_that_is_over_or_unknown_says_so(sandbox: SandboxThread) -> None:
    provider = make(sandbox)
    call_id = placed(sandbox, provider, "4")
    sandbox.advance(30)
    error = refusal(provider, lambda: provider.end_call(call_id))
    assert error.category is ErrorCategory.CALL_UNKNOWN and not error.maybe_placed
    sandbox.advance(-30)  # running again, but the PBX says it knows no such call
    sandbox.set_fault("call_unknown", "enswitch", times=1)
    error = refusal(provider, lambda: provider.end_call(call_id))
    assert error.category is ErrorCategory.CALL_UNKNOWN
    count = len(sandbox.requests)
    error = refusal(provider, lambda: provider.end_call("1.2\n;auth_username=x"))
    assert error.category is ErrorCategory.CALL_UNKNOWN
    assert len(sandbox.requests) == count  # a call ID that is none of ours is never sent


def test_a_refused_privilege_is_not_permitted_in_plain_words(sandbox: SandboxThread) -> None:
    provider = make(sandbox)
    call_id = placed(sandbox, provider, "4")
    sandbox.set_fault("not_permitted", "enswitch")
    for work, what in ((lambda: provider.progress([call_id]), "list"),
                       (lambda: provider.end_call(call_id), "hang")):  # fmt: skip
        error = refusal(provider, work)
        assert error.category is ErrorCategory.NOT_PERMITTED and not error.maybe_placed
        assert what in error.message and "not affected" in error.message
        assert ENSWITCH_PASSWORD not in error.message + (error.raw or "")


@pytest.mark.parametrize(
    ("fault", "category"),
    [("garbage", ErrorCategory.UNEXPECTED), ("html", ErrorCategory.UNEXPECTED),
     ("huge", ErrorCategory.UNEXPECTED), ("deep", ErrorCategory.UNEXPECTED),
     ("http_500", ErrorCategory.UNEXPECTED), ("timeout", ErrorCategory.TIMEOUT),
     ("bad_credentials", ErrorCategory.CREDENTIALS)],
)  # fmt: skip
def test_a_troubled_answer_is_a_passing_trouble_that_never_says_may_ring(
    sandbox: SandboxThread, fault: str, category: ErrorCategory
) -> None:
    provider = make(sandbox, wait=1, timeout=1.5)
    call_id = placed(sandbox, provider, "4")
    sandbox.set_fault(fault, "enswitch")
    error = refusal(provider, lambda: provider.progress([call_id]))
    assert error.category is category and not error.maybe_placed
    assert ENSWITCH_PASSWORD not in error.message + (error.raw or "")


def test_a_slow_answer_within_the_timeout_is_read(sandbox: SandboxThread) -> None:
    provider = make(sandbox, wait=1, timeout=2.0)
    call_id = placed(sandbox, provider, "4")
    sandbox.advance(2)
    sandbox.set_fault("slow", "enswitch", delay=0.3, times=1)
    assert state(provider, call_id) == (S.RINGING, CALLER)


def test_capabilities_follow_the_options() -> None:
    def caps(**options: Any) -> Any:
        return EnswitchProvider.capabilities(ProviderProfile("p", "enswitch", options))

    assert caps(wait=5).follows is Follows.LIVE and caps(wait=5).hang_up and caps().cancel
    assert caps(wait=0).follows is Follows.NOTHING and "wait" in caps(wait=0).note
    assert caps(wait=5, follow_calls=False).follows is Follows.NOTHING


def test_rows_of_other_calls_are_dropped_and_legs_read_by_count() -> None:
    other = {"callid": "9.9", "start": 1, "answered": 5}
    assert live_state("1.1", [other]) is None
    one = {"callid": "1.1", "start": 10, "answered": 0}
    two = {"callid": "1.1", "start": 12, "answered": 0}
    assert live_state("1.1", [other, one]).state is S.RINGING  # type: ignore[union-attr]
    answered = dict(one, answered=11)
    report = live_state("1.1", [two, answered])  # oldest first, whatever the order sent
    assert report is not None and (report.state, report.leg) == (S.RINGING, CALLEE)
    report = live_state("1.1", {"a": answered, "b": dict(two, answered="13")})
    assert report is not None and report.state is S.CONNECTED
    for bad in ("text", [1], [{"start": 1}], [dict(one, answered="soon")],
                [dict(one, answered=float("nan"))], [dict(one, answered={})]):  # fmt: skip
        with pytest.raises(ValueError):
            live_state("1.1", bad)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)


@given(
    st.one_of(
        json_values,
        st.lists(
            st.dictionaries(
                st.sampled_from(["callid", "answered", "start", "uniqueid"]), json_values
            ),
            max_size=4,
        ),
    )
)
def test_any_answer_is_a_state_nothing_or_a_value_error(data: Any) -> None:  # fmt: skip
    try:
        report = live_state("1.1", data)
    except ValueError:
        return
    assert report is None or (report.call_id == "1.1" and report.state in (
        S.RINGING, S.ANSWERED, S.CONNECTED))  # fmt: skip


def test_check_still_lists_nothing(sandbox: SandboxThread) -> None:
    provider = make(sandbox)
    placed(sandbox, provider, "6")
    sandbox.advance(8)  # a call is running; the check asks for one that cannot exist
    assert "accepted the login" in run(provider, provider.check)
