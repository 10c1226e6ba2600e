"""Simotel after "accepted": how each scripted call ended, from ``reports/cdr/search`` matched by
the ``originated_call_id``, against the loopback simulator over real HTTP."""

from __future__ import annotations

import time
from typing import Any

import pytest
from follow_calls import look, refusal, state
from provider_calls import place_call

from dialer_gui.providers import create_provider
from dialer_gui.providers.base import CallRequest, Provider
from dialer_gui.providers.errors import ErrorCategory
from dialer_gui.providers.simotel import SimotelProvider
from dialer_gui.providers.simotel_follow import final_state, placed_at, search_body
from dialer_gui.sandbox import SandboxThread, demo
from dialer_gui.vocabulary.calls import CallState, Follows, Leg
from dialer_gui.vocabulary.profiles import ProviderProfile
from dialer_gui.vocabulary.target import DialTarget, TargetKind

S, CALLEE = CallState, Leg.CALLEE


def make(sandbox: SandboxThread, **options: Any) -> Provider:
    base = demo.demo_profiles(sandbox.base_url)["demo-simotel"]
    profile = ProviderProfile(base.name, base.type, {**base.options, **options})
    return create_provider(profile, demo.demo_secrets()["demo-simotel"])


def placed(provider: Provider, last_digit: str) -> str:
    number = f"0937123456{last_digit}"
    target = DialTarget(TargetKind.EXTERNAL, "+98937123456" + last_digit, number, "IR")
    result = place_call(provider, CallRequest(target, number, "r"))
    assert result.call_id
    return result.call_id


@pytest.mark.parametrize(
    ("last_digit", "ending", "duration"),
    [("4", S.ENDED, 10), ("6", None, None), ("7", S.BUSY, None), ("8", S.NO_ANSWER, None),
     ("9", None, None)],  # still talking after 30 s; your phone rang out: no record at all
)  # fmt: skip
def test_each_ending_is_read_from_its_record_and_nothing_before(
    sandbox: SandboxThread, last_digit: str, ending: CallState | None, duration: float | None
) -> None:
    provider = make(sandbox)
    call_id = placed(provider, last_digit)
    sandbox.advance(3.5)
    assert look(provider, call_id) == []  # running: Simotel says nothing yet
    sandbox.advance(26.5)
    reports = look(provider, call_id)
    if ending is None:
        assert reports == []
    else:
        (report,) = reports
        assert (report.state, report.leg, report.duration) == (ending, CALLEE, duration)


def test_one_search_serves_every_call_and_asks_for_your_extension(sandbox: SandboxThread) -> None:
    provider = make(sandbox)
    first, second = placed(provider, "4"), placed(provider, "7")
    sandbox.advance(30)
    sandbox.clear()
    assert {(r.call_id, r.state) for r in look(provider, first, second, "nope\n")} == {
        (first, S.ENDED), (second, S.BUSY)}  # fmt: skip
    (search,) = sandbox.requests
    body = search.json()
    assert search.path == "/api/v4/reports/cdr/search" and search.method == "POST"
    assert body["conditions"] == {"from": demo.SIMOTEL_CALLER, "to": "", "cuid": ""}
    assert set(body["date_range"]) == {"from", "to"} and body["alike"] == "false"


def test_records_without_the_call_id_say_nothing(sandbox: SandboxThread) -> None:
    sandbox.sandbox.state["simotel_cdr_without_originated_id"] = True
    provider = make(sandbox)
    call_id = placed(provider, "4")
    sandbox.advance(30)
    assert look(provider, call_id) == []


@pytest.mark.parametrize(
    ("knob", "category"),
    [("simotel_denied", ErrorCategory.NOT_PERMITTED),
     ("simotel_ip_denied", ErrorCategory.NOT_PERMITTED)],
)  # fmt: skip
def test_a_refused_permission_is_not_permitted_in_plain_words(
    sandbox: SandboxThread, knob: str, category: ErrorCategory
) -> None:
    provider = make(sandbox)
    call_id = placed(provider, "4")
    sandbox.sandbox.state[knob] = True
    error = refusal(provider, lambda: provider.progress([call_id]))
    assert error.category is category and not error.maybe_placed
    assert "not affected" in error.message


@pytest.mark.parametrize(
    ("fault", "category"),
    [("garbage", ErrorCategory.UNEXPECTED), ("html", ErrorCategory.UNEXPECTED),
     ("huge", ErrorCategory.UNEXPECTED), ("http_500", ErrorCategory.UNEXPECTED),
     ("timeout", ErrorCategory.TIMEOUT), ("bad_credentials", ErrorCategory.CREDENTIALS)],
)  # fmt: skip
def test_a_troubled_answer_is_a_passing_trouble_with_no_secret_in_it(
    sandbox: SandboxThread, fault: str, category: ErrorCategory
) -> None:
    provider = make(sandbox, timeout=0.5)
    call_id = placed(provider, "4")
    sandbox.set_fault(fault, "simotel")
    error = refusal(provider, lambda: provider.progress([call_id]))
    assert error.category is category and not error.maybe_placed
    text = error.message + (error.raw or "")
    assert demo.SIMOTEL_PASSWORD not in text and demo.SIMOTEL_API_KEY not in text


def test_a_slow_answer_within_the_timeout_is_read(sandbox: SandboxThread) -> None:
    provider = make(sandbox, timeout=2.0)
    call_id = placed(provider, "4")
    sandbox.advance(30)
    sandbox.set_fault("slow", "simotel", delay=0.3, times=1)
    assert state(provider, call_id) == (S.ENDED, CALLEE)


def test_capabilities_and_no_way_to_end_a_call(sandbox: SandboxThread) -> None:
    caps = SimotelProvider.capabilities(ProviderProfile("p", "simotel", {}))
    assert caps.follows is Follows.FINAL and not caps.hang_up and not caps.cancel and caps.note
    off = SimotelProvider.capabilities(ProviderProfile("p", "simotel", {"follow_calls": False}))
    assert off.follows is Follows.NOTHING
    provider = make(sandbox)
    error = refusal(provider, lambda: provider.end_call("orig.call.1.2"))
    assert error.category is ErrorCategory.NOT_PERMITTED and not sandbox.requests


def test_the_search_window_covers_any_time_zone_around_the_calls() -> None:
    now = 1_750_000_000.0
    body = search_body("557", [f"orig.call.{int(now) - 600}.123456", "junk"], now=now)
    start = time.strftime("%Y-%m-%d %H:%M", time.gmtime(now - 600 - 14 * 3600))
    end = time.strftime("%Y-%m-%d %H:%M", time.gmtime(now + 14 * 3600))
    assert body["date_range"] == {"from": start, "to": end}
    assert placed_at("orig.call.99.1") is None and placed_at("orig.call.99999999999.1") is None


def test_hostile_records_are_words_not_states() -> None:
    rows: list[dict[str, Any]] = [
        {"originated_call_id": "x", "disposition": "FAILED\x1b[31m\u202e", "billsec": "nan"},
        {"originated_call_id": "y", "disposition": "ANSWERED", "billsec": "1e30"},
        {"originated_call_id": "z", "disposition": "No  Answered"},
    ]
    failed = final_state("x", rows)
    assert failed is not None and failed.state is S.COMPLETED
    assert "\x1b" not in failed.detail and "\u202e" not in failed.detail
    answered = final_state("y", rows)
    assert answered is not None and answered.duration is None
    assert final_state("z", rows).state is S.NO_ANSWER  # type: ignore[union-attr]
    assert final_state("w", rows) is None


def test_a_busy_desk_pages_back_to_its_oldest_followed_call(sandbox: SandboxThread) -> None:
    """More records than one page holds: a look reads on until every call is found."""
    provider = make(sandbox)
    calls = [placed(provider, "4") for _ in range(60)]  # 60 records, newest 50 on page one
    sandbox.advance(30)
    sandbox.clear()
    reports = look(provider, *calls)
    assert {(r.call_id, r.state) for r in reports} == {(c, S.ENDED) for c in calls}
    pages = [r.json()["pagination"]["start"] for r in sandbox.requests]
    assert pages == [0, 50]  # every call found once the second (short) page was read
