"""The call card: a live call with its state, timer and Hang up / Cancel, through a real dialer
and the ``echo`` test provider's simulator playing a scripted lifecycle over loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from echo_sandbox import TOKEN
from uitools import qloop, run  # noqa: F401

from dialer_gui.core.config import Config, GeneralSettings
from dialer_gui.core.dialer import Dialer
from dialer_gui.core.events import EventBus
from dialer_gui.core.history import HistoryStore
from dialer_gui.core.tracker import FollowPolicy
from dialer_gui.providers import PROVIDERS, ProviderEntry
from dialer_gui.sandbox import SandboxThread, running_sandbox
from dialer_gui.sandbox.demo import demo_profiles
from dialer_gui.ui.call_card import CallCard
from dialer_gui.vocabulary.calls import CallState, Source
from dialer_gui.vocabulary.profiles import ProviderProfile

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.fixture
def echo_sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxThread]:
    monkeypatch.setitem(
        PROVIDERS,
        "echo",
        ProviderEntry("echo_provider:EchoProvider", "echo_sandbox", {"url": "https://e.test"}),
    )
    with running_sandbox() as thread:
        yield thread


class Secrets:
    def secrets_for(self, name: str, fields: object) -> dict[str, str]:
        return {"token": TOKEN}


@pytest.fixture
def dialer(qloop: Any, qtbot: Any, echo_sandbox: SandboxThread) -> Iterator[Dialer]:  # noqa: F811
    demo = demo_profiles(echo_sandbox.base_url)["demo-echo"]
    profiles = {
        "desk": ProviderProfile("desk", "echo", {**demo.options, "follow": True}),
        "quiet": ProviderProfile("quiet", "echo", dict(demo.options)),
    }
    config = Config(GeneralSettings(region="US", default_provider="desk"), profiles)
    d = Dialer(config, Secrets(), HistoryStore(":memory:"), EventBus())
    # Looks far apart, so each state holds for a while and the test sees it.
    d.tracker.policy = FollowPolicy(first=0.15, growth=1.0, slowest=0.15)
    try:
        yield d
    finally:
        run(qtbot, d.aclose())


def lifecycle(sandbox: SandboxThread, steps: list[dict[str, Any]]) -> None:
    sandbox.sandbox.state["echo_lifecycle"] = steps


def test_the_card_follows_a_call_and_hangs_it_up(
    qtbot: Any, dialer: Dialer, echo_sandbox: SandboxThread
) -> None:
    lifecycle(
        echo_sandbox,
        [
            {"state": "ringing", "leg": "caller"},
            {"state": "answered", "leg": "caller"},
            {"state": "ringing", "leg": "callee"},
            {"state": "connected", "leg": "callee"},
        ],
    )
    card = CallCard(dialer.events, dialer)
    qtbot.addWidget(card)
    assert not card.isVisible() and not card.tick.isActive()
    attempt = run(qtbot, dialer.dial("+1 212 555 0100", Source.DIALPAD))
    attempt.contact = "Jane Doe"
    qtbot.waitUntil(lambda: card.state.text().startswith("Your phone is ringing"))
    assert card.isVisible() and card.tick.isActive()
    assert card.who.text() == "Jane Doe"
    # Before it connects the button cancels; after, it hangs up.
    assert card.end_button.isVisible() and card.end_button.text() == "&Cancel call"
    assert card.state.accessibleName().startswith("Call: Your phone is ringing")
    qtbot.waitUntil(lambda: card.state.text().startswith("Connected"), timeout=5000)
    assert card.end_button.text() == "Hang &up"
    assert " · 0:0" in card.state.text()  # the talk timer
    task = card.end_call()
    assert task is not None
    assert not card.end_button.isEnabled() and card.end_button.text() == "Hanging up…"
    qtbot.waitUntil(task.done)
    assert attempt.state is CallState.HUNG_UP
    assert card.state.text().startswith("Hung up")
    assert not card.end_button.isVisible()
    # The timer stops with the call; the card steps aside after a while.
    assert not card.tick.isActive() and card.linger.isActive()
    card.linger.timeout.emit()
    assert not card.isVisible()
    assert echo_sandbox.sandbox.state["echo_hangups"] == [attempt.call_id]


def test_a_hang_up_the_pbx_does_not_confirm_is_said_on_the_card(
    qtbot: Any, dialer: Dialer, echo_sandbox: SandboxThread
) -> None:
    lifecycle(echo_sandbox, [{"state": "ringing", "leg": "caller"}])
    card = CallCard(dialer.events, dialer)
    qtbot.addWidget(card)
    attempt = run(qtbot, dialer.dial("+1 212 555 0100", Source.DIALPAD))
    qtbot.waitUntil(lambda: attempt.state is CallState.RINGING)
    attempt.call_id = "echo-404"  # a call the PBX does not know
    task = card.end_call()
    assert task is not None
    qtbot.waitUntil(task.done)
    assert card.note.text() == "Could not end the call: Echo knows no such call."
    assert card.end_button.isEnabled() and attempt.state is CallState.RINGING


def test_a_pbx_that_tells_nothing_says_so_and_offers_no_button(
    qtbot: Any, dialer: Dialer, echo_sandbox: SandboxThread
) -> None:
    card = CallCard(dialer.events, dialer)
    qtbot.addWidget(card)
    attempt = run(qtbot, dialer.dial("+1 212 555 0100", Source.DIALPAD, provider="quiet"))
    assert attempt.state is CallState.ACCEPTED
    assert card.state.text().startswith("Accepted")
    assert card.note.text() == "Echo tells nothing after it took a call."
    assert not card.end_button.isVisible()


def test_the_card_shows_untrusted_text_as_text(
    qtbot: Any, dialer: Dialer, echo_sandbox: SandboxThread
) -> None:
    lifecycle(echo_sandbox, [{"state": "ringing", "leg": "caller"}])
    card = CallCard(dialer.events, dialer)
    qtbot.addWidget(card)
    attempt = run(qtbot, dialer.dial("+1 212 555 0100", Source.DIALPAD))
    attempt.contact = "<b>Jane</b><img src=x>"
    card.show_call(attempt)
    for label in (card.who, card.state, card.note):
        assert label.textFormat().name == "PlainText"
    assert card.who.text() == "<b>Jane</b><img src=x>"
