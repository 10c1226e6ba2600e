"""The dial flow, tied together: plan -> guards -> history -> provider -> history -> events.

Every door (link, clipboard, dial pad, command line, IPC) calls :meth:`Dialer.dial`. The parts
live in their own rooms: ``planner`` (text -> plan, pure), ``provider_pool`` (one warm provider
per profile), ``recorder`` (history and events), ``tracker`` (what happens after "accepted").
What is left here is what needs them all: the guards that depend on what just happened
(duplicates, the link rate, an open prompt) and sending with its one retry.

The attempt is written to the history *before* the request leaves, so a crash mid-call leaves an
"unknown" row rather than nothing. A request that may have reached the PBX is never sent again
by us; one that surely did not (connection refused) is retried once, and the history says so.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol

from dialer_gui.core import logs, planner
from dialer_gui.core.events import EventBus, Notice
from dialer_gui.core.planner import DialPlan
from dialer_gui.core.policy import DuplicateGuard, RateLimiter, trust_of
from dialer_gui.core.provider_pool import ProviderPool, SecretSource, TransportFactory
from dialer_gui.core.recorder import Recorder
from dialer_gui.core.tracker import CallTracker, outcome_feeds
from dialer_gui.errors import DialerError, HistoryError
from dialer_gui.providers import http, redaction
from dialer_gui.providers.base import CallRequest, Provider
from dialer_gui.providers.errors import ErrorCategory, ProviderError
from dialer_gui.vocabulary.calls import CallAttempt, CallState, Capabilities, Source, utcnow
from dialer_gui.vocabulary.profiles import ProviderProfile
from dialer_gui.vocabulary.reasons import TITLES, Reason
from dialer_gui.vocabulary.target import DialTarget

if TYPE_CHECKING:
    from dialer_gui.core.config import Config
    from dialer_gui.core.contacts.lookup import NameLookup
    from dialer_gui.core.history import HistoryStore

__all__ = ["CallPlacer", "ConfirmFn", "DialPlan", "Dialer", "SecretSource", "TransportFactory"]

log = logging.getLogger("dialer_gui.dialer")

RETRY_DELAY = 0.3  # before the one retry of a request that surely never left

ConfirmFn = Callable[[DialPlan], Awaitable[bool]]


class CallPlacer(Protocol):
    """What a door needs to place a call (the widgets' protocols build on it)."""

    async def dial(
        self,
        raw: str,
        source: Source,
        *,
        provider: str | None = None,
        confirm: ConfirmFn | None = None,
        contact: tuple[str, str] | None = None,
    ) -> CallAttempt: ...


_LEVEL = {CallState.BLOCKED: "warning", CallState.MERGED: "info"}


class Dialer:
    """The one place where calls are placed."""

    def __init__(
        self,
        config: Config,
        secrets: SecretSource,
        history: HistoryStore,
        events: EventBus | None = None,
        *,
        transport_factory: TransportFactory | None = None,
        clock: Callable[[], float] | None = None,
        names: NameLookup | None = None,
    ) -> None:
        self.config = config
        self.names = names  # the phone book's name for a number (core.contacts.lookup)
        self.secrets = secrets
        self.events = events or EventBus()
        self.pool = ProviderPool(config, secrets, transport_factory=transport_factory)
        self.recorder = Recorder(history, self.events)
        self.tracker = CallTracker(
            self.recorder, profile_of=self.config_profile, provider_of=self.provider
        )
        self._dupes = DuplicateGuard(float(config.general.duplicate_window), clock)
        self._link_rate = RateLimiter(int(config.general.link_rate_limit), 60.0, clock)
        self._link_prompt_open = False
        self._turns = asyncio.Lock()

    @property
    def history(self) -> HistoryStore:
        return self.recorder.history

    @history.setter
    def history(self, store: HistoryStore) -> None:
        self.recorder.history = store

    # -- configuration ---------------------------------------------------------------------
    @property
    def region(self) -> str:
        return self.config.general.region

    def config_profile(self, name: str) -> ProviderProfile | None:
        return self.config.providers.get(name)

    def profiles(self) -> list[ProviderProfile]:
        return list(self.config.providers.values())

    def default_profile_name(self) -> str | None:
        return planner.default_profile_name(self.config)

    def recent_numbers(self, limit: int) -> list[tuple[str, str]]:
        """(number, how it was shown) of recent calls, newest first; raises ``HistoryError``."""
        return self.history.recent_numbers(limit)

    def reload(self, config: Config) -> None:
        """Take new settings; old provider clients are closed in the background."""
        self.config = config
        self._dupes.window = float(config.general.duplicate_window)
        self._link_rate.limit = int(config.general.link_rate_limit)
        self.pool.reload(config)
        self.tracker.forgive()  # a profile whose PBX refused progress may now be allowed
        if self.tracker.listeners or outcome_feeds(self.profiles()):
            self.pool._spawn(self.tracker.restart(self.profiles()))

    def reload_secrets(self) -> None:
        """The keyring changed: every profile's provider is made again, reading it anew.

        Providers hold their secrets from when they were made; a call in flight keeps its
        provider until it is answered (see ``ProviderPool.reload``).
        """
        self.pool.reload(self.config)

    def provider(self, name: str) -> Provider:
        """The long-lived provider instance of a profile (created on first use)."""
        return self.pool.get(name)

    async def warm_up(self) -> None:
        """Load number metadata and build every profile's provider, off the event loop."""
        await asyncio.to_thread(planner.prime, self.region)
        await self.pool.warm_up()

    async def test_profile(self, name: str) -> str:
        return await (await self.pool.ready(name)).check()

    # -- planning --------------------------------------------------------------------------
    def parse(self, raw: str) -> DialTarget:
        return planner.parse(self.config, raw)

    def plan(self, raw: str, source: Source, provider: str | None = None) -> DialPlan:
        """Parse, route, format and judge ``raw`` without sending anything."""
        plan = planner.plan(self.config, raw, source, provider)
        if plan.target is not None and plan.error is None:
            plan.duplicate_of = self._dupes.duplicate_of(plan.target.e164)
        if plan.target is not None and self.names is not None:
            named = self.names(plan.target.e164)
            if named is not None:
                plan.contact, plan.contact_label = named.name, named.label
        return plan

    def in_flight(self) -> set[str]:
        return set(self._dupes.in_flight)

    def dry_run(self, raw: str, provider: str | None = None, source: Source = Source.CLI) -> str:
        plan = self.plan(raw, source, provider)
        if plan.error or plan.profile is None or plan.target is None:
            raise DialerError(plan.error or "Nothing to dial.")
        prov = self.provider(plan.profile.name)
        request = CallRequest(plan.target, plan.dial_string, "dry-run")
        # Keyring secrets are masked by describe(); secrets pasted into the config are not
        # known to the provider as such, but were remembered when it was made.
        return redaction.scrub("\n\n".join(w.render() for w in prov.describe(request)))

    # -- dialing ---------------------------------------------------------------------------
    def _attempt(self, plan: DialPlan, state: CallState, **extra: Any) -> CallAttempt:
        target = plan.target
        display = target.display if target else plan.raw.strip()[:64]
        if plan.contact and target:
            display = f"{plan.contact} ({target.display})"
        return CallAttempt(
            source=plan.source,
            raw_input=plan.raw[:512],
            number=target.e164 if target else "",
            display=display,
            contact=plan.contact,
            provider=plan.profile.name if plan.profile else "",
            dialed=plan.dial_string,
            state=state,
            page=plan.page,
            **extra,
        )

    def _refuse(self, plan: DialPlan, state: CallState, reason: Reason, text: str) -> CallAttempt:
        attempt = self.recorder.add(self._attempt(plan, state, error=text, reason=reason))
        level = _LEVEL.get(state, "error")
        if reason is Reason.CANCELLED:
            level = "info"
        self.events.emit(Notice(level, TITLES[reason], text, attempt.id))
        return attempt

    async def dial(
        self,
        raw: str,
        source: Source,
        *,
        provider: str | None = None,
        confirm: ConfirmFn | None = None,
        page: str | None = None,
        on_sent: Callable[[], None] | None = None,
        contact: tuple[str, str] | None = None,
    ) -> CallAttempt:
        """Place one call from ``raw`` (a number, a link, or text with one number).

        Args:
            page: the web page that asked (the browser companion), kept with the attempt.
            on_sent: called when a request of this call is on the wire (for most APIs the
                one request that places it; Fonality logs in first, so twice there), if it
                gets that far. The app waits on it to place a cold link's call before it
                builds its window.
            contact: (name, label) of the contact the number was picked from, which names
                the call even when the number is shared with another contact.
        """
        token = http.REQUEST_SENT.set(on_sent) if on_sent is not None else None
        try:
            await self._take_turn()
            plan = self.plan(raw, source, provider)
            plan.page = page
            if contact is not None:
                plan.contact, plan.contact_label = contact
            return await self.dial_plan(plan, confirm=confirm)
        finally:
            if token is not None:
                http.REQUEST_SENT.reset(token)

    async def _take_turn(self) -> None:
        """Wait for an event-loop turn of our own, in arrival order.

        Parsing, the guards and the history write take a few milliseconds per request; a
        burst of fifty links would otherwise do all of that in one turn and freeze the window.
        """
        async with self._turns:
            await asyncio.sleep(0)

    def refuse(self, plan: DialPlan, reason: Reason, text: str) -> CallAttempt:
        """Record ``plan`` as blocked for ``reason`` now, without asking or sending (the
        browser door, when :meth:`web_door_refusal` said the app is busy)."""
        return self._refuse(plan, CallState.BLOCKED, reason, text)

    def web_door_refusal(self, plan: DialPlan, *, asking: bool = True) -> tuple[Reason, str] | None:
        """Why a request from a door a web page can fire (a link, the browser companion) would
        be refused right now: over the rate limit, or it would ask while another such request
        is waiting for an answer. None for other doors, and when nothing stands in the way.

        The dialer checks it before it asks or sends; the browser door reads it to tell the
        extension at once that the app is busy.
        """
        if not trust_of(plan.source).web or plan.target is None:
            return None
        if not self._link_rate.allowed():
            return Reason.RATE_LIMITED, (
                f"Too many calls from links and web pages in the last minute (limit "
                f"{self._link_rate.limit}); {plan.target.display} was not dialed."
            )
        if asking and plan.needs_confirm and self._link_prompt_open:
            return Reason.PROMPT_BUSY, (
                f"{plan.target.display} was not dialed: another call from a link or a web "
                "page is waiting for your answer. Answer that one first."
            )
        return None

    async def dial_plan(self, plan: DialPlan, *, confirm: ConfirmFn | None = None) -> CallAttempt:
        if plan.error or plan.target is None or plan.profile is None:
            reason = plan.reason or Reason.NOT_DIALABLE
            return self._refuse(plan, CallState.FAILED, reason, plan.error or "Nothing to dial.")
        if plan.blocked:
            return self._refuse(plan, CallState.BLOCKED, Reason.BLOCKED_NUMBER, plan.blocked)
        if plan.duplicate_of is None:
            plan.duplicate_of = self._dialed_elsewhere(plan.target.e164)
        if plan.duplicate_of is not None:
            return self._merged(plan)
        web = trust_of(plan.source).web
        refusal = self.web_door_refusal(plan, asking=confirm is not None)
        if refusal is not None:
            return self._refuse(plan, CallState.BLOCKED, *refusal)
        if web:
            self._link_rate.record()
        if plan.needs_confirm:
            if confirm is None:
                text = f"{plan.confirm_reason} It needs your confirmation, so it was not dialed."
                return self._refuse(
                    plan, CallState.BLOCKED, Reason.NEEDS_CONFIRMATION, text.strip()
                )
            # Only a web door's prompt holds the others back; a typed number may still ask.
            self._link_prompt_open = self._link_prompt_open or web
            try:
                ok = await confirm(plan)
            finally:
                if web:
                    self._link_prompt_open = False
            if not ok:
                text = f"You cancelled the call to {plan.target.display}."
                return self._refuse(plan, CallState.BLOCKED, Reason.CANCELLED, text)
            # Something may have dialed the same number while the prompt was open.
            plan.duplicate_of = self._dupes.duplicate_of(plan.target.e164)
            if plan.duplicate_of is not None:
                return self._merged(plan)
        return await self._send(plan)

    def _dialed_elsewhere(self, number: str) -> int | None:
        """An attempt another process (``dialer-gui call``, a second app) made just now."""
        window = self._dupes.window
        if window <= 0:
            return None
        since = utcnow() - timedelta(seconds=window)
        try:
            recent = self.history.latest_for_number(number, since)
        except (HistoryError, AttributeError):  # no history, or a store without the query
            return None
        live = (CallState.REQUESTED, CallState.ACCEPTED, CallState.UNKNOWN, CallState.COMPLETED)
        if recent is None or recent.state not in live:
            return None
        return recent.id or 0

    def _merged(self, plan: DialPlan) -> CallAttempt:
        assert plan.target is not None
        text = (
            f"{plan.target.display} was dialed moments ago, so this request was merged "
            "with it instead of placing a second call."
        )
        attempt = self._attempt(plan, CallState.MERGED, detail=text, reason=Reason.DUPLICATE)
        if plan.duplicate_of:
            attempt.detail = f"{text} (see attempt #{plan.duplicate_of})"
        self.recorder.add(attempt)
        self.events.emit(Notice("info", TITLES[Reason.DUPLICATE], text, attempt.id))
        return attempt

    async def _send(self, plan: DialPlan) -> CallAttempt:
        assert plan.target is not None and plan.profile is not None
        number = plan.target.e164
        attempt = self._attempt(plan, CallState.REQUESTED)
        # Claim the number before the first await so a second click in between merges.
        self._dupes.start(number, None)
        prov: Provider | None = None
        request = CallRequest(plan.target, plan.dial_string, _reference())
        name = plan.profile.name
        try:
            try:
                prov = await self.pool.ready(name)  # built in a worker thread if new
                # Known before sending (Teleforge): a call whose answer is lost can still be
                # matched to its outcome later.
                attempt.call_id = prov.expected_call_id(request)
            except (DialerError, KeyError) as exc:
                attempt.state = CallState.FAILED
                attempt.error = f"The provider “{name}” cannot be used: {exc}"
                attempt.error_category = str(ErrorCategory.CONFIG)
                attempt.reason = Reason.PROVIDER_UNUSABLE
                self.recorder.add(attempt)
                self._notify_end(attempt)
                return attempt
            self.recorder.add(attempt)
            self._dupes.in_flight[number] = attempt.id
            self.pool.claim(prov)
            return await self._place(attempt, prov, request, plan)
        finally:
            self._dupes.finish(number, failed=attempt.state is CallState.FAILED)
            if prov is not None:
                self.pool.release(prov)

    async def _place(
        self, attempt: CallAttempt, prov: Provider, request: CallRequest, plan: DialPlan
    ) -> CallAttempt:
        """Send through ``prov``, retrying once what surely never left; record how it ended."""
        retried: str | None = None
        while True:
            try:
                result = await prov.place_call(request)
            except ProviderError as exc:
                if (
                    retried is None
                    and not exc.maybe_placed
                    and (exc.category is ErrorCategory.UNREACHABLE)
                ):
                    retried = exc.message
                    await asyncio.sleep(RETRY_DELAY)
                    continue
                state = CallState.UNKNOWN if exc.maybe_placed else CallState.FAILED
                self.recorder.update(
                    attempt,
                    state=state,
                    error=exc.message,
                    error_category=str(exc.category),
                    raw=exc.raw,
                    detail=f"Retried once after: {retried}" if retried else None,
                    reason=Reason.MAYBE_PLACED if exc.maybe_placed else Reason.REFUSED,
                )
                if state is CallState.UNKNOWN:
                    # An ID known before sending lets the PBX tell us whether it rang.
                    self.tracker.follow(attempt)
                return self._notify_end(attempt)
            except DialerError as exc:
                self.recorder.update(
                    attempt,
                    state=CallState.FAILED,
                    error=str(exc),
                    error_category=str(ErrorCategory.CONFIG),
                    reason=Reason.PROVIDER_UNUSABLE,
                )
                return self._notify_end(attempt)
            except Exception:
                log.exception("provider %s crashed placing a call", attempt.provider)
                self.recorder.update(
                    attempt,
                    state=CallState.UNKNOWN,
                    error=(
                        "An internal error happened while sending the call; it may or may "
                        f"not ring. Details are in the log{logs.where()}."
                    ),
                    error_category=str(ErrorCategory.UNEXPECTED),
                    reason=Reason.INTERNAL_ERROR,
                )
                return self._notify_end(attempt)
            break
        detail = f"Retried once after: {retried}" if retried else None
        # Said again once the call rings: the prompt that said it may never have been shown.
        unsent = (
            planner.unsent_extension_text(plan.unsent_extension) if plan.unsent_extension else ""
        )
        detail = " ".join(t for t in (detail or result.message, unsent) if t) or None
        self.recorder.update(
            attempt,
            state=CallState.ACCEPTED,
            call_id=result.call_id or attempt.call_id,
            raw=result.raw,
            detail=detail,
            reason=Reason.ACCEPTED,
        )
        assert plan.target is not None
        id_text = f" Call ID {result.call_id}." if result.call_id else ""
        # The display: "Jane Doe (+44 7911 123456)" when the number is a contact's.
        text = f"{attempt.display} via {attempt.provider}: your phone rings first.{id_text}"
        if unsent:
            text += f" {unsent[0].upper()}{unsent[1:]}"
        self.events.emit(Notice("info", TITLES[Reason.ACCEPTED], text, attempt.id))
        self.tracker.follow(attempt)
        return attempt

    def _notify_end(self, attempt: CallAttempt) -> CallAttempt:
        reason = attempt.reason or Reason.REFUSED
        self.events.emit(Notice("error", TITLES[reason], attempt.error or "", attempt.id))
        return attempt

    # -- after "accepted" -----------------------------------------------------------------
    def record_outcome(
        self, provider: str | None, call_id: str, outcome: str, detail: str = ""
    ) -> CallAttempt | None:
        """Attach a later outcome to a known call; unknown calls are ignored (logged)."""
        return self.tracker.record_outcome(provider, call_id, outcome, detail)

    async def start_listeners(self, *, resume: bool = True) -> None:
        """Listen for late outcomes of every profile whose provider reports them, and (the
        app, not a one-off command) follow again the calls an earlier run left in progress."""
        await self.tracker.start(self.profiles())
        if resume:
            await self.tracker.resume()

    def capabilities(self, profile: str) -> Capabilities:
        """What the PBX of ``profile`` can tell and do after "accepted" (for the call card)."""
        return self.tracker.capabilities(profile)

    async def end_call(self, attempt: CallAttempt) -> str:
        """Hang up or cancel a live call; see :meth:`CallTracker.end_call`."""
        return await self.tracker.end_call(attempt)

    async def aclose(self) -> None:
        await self.tracker.stop()
        await self.pool.aclose()
        await self.recorder.flush()  # writes still waiting for a locked history


def _reference() -> str:
    # 24 random hex digits, as uuid4().hex[:24] gave, without importing uuid (and platform).
    return f"dg-{os.urandom(12).hex()}"
