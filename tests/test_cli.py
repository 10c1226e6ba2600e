"""`dialer-gui call`, `providers`, `history` and `secret` as a user runs them, in a subprocess."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dialer_gui import providers as registry
from dialer_gui.core.config import Config, GeneralSettings, save_config
from dialer_gui.exitcodes import ExitCode
from dialer_gui.sandbox import SandboxThread
from dialer_gui.sandbox.demo import DEMO_DEFAULT, demo_profiles, demo_secrets

pytestmark = pytest.mark.slow

# A number each provider's documented rules accept (Teleforge dials South Africa only).
NUMBERS = {"teleforge": "+27 82 000 1234"}
UK = "+44 20 7946 0958"


def write_config(path: Path, base_url: str, **general: object) -> None:
    settings = GeneralSettings(region="GB", default_provider="demo-simotel", **general)  # type: ignore[arg-type]
    save_config(Config(general=settings, providers=demo_profiles(base_url)), path)


def env_with_secrets(secrets: dict[str, dict[str, str]]) -> dict[str, str]:
    preload = {f"dialer-gui|{p}/{f}": v for p, values in secrets.items() for f, v in values.items()}
    return {**os.environ, "DIALER_GUI_TEST_SECRETS": json.dumps(preload)}


def cli(
    *args: str, env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dialer_gui", *args],
        env=env, input=stdin, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


@pytest.fixture
def configured(sandbox: SandboxThread, isolated_dirs: dict[str, Path]) -> dict[str, str]:
    write_config(isolated_dirs["config"] / "dialer-gui" / "config.toml", sandbox.base_url)
    return env_with_secrets(demo_secrets())


@pytest.mark.parametrize("kind", list(registry.PROVIDERS))
def test_call_through_every_provider_type(
    sandbox: SandboxThread, configured: dict[str, str], kind: str
) -> None:
    number = NUMBERS.get(kind, UK)
    done = cli("call", "--json", "--provider", f"demo-{kind}", number, env=configured)
    assert done.returncode == ExitCode.OK, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "accepted" and result["error"] is None
    assert result["provider"] == f"demo-{kind}" and result["kind"] == "external"
    assert len(sandbox.requests) == (2 if kind == "fonality" else 1)  # Fonality logs in first
    # No call ID: Fonality's API has none; the Enswitch demo profile sends no wait (a wait at or
    # above the timeout, which tests shorten, is refused before sending).
    if kind not in ("fonality", "enswitch"):
        assert result["call_id"]
    history = json.loads(cli("history", "--json", env=configured).stdout)
    assert history[0]["call_id"] == result["call_id"] and history[0]["source"] == "cli"


@pytest.mark.parametrize(
    ("fault", "code", "words"),
    [
        ("bad_credentials", ExitCode.CALL_FAILED, "password or key is missing or wrong"),
        ("reject_number", ExitCode.CALL_FAILED, ""),
        ("http_500", ExitCode.UNKNOWN, "check your phone"),
    ],
)
def test_refusals_exit_non_zero_with_a_plain_message(
    sandbox: SandboxThread, configured: dict[str, str], fault: str, code: int, words: str
) -> None:
    sandbox.set_fault(fault, "simotel")
    done = cli("call", UK, env=configured)
    assert done.returncode == code, done.stderr
    assert done.stderr.startswith("dialer-gui: ") and "Traceback" not in done.stderr
    assert words.lower() in done.stderr.lower()
    out = json.loads(cli("call", "--json", "+44 20 7946 0959", env=configured).stdout)
    assert out["status"] in ("failed", "unknown") and out["error"]


def test_dry_run_sends_nothing_and_masks_secrets(
    sandbox: SandboxThread, configured: dict[str, str]
) -> None:
    done = cli("call", "--dry-run", "--provider", "demo-enswitch", UK, env=configured)
    assert done.returncode == 0, done.stderr
    assert "calls/make" in done.stdout and "•••" in done.stdout
    assert demo_secrets()["demo-enswitch"]["auth_password"] not in done.stdout
    assert sandbox.requests == []


def test_text_with_one_number_is_dialed_and_with_several_is_refused(
    sandbox: SandboxThread, configured: dict[str, str]
) -> None:
    one = cli("call", "--json", "Please call Jo on 020 7946 0958 before noon", env=configured)
    assert json.loads(one.stdout)["number"] == "+442079460958"
    several = cli("call", "Ring 020 7946 0958 or 020 7946 0959", env=configured)
    assert several.returncode == ExitCode.INPUT and "found 2 numbers" in several.stderr
    assert len(sandbox.requests) == 1


def test_premium_number_needs_yes(sandbox: SandboxThread, configured: dict[str, str]) -> None:
    premium = "+44 909 879 0000"  # UK premium rate
    refused = cli("call", premium, env=configured)
    assert refused.returncode == ExitCode.CANCELLED and "premium" in refused.stderr
    assert sandbox.requests == []
    assert cli("call", "--yes", premium, env=configured).returncode == ExitCode.OK
    assert len(sandbox.requests) == 1


def test_no_provider_and_bad_config_have_their_own_exit_codes(
    isolated_dirs: dict[str, Path],
) -> None:
    env = dict(os.environ)
    done = cli("call", UK, env=env)  # no config: refused, never a silent demo call
    assert done.returncode == ExitCode.NO_PROVIDER and "--demo" in done.stderr
    other = "+44 20 7946 0959"  # the same number twice would be merged
    for args in (["--demo", "call", "--json", UK], ["call", "--demo", "--json", other]):
        demo = cli(*args, env=env)
        assert demo.returncode == 0 and json.loads(demo.stdout)["provider"] == DEMO_DEFAULT
    path = isolated_dirs["config"] / "dialer-gui" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[general]\nregion = 42\n", encoding="utf-8")
    bad = cli("call", UK, env=env)
    assert bad.returncode == ExitCode.CONFIG and "line 2" in bad.stderr


def test_secret_set_reads_stdin_and_providers_reports_presence(
    sandbox: SandboxThread, isolated_dirs: dict[str, Path]
) -> None:
    write_config(isolated_dirs["config"] / "dialer-gui" / "config.toml", sandbox.base_url)
    env = dict(os.environ)
    listing = cli("providers", env=env)
    assert "MISSING: dialer-gui secret set demo-mor secret" in listing.stdout
    # Each subprocess has its own memory keyring, so check what `secret set` reports.
    done = cli("secret", "set", "demo-mor", "secret", env=env, stdin="s3cret\n")
    assert done.returncode == 0 and "Stored demo-mor/secret" in done.stdout
    assert "s3cret" not in done.stdout + done.stderr
    wrong = cli("secret", "set", "demo-mor", "u", env=env, stdin="x\n")
    assert wrong.returncode == ExitCode.USAGE and "not a secret" in wrong.stderr


@pytest.mark.skipif(sys.platform != "linux", reason="Linux registration")
def test_register_unregister_and_doctor_from_the_command_line(
    sandbox: SandboxThread, configured: dict[str, str]
) -> None:
    import shutil

    if shutil.which("xdg-mime") is None:
        if os.environ.get("CI"):
            pytest.fail("xdg-mime is missing; .ci/run installs xdg-utils")
        pytest.skip("xdg-mime is not installed")
    env = {**configured, "XDG_CURRENT_DESKTOP": "X-Generic"}

    def handler() -> str:
        out = subprocess.run(
            ["xdg-mime", "query", "default", "x-scheme-handler/tel"],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        return out.stdout.strip()

    assert cli("register", env=env).returncode == 0
    assert handler() == "dialer-gui.desktop"
    doctor = cli("doctor", env=env)
    assert "✓ tel: links: open with dialer-gui" in doctor.stdout
    assert "demo-simotel" in doctor.stdout  # every provider profile is probed
    assert cli("unregister", env=env).returncode == 0
    assert handler() != "dialer-gui.desktop"


def test_the_same_number_twice_from_the_command_line_is_one_call(
    sandbox: SandboxThread, configured: dict[str, str]
) -> None:
    assert cli("call", UK, env=configured).returncode == ExitCode.OK
    again = cli("call", UK, env=configured)
    assert again.returncode == ExitCode.CANCELLED and "merged" in again.stderr
    assert len(sandbox.requests) == 1


def test_a_call_through_a_profile_without_tls_checks_warns_every_time(
    sandbox: SandboxThread, isolated_dirs: dict[str, Path]
) -> None:
    profiles = demo_profiles(sandbox.base_url)
    simotel = profiles["demo-simotel"]
    profiles["demo-simotel"] = type(simotel)(
        simotel.name, simotel.type, {**simotel.options, "verify_tls": False}
    )
    settings = GeneralSettings(region="GB", default_provider="demo-simotel")
    save_config(
        Config(general=settings, providers=profiles),
        isolated_dirs["config"] / "dialer-gui" / "config.toml",
    )
    env = env_with_secrets(demo_secrets())
    for number in (UK, "+44 20 7946 0959"):
        done = cli("call", "--json", number, env=env)
        assert done.returncode == ExitCode.OK, done.stderr
        assert "TLS" in done.stderr and "warning" in done.stderr
        assert json.loads(done.stdout)["status"] == "accepted"  # stdout stays pure JSON


def test_providers_with_demo_lists_the_demo_profiles(isolated_dirs: dict[str, Path]) -> None:
    """`dialer-gui --demo providers` shows what `call --demo` dials with, secrets and all."""

    env = dict(os.environ)  # no config, no keyring secrets: only the demo has profiles
    for args in (("--demo", "providers"), ("providers", "--demo")):
        done = cli(*args, env=env)
        assert done.returncode == ExitCode.OK, done.stdout + done.stderr
        for name in demo_profiles("http://x"):
            assert f" {name}  (" in done.stdout
        assert f"* {DEMO_DEFAULT}  (" in done.stdout
        assert "MISSING" not in done.stdout and ": set" in done.stdout
        assert "No provider is configured" not in done.stdout
    plain = cli("providers", env=env)  # without --demo, still the user's (empty) config
    assert plain.returncode == ExitCode.NO_PROVIDER


def _columns(text: str) -> int:
    """How many terminal columns ``text`` takes (wide characters take two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def test_history_columns_line_up_whatever_the_rows_hold(isolated_dirs: dict[str, Path]) -> None:
    from dialer_gui.core.history import HistoryStore
    from dialer_gui.vocabulary.calls import CallAttempt, CallState, Source

    rows = [  # display, provider, state, call ID or error
        ("+1 201 555 0121", "p-short", CallState.ACCEPTED, "id-1"),
        ("+49 30 1234567890 1234567890 ext. 99999", "p-" + "x" * 30, CallState.FAILED, "err"),
        ("204", "p-a", CallState.ACCEPTED, "id-3"),
        ("電話 +81 3 1234 5678", "p-wide", CallState.ACCEPTED, "id-4"),
        ("+1\x1b[2J\x1b[H 555\r\n0100\x07", "p-esc\x1b]0;owned\x07", CallState.FAILED,
         "refused\x1b[31m red\x00\u202etxt.exe"),
        ("+1 " + "9" * 200, "p-long", CallState.UNKNOWN, "E" * 500),
    ]  # fmt: skip
    store = HistoryStore(isolated_dirs["data"] / "dialer-gui" / "history.sqlite3")
    for display, provider, state, extra in rows:
        failed = state is CallState.FAILED
        store.add(CallAttempt(Source.LINK, display, "+12015550121", display, provider,
                              state=state, call_id=None if failed else extra,
                              error=extra if failed else None))  # fmt: skip
    store.close()
    done = cli("history", env=dict(os.environ))
    assert done.returncode == ExitCode.OK, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == len(rows)
    # Nothing that could move the cursor or change the terminal reaches it.
    assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in done.stdout.replace("\n", ""))
    assert "\u202e" not in done.stdout
    # Every row's provider and state start in the same terminal column.
    providers = {_columns(line[: line.index("  p-") + 2]) for line in lines}
    assert len(providers) == 1, done.stdout

    def state_column(line: str) -> int:
        found = re.search(r"  (accepted|failed|unknown) ", line)
        assert found, line
        return _columns(line[: found.start() + 2])

    assert len({state_column(line) for line in lines}) == 1, done.stdout
    # A cell too long to be useful is cut, and says so; no line is absurdly long.
    assert "…" in done.stdout and "9" * 200 not in done.stdout and "E" * 500 not in done.stdout
    assert max(_columns(line) for line in lines) < 200, done.stdout
    assert "refused" in done.stdout and "red" in done.stdout  # the text itself stays readable
