"""Every provider against every misbehaving PBX: the true state, one request, a plain message.

Each case dials through :class:`Dialer` against the loopback simulator with a fault switched on
and checks what the user would be told: the state (FAILED only when we know nothing rang,
UNKNOWN when it may have), the error category, a message free of Python internals, the history
row, the notification, how many requests reached the PBX (a request that may have arrived is
never sent again; a refused connection is retried once), and that the event loop kept
running while the dial waited.

The only stand-ins are transports that wrap the real one to count what left the process, and
one that raises the error a failed DNS lookup gives (no name is ever resolved).
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import re
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fake_secrets import StaticSecrets

from dialer_gui import providers as registry
from dialer_gui.core import dialer as dialer_module
from dialer_gui.core.config import Config, GeneralSettings
from dialer_gui.core.dialer import Dialer
from dialer_gui.core.events import EventBus, Notice
from dialer_gui.core.history import HistoryStore
from dialer_gui.providers.http import MAX_BODY
from dialer_gui.sandbox import SandboxThread
from dialer_gui.sandbox.demo import demo_profiles, demo_secrets
from dialer_gui.vocabulary.calls import CallAttempt, CallState, Source
from dialer_gui.vocabulary.profiles import ProviderProfile

PROVIDERS = tuple(registry.PROVIDERS)
TIMEOUT = 0.4  # the profile's "timeout": short so hanging faults finish quickly
MAX_STALL = 0.050  # longest the event loop may go without running our ticker

# The number each API can dial (Teleforge dials South African numbers only).
NUMBERS = {"teleforge": "+27 82 000 1234"}
WARM_NUMBERS = {"teleforge": "+27 82 000 5678"}
DEFAULT_NUMBER = "+44 20 7946 0958"
WARM_NUMBER = "+44 20 7946 0000"

# Python internals a receptionist must never read in a message.
INTERNALS = re.compile(
    r"Traceback|\bhttpx\b|\bhttpcore\b|\bssl\.|Errno|\bNone\b|"
    r"\b[A-Z][A-Za-z]*(Error|Exception|Timeout)\b|<[a-z_.]+ object at"
)

FAILED, UNKNOWN, ACCEPTED = CallState.FAILED, CallState.UNKNOWN, CallState.ACCEPTED

# fault -> (state, error category, requests that reach the PBX), for an API with an answer body.
EXPECTED: dict[str, tuple[CallState, str | None, int]] = {
    "slow": (ACCEPTED, None, 1),
    "timeout": (UNKNOWN, "timeout", 1),
    "slow_headers": (UNKNOWN, "timeout", 1),
    "slow_body": (UNKNOWN, "timeout", 1),
    "http_500": (UNKNOWN, "unexpected", 1),
    "http_502": (UNKNOWN, "unexpected", 1),
    "html": (UNKNOWN, "unexpected", 1),  # 200 with the wrong content type
    "garbage": (UNKNOWN, "unexpected", 1),
    "empty": (UNKNOWN, "unexpected", 1),
    "truncated": (UNKNOWN, "unexpected", 1),
    "huge": (UNKNOWN, "unexpected", 1),
    "reset": (UNKNOWN, "unexpected", 1),
    "redirect": (FAILED, "config", 1),
    "bad_credentials": (FAILED, "credentials", 1),
    "reject_number": (FAILED, "rejected_number", 1),
    "not_permitted": (FAILED, "not_permitted", 1),
}
SLOW_FAULTS = {"timeout", "slow_headers", "slow_body"}


def expected(provider: str, fault: str) -> tuple[CallState, str | None, int]:
    state, category, count = EXPECTED[fault]
    if provider == "teleforge" and fault == "bad_credentials":
        # Click2Dial has no credentials: its 401 means this integrator or port is not allowed.
        return FAILED, "not_permitted", 1
    if provider == "fonality" and fault == "bad_credentials":
        # The dial is refused for its token (so nothing rang); one new login is then refused.
        return FAILED, "credentials", 2
    return state, category, count


class CountingStream(httpx.AsyncByteStream):
    """A response body that counts the bytes the client actually pulled."""

    def __init__(self, inner: httpx.AsyncByteStream, owner: RecordingTransport) -> None:
        self.inner = inner
        self.owner = owner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.inner:
            self.owner.body_bytes += len(chunk)
            yield chunk

    async def aclose(self) -> None:
        await self.inner.aclose()


class RecordingTransport(httpx.AsyncBaseTransport):
    """The real transport, plus a log of every request that left this process."""

    def __init__(self, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.inner = inner or httpx.AsyncHTTPTransport()
        self.urls: list[httpx.URL] = []
        self.body_bytes = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.urls.append(request.url)
        response = await self.inner.handle_async_request(request)
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = CountingStream(response.stream, self)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


class UnresolvableTransport(httpx.AsyncBaseTransport):
    """What httpx raises when the PBX's host name does not resolve; nothing is looked up."""

    def __init__(self) -> None:
        self.urls: list[httpx.URL] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.urls.append(request.url)
        raise httpx.ConnectError("[Errno -2] Name or service not known", request=request)


@dataclasses.dataclass
class Rig:
    dialer: Dialer
    history: HistoryStore
    events: list[Any]
    transport: Any
    name: str
    number: str


def profiles_for(base_url: str) -> dict[str, ProviderProfile]:
    return demo_profiles(base_url)


def make_rig(
    sandbox: SandboxThread,
    provider: str,
    tmp_path: Path,
    *,
    url: str | None = None,
    transport: Any = None,
) -> Rig:
    profiles = profiles_for(sandbox.base_url)
    name = f"demo-{provider}"
    if name not in profiles:
        pytest.skip(f"no demo profile for {provider} yet (demo_profiles has no {name!r})")
    options = {**profiles[name].options, "timeout": TIMEOUT}
    if url is not None:
        options["url"] = url
    profiles[name] = dataclasses.replace(profiles[name], options=options)
    config = Config(general=GeneralSettings(region="GB", default_provider=name), providers=profiles)
    history = HistoryStore(tmp_path / "history.sqlite3")
    events: list[Any] = []
    bus = EventBus()
    bus.subscribe(events.append)
    transport = transport if transport is not None else RecordingTransport()
    dialer = Dialer(
        config, StaticSecrets(demo_secrets()), history, bus, transport_factory=lambda _p: transport
    )
    return Rig(dialer, history, events, transport, name, NUMBERS.get(provider, DEFAULT_NUMBER))


async def watch_loop(work: Awaitable[CallAttempt]) -> tuple[CallAttempt, float]:
    """Run ``work`` while a ticker measures the longest gap between its wake-ups."""
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    worst = 0.0

    async def ticker() -> None:
        nonlocal worst
        last = loop.time()
        while not done.is_set():
            await asyncio.sleep(0.005)
            now = loop.time()
            worst = max(worst, now - last - 0.005)
            last = now

    # Park the test process's own objects (pytest, hypothesis, other tests) outside the
    # collector, so a full collection of *their* heap is not blamed on the dial.
    gc.collect()
    gc.freeze()
    task = asyncio.create_task(ticker())
    try:
        result = await work
    finally:
        done.set()
        await task
        gc.unfreeze()
    return result, worst


def dial(
    rig: Rig, before: Callable[[], Awaitable[None]] | None = None
) -> tuple[CallAttempt, float]:
    async def scenario() -> tuple[CallAttempt, float]:
        try:
            if before is not None:
                await before()
            return await watch_loop(rig.dialer.dial(rig.number, Source.DIALPAD))
        finally:
            await rig.dialer.aclose()

    return asyncio.run(scenario())


def assert_plain(text: str | None) -> None:
    assert text, "the user must be told something"
    assert not INTERNALS.search(text), f"message shows Python internals: {text!r}"
    assert text.strip()[-1] in ".!)”", f"not a sentence: {text!r}"


def assert_told(rig: Rig, attempt: CallAttempt) -> None:
    """The notification matches the state: an error for FAILED/UNKNOWN, 'Calling' otherwise."""
    notices = [e for e in rig.events if isinstance(e, Notice) and e.attempt_id == attempt.id]
    assert len(notices) == 1, notices
    notice = notices[0]
    if attempt.state is ACCEPTED:
        assert (notice.level, notice.title) == ("info", "Calling")
    else:
        title = "Call status unknown" if attempt.state is UNKNOWN else "Call not placed"
        assert (notice.level, notice.title) == ("error", title)
        assert notice.text == attempt.error
    assert_plain(notice.text)


def assert_recorded(rig: Rig, attempt: CallAttempt) -> None:
    assert attempt.id is not None
    row = rig.history.get(attempt.id)
    assert row is not None
    for name in ("state", "error", "error_category", "call_id", "raw", "detail", "dialed"):
        assert getattr(row, name) == getattr(attempt, name), name
    assert rig.history.count() == 1
    assert rig.history.count(state=CallState.REQUESTED) == 0, "an attempt was left in flight"


@pytest.fixture(autouse=True)
def quick_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    # The one retry of a refused connection waits RETRY_DELAY; keep the suite quick.
    monkeypatch.setattr(dialer_module, "RETRY_DELAY", 0.02)


def _fault_params() -> list[Any]:
    params = []
    for provider in PROVIDERS:
        for fault in EXPECTED:
            marks = [pytest.mark.slow] if fault in SLOW_FAULTS else []
            params.append(pytest.param(provider, fault, marks=marks, id=f"{provider}-{fault}"))
    return params


@pytest.mark.parametrize(("provider", "fault"), _fault_params())
def test_fault_gives_true_state_one_request_and_plain_message(
    sandbox: SandboxThread, tmp_path: Path, provider: str, fault: str
) -> None:
    rig = make_rig(sandbox, provider, tmp_path)

    async def before() -> None:
        if provider == "fonality":
            # Log in first, so the fault hits the dial request itself, not the login.
            warm = await rig.dialer.dial(WARM_NUMBER, Source.DIALPAD)
            assert warm.state is ACCEPTED, warm.error
            await asyncio.to_thread(sandbox.clear)
            rig.history.close()
            rig.dialer.history = rig.history = HistoryStore(tmp_path / "second.sqlite3")
            rig.events.clear()
            rig.transport.urls.clear()
        sandbox.set_fault(fault, provider, delay=0.1)

    attempt, stall = dial(rig, before)
    state, category, count = expected(provider, fault)

    assert attempt.state is state, attempt.error
    assert attempt.error_category == category
    if state is not ACCEPTED:
        assert_plain(attempt.error)
    if state is UNKNOWN:
        assert "check your phone" in (attempt.error or "").lower()
    assert_recorded(rig, attempt)
    assert_told(rig, attempt)
    assert len(sandbox.requests) == count, [r.target for r in sandbox.requests]
    # Nothing else was contacted: every request that left went to the sandbox.
    assert len(rig.transport.urls) == count
    assert {u.host for u in rig.transport.urls} == {"127.0.0.1"}
    assert stall < MAX_STALL, f"event loop stalled {stall * 1000:.0f} ms"
    if fault == "huge":
        assert attempt.raw is not None and len(attempt.raw.encode()) <= MAX_BODY
        raw_bytes = rig.history._conn.execute(  # type: ignore[union-attr]
            "SELECT length(CAST(raw AS BLOB)) FROM attempts WHERE id = ?", (attempt.id,)
        ).fetchone()[0]
        assert raw_bytes <= MAX_BODY
        # The client stopped reading soon after the cap, not after 10 MB.
        assert rig.transport.body_bytes < 2 * MAX_BODY
    rig.history.close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("provider", PROVIDERS)
def test_refused_connection_fails_after_exactly_one_retry(
    sandbox: SandboxThread, tmp_path: Path, provider: str
) -> None:
    rig = make_rig(sandbox, provider, tmp_path, url=f"http://127.0.0.1:{_closed_port()}")
    attempt, stall = dial(rig)
    assert attempt.state is FAILED, attempt.error
    assert attempt.error_category == "unreachable"
    assert_plain(attempt.error)
    assert attempt.detail and attempt.detail.startswith("Retried once")
    assert len(rig.transport.urls) == 2, "a refused connection is retried exactly once"
    assert sandbox.requests == []
    assert_recorded(rig, attempt)
    assert_told(rig, attempt)
    assert stall < MAX_STALL
    rig.history.close()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_pbx_that_went_down_after_a_call_is_known_not_placed(
    sandbox: SandboxThread, tmp_path: Path, provider: str
) -> None:
    """A kept-alive connection to a PBX that then stopped: nothing was sent, so FAILED."""
    rig = make_rig(sandbox, provider, tmp_path)

    async def before() -> None:
        warm = await rig.dialer.dial(WARM_NUMBERS.get(provider, WARM_NUMBER), Source.DIALPAD)
        assert warm.state is ACCEPTED, warm.error
        await asyncio.to_thread(sandbox.call, sandbox.sandbox.stop())
        rig.history.close()
        rig.dialer.history = rig.history = HistoryStore(tmp_path / "second.sqlite3")
        rig.events.clear()
        rig.transport.urls.clear()

    attempt, stall = dial(rig, before)
    assert attempt.state is FAILED, attempt.error
    assert attempt.error_category == "unreachable"
    assert_plain(attempt.error)
    assert len(rig.transport.urls) == 2
    assert_recorded(rig, attempt)
    assert_told(rig, attempt)
    assert stall < MAX_STALL
    rig.history.close()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_dns_failure_is_unreachable_and_retried_once(
    sandbox: SandboxThread, tmp_path: Path, provider: str
) -> None:
    transport = UnresolvableTransport()
    rig = make_rig(sandbox, provider, tmp_path, url="http://pbx.invalid", transport=transport)
    attempt, _ = dial(rig)
    assert attempt.state is FAILED, attempt.error
    assert attempt.error_category == "unreachable"
    assert_plain(attempt.error)
    assert "Name or service" not in (attempt.error or "")
    assert len(transport.urls) == 2
    assert sandbox.requests == []
    assert_recorded(rig, attempt)
    assert_told(rig, attempt)
    rig.history.close()


@pytest.mark.parametrize("fault", ["timeout", "reset", "http_500", "garbage"])
def test_fonality_login_faults_are_failed_because_login_never_dials(
    sandbox: SandboxThread, tmp_path: Path, fault: str
) -> None:
    rig = make_rig(sandbox, "fonality", tmp_path)
    sandbox.set_fault(fault, "fonality")
    attempt, _ = dial(rig)
    assert attempt.state is FAILED, attempt.error
    assert "no call was made" in (attempt.error or "").lower()
    assert_plain(attempt.error)
    assert len(sandbox.requests) == 1
    assert sandbox.requests[0].form().get("method") == "login"
    assert_recorded(rig, attempt)
    rig.history.close()


def test_redirect_target_is_never_contacted(sandbox: SandboxThread, tmp_path: Path) -> None:
    rig = make_rig(sandbox, "simotel", tmp_path)
    sandbox.set_fault("redirect", "simotel")
    attempt, _ = dial(rig)
    assert attempt.state is FAILED and attempt.error_category == "config"
    assert "not followed" in (attempt.error or "")
    assert [u.host for u in rig.transport.urls] == ["127.0.0.1"]
    assert "203.0.113.7" not in (attempt.error or "")
    rig.history.close()


def test_second_click_while_pbx_hangs_is_merged_not_sent(
    sandbox: SandboxThread, tmp_path: Path
) -> None:
    rig = make_rig(sandbox, "simotel", tmp_path)
    sandbox.set_fault("slow", "simotel", delay=0.2)

    async def both() -> tuple[CallAttempt, ...]:
        try:
            first = asyncio.create_task(rig.dialer.dial(rig.number, Source.DIALPAD))
            await asyncio.sleep(0.05)
            second = await rig.dialer.dial(rig.number, Source.DIALPAD)
            return await first, second
        finally:
            await rig.dialer.aclose()

    first, second = asyncio.run(both())
    assert first.state is ACCEPTED
    assert second.state is CallState.MERGED
    assert len(sandbox.requests) == 1
    rig.history.close()
