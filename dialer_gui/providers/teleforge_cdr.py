"""Teleforge end-of-call records from Redis: the outcome of each Click2Dial call.

Click2Dial pushes one JSON record per finished call on the Redis list
``enigma:notifications:cdr`` ("push left, pop right"); records stay there until popped. The
:class:`CdrListener` takes them in a loop on the running asyncio loop, turns each into a
:class:`CdrRecord` and hands it to a callback. It never raises into the loop: unreadable
records are logged and dropped, a lost connection is retried with exponential backoff, and
:meth:`CdrListener.stop` cancels it cleanly.

No record is lost to a quit, a crash or a dropped connection: each is moved atomically
(``BRPOPLPUSH``) to this desk's own list beside the PBX's, ``…:dialer-gui:HOST:USER``, and
removed from there only once handled. Whatever is left there is handled first on the next
connection, so a record may arrive twice but never not at all; the dialer's call states only
move forward, so a repeat changes nothing. ``BRPOPLPUSH`` rather than ``BLMOVE``, which needs
Redis 6.2, because the PBX's Redis version is not ours to choose.

A record must never stop the listener, or it would stay in this desk's list and be replayed
first at every start, stopping it again. So:

- A record that cannot be read (not JSON, nested too deep, too large, numbers out of range,
  not a CDR) is logged, counted (:attr:`CdrListener.unreadable`) and moved at once to the
  dead-letter list ``…:dialer-gui:HOST:USER:dead``: the same bytes will never read better.
- A record whose handling fails (the callback raised) stays in this desk's list and is tried
  again when the listener reconnects, with backoff; each try is counted in Redis before it
  starts (``…:tries``), so a record that crashes the whole process is also counted, and after
  :data:`MAX_TRIES` it is moved to the dead-letter list.
- Anything else that goes wrong in the listener is logged, reported through ``on_status`` (the
  app shows it) and the listener starts again with backoff; only :meth:`CdrListener.stop`
  ends it.

The record's ``reference`` (our ``contact_ref``, or ``call_ref`` on old servers) is the call ID
:class:`~dialer_gui.providers.teleforge.TeleforgeProvider` returned. Records for references we
do not know are still passed on unless an ``is_known`` filter drops them; the caller decides.

Each record's disposition maps to how the call ended (:attr:`CdrRecord.state`) where
Teleforge's table says it: an answered call (hung up by either side, or a voicemail) ended,
``busy`` is busy and ``timeout`` (``NOANSWER`` before v2.3.0) no answer, both on the callee's
leg, which the table names; anything else keeps its words. ``call_time`` includes ringing and
hold, so it is no talk time: a record's ``duration`` is its ``billsec`` when a server sends one
(none is documented), else unknown.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import hashlib
import inspect
import json
import logging
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from dialer_gui.vocabulary.calls import CallState, Leg

log = logging.getLogger("dialer_gui.providers.teleforge_cdr")

CDR_KEY = "enigma:notifications:cdr"
POLL_SECONDS = 1.0  # BRPOP timeout: how long one blocking pop waits before looping
MAX_RECORD = 64 * 1024
"""Bytes in one record at most; a real CDR is under 2 KiB."""
MAX_TRIES = 3
"""Times a record's handling may fail (or crash the app) before it is set aside."""

# Teleforge dispositions (v2.3.0 and later), in plain words.
OUTCOMES: dict[str, str] = {
    "hungup": "Answered, then hung up",
    "callee_hungup": "Answered; the callee hung up",
    "agent_hungup": "Answered; you hung up",
    "voicemail": "Voicemail",
    "busy": "Busy",
    "reject": "Rejected",
    "timeout": "No answer",
    "error": "Error (bad parameter)",
    "failed": "PBX internal error",
    # Raw Asterisk dial statuses used before v2.3.0.
    "answer": "Answered",
    "noanswer": "No answer",
    "cancel": "Cancelled",
    "congestion": "Network busy",
    "chanunavail": "Line unavailable",
    "dontcall": "Refused by the callee",
    "torture": "Refused by the callee",
    "invalidargs": "Error (bad parameter)",
}
ANSWERED = frozenset({"hungup", "callee_hungup", "agent_hungup", "voicemail", "answer"})
# Dispositions that say how the callee's leg ended without being answered.
CALLEE_ENDINGS = {
    "busy": CallState.BUSY,
    "timeout": CallState.NO_ANSWER,
    "noanswer": CallState.NO_ANSWER,
}


class CdrFormatError(ValueError):
    """A notification that is not a Click2Dial CDR."""


def _int(value: Any) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError, OverflowError):  # OverflowError: 1e400 reads as infinity
        return None


def _str(value: Any) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True, slots=True)
class CdrRecord:
    """One finished call as Teleforge reports it."""

    contact_ref: str
    call_ref: str
    end_reason: str
    end_code: int | None = None
    call_time: int | None = None
    hold_time: int | None = None
    recording_url: str = ""
    extension: str = ""
    number: str = ""
    dial_number: str = ""
    dialed_at: int | None = None
    call_dir: str = ""
    version: int = 3  # 3 for the v3.0.0+ shape, 2 for the older one
    billsec: int | None = None  # talk time, when a server sends it (none is documented)
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def reference(self) -> str:
        """Our reference for the call: ``contact_ref``, or ``call_ref`` when it is missing."""
        return self.contact_ref or self.call_ref

    @property
    def answered(self) -> bool:
        return self.end_reason.lower() in ANSWERED

    @property
    def state(self) -> CallState:
        """How the call ended, where the disposition says; ``COMPLETED`` keeps the words."""
        if self.answered:
            return CallState.ENDED
        return CALLEE_ENDINGS.get(self.end_reason.lower(), CallState.COMPLETED)

    @property
    def leg(self) -> Leg | None:
        return None if self.state is CallState.COMPLETED else Leg.CALLEE

    @property
    def duration(self) -> float | None:
        """The talk time in seconds: ``billsec`` of an answered call, if the record has one."""
        if not self.answered or self.billsec is None or not 0 <= self.billsec < 10**7:
            return None
        return float(self.billsec)

    @property
    def outcome(self) -> str:
        """The disposition in plain words (unknown ones are shown as they came)."""
        known = OUTCOMES.get(self.end_reason.lower())
        if known:
            return known
        return f"Ended ({self.end_reason})" if self.end_reason else "Ended"


def parse_cdr(data: bytes | str) -> CdrRecord:
    """Read one notification; raises :class:`CdrFormatError` when it is not a CDR."""
    if len(data) > MAX_RECORD:
        raise CdrFormatError(f"larger than {MAX_RECORD} bytes")
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    try:
        packet = json.loads(text)
    except ValueError as exc:
        raise CdrFormatError("not JSON") from exc
    except RecursionError as exc:
        raise CdrFormatError("nested too deeply") from exc
    if not isinstance(packet, dict) or packet.get("type") != "cdr":
        raise CdrFormatError("not a packet of type cdr")
    payload = packet.get("payload")
    if not isinstance(payload, dict):
        raise CdrFormatError("payload is not an object")
    contact_ref = _str(payload.get("contact_ref"))
    call_ref = _str(payload.get("call_ref"))
    if not contact_ref and not call_ref:
        raise CdrFormatError("neither contact_ref nor call_ref")
    end_reason = payload.get("end_reason")
    if not isinstance(end_reason, str):
        raise CdrFormatError("end_reason missing")
    # Before v3.0.0 there is no "number" and "ref" holds the client's number.
    v3 = "number" in payload
    number = _str(payload.get("number") if v3 else payload.get("ref"))
    return CdrRecord(
        contact_ref=contact_ref,
        call_ref=call_ref,
        end_reason=end_reason,
        end_code=_int(payload.get("end_code")),
        call_time=_int(payload.get("call_time")),
        hold_time=_int(payload.get("hold_time")),
        recording_url=_str(payload.get("recording_url")),
        extension=_str(payload.get("extension")),
        number=number,
        dial_number=_str(payload.get("dial_number")),
        dialed_at=_int(payload.get("dialed_at")),
        call_dir=_str(payload.get("call_dir")),
        version=3 if v3 else 2,
        billsec=_int(payload.get("billsec")),
        raw=packet,
    )


OnCdr = Callable[[CdrRecord], Awaitable[None] | None]
OnStatus = Callable[[str], None]
"""Told ``problem`` in words when listening stops for any reason, and ``""`` once it is back."""


def processing_key_for(key: str) -> str:
    """This desk's list of records taken but not yet handled: one per host and user."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (containers)
        user = "uid"
    return f"{key}:dialer-gui:{socket.gethostname()}:{user}"


class CdrListener:
    """Takes CDRs from Teleforge's Redis and hands each to ``on_cdr``.

    Args:
        redis_url: ``redis://host:6379/0`` (the PBX's Redis for this integrator).
        on_cdr: called with every record; may be a plain function or a coroutine function.
        key: the Redis list to pop.
        backoff: first and longest wait between reconnection attempts, in seconds.
        is_known: optional filter on :attr:`CdrRecord.reference`; records it refuses are dropped.
        poll: blocking pop timeout in seconds (how quickly a dead connection is noticed).
        processing_key: where records wait while being handled; :func:`processing_key_for`.
        on_status: told when listening stops (with the problem in words) and when it is back.
    """

    def __init__(
        self,
        redis_url: str,
        on_cdr: OnCdr,
        *,
        key: str = CDR_KEY,
        backoff: tuple[float, float] = (0.5, 30.0),
        is_known: Callable[[str], bool] | None = None,
        poll: float = POLL_SECONDS,
        processing_key: str | None = None,
        on_status: OnStatus | None = None,
    ) -> None:
        self.redis_url = redis_url
        self.on_cdr = on_cdr
        self.key = key
        self.processing_key = processing_key or processing_key_for(key)
        self.dead_key = f"{self.processing_key}:dead"
        self.tries_key = f"{self.processing_key}:tries"
        self.on_status = on_status
        self.unreadable = 0  # records that could not be read, this run
        self.dead_lettered = 0  # records set aside (unreadable or failing too often), this run
        self.restarts = 0  # times the listener started again after an unexpected error
        self._reported = ""
        self.backoff = backoff
        self.is_known = is_known
        self.poll = poll
        self.connected = False
        self.problem = ""  # the last connection problem, in words, for a status display
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Start listening on the running loop (call from a coroutine or a loop callback)."""
        if self.running:
            return
        self._stopping = False
        self._task = asyncio.get_running_loop().create_task(self._run(), name="teleforge-cdr")

    async def stop(self) -> None:
        """Stop listening and close the connection; safe to call twice."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        # redis-py can swallow a cancellation that lands just as a reply arrives (its own
        # timeouts use cancellation too), so cancel again until the task is really done.
        while not task.done():
            task.cancel()
            await asyncio.wait({task}, timeout=0.2)
        if not task.cancelled() and task.exception() is not None:
            log.error("the Teleforge CDR listener failed", exc_info=task.exception())
        self.connected = False

    def _client(self) -> Redis:
        return Redis.from_url(
            self.redis_url,
            socket_connect_timeout=5.0,
            # Longer than a blocking pop, so a dead link is noticed without cutting a pop.
            socket_timeout=self.poll + 5.0,
            # We retry ourselves, with backoff and logging.
            retry=Retry(NoBackoff(), 0),
        )

    def _status(self, problem: str) -> None:
        """Remember the problem and tell ``on_status`` when it changes."""
        self.problem = problem
        if problem == self._reported or self.on_status is None:
            return
        self._reported = problem
        try:
            self.on_status(problem)
        except Exception:  # a display bug must not stop the listener either
            log.exception("reporting the Teleforge listener's state failed")

    async def _run(self) -> None:
        first, longest = self.backoff
        delay = first
        while not self._stopping:
            try:
                client = self._client()
            except ValueError:
                self._status("The Redis address must look like redis://host:6379/0.")
                log.error("bad Redis URL for Teleforge CDRs: %r", self.redis_url)
                return
            try:
                await self._listen(client)
                delay = first  # _listen returns only when stopping
            except (RedisError, OSError) as exc:
                self.connected = False
                self._status("Lost the connection to Teleforge's Redis; retrying.")
                log.warning("Teleforge CDR Redis: %s; retrying in %.1f s", exc, delay)
            except _HandlingFailed as exc:
                self.connected = False
                self._status(f"A call result could not be recorded ({exc}); retrying.")
                log.warning("Teleforge CDR not recorded (%s); retrying in %.1f s", exc, delay)
            except Exception as exc:  # anything else: never die, say so, start again
                self.connected = False
                self.restarts += 1
                self._status(
                    f"The call-result listener stopped ({type(exc).__name__}); restarting."
                )
                log.exception("the Teleforge CDR listener failed; restarting in %.1f s", delay)
            finally:
                with contextlib.suppress(Exception):
                    await client.aclose()
            if self._stopping:
                break
            await asyncio.sleep(delay)
            delay = min(delay * 2, longest)

    async def _listen(self, client: Redis) -> None:
        await client.ping()
        log.info("listening for Teleforge CDRs on %s", self.key)
        self.connected = True
        self._status("")
        # Records taken before a quit, crash or lost connection come first.
        for taken in reversed(await client.lrange(self.processing_key, 0, -1)):
            await self._handle(client, taken)
        # Redis before 6.0 takes whole seconds only; sub-second polls are for tests.
        timeout = int(self.poll) if self.poll >= 1 else self.poll
        while not self._stopping:
            item = await client.brpoplpush(self.key, self.processing_key, timeout)
            if item is not None:
                await self._handle(client, item)

    async def _handle(self, client: Redis, item: bytes | str) -> None:
        """Deliver one record taken into this desk's list; it leaves that list only when done.

        Raises:
            _HandlingFailed: the callback failed; the record stays for a later try.
        """
        # The exact bytes: a record that is not UTF-8 must still match. (redis-py takes bytes;
        # its type hints say str.)
        raw: Any = item
        try:
            record = parse_cdr(item)
        except CdrFormatError as exc:
            self.unreadable += 1
            log.warning("dropped an unreadable Teleforge notification (%s): %.200r", exc, item)
            await self._dead_letter(client, raw)
            return
        field = hashlib.sha256(item if isinstance(item, bytes) else item.encode()).hexdigest()
        # Counted before the callback runs, so a try that takes the whole app down counts too.
        tries = int(await client.hincrby(self.tries_key, field, 1))
        if tries > MAX_TRIES:
            log.error("set aside a Teleforge CDR that failed %d times: %.200r", MAX_TRIES, item)
            await self._dead_letter(client, raw, field)
            return
        try:
            if self.is_known is None or self.is_known(record.reference):
                result = self.on_cdr(record)
                if inspect.isawaitable(result):
                    await result
            else:
                log.debug("dropped a CDR for an unknown call %r", record.reference)
        except Exception as exc:
            log.exception("handling a Teleforge CDR failed (try %d of %d)", tries, MAX_TRIES)
            raise _HandlingFailed(type(exc).__name__) from exc
        await client.lrem(self.processing_key, 1, raw)
        await client.hdel(self.tries_key, field)

    async def _dead_letter(self, client: Redis, raw: Any, field: str | None = None) -> None:
        self.dead_lettered += 1
        await client.lpush(self.dead_key, raw)
        await client.lrem(self.processing_key, 1, raw)
        if field is not None:
            await client.hdel(self.tries_key, field)


class _HandlingFailed(Exception):
    """The callback failed on a record; the listener reconnects and tries it again later."""
