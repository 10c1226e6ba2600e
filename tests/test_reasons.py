"""Reason codes: every reason has its exit code and title, and dialing sets the right one."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from dialer_gui.core.config import Config, GeneralSettings
from dialer_gui.core.dialer import Dialer
from dialer_gui.core.history import HistoryStore
from dialer_gui.exitcodes import EXIT_CODES, ExitCode
from dialer_gui.sandbox import SandboxThread
from dialer_gui.sandbox.demo import demo_profiles, demo_secrets
from dialer_gui.vocabulary.calls import CallState, Source
from dialer_gui.vocabulary.reasons import NOT_SENT, TITLES, Reason


def test_every_reason_has_an_exit_code_and_a_title() -> None:
    assert set(EXIT_CODES) == set(Reason)
    assert set(TITLES) == set(Reason)
    assert all(TITLES[r] for r in Reason)


def test_exit_codes_follow_what_the_pbx_may_have_done() -> None:
    assert {EXIT_CODES[r] for r in NOT_SENT} <= {
        ExitCode.INPUT, ExitCode.NO_PROVIDER, ExitCode.CALL_FAILED, ExitCode.CANCELLED,
    }  # fmt: skip
    assert EXIT_CODES[Reason.MAYBE_PLACED] is EXIT_CODES[Reason.INTERNAL_ERROR] is ExitCode.UNKNOWN
    assert EXIT_CODES[Reason.REFUSED] is ExitCode.CALL_FAILED


class Secrets:
    def secrets_for(self, name: str, fields: object) -> dict[str, str]:
        return dict(demo_secrets().get(name, {}))


@pytest.mark.parametrize(
    ("text", "source", "provider", "general", "reason", "state"),
    [
        ("+1 201 555 0123", Source.DIALPAD, None, {}, Reason.ACCEPTED, CallState.ACCEPTED),
        ("hello", Source.DIALPAD, None, {}, Reason.NOT_DIALABLE, CallState.FAILED),
        ("+1 201 555 0123", Source.DIALPAD, "ghost", {}, Reason.UNKNOWN_PROVIDER, CallState.FAILED),
        ("+1 900 555 0123", Source.DIALPAD, None, {"blocked_prefixes": ["+1900"]},
         Reason.BLOCKED_NUMBER, CallState.BLOCKED),
        ("+1 201 555 0123", Source.LINK, None, {}, Reason.NEEDS_CONFIRMATION, CallState.BLOCKED),
    ],
)  # fmt: skip
def test_dialing_sets_the_reason_and_refusals_send_nothing(
    sandbox: SandboxThread,
    tmp_path: Path,
    text: str,
    source: Source,
    provider: str | None,
    general: dict[str, object],
    reason: Reason,
    state: CallState,
) -> None:
    profiles = demo_profiles(sandbox.base_url)
    config = Config(
        general=GeneralSettings(default_provider="demo-simotel", **general),  # type: ignore[arg-type]
        providers=profiles,
    )
    history = HistoryStore(tmp_path / "h.sqlite3")
    dialer = Dialer(config, Secrets(), history)

    async def go() -> tuple[Reason | None, CallState]:
        try:
            attempt = await dialer.dial(text, source, provider=provider)
        finally:
            await dialer.aclose()
        return attempt.reason, attempt.state

    assert asyncio.run(go()) == (reason, state)
    history.close()
    assert bool(sandbox.requests) == (reason not in NOT_SENT)


def test_no_provider_at_all(tmp_path: Path) -> None:
    history = HistoryStore(tmp_path / "h.sqlite3")
    dialer = Dialer(Config(), Secrets(), history)
    plan = dialer.plan("+1 201 555 0123", Source.CLI)
    assert plan.reason is Reason.NO_PROVIDER and plan.error
    history.close()
