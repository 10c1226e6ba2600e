"""Test harness: no display, no network beyond loopback, nothing outside a temp dir.

Every test runs with its own config, data, state, cache and runtime dirs and an in-memory
keyring, so nothing a test does can touch the developer's real settings or keychain.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
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

pytest_plugins = [
    "fixtures_core",
    "fixtures_sandbox",
    "fixtures_redis",
    "fixtures_radicale",
    "fixtures_slapd",
]


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Path]]:
    """Point every per-user directory at a fresh temp dir, for this process and children.

    The runtime and cache dirs, where the single-instance socket lives, are under a short base
    of their own, as they are on a desktop (``/run/user/1000``): a socket path may not exceed
    about 100 bytes, and pytest's temp paths (longer still under xdist) would otherwise make
    the app fall back, or refuse, for that reason alone.
    """
    short = Path(tempfile.mkdtemp(prefix="dg-"))
    dirs = {}
    for name in ("CONFIG", "DATA", "STATE", "CACHE", "RUNTIME"):
        base = short if name in ("CACHE", "RUNTIME") else tmp_path / "xdg"
        d = base / name.lower()
        d.mkdir(parents=True, mode=0o700)
        monkeypatch.setenv(f"XDG_{name}_HOME" if name != "RUNTIME" else "XDG_RUNTIME_DIR", str(d))
        dirs[name.lower()] = d
    # The home folder too: browsers' manifest folders (~/.mozilla, ~/Library) hang off it.
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    dirs["home"] = home
    monkeypatch.delenv("DIALER_GUI_CONFIG", raising=False)
    import memory_keyring

    memory_keyring.reset()
    yield dirs
    shutil.rmtree(short, ignore_errors=True)
