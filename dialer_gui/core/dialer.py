"""The dial flow: raw input -> plan -> guards -> history -> provider -> history -> events.

Every door (link, clipboard, dial pad, command line, IPC) calls :meth:`Dialer.dial`. The attempt
is written to the history *before* the request leaves, so a crash mid-call leaves an "unknown"
row rather than nothing. A request that may have reached the PBX is never sent again by us; one
that surely did not (connection refused) is retried once, and the history says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol

from dialer_gui.core import formatting, links, numbers
from dialer_gui.core.events import CallChanged, EventBus, Notice
from dialer_gui.core.policy import DuplicateGuard, PolicySettings, RateLimiter, decide
from dialer_gui.core.routing import choose_profile
from dialer_gui.errors import DialerError, HistoryError
from dialer_gui.providers import create_provider, provider_class
from dialer_gui.providers.base import CallRequest, Provider
from dialer_gui.providers.errors import ErrorCategory, ProviderError
from dialer_gui.vocabulary.calls import CallAttempt, CallState, Source, can_move, utcnow
from dialer_gui.vocabulary.profiles import ProviderProfile
from dialer_gui.vocabulary.target import DialTarget

if TYPE_CHECKING:
    import httpx

    from dialer_gui.core.config import Config
    from dialer_gui.core.history import HistoryStore

log = logging.getLogger("dialer_gui.dialer")

RETRY_DELAY = 0.3  # before the one retry of a request that surely never left


class SecretSource(Protocol):
    def secrets_for(self, profile: str, field_names: Iterable[str]) -> dict[str, str]: ...


TransportFactory = Callable[[ProviderProfile], "httpx.AsyncBaseTransport | None"]


@dataclass(slots=True)
class DialPlan:
    """Everything known about a request before anything is sent; drives previews and prompts."""

    raw: str
    source: Source
    target: DialTarget | None = None
    profile: ProviderProfile | None = None
    dial_string: str = ""
    steps: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None
    blocked: str | None = None
    needs_confirm: bool = False
    confirm_reason: str = ""
    warnings: list[str] = field(default_factory=list)
    duplicate_of: int | None = None
    number_type: str = "unknown"

    @property
    def ok(self) -> bool:
        return self.error is None and self.blocked is None


ConfirmFn = Callable[[DialPlan], Awaitable[bool]]


def _policy(config: Config) -> PolicySettings:
    g = config.general
    return PolicySettings(
        confirm_links=g.confirm_links,
        confirm_clipboard=g.confirm_clipboard,
        confirm_dialpad=g.confirm_dialpad,
        always_confirm_types=tuple(g.always_confirm_types),
        blocked_types=tuple(g.blocked_types),
        blocked_prefixes=tuple(g.blocked_prefixes),
        duplicate_window=float(g.duplicate_window),
        link_rate_limit=int(g.link_rate_limit),
    )


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
    ) -> None:
        self.config = config
        self.secrets = secrets
        self.history = history
        self.events = events or EventBus()
        self._transport_factory = transport_factory
        self._clock = clock
        self._providers: dict[str, Provider] = {}
        self._policy = _policy(config)
        self._dupes = DuplicateGuard(self._policy.duplicate_window, clock)
        self._link_rate = RateLimiter(self._policy.link_rate_limit, 60.0, clock)
        self._link_prompt_open = False
        self._history_broken = False
        self._listeners: list[Any] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._turns = asyncio.Lock()
        self._busy: dict[int, int] = {}  # id(provider) -> requests in flight
        self._retired: list[Provider] = []  # replaced by reload(), closed once idle

    # -- configuration ---------------------------------------------------------------------
    def profiles(self) -> list[ProviderProfile]:
        return list(self.config.providers.values())

    def default_profile_name(self) -> str | None:
        default = self.config.general.default_provider
        if default in self.config.providers:
            return default
        return next(iter(self.config.providers), None)

    def reload(self, config: Config) -> None:
        """Take new settings; old provider clients are closed in the background."""
        old = list(self._providers.values())
        self._providers.clear()
        self.config = config
        self._policy = _policy(config)
        self._dupes.window = self._policy.duplicate_window
        self._link_rate.limit = self._policy.link_rate_limit
        for provider in old:
            if self._busy.get(id(provider)):
                # Closing its client now would break a request the PBX may already have:
                # the call would show as "unknown" and invite a second try. Close it later.
                self._retired.append(provider)
            else:
                self._spawn(provider.aclose())
        if self._listeners or any(p.get("redis_url") for p in self.profiles()):
            self._spawn(self.restart_listeners())

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        try:
            task: asyncio.Task[Any] = asyncio.get_running_loop().create_task(coro)
        except RuntimeError:  # no loop (a synchronous caller): nothing to close in the loop
            coro.close()
            return
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def provider(self, name: str) -> Provider:
        """The long-lived provider instance of a profile (created on first use)."""
        if name not in self._providers:
            self._providers[name] = self._create(name)
        return self._providers[name]

    def _create(self, name: str) -> Provider:
        profile = self.config.providers[name]
        cls = provider_class(profile.type)
        secret_names = [f.name for f in cls.all_fields() if f.secret]
        secrets = self.secrets.secrets_for(name, secret_names)
        transport = self._transport_factory(profile) if self._transport_factory else None
        return create_provider(profile, secrets, transport=transport)

    # -- planning --------------------------------------------------------------------------
    def parse(self, raw: str) -> DialTarget:
        g = self.config.general
        lengths = (int(g.extension_lengths[0]), int(g.extension_lengths[1]))
        text = raw.strip()
        if links.looks_like_link(text):
            return links.target_from_link(text, region=g.region, extension_lengths=lengths)
        return numbers.parse_target(text, region=g.region, extension_lengths=lengths)

    def plan(self, raw: str, source: Source, provider: str | None = None) -> DialPlan:
        """Parse, route, format and judge ``raw`` without sending anything."""
        plan = DialPlan(raw=raw, source=source)
        try:
            target = self.parse(raw)
        except DialerError as exc:
            plan.error = str(exc)
            return plan
        plan.target = target
        if provider is not None and provider not in self.config.providers:
            plan.error = f"There is no provider called “{provider}”."
            return plan
        name = provider or choose_profile(
            target, self.config.routes, self.config.providers, self.default_profile_name()
        )
        if name is None:
            plan.error = "No provider is set up yet. Add one in Settings."
            return plan
        profile = self.config.providers[name]
        plan.profile = profile
        try:
            # Each provider type declares the format its API documents.
            fmt = profile.get("number_format") or provider_class(profile.type).default_number_format
            prefix = str(profile.get("outside_line_prefix", "") or "")
            rules = [tuple(r) for r in (profile.get("rewrite") or [])]
            region = self.config.general.region
            plan.steps = formatting.explain_format(
                target, fmt, outside_prefix=prefix, rules=rules, region=region
            )
            plan.dial_string = plan.steps[-1][1]
        except (ValueError, KeyError) as exc:
            plan.error = f"The number format of “{name}” is wrong: {exc}"
            return plan
        if not profile.get("verify_tls", True):
            plan.warnings.append(
                f"TLS certificate checks are OFF for “{name}”: "
                "someone on the network could read or change this call request."
            )
        plan.number_type = numbers.number_type(target)
        valid = target.is_extension or plan.number_type != "unknown"
        decision = decide(target, plan.number_type, valid, source, self._policy)
        plan.blocked = decision.blocked
        plan.needs_confirm = decision.needs_confirm
        plan.confirm_reason = decision.reason
        if target.is_extension and _is_emergency(target.digits, self.config.general.region):
            # Short emergency numbers look like extensions; never dial one from a click alone.
            plan.needs_confirm = True
            plan.confirm_reason = f"{target.digits} is an emergency number."
        plan.duplicate_of = self._dupes.duplicate_of(target.e164)
        return plan

    def in_flight(self) -> set[str]:
        return set(self._dupes.in_flight)

    def dry_run(self, raw: str, provider: str | None = None, source: Source = Source.CLI) -> str:
        plan = self.plan(raw, source, provider)
        if plan.error or plan.profile is None or plan.target is None:
            raise DialerError(plan.error or "Nothing to dial.")
        prov = self.provider(plan.profile.name)
        request = CallRequest(plan.target, plan.dial_string, "dry-run")
        parts = [w.render() for w in prov.describe(request)]
        return "\n\n".join(parts)

    async def warm_up(self) -> None:
        """Build every profile's provider and HTTP client off the event loop.

        Creating an httpx client loads the CA bundle (tens of milliseconds) and reading the
        keyring can block on D-Bus; done here at start-up, the first tel: click finds a warm
        client and the window never stutters.
        """
        config = self.config
        await asyncio.to_thread(self._prime, config.general.region)
        for name in list(config.providers):
            if name in self._providers:
                continue
            try:
                provider = await asyncio.to_thread(self._build_provider, name)
            except (DialerError, KeyError) as exc:  # reported when someone dials with it
                log.info("provider %s not warmed up: %s", name, exc)
                continue
            if self.config is not config or name in self._providers:
                await provider.aclose()  # settings changed meanwhile, or a call got there first
                continue
            self._providers[name] = provider

    @staticmethod
    def _prime(region: str) -> None:
        """Load what the first call would otherwise load on the event loop.

        phonenumbers reads a country's metadata on first use, and httpx imports its async
        network backend on its first request; together tens of milliseconds.
        """
        import anyio._backends._asyncio  # noqa: F401  (httpcore's backend, imported lazily)
        import httpcore  # noqa: F401

        example = phonenumbers_example(region)
        with contextlib.suppress(DialerError):
            target = numbers.parse_target(example, region=region)
            numbers.number_type(target)
            formatting.format_dial_string(target, "local", region=region)

    def _build_provider(self, name: str) -> Provider:
        provider = self._create(name)
        _ = provider.client  # the expensive part: TLS context and connection pool
        return provider

    async def test_profile(self, name: str) -> str:
        return await self.provider(name).check()

    # -- history, tolerant of a broken disk --------------------------------------------------
    def _record(self, attempt: CallAttempt) -> CallAttempt:
        try:
            self.history.add(attempt)
        except HistoryError as exc:
            self._history_failed(exc)
        self.events.emit(CallChanged(attempt))
        return attempt

    def _update(self, attempt: CallAttempt, **changes: Any) -> CallAttempt:
        new_state = changes.get("state")
        if new_state is not None and not can_move(attempt.state, new_state):
            # A bug, not the user's problem: keep the recorded state and say so in the log.
            log.error(
                "refused to move attempt %s from %s to %s", attempt.id, attempt.state, new_state
            )
            return attempt
        for key, value in changes.items():
            setattr(attempt, key, value)
        if attempt.id is not None:
            try:
                self.history.update(attempt.id, **changes)
            except HistoryError as exc:
                self._history_failed(exc)
            except (KeyError, ValueError):  # the row vanished or the store disagrees
                log.exception("history update of attempt %s failed", attempt.id)
        self.events.emit(CallChanged(attempt))
        return attempt

    def _history_failed(self, exc: HistoryError) -> None:
        log.error("history write failed: %s", exc)
        if not self._history_broken:
            self._history_broken = True
            self.events.emit(Notice("error", "Call history not saved", str(exc)))

    # -- dialing ---------------------------------------------------------------------------
    def _attempt(self, plan: DialPlan, state: CallState, **extra: Any) -> CallAttempt:
        target = plan.target
        return CallAttempt(
            source=plan.source,
            raw_input=plan.raw[:512],
            number=target.e164 if target else "",
            display=target.display if target else plan.raw.strip()[:64],
            provider=plan.profile.name if plan.profile else "",
            dialed=plan.dial_string,
            state=state,
            **extra,
        )

    def _refuse(self, plan: DialPlan, state: CallState, text: str, level: str) -> CallAttempt:
        attempt = self._record(self._attempt(plan, state, error=text))
        self.events.emit(Notice(level, _title(state), text, attempt.id))
        return attempt

    async def dial(
        self,
        raw: str,
        source: Source,
        *,
        provider: str | None = None,
        confirm: ConfirmFn | None = None,
    ) -> CallAttempt:
        """Place one call from ``raw`` (a number, a link, or text with one number)."""
        await self._take_turn()
        plan = self.plan(raw, source, provider)
        return await self.dial_plan(plan, confirm=confirm)

    async def _take_turn(self) -> None:
        """Wait for an event-loop turn of our own, in arrival order.

        Parsing, the guards and the history write take a few milliseconds per request; a
        burst of fifty links would otherwise do all of that in one turn and freeze the window.
        """
        async with self._turns:
            await asyncio.sleep(0)

    async def dial_plan(self, plan: DialPlan, *, confirm: ConfirmFn | None = None) -> CallAttempt:
        if plan.error or plan.target is None or plan.profile is None:
            return self._refuse(plan, CallState.FAILED, plan.error or "Nothing to dial.", "error")
        if plan.blocked:
            return self._refuse(plan, CallState.BLOCKED, plan.blocked, "warning")
        if plan.duplicate_of is None:
            plan.duplicate_of = self._dialed_elsewhere(plan.target.e164)
        if plan.duplicate_of is not None:
            return self._merged(plan)
        if plan.source is Source.LINK:
            if not self._link_rate.allowed():
                text = (
                    f"Too many calls from links in the last minute (limit "
                    f"{self._link_rate.limit}); {plan.target.display} was not dialed."
                )
                return self._refuse(plan, CallState.BLOCKED, text, "warning")
            self._link_rate.record()
        if plan.needs_confirm:
            if confirm is None:
                text = f"{plan.confirm_reason} It needs your confirmation, so it was not dialed."
                return self._refuse(plan, CallState.BLOCKED, text.strip(), "warning")
            if plan.source is Source.LINK and self._link_prompt_open:
                text = (
                    f"A link asked to call {plan.target.display} while another link was "
                    "waiting for your answer; it was ignored."
                )
                return self._refuse(plan, CallState.BLOCKED, text, "warning")
            self._link_prompt_open = plan.source is Source.LINK
            try:
                ok = await confirm(plan)
            finally:
                if plan.source is Source.LINK:
                    self._link_prompt_open = False
            if not ok:
                return self._refuse(
                    plan,
                    CallState.BLOCKED,
                    f"You cancelled the call to {plan.target.display}.",
                    "info",
                )
            # Something may have dialed the same number while the prompt was open.
            plan.duplicate_of = self._dupes.duplicate_of(plan.target.e164)
            if plan.duplicate_of is not None:
                return self._merged(plan)
        return await self._send(plan)

    def _dialed_elsewhere(self, number: str) -> int | None:
        """An attempt another process (``dialer-gui call``, a second app) made just now."""
        window = self._policy.duplicate_window
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
        attempt = self._attempt(plan, CallState.MERGED, detail=text)
        if plan.duplicate_of:
            attempt.detail = f"{text} (see attempt #{plan.duplicate_of})"
        self._record(attempt)
        self.events.emit(Notice("info", "Already dialing", text, attempt.id))
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
                prov = self.provider(name)
                # Known before sending (Teleforge): a call whose answer is lost can still be
                # matched to its outcome later.
                attempt.call_id = prov.expected_call_id(request)
            except (DialerError, KeyError) as exc:
                attempt.state = CallState.FAILED
                attempt.error = f"The provider “{name}” cannot be used: {exc}"
                attempt.error_category = str(ErrorCategory.CONFIG)
                self._record(attempt)
                self.events.emit(Notice("error", "Call not placed", attempt.error, attempt.id))
                return attempt
            self._record(attempt)
            self._dupes.in_flight[number] = attempt.id
            self._busy[id(prov)] = self._busy.get(id(prov), 0) + 1
            retried: str | None = None
            while True:
                try:
                    result = await prov.place_call(request)
                except ProviderError as exc:
                    if (
                        retried is None
                        and not exc.maybe_placed
                        and exc.category is ErrorCategory.UNREACHABLE
                    ):
                        retried = exc.message
                        await asyncio.sleep(RETRY_DELAY)
                        continue
                    state = CallState.UNKNOWN if exc.maybe_placed else CallState.FAILED
                    detail = f"Retried once after: {retried}" if retried else None
                    self._update(
                        attempt,
                        state=state,
                        error=exc.message,
                        error_category=str(exc.category),
                        raw=exc.raw,
                        detail=detail,
                    )
                    self.events.emit(Notice("error", _title(state), exc.message, attempt.id))
                    return attempt
                except DialerError as exc:
                    self._update(
                        attempt,
                        state=CallState.FAILED,
                        error=str(exc),
                        error_category=str(ErrorCategory.CONFIG),
                    )
                    self.events.emit(Notice("error", "Call not placed", str(exc), attempt.id))
                    return attempt
                except Exception:
                    log.exception("provider %s crashed placing a call", name)
                    text = (
                        "An internal error happened while sending the call; it may or may "
                        "not ring. Details are in the log."
                    )
                    self._update(
                        attempt,
                        state=CallState.UNKNOWN,
                        error=text,
                        error_category=str(ErrorCategory.UNEXPECTED),
                    )
                    self.events.emit(Notice("error", "Call status unknown", text, attempt.id))
                    return attempt
                break
            detail = f"Retried once after: {retried}" if retried else None
            self._update(
                attempt,
                state=CallState.ACCEPTED,
                call_id=result.call_id or attempt.call_id,
                raw=result.raw,
                detail=detail or (result.message or None),
            )
            id_text = f" Call ID {result.call_id}." if result.call_id else ""
            self.events.emit(
                Notice(
                    "info",
                    "Calling",
                    f"{plan.target.display} via {name}: your phone rings first.{id_text}",
                    attempt.id,
                )
            )
            return attempt
        finally:
            self._dupes.finish(number, failed=attempt.state is CallState.FAILED)
            if prov is not None and id(prov) in self._busy:
                self._release(prov)

    def _release(self, provider: Provider) -> None:
        left = self._busy.get(id(provider), 1) - 1
        if left > 0:
            self._busy[id(provider)] = left
            return
        self._busy.pop(id(provider), None)
        if provider in self._retired:
            self._retired.remove(provider)
            self._spawn(provider.aclose())

    # -- outcomes arriving later (Teleforge CDRs) --------------------------------------------
    def record_outcome(
        self, provider: str | None, call_id: str, outcome: str, detail: str = ""
    ) -> CallAttempt | None:
        """Attach a later outcome to a known call; unknown calls are ignored (logged)."""
        try:
            attempt = self.history.find_by_call_id(provider, call_id)
        except HistoryError as exc:
            self._history_failed(exc)
            return None
        if attempt is None or attempt.id is None:
            log.info("outcome for a call we do not know (%s); ignored", call_id[:40])
            return None
        if attempt.state not in (CallState.ACCEPTED, CallState.UNKNOWN):
            return attempt
        self._update(attempt, state=CallState.COMPLETED, outcome=outcome, detail=detail or None)
        self.events.emit(
            Notice("info", "Call finished", f"{attempt.display}: {outcome}", attempt.id)
        )
        return attempt

    async def start_listeners(self) -> None:
        """Listen for Teleforge call outcomes: one listener per distinct Redis URL.

        BRPOP takes each record off the list, so two listeners on one list would steal each
        other's records; one listener hands every record to whichever call it belongs to
        (our references are unique across profiles).
        """
        urls = {
            str(p.get("redis_url"))
            for p in self.profiles()
            if p.type == "teleforge" and p.get("redis_url")
        }
        if not urls:
            return
        # Imported only when needed: redis costs ~100 ms of start-up for everyone else.
        from dialer_gui.providers.teleforge_cdr import CdrListener

        def on_cdr(record: Any) -> None:
            self.record_outcome(None, record.reference, record.outcome, _cdr_detail(record))

        def on_status(problem: str) -> None:
            # Shown once when results stop arriving and once when they are back: a call placed
            # meanwhile keeps "accepted" until its record is read.
            if problem:
                self.events.emit(Notice("warning", "Call results are not arriving", problem))
            else:
                self.events.emit(Notice("info", "Call results are arriving again", ""))

        for url in sorted(urls):
            listener = CdrListener(url, on_cdr, on_status=on_status)
            listener.start()
            self._listeners.append(listener)

    async def restart_listeners(self) -> None:
        """After a settings change: stop the outcome listeners and start those now needed."""
        listeners, self._listeners = self._listeners, []
        for listener in listeners:
            await listener.stop()
        await self.start_listeners()

    async def aclose(self) -> None:
        for listener in self._listeners:
            await listener.stop()
        self._listeners.clear()
        for provider in [*self._providers.values(), *self._retired]:
            await provider.aclose()
        self._providers.clear()
        self._retired.clear()
        for task in list(self._tasks):
            await asyncio.gather(task, return_exceptions=True)


def phonenumbers_example(region: str) -> str:
    """An example number of ``region`` (to load its metadata), or a US one."""
    import phonenumbers

    example = phonenumbers.example_number(region) or phonenumbers.example_number("US")
    if example is None:  # pragma: no cover - the US always has one
        return "+12015550123"
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)


def _is_emergency(digits: str, region: str) -> bool:
    from phonenumbers import shortnumberinfo

    try:
        return bool(shortnumberinfo.is_emergency_number(digits, region))
    except Exception:  # phonenumbers metadata gaps must not block dialing an extension
        return False


def _reference() -> str:
    return f"dg-{uuid.uuid4().hex[:24]}"


def _cdr_detail(record: Any) -> str:
    parts = []
    if getattr(record, "call_time", None) is not None:
        parts.append(f"call time {record.call_time} s")
    if getattr(record, "recording_url", None):
        parts.append(f"recording {record.recording_url}")
    return ", ".join(parts)


def _title(state: CallState) -> str:
    return {
        CallState.FAILED: "Call not placed",
        CallState.UNKNOWN: "Call status unknown",
        CallState.BLOCKED: "Call not placed",
        CallState.MERGED: "Already dialing",
    }.get(state, "Call")
