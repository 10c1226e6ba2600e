"""The whole dial flow against the loopback simulator: guards, history, events, faults."""

from __future__ import annotations

import asyncio
import dataclasses
import socket

import pytest
from fake_secrets import StaticSecrets

from dialer_gui.core.config import Config, GeneralSettings
from dialer_gui.core.dialer import Dialer, DialPlan
from dialer_gui.core.events import CallChanged, EventBus, Notice
from dialer_gui.core.history import HistoryStore
from dialer_gui.sandbox.demo import demo_profiles, demo_secrets
from dialer_gui.vocabulary.calls import CallState, Source
from dialer_gui.vocabulary.profiles import ProviderProfile

UK = "+44 20 7946 0958"


def make(sandbox, *, profile="demo-simotel", history=None, region="GB", **general):
    profiles = demo_profiles(sandbox.base_url)
    settings = GeneralSettings(region=region, default_provider=profile, **general)
    config = Config(general=settings, providers=profiles)
    events = EventBus()
    seen: list = []
    events.subscribe(seen.append)
    dialer = Dialer(
        config, StaticSecrets(demo_secrets()), history or HistoryStore(":memory:"), events
    )
    return dialer, seen


def run(coro):
    return asyncio.run(coro)


async def _closing(dialer, coro):
    try:
        return await coro
    finally:
        await dialer.aclose()


def test_dial_pad_call_is_accepted_recorded_and_announced(sandbox) -> None:
    dialer, seen = make(sandbox)
    attempt = run(_closing(dialer, dialer.dial(UK, Source.DIALPAD)))
    assert attempt.state is CallState.ACCEPTED
    assert attempt.call_id and attempt.call_id.startswith("orig.call.")
    assert len(sandbox.requests) == 1
    body = sandbox.requests[0].json()
    assert body["callee"] == attempt.dialed
    stored = dialer.history.get(attempt.id)
    assert stored.state is CallState.ACCEPTED and stored.call_id == attempt.call_id
    states = [e.attempt.state for e in seen if isinstance(e, CallChanged)]
    assert states[-1] is CallState.ACCEPTED
    assert any(isinstance(e, Notice) and attempt.call_id in e.text for e in seen)


def test_unparseable_input_is_recorded_as_failed_and_nothing_sent(sandbox) -> None:
    dialer, _ = make(sandbox)
    attempt = run(_closing(dialer, dialer.dial("call me maybe", Source.DIALPAD)))
    assert attempt.state is CallState.FAILED and attempt.error
    assert sandbox.requests == []
    assert dialer.history.get(attempt.id).error == attempt.error


def test_link_needs_confirmation(sandbox) -> None:
    dialer, _ = make(sandbox)
    asked: list[DialPlan] = []

    async def no(plan):
        asked.append(plan)
        return False

    async def yes(plan):
        asked.append(plan)
        return True

    async def scenario():
        blocked = await dialer.dial("tel:+442079460958", Source.LINK)  # nobody to ask
        cancelled = await dialer.dial("tel:+442079460958", Source.LINK, confirm=no)
        accepted = await dialer.dial("tel:+442079460958", Source.LINK, confirm=yes)
        return blocked, cancelled, accepted

    blocked, cancelled, accepted = run(_closing(dialer, scenario()))
    assert blocked.state is CallState.BLOCKED and "confirmation" in blocked.error
    assert cancelled.state is CallState.BLOCKED and "cancelled" in cancelled.error
    assert accepted.state is CallState.ACCEPTED
    assert asked[0].dial_string and asked[0].profile.name == "demo-simotel"
    assert len(sandbox.requests) == 1


def test_same_number_twice_is_one_call(sandbox) -> None:
    dialer, seen = make(sandbox)
    sandbox.set_fault("slow", "simotel", delay=0.3, times=1)

    async def both():
        return await asyncio.gather(
            dialer.dial(UK, Source.DIALPAD), dialer.dial("020 7946 0958", Source.DIALPAD)
        )

    first, second = run(_closing(dialer, both()))
    assert first.state is CallState.ACCEPTED
    assert second.state is CallState.MERGED and "merged" in second.detail
    assert len(sandbox.requests) == 1
    assert any(isinstance(e, Notice) and e.title == "Already dialing" for e in seen)


def test_burst_of_links_gives_one_prompt(sandbox) -> None:
    dialer, _ = make(sandbox)
    prompts = 0
    release = asyncio.Event

    async def scenario():
        gate = release()

        async def confirm(plan):
            nonlocal prompts
            prompts += 1
            await gate.wait()
            return True

        tasks = [
            asyncio.ensure_future(
                dialer.dial(f"tel:+4420794609{n:02d}", Source.LINK, confirm=confirm)
            )
            for n in range(10, 15)
        ]
        await asyncio.sleep(0)
        for _ in range(20):
            if prompts:
                break
            await asyncio.sleep(0.01)
        gate.set()
        return await asyncio.gather(*tasks)

    results = run(_closing(dialer, scenario()))
    assert prompts == 1
    assert [r.state for r in results].count(CallState.ACCEPTED) == 1
    assert [r.state for r in results].count(CallState.BLOCKED) == 4
    assert len(sandbox.requests) == 1


def test_link_rate_limit(sandbox) -> None:
    dialer, _ = make(sandbox, confirm_links=False, link_rate_limit=2)

    async def scenario() -> list[tuple[CallState, str | None]]:
        results = []
        for n in (51, 52, 53):
            attempt = await dialer.dial(f"tel:+4420794609{n}", Source.LINK)
            # As the dial returned: the tracker may move a placed call on later.
            results.append((attempt.state, attempt.error))
        return results

    results = run(_closing(dialer, scenario()))
    assert [state for state, _ in results] == [
        CallState.ACCEPTED,
        CallState.ACCEPTED,
        CallState.BLOCKED,
    ]
    assert "Too many calls" in (results[2][1] or "")
    assert len([r for r in sandbox.requests if "originate" in r.path]) == 2


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_refused_connection_is_retried_once_and_says_so(sandbox) -> None:
    dialer, _ = make(sandbox)
    dead = f"http://127.0.0.1:{_closed_port()}"
    p = dialer.config.providers["demo-simotel"]
    dialer.config.providers["demo-simotel"] = dataclasses.replace(
        p, options={**p.options, "url": dead}
    )
    attempt = run(_closing(dialer, dialer.dial(UK, Source.DIALPAD)))
    assert attempt.state is CallState.FAILED
    assert attempt.error_category == "unreachable"
    assert attempt.detail and attempt.detail.startswith("Retried once")


@pytest.mark.parametrize("fault", ["timeout", "http_500", "reset", "garbage"])
def test_request_that_may_have_arrived_is_unknown_and_never_resent(sandbox, fault) -> None:
    dialer, _ = make(sandbox)
    p = dialer.config.providers["demo-simotel"]
    dialer.config.providers["demo-simotel"] = dataclasses.replace(
        p, options={**p.options, "timeout": 0.5}
    )
    sandbox.set_fault(fault, "simotel")
    attempt = run(_closing(dialer, dialer.dial(UK, Source.DIALPAD)))
    assert attempt.state is CallState.UNKNOWN, attempt.error
    assert "check your phone" in attempt.error.lower()
    assert len(sandbox.requests) == 1


def test_blocked_prefix_is_recorded_and_not_sent(sandbox) -> None:
    dialer, _ = make(sandbox, blocked_prefixes=["+44"])
    attempt = run(_closing(dialer, dialer.dial(UK, Source.DIALPAD)))
    assert attempt.state is CallState.BLOCKED and "+44" in attempt.error
    assert sandbox.requests == []


def test_calls_still_work_when_history_cannot_be_written(sandbox, tmp_path) -> None:
    history = HistoryStore(tmp_path / "h.sqlite3")
    history.close()  # every later write fails with HistoryError
    dialer, seen = make(sandbox, history=history)
    attempt = run(_closing(dialer, dialer.dial(UK, Source.DIALPAD)))
    assert attempt.state is CallState.ACCEPTED
    notices = [e for e in seen if isinstance(e, Notice) and e.title == "Call history not saved"]
    assert len(notices) == 1


def test_outcome_attaches_to_known_call_only(sandbox) -> None:
    dialer, _ = make(sandbox)
    attempt = run(_closing(dialer, dialer.dial(UK, Source.DIALPAD)))
    assert dialer.record_outcome("demo-simotel", "nope", "Busy") is None
    done = dialer.record_outcome("demo-simotel", attempt.call_id, "Answered, then hung up")
    assert done.state is CallState.COMPLETED
    assert dialer.history.get(attempt.id).outcome == "Answered, then hung up"


def test_dry_run_masks_secrets(sandbox) -> None:
    dialer, _ = make(sandbox)
    text = dialer.dry_run(UK, "demo-simotel")
    assert "originate" in text
    for value in demo_secrets()["demo-simotel"].values():
        assert value not in text
    assert sandbox.requests == []


def test_unknown_provider_name(sandbox) -> None:
    dialer, _ = make(sandbox)
    plan = dialer.plan(UK, Source.CLI, "nope")
    assert plan.error and "nope" in plan.error


def test_tls_off_is_a_visible_warning(sandbox) -> None:
    dialer, _ = make(sandbox)
    p = dialer.config.providers["demo-simotel"]
    dialer.config.providers["demo-simotel"] = ProviderProfile(
        p.name, p.type, {**p.options, "verify_tls": False}
    )
    plan = dialer.plan(UK, Source.DIALPAD)
    assert any("TLS" in w for w in plan.warnings)


def test_emergency_short_numbers_always_ask(sandbox) -> None:
    dialer, _ = make(sandbox, region="US")
    plan = dialer.plan("tel:911", Source.LINK)
    assert plan.target.is_extension and plan.needs_confirm
    assert "emergency" in plan.confirm_reason
    assert not dialer.plan("557", Source.DIALPAD).needs_confirm
    assert dialer.plan("tel:557", Source.LINK).needs_confirm


def test_warm_up_builds_clients_off_the_loop_and_calls_reuse_them(sandbox) -> None:
    dialer, _ = make(sandbox)

    async def scenario():
        await dialer.warm_up()
        warmed = {name: p._client is not None for name, p in dialer.pool.providers.items()}
        client = dialer.pool.providers["demo-simotel"]._client
        attempt = await dialer.dial(UK, Source.DIALPAD)
        return warmed, client is dialer.pool.providers["demo-simotel"]._client, attempt

    warmed, same_client, attempt = run(_closing(dialer, scenario()))
    assert warmed == dict.fromkeys(dialer.config.providers, True)
    assert same_client
    assert attempt.state is CallState.ACCEPTED


def test_retry_right_after_a_refused_call_is_placed_not_merged(sandbox) -> None:
    dialer, _ = make(sandbox)
    sandbox.set_fault("bad_credentials", "simotel", times=1)

    async def twice():
        return [await dialer.dial(UK, Source.DIALPAD) for _ in range(2)]

    first, second = run(_closing(dialer, twice()))
    assert first.state is CallState.FAILED
    assert second.state is CallState.ACCEPTED
    assert len(sandbox.requests) == 2


def test_saving_settings_mid_call_does_not_break_the_call(sandbox) -> None:
    dialer, _ = make(sandbox)
    sandbox.set_fault("slow", "simotel", delay=0.4, times=1)

    async def scenario():
        call = asyncio.ensure_future(dialer.dial(UK, Source.DIALPAD))
        for _ in range(200):  # until the request is on the wire
            if sandbox.requests:
                break
            await asyncio.sleep(0.01)
        dialer.reload(dialer.config)  # the user saves Settings meanwhile
        return await call

    attempt = run(_closing(dialer, scenario()))
    assert attempt.state is CallState.ACCEPTED, attempt.error
    assert dialer.pool.retired == [] and dialer.pool.busy == {}


def test_same_number_from_another_process_is_merged(sandbox, tmp_path) -> None:
    """Two dialers on one history file stand for the app and a `dialer-gui call`."""
    path = tmp_path / "history.sqlite3"
    app, _ = make(sandbox, history=HistoryStore(path))
    cli, seen = make(sandbox, history=HistoryStore(path))
    first = run(_closing(app, app.dial(UK, Source.LINK, confirm=_yes)))
    second = run(_closing(cli, cli.dial(UK, Source.CLI)))
    assert first.state is CallState.ACCEPTED
    assert second.state is CallState.MERGED and f"#{first.id}" in second.detail
    assert len(sandbox.requests) == 1
    assert any(isinstance(e, Notice) and e.title == "Already dialing" for e in seen)


async def _yes(plan):
    return True
