"""Teleforge CDRs: parsing, and the Redis listener against a real redis-server."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fixtures_redis import RedisServer
from redis.asyncio import Redis

from dialer_gui.providers import create_provider
from dialer_gui.providers.base import CallRequest
from dialer_gui.providers.teleforge_cdr import (
    CDR_KEY,
    CdrFormatError,
    CdrListener,
    CdrRecord,
    parse_cdr,
    processing_key_for,
)
from dialer_gui.sandbox import SandboxThread
from dialer_gui.sandbox.demo import TELEFORGE_AGENT, TELEFORGE_OUTBOUND_ID
from dialer_gui.vocabulary.profiles import ProviderProfile
from dialer_gui.vocabulary.target import DialTarget, TargetKind

TARGET = DialTarget(TargetKind.EXTERNAL, "+27820001234", "+27 82 000 1234", "ZA")
WAIT = 5.0


def v3_cdr(ref: str, end_reason: str = "hungup", **extra: Any) -> str:
    payload = {
        "extension": "1000",
        "number": "27820001234",
        "dial_number": "0215550100",
        "call_ref": "1700000000.7",
        "contact_ref": ref,
        "dialed_at": 1700000000,
        "end_reason": end_reason,
        "end_code": 16,
        "call_time": 42,
        "hold_time": 3,
        "call_dir": "outbound",
        "recording_url": "1700000000.7",
        "ref": "click-dial",
        **extra,
    }
    return json.dumps({"type": "cdr", "payload": payload})


class Collector:
    """The listener's callback: keeps records and lets a test wait for them."""

    def __init__(self) -> None:
        self.records: list[CdrRecord] = []
        self.changed = asyncio.Condition()

    async def __call__(self, record: CdrRecord) -> None:
        async with self.changed:
            self.records.append(record)
            self.changed.notify_all()

    async def wait_for(self, count: int) -> list[CdrRecord]:
        async with self.changed:
            await asyncio.wait_for(self.changed.wait_for(lambda: len(self.records) >= count), WAIT)
        return self.records


async def wait_until(predicate: Callable[[], bool]) -> None:
    async def poll() -> None:
        while not predicate():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), WAIT)


async def push(url: str, *items: str) -> None:
    client: Redis = Redis.from_url(url)
    try:
        await client.lpush(CDR_KEY, *items)
    finally:
        await client.aclose()


async def list_length(url: str, key: str = CDR_KEY) -> int:
    client: Redis = Redis.from_url(url)
    try:
        return int(await client.llen(key))
    finally:
        await client.aclose()


async def call(base_url: str, reference: str, **options: Any) -> str:
    opts = {"url": base_url, "agent": TELEFORGE_AGENT, "outbound_id": TELEFORGE_OUTBOUND_ID}
    provider = create_provider(ProviderProfile("sales", "teleforge", {**opts, **options}), {})
    try:
        result = await provider.place_call(CallRequest(TARGET, "27820001234", reference))
    finally:
        await provider.aclose()
    assert result.call_id is not None
    return result.call_id


def listener_for(url: str, collector: Collector, **kwargs: Any) -> CdrListener:
    return CdrListener(url, collector, backoff=(0.05, 0.2), poll=0.2, **kwargs)


@pytest.fixture
def tf_sandbox(redis_server: RedisServer) -> Iterator[SandboxThread]:
    thread = SandboxThread(redis_url=redis_server.url, cdr_delay=0.05)
    thread.start()
    try:
        yield thread
    finally:
        thread.stop()


# -- parsing ---------------------------------------------------------------------------------


def test_v3_cdr_is_read() -> None:
    record = parse_cdr(v3_cdr("ref-1").encode())
    assert (record.contact_ref, record.call_ref, record.reference) == (
        "ref-1",
        "1700000000.7",
        "ref-1",
    )
    assert (record.end_code, record.call_time, record.hold_time) == (16, 42, 3)
    assert (record.number, record.version, record.recording_url) == (
        "27820001234",
        3,
        "1700000000.7",
    )
    assert record.answered and record.outcome == "Answered, then hung up"


def test_pre_v3_cdr_takes_the_number_from_ref() -> None:
    packet = json.loads(v3_cdr("", end_reason="NOANSWER"))
    del packet["payload"]["number"]
    packet["payload"]["ref"] = "0820001234"
    record = parse_cdr(json.dumps(packet))
    assert (record.version, record.number) == (2, "0820001234")
    assert record.reference == "1700000000.7"  # no contact_ref: the call_ref stands in
    assert record.outcome == "No answer" and not record.answered


@pytest.mark.parametrize(
    ("reason", "outcome"),
    [
        ("busy", "Busy"),
        ("reject", "Rejected"),
        ("timeout", "No answer"),
        ("voicemail", "Voicemail"),
        ("error", "Error (bad parameter)"),
        ("failed", "PBX internal error"),
        ("callee_hungup", "Answered; the callee hung up"),
        ("agent_hungup", "Answered; you hung up"),
        ("ANSWER", "Answered"),
        ("CHANUNAVAIL", "Line unavailable"),
        ("CONGESTION", "Network busy"),
        ("something_new", "Ended (something_new)"),
    ],
)
def test_outcomes_in_plain_words(reason: str, outcome: str) -> None:
    assert parse_cdr(v3_cdr("r", end_reason=reason)).outcome == outcome


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfe not json",
        "[]",
        '{"type": "call", "payload": {}}',
        '{"type": "cdr", "payload": []}',
        '{"type": "cdr", "payload": {"end_reason": "busy"}}',
        '{"type": "cdr", "payload": {"contact_ref": "x", "end_reason": 5}}',
    ],
)
def test_malformed_notifications_are_refused(data: bytes | str) -> None:
    with pytest.raises(CdrFormatError):
        parse_cdr(data)


# -- the listener with a real redis-server ---------------------------------------------------


@pytest.mark.redis
def test_call_through_the_sandbox_produces_its_cdr(tf_sandbox: SandboxThread) -> None:
    tf_sandbox.sandbox.state["teleforge_end_reason"] = "busy"

    async def go() -> tuple[str, list[CdrRecord]]:
        collector = Collector()
        listener = listener_for(tf_sandbox.sandbox.redis_url, collector)
        listener.start()
        try:
            call_id = await call(tf_sandbox.base_url, "call-77")
            return call_id, await collector.wait_for(1)
        finally:
            await listener.stop()

    call_id, (record,) = asyncio.run(go())
    assert record.contact_ref == call_id == "call-77"
    assert record.outcome == "Busy" and record.end_code == 17
    assert (record.extension, record.number, record.dial_number) == (
        TELEFORGE_AGENT,
        "27820001234",
        TELEFORGE_OUTBOUND_ID,
    )


@pytest.mark.redis
def test_v2_call_produces_the_older_cdr(tf_sandbox: SandboxThread) -> None:
    async def go() -> list[CdrRecord]:
        collector = Collector()
        listener = listener_for(tf_sandbox.sandbox.redis_url, collector)
        listener.start()
        try:
            await call(tf_sandbox.base_url, "old-1", api_version="2")
            return await collector.wait_for(1)
        finally:
            await listener.stop()

    (record,) = asyncio.run(go())
    assert (record.reference, record.version, record.number) == ("old-1", 2, "27820001234")


@pytest.mark.redis
def test_malformed_notifications_are_dropped_and_listening_goes_on(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "dialer_gui.providers.teleforge_cdr")

    async def go() -> list[CdrRecord]:
        collector = Collector()
        listener = listener_for(redis_server.url, collector)
        listener.start()
        try:
            # LPUSH with several values: they are popped from the right, oldest first.
            await push(redis_server.url, "not json", '{"type":"call"}', v3_cdr("good-1"))
            records = await collector.wait_for(1)
            assert listener.running
            return records
        finally:
            await listener.stop()

    (record,) = asyncio.run(go())
    assert record.contact_ref == "good-1"
    assert len([r for r in caplog.records if "dropped" in r.getMessage()]) == 2


@pytest.mark.redis
def test_unknown_references_are_filtered_and_callback_errors_survive(
    redis_server: RedisServer,
) -> None:
    async def go() -> list[CdrRecord]:
        collector = Collector()
        calls = 0

        async def flaky(record: CdrRecord) -> None:
            nonlocal calls
            calls += 1
            if calls == 1:
                raise RuntimeError("a bug in the callback")
            await collector(record)

        listener = CdrListener(
            redis_server.url,
            flaky,
            is_known=lambda ref: ref.startswith("ours-"),
            backoff=(0.05, 0.2),
            poll=0.2,
        )
        listener.start()
        try:
            await push(redis_server.url, v3_cdr("ours-1"), v3_cdr("theirs"), v3_cdr("ours-2"))
            return await collector.wait_for(2)
        finally:
            await listener.stop()

    # The record whose handling failed is not lost: it is tried again after a reconnection.
    records = asyncio.run(go())
    assert sorted(r.contact_ref for r in records) == ["ours-1", "ours-2"]


@pytest.mark.redis
def test_listener_reconnects_after_a_redis_restart(
    tf_sandbox: SandboxThread, redis_server: RedisServer
) -> None:
    async def go() -> list[CdrRecord]:
        collector = Collector()
        listener = listener_for(redis_server.url, collector)
        listener.start()
        try:
            await call(tf_sandbox.base_url, "before-restart")
            await collector.wait_for(1)
            await asyncio.to_thread(redis_server.restart)
            await call(tf_sandbox.base_url, "after-restart")
            records = await collector.wait_for(2)
            assert listener.connected
            return records
        finally:
            await listener.stop()

    records = asyncio.run(go())
    assert [r.contact_ref for r in records] == ["before-restart", "after-restart"]


@pytest.mark.redis
def test_stop_is_clean_and_leaves_later_cdrs_in_redis(redis_server: RedisServer) -> None:
    async def go() -> int:
        collector = Collector()
        listener = listener_for(redis_server.url, collector)
        listener.start()
        await wait_until(lambda: listener.connected)
        await listener.stop()
        await listener.stop()  # twice is harmless
        assert not listener.running and not listener.connected
        await push(redis_server.url, v3_cdr("late"))
        return await list_length(redis_server.url)

    assert asyncio.run(go()) == 1


def test_unreachable_redis_is_retried_and_stops_cleanly(redis_server_port_free: int) -> None:
    async def go() -> CdrListener:
        listener = listener_for(f"redis://127.0.0.1:{redis_server_port_free}/0", Collector())
        listener.start()
        await wait_until(lambda: bool(listener.problem))
        assert listener.running and not listener.connected
        await listener.stop()
        return listener

    assert "retrying" in asyncio.run(go()).problem


@pytest.mark.redis
def test_a_cdr_being_handled_at_quit_is_handled_after_the_restart(
    redis_server: RedisServer,
) -> None:
    processing = processing_key_for(CDR_KEY)

    async def go() -> list[CdrRecord]:
        entered = asyncio.Event()

        async def never_finishes(record: CdrRecord) -> None:
            entered.set()
            await asyncio.Event().wait()  # the app quits while this record is handled

        quitting = listener_for(redis_server.url, never_finishes)
        quitting.start()
        await push(redis_server.url, v3_cdr("in-hand"))
        await asyncio.wait_for(entered.wait(), WAIT)
        await quitting.stop()
        # Gone from the PBX's list, kept in this desk's own until handled.
        assert await list_length(redis_server.url) == 0
        assert await list_length(redis_server.url, processing) == 1

        await push(redis_server.url, v3_cdr("later"))
        collector = Collector()
        restarted = listener_for(redis_server.url, collector)
        restarted.start()
        try:
            records = await collector.wait_for(2)
            for _ in range(int(WAIT / 0.01)):  # each record leaves the desk's list once handled
                if await list_length(redis_server.url, processing) == 0:
                    break
                await asyncio.sleep(0.01)
            return records
        finally:
            await restarted.stop()

    records = asyncio.run(go())
    assert [r.contact_ref for r in records] == ["in-hand", "later"]
    assert asyncio.run(list_length(redis_server.url, processing)) == 0
    assert asyncio.run(list_length(redis_server.url)) == 0


def test_each_desk_keeps_taken_records_under_its_own_key() -> None:
    key = processing_key_for(CDR_KEY)
    assert key.startswith(CDR_KEY + ":dialer-gui:")
    assert key != CDR_KEY and key == processing_key_for(CDR_KEY)


@pytest.fixture
def redis_server_port_free() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
