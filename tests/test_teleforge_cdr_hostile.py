"""Teleforge CDRs that would have stopped outcomes for good: the listener never dies of input.

Before: a record with ``call_time: 1e400`` (OverflowError) or nested 20,000 deep
(RecursionError) killed the listener's task; the record stayed in this desk's list and was
replayed first at every start, killing it again. Now unreadable records go to a dead-letter
list at once, records whose handling keeps failing go there after ``MAX_TRIES``, and anything
else restarts the listener with backoff and is reported through ``on_status``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import pytest
from fixtures_redis import RedisServer
from hypothesis import given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis
from test_teleforge_cdr import WAIT, Collector, list_length, push, v3_cdr, wait_until

from dialer_gui.providers.teleforge_cdr import (
    CDR_KEY,
    MAX_RECORD,
    MAX_TRIES,
    CdrFormatError,
    CdrListener,
    parse_cdr,
    processing_key_for,
)

OVERFLOW = v3_cdr("huge-number").replace('"call_time": 42', '"call_time": 1e400')
DEEP = '{"type": "cdr", "payload": ' + "[" * 20_000 + "]" * 20_000 + "}"


def test_out_of_range_numbers_are_read_as_missing() -> None:
    record = parse_cdr(OVERFLOW)
    assert record.contact_ref == "huge-number" and record.call_time is None
    nan = json.loads(v3_cdr("nan"))
    nan["payload"]["hold_time"] = float("nan")
    assert parse_cdr(json.dumps(nan)).hold_time is None


@pytest.mark.parametrize(
    ("data", "reason"),
    [(DEEP, "nested too deeply"), ("x" * (MAX_RECORD + 1), "larger than")],
)
def test_deep_and_huge_records_are_refused_in_words(data: str, reason: str) -> None:
    with pytest.raises(CdrFormatError, match=reason):
        parse_cdr(data)


def _containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    _containers,
    max_leaves=30,
)
payload_keys = st.sampled_from(
    ["contact_ref", "call_ref", "end_reason", "end_code", "call_time", "hold_time", "number",
     "ref", "dialed_at", "recording_url", "extension", "dial_number", "call_dir"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(payload_keys, json_values), st.sampled_from(["cdr", "call", 3]))
def test_fuzzed_records_parse_or_are_refused_never_anything_else(
    payload: dict[str, Any], kind: object
) -> None:
    text = json.dumps({"type": kind, "payload": payload})
    try:
        record = parse_cdr(text)
    except CdrFormatError:
        return
    assert record.reference
    for number in (record.end_code, record.call_time, record.hold_time, record.dialed_at):
        assert number is None or isinstance(number, int)
    assert isinstance(record.outcome, str)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300))
def test_fuzzed_bytes_parse_or_are_refused(data: bytes | str) -> None:
    with contextlib.suppress(CdrFormatError):  # anything else fails the test
        parse_cdr(data)


def listener(url: str, on_cdr: Any, **kwargs: Any) -> CdrListener:
    return CdrListener(url, on_cdr, backoff=(0.05, 0.2), poll=0.2, **kwargs)


async def items(url: str, key: str) -> list[bytes]:
    client: Redis = Redis.from_url(url)
    try:
        return list(await client.lrange(key, 0, -1))
    finally:
        await client.aclose()


@pytest.mark.redis
def test_unreadable_records_are_set_aside_even_when_replayed_first(
    redis_server: RedisServer,
) -> None:
    processing = processing_key_for(CDR_KEY)

    async def go() -> tuple[CdrListener, list[Any]]:
        # As left by the last run: the poison record waits in this desk's own list.
        client: Redis = Redis.from_url(redis_server.url)
        await client.lpush(processing, DEEP)
        await client.aclose()
        await push(redis_server.url, "not json", OVERFLOW, v3_cdr("after"))
        collector = Collector()
        cdrs = listener(redis_server.url, collector)
        cdrs.start()
        try:
            records = await collector.wait_for(2)
            assert cdrs.running
            return cdrs, records
        finally:
            await cdrs.stop()

    cdrs, records = asyncio.run(go())
    # The huge number is a readable record with its call time missing.
    assert [r.contact_ref for r in records] == ["huge-number", "after"]
    assert cdrs.unreadable == 2 and cdrs.dead_lettered == 2
    dead = asyncio.run(items(redis_server.url, cdrs.dead_key))
    assert sorted(dead, key=len) == [b"not json", DEEP.encode()]
    assert asyncio.run(list_length(redis_server.url, processing)) == 0


@pytest.mark.redis
def test_a_record_whose_handling_keeps_failing_is_set_aside_after_max_tries(
    redis_server: RedisServer,
) -> None:
    statuses: list[str] = []

    async def go() -> tuple[CdrListener, list[Any], int]:
        collector = Collector()
        tries = 0

        async def picky(record: Any) -> None:
            nonlocal tries
            if record.contact_ref == "poison":
                tries += 1
                raise ValueError("cannot record this one")
            await collector(record)

        cdrs = listener(redis_server.url, picky, on_status=statuses.append)
        cdrs.start()
        try:
            await push(redis_server.url, v3_cdr("poison"), v3_cdr("fine"))
            records = await collector.wait_for(1)
            await wait_until(lambda: cdrs.dead_lettered == 1 and cdrs.connected)
            return cdrs, records, tries
        finally:
            await cdrs.stop()

    cdrs, records, tries = asyncio.run(go())
    assert [r.contact_ref for r in records] == ["fine"]
    assert tries == MAX_TRIES
    (dead,) = asyncio.run(items(redis_server.url, cdrs.dead_key))
    assert b"poison" in dead
    # The user was told results stopped, then that they are back.
    assert "could not be recorded (ValueError)" in statuses[0]
    assert statuses[-1] == ""


@pytest.mark.redis
def test_an_unexpected_error_restarts_the_listener_and_is_reported(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    statuses: list[str] = []
    real_listen = CdrListener._listen
    failures = [RecursionError("from somewhere deep")]

    async def flaky_listen(self: CdrListener, client: Any) -> None:
        if failures:  # a rare failure, forced once
            raise failures.pop()
        await real_listen(self, client)

    monkeypatch.setattr(CdrListener, "_listen", flaky_listen)

    async def go() -> CdrListener:
        collector = Collector()
        cdrs = listener(redis_server.url, collector, on_status=statuses.append)
        cdrs.start()
        try:
            await push(redis_server.url, v3_cdr("arrives"))
            await asyncio.wait_for(collector.wait_for(1), WAIT)
            return cdrs
        finally:
            await cdrs.stop()

    cdrs = asyncio.run(go())
    assert cdrs.restarts == 1
    assert statuses == ["The call-result listener stopped (RecursionError); restarting.", ""]


def test_status_reports_reach_the_user_as_notices(redis_server_free_url: str) -> None:
    from dialer_gui.core.config import Config
    from dialer_gui.core.dialer import Dialer
    from dialer_gui.core.events import EventBus, Notice
    from dialer_gui.core.history import HistoryStore
    from dialer_gui.core.secrets import SecretStore
    from dialer_gui.vocabulary.profiles import ProviderProfile

    async def go() -> list[Notice]:
        config = Config()
        config.providers["tf"] = ProviderProfile(
            "tf", "teleforge",
            {"url": "https://127.0.0.1:9/", "agent": "1", "outbound_id": "2",
             "redis_url": redis_server_free_url},
        )  # fmt: skip
        bus = EventBus()
        seen: list[Notice] = []
        bus.subscribe(lambda e: seen.append(e) if isinstance(e, Notice) else None)
        dialer = Dialer(config, SecretStore(), HistoryStore(":memory:"), bus)
        await dialer.start_listeners()
        try:
            await wait_until(lambda: bool(seen))
        finally:
            await dialer.aclose()
        return seen

    (notice, *_) = asyncio.run(go())
    assert (notice.level, notice.title) == ("warning", "Call results are not arriving")
    assert "Redis" in notice.text


@pytest.fixture
def redis_server_free_url() -> str:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"
