"""Guards between "the user asked" and "the PBX dials": confirm, block, merge, rate-limit.

A dialer that places a call nobody meant, or places it twice, costs real money. Every door goes
through these: :func:`decide` (block, or ask first, by number and by :data:`TRUST` per door),
:class:`DuplicateGuard` and :class:`RateLimiter` (which the dialer holds, since they remember
what just happened). So a web page firing a burst of tel: links, a double click and a pasted
premium-rate number are all handled in one place.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from dialer_gui.vocabulary.calls import Source
from dialer_gui.vocabulary.target import DialTarget


@dataclass(frozen=True, slots=True)
class SourceTrust:
    """How far a door is trusted.

    Attributes:
        typed: the user typed or picked the number in dialer-gui itself; an extension from
            such a door dials at once.
        setting: the ``[general]`` switch that decides whether to ask (a
            ``[general]`` setting, see :class:`PolicySettings`); None means always ask.
        reason: what the confirmation says about where the number came from.
        web: a web page can fire this door without the user (a burst of links, a script
            clicking numbers): such doors share one rate limit and one open prompt at a time.
    """

    typed: bool
    setting: str | None
    reason: str
    web: bool = False


ASK = SourceTrust(False, None, "dialer-gui cannot tell where this request came from.")
"""The row of a door missing from :data:`TRUST`: a new door asks until someone decides."""

TRUST: dict[Source, SourceTrust] = {
    Source.DIALPAD: SourceTrust(True, "confirm_dialpad", "Confirmation is on for typed numbers."),
    Source.CLI: SourceTrust(True, "confirm_dialpad", "Confirmation is on for typed numbers."),
    Source.HISTORY: SourceTrust(True, "confirm_dialpad", "Confirmation is on for typed numbers."),
    Source.LINK: SourceTrust(False, "confirm_links", "A link asked to place this call.", web=True),
    Source.BROWSER: SourceTrust(
        False, "confirm_browser", "A web page in your browser asked to place this call.", web=True
    ),
    Source.CLIPBOARD: SourceTrust(
        False, "confirm_clipboard", "This number came from the clipboard."
    ),
}
"""One row per door (``tests/test_policy.py`` fails when a :class:`Source` has none)."""


def trust_of(source: Source) -> SourceTrust:
    return TRUST.get(source, ASK)


class PolicySettings(Protocol):
    """What the guards read of the ``[general]`` settings (``GeneralSettings`` is one).

    Read where they are declared, not copied: a setting added to the general settings and
    named in :data:`TRUST` reaches the guards with no other change.
    """

    @property
    def confirm_links(self) -> bool: ...
    @property
    def confirm_clipboard(self) -> bool: ...
    @property
    def confirm_browser(self) -> bool: ...
    @property
    def confirm_dialpad(self) -> bool: ...
    @property
    def always_confirm_types(self) -> Sequence[str]: ...
    @property
    def blocked_types(self) -> Sequence[str]: ...
    @property
    def blocked_prefixes(self) -> Sequence[str]: ...


@dataclass(frozen=True, slots=True)
class Decision:
    blocked: str | None = None  # plain sentence when the call must not be placed
    needs_confirm: bool = False
    reason: str = ""  # why we ask


TYPE_WORDS = {
    "premium_rate": "a premium-rate number",
    "shared_cost": "a shared-cost number",
    "unknown": "a number of unknown type",
    "toll_free": "a toll-free number",
    "voip": "an internet (VoIP) number",
    "personal_number": "a personal number",
    "pager": "a pager number",
    "uan": "a company number",
    "voicemail": "a voicemail number",
    "mobile": "a mobile number",
    "fixed_line": "a landline number",
}


def decide(
    target: DialTarget, number_type: str, valid: bool, source: Source, settings: PolicySettings
) -> Decision:
    """Block, confirm, or dial at once; see the module docstring."""
    words = TYPE_WORDS.get(number_type, f"a {number_type.replace('_', ' ')} number")
    if not target.is_extension:
        for prefix in settings.blocked_prefixes:
            if prefix and target.e164.startswith(prefix):
                return Decision(
                    blocked=f"{target.display} starts with {prefix}, which is blocked in Settings."
                )
        if number_type in settings.blocked_types:
            return Decision(
                blocked=f"{target.display} is {words}; calls to those are blocked in Settings."
            )
        if number_type in settings.always_confirm_types:
            return Decision(needs_confirm=True, reason=f"This is {words}.")
        if not valid:
            return Decision(
                needs_confirm=True, reason="This number does not look valid for its country."
            )
    trust = trust_of(source)
    if target.is_extension and trust.typed:
        return Decision()  # an extension typed on the dial pad dials at once
    # Extensions from links count too: a web page must not ring a colleague, a paging group
    # or a feature code without the user's say.
    if trust.setting is None or getattr(settings, trust.setting):
        return Decision(needs_confirm=True, reason=trust.reason)
    return Decision()


class RateLimiter:
    """At most ``limit`` events in any ``period`` seconds (sliding window)."""

    def __init__(self, limit: int, period: float = 60.0, clock: Callable[[], float] | None = None):
        self.limit = limit
        self.period = period
        self._clock = clock or time.monotonic
        self._times: deque[float] = deque()

    def _trim(self, now: float) -> None:
        while self._times and now - self._times[0] >= self.period:
            self._times.popleft()

    def allowed(self) -> bool:
        now = self._clock()
        self._trim(now)
        return self.limit <= 0 or len(self._times) < self.limit

    def record(self) -> None:
        self._times.append(self._clock())


class DuplicateGuard:
    """Remembers which numbers were sent lately, and which are being sent now."""

    def __init__(self, window: float, clock: Callable[[], float] | None = None) -> None:
        self.window = window
        self._clock = clock or time.monotonic
        self._recent: dict[str, tuple[float, int | None]] = {}
        self.in_flight: dict[str, int | None] = {}

    def duplicate_of(self, number: str) -> int | None:
        """The attempt id this number would merge with (0 if not yet known), else ``None``."""
        if number in self.in_flight:
            return self.in_flight[number] or 0
        seen = self._recent.get(number)
        if seen is not None and self._clock() - seen[0] < self.window:
            return seen[1] or 0
        return None

    def start(self, number: str, attempt_id: int | None) -> None:
        self.in_flight[number] = attempt_id
        self._recent[number] = (self._clock(), attempt_id)

    def finish(self, number: str, *, failed: bool = False) -> None:
        """The request for ``number`` is over; ``failed`` when we know nothing rang."""
        attempt_id = self.in_flight.pop(number, None)
        if failed:
            # Nothing was placed, so trying again at once is a retry, not a duplicate.
            self._recent.pop(number, None)
            return
        # The window counts from the end of the request too: a slow PBX plus an impatient
        # second click must still be one call.
        self._recent[number] = (self._clock(), attempt_id)
        cutoff = self._clock() - self.window
        for key in [k for k, (t, _) in self._recent.items() if t < cutoff]:
            del self._recent[key]


RISKY_TYPES = frozenset({"premium_rate"})
"""Number types whose prompt has Cancel as its default, beside emergency numbers."""

QUIETABLE = frozenset({"confirm_links", "confirm_clipboard", "confirm_browser"})
"""The settings a prompt may turn off ("don't ask again for numbers like this")."""


def risky(number_type: str, emergency: bool) -> bool:
    """An emergency or premium-rate call: the prompt defaults to Cancel and is never quieted."""
    return emergency or number_type in RISKY_TYPES


def quiet_setting(source: Source, reason: str, number_type: str, emergency: bool) -> str | None:
    """The setting that turns off this prompt, when the prompt may offer to.

    Only a prompt asked for by its door alone (``reason`` is the door's own, not a number type
    that always asks or a number that does not look valid) from a link, the clipboard or the
    browser, and never for an emergency or premium-rate number.
    """
    trust = trust_of(source)
    if risky(number_type, emergency) or trust.setting not in QUIETABLE:
        return None
    return trust.setting if reason == trust.reason else None
