"""Kolmisoft MOR callback provider against the loopback simulator, over real HTTP."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import httpx
import pytest

from dialer_gui.providers import create_provider
from dialer_gui.providers.base import CallRequest, Provider
from dialer_gui.providers.errors import ErrorCategory, ProviderError
from dialer_gui.providers.mor import MorProvider
from dialer_gui.providers.redaction import MASK
from dialer_gui.sandbox import demo
from dialer_gui.vocabulary.profiles import ProviderProfile
from dialer_gui.vocabulary.target import DialTarget, TargetKind

DST = "37060000002"
CALL = CallRequest(
    DialTarget(TargetKind.EXTERNAL, "+37060000002", "+370 600 00002", "LT"), DST, "r"
)


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def profile(sandbox_url: str, **options: Any) -> ProviderProfile:
    base = demo.demo_profiles(sandbox_url)["demo-mor"]
    return ProviderProfile(base.name, base.type, {**base.options, **options})


def provider(sandbox: Any, secrets: dict[str, str] | None = None, **options: Any) -> Provider:
    secrets = demo.demo_secrets()["demo-mor"] if secrets is None else secrets
    return create_provider(profile(sandbox.base_url, **options), secrets)


def run(p: Provider, step: Any = None) -> Any:
    """Place CALL (or run ``step``) in a fresh loop; a ProviderError is returned, not raised."""

    async def go() -> Any:
        try:
            return await (step() if step else p.place_call(CALL))
        except ProviderError as exc:
            return exc
        finally:
            await p.aclose()

    return asyncio.run(go())


def set_state(sandbox: Any, **values: Any) -> None:
    async def update() -> None:
        sandbox.sandbox.state.update(values)

    sandbox.call(update())


def test_post_with_the_query_of_the_doc(sandbox: Any) -> None:
    result = run(provider(sandbox))
    assert result.call_id and result.call_id.isdigit()
    (r,) = sandbox.requests
    # The hash order of the vendor's current page, the default: device, dst, src.
    digest = sha1(f"{demo.MOR_DEVICE}{DST}{demo.MOR_SRC}{demo.MOR_SECRET}")
    assert r.method == "POST"
    assert r.target == (
        f"/billing/api/callback_init?u=demo&device=1002&src=37060000001&dst={DST}"
        f"&hash={digest}&callback_uniqueid=1"
    )
    assert r.body == b""
    assert sandbox.sandbox.state["mor_calls"] == [(demo.MOR_SRC, DST)]


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("device,src,dst", "171e175d4185275f8d1dc9d9ff231df9f15abee0"),
        ("device,dst,src", "1932bcbb1ecc2cea1432527e0842056e91d34611"),
    ],
)
def test_research_hash_vectors(sandbox: Any, order: str, expected: str) -> None:
    # The simulator's secret differs, so MOR refuses; what matters is the hash that was sent.
    p = provider(sandbox, {"secret": "secret"}, hash_order=order)
    err = run(p)
    assert err.category is ErrorCategory.CREDENTIALS
    assert "both orders" in err.message
    # The configured order first, then (after "Incorrect hash") the other one, once.
    first, second = sandbox.requests
    assert f"&hash={expected}&" in first.target
    assert f"&hash={expected}&" not in second.target


@pytest.mark.parametrize("order", ["device,src,dst", "device,dst,src"])
def test_hash_order_of_the_server_is_found(sandbox: Any, order: str) -> None:
    set_state(sandbox, mor_hash_order=order)
    assert run(provider(sandbox, hash_order=order)).message == "Callback started"
    assert len(sandbox.requests) == 1
    other = next(o for o in ("device,src,dst", "device,dst,src") if o != order)
    result = run(provider(sandbox, hash_order=other))
    assert result.call_id
    assert f"Set “Hash order” (hash_order) to {order} in Settings" in result.message
    assert len(sandbox.requests) == 3


def test_optional_parameters_and_legacy_path(sandbox: Any) -> None:
    p = provider(
        sandbox, path="callback", cli_lega="100", cli_legb="37052000000", server_id="2",
        callback_uniqueid=False,
    )  # fmt: skip
    result = run(p)
    assert result.call_id is None
    (r,) = sandbox.requests
    assert r.path == "/billing/api/callback"
    assert r.query.endswith("&cli_lega=100&cli_legb=37052000000&server_id=2")


def test_no_uniqueid_when_mor_conf_lacks_it(sandbox: Any) -> None:
    set_state(sandbox, mor_use_uniqueid=False)
    result = run(provider(sandbox))
    assert result.call_id is None
    assert "<status>Ok</status>" in result.raw


def test_html_wrapper_is_read(sandbox: Any) -> None:
    set_state(sandbox, mor_html_wrapper=True)
    result = run(provider(sandbox))
    assert result.raw.startswith("<HTML>")
    assert result.call_id


def test_get_is_refused_unless_allowed(sandbox: Any) -> None:
    err = run(provider(sandbox, method="GET"))
    assert err.category is ErrorCategory.NOT_PERMITTED
    assert "POST" in err.message
    set_state(sandbox, mor_allow_get=True)
    assert run(provider(sandbox, method="GET")).call_id
    assert [r.method for r in sandbox.requests] == ["GET", "GET"]


@pytest.mark.parametrize(
    ("setup", "options", "secrets", "category", "words"),
    [
        ({}, {"u": "nobody"}, None, ErrorCategory.CREDENTIALS, "no MOR user “nobody”"),
        ({}, {}, {"secret": "wrong-secret"}, ErrorCategory.CREDENTIALS, "secret key"),
        ({"mor_hash_error_form": "page"}, {}, {"secret": "wrong-secret"},
         ErrorCategory.CREDENTIALS, "both orders"),
        ({}, {"device": "999"}, None, ErrorCategory.CONFIG, "device “999”"),
        ({"mor_api_disabled": True}, {}, None, ErrorCategory.NOT_PERMITTED, "API is turned off"),
    ],
)  # fmt: skip
def test_documented_errors(
    sandbox: Any,
    setup: dict[str, Any],
    options: dict[str, Any],
    secrets: dict[str, str] | None,
    category: ErrorCategory,
    words: str,
) -> None:
    set_state(sandbox, **setup)
    err = run(provider(sandbox, secrets, **options))
    assert isinstance(err, ProviderError), err
    assert err.category is category
    assert not err.maybe_placed
    assert words in err.message and "demo-mor" in err.message
    assert err.raw and "<status>" in err.raw
    assert "wrong-secret" not in err.message


@pytest.mark.parametrize(
    ("kind", "category", "words"),
    [
        ("bad_credentials", ErrorCategory.CREDENTIALS, "Not authenticated"),
        ("not_permitted", ErrorCategory.NOT_PERMITTED, "Access Denied"),
        ("reject_number", ErrorCategory.REJECTED_NUMBER, DST),
    ],
)
def test_api_refusals(sandbox: Any, kind: str, category: ErrorCategory, words: str) -> None:
    sandbox.set_fault(kind, "mor")
    err = run(provider(sandbox))
    assert err.category is category
    assert not err.maybe_placed
    assert words in err.message


@pytest.mark.parametrize(
    ("kind", "category"),
    [
        ("reset", ErrorCategory.UNEXPECTED),
        ("http_500", ErrorCategory.UNEXPECTED),
        ("garbage", ErrorCategory.UNEXPECTED),
        ("html", ErrorCategory.UNEXPECTED),
        ("timeout", ErrorCategory.TIMEOUT),
    ],
)
def test_broken_answers_may_have_placed_the_call(
    sandbox: Any, kind: str, category: ErrorCategory
) -> None:
    sandbox.set_fault(kind, "mor")
    err = run(provider(sandbox, timeout=0.5))
    assert isinstance(err, ProviderError)
    assert err.category is category
    assert err.maybe_placed
    assert len(sandbox.requests) == 1


def canned(body: str) -> MorProvider:
    """A provider whose "PBX" is httpx's built-in fake, for answers the simulator never gives."""
    transport = httpx.MockTransport(lambda request: httpx.Response(200, text=body))
    p = MorProvider(
        profile("http://mor.invalid/billing"), {"secret": "s3cret"}, transport=transport
    )
    return p


@pytest.mark.parametrize(
    ("body", "category", "placed", "words"),
    [
        ('<?xml version="1.0" encoding="UTF-8"?>\n<status>No source</status>',
         ErrorCategory.CONFIG, False, "own phone number"),
        ('<?xml version="1.0" encoding="UTF-8"?>\n<status>PIN was not found</status>',
         ErrorCategory.NOT_PERMITTED, False, "PIN"),
        ("<Status>Bad device</Status>", ErrorCategory.CONFIG, False, "device “1002”"),
        ("<status>Something new</status>", ErrorCategory.UNEXPECTED, True, "Something new"),
        ('<!DOCTYPE x [<!ENTITY a "aaaa">]><status>&a;</status>',
         ErrorCategory.UNEXPECTED, True, "HTML page"),
        ("<page><nothing/></page>", ErrorCategory.UNEXPECTED, True, "no status"),
    ],
)  # fmt: skip
def test_other_documented_and_odd_answers(
    body: str, category: ErrorCategory, placed: bool, words: str
) -> None:
    err = run(canned(body))
    assert isinstance(err, ProviderError)
    assert err.category is category
    assert err.maybe_placed is placed
    assert words in err.message


def test_capital_status_from_old_mor_is_success() -> None:
    assert run(canned('<?xml version="1.0"?>\n<Status>Ok</Status>')).call_id is None


def test_describe_masks_secret_and_hash(sandbox: Any) -> None:
    p = provider(sandbox)
    (wire,) = p.describe(CALL)
    digest = sha1(f"{demo.MOR_DEVICE}{DST}{demo.MOR_SRC}{demo.MOR_SECRET}")
    assert wire.method == "POST"
    assert wire.url == (
        f"{sandbox.base_url}/billing/api/callback_init?u=demo&device=1002&src=37060000001"
        f"&dst={DST}&hash={MASK}&callback_uniqueid=1"
    )
    text = wire.render()
    assert digest not in text and demo.MOR_SECRET not in text
    assert sandbox.requests == []


def test_check_sends_nothing(sandbox: Any) -> None:
    p = provider(sandbox)
    message = run(p, p.check)
    assert "nothing was sent" in message and f"hash={MASK}" in message
    assert sandbox.requests == []
    q = provider(sandbox, {})
    assert run(q, q.check).category is ErrorCategory.CONFIG


def test_missing_settings_send_nothing(sandbox: Any) -> None:
    for options, secrets in (({"device": ""}, None), ({"src": ""}, None), ({}, {})):
        err = run(provider(sandbox, secrets, **options))
        assert err.category is ErrorCategory.CONFIG
    assert sandbox.requests == []


def test_simulator_reads_a_form_body(sandbox: Any) -> None:
    digest = sha1(f"{demo.MOR_DEVICE}{DST}{demo.MOR_SRC}{demo.MOR_SECRET}")  # the other order
    form = {"u": "demo", "device": "1002", "src": demo.MOR_SRC, "dst": DST, "hash": digest}
    answer = httpx.post(f"{sandbox.base_url}/billing/api/callback_init", data=form)
    assert answer.text == '<?xml version="1.0" encoding="UTF-8"?>\n<status>Ok</status>\n'
