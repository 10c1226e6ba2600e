"""Hostile links, numbers and messages through the whole path: nothing reaches a PBX.

A web page controls the link the OS hands us, and any local process can write to the
single-instance socket, so every door is tried with option injection, parameter injection,
header injection (CR/LF), NUL bytes, oversize input and non-phone SIP users. Also checked: the
files we create are private to the user.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fake_secrets import StaticSecrets

from dialer_gui import cli, ipc
from dialer_gui import providers as registry
from dialer_gui.core.config import Config, GeneralSettings, load_config, save_config
from dialer_gui.core.dialer import Dialer
from dialer_gui.core.history import HistoryStore
from dialer_gui.errors import IPCError
from dialer_gui.exitcodes import ExitCode
from dialer_gui.sandbox import SandboxThread
from dialer_gui.sandbox.demo import demo_profiles
from dialer_gui.vocabulary.calls import CallState, Source

REPO = Path(__file__).resolve().parent.parent
PROVIDERS = tuple(registry.PROVIDERS)
DIALABLE = re.compile(r"[0-9+*#]+")

HOSTILE_LINKS = {
    "option": "-x",
    "params": "tel:+1555;x=1&method=dial",
    "crlf": "tel:+1%0d%0aX-Injected:1",
    "huge": "tel:+" + "1" * 10240,
    "sip-user": "sip:alice@example.com",
    "quote-brace": 'tel:+1"555}',
    "amp": "tel:+12015550123&token=abc",
}


def _config_for(sandbox: SandboxThread, directory: Path) -> None:
    """A config whose default provider is the sandbox, so a leak would show as a request."""
    lines = ["version = 1", "[general]", 'region = "US"', 'default_provider = "demo-simotel"']
    for name, profile in demo_profiles(sandbox.base_url).items():
        lines += [f"[providers.{name}]", f'type = "{profile.type}"']
        lines += [f"{k} = {json.dumps(v)}" for k, v in profile.options.items()]
    path = directory / "dialer-gui" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dialer_gui", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(HOSTILE_LINKS))
def test_hostile_link_on_the_command_line_is_refused(
    case: str, sandbox: SandboxThread, isolated_dirs: dict[str, Path]
) -> None:
    _config_for(sandbox, isolated_dirs["config"])
    done = run_cli("--link", HOSTILE_LINKS[case])
    assert done.returncode not in (0, None), done.stderr
    assert done.stderr.startswith("dialer-gui: "), done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr) < 400, "the message is short and plain"
    assert sandbox.requests == []


@pytest.mark.slow
def test_link_option_takes_exactly_one_argument(sandbox: SandboxThread) -> None:
    done = run_cli("--link", "tel:+12015550123", "--config=/tmp/evil.toml")
    assert done.returncode == ExitCode.USAGE
    assert "exactly one" in done.stderr
    assert sandbox.requests == []


@pytest.fixture
def no_app(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Records (instead of starting) the GUI app, which a refused link must never reach."""
    started: list[Any] = []

    def record(options: Any) -> int:
        started.append(options)
        return 0

    monkeypatch.setattr(cli, "_start_app", record)
    return started


@pytest.mark.parametrize(
    "uri",
    [*HOSTILE_LINKS.values(), "tel:+1555\x00123", "tel:+1\r\nX-Injected: 1", "tel:+1\u202e555"],
)
def test_hostile_link_in_process_never_starts_the_app(
    uri: str, no_app: list[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["--link", uri])
    assert code == ExitCode.INPUT
    assert no_app == []
    err = capsys.readouterr().err
    assert err.startswith("dialer-gui: not dialing: ") and "Traceback" not in err


# -- parameter injection never reaches a provider ----------------------------------------------

# Text after a valid number is dropped today (phonenumbers parses leniently), so these are
# dialed as the clean number: harmless on the wire (see the test below), but not refused.
# Each carries the marker "evil", which must never appear on the wire.
INJECTIONS = {
    "amp": ("+1 201 555 0123&evil=dial", True),
    "semicolon": ("+1 201 555 0123;evil=1", True),
    "json": ('+1 201 555 0123","evil":"}', True),
    "brace": ("+1 201 555 0123}evil", True),
    "crlf": ("+1 201 555 0123\r\nX-Evil: 1", True),
    "nul": ("+1 201 555 0123\x00evil", True),
    "short-amp": ("201555012&evil=x", False),
    "ext-amp": ("557&evil=1", False),
    "ext-semicolon": ("557;evil", False),
    "link-param": ('tel:+12015550123;evil="}"', False),
}


def _dialer(sandbox: SandboxThread, provider: str) -> Dialer:
    profiles = demo_profiles(sandbox.base_url)
    name = f"demo-{provider}"
    if name not in profiles:
        pytest.skip(f"no demo profile for {provider} yet")
    config = Config(
        general=GeneralSettings(region="US", default_provider=name, duplicate_window=0),
        providers=profiles,
    )
    return Dialer(config, StaticSecrets(), HistoryStore(":memory:"))


def _injection_params() -> list[Any]:
    params = []
    for provider in PROVIDERS:
        for case, (text, _lenient) in INJECTIONS.items():
            params.append(pytest.param(provider, text, id=f"{provider}-{case}"))
    return params


@pytest.mark.parametrize(("provider", "text"), _injection_params())
def test_injection_attempt_is_refused_before_the_provider(
    sandbox: SandboxThread, provider: str, text: str
) -> None:
    dialer = _dialer(sandbox, provider)

    async def go() -> Any:
        try:
            return await dialer.dial(text, Source.DIALPAD)
        finally:
            await dialer.aclose()

    attempt = asyncio.run(go())
    assert attempt.state is CallState.FAILED, (attempt.state, attempt.dialed)
    assert attempt.error and "Traceback" not in attempt.error
    assert sandbox.requests == []


@pytest.mark.parametrize("provider", PROVIDERS)
def test_injected_text_never_reaches_the_wire(sandbox: SandboxThread, provider: str) -> None:
    """Whatever the parser makes of hostile text, only the number goes out."""
    dialer = _dialer(sandbox, provider)
    texts = [text for text, _ in INJECTIONS.values()]

    async def go() -> list[Any]:
        try:
            return [await dialer.dial(t, Source.DIALPAD) for t in texts]
        finally:
            await dialer.aclose()

    for attempt in asyncio.run(go()):
        assert attempt.dialed == "" or DIALABLE.fullmatch(attempt.dialed), attempt.dialed
    for request in sandbox.requests:
        wire = request.target + request.body.decode("utf-8", "replace")
        wire += "".join(k + v for k, v in request.headers)
        assert "evil" not in wire.lower(), wire
        assert "\x00" not in wire


VALID = {
    "default": ["+1 201 555 0123", "(201) 555-0124", "tel:+1-201-555-0125", "557"],
    "teleforge": ["+27 82 000 1234", "tel:+27820001235", "+27 (82) 000-1236"],
}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_dialed_string_is_only_dial_characters(sandbox: SandboxThread, provider: str) -> None:
    dialer = _dialer(sandbox, provider)
    inputs = VALID.get(provider, VALID["default"])

    async def go() -> list[Any]:
        try:
            return [await dialer.dial(t, Source.DIALPAD) for t in inputs]
        finally:
            await dialer.aclose()

    attempts = asyncio.run(go())
    assert [a.state for a in attempts] == [CallState.ACCEPTED] * len(inputs), [
        a.error for a in attempts
    ]
    for attempt in attempts:
        assert DIALABLE.fullmatch(attempt.dialed), attempt.dialed


# -- the IPC decoder ---------------------------------------------------------------------------


def _line(**fields: Any) -> bytes:
    return (json.dumps(fields) + "\n").encode()


BAD_MESSAGES = {
    "oversize": b'{"v":1,"kind":"dial","arg":"' + b"1" * ipc.MAX_MESSAGE + b'"}\n',
    "not-utf8": b'{"v":1,"kind":"dial","arg":"\xff\xfe"}\n',
    "not-json": b"dial tel:+12015550123\n",
    "array": b"[1,2,3]\n",
    "deep": b"[" * 100_000 + b"]" * 100_000,
    "duplicate-key": b'{"v":1,"kind":"show","kind":"dial","arg":"tel:+12015550123"}\n',
    "unknown-field": _line(v=1, kind="dial", arg="tel:+12015550123", then="rm -rf"),
    "bool-version": _line(v=True, kind="dial", arg="tel:+12015550123"),
    "future-version": _line(v=2, kind="dial", arg="tel:+12015550123"),
    "no-kind": _line(v=1, arg="tel:+12015550123"),
    "bad-kind": _line(v=1, kind="exec", arg="tel:+12015550123"),
    "arg-not-text": _line(v=1, kind="dial", arg=["tel:+12015550123"]),
    "option-arg": _line(v=1, kind="dial", arg="--config=/tmp/x"),
    "crlf-arg": _line(v=1, kind="dial", arg="tel:+1%0d%0aX:1"),
    "nul-arg": _line(v=1, kind="dial", arg="tel:+1\u0000555"),
    "bidi-arg": _line(v=1, kind="dial", arg="tel:+1\u202e555"),
    "show-with-arg": _line(v=1, kind="show", arg="tel:+12015550123"),
    "bad-source": _line(v=1, kind="dial", arg="tel:+12015550123", source="root"),
    "sip-user": _line(v=1, kind="dial", arg="sip:alice@example.com"),
    "text-not-number": _line(v=1, kind="dial", arg="call alice"),
}


@pytest.mark.parametrize("case", sorted(BAD_MESSAGES))
def test_ipc_decoder_refuses_bad_messages(case: str) -> None:
    with pytest.raises(IPCError) as caught:
        ipc.decode(BAD_MESSAGES[case])
    assert str(caught.value).endswith(".") and "Traceback" not in str(caught.value)


def test_ipc_decoder_accepts_a_plain_link() -> None:
    message = ipc.decode(_line(v=1, kind="dial", arg="tel:+12015550123", source="link"))
    assert (message.kind, message.arg) == ("dial", "tel:+12015550123")


# -- the files we create are private ------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_history_config_and_socket_dir_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)  # a typical, permissive umask: the code must not rely on it
    try:
        history_path = tmp_path / "data" / "dialer-gui" / "history.sqlite3"
        with HistoryStore(history_path) as store:
            from dialer_gui.vocabulary.calls import CallAttempt

            store.add(CallAttempt(Source.DIALPAD, "557", "557", "557", "p"))
            for suffix in ("", "-wal", "-shm"):
                f = Path(f"{history_path}{suffix}")
                if f.exists():
                    assert _mode(f) == 0o600, (f.name, oct(_mode(f)))
        assert _mode(history_path.parent) == 0o700

        config_path = tmp_path / "config" / "dialer-gui" / "config.toml"
        save_config(Config(general=GeneralSettings(region="US")), config_path)
        assert _mode(config_path) == 0o600, oct(_mode(config_path))
        assert _mode(config_path.parent) == 0o700, oct(_mode(config_path.parent))
        assert load_config(config_path).general.region == "US"

        name = ipc.socket_name(str(tmp_path / "run"))
        ipc.prepare_socket_dir(name)
        assert _mode(Path(name).parent) == 0o700
    finally:
        os.umask(old)
