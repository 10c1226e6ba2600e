"""The guards: what is blocked, what asks first, what merges, what is rate-limited."""

from __future__ import annotations

import pytest

from dialer_gui.core.config import GeneralSettings as PolicySettings
from dialer_gui.core.policy import DuplicateGuard, RateLimiter, decide
from dialer_gui.vocabulary.calls import Source
from dialer_gui.vocabulary.target import DialTarget, TargetKind

UK = DialTarget(TargetKind.EXTERNAL, "+442079460958", "+44 20 7946 0958", "GB")
PREMIUM = DialTarget(TargetKind.EXTERNAL, "+19005550123", "+1 900-555-0123", "US")
EXT = DialTarget(TargetKind.EXTENSION, "557", "557")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("target", "ntype", "source", "confirm", "blocked"),
    [
        (UK, "fixed_line", Source.DIALPAD, False, False),
        (UK, "fixed_line", Source.LINK, True, False),
        (UK, "fixed_line", Source.CLIPBOARD, True, False),
        (UK, "fixed_line", Source.CLI, False, False),
        (EXT, "extension", Source.DIALPAD, False, False),  # typed extensions dial at once
        (EXT, "extension", Source.LINK, True, False),  # a web page must not ring one unasked
        (EXT, "extension", Source.CLIPBOARD, True, False),
        (PREMIUM, "premium_rate", Source.DIALPAD, True, False),  # premium always asks
        (UK, "unknown", Source.DIALPAD, True, False),
    ],
)
def test_default_policy(target, ntype, source, confirm, blocked) -> None:
    d = decide(target, ntype, True, source, PolicySettings())
    assert d.needs_confirm is confirm
    assert (d.blocked is not None) is blocked


def test_invalid_numbers_always_ask() -> None:
    d = decide(UK, "fixed_line", False, Source.DIALPAD, PolicySettings())
    assert d.needs_confirm and "valid" in d.reason


def test_blocked_type_and_prefix_win_over_confirmation() -> None:
    settings = PolicySettings(blocked_types=["premium_rate"], blocked_prefixes=["+44"])
    d = decide(PREMIUM, "premium_rate", True, Source.DIALPAD, settings)
    assert d.blocked and "premium-rate" in d.blocked
    d = decide(UK, "fixed_line", True, Source.DIALPAD, settings)
    assert d.blocked and "+44" in d.blocked
    # An extension is never matched against E.164 prefixes.
    assert decide(EXT, "extension", True, Source.LINK, settings).blocked is None


def test_confirmation_switches() -> None:
    off = PolicySettings(confirm_links=False, confirm_clipboard=False, confirm_dialpad=True)
    assert not decide(UK, "fixed_line", True, Source.LINK, off).needs_confirm
    assert not decide(UK, "fixed_line", True, Source.CLIPBOARD, off).needs_confirm
    assert decide(UK, "fixed_line", True, Source.DIALPAD, off).needs_confirm


def test_rate_limiter_sliding_window() -> None:
    clock = FakeClock()
    rl = RateLimiter(3, 60.0, clock)
    for _ in range(3):
        assert rl.allowed()
        rl.record()
    assert not rl.allowed()
    clock.now += 59.9
    assert not rl.allowed()
    clock.now += 0.2
    assert rl.allowed()


def test_duplicate_guard_window_counts_from_the_end_of_a_request() -> None:
    clock = FakeClock()
    guard = DuplicateGuard(5.0, clock)
    assert guard.duplicate_of("+1") is None
    guard.start("+1", 7)
    assert guard.duplicate_of("+1") == 7  # in flight
    clock.now += 30  # a slow PBX
    guard.finish("+1")
    clock.now += 4.9
    assert guard.duplicate_of("+1") == 7
    clock.now += 0.2
    assert guard.duplicate_of("+1") is None
    assert guard.duplicate_of("+2") is None


def test_a_failed_request_is_forgotten_so_a_retry_is_not_merged() -> None:
    clock = FakeClock()
    guard = DuplicateGuard(5.0, clock)
    guard.start("+1", 3)
    guard.finish("+1", failed=True)
    assert guard.duplicate_of("+1") is None


@pytest.mark.parametrize("source", list(Source))
def test_every_source_has_a_row_in_the_trust_table(source: Source) -> None:
    from dialer_gui.core.policy import TRUST

    row = TRUST[source]  # a door added to Source without a row fails here
    assert row.setting is None or row.setting in PolicySettings.__dataclass_fields__
    assert row.reason


def test_a_door_without_a_row_asks_even_with_every_confirmation_off() -> None:
    # e.g. a fax gateway wired up before anyone decided how far to trust it
    relaxed = PolicySettings(
        confirm_links=False, confirm_clipboard=False, confirm_dialpad=False, confirm_browser=False
    )
    for target, ntype in ((UK, "fixed_line"), (EXT, "extension")):
        d = decide(target, ntype, True, "fax", relaxed)  # type: ignore[arg-type]
        assert d.needs_confirm
        assert "cannot tell where" in d.reason


def test_the_browser_asks_by_default_and_its_own_setting_turns_that_off() -> None:
    assert decide(UK, "fixed_line", True, Source.BROWSER, PolicySettings()).needs_confirm
    assert "web page" in decide(UK, "fixed_line", True, Source.BROWSER, PolicySettings()).reason
    relaxed = PolicySettings(confirm_browser=False)
    assert not decide(UK, "fixed_line", True, Source.BROWSER, relaxed).needs_confirm
    # Turning off the links' question leaves the browser's alone, and the other way round.
    links_off = PolicySettings(confirm_links=False)
    assert decide(UK, "fixed_line", True, Source.BROWSER, links_off).needs_confirm
    assert decide(UK, "fixed_line", True, Source.LINK, relaxed).needs_confirm
    # An extension from a web page asks like a number does (it is not typed in dialer-gui).
    assert decide(EXT, "extension", True, Source.BROWSER, PolicySettings()).needs_confirm
