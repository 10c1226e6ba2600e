"""PBX answers nested too deeply or too large to read: the state the status and request prove.

Every answer is read through ``providers.http.read_json`` / ``read_xml``, which refuse JSON or
XML nested deeper than ``MAX_DEPTH`` and answers cut at ``MAX_BODY``, so no parser recursion
blows up into an "internal error". What is left is what the HTTP status and the request say: a
401 refused the credentials (nothing dialed), a Fonality login never dials (failed), and a 2xx
to a dial request we cannot read may have dialed (unknown, never failed nor accepted).

The loopback simulator serves the hostile answers (its ``deep*`` faults: JSON nested 100,000
levels); the depth boundary itself is checked on the helpers.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from fake_secrets import StaticSecrets

from dialer_gui.core.config import Config, GeneralSettings, save_config
from dialer_gui.core.dialer import Dialer
from dialer_gui.core.history import HistoryStore
from dialer_gui.core.numbers import parse_target
from dialer_gui.exitcodes import ExitCode
from dialer_gui.providers import create_provider
from dialer_gui.providers.base import CallRequest, CallResult
from dialer_gui.providers.errors import ErrorCategory, ProviderError
from dialer_gui.providers.http import (
    CUT_NOTE,
    MAX_BODY,
    MAX_DEPTH,
    AnswerOutOfBounds,
    read_json,
    read_xml,
)
from dialer_gui.sandbox import SandboxThread
from dialer_gui.sandbox.demo import demo_profiles, demo_secrets
from dialer_gui.vocabulary.calls import CallAttempt, CallState, Source

PROVIDERS = ("fonality", "simotel", "mor", "enswitch", "teleforge", "webhook")
NUMBERS = {"teleforge": "+27 82 000 1234"}
DEFAULT_NUMBER = "+44 20 7946 0958"
WARM_NUMBER = "+44 20 7946 0111"
FAILED, UNKNOWN, ACCEPTED = CallState.FAILED, CallState.UNKNOWN, CallState.ACCEPTED


def dial(
    sandbox: SandboxThread, provider: str, tmp_path: Path, fault: str, *, at_login: bool = False
) -> CallAttempt:
    """One call through ``provider`` with ``fault`` on its dial request (or Fonality's login)."""
    profiles = demo_profiles(sandbox.base_url)
    name = f"demo-{provider}"
    profiles[name] = dataclasses.replace(
        profiles[name], options={**profiles[name].options, "timeout": 5.0}
    )
    config = Config(general=GeneralSettings(region="GB", default_provider=name), providers=profiles)
    history = HistoryStore(tmp_path / "history.sqlite3")
    dialer = Dialer(config, StaticSecrets(), history)

    async def go() -> CallAttempt:
        try:
            if provider == "fonality" and not at_login:
                warm = await dialer.dial(WARM_NUMBER, Source.DIALPAD)
                assert warm.state is ACCEPTED, warm.error
                await asyncio.to_thread(sandbox.clear)
            sandbox.set_fault(fault, provider, times=1)
            return await dialer.dial(NUMBERS.get(provider, DEFAULT_NUMBER), Source.DIALPAD)
        finally:
            await dialer.aclose()
            history.close()

    return asyncio.run(go())


def assert_no_crash(attempt: CallAttempt, caplog: pytest.LogCaptureFixture) -> None:
    assert "internal error" not in (attempt.error or "").lower(), attempt.error
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_deep_2xx_answer_to_a_dial_is_unknown(
    sandbox: SandboxThread, tmp_path: Path, provider: str, caplog: pytest.LogCaptureFixture
) -> None:
    attempt = dial(sandbox, provider, tmp_path, "deep")
    assert_no_crash(attempt, caplog)
    assert attempt.state is UNKNOWN, attempt.error
    assert attempt.error_category == "unexpected"
    assert "check your phone" in (attempt.error or "").lower()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_deep_401_answer_is_refused_credentials(
    sandbox: SandboxThread, tmp_path: Path, provider: str, caplog: pytest.LogCaptureFixture
) -> None:
    attempt = dial(sandbox, provider, tmp_path, "deep_401")
    assert_no_crash(attempt, caplog)
    assert attempt.state is FAILED, attempt.error
    # Click2Dial has no credentials: its 401 means this integrator or port is not allowed.
    assert attempt.error_category == ("not_permitted" if provider == "teleforge" else "credentials")


@pytest.mark.parametrize("provider", PROVIDERS)
def test_deep_400_answer_is_not_placed(
    sandbox: SandboxThread, tmp_path: Path, provider: str, caplog: pytest.LogCaptureFixture
) -> None:
    attempt = dial(sandbox, provider, tmp_path, "deep_400")
    assert_no_crash(attempt, caplog)
    assert attempt.state is FAILED, attempt.error


@pytest.mark.parametrize("fault", ["deep", "deep_400", "deep_401"])
def test_deep_answer_to_the_fonality_login_is_not_placed(
    sandbox: SandboxThread, tmp_path: Path, fault: str, caplog: pytest.LogCaptureFixture
) -> None:
    attempt = dial(sandbox, "fonality", tmp_path, fault, at_login=True)
    assert_no_crash(attempt, caplog)
    assert attempt.state is FAILED, attempt.error
    assert "no call was made" in (attempt.error or "").lower()
    assert [r.form().get("method") for r in sandbox.requests] == ["login"]


# Each API's success answer, which the simulator cannot pad past the size cap.
SUCCESS = {
    "fonality": b'{"result":"Success", "Message":"Placing call now"}',
    "simotel": b'{"success":1,"message":null,"data":{"originated_call_id":"orig.1"}}',
    "mor": b"<page><status>ok</status><callback_uniqueid>42</callback_uniqueid></page>",
    "enswitch": b'{"responses":[{"code":"200","message":"OK"}],"data":{"callid":"1.2"}}',
    "webhook": b'{"ok": true, "id": "wh-1"}',
}
LOGIN_OK = b'{"result":"Success", "Message":"Login Successfully","token":"abcdEFGH12345678"}'


@pytest.mark.parametrize("provider", sorted(SUCCESS))
@pytest.mark.parametrize("padded", [False, True])
def test_success_padded_past_the_cap_is_unknown(provider: str, padded: bool) -> None:
    """The first 256 KB say "yes", but the rest was never read: it may say anything."""
    profile = demo_profiles("http://127.0.0.1:9")[f"demo-{provider}"]
    body = SUCCESS[provider] + (b" " * MAX_BODY if padded else b"")

    def answer(request: httpx.Request) -> httpx.Response:
        if b"method=login" in request.content:
            return httpx.Response(200, content=LOGIN_OK)
        return httpx.Response(200, content=body)

    secrets = demo_secrets().get(f"demo-{provider}", {})
    provider_obj = create_provider(profile, secrets, transport=httpx.MockTransport(answer))
    request = CallRequest(parse_target(DEFAULT_NUMBER), "442079460958", "dg-bounds")

    async def place() -> CallResult | ProviderError:
        try:
            return await provider_obj.place_call(request)
        except ProviderError as exc:
            return exc
        finally:
            await provider_obj.aclose()

    outcome = asyncio.run(place())
    if not padded:
        assert isinstance(outcome, CallResult), outcome  # the harness reads a plain success
        return
    assert isinstance(outcome, ProviderError), "a cut answer was read as a success"
    assert outcome.maybe_placed and outcome.category is ErrorCategory.UNEXPECTED
    assert outcome.raw is not None and outcome.raw.endswith(CUT_NOTE)
    assert len(outcome.raw.encode()) <= MAX_BODY


# -- on the command line -----------------------------------------------------------------------


def _cli(sandbox: SandboxThread, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    settings = GeneralSettings(region="GB", default_provider="demo-simotel")
    save_config(
        Config(general=settings, providers=demo_profiles(sandbox.base_url)),
        home / "dialer-gui" / "config.toml",
    )
    preload = {
        f"dialer-gui|{p}/{f}": v for p, values in demo_secrets().items() for f, v in values.items()
    }
    env = {**os.environ, "DIALER_GUI_TEST_SECRETS": json.dumps(preload)}
    return subprocess.run(
        [sys.executable, "-m", "dialer_gui", "call", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("provider", "fault", "code", "words"),
    [
        ("fonality", "deep", ExitCode.CALL_FAILED, "no call was made"),
        ("simotel", "deep_401", ExitCode.CALL_FAILED, "refused the credentials"),
        ("simotel", "deep", ExitCode.UNKNOWN, "check your phone"),
    ],
)
def test_deep_answer_on_the_command_line_is_a_plain_outcome(
    sandbox: SandboxThread,
    isolated_dirs: dict[str, Path],
    provider: str,
    fault: str,
    code: int,
    words: str,
) -> None:
    sandbox.set_fault(fault, provider)
    done = _cli(sandbox, isolated_dirs["config"], "--provider", f"demo-{provider}", DEFAULT_NUMBER)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == code, done.stderr
    assert words in done.stderr.lower()


# -- the helpers themselves ----------------------------------------------------------------------


def nested(depth: int, inner: str = "1") -> str:
    return "[" * depth + inner + "]" * depth


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 999, 5000, 100_000])
def test_json_nested_too_deep_is_refused(depth: int) -> None:
    with pytest.raises(AnswerOutOfBounds, match="nested"):
        read_json(nested(depth))
    with pytest.raises(AnswerOutOfBounds, match="nested"):
        read_json(json.dumps({"success": 1, "data": json.loads(nested(min(depth, 200)))}))


def test_json_at_the_depth_limit_is_read() -> None:
    assert read_json(nested(MAX_DEPTH)) == json.loads(nested(MAX_DEPTH))
    mixed = '{"a": ' * (MAX_DEPTH - 1) + "[]" + "}" * (MAX_DEPTH - 1)
    assert read_json(mixed) == json.loads(mixed)
    # Brackets inside strings are text, not nesting.
    assert read_json(json.dumps({"m": "[" * 500})) == {"m": "[" * 500}


def test_unreadable_json_is_a_value_error() -> None:
    for text in ("", "{", "<html>", "9" * 5000):
        with pytest.raises(ValueError):
            read_json(text)


def test_cut_answer_is_refused_even_when_its_start_is_valid() -> None:
    text = '{"success": 1}' + " " * 1000 + CUT_NOTE
    with pytest.raises(AnswerOutOfBounds, match="larger"):
        read_json(text)
    with pytest.raises(AnswerOutOfBounds, match="larger"):
        read_xml("<status>ok</status>" + " " * 1000 + CUT_NOTE)


def test_xml_nested_too_deep_is_refused_and_at_the_limit_read() -> None:
    def deep(n: int) -> str:
        return "<a>" * (n - 1) + "<status>ok</status>" + "</a>" * (n - 1)

    assert read_xml(deep(MAX_DEPTH)).tag == "a"
    for depth in (MAX_DEPTH + 1, 20_000):
        with pytest.raises(AnswerOutOfBounds, match="nested"):
            read_xml(deep(depth))
    with pytest.raises(ValueError):
        read_xml("<status>ok")


def test_helpers_are_quick_on_the_largest_answers() -> None:
    import time

    wide = "[" + ",".join(["[[1]]"] * (MAX_BODY // 6)) + "]"
    start = time.perf_counter()
    read_json(wide)
    with pytest.raises(AnswerOutOfBounds):
        read_json(nested(MAX_BODY // 2 - 1))
    assert time.perf_counter() - start < 0.5
