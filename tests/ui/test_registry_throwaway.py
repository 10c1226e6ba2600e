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
