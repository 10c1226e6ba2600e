"""Secrets pasted into config.toml: warned about at load and in doctor, masked in every output.

A user pastes a ``Bearer`` token into a webhook header, a password into a Redis or PBX address,
an ``api_key=`` into a URL. It works, so nothing stops them; but the file is not the keyring,
and nothing we print, log or store may repeat it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dialer_gui.core.config import load_config
from dialer_gui.sandbox import SandboxThread
from dialer_gui.sandbox.demo import demo_secrets

BEARER = "eyJhbGciOiJIUzI1NiJ9.pasted-bearer"
REDIS_PW = "r3dis-pasted-pw"
API_KEY = "k3y-pasted-9f8e"


def pasted_config(path: Path, base_url: str) -> None:
    path.write_text(
        f"""\
[general]
region = "GB"
default_provider = "hook"
duplicate_window = 0

[providers.hook]
type = "webhook"
url = "{base_url}/webhook/call?api_key={API_KEY}"
method = "POST"
body = '{{"number": "{{number}}"}}'
body_format = "json"
success_json_path = "ok"
success_value = "true"
headers = {{ Authorization = "Bearer {BEARER}" }}

[providers.tf]
type = "teleforge"
url = "{base_url}"
agent = "1000"
redis_url = "redis://:{REDIS_PW}@127.0.0.1:9/0"

[providers.ok]
type = "webhook"
url = "{base_url}/webhook/call"
headers = {{ Authorization = "Bearer {{token}}" }}
""",
        encoding="utf-8",
    )


def test_loading_warns_about_each_pasted_secret_and_not_about_placeholders(
    tmp_path: Path,
) -> None:
    path = tmp_path / "config.toml"
    pasted_config(path, "https://pbx.example.com")
    warnings = load_config(path).warnings
    assert len(warnings) == 3, warnings
    joined = "\n".join(warnings)
    assert "providers.hook.url" in joined and "providers.hook.headers.Authorization" in joined
    assert "providers.tf.redis_url" in joined and "providers.ok" not in joined
    for secret in (BEARER, REDIS_PW, API_KEY):
        assert secret not in joined
    assert "dialer-gui secret set" in joined


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dialer_gui", *args],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


@pytest.fixture
def env(isolated_dirs: dict[str, Path], sandbox: SandboxThread) -> dict[str, str]:
    pasted_config(isolated_dirs["config"] / "dialer-gui" / "config.toml", sandbox.base_url)
    (isolated_dirs["config"] / "dialer-gui").mkdir(exist_ok=True)
    preload = {
        f"dialer-gui|{p}/{f}": v for p, values in demo_secrets().items() for f, v in values.items()
    }
    preload["dialer-gui|ok/token"] = "webhook-demo-token"
    return {**os.environ, "DIALER_GUI_TEST_SECRETS": json.dumps(preload)}


@pytest.fixture
def isolated_dirs(isolated_dirs: dict[str, Path]) -> dict[str, Path]:
    (isolated_dirs["config"] / "dialer-gui").mkdir(exist_ok=True)
    return isolated_dirs


def outputs(done: subprocess.CompletedProcess[str]) -> str:
    return done.stdout + done.stderr


@pytest.mark.slow
def test_the_command_line_warns_and_never_repeats_them(
    env: dict[str, str], isolated_dirs: dict[str, Path], sandbox: SandboxThread
) -> None:
    dry = cli("call", "--dry-run", "--provider", "hook", "+44 20 7946 0958", env=env)
    assert dry.returncode == 0, dry.stderr
    assert "warning:" in dry.stderr and "providers.hook.url" in dry.stderr
    assert "Would send" in dry.stdout and "/webhook/call" in dry.stdout
    call = cli("call", "--json", "--provider", "hook", "+44 20 7946 0958", env=env)
    doctor = cli("doctor", env=env)
    assert "providers.tf.redis_url" in doctor.stdout and "keyring" in doctor.stdout
    history = cli("history", "--json", env=env)
    # The secrets really went out (the PBX got them), so not finding them below means something.
    assert any(API_KEY in r.query for r in sandbox.requests)
    everything = [outputs(dry), outputs(call), outputs(doctor), outputs(history)]
    everything += [
        p.read_text(encoding="utf-8", errors="replace")
        for p in Path(isolated_dirs["state"]).rglob("*")
        if p.is_file()
    ]
    for text in everything:
        for secret in (BEARER, REDIS_PW, API_KEY):
            assert secret not in text


def test_a_pbx_echoing_a_pasted_secret_does_not_put_it_in_the_history(
    sandbox: SandboxThread, tmp_path: Path
) -> None:
    """The webhook's Bearer token typed into the headers, and a PBX error page that repeats
    the request: the history row (error and raw answer) must not hold the token."""
    import asyncio
    from typing import Any

    from dialer_gui.core.dialer import Dialer
    from dialer_gui.core.history import HistoryStore
    from dialer_gui.sandbox.server import Response, Route
    from dialer_gui.vocabulary.calls import Source

    async def echo(request: Any, fault: Any) -> Any:
        headers = "\n".join(f"{k}: {v}" for k, v in request.headers)
        return Response.text(
            f"<html>You sent: {request.target}\n{headers}</html>", 500, "text/html"
        )

    async def install() -> None:
        sandbox.sandbox.routes.insert(
            0, Route("webhook", frozenset({"POST"}), "/webhook/call", echo)
        )

    sandbox.call(install())
    path = tmp_path / "config.toml"
    pasted_config(path, sandbox.base_url)
    config = load_config(path)

    class NoSecrets:
        def secrets_for(self, name: str, fields: object) -> dict[str, str]:
            return {}

    history = HistoryStore(tmp_path / "h.sqlite3")
    dialer = Dialer(config, NoSecrets(), history)

    async def go() -> int:
        try:
            attempt = await dialer.dial("+44 20 7946 0958", Source.CLI, provider="hook")
        finally:
            await dialer.aclose()
        return attempt.id or 0

    row = history.get(asyncio.run(go()))
    history.close()
    assert row is not None and row.raw and "You sent" in row.raw
    assert any(BEARER in v for r in sandbox.requests for _k, v in r.headers), "not even sent"
    for text in (row.raw, row.error or ""):
        assert BEARER not in text and API_KEY not in text
