"""Following calls after "accepted": the tracker asks the PBX while a call is live, records each
leg, stops at the end or at its bound, turns progress off for a PBX that refuses, ends calls,
and picks calls up again after a restart. Against the ``echo`` test provider's simulator
(tests/support/echo_sandbox.py), which plays a scripted lifecycle over real HTTP."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest

from dialer_gui.core.config import Config, GeneralSettings
from dialer_gui.core.dialer import Dialer
from dialer_gui.core.events import CallChanged, Notice
from dialer_gui.core.history import HistoryStore
from dialer_gui.core.tracker import FollowPolicy
from dialer_gui.errors import DialerError
from dialer_gui.providers import PROVIDERS, ProviderEntry
from dialer_gui.providers.errors import ProviderError
from dialer_gui.sandbox import SandboxThread, running_sandbox
from dialer_gui.sandbox.demo import demo_profiles, demo_secrets
from dialer_gui.vocabulary.calls import CallAttempt, CallState, Follows, Leg, Source, utcnow
from dialer_gui.vocabulary.profiles import ProviderProfile

T = TypeVar("T")
FAST = FollowPolicy(first=0.01, growth=1.5, slowest=0.05, slowest_final=0.05, max_failures=3)

RINGS_AND_CONNECTS = [
    {"state": "ringing", "leg": "caller"},
    {"state": "answered", "leg": "caller"},
    {"state": "ringing", "leg": "callee"},
    {"state": "connected", "leg": "callee"},
    {"state": "connected", "leg": "callee"},
    {"state": "ended", "duration": 42.0},
]


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxThread]:
    monkeypatch.setitem(
        PROVIDERS,
        "echo",
        ProviderEntry("echo_provider:EchoProvider", "echo_sandbox", {"url": "https://e.test"}),
    )
    with running_sandbox() as thread:
        yield thread


class Secrets:
    def secrets_for(self, name: str, fields: object) -> dict[str, str]:
        return dict(demo_secrets()["demo-echo"])


def make_dialer(sandbox: SandboxThread, history: HistoryStore, *, follow: bool = True) -> Dialer:
    demo = demo_profiles(sandbox.base_url)["demo-echo"]
    profile = ProviderProfile("desk", "echo", {**demo.options, "follow": follow})
    config = Config(general=GeneralSettings(region="US"), providers={"desk": profile})
    dialer = Dialer(config, Secrets(), history)
    dialer.tracker.policy = FAST
    return dialer


def run(scenario: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(asyncio.wait_for(scenario(), 20))


async def until(check: Callable[[], bool], what: str) -> None:
    for _ in range(2000):
        if check():
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"never: {what}")


def state(sandbox: SandboxThread) -> dict[str, Any]:
    return sandbox.sandbox.state


def test_a_call_is_followed_through_every_leg_and_nothing_is_asked_after_it_ended(
    sandbox: SandboxThread, tmp_path: Path
) -> None:
    state(sandbox)["echo_lifecycle"] = RINGS_AND_CONNECTS
    history = HistoryStore(tmp_path / "h.sqlite3")
    dialer = make_dialer(sandbox, history)
    seen: list[tuple[CallState, Leg | None]] = []
    notices: list[Notice] = []

    def listen(event: object) -> None:
        if isinstance(event, CallChanged):
            step = (event.attempt.state, event.attempt.leg)
            if not seen or seen[-1] != step:
                seen.append(step)
        elif isinstance(event, Notice):
            notices.append(event)

    dialer.events.subscribe(listen)

    async def scenario() -> CallAttempt:
        try:
            attempt = await dialer.dial("+1 212 555 0100", Source.DIALPAD)
            await until(lambda: attempt.state is CallState.ENDED, "the call ended")
            looks = state(sandbox)["echo_status"]
            await asyncio.sleep(0.3)  # many poll intervals: nobody may ask any more
            assert state(sandbox)["echo_status"] == looks
            assert not dialer.tracker.following()
            assert not dialer.tracker._pollers, "a poller outlived its last call"
            return attempt
        finally:
            await dialer.aclose()

    attempt = run(scenario)
    assert seen[1:] == [
        (CallState.ACCEPTED, None),
        (CallState.RINGING, Leg.CALLER),
        (CallState.ANSWERED, Leg.CALLER),
        (CallState.RINGING, Leg.CALLEE),
        (CallState.CONNECTED, Leg.CALLEE),
        (CallState.ENDED, Leg.CALLEE),
    ]
    row = history.get(attempt.id or 0)
    assert row is not None
    assert (row.state, row.duration) == (CallState.ENDED, 42.0)
    assert row.connected_at is not None and row.ended_at is not None
    titles = [n.title for n in notices]
    assert "Connected" in titles and titles[-1] == "Call finished"
    connected = notices[titles.index("Connected")].text
    assert connected == "You are talking with +1 212-555-0100."
    assert "after 0:42" in notices[-1].text


def test_busy_callee_ends_the_call_with_the_leg(sandbox: SandboxThread, tmp_path: Path) -> None:
    state(sandbox)["echo_lifecycle"] = [
        {"state": "ringing", "leg": "caller"},
        {"state": "answered", "leg": "caller"},
        {"state": "busy", "leg": "callee"},
    ]
    history = HistoryStore(tmp_path / "h.sqlite3")
    dialer = make_dialer(sandbox, history)

    async def scenario() -> CallAttempt:
        try:
            attempt = await dialer.dial("+1 212 555 0100", Source.DIALPAD)
            await until(lambda: attempt.state is CallState.BUSY, "busy")
            return attempt
        finally:
            await dialer.aclose()

    attempt = run(scenario)
    row = history.get(attempt.id or 0)
    assert row is not None and (row.state, row.leg) == (CallState.BUSY, Leg.CALLEE)
    assert row.duration is None  # never connected


def test_a_report_that_goes_back_is_ignored(sandbox: SandboxThread, tmp_path: Path) -> None:
    state(sandbox)["echo_lifecycle"] = [
        {"state": "connected", "leg": "callee"},
        {"state": "ringing", "leg": "caller"},  # a late, stale report
        {"state": "ended"},
    ]
    history = HistoryStore(tmp_path / "h.sqlite3")
    dialer = make_dialer(sandbox, history)
    seen: list[CallState] = []
    dialer.events.subscribe(
        lambda e: seen.append(e.attempt.state) if isinstance(e, CallChanged) else None
    )

    async def scenario() -> None:
        try:
            attempt = await dialer.dial("+1 212 555 0100", Source.DIALPAD)
            await until(lambda: attempt.state is CallState.ENDED, "ended")
        finally:
            await dialer.aclose()

    run(scenario)
    assert CallState.RINGING not in seen


def test_a_profile_that_follows_nothing_is_never_asked(
    sandbox: SandboxThread, tmp_path: Path
) -> None:
    state(sandbox)["echo_lifecycle"] = RINGS_AND_CONNECTS
    dialer = make_dialer(sandbox, HistoryStore(tmp_path / "h.sqlite3"), follow=False)

    async def scenario() -> CallAttempt:
        try:
            attempt = await dialer.dial("+1 212 555 0100", Source.DIALPAD)
            await asyncio.sleep(0.2)
            return attempt
        finally:
            await dialer.aclose()

    attempt = run(scenario)
    assert attempt.state is CallState.ACCEPTED
    assert state(sandbox)["echo_status"] == 0
    caps = dialer.capabilities("desk")
    assert caps.follows is Follows.NOTHING and "tells nothing" in caps.note


def test_a_refusal_turns_progress_off_once_and_the_call_stays_placed(
    sandbox: SandboxThread, tmp_path: Path
) -> None:
    state(sandbox)["echo_status_fault"] = 403
    history = HistoryStore(tmp_path / "h.sqlite3")
    dialer = make_dialer(sandbox, history)
    notices: list[Notice] = []
    dialer.events.subscribe(lambda e: notices.append(e) if isinstance(e, Notice) else None)

    async def scenario() -> tuple[CallAttempt, CallAttempt, int]:
        try:
            first = await dialer.dial("+1 212 555 0100", Source.DIALPAD)
            await until(lambda: first.state is CallState.UNTRACKED, "progress off")
            looks = state(sandbox)["echo_status"]
            second = await dialer.dial("+1 212 555 0199", Source.DIALPAD)
            await asyncio.sleep(0.2)
            return first, second, state(sandbox)["echo_status"] - looks
        finally:
            await dialer.aclose()

    first, second, later_looks = run(scenario)
    assert first.detail == "This Echo account may not ask about calls."
    assert second.state is CallState.ACCEPTED and later_looks == 0
    off = [n for n in notices if n.title == "Call progress is off"]
    assert len(off) == 1 and "Calls still work" in off[0].text
    assert not [n for n in notices if n.level == "error"]
    assert dialer.capabilities("desk").follows is Follows.NOTHING


@pytest.mark.parametrize("trouble", [500, "garbage"])
def test_passing_trouble_backs_off_and_gives_up_within_the_bound(
    sandbox: SandboxThread, tmp_path: Path, trouble: object
) -> None:
    state(sandbox)["echo_status_fault"] = trouble
    history = HistoryStore(tmp_path / "h.sqlite3")
    dialer = make_dialer(sandbox, history)

    async def scenario() -> CallAttempt:
        try:
            attempt = await dialer.dial("+1 212 555 0100", Source.DIALPAD)
            await until(lambda: attempt.state is CallState.UNTRACKED, "gave up")
            return attempt
        finally:
            await dialer.aclose()

    attempt = run(scenario)
    assert state(sandbox)["echo_status"] == FAST.max_failures
    assert attempt.detail is not None and "could not be asked" in attempt.detail


def test_a_call_the_pbx_says_nothing_about_stops_at_the_bound(
    sandbox: SandboxThread, tmp_path: Path
) -> None:
    state(sandbox)["echo_status_fault"] = "unknown"
    history = HistoryStore(tmp_path / "h.sqlite3")
    dialer = make_dialer(sandbox, history)
    dialer.tracker.policy = FollowPolicy(first=0.01, slowest=0.01, max_looks=5)

    async def scenario() -> CallAttempt:
        try:
            attempt = await dialer.dial("+1 212 555 0100", Source.DIALPAD)
            await until(lambda: attempt.state is CallState.UNTRACKED, "bound")
            await asyncio.sleep(0.1)
            return attempt
        finally:
            await dialer.aclose()

    attempt = run(scenario)
    assert state(sandbox)["echo_status"] == 5
    assert attempt.detail is not None and "stopped following" in attempt.detail


def test_hang_up_and_cancel(sandbox: SandboxThread, tmp_path: Path) -> None:
    state(sandbox)["echo_lifecycle"] = [
        {"state": "ringing", "leg": "caller"},
        {"state": "answered", "leg": "caller"},
        {"state": "ringing", "leg": "callee"},
        {"state": "connected", "leg": "callee"},
    ]
    history = HistoryStore(tmp_path / "h.sqlite3")
    dialer = make_dialer(sandbox, history)

    async def scenario() -> tuple[CallAttempt, CallAttempt]:
        try:
            talking = await dialer.dial("+1 212 555 0100", Source.DIALPAD)
            await until(lambda: talking.state is CallState.CONNECTED, "connected")
            await dialer.end_call(talking)
            ringing = await dialer.dial("+1 212 555 0199", Source.DIALPAD)
            await until(lambda: ringing.state is CallState.RINGING, "ringing")
            await dialer.end_call(ringing)
            with pytest.raises(DialerError, match="not in progress"):
                await dialer.end_call(ringing)
            return talking, ringing
        finally:
            await dialer.aclose()

    talking, ringing = run(scenario)
    assert talking.state is CallState.HUNG_UP and ringing.state is CallState.CANCELLED
    assert talking.duration is not None
    assert state(sandbox)["echo_hangups"] == [talking.call_id, ringing.call_id]


def test_a_pbx_that_does_not_confirm_the_hang_up_leaves_the_call_followed(
    sandbox: SandboxThread, tmp_path: Path
) -> None:
    state(sandbox)["echo_lifecycle"] = [{"state": "ringing", "leg": "caller"}]
    history = HistoryStore(tmp_path / "h.sqlite3")
    dialer = make_dialer(sandbox, history)

    async def scenario() -> CallAttempt:
        try:
            attempt = await dialer.dial("+1 212 555 0100", Source.DIALPAD)
            await until(lambda: attempt.state is CallState.RINGING, "ringing")
            attempt.call_id = "not-an-echo-call"  # the PBX will not know it
            with pytest.raises(ProviderError, match="knows no such call"):
                await dialer.end_call(attempt)
            return attempt
        finally:
            await dialer.aclose()

    attempt = run(scenario)
    assert attempt.state is CallState.RINGING


def test_a_restart_mid_call_follows_it_again_or_says_it_cannot(
    sandbox: SandboxThread, tmp_path: Path
) -> None:
    state(sandbox)["echo_lifecycle"] = [
        {"state": "ringing", "leg": "caller"},
        {"state": "ringing", "leg": "caller"},
        {"state": "ringing", "leg": "caller"},
        {"state": "ringing", "leg": "caller"},
    ]
    path = tmp_path / "h.sqlite3"
    first = make_dialer(sandbox, HistoryStore(path))

    async def before() -> CallAttempt:
        attempt = await first.dial("+1 212 555 0100", Source.DIALPAD)
        await until(lambda: attempt.state is CallState.RINGING, "ringing")
        await first.aclose()  # the app quits mid-call
        return attempt

    placed = run(before)
    state(sandbox)["echo_lifecycle"] = [{"state": "connected", "leg": "callee"}, {"state": "ended"}]

    # A call too old to follow again, and one whose profile is gone.
    history = HistoryStore(path)
    old = CallAttempt(
        source=Source.LINK,
        raw_input="tel:+12125550111",
        number="+12125550111",
        display="+1 212-555-0111",
        provider="desk",
        state=CallState.CONNECTED,
        call_id="echo-old",
        created=utcnow() - timedelta(hours=5),
    )
    orphan = CallAttempt(
        source=Source.LINK,
        raw_input="tel:+12125550122",
        number="+12125550122",
        display="+1 212-555-0122",
        provider="removed-profile",
        state=CallState.ACCEPTED,
        call_id="x-1",
    )
    history.add(old)
    history.add(orphan)
    second = make_dialer(sandbox, history)

    async def after() -> None:
        try:
            await second.start_listeners()
            assert [a.id for a in second.tracker.following()] == [placed.id]
            await until(
                lambda: (history.get(placed.id or 0) or placed).state is CallState.ENDED,
                "the resumed call ended",
            )
        finally:
            await second.aclose()

    run(after)
    for gone in (old, orphan):
        row = history.get(gone.id or 0)
        assert row is not None and row.state is CallState.UNTRACKED
        assert row.detail is not None and "was not running" in row.detail


def test_stop_leaves_no_task_behind(sandbox: SandboxThread, tmp_path: Path) -> None:
    state(sandbox)["echo_lifecycle"] = [{"state": "ringing", "leg": "caller"}]
    dialer = make_dialer(sandbox, HistoryStore(tmp_path / "h.sqlite3"))

    async def scenario() -> set[asyncio.Task[Any]]:
        before = asyncio.all_tasks()
        attempt = await dialer.dial("+1 212 555 0100", Source.DIALPAD)
        await until(lambda: attempt.state is CallState.RINGING, "ringing")
        assert dialer.tracker.is_followed(attempt.id or 0)
        await dialer.aclose()
        await asyncio.sleep(0)
        return {t for t in asyncio.all_tasks() - before if not t.done()}

    assert run(scenario) == set()


def test_quitting_just_as_a_new_call_wakes_the_poller_does_not_wait_for_the_calls(
    sandbox: SandboxThread, tmp_path: Path
) -> None:
    """A second call wakes the poller; a quit at that moment must still stop it at once."""
    state(sandbox)["echo_lifecycle"] = [{"state": "ringing", "leg": "caller"}]
    dialer = make_dialer(sandbox, HistoryStore(tmp_path / "h.sqlite3"))
    dialer.tracker.policy = FollowPolicy(first=30.0, slowest=30.0)

    async def scenario() -> None:
        await dialer.dial("+1 212 555 0100", Source.DIALPAD)
        await asyncio.sleep(0)  # the poller starts its first wait
        await dialer.dial("+1 212 555 0199", Source.DIALPAD)  # and is woken
        started = time.monotonic()
        await dialer.aclose()
        # Not a speed figure but a hang: before the fix the poller ignored the quit and ran
        # on to its next look, 30 s later.
        assert time.monotonic() - started < 5

    run(scenario)


def test_a_burst_of_new_calls_does_not_slow_the_next_look(
    sandbox: SandboxThread, tmp_path: Path
) -> None:
    """Each new call wakes the poller; those wake-ups are not looks that found nothing, so
    they must not stretch the wait before the next look to the slowest pace."""
    state(sandbox)["echo_lifecycle"] = [{"state": "accepted"}]  # news never comes
    dialer = make_dialer(sandbox, HistoryStore(tmp_path / "h.sqlite3"))
    dialer.tracker.policy = FollowPolicy(first=0.05, growth=10.0, slowest=60.0)

    async def scenario() -> int:
        try:
            for n in range(6):
                await dialer.dial(f"+1 212 555 01{n:02d}", Source.DIALPAD)
                await asyncio.sleep(0.02)  # the poller looks at each new call
            looks = state(sandbox)["echo_status"]
            await asyncio.sleep(0.4)
            return int(state(sandbox)["echo_status"] - looks)
        finally:
            await dialer.aclose()

    # Before the fix six wake-ups grew the wait to 60 s, so the fresh calls waited that long.
    assert run(scenario) >= 1


def test_a_ringing_phone_is_looked_at_often_a_conversation_less(
    sandbox: SandboxThread, tmp_path: Path
) -> None:
    state(sandbox)["echo_lifecycle"] = [{"state": "ringing", "leg": "caller"}]
    dialer = make_dialer(sandbox, HistoryStore(tmp_path / "h.sqlite3"))
    dialer.tracker.policy = FollowPolicy(first=0.01, growth=10.0, slowest_ringing=0.05)

    async def looks_in(seconds: float) -> int:
        before = state(sandbox)["echo_status"]
        await asyncio.sleep(seconds)
        return int(state(sandbox)["echo_status"] - before)

    async def scenario() -> tuple[int, int]:
        try:
            attempt = await dialer.dial("+1 212 555 0100", Source.DIALPAD)
            await until(lambda: attempt.state is CallState.RINGING, "ringing")
            ringing = await looks_in(0.5)
            state(sandbox)["echo_lifecycle"] = [{"state": "connected", "leg": "callee"}]
            await until(lambda: attempt.state is CallState.CONNECTED, "connected")
            await asyncio.sleep(0.2)  # the waits grow past the ringing cap
            return ringing, await looks_in(0.5)
        finally:
            await dialer.aclose()

    ringing, talking = run(scenario)
    assert ringing >= 5  # never more than 0.05 s apart while it rings
    assert talking <= 1  # then 0.1 s, 1 s, 10 s ...: at most one look in half a second


def test_following_many_calls_to_their_end_leaves_nothing_behind(
    sandbox: SandboxThread, tmp_path: Path
) -> None:
    """What the tracker keeps per call goes when the call ends: the soak of following."""
    import gc

    state(sandbox)["echo_lifecycle"] = [{"state": "ringing", "leg": "caller"}, {"state": "ended"}]
    dialer = make_dialer(sandbox, HistoryStore(tmp_path / "h.sqlite3"))

    def alive() -> int:
        gc.collect()
        return sum(isinstance(o, CallAttempt) for o in gc.get_objects())

    async def scenario() -> tuple[int, int]:
        try:
            numbers = [f"+1 212 555 {n:04d}" for n in range(200)]
            calls = [await dialer.dial(number, Source.DIALPAD) for number in numbers]
            await until(lambda: all(c.state is CallState.ENDED for c in calls), "all ended")
            await asyncio.sleep(0.1)
            following, pollers = len(dialer.tracker.following()), len(dialer.tracker._pollers)
            calls.clear()
            return following + pollers, alive()
        finally:
            await dialer.aclose()

    left, attempts = run(scenario)
    assert left == 0
    assert attempts < 10  # the dial pad or a test may hold one or two; not 200
