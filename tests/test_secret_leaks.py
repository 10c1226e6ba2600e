"""No PBX secret, in any spelling, reaches logs, history, screen, config or command output.

Calls are placed with every provider (success, refused credentials, server error, garbage,
timeout), in-process and through the command line; then every place a secret could end up is
searched for each secret in plain, URL-encoded, base64 and Basic-auth form, for the Fonality
login token and for the MOR hash (which stands in for the MOR secret).
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import logging
import os
import subprocess
import sys
import urllib.parse
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_secrets import StaticSecrets

from dialer_gui import providers as registry
from dialer_gui.core.config import Config, GeneralSettings
from dialer_gui.core.dialer import Dialer
from dialer_gui.core.events import EventBus, Notice
from dialer_gui.core.history import HistoryStore
from dialer_gui.providers import create_provider
from dialer_gui.providers.base import CallRequest
from dialer_gui.providers.errors import ProviderError
from dialer_gui.sandbox import SandboxThread
from dialer_gui.sandbox.demo import demo_profiles, demo_secrets
from dialer_gui.sandbox.server import Route
from dialer_gui.vocabulary.calls import CallAttempt, CallState, Source
from dialer_gui.vocabulary.profiles import ProviderProfile

REPO = Path(__file__).resolve().parent.parent
PROVIDERS = tuple(registry.PROVIDERS)
NUMBERS = {"teleforge": "+27 82 000 1234"}
# Secrets whose spelling changes under URL encoding, base64 and form encoding.
HOSTILE = "p@ss w/rd+1&x=%41;"
SCENARIOS = ("success", "bad_credentials", "http_500", "garbage", "timeout")


def forms(secret: str, user: str | None = None) -> set[str]:
    """Every spelling of ``secret`` that must never be seen."""
    found = {
        secret,
        urllib.parse.quote(secret, safe=""),
        urllib.parse.quote(secret),
        urllib.parse.quote_plus(secret),
    }
    b64 = base64.b64encode(secret.encode()).decode()
    found |= {b64, b64.rstrip("="), base64.urlsafe_b64encode(secret.encode()).decode()}
    if user is not None:
        found.add(base64.b64encode(f"{user}:{secret}".encode()).decode())
    return {f for f in found if len(f) >= 4}


def secret_forms(
    profiles: dict[str, ProviderProfile], secrets: dict[str, dict[str, str]]
) -> set[str]:
    found: set[str] = set()
    for name, values in secrets.items():
        options = profiles[name].options if name in profiles else {}
        for field, value in values.items():
            if not value:
                continue
            # Simotel sends its user name and password as HTTP Basic auth.
            user = options.get("username") if field == "password" else None
            found |= forms(value, str(user) if user else None)
    return found


# Loggers of the HTTP library: checked on their own (see test_http_library_logs_...).
HTTP_LIBRARY = ("httpx", "httpcore")


def ours(texts: Iterable[str]) -> list[str]:
    """Log lines ("LEVEL logger message") not written by the HTTP library."""

    def library(text: str) -> bool:
        words = text.split(" ", 2)
        return len(words) > 1 and words[1].rstrip(":").split(".")[0] in HTTP_LIBRARY

    return [t for t in texts if not library(t)]


class Everything(logging.Handler):
    """Every record at every level, formatted as a log file would show it (with tracebacks)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.texts: list[str] = []
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(self.format(record))
        self.records.append(record)


@pytest.fixture
def all_logs() -> Iterator[Everything]:
    root = logging.getLogger()
    handler = Everything()
    old = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(old)


def find_leaks(haystacks: Iterable[tuple[str, str | bytes | None]], needles: set[str]) -> list[str]:
    leaks = []
    for where, text in haystacks:
        if not text:
            continue
        data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
        for needle in needles:
            if needle.encode() in data:
                leaks.append(f"{needle!r} in {where}")
    return leaks


def db_bytes(path: Path) -> list[tuple[str, bytes]]:
    out = []
    for suffix in ("", "-wal", "-shm", "-journal"):
        p = Path(f"{path}{suffix}")
        if p.exists():
            out.append((p.name, p.read_bytes()))
    return out


def sandbox_credentials(sandbox: SandboxThread) -> set[str]:
    """Credentials derived on the wire: Fonality tokens and MOR hashes."""
    found: set[str] = set(sandbox.sandbox.state.get("fonality_tokens", set()))
    for request in sandbox.requests:
        if request.api == "mor":
            params = urllib.parse.parse_qs(request.query)
            found |= set(params.get("hash", []))
    return {f for f in found if f}


def run_calls(
    sandbox: SandboxThread,
    tmp_path: Path,
    secrets: dict[str, dict[str, str]],
    scenario: str,
) -> tuple[list[CallAttempt], list[str], Path, dict[str, ProviderProfile]]:
    profiles = demo_profiles(sandbox.base_url)
    profiles = {
        n: dataclasses.replace(p, options={**p.options, "timeout": 0.3})
        for n, p in profiles.items()
    }
    # No merge window: the same number goes through every provider on purpose.
    config = Config(general=GeneralSettings(region="GB", duplicate_window=0), providers=profiles)
    path = tmp_path / f"history-{scenario}.sqlite3"
    history = HistoryStore(path)
    bus = EventBus()
    notices: list[str] = []
    bus.subscribe(lambda e: notices.extend([e.title, e.text]) if isinstance(e, Notice) else None)
    dialer = Dialer(config, StaticSecrets(secrets), history, bus)
    if scenario != "success":
        sandbox.set_fault(scenario)

    async def calls() -> list[CallAttempt]:
        try:
            done = []
            for name in profiles:
                api = name.removeprefix("demo-")
                number = NUMBERS.get(api, "+44 20 7946 0958")
                done.append(await dialer.dial(number, Source.DIALPAD, provider=name))
                notices.append(dialer.dry_run(number, name))
            return done
        finally:
            await dialer.aclose()

    attempts = asyncio.run(calls())
    history.close()
    return attempts, notices, path, profiles


def attempt_texts(attempts: list[CallAttempt]) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for a in attempts:
        for name in ("error", "raw", "detail", "call_id", "dialed", "display"):
            out.append((f"attempt {a.provider}.{name}", getattr(a, name)))
        out.append((f"attempt {a.provider} repr", repr(a)))
    return out


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_demo_secrets_never_leak(
    sandbox: SandboxThread,
    tmp_path: Path,
    all_logs: Everything,
    caplog: pytest.LogCaptureFixture,
    scenario: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    secrets = demo_secrets()
    attempts, notices, db, profiles = run_calls(sandbox, tmp_path, secrets, scenario)
    needles = secret_forms(profiles, secrets) | sandbox_credentials(sandbox)
    haystacks: list[tuple[str, str | bytes | None]] = [
        *(("log", t) for t in ours(all_logs.texts)),
        *(
            ("caplog", t)
            for t in ours(f"{r.levelname} {r.name} {r.getMessage()}" for r in caplog.records)
        ),
        *(("notice", n) for n in notices),
        *attempt_texts(attempts),
        *db_bytes(db),
    ]
    assert not find_leaks(haystacks, needles)
    assert len(attempts) == len(profiles)
    assert all(a.state is not CallState.MERGED for a in attempts)
    assert {r.api for r in sandbox.requests} == {n.removeprefix("demo-") for n in profiles}


def test_hostile_secrets_never_leak(
    sandbox: SandboxThread, tmp_path: Path, all_logs: Everything
) -> None:
    """Secrets with @, space, /, +, &, =, % and non-ASCII: refused, and never shown."""
    secrets = {
        name: {field: f"{HOSTILE}-{field}" for field in values}
        for name, values in demo_secrets().items()
    }
    attempts, notices, db, profiles = run_calls(sandbox, tmp_path, secrets, "success")
    needles = secret_forms(profiles, secrets) | sandbox_credentials(sandbox)
    haystacks: list[tuple[str, str | bytes | None]] = [
        *(("log", t) for t in ours(all_logs.texts)),
        *(("notice", n) for n in notices),
        *attempt_texts(attempts),
        *db_bytes(db),
    ]
    assert not find_leaks(haystacks, needles)
    # The credentials really were sent (so the search above was meaningful) and refused.
    assert sandbox.requests
    assert {a.error_category for a in attempts if a.provider != "demo-teleforge"} <= {"credentials"}


@pytest.mark.parametrize(
    "provider", [t for t in PROVIDERS if any(f.secret for f in registry.provider_class(t).fields)]
)
def test_pbx_echoing_the_secret_is_redacted(sandbox: SandboxThread, provider: str) -> None:
    """A PBX that repeats the request in its error page must not put secrets on screen."""
    secrets = demo_secrets()
    name = f"demo-{provider}"
    profile = demo_profiles(sandbox.base_url)[name]
    every = secret_forms({name: profile}, {name: secrets[name]})

    async def echo(request: Any, fault: Any) -> Any:
        from dialer_gui.sandbox.server import Response

        # A debug page repeating the whole request: target, headers and body.
        headers = "\n".join(f"{k}: {v}" for k, v in request.headers)
        body = request.body.decode("utf-8", "replace")
        text = f"<html>You sent: {request.target}\n{headers}\n\n{body}</html>"
        return Response.text(text, 500, "text/html")

    async def install() -> None:
        routes = sandbox.sandbox.routes
        path = next(r.path for r in routes if r.api == provider)
        routes.insert(0, Route(provider, frozenset({"GET", "POST", "PUT"}), path, echo))

    sandbox.call(install())
    prov = create_provider(profile, secrets[name])
    number = "442079460958"
    from dialer_gui.core.numbers import parse_target

    request = CallRequest(parse_target("+44 20 7946 0958"), number, "dg-ref")

    async def place() -> ProviderError:
        try:
            await prov.place_call(request)
        except ProviderError as exc:
            return exc
        finally:
            await prov.aclose()
        raise AssertionError("an echo page was taken as success")

    error = asyncio.run(place())
    needles = every | sandbox_credentials(sandbox)
    assert not find_leaks(
        [("message", error.message), ("raw", error.raw), ("str", str(error))], needles
    )
    assert error.raw and "You sent" in error.raw


# -- the command line ---------------------------------------------------------------------------


def write_config(path: Path, base_url: str) -> None:
    from dialer_gui.core.config import Config, GeneralSettings, save_config

    # Every profile dials the same number; this test is about secrets, not the merge guard.
    general = GeneralSettings(region="GB", default_provider="demo-simotel", duplicate_window=0)
    save_config(Config(general=general, providers=demo_profiles(base_url)), path)


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dialer_gui", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.slow
def test_command_line_never_prints_or_stores_secrets(
    sandbox: SandboxThread, isolated_dirs: dict[str, Path]
) -> None:
    config = isolated_dirs["config"] / "dialer-gui" / "config.toml"
    write_config(config, sandbox.base_url)
    secrets = demo_secrets()
    preload = {f"dialer-gui|{p}/{f}": v for p, values in secrets.items() for f, v in values.items()}
    env = {**os.environ, "DIALER_GUI_TEST_SECRETS": json.dumps(preload)}
    outputs: list[tuple[str, str | bytes | None]] = []
    for name in demo_profiles(sandbox.base_url):
        number = NUMBERS.get(name.removeprefix("demo-"), "+44 20 7946 0958")
        for args in (["call", "--dry-run", "--json"], ["call", "--dry-run"], ["-v", "call"]):
            done = cli(*args, "--provider", name, number, env=env)
            stderr = "\n".join(ours(line for line in done.stderr.splitlines()))
            outputs += [(f"{args} {name} stdout", done.stdout), (f"{args} stderr", stderr)]
            assert "Traceback" not in done.stderr, done.stderr
    for args in (["providers"], ["history", "--json"], ["-v", "history"]):
        done = cli(*args, env=env)
        assert done.returncode == 0, done.stderr
        outputs += [(f"{args} stdout", done.stdout), (f"{args} stderr", done.stderr)]
    profiles = demo_profiles(sandbox.base_url)
    needles = secret_forms(profiles, secrets) | sandbox_credentials(sandbox)
    history = isolated_dirs["data"] / "dialer-gui" / "history.sqlite3"
    assert history.exists(), "the calls were not recorded where expected"
    outputs += db_bytes(history)
    outputs.append(("config file", config.read_text(encoding="utf-8")))
    leaks = find_leaks(outputs, needles)
    assert not leaks, leaks
    # The calls really went out with the secrets (so the search was meaningful).
    assert len({r.api for r in sandbox.requests}) == len(profiles)


def test_http_library_logs_do_not_carry_secrets(
    sandbox: SandboxThread, tmp_path: Path, all_logs: Everything
) -> None:
    secrets = demo_secrets()
    _, _, _, profiles = run_calls(sandbox, tmp_path, secrets, "success")
    needles = secret_forms(profiles, secrets) | sandbox_credentials(sandbox)
    # httpx logs each request URL at INFO, and Enswitch and MOR carry credentials in the URL:
    # its loggers must stay above INFO even when the app logs everything.
    for name in ("httpx", "httpcore"):
        assert logging.getLogger(name).getEffectiveLevel() >= logging.WARNING, name
    assert not find_leaks([("log", t) for t in all_logs.texts], needles)


@pytest.mark.parametrize(
    "provider",
    [
        "fonality",
        "simotel",
        "mor",
        "enswitch",
    ],
)
def test_non_ascii_secret_is_refused_plainly_not_a_crash(
    sandbox: SandboxThread, tmp_path: Path, all_logs: Everything, provider: str
) -> None:
    name = f"demo-{provider}"
    secrets = {name: {f: f"clé-{f}-{HOSTILE}" for f in demo_secrets()[name]}}
    profiles = demo_profiles(sandbox.base_url)
    config = Config(
        general=GeneralSettings(region="GB", default_provider=name),
        providers={name: profiles[name]},
    )
    dialer = Dialer(config, StaticSecrets(secrets), HistoryStore(":memory:"))

    async def call() -> CallAttempt:
        try:
            return await dialer.dial("+44 20 7946 0958", Source.DIALPAD)
        finally:
            await dialer.aclose()

    attempt = asyncio.run(call())
    assert attempt.state is CallState.FAILED, attempt.error
    assert attempt.error_category in ("credentials", "config")
    assert not find_leaks(
        [*(("log", t) for t in ours(all_logs.texts)), *attempt_texts([attempt])],
        secret_forms(profiles, secrets),
    )
