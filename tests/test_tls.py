"""HTTPS to the PBX: an untrusted certificate stops the call before anything is sent.

The simulator serves TLS with certificates from a throwaway CA made at test time (openssl).
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tls_certs
from fake_secrets import StaticSecrets

from dialer_gui import providers as registry
from dialer_gui.core.config import Config, GeneralSettings
from dialer_gui.core.dialer import Dialer, DialPlan
from dialer_gui.core.history import HistoryStore
from dialer_gui.sandbox import SandboxThread
from dialer_gui.sandbox.demo import demo_profiles
from dialer_gui.vocabulary.calls import CallAttempt, CallState, Source

if tls_certs.OPENSSL is None:
    if os.environ.get("CI"):
        raise RuntimeError("CI must have the openssl command for the TLS tests")
    pytest.skip("the openssl command is not installed", allow_module_level=True)

NUMBERS = {"teleforge": "+27 82 000 1234"}
INTERNALS = re.compile(r"Traceback|Errno|SSL[A-Z]\w*Error|CERTIFICATE_VERIFY|\[SSL")


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> tls_certs.TestCA:
    return tls_certs.make_ca(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module")
def certs(ca: tls_certs.TestCA) -> dict[str, tls_certs.ServerCert]:
    return {
        "right": ca.issue("loopback", san="IP:127.0.0.1,DNS:localhost"),
        "wrong_host": ca.issue("elsewhere", san="DNS:pbx.elsewhere.example"),
    }


def _tls_sandbox(cert: tls_certs.ServerCert) -> Iterator[SandboxThread]:
    thread = SandboxThread(cdr_delay=0.05)
    thread.start(ssl=cert.context())
    try:
        yield thread
    finally:
        thread.stop()


@pytest.fixture
def tls_sandbox(certs: dict[str, tls_certs.ServerCert]) -> Iterator[SandboxThread]:
    yield from _tls_sandbox(certs["right"])


@pytest.fixture
def wrong_host_sandbox(certs: dict[str, tls_certs.ServerCert]) -> Iterator[SandboxThread]:
    yield from _tls_sandbox(certs["wrong_host"])


def dial(
    sandbox: SandboxThread, provider: str, **options: Any
) -> tuple[CallAttempt, DialPlan, HistoryStore]:
    profiles = demo_profiles(sandbox.base_url)
    name = f"demo-{provider}"
    profiles[name] = dataclasses.replace(
        profiles[name], options={**profiles[name].options, "timeout": 2.0, **options}
    )
    config = Config(general=GeneralSettings(region="GB", default_provider=name), providers=profiles)
    history = HistoryStore(":memory:")
    dialer = Dialer(config, StaticSecrets(), history)
    number = NUMBERS.get(provider, "+44 20 7946 0958")
    plan = dialer.plan(number, Source.DIALPAD)

    async def scenario() -> CallAttempt:
        try:
            return await dialer.dial_plan(plan)
        finally:
            await dialer.aclose()

    return asyncio.run(scenario()), plan, history


def test_sandbox_serves_https(tls_sandbox: SandboxThread) -> None:
    assert tls_sandbox.base_url.startswith("https://127.0.0.1:")


@pytest.mark.parametrize("provider", list(registry.PROVIDERS))
def test_untrusted_certificate_fails_before_anything_is_sent(
    tls_sandbox: SandboxThread, provider: str
) -> None:
    attempt, plan, history = dial(tls_sandbox, provider)
    assert attempt.state is CallState.FAILED, attempt.error
    assert attempt.error_category == "tls"
    assert attempt.error and "certificate" in attempt.error.lower()
    assert not INTERNALS.search(attempt.error), attempt.error
    assert tls_sandbox.requests == [], "a request got through an untrusted connection"
    assert not attempt.detail, "a certificate problem must not be retried"
    assert attempt.id is not None
    stored = history.get(attempt.id)
    assert stored is not None and stored.state is CallState.FAILED
    assert plan.warnings == []


def test_ca_file_makes_the_pbx_trusted(tls_sandbox: SandboxThread, ca: tls_certs.TestCA) -> None:
    attempt, plan, _ = dial(tls_sandbox, "simotel", ca_file=str(ca.cert))
    assert attempt.state is CallState.ACCEPTED, attempt.error
    assert len(tls_sandbox.requests) == 1
    assert plan.warnings == []


def test_verification_off_works_but_warns(tls_sandbox: SandboxThread) -> None:
    attempt, plan, _ = dial(tls_sandbox, "simotel", verify_tls=False)
    assert attempt.state is CallState.ACCEPTED, attempt.error
    assert len(tls_sandbox.requests) == 1
    assert any("TLS" in w and "OFF" in w for w in plan.warnings), plan.warnings


def test_certificate_for_another_host_is_refused(
    wrong_host_sandbox: SandboxThread, ca: tls_certs.TestCA
) -> None:
    attempt, _, _ = dial(wrong_host_sandbox, "simotel", ca_file=str(ca.cert))
    assert attempt.state is CallState.FAILED, attempt.error
    assert attempt.error_category == "tls"
    assert not INTERNALS.search(attempt.error or ""), attempt.error
    assert wrong_host_sandbox.requests == []


@pytest.mark.parametrize("content", [None, b"this is not a certificate"], ids=["missing", "junk"])
def test_unusable_ca_file_is_a_plain_failure(
    tls_sandbox: SandboxThread, tmp_path: Path, content: bytes | None
) -> None:
    path = tmp_path / "ca.pem"
    if content is not None:
        path.write_bytes(content)
    attempt, _, _ = dial(tls_sandbox, "simotel", ca_file=str(path))
    assert tls_sandbox.requests == []
    assert attempt.state is CallState.FAILED, attempt.error
    assert attempt.error_category in ("config", "tls")
    assert attempt.error and not INTERNALS.search(attempt.error), attempt.error
