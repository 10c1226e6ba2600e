"""Any answer at all, for every provider: a CallResult or a ProviderError, quickly.

httpx's own fake transport serves the fuzzed answer (a parser harness; the wire itself is
covered by the loopback simulator elsewhere). Besides random bytes, the answers include
near-valid shapes of each API with random values, where parser bugs hide, and answers nested
far too deeply or larger than the size cap, wrapped in each API's success shape: those may
never be read as a success, nor crash a parser, and a non-2xx answer is never a success.
"""

from __future__ import annotations

import asyncio
import json
import string
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialer_gui import providers as registry
from dialer_gui.core.numbers import parse_target
from dialer_gui.providers import create_provider
from dialer_gui.providers.base import CallRequest, CallResult
from dialer_gui.providers.errors import ErrorCategory, ProviderError
from dialer_gui.providers.http import MAX_BODY, MAX_DEPTH
from dialer_gui.sandbox.demo import demo_profiles, demo_secrets

PROVIDERS = tuple(registry.PROVIDERS)
BASE = "http://127.0.0.1:9"  # never contacted: the fake transport answers
MAX_CALL_ID = 128
TIME_LIMIT = 2.0
FUZZ = settings(
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

KEYS = ["success", "message", "data", "originated_call_id", "result", "Message", "token",
        "responses", "code", "key", "callid", "status", "error", "contact_ref"]  # fmt: skip
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True),
    st.text(max_size=40),
    st.sampled_from(["1", "0", "200", "204", "400", "401", "Success", "ok", "Ok", ""]),
    st.text(min_size=200, max_size=3000),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), inner, max_size=5),
    ),
    max_leaves=12,
)


def _near_valid(value: Any) -> list[bytes]:
    """Each API's success shape with ``value`` where the call ID goes."""
    text = value if isinstance(value, str) else json.dumps(value)
    xml_text = text.replace("&", "&amp;").replace("<", "&lt;")
    shapes: list[Any] = [
        {"success": 1, "message": None, "data": {"originated_call_id": value}},
        {"success": "1", "data": value},
        {"result": "Success", "Message": value},
        {"responses": [{"code": "200", "key": "", "message": "OK"}], "data": {"callid": value}},
        {"responses": [{"code": value}], "data": value},
        {"status": "queued", "contact_ref": value},
    ]
    out = [json.dumps(s).encode() for s in shapes]
    out.append(
        f"<page><status>ok</status><callback_uniqueid>{xml_text}</callback_uniqueid></page>".encode()
    )
    out.append(f"<status>{xml_text}</status>".encode())
    out.append(f"<page><status><error>{xml_text}</error></status></page>".encode())
    return out


bodies = st.one_of(
    st.binary(max_size=2048),
    st.text(max_size=500).map(str.encode),
    json_values.map(lambda v: json.dumps(v).encode()),
    json_values.flatmap(lambda v: st.sampled_from(_near_valid(v))),
)
statuses = st.one_of(
    st.sampled_from([200, 201, 202, 204, 302, 400, 401, 403, 404, 405, 415, 500, 501, 502]),
    st.integers(min_value=200, max_value=599),
)
content_types = st.sampled_from(
    [
        "application/json",
        "text/html",
        "text/xml",
        "text/plain",
        "",
        "application/json; charset=latin-1",
        "application/octet-stream",
        "text/html; charset=utf-16",
    ]
)


def _profile(provider: str) -> Any:
    profiles = demo_profiles(BASE)
    name = f"demo-{provider}"
    if name not in profiles:
        pytest.skip(f"no demo profile for {provider} yet")
    return profiles[name], demo_secrets().get(name, {})


def _request(provider: str) -> CallRequest:
    if provider == "teleforge":
        return CallRequest(parse_target("+27 82 000 1234"), "27820001234", "dg-fuzz-ref")
    return CallRequest(parse_target("+44 20 7946 0958"), "442079460958", "dg-fuzz-ref")


LOGIN_OK = b'{"result":"Success", "Message":"Login Successfully","token":"abcdEFGH12345678"}'


@pytest.mark.parametrize("provider", PROVIDERS)
@FUZZ
@given(body=bodies, status=statuses, content_type=content_types)
def test_any_answer_is_a_result_or_a_provider_error(
    provider: str, body: bytes, status: int, content_type: str
) -> None:
    profile, secrets = _profile(provider)

    def answer(request: httpx.Request) -> httpx.Response:
        headers = {"Content-Type": content_type} if content_type else {}
        if provider == "fonality" and b"method=login" in request.content:
            # Let the login through so the fuzzed answer reaches the dial parser.
            return httpx.Response(200, content=LOGIN_OK, headers=headers)
        return httpx.Response(status, content=body, headers=headers)

    provider_obj = create_provider(profile, secrets, transport=httpx.MockTransport(answer))

    async def place() -> CallResult | ProviderError:
        try:
            return await asyncio.wait_for(provider_obj.place_call(_request(provider)), TIME_LIMIT)
        except ProviderError as exc:
            return exc
        finally:
            await provider_obj.aclose()

    outcome = asyncio.run(place())
    if isinstance(outcome, ProviderError):
        assert outcome.message and isinstance(outcome.message, str)
        assert outcome.raw is None or isinstance(outcome.raw, str)
        return
    assert isinstance(outcome, CallResult)
    assert 200 <= status < 300, f"HTTP {status} was taken as the PBX accepting the call"
    # Its shape (short, printable) is checked case by case below, so a rare draw here does
    # not turn a known, reported bug into a flaky failure.
    assert outcome.call_id is None or isinstance(outcome.call_id, str)
    assert isinstance(outcome.raw, str)


# -- nested too deeply, or larger than the cap ----------------------------------------------

# Each API's success shape, with the hostile part where its data goes.
SUCCESS_SHAPES = [
    ('{"success": 1, "message": "ok", "data": ', "}"),
    ('{"result": "Success", "Message": ', "}"),
    ('{"responses": [{"code": "200", "message": "OK"}], "data": ', "}"),
    ('{"ok": true, "id": "wh-1", "data": ', "}"),
    ('{"status": "queued", "contact_ref": ', "}"),
    ("", ""),
]
OPENERS = {"[": "]", '{"a": ': "}", '{"data": ': "}", '{"success": 1, "x": ': "}"}
XML_SUCCESS = ("<page><status>ok</status><callback_uniqueid>", "</callback_uniqueid></page>")
depths = st.one_of(
    st.sampled_from([MAX_DEPTH + 1, 100, 999, 1000, 1001, 5000, 100_000]),
    st.integers(min_value=MAX_DEPTH + 1, max_value=100_000),
)


@st.composite
def out_of_bounds(draw: st.DrawFn) -> bytes:
    """A success-shaped answer that is nested deeper than MAX_DEPTH or cut at MAX_BODY."""
    kind = draw(st.sampled_from(["json", "xml", "oversized"]))
    if kind == "oversized":
        good = draw(st.sampled_from([*_near_valid("abc-1"), b'{"ok": true, "id": "wh-1"}']))
        padding = draw(st.sampled_from([b" ", b"\n", b"x", b"<a/>", b"[1],"]))
        size = draw(st.integers(min_value=MAX_BODY + 1, max_value=MAX_BODY + 50_000))
        return good + padding * ((size - len(good)) // len(padding) + 1)
    depth = draw(depths)
    if kind == "xml":
        head, tail = XML_SUCCESS
        return (head + "<a>" * depth + "1" + "</a>" * depth + tail).encode()
    unit = draw(st.lists(st.sampled_from(sorted(OPENERS)), min_size=1, max_size=3))
    openers = (unit * (depth // len(unit) + 1))[:depth]
    nested = "".join(openers) + "1" + "".join(OPENERS[o] for o in reversed(openers))
    head, tail = draw(st.sampled_from(SUCCESS_SHAPES))
    return (head + nested + tail).encode()


bounded_statuses = st.one_of(
    st.sampled_from([200, 201, 202, 204, 299, 301, 400, 401, 403, 404, 407, 409, 500, 503]),
    st.integers(min_value=200, max_value=599),
)


@pytest.mark.parametrize("provider", PROVIDERS)
@settings(FUZZ, max_examples=40)
@given(
    body=out_of_bounds(),
    status=bounded_statuses,
    content_type=st.sampled_from(["application/json", "text/xml", "text/plain", ""]),
    at_login=st.booleans(),
)
def test_answer_out_of_bounds_is_never_misread(
    provider: str, body: bytes, status: int, content_type: str, at_login: bool
) -> None:
    profile, secrets = _profile(provider)
    at_login = at_login and provider == "fonality"  # the only API with a step before the dial

    def answer(request: httpx.Request) -> httpx.Response:
        headers = {"Content-Type": content_type} if content_type else {}
        if provider == "fonality" and b"method=login" in request.content and not at_login:
            return httpx.Response(200, content=LOGIN_OK)
        return httpx.Response(status, content=body, headers=headers)

    provider_obj = create_provider(profile, secrets, transport=httpx.MockTransport(answer))

    async def place() -> CallResult | ProviderError:
        # Only ProviderError is caught: RecursionError or any other exception fails the test.
        try:
            return await asyncio.wait_for(provider_obj.place_call(_request(provider)), TIME_LIMIT)
        except ProviderError as exc:
            return exc
        finally:
            await provider_obj.aclose()

    outcome = asyncio.run(place())
    success = 200 <= status < 300
    if at_login:
        # The login never dials: whatever it answered, nothing was placed.
        assert isinstance(outcome, ProviderError) and not outcome.maybe_placed, outcome
        return
    if status in (401, 403, 407):
        assert isinstance(outcome, ProviderError), f"HTTP {status} accepted"
        assert not outcome.maybe_placed, outcome.message
        assert outcome.category in (ErrorCategory.CREDENTIALS, ErrorCategory.NOT_PERMITTED)
        return
    if not success:
        assert isinstance(outcome, ProviderError), f"HTTP {status} accepted"
        return
    # A 2xx to the dial request that cannot be read: the PBX may have dialed.
    assert isinstance(outcome, ProviderError), "an unreadable answer was taken as a success"
    assert outcome.maybe_placed, outcome.message
    assert outcome.category is ErrorCategory.UNEXPECTED


def short_printable(call_id: str | None) -> bool:
    return call_id is None or (
        0 < len(call_id) <= MAX_CALL_ID and call_id.isprintable() and call_id.strip() == call_id
    )


# Call IDs a PBX (or something posing as one) could send: each must be refused or cleaned.
HOSTILE_IDS: dict[str, Any] = {
    "long": "9" * 5000,
    "list": ["1" * 200],
    "object": {"id": "x" * 300},
    "blank": "   ",
    "newline": "123\n456",
    "control": "12\u001b[31m34",
}
ANSWERS = {
    "simotel": lambda v: json.dumps({"success": 1, "data": {"originated_call_id": v}}),
    "enswitch": lambda v: json.dumps(
        {"responses": [{"code": "200", "message": "OK"}], "data": {"callid": v}}
    ),
    "webhook": lambda v: json.dumps({"ok": True, "id": v}),
    "mor": lambda v: (
        "<page><status>ok</status><callback_uniqueid>"
        + (v if isinstance(v, str) else json.dumps(v))
        .replace("\n", "&#10;")
        .replace("\u001b", "&#x1b;")
        + "</callback_uniqueid></page>"
    ),
}


def _id_params() -> list[Any]:
    params = []
    for provider in ANSWERS:
        for case in HOSTILE_IDS:
            params.append(pytest.param(provider, case, id=f"{provider}-{case}"))
    return params


@pytest.mark.parametrize(("provider", "case"), _id_params())
def test_hostile_call_id_never_reaches_the_result(provider: str, case: str) -> None:
    profile, secrets = _profile(provider)
    body = ANSWERS[provider](HOSTILE_IDS[case]).encode()
    provider_obj = create_provider(
        profile,
        secrets,
        transport=httpx.MockTransport(lambda _r: httpx.Response(200, content=body)),
    )

    async def place() -> CallResult | ProviderError:
        try:
            return await provider_obj.place_call(_request(provider))
        except ProviderError as exc:
            return exc
        finally:
            await provider_obj.aclose()

    outcome = asyncio.run(place())
    call_id = outcome.call_id if isinstance(outcome, CallResult) else None
    assert short_printable(call_id), f"call ID {call_id!r}"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_valid_answers_still_pass_the_harness(provider: str) -> None:
    """The harness itself: a well-formed success through the fake transport is accepted."""
    profile, secrets = _profile(provider)
    good = {
        "fonality": (200, b'{"result":"Success", "Message":"Placing call now"}'),
        "simotel": (200, b'{"success":1,"message":null,"data":{"originated_call_id":"orig.1"}}'),
        "mor": (200, b"<page><status>ok</status><callback_uniqueid>42</callback_uniqueid></page>"),
        "enswitch": (200, b'{"responses":[{"code":"200","message":"OK"}],"data":{"callid":"1.2"}}'),
        "teleforge": (201, b'{"status":"queued"}'),
        "webhook": (200, b'{"ok": true, "id": "wh-1"}'),
    }  # fmt: skip
    status, body = good[provider]

    def answer(request: httpx.Request) -> httpx.Response:
        if provider == "fonality" and b"method=login" in request.content:
            return httpx.Response(200, content=LOGIN_OK)
        return httpx.Response(status, content=body)

    provider_obj = create_provider(profile, secrets, transport=httpx.MockTransport(answer))

    async def place() -> CallResult:
        try:
            return await provider_obj.place_call(_request(provider))
        finally:
            await provider_obj.aclose()

    result = asyncio.run(place())
    assert isinstance(result, CallResult)
    assert set(string.printable) >= set(result.call_id or "")
