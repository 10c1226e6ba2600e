"""The call tracker: everything that happens to a call after the PBX said "accepted".

Two ways news of a call arrives, both offered by the provider, never chosen here by name:

* **Pushed**: a provider with an ``outcome_feed`` (Teleforge's Redis CDRs) gets one listener
  per distinct feed; each report is attached to the call it belongs to.
* **Polled**: a profile whose ``capabilities`` say it follows calls (``FINAL`` or ``LIVE``) and
  has no feed is asked, by :meth:`Provider.progress`, about all its live calls at once. One
  task per profile, so one request in flight per profile; it runs only while that profile has
  a live call and ends with the last, so an idle app has no timer at all.

Polling starts quick and slows down while nothing changes (:class:`FollowPolicy`): a ringing
phone changes within seconds, a conversation within minutes. Every followed call has a bound
(an age and a number of looks); past it, or when the PBX refuses to be asked (a privilege the
account lacks: said once, and that profile is not asked again until its settings change), the
call is marked ``untracked``, "no longer followed", never guessed. A call that dialer-gui was
not running for (a restart mid-call) is followed again when its profile can, else marked so.

States only move forward (``vocabulary.calls.can_move``); a report that would go back is a
late duplicate and ignored.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from dialer_gui.core.events import Notice
from dialer_gui.core.recorder import Recorder
from dialer_gui.errors import DialerError, HistoryError
from dialer_gui.providers import provider_class
from dialer_gui.providers.base import OutcomeListener, Provider
from dialer_gui.providers.errors import ErrorCategory, ProviderError
from dialer_gui.vocabulary.calls import (
    LIVE_STATES,
    CallAttempt,
    CallState,
    Capabilities,
    Follows,
    Outcome,
    Progress,
    can_move,
    state_words,
    talk_time,
    utcnow,
)
from dialer_gui.vocabulary.profiles import ProviderProfile
from dialer_gui.vocabulary.reasons import TITLES, Reason

log = logging.getLogger("dialer_gui.tracker")

RESTARTED = (
    "dialer-gui was not running while this call went on, and its PBX cannot be asked how it ended."
)
BOUND_REACHED = "dialer-gui stopped following this call after {age}; how it ended is not known."
GAVE_UP = "The PBX could not be asked about this call for too long: {problem}"

# Endings worth a notification of their own, and how loud.
_ENDING_LEVEL = {
    CallState.ENDED: "info",
    CallState.HUNG_UP: "info",
    CallState.CANCELLED: "info",
    CallState.BUSY: "warning",
    CallState.NO_ANSWER: "warning",
    CallState.UNTRACKED: "info",
    CallState.COMPLETED: "info",
}


@dataclass(frozen=True, slots=True)
class FollowPolicy:
    """How often and for how long calls are followed.

    The first look comes ``first`` seconds after "accepted"; each look that brings no change
    waits ``growth`` times longer, up to ``slowest`` (a PBX that only knows the final record
    is asked at ``slowest_final``, and while a phone still rings no look waits more than
    ``slowest_ringing``); any change starts again at ``first``. A call is followed
    for at most ``max_age`` and ``max_looks`` looks; ``max_failures`` failed looks in a row
    give up on the profile's calls.
    """

    first: float = 1.0
    growth: float = 1.5
    slowest_ringing: float = 2.0
    slowest: float = 10.0
    slowest_final: float = 30.0
    max_age: timedelta = timedelta(hours=4)
    max_looks: int = 2000
    max_failures: int = 20


_BEFORE_TALK = frozenset({CallState.ACCEPTED, CallState.RINGING, CallState.ANSWERED})

# What every tracker uses unless told otherwise (tests make it quick).
DEFAULT_POLICY = FollowPolicy()


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


def capabilities_of(profile: ProviderProfile | None) -> Capabilities:
    """What ``profile``'s PBX can tell and do after "accepted" (nothing for an unknown one)."""
    if profile is None:
        return Capabilities()
    try:
        return provider_class(profile.type).capabilities(profile)
    except (KeyError, ImportError):
        return Capabilities()


def _polls(profile: ProviderProfile) -> bool:
    """Whether this profile's calls are followed by asking (not by a pushed feed)."""
    if capabilities_of(profile).follows is Follows.NOTHING:
        return False
    return not provider_class(profile.type).outcome_feed(profile)


@dataclass(slots=True)
class _Followed:
    attempt: CallAttempt
    looks: int = 0


@dataclass(slots=True)
class _Poller:
    """The one task asking one profile's PBX about its live calls."""

    profile: str
    calls: dict[int, _Followed] = field(default_factory=dict)
    task: asyncio.Task[None] | None = None
    wake: asyncio.Event = field(default_factory=asyncio.Event)


ProfileLookup = Callable[[str], ProviderProfile | None]
ProviderLookup = Callable[[str], Provider]


class CallTracker:
    """Follows calls after "accepted" and records what their PBX says about them.

    Args:
        recorder: where state changes are written (and announced).
        profile_of: the current profile by name (``None`` when it no longer exists).
        provider_of: the long-lived provider of a profile (raises when it cannot be built).
        policy: how often and how long to follow.
    """

    def __init__(
        self,
        recorder: Recorder,
        profile_of: ProfileLookup | None = None,
        provider_of: ProviderLookup | None = None,
        policy: FollowPolicy | None = None,
    ) -> None:
        self.recorder = recorder
        self.profile_of: ProfileLookup = profile_of or (lambda _name: None)
        self.provider_of = provider_of
        self.policy = policy or DEFAULT_POLICY
        self.listeners: list[OutcomeListener] = []
        self._pollers: dict[str, _Poller] = {}
        # Profiles whose PBX refused to be asked, with its sentence; cleared by a settings change.
        self._refused: dict[str, str] = {}
        # Calls awaiting a pushed report (a CDR), by attempt id.
        self._pushed: dict[int, CallAttempt] = {}
        self._stopped = False

    # -- what the rest of the app asks ---------------------------------------------------------
    def capabilities(self, profile_name: str) -> Capabilities:
        caps = capabilities_of(self.profile_of(profile_name))
        if profile_name in self._refused:
            return Capabilities(
                Follows.NOTHING, caps.hang_up, caps.cancel, self._refused[profile_name]
            )
        return caps

    def following(self) -> list[CallAttempt]:
        """The calls followed now, oldest first."""
        calls = [f.attempt for p in self._pollers.values() for f in p.calls.values()]
        calls += self._pushed.values()
        return sorted(calls, key=lambda a: (a.created, a.id or 0))

    def is_followed(self, attempt_id: int) -> bool:
        return attempt_id in self._pushed or any(
            attempt_id in p.calls for p in self._pollers.values()
        )

    def follow(self, attempt: CallAttempt) -> bool:
        """Start following a call the PBX took (or may have); whether anything will follow it.

        A call without a call ID, or whose profile can tell nothing, is left as it is.
        """
        self.expire_pushed()
        if self._stopped or attempt.id is None or not attempt.call_id:
            return False
        if attempt.state not in LIVE_STATES and attempt.state is not CallState.UNKNOWN:
            return False
        profile = self.profile_of(attempt.provider)
        if profile is None or attempt.provider in self._refused:
            return False
        if capabilities_of(profile).follows is Follows.NOTHING:
            return False
        if not _polls(profile):
            # Its feed pushes the news; we only keep the call and its bound.
            self._pushed[attempt.id] = attempt
            return True
        poller = self._pollers.get(attempt.provider)
        if poller is None:
            poller = self._pollers[attempt.provider] = _Poller(attempt.provider)
        poller.calls[attempt.id] = _Followed(attempt)
        if poller.task is None or poller.task.done():
            poller.task = asyncio.get_running_loop().create_task(
                self._poll(poller), name=f"follow {attempt.provider}"
            )
        else:
            poller.wake.set()  # a new call is looked at soon, not after the slow interval
        return True

    async def resume(self, since: datetime | None = None) -> int:
        """After a start: follow again the calls left live by an earlier run, or mark them.

        Returns how many are followed again. A call older than the policy's bound, or whose
        profile can no longer be asked, becomes "no longer followed".
        """
        oldest = utcnow() - self.policy.max_age
        try:
            live = self.recorder.history.live(since or datetime.min.replace(tzinfo=oldest.tzinfo))
        except HistoryError as exc:
            self.recorder.failed(exc)
            return 0
        resumed = 0
        for attempt in live:
            if attempt.created >= oldest and self.follow(attempt):
                resumed += 1
            elif attempt.state is not CallState.UNKNOWN:
                self._untrack(attempt, RESTARTED, notify=False)
        return resumed

    async def end_call(self, attempt: CallAttempt) -> str:
        """Hang up (connected) or cancel (not yet) a call; the PBX's confirmation in words.

        Raises:
            ProviderError: the PBX did not confirm; the call is still followed.
            DialerError: the call cannot be ended from here (no call ID, ended, not supported).
        """
        if not attempt.call_id:
            raise DialerError("This call has no call ID, so the PBX cannot be asked to end it.")
        if attempt.state not in LIVE_STATES:
            raise DialerError(f"This call is not in progress ({state_words(attempt.state)}).")
        caps = capabilities_of(self.profile_of(attempt.provider))
        if not caps.can_end(attempt.state):
            raise DialerError(_cannot_end(attempt.provider, attempt.state))
        if self.provider_of is None:
            raise DialerError("No provider is available to end the call.")
        state = CallState.HUNG_UP if attempt.state is CallState.CONNECTED else CallState.CANCELLED
        message = await self.provider_of(attempt.provider).end_call(attempt.call_id)
        self.apply(attempt, Progress(attempt.call_id, state, attempt.leg, detail=message))
        return message

    # -- recording what the PBX said -----------------------------------------------------------
    def apply(self, attempt: CallAttempt, progress: Progress, outcome: str = "") -> bool:
        """Record one report about ``attempt`` (with the PBX's own words for an ending, if it
        gave some); whether it changed anything."""
        new, leg = progress.state, progress.leg or attempt.leg
        if new is CallState.UNTRACKED:
            raise ValueError("untracked is the tracker's own word, not a PBX report")
        if (new, leg) == (attempt.state, attempt.leg) or not can_move(
            attempt.state, new, attempt.leg, leg
        ):
            return False
        changes: dict[str, object] = {"state": new, "leg": leg}
        if new is CallState.CONNECTED and attempt.connected_at is None:
            changes["connected_at"] = progress.at
        ending = new not in LIVE_STATES
        if ending:
            changes["ended_at"] = progress.at
            duration = progress.duration
            connected = changes.get("connected_at", attempt.connected_at)
            if duration is None and isinstance(connected, datetime):
                duration = max(0.0, (progress.at - connected).total_seconds())
            if duration is not None:
                changes["duration"] = duration
            changes["reason"] = Reason.FINISHED
        if progress.detail:
            changes["detail"] = progress.detail
        if outcome and ending:
            changes["outcome"] = outcome
        self.recorder.update(attempt, **changes)
        if ending:
            self._forget(attempt)
        self._announce(attempt)
        return True

    def record_outcome(
        self, provider: str | None, call_id: str, outcome: str, detail: str = ""
    ) -> CallAttempt | None:
        """Attach an outcome in the PBX's own words to a known call (a ``completed`` ending)."""
        return self._pushed_report(
            provider, Outcome(call_id, outcome, detail), Progress(call_id, CallState.COMPLETED)
        )

    def _pushed_report(
        self, provider: str | None, outcome: Outcome, progress: Progress
    ) -> CallAttempt | None:
        try:
            attempt = self.recorder.history.find_by_call_id(provider, outcome.call_id)
        except HistoryError as exc:
            self.recorder.failed(exc)
            return None
        if attempt is None or attempt.id is None:
            log.info("outcome for a call we do not know (%s); ignored", outcome.call_id[:40])
            return None
        # The copy being followed is the one the UI holds; update that one.
        attempt = self._held(attempt)
        if progress.state is CallState.COMPLETED:
            if attempt.state not in LIVE_STATES and attempt.state is not CallState.UNKNOWN:
                return attempt
            self.recorder.update(
                attempt,
                state=CallState.COMPLETED,
                outcome=outcome.outcome,
                detail=outcome.detail or None,
                ended_at=progress.at,
                reason=Reason.FINISHED,
            )
            self._forget(attempt)
            self._announce(attempt)
            return attempt
        self.apply(attempt, progress, outcome.outcome)
        return attempt

    def _held(self, attempt: CallAttempt) -> CallAttempt:
        assert attempt.id is not None
        if attempt.id in self._pushed:
            return self._pushed[attempt.id]
        for poller in self._pollers.values():
            if attempt.id in poller.calls:
                return poller.calls[attempt.id].attempt
        return attempt

    def _announce(self, attempt: CallAttempt) -> None:
        words = state_words(attempt.state, attempt.leg)
        events = self.recorder.events
        if attempt.state is CallState.CONNECTED:
            text = f"You are talking with {_who(attempt)}."
            events.emit(Notice("info", "Connected", text, attempt.id))
            return
        level = _ENDING_LEVEL.get(attempt.state)
        if level is None:
            return  # ringing, answered: the call card shows it; no notification for each step
        text = f"{_who(attempt)}: {attempt.outcome or words}"
        if attempt.duration is not None and attempt.state in (
            CallState.ENDED,
            CallState.HUNG_UP,
        ):
            text += f" after {talk_time(attempt.duration)}"
        events.emit(Notice(level, TITLES[Reason.FINISHED], text + ".", attempt.id))

    def _untrack(self, attempt: CallAttempt, why: str, *, notify: bool = True) -> None:
        if attempt.state in LIVE_STATES:
            self.recorder.update(
                attempt,
                state=CallState.UNTRACKED,
                detail=why,
                reason=Reason.FINISHED,
            )
            if notify:
                self._announce(attempt)
        self._forget(attempt)

    def _forget(self, attempt: CallAttempt) -> None:
        if attempt.id is None:
            return
        self._pushed.pop(attempt.id, None)
        poller = self._pollers.get(attempt.provider)
        if poller is not None:
            poller.calls.pop(attempt.id, None)

    # -- asking ---------------------------------------------------------------------------------
    async def _poll(self, poller: _Poller) -> None:
        policy = self.policy
        interval, failures = policy.first, 0
        try:
            while poller.calls:
                woken = await _nap(poller.wake, interval)
                poller.wake.clear()
                if self._stopped:
                    return
                self._expire(poller)
                if not poller.calls:
                    break
                calls = {f.attempt.call_id: f for f in poller.calls.values() if f.attempt.call_id}
                try:
                    provider = self._provider(poller.profile)
                    reports = await provider.progress(list(calls))
                except ProviderError as exc:
                    if exc.category is ErrorCategory.NOT_PERMITTED:
                        self._refuse(poller, exc.message)
                        return
                    failures += 1
                    log.info("progress of %s failed (%d): %s", poller.profile, failures, exc)
                    if failures >= policy.max_failures:
                        for followed in list(poller.calls.values()):
                            self._untrack(followed.attempt, GAVE_UP.format(problem=exc.message))
                        return
                    interval = min(interval * policy.growth, self._slowest(poller))
                    continue
                except (DialerError, KeyError) as exc:  # the profile went away or broke
                    for followed in list(poller.calls.values()):
                        self._untrack(followed.attempt, f"Its provider cannot be used: {exc}")
                    return
                except Exception:
                    log.exception("following calls of %s failed", poller.profile)
                    for followed in list(poller.calls.values()):
                        self._untrack(followed.attempt, "An internal error stopped following it.")
                    return
                failures = 0
                changed = False
                for followed in calls.values():
                    followed.looks += 1
                for report in reports:
                    followed_call = calls.get(report.call_id)
                    if followed_call is None:  # the PBX spoke of a call we did not ask about
                        continue
                    changed |= self.apply(followed_call.attempt, report)
                grown = min(interval * policy.growth, self._slowest(poller))
                # A new call woke us: it is looked at again soon, like any fresh call.
                interval = policy.first if changed or woken else grown
        finally:
            if self._pollers.get(poller.profile) is poller and not poller.calls:
                del self._pollers[poller.profile]

    def _provider(self, profile: str) -> Provider:
        if self.provider_of is None:
            raise DialerError("no provider lookup")
        return self.provider_of(profile)

    def _slowest(self, poller: _Poller) -> float:
        """The longest wait between looks: short while a phone rings (that changes within
        seconds and the user is watching), longer once every call is a conversation."""
        if capabilities_of(self.profile_of(poller.profile)).follows is Follows.FINAL:
            return self.policy.slowest_final
        ringing = any(f.attempt.state in _BEFORE_TALK for f in poller.calls.values())
        return (
            min(self.policy.slowest_ringing, self.policy.slowest)
            if ringing
            else self.policy.slowest
        )

    def _expire(self, poller: _Poller) -> None:
        oldest = utcnow() - self.policy.max_age
        for followed in list(poller.calls.values()):
            attempt = followed.attempt
            if attempt.state not in LIVE_STATES and attempt.state is not CallState.UNKNOWN:
                poller.calls.pop(attempt.id or -1, None)  # ended some other way
            elif attempt.created < oldest or followed.looks >= self.policy.max_looks:
                age = _age(utcnow() - attempt.created)
                self._untrack(attempt, BOUND_REACHED.format(age=age))

    def _refuse(self, poller: _Poller, message: str) -> None:
        self._refused[poller.profile] = message
        sentence = (
            f"dialer-gui cannot follow calls of “{poller.profile}”: {message} "
            "Calls still work; their progress is not shown."
        )
        self.recorder.events.emit(Notice("warning", "Call progress is off", sentence))
        for followed in list(poller.calls.values()):
            self._untrack(followed.attempt, message, notify=False)

    def expire_pushed(self) -> None:
        """Mark calls awaiting a pushed report past the bound (checked on each new call)."""
        oldest = utcnow() - self.policy.max_age
        for attempt in list(self._pushed.values()):
            if attempt.created < oldest:
                self._untrack(attempt, BOUND_REACHED.format(age=_age(utcnow() - attempt.created)))

    # -- pushed feeds ---------------------------------------------------------------------------
    def _on_outcome(self, outcome: Outcome) -> None:
        progress = Progress(
            outcome.call_id,
            outcome.state,
            outcome.leg,
            duration=outcome.duration,
            detail=outcome.detail,
        )
        self._pushed_report(None, outcome, progress)

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

    def forgive(self) -> None:
        """After a settings change: ask again the PBXs that refused to tell progress."""
        self._refused.clear()

    async def restart(self, profiles: Iterable[ProviderProfile]) -> None:
        """After a settings change: stop the listeners and start those now needed."""
        listeners, self.listeners = self.listeners, []
        for listener in listeners:
            await listener.stop()
        await self.start(profiles)

    async def stop(self) -> None:
        """Stop listening and asking; calls still live stay as they are for the next start."""
        listeners, self.listeners = self.listeners, []
        for listener in listeners:
            await listener.stop()
        self._stopped = True
        pollers, self._pollers = list(self._pollers.values()), {}
        for poller in pollers:
            if poller.task is not None and not poller.task.done():
                poller.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await poller.task
        self._pushed.clear()


async def _nap(wake: asyncio.Event, seconds: float) -> bool:
    """Wait ``seconds`` or until ``wake`` is set, whichever comes first; whether it was set.

    Not ``asyncio.wait_for``: on Python 3.11 it drops a cancellation that arrives as the event
    is set (a new call woke the poller just as the app quit), and the poller then ran on until
    its calls ended, holding up the quit for as long.
    """
    waiter = asyncio.ensure_future(wake.wait())
    try:
        done, _pending = await asyncio.wait({waiter}, timeout=seconds)
    finally:
        waiter.cancel()
    return bool(done)


def _who(attempt: CallAttempt) -> str:
    return attempt.contact or attempt.display or attempt.number


def _age(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{minutes // 60} hours"


def _cannot_end(profile: str, state: CallState) -> str:
    if state is CallState.CONNECTED:
        return f"The PBX of “{profile}” cannot hang up calls from here; hang up on your phone."
    return f"The PBX of “{profile}” cannot cancel calls from here; hang up on your phone."
