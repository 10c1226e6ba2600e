"""What each provider declares it can do after "accepted" agrees with what it implements, the
demo dials with one that follows live and hangs up, and the simulated calls' lives run on a
clock tests and other processes can set."""

from __future__ import annotations

import json
import urllib.request

import pytest
from follow_calls import refusal

from dialer_gui.providers import PROVIDERS, create_provider, provider_class
from dialer_gui.providers.base import Provider
from dialer_gui.providers.errors import ErrorCategory
from dialer_gui.sandbox import SandboxThread
from dialer_gui.sandbox.demo import DEMO_DEFAULT, demo_profiles, demo_secrets
from dialer_gui.sandbox.lifecycle import BY_LAST_DIGIT, SCRIPTS, CallBook, script_for
from dialer_gui.vocabulary.calls import CallState, Capabilities, Follows
from dialer_gui.vocabulary.profiles import ProviderProfile

TYPES = list(PROVIDERS)
# What each demo profile can do; the lead's tracker reads the same through capabilities().
DEMO = {
    "fonality": (Follows.NOTHING, False),
    "simotel": (Follows.FINAL, False),
    "mor": (Follows.LIVE, True),
    "enswitch": (Follows.NOTHING, False),  # the demo sends no wait, so it gets no call ID
    "teleforge": (Follows.NOTHING, False),  # no Redis given here
    "webhook": (Follows.LIVE, True),
}


@pytest.mark.parametrize("type_name", TYPES)
def test_capabilities_agree_with_what_the_provider_implements(type_name: str) -> None:
    cls = provider_class(type_name)
    profile = demo_profiles("http://127.0.0.1:9")[f"demo-{type_name}"]
    caps = cls.capabilities(profile)
    assert isinstance(caps, Capabilities)
    assert (caps.follows, caps.hang_up) == DEMO[type_name]
    assert caps.cancel == caps.hang_up
    if caps.follows is Follows.NOTHING or not caps.hang_up:
        assert caps.note, "say in plain words what the PBX cannot do"
    if caps.follows is not Follows.NOTHING:
        assert cls.progress is not Provider.progress
    if caps.hang_up or caps.cancel:
        assert cls.end_call is not Provider.end_call


@pytest.mark.parametrize("type_name", TYPES)
def test_a_provider_that_cannot_follow_refuses_in_plain_words(
    type_name: str, sandbox: SandboxThread
) -> None:
    profile = demo_profiles(sandbox.base_url)[f"demo-{type_name}"]
    options = {**profile.options, "follow_calls": False, "status_url": "", "hangup_url": "",
               "hang_up_v2": False, "redis_url": ""}  # fmt: skip
    names = {f.name for f in provider_class(type_name).all_fields()}
    off = ProviderProfile(profile.name, type_name, {k: v for k, v in options.items() if k in names})
    caps = provider_class(type_name).capabilities(off)
    assert caps.follows is Follows.NOTHING and not caps.hang_up and caps.note
    provider = create_provider(off, demo_secrets()[profile.name])
    if provider_class(type_name).progress is Provider.progress:
        error = refusal(provider, lambda: provider.progress(["x"]))
        assert error.category is ErrorCategory.NOT_PERMITTED
    if not caps.hang_up:
        error = refusal(provider, lambda: provider.end_call("x"))
        assert error.category in (ErrorCategory.NOT_PERMITTED, ErrorCategory.CALL_UNKNOWN)


def test_the_demo_dials_with_a_profile_that_follows_live_and_hangs_up() -> None:
    profile = demo_profiles("http://127.0.0.1:9")[DEMO_DEFAULT]
    caps = provider_class(profile.type).capabilities(profile)
    assert caps.follows is Follows.LIVE and caps.hang_up and caps.cancel


def test_scripts_are_chosen_by_the_last_digit_or_forced() -> None:
    assert script_for("+1 212 555 0100") == "answered"
    assert {script_for(f"555{d}") for d in "6789"} == set(BY_LAST_DIGIT.values())
    assert script_for("5557", "long") == "long" and script_for("") == "answered"
    with pytest.raises(ValueError, match="unknown lifecycle"):
        script_for("1", "exploding")
    assert set(BY_LAST_DIGIT.values()) | {"answered"} == set(SCRIPTS)


def test_the_book_runs_at_its_speed_and_moves_on_when_told() -> None:
    now = [100.0]
    book = CallBook(speed=10, clock=lambda: now[0])
    call = book.place("x", "1", "me", "5554")
    now[0] += 0.5  # five call seconds
    assert call.step(book.now()).state is CallState.RINGING
    book.speed = 1
    now[0] += 2  # two more
    assert call.step(book.now()).state is CallState.CONNECTED
    assert book.hang_up(call) is CallState.HUNG_UP and book.hang_up(call) is None
    assert call.talk(book.now()) == 0 and call.finished(book.now())
    ringing = book.place("x", "2", "me", "5558")
    book.advance(5)
    assert book.hang_up(ringing) is CallState.CANCELLED
    assert [c.call_id for c in book.active("x")] == []
    with pytest.raises(ValueError):
        book.speed = 0


def test_another_process_sets_the_pace_and_the_script(sandbox: SandboxThread) -> None:
    def post(body: object) -> int:
        request = urllib.request.Request(
            sandbox.base_url + "/_sandbox/lifecycle", json.dumps(body).encode(), method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)

    assert post({"speed": 30, "lifecycle": "busy"}) == 200
    assert sandbox.sandbox.calls.speed == 30 and sandbox.sandbox.state["lifecycle"] == "busy"
    call = sandbox.sandbox.new_call("mor", "9", "me", "5550")
    assert call.script == "busy"
    before = sandbox.sandbox.calls.now()
    assert post({"advance": 100}) == 200 and sandbox.sandbox.calls.now() - before >= 100
    assert post({"lifecycle": "exploding"}) == 400 and post([1]) == 400
    assert post({"lifecycle": None}) == 200 and sandbox.sandbox.state["lifecycle"] is None
