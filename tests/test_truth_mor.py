"""MOR outcomes never lie: "Incorrect hash" in any form is a refusal, and it is the only answer
that is ever followed by a second request (the hash in the other order), through the loopback
simulator over real HTTP."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import pytest

from dialer_gui.providers import create_provider
from dialer_gui.providers.base import CallRequest, CallResult, Provider
from dialer_gui.providers.errors import ErrorCategory, ProviderError
from dialer_gui.sandbox import SandboxThread, demo
from dialer_gui.vocabulary.profiles import ProviderProfile
from dialer_gui.vocabulary.target import DialTarget, TargetKind

CURRENT = "device,dst,src"  # the vendor's current page
OLD = "device,src,dst"  # its 2015-2016 pages
DST = "37060000002"
CALL = CallRequest(
    DialTarget(TargetKind.EXTERNAL, "+37060000002", "+370 600 00002", "LT"), DST, "r"
)
SECOND = CallRequest(
    DialTarget(TargetKind.EXTERNAL, "+37060000003", "+370 600 00003", "LT"), "37060000003", "s"
)
FORMS = ("status", "page", "error", "page_error")


def digest(order: str, dst: str = DST, secret: str = demo.MOR_SECRET) -> str:
    values = {"device": demo.MOR_DEVICE, "src": demo.MOR_SRC, "dst": dst}
    joined = "".join(values[name] for name in order.split(","))
    return hashlib.sha1((joined + secret).encode()).hexdigest()


def provider(
    sandbox: SandboxThread, secrets: dict[str, str] | None = None, **options: Any
) -> Provider:
    base = demo.demo_profiles(sandbox.base_url)["demo-mor"]
    profile = ProviderProfile(base.name, base.type, {**base.options, **options})
    return create_provider(profile, demo.demo_secrets()["demo-mor"] if secrets is None else secrets)


def calls(p: Provider, *requests: CallRequest) -> list[CallResult | ProviderError]:
    """Place ``requests`` one after the other through the same provider."""

    async def go() -> list[CallResult | ProviderError]:
        out: list[CallResult | ProviderError] = []
        try:
            for request in requests:
                try:
                    out.append(await p.place_call(request))
                except ProviderError as exc:
                    out.append(exc)
        finally:
            await p.aclose()
        return out

    return asyncio.run(go())


def one(p: Provider) -> CallResult | ProviderError:
    (outcome,) = calls(p, CALL)
    return outcome


def state(sandbox: SandboxThread, **values: Any) -> None:
    async def update() -> None:
        sandbox.sandbox.state.update(values)

    sandbox.call(update())


def sent_hashes(sandbox: SandboxThread) -> list[str]:
    return [dict(p.split("=", 1) for p in r.query.split("&"))["hash"] for r in sandbox.requests]


@pytest.mark.parametrize("wrapper", [False, True])
@pytest.mark.parametrize("form", FORMS)
def test_incorrect_hash_in_any_form_is_a_credentials_failure(
    sandbox: SandboxThread, form: str, wrapper: bool
) -> None:
    state(sandbox, mor_hash_error_form=form, mor_html_wrapper=wrapper)
    err = one(provider(sandbox, {"secret": "wrong-secret"}))
    assert isinstance(err, ProviderError), err
    assert err.category is ErrorCategory.CREDENTIALS, err.message
    assert not err.maybe_placed
    assert "secret key" in err.message and "wrong-secret" not in err.message
    assert sandbox.sandbox.state["mor_calls"] == []
    # Both orders were tried once each: the secret itself is wrong.
    assert sent_hashes(sandbox) == [
        digest(CURRENT, secret="wrong-secret"),
        digest(OLD, secret="wrong-secret"),
    ]
    assert "both orders" in err.message


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize(("server", "profile"), [(OLD, CURRENT), (CURRENT, OLD)])
def test_the_other_hash_order_is_tried_once_and_remembered(
    sandbox: SandboxThread, form: str, server: str, profile: str
) -> None:
    state(sandbox, mor_hash_order=server, mor_hash_error_form=form)
    first, second = calls(provider(sandbox, hash_order=profile), CALL, SECOND)
    assert isinstance(first, CallResult), first
    assert isinstance(second, CallResult), second
    assert first.call_id and second.call_id
    # The first call: refused, then accepted in the other order; the second: the order that
    # worked, at once.
    assert sent_hashes(sandbox) == [
        digest(profile),
        digest(server),
        digest(server, dst="37060000003"),
    ]
    assert sandbox.sandbox.state["mor_calls"] == [
        (demo.MOR_SRC, DST),
        (demo.MOR_SRC, "37060000003"),
    ]
    readable = ", ".join(server.split(","))
    assert f"hash in the order {readable}" in first.message
    assert "hash_order" in first.message and "Settings" in first.message
    assert "order" not in second.message


def test_the_default_order_is_the_current_page(sandbox: SandboxThread) -> None:
    base = demo.demo_profiles(sandbox.base_url)["demo-mor"]
    options = {k: v for k, v in base.options.items() if k != "hash_order"}
    p = create_provider(
        ProviderProfile(base.name, base.type, options), demo.demo_secrets()["demo-mor"]
    )
    result = one(p)
    assert isinstance(result, CallResult), result
    assert sent_hashes(sandbox) == [digest(CURRENT)]


@pytest.mark.parametrize(
    ("setup", "options", "fault"),
    [
        ({}, {"u": "nobody"}, None),
        ({}, {"device": "999"}, None),
        ({"mor_api_disabled": True}, {}, None),
        ({}, {"method": "GET"}, None),
        ({}, {}, "reject_number"),
        ({}, {}, "bad_credentials"),
        ({}, {}, "http_500"),
        ({}, {}, "garbage"),
        ({}, {}, "reset"),
        ({}, {}, "timeout"),
    ],
)
def test_nothing_but_incorrect_hash_is_retried(
    sandbox: SandboxThread, setup: dict[str, Any], options: dict[str, Any], fault: str | None
) -> None:
    # MOR answers these before (or instead of) checking the hash: no second request.
    state(sandbox, mor_hash_order=OLD, **setup)
    if fault:
        sandbox.set_fault(fault, "mor")
    err = one(provider(sandbox, hash_order=OLD, timeout=0.5, **options))
    assert isinstance(err, ProviderError), err
    assert len(sandbox.requests) == 1


@pytest.mark.parametrize(("fault", "placed"), [("timeout", True), ("http_500", True)])
def test_the_retry_is_sent_once_whatever_it_hears(
    sandbox: SandboxThread, fault: str, placed: bool
) -> None:
    state(sandbox, mor_hash_order=OLD)
    p = provider(sandbox, hash_order=CURRENT, timeout=0.5)

    async def go() -> ProviderError:
        try:
            # Let the first request through, then break the second one.
            original = p.client.send

            async def send(request: Any, **kwargs: Any) -> Any:
                if len(sandbox.requests) == 1:
                    sandbox.set_fault(fault, "mor", times=1)
                return await original(request, **kwargs)

            p.client.send = send  # type: ignore[method-assign]
            with pytest.raises(ProviderError) as info:
                await p.place_call(CALL)
            return info.value
        finally:
            await p.aclose()

    err = asyncio.run(go())
    assert err.maybe_placed is placed
    assert len(sandbox.requests) == 2
