"""The profile's ``timeout`` is a deadline on the whole exchange, connect to last byte.

httpx's read timeout restarts with every read, so a PBX that trickles its answer one byte at a
time would keep a call "requested" for as long as it likes (and merge every later click on the
number into it). These tests serve such an answer from the loopback simulator and check that
the call ends at the deadline as *unknown* (the request was sent: the PBX may have dialed), that
the half-read connection is closed rather than reused, that an answer just inside the deadline
is still accepted, and that a deadline hit before the request left stays "could not reach".
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import socket
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fake_secrets import StaticSecrets

from dialer_gui.core import dialer as dialer_module
from dialer_gui.core.config import Config, GeneralSettings
from dialer_gui.core.dialer import Dialer
from dialer_gui.core.history import HistoryStore
from dialer_gui.providers.errors import ErrorCategory, ProviderError
from dialer_gui.providers.http import make_client, send
from dialer_gui.sandbox import SandboxThread
from dialer_gui.sandbox.demo import demo_profiles
from dialer_gui.vocabulary.calls import CallAttempt, CallState, Source
from dialer_gui.vocabulary.profiles import ProviderProfile

PROVIDERS = ("fonality", "simotel", "mor", "enswitch", "teleforge", "webhook")
TIMEOUT = 1.0  # the profile's "timeout"
MARGIN = 0.5  # how late after the deadline a call may end (a loaded 2-core machine)
TRICKLE = 0.3  # seconds between bytes: each read beats the timeout, the whole answer never does
NUMBERS = {"teleforge": "+27 82 000 1234"}
SECOND_NUMBERS = {"teleforge": "+27 82 000 5678"}
DEFAULT_NUMBER = "+44 20 7946 0958"
SECOND_NUMBER = "+44 20 7946 0000"
WARM_NUMBER = "+44 20 7946 0111"

pytestmark = pytest.mark.slow  # every test here waits for a deadline on purpose


@dataclasses.dataclass
class Rig:
    dialer: Dialer
    history: HistoryStore
    transport: httpx.AsyncHTTPTransport
    number: str
    second: str


def make_rig(base_url: str, provider: str, tmp_path: Path, *, url: str | None = None) -> Rig:
    profiles = demo_profiles(base_url)
    name = f"demo-{provider}"
    options = {**profiles[name].options, "timeout": TIMEOUT}
    if url is not None:
        options["url"] = url
    profiles[name] = dataclasses.replace(profiles[name], options=options)
    config = Config(general=GeneralSettings(region="GB", default_provider=name), providers=profiles)
    history = HistoryStore(tmp_path / "history.sqlite3")
    # One real transport for the profile, so the test can look into its connection pool.
    transport = httpx.AsyncHTTPTransport()
    dialer = Dialer(config, StaticSecrets(), history, transport_factory=lambda _p: transport)
    number = NUMBERS.get(provider, DEFAULT_NUMBER)
    return Rig(dialer, history, transport, number, SECOND_NUMBERS.get(provider, SECOND_NUMBER))


def pooled(transport: httpx.AsyncHTTPTransport) -> int:
    """Connections the transport keeps for reuse (httpcore's pool, not public in httpx)."""
    return len(transport._pool.connections)


async def timed(work: Awaitable[CallAttempt], limit: float) -> tuple[CallAttempt, float]:
    """``work`` and how long it took; fails (rather than hangs) once ``limit`` has passed."""
    start = time.monotonic()
    try:
        attempt = await asyncio.wait_for(work, limit)
    except TimeoutError:
        pytest.fail(f"the call was still in flight after {limit:.1f} s")
    return attempt, time.monotonic() - start


def run(rig: Rig, scenario: Callable[[], Awaitable[None]]) -> None:
    async def go() -> None:
        try:
            await scenario()
        finally:
            await rig.dialer.aclose()
            rig.history.close()

    asyncio.run(go())


async def warm_login(rig: Rig, sandbox: SandboxThread) -> None:
    """Fonality: log in first, so the fault hits the dial, not the login (which never dials)."""
    warm = await rig.dialer.dial(WARM_NUMBER, Source.DIALPAD)
    assert warm.state is CallState.ACCEPTED, warm.error
    await asyncio.to_thread(sandbox.clear)


@pytest.fixture(autouse=True)
def quick_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dialer_module, "RETRY_DELAY", 0.02)


# -- a trickling answer ----------------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
def test_trickling_answer_is_unknown_at_the_deadline_and_its_connection_closed(
    sandbox: SandboxThread, tmp_path: Path, provider: str
) -> None:
    rig = make_rig(sandbox.base_url, provider, tmp_path)

    async def scenario() -> None:
        if provider == "fonality":
            await warm_login(rig, sandbox)
        sandbox.set_fault("trickle", provider, delay=TRICKLE, times=1)
        attempt, took = await timed(
            rig.dialer.dial(rig.number, Source.DIALPAD), TIMEOUT + 4 * MARGIN
        )
        assert attempt.state is CallState.UNKNOWN, attempt.error
        assert attempt.error_category == ErrorCategory.TIMEOUT
        assert "check your phone" in (attempt.error or "").lower()
        assert TIMEOUT - 0.1 <= took <= TIMEOUT + MARGIN, f"ended after {took:.2f} s"
        assert len(sandbox.requests) == 1, "a request that may have arrived is never re-sent"
        # The half-read connection was closed, not handed back to the pool: the next call
        # gets a fresh connection and a clean answer (a reused one would read the trickle).
        assert pooled(rig.transport) == 0
        second = await rig.dialer.dial(rig.second, Source.DIALPAD)
        assert second.state is CallState.ACCEPTED, second.error
        assert len(sandbox.requests) == 2

    run(rig, scenario)


def test_trickling_fonality_login_fails_at_the_deadline(
    sandbox: SandboxThread, tmp_path: Path
) -> None:
    """The login never dials, so a login cut off by the deadline is "not placed"."""
    rig = make_rig(sandbox.base_url, "fonality", tmp_path)

    async def scenario() -> None:
        sandbox.set_fault("trickle", "fonality", delay=TRICKLE, times=1)
        attempt, took = await timed(
            rig.dialer.dial(rig.number, Source.DIALPAD), TIMEOUT + 4 * MARGIN
        )
        assert attempt.state is CallState.FAILED, attempt.error
        assert attempt.error_category == ErrorCategory.TIMEOUT
        assert "no call was made" in (attempt.error or "").lower()
        assert took <= TIMEOUT + MARGIN, f"ended after {took:.2f} s"
        assert [r.form().get("method") for r in sandbox.requests] == ["login"]

    run(rig, scenario)


def test_later_click_after_the_deadline_is_not_merged_forever(
    sandbox: SandboxThread, tmp_path: Path
) -> None:
    """While the PBX trickles, a second click merges; once the deadline passed, it ended."""
    rig = make_rig(sandbox.base_url, "simotel", tmp_path)

    async def scenario() -> None:
        sandbox.set_fault("trickle", "simotel", delay=TRICKLE, times=1)
        first = asyncio.create_task(rig.dialer.dial(rig.number, Source.DIALPAD))
        await asyncio.sleep(0.2)
        merged = await rig.dialer.dial(rig.number, Source.DIALPAD)
        assert merged.state is CallState.MERGED
        attempt, _ = await timed(first, TIMEOUT + 4 * MARGIN)
        assert attempt.state is CallState.UNKNOWN
        assert rig.history.count(state=CallState.REQUESTED) == 0, "nothing is left in flight"

    run(rig, scenario)


# -- just inside the deadline ------------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
def test_answer_just_inside_the_deadline_is_accepted(
    sandbox: SandboxThread, tmp_path: Path, provider: str
) -> None:
    rig = make_rig(sandbox.base_url, provider, tmp_path)

    async def scenario() -> None:
        if provider == "fonality":
            await warm_login(rig, sandbox)
        sandbox.set_fault("slow", provider, delay=0.7 * TIMEOUT, times=1)
        attempt, took = await timed(
            rig.dialer.dial(rig.number, Source.DIALPAD), TIMEOUT + 4 * MARGIN
        )
        assert attempt.state is CallState.ACCEPTED, attempt.error
        assert took >= 0.7 * TIMEOUT

    run(rig, scenario)


def test_quick_trickle_that_ends_inside_the_deadline_is_accepted(
    sandbox: SandboxThread, tmp_path: Path
) -> None:
    """Many small reads are fine: only the total time counts."""
    rig = make_rig(sandbox.base_url, "simotel", tmp_path)

    async def scenario() -> None:
        sandbox.set_fault("trickle", "simotel", delay=0.0005, times=1)
        attempt, _ = await timed(rig.dialer.dial(rig.number, Source.DIALPAD), TIMEOUT + 4 * MARGIN)
        assert attempt.state is CallState.ACCEPTED, attempt.error

    run(rig, scenario)


# -- before the request left -------------------------------------------------------------------


@pytest.fixture
def unanswered_port() -> Iterator[int]:
    """A port whose listener never accepts and whose queue is full: connecting hangs."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = int(listener.getsockname()[1])
        queued = []
        try:
            # Fill the accept queue; the kernel then drops further SYNs without an answer.
            for _ in range(4):
                s = socket.socket()
                s.setblocking(False)
                with contextlib.suppress(BlockingIOError):
                    s.connect(("127.0.0.1", port))
                queued.append(s)
            yield port
        finally:
            for s in queued:
                s.close()


def test_connection_that_never_opens_is_not_placed(
    sandbox: SandboxThread, tmp_path: Path, unanswered_port: int
) -> None:
    rig = make_rig(sandbox.base_url, "simotel", tmp_path, url=f"http://127.0.0.1:{unanswered_port}")

    async def scenario() -> None:
        attempt, took = await timed(
            rig.dialer.dial(rig.number, Source.DIALPAD), 2 * TIMEOUT + 4 * MARGIN
        )
        assert attempt.state is CallState.FAILED, attempt.error
        assert attempt.error_category == ErrorCategory.UNREACHABLE
        # Nothing left, so it was retried once (each try ends at its deadline).
        assert attempt.detail and attempt.detail.startswith("Retried once")
        assert took <= 2 * TIMEOUT + 2 * MARGIN

    run(rig, scenario)


class HangingTransport(httpx.AsyncBaseTransport):
    """Reports the given progress through httpcore's trace hook, then never answers."""

    def __init__(self, *events: str) -> None:
        self.events = events

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        trace = request.extensions.get("trace")
        for event in self.events:
            assert trace is not None
            await trace(event, {})
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")


def _send_through(transport: httpx.AsyncBaseTransport, timeout: float = 0.3) -> ProviderError:
    profile = ProviderProfile("hang", "webhook", {"url": "http://127.0.0.1:9", "timeout": timeout})

    async def go() -> ProviderError:
        client = make_client(profile, transport=transport)
        try:
            request = client.build_request("POST", "http://127.0.0.1:9/x", content=b"{}")
            with pytest.raises(ProviderError) as caught:
                await asyncio.wait_for(
                    send(client, request, provider="hang", secrets=()), timeout + 2
                )
            return caught.value
        finally:
            await client.aclose()

    return asyncio.run(go())


@pytest.mark.parametrize(
    "events",
    [
        ("connection.connect_tcp.started",),
        ("connection.connect_tcp.started", "connection.connect_tcp.complete"),
        ("connection.connect_tcp.complete", "connection.start_tls.started"),
    ],
)
def test_deadline_while_connecting_is_could_not_reach(events: tuple[str, ...]) -> None:
    error = _send_through(HangingTransport(*events))
    assert error.category is ErrorCategory.UNREACHABLE
    assert error.maybe_placed is False


@pytest.mark.parametrize(
    "events",
    [
        ("connection.connect_tcp.started", "http11.send_request_headers.started"),
        ("http11.send_request_headers.started",),  # a kept-alive connection: no connect
        ("http11.send_request_body.complete", "http11.receive_response_headers.started"),
        (),  # a transport that tells nothing: assume the request may have arrived
    ],
)
def test_deadline_after_sending_began_is_unknown(events: tuple[str, ...]) -> None:
    error = _send_through(HangingTransport(*events))
    assert error.category is ErrorCategory.TIMEOUT
    assert error.maybe_placed is True
    assert "check your phone" in error.message


def test_a_trace_hook_already_on_the_request_still_hears_everything(
    sandbox: SandboxThread,
) -> None:
    heard: list[str] = []

    async def hook(name: str, info: dict[str, Any]) -> None:
        heard.append(name)

    profile = ProviderProfile("p", "webhook", {"url": sandbox.base_url, "timeout": TIMEOUT})

    async def go() -> None:
        client = make_client(profile)
        try:
            request = client.build_request(
                "GET", sandbox.base_url + "/nowhere", extensions={"trace": hook}
            )
            response, _ = await send(client, request, provider="p", secrets=())
            assert response.status_code == 404
        finally:
            await client.aclose()

    asyncio.run(go())
    assert "http11.send_request_headers.started" in heard
