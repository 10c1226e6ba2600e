"""The call tracker: everything that happens to a call after the PBX said "accepted".

Late outcomes are something a provider *offers* (``Provider.outcome_feed`` and
``listen_for_outcomes``); the tracker asks each configured profile, starts one listener per
distinct feed, and attaches each outcome to the call it belongs to. It knows no provider by name.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from dialer_gui.core.events import Notice
from dialer_gui.core.recorder import Recorder
from dialer_gui.errors import HistoryError
from dialer_gui.providers import provider_class
from dialer_gui.providers.base import OutcomeListener
from dialer_gui.vocabulary.calls import CallAttempt, CallState, Outcome
from dialer_gui.vocabulary.profiles import ProviderProfile
from dialer_gui.vocabulary.reasons import TITLES, Reason

log = logging.getLogger("dialer_gui.tracker")


def outcome_feeds(profiles: Iterable[ProviderProfile]) -> dict[tuple[str, str], str]:
    """(provider type, feed) -> the type, for every profile whose provider reports outcomes."""
    feeds: dict[tuple[str, str], str] = {}
    for profile in profiles:
        try:
            feed = provider_class(profile.type).outcome_feed(profile)
        except (KeyError, ImportError):  # an unknown type is the config loader's to report
            continue
        if feed:
            feeds[(profile.type, feed)] = profile.type
    return feeds


class CallTracker:
    """Listens for late outcomes and records them on their calls."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.listeners: list[OutcomeListener] = []

    def record_outcome(
        self, provider: str | None, call_id: str, outcome: str, detail: str = ""
    ) -> CallAttempt | None:
        """Attach a later outcome to a known call; unknown calls are ignored (logged)."""
        try:
            attempt = self.recorder.history.find_by_call_id(provider, call_id)
        except HistoryError as exc:
            self.recorder.failed(exc)
            return None
        if attempt is None or attempt.id is None:
            log.info("outcome for a call we do not know (%s); ignored", call_id[:40])
            return None
        if attempt.state not in (CallState.ACCEPTED, CallState.UNKNOWN):
            return attempt
        self.recorder.update(
            attempt,
            state=CallState.COMPLETED,
            outcome=outcome,
            detail=detail or None,
            reason=Reason.FINISHED,
        )
        self.recorder.events.emit(
            Notice("info", TITLES[Reason.FINISHED], f"{attempt.display}: {outcome}", attempt.id)
        )
        return attempt

    def _on_outcome(self, outcome: Outcome) -> None:
        self.record_outcome(None, outcome.call_id, outcome.outcome, outcome.detail)

    def _on_status(self, problem: str) -> None:
        # Shown once when results stop arriving and once when they are back: a call placed
        # meanwhile keeps "accepted" until its record is read.
        events = self.recorder.events
        if problem:
            events.emit(Notice("warning", "Call results are not arriving", problem))
        else:
            events.emit(Notice("info", "Call results are arriving again", ""))

    async def start(self, profiles: Iterable[ProviderProfile]) -> None:
        """One listener per distinct feed of the profiles whose providers report outcomes.

        Our references are unique across profiles, so one listener hands every outcome to
        whichever call it belongs to.
        """
        for (_type, feed), type_name in sorted(outcome_feeds(profiles).items()):
            listener = provider_class(type_name).listen_for_outcomes(
                feed, self._on_outcome, self._on_status
            )
            listener.start()
            self.listeners.append(listener)

    async def restart(self, profiles: Iterable[ProviderProfile]) -> None:
        """After a settings change: stop the listeners and start those now needed."""
        await self.stop()
        await self.start(profiles)

    async def stop(self) -> None:
        listeners, self.listeners = self.listeners, []
        for listener in listeners:
            await listener.stop()
