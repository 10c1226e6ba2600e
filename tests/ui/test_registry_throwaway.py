"""A provider type added through the registry alone reaches every room that lists providers.

The ``echo`` type (tests/support/echo_provider.py and echo_sandbox.py) is registered with one
entry, as a sixth real provider would be; nothing else is told about it.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from dialer_gui.core.config import load_config, parse_config
from dialer_gui.core.secrets import SecretStore
from dialer_gui.providers import PROVIDERS, ProviderEntry, create_provider
from dialer_gui.providers.base import CallRequest
from dialer_gui.sandbox import running_sandbox
from dialer_gui.sandbox.demo import demo_profiles, demo_secrets
from dialer_gui.ui.settings_dialog import SettingsDialog
from dialer_gui.vocabulary.target import DialTarget, TargetKind

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.fixture
def echo(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setitem(
        PROVIDERS,
        "echo",
        ProviderEntry(
            "echo_provider:EchoProvider",
            "echo_sandbox",
            {"url": "https://echo.example.com", "extension": "201"},
        ),
    )
    return "echo"


def test_config_loading_knows_it_and_checks_its_fields(echo: str) -> None:
    config = parse_config('[providers.front]\ntype = "echo"\nurl = "https://e.example"\n')
    assert config.providers["front"].type == "echo"
    with pytest.raises(Exception, match="extension"):
        parse_config('[providers.front]\ntype = "echo"\nurl = "https://e.example"\nextension = 5\n')


def test_the_settings_form_offers_it_with_its_fields(echo: str, qtbot, tmp_path: Path) -> None:
    (tmp_path / "c.toml").write_text("")
    dialog = SettingsDialog(load_config(tmp_path / "c.toml"), SecretStore(), on_saved=print)
    dialog.ask_discard = lambda: True
    qtbot.addWidget(dialog)
    dialog.add_profile()
    index = dialog.type_box.findData("echo")
    assert index >= 0 and dialog.type_box.itemText(index) == "Echo PBX (tests)"
    dialog.type_box.setCurrentIndex(index)
    assert {"url", "extension", "token"} <= set(dialog.editors)


def test_the_docs_generator_documents_it(echo: str) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import gen_docs
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    text = gen_docs.render()
    assert "Echo PBX (tests)" in text and "[providers.echo-office]" in text
    assert 'extension = "201"' in text and "dialer-gui secret set echo-office token" in text
    assert "Echo PBX (tests)" in gen_docs.render_examples()


def test_the_sandbox_serves_it_and_demo_mode_dials_it(echo: str) -> None:
    with running_sandbox() as sandbox:
        profile = demo_profiles(sandbox.base_url)["demo-echo"]
        secrets = demo_secrets()["demo-echo"]
        provider = create_provider(profile, secrets)
        target = DialTarget(TargetKind.EXTERNAL, "+15551234567", "+1 555-123-4567")

        async def place() -> str | None:
            try:
                result = await provider.place_call(CallRequest(target, "15551234567", "ref-1"))
            finally:
                await provider.aclose()
            return result.call_id

        assert asyncio.run(place()) == "echo-1"
        assert sandbox.sandbox.state["echo_calls"] == [("201", "15551234567")]


def test_the_tracker_follows_its_outcomes_without_knowing_its_name(echo: str, tmp_path) -> None:
    """Late outcomes are something a provider offers: no type check anywhere picks it out."""
    from echo_provider import EchoFeed

    from dialer_gui.core.config import Config
    from dialer_gui.core.dialer import Dialer
    from dialer_gui.core.history import HistoryStore
    from dialer_gui.vocabulary.calls import CallState, Source
    from dialer_gui.vocabulary.profiles import ProviderProfile
    from dialer_gui.vocabulary.reasons import Reason

    with running_sandbox() as sandbox:
        demo = demo_profiles(sandbox.base_url)["demo-echo"]
        profile = ProviderProfile("desk", "echo", {**demo.options, "report_outcomes": True})
        secrets = {"desk": demo_secrets()["demo-echo"]}

        class Secrets:
            def secrets_for(self, name: str, fields: object) -> dict[str, str]:
                return dict(secrets.get(name, {}))

        history = HistoryStore(tmp_path / "history.sqlite3")
        dialer = Dialer(Config(providers={"desk": profile}), Secrets(), history)

        async def scenario() -> tuple[CallState, CallState, str | None, Reason | None]:
            await dialer.start_listeners()
            try:
                attempt = await dialer.dial("+1 201 555 0123", Source.CLI)
                accepted = attempt.state
                EchoFeed.running[f"echo-feed:{sandbox.base_url}"].push(
                    str(attempt.call_id), "Answered"
                )
                row = history.get(attempt.id or 0)
                assert row is not None
                return accepted, row.state, row.outcome, attempt.reason
            finally:
                await dialer.aclose()

        accepted, final, outcome, reason = asyncio.run(scenario())
        history.close()
    assert (accepted, final, outcome) == (CallState.ACCEPTED, CallState.COMPLETED, "Answered")
    assert reason is Reason.ACCEPTED  # the outcome lands on the history row
    assert not EchoFeed.running, "the listener was not stopped"
