"""Providers are built in a worker thread, once per profile, for the settings in use.

The pool's transport factory is called where a provider is built, so a factory that notes its
thread (and can hold a build) shows where and how often that happens; the calls themselves go
to the loopback simulator.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from typing import Any

from test_dialer import UK, make

from dialer_gui.core.events import CallChanged
from dialer_gui.sandbox import SandboxThread
from dialer_gui.vocabulary.calls import CallState, Source


class Builds:
    """A transport factory that records each build (profile, thread) and can hold builds."""

    def __init__(self) -> None:
        self.made: list[tuple[str, str]] = []
        self.go = threading.Event()
        self.go.set()

    def __call__(self, profile: Any) -> None:
        self.made.append((profile.name, threading.current_thread().name))
        self.go.wait(10)
        return None  # the provider's own transport


def dialer_with(sandbox: SandboxThread, builds: Builds) -> Any:
    dialer, seen = make(sandbox)
    dialer.pool._transport_factory = builds
    return dialer, seen


def test_a_call_builds_its_provider_in_a_worker_thread(sandbox: SandboxThread) -> None:
    builds = Builds()
    dialer, _ = dialer_with(sandbox, builds)

    async def call() -> Any:
        try:
            return await dialer.dial(UK, Source.DIALPAD), threading.current_thread().name
        finally:
            await dialer.aclose()

    attempt, loop_thread = asyncio.run(call())
    assert attempt.state is CallState.ACCEPTED
    ((profile, thread),) = builds.made
    assert profile == "demo-simotel" and thread != loop_thread


def test_a_call_and_the_warm_up_share_one_build(sandbox: SandboxThread) -> None:
    builds = Builds()
    builds.go.clear()  # hold the first build until both asked for it
    dialer, _ = dialer_with(sandbox, builds)

    async def both() -> Any:
        try:
            warm = asyncio.ensure_future(dialer.warm_up())
            call = asyncio.ensure_future(dialer.dial(UK, Source.DIALPAD))
            for _ in range(100):
                await asyncio.sleep(0.01)
            builds.go.set()
            attempt = await call
            await warm
            return attempt
        finally:
            await dialer.aclose()

    attempt = asyncio.run(both())
    assert attempt.state is CallState.ACCEPTED
    names = [name for name, _ in builds.made]
    assert sorted(names) == sorted(dialer.config.providers)  # each profile built once


def test_settings_saved_during_a_build_give_a_provider_of_the_new_settings(
    sandbox: SandboxThread,
) -> None:
    builds = Builds()
    builds.go.clear()
    dialer, _ = dialer_with(sandbox, builds)

    async def scenario() -> Any:
        try:
            call = asyncio.ensure_future(dialer.dial(UK, Source.DIALPAD))
            while not builds.made:
                await asyncio.sleep(0.01)
            dialer.reload(saved_again(dialer.config))  # while the first build is held
            builds.go.set()
            attempt = await call
            return attempt, dialer.pool.providers["demo-simotel"]
        finally:
            await dialer.aclose()

    attempt, provider = asyncio.run(scenario())
    assert attempt.state is CallState.ACCEPTED
    assert [name for name, _ in builds.made] == ["demo-simotel", "demo-simotel"]
    assert provider.profile is dialer.config.providers["demo-simotel"]


def saved_again(config: Any) -> Any:
    """The same settings as new objects, as a save in the settings dialog makes them."""
    providers = {
        name: dataclasses.replace(profile, options=dict(profile.options))
        for name, profile in config.providers.items()
    }
    return dataclasses.replace(config, providers=providers)


def test_on_sent_is_called_when_the_request_is_on_the_wire(sandbox: SandboxThread) -> None:
    dialer, seen = make(sandbox)
    states_when_sent: list[list[CallState]] = []

    def sent() -> None:
        states_when_sent.append([e.attempt.state for e in seen if isinstance(e, CallChanged)])

    async def calls() -> Any:
        try:
            placed = await dialer.dial(UK, Source.DIALPAD, on_sent=sent)
            refused = await dialer.dial("not a number", Source.DIALPAD, on_sent=sent)
            return placed, refused
        finally:
            await dialer.aclose()

    placed, refused = asyncio.run(calls())
    assert placed.state is CallState.ACCEPTED and refused.state is CallState.FAILED
    # Once, for the call that was sent, while it was still only requested.
    assert states_when_sent == [[CallState.REQUESTED]]
