"""Test harness: no display, no network beyond loopback, nothing outside a temp dir.

Every test runs with its own config, data, state, cache and runtime dirs and an in-memory
keyring, so nothing a test does can touch the developer's real settings or keychain.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
# Tests import helper modules from tests/support; subprocesses get the same path (see below).
SUPPORT = Path(__file__).parent / "support"
sys.path.insert(0, str(SUPPORT))
os.environ["PYTHON_KEYRING_BACKEND"] = "memory_keyring.MemoryKeyring"
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(SUPPORT), os.environ.get("PYTHONPATH", "")) if p
)

pytest_plugins = ["fixtures_core", "fixtures_sandbox", "fixtures_redis"]


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Point every per-user directory at a fresh temp dir, for this process and children."""
    dirs = {}
    for name in ("CONFIG", "DATA", "STATE", "CACHE", "RUNTIME"):
        d = tmp_path / "xdg" / name.lower()
        d.mkdir(parents=True, mode=0o700)
        monkeypatch.setenv(f"XDG_{name}_HOME" if name != "RUNTIME" else "XDG_RUNTIME_DIR", str(d))
        dirs[name.lower()] = d
    monkeypatch.delenv("DIALER_GUI_CONFIG", raising=False)
    import memory_keyring

    memory_keyring.reset()
    return dirs
