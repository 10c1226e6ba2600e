"""Fixtures for the Qt-free core (config, history, secrets)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dialer_gui.core.history import HistoryStore
from dialer_gui.core.secrets import SecretStore

SAMPLE_CONFIG = """\
version = 1

[general]
region = "DE"
default_provider = "office"
extension_lengths = [3, 5]
blocked_prefixes = ["+49900"]

[[routes]]
match = "extension"
provider = "office"

[[routes]]
match = "country:GB"
provider = "london"

[providers.office]
type = "fake"
url = "https://pbx.example.com"
caller = "557"
retries = 2

[providers.london]
type = "fake"
url = "https://london.example.com/api"
mode = "b"
timeout = 3
headers = { X-Tenant = "uk" }
"""


@pytest.fixture
def fake_provider_type(monkeypatch: pytest.MonkeyPatch) -> str:
    """Register the test-only provider type ``fake`` (tests/support/fake_provider.py)."""
    from dialer_gui.providers import PROVIDERS, ProviderEntry

    monkeypatch.setitem(
        PROVIDERS, "fake", ProviderEntry("fake_provider:FakeProvider", "fake_sandbox")
    )
    return "fake"


@pytest.fixture
def config_file(tmp_path: Path, fake_provider_type: str) -> Path:
    """A valid config with two ``fake`` profiles and two routes, in tmp (see SAMPLE_CONFIG)."""
    path = tmp_path / "config.toml"
    path.write_text(SAMPLE_CONFIG, encoding="utf-8")
    return path


@pytest.fixture
def history(tmp_path: Path) -> Iterator[HistoryStore]:
    """An empty HistoryStore in tmp, closed afterwards."""
    store = HistoryStore(tmp_path / "data" / "history.sqlite3")
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def secret_store() -> SecretStore:
    """A SecretStore over the in-memory test keyring (emptied before every test)."""
    from memory_keyring import MemoryKeyring

    return SecretStore(MemoryKeyring())
