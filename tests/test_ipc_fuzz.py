"""Fuzzing the IPC decoder: any bytes give a Message or an IPCError, quickly."""

from __future__ import annotations

import json
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialer_gui import ipc
from dialer_gui.errors import IPCError

FUZZ = settings(
    max_examples=300,
    deadline=timedelta(milliseconds=200),
    suppress_health_check=[HealthCheck.too_slow],
)


def decode_or_error(data: bytes) -> ipc.Message | None:
    try:
        message = ipc.decode(data)
    except IPCError as exc:
        assert str(exc)
        return None
    assert isinstance(message, ipc.Message)
    return message


def check_accepted(message: ipc.Message) -> None:
    """Whatever decode accepts is safe to act on and encodes back to itself."""
    assert message.kind in ipc.KINDS and message.source in ipc.SOURCES
    assert len(message.arg) <= ipc.MAX_ARG
    assert not message.arg.lstrip().startswith("-")
    assert all(ch.isprintable() for ch in message.arg)
    assert ipc.decode(ipc.encode(message)) == message


@FUZZ
@given(st.binary(max_size=ipc.MAX_MESSAGE + 64))
def test_arbitrary_bytes(data: bytes) -> None:
    message = decode_or_error(data)
    if message is not None:
        check_accepted(message)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
near_args = st.one_of(
    st.text(max_size=80),
    st.from_regex(r"(tel|callto|sips?|TEL):[ -~]{0,40}", fullmatch=True),
    st.from_regex(r"[-+0-9 ().A-Za-z/]{0,70}", fullmatch=True),
)


@FUZZ
@given(
    v=st.one_of(st.just(1), json_values),
    kind=st.one_of(st.sampled_from(sorted(ipc.KINDS)), json_values),
    arg=st.one_of(near_args, json_values),
    source=st.one_of(st.sampled_from(sorted(ipc.SOURCES)), json_values),
    extra=st.dictionaries(
        st.sampled_from(["v", "kind", "arg", "source", "x"]), json_values, max_size=1
    ),
)
def test_structured_json(
    v: object, kind: object, arg: object, source: object, extra: dict[str, object]
) -> None:
    fields = {"v": v, "kind": kind, "arg": arg, "source": source, **extra}
    message = decode_or_error(json.dumps(fields).encode() + b"\n")
    if message is not None:
        check_accepted(message)
        assert "x" not in extra


@FUZZ
@given(st.sampled_from(sorted(ipc.KINDS)), near_args, st.sampled_from(sorted(ipc.SOURCES)))
def test_encode_and_decode_agree(kind: str, arg: str, source: str) -> None:
    message = ipc.Message(kind, arg, source)
    try:
        data = ipc.encode(message)
    except IPCError:
        return
    assert len(data) <= ipc.MAX_MESSAGE and data.endswith(b"\n") and data.count(b"\n") == 1
    assert ipc.decode(data) == message
