"""`dialer-gui call --follow` and `dialer-gui hangup`, run in this process (the throwaway
``echo`` type is registered here only) against its simulator's scripted lifecycle."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import memory_keyring
import pytest

from dialer_gui import cli
from dialer_gui.core.config import Config, GeneralSettings, save_config
from dialer_gui.core.history import HistoryStore
from dialer_gui.core.paths import history_path
from dialer_gui.core.tracker import FollowPolicy
from dialer_gui.exitcodes import ExitCode
from dialer_gui.providers import PROVIDERS, ProviderEntry
from dialer_gui.sandbox import SandboxThread, running_sandbox
from dialer_gui.sandbox.demo import demo_profiles, demo_secrets
from dialer_gui.vocabulary.calls import CallState
from dialer_gui.vocabulary.profiles import ProviderProfile

LIFECYCLE = [
    {"state": "ringing", "leg": "caller"},
    {"state": "answered", "leg": "caller"},
    {"state": "ringing", "leg": "callee"},
    {"state": "connected", "leg": "callee"},
    {"state": "ended", "duration": 7.0},
]


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxThread]:
    monkeypatch.setitem(
        PROVIDERS,
        "echo",
        ProviderEntry("echo_provider:EchoProvider", "echo_sandbox", {"url": "https://e.test"}),
    )
    # Quick looks, so the lifecycle plays out in well under a second.
    monkeypatch.setattr(
        "dialer_gui.core.tracker.DEFAULT_POLICY", FollowPolicy(first=0.01, slowest=0.02)
    )
    with running_sandbox() as thread:
        yield thread


@pytest.fixture
def config_file(sandbox: SandboxThread, isolated_dirs: dict[str, Path], tmp_path: Path) -> Path:
    demo = demo_profiles(sandbox.base_url)["demo-echo"]
    profiles = {
        "desk": ProviderProfile("desk", "echo", {**demo.options, "follow": True}),
        "quiet": ProviderProfile("quiet", "echo", dict(demo.options)),
    }
    path = tmp_path / "config.toml"
    save_config(Config(GeneralSettings(region="US", default_provider="desk"), profiles), path)
    for profile in profiles:
        for field, value in demo_secrets()["demo-echo"].items():
            memory_keyring.MemoryKeyring().set_password("dialer-gui", f"{profile}/{field}", value)
    return path


def state(sandbox: SandboxThread) -> dict[str, Any]:
    return sandbox.sandbox.state


def test_follow_prints_one_json_line_per_change_until_the_end(
    sandbox: SandboxThread, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state(sandbox)["echo_lifecycle"] = LIFECYCLE
    code = cli.main(["--config", str(config_file), "call", "--follow", "--json", "+12125550100"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == ExitCode.OK
    assert [(line["state"], line["leg"]) for line in lines] == [
        ("accepted", None),
        ("ringing", "caller"),
        ("answered", "caller"),
        ("ringing", "callee"),
        ("connected", "callee"),
        ("ended", "callee"),
    ]
    assert {line["call_id"] for line in lines} == {"echo-1"}
    assert lines[0]["status"] == "accepted" and lines[0]["provider"] == "desk"
    assert lines[-1]["duration"] == 7.0
    assert all(line["at"] for line in lines)
    row = HistoryStore(history_path()).find_by_call_id("desk", "echo-1")
    assert row is not None and row.state is CallState.ENDED


def test_follow_in_words_and_a_pbx_that_tells_nothing(
    sandbox: SandboxThread, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state(sandbox)["echo_lifecycle"] = LIFECYCLE
    assert cli.main(["--config", str(config_file), "call", "--follow", "+12125550100"]) == 0
    out = capsys.readouterr().out
    assert "Your phone is ringing" in out and "Their phone is ringing" in out
    assert "Ended after 0:07" in out
    code = cli.main(
        ["--config", str(config_file), "call", "--follow", "--provider", "quiet", "+12125550111"]
    )
    captured = capsys.readouterr()
    assert code == ExitCode.OK and "tells nothing after it took a call" in captured.err


def test_hangup_ends_a_recorded_call_and_says_when_the_pbx_does_not_know_it(
    sandbox: SandboxThread, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state(sandbox)["echo_lifecycle"] = [{"state": "ringing", "leg": "caller"}]
    assert cli.main(["--config", str(config_file), "call", "--json", "+12125550100"]) == 0
    call_id = json.loads(capsys.readouterr().out)["call_id"]
    assert cli.main(["--config", str(config_file), "hangup", "--json", call_id]) == ExitCode.OK
    result = json.loads(capsys.readouterr().out)
    assert result == {
        "ok": True, "call_id": call_id, "provider": "desk", "message": "Echo ended the call."
    }  # fmt: skip
    assert state(sandbox)["echo_hangups"] == [call_id]
    row = HistoryStore(history_path()).find_by_call_id("desk", call_id)
    assert row is not None and row.state is CallState.CANCELLED
    # Ended already: said so, nothing sent.
    assert cli.main(["--config", str(config_file), "hangup", call_id]) == ExitCode.CALL_FAILED
    assert "not in progress (Cancelled)" in capsys.readouterr().err
    # A call this machine never placed: asked of the PBX, which does not know it.
    code = cli.main(["--config", str(config_file), "hangup", "echo-999"])
    assert code == ExitCode.INPUT and "knows no such call" in capsys.readouterr().err
    code = cli.main(["--config", str(config_file), "hangup", "--provider", "quiet", "echo-5"])
    assert code == ExitCode.CALL_FAILED and "cannot end calls" in capsys.readouterr().err
    assert state(sandbox)["echo_hangups"] == [call_id]
