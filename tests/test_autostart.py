"""Start at login: the Linux file for real, the Windows and macOS data as pure functions."""

from __future__ import annotations

import configparser
import plistlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dialer_gui.platform import RegistrationError, autostart

pytestmark = pytest.mark.skipif(
    sys.platform in ("win32", "darwin"), reason="exercises the Linux autostart file"
)


def test_off_by_default(isolated_dirs: dict[str, Path]) -> None:
    assert autostart.is_enabled() is False
    assert not (isolated_dirs["config"] / "autostart").exists()


def test_enable_writes_the_xdg_entry(isolated_dirs: dict[str, Path]) -> None:
    message = autostart.enable()
    path = isolated_dirs["config"] / "autostart" / "dialer-gui.desktop"
    assert str(path) in message
    assert autostart.is_enabled() is True
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path)
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Exec"].endswith(" --background")
    assert "--link" not in entry["Exec"] and "%u" not in entry["Exec"]
    if shutil.which("desktop-file-validate"):
        result = subprocess.run(
            ["desktop-file-validate", str(path)], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stdout


def test_enable_twice_then_disable(isolated_dirs: dict[str, Path]) -> None:
    autostart.enable()
    autostart.enable()
    assert autostart.disable() == "dialer-gui will no longer start at login."
    assert autostart.is_enabled() is False
    assert autostart.disable() == "dialer-gui was not set to start at login."


def test_enable_reports_an_unwritable_config_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(blocker))
    with pytest.raises(RegistrationError, match="cannot be written"):
        autostart.enable()


def test_windows_run_entry() -> None:
    exe = r"C:\Program Files\dialer-gui\dialer-gui.exe"
    assert autostart.run_entry([exe, "--background"]) == (
        r"Software\Microsoft\Windows\CurrentVersion\Run",
        "dialer-gui",
        f'"{exe}" --background',
    )


def test_macos_launch_agent() -> None:
    command = ["/Applications/dialer-gui.app/Contents/MacOS/dialer-gui", "--background"]
    agent = autostart.launch_agent(command)
    assert agent["Label"] == "org.dialer-gui"
    assert agent["ProgramArguments"] == command
    assert agent["RunAtLoad"] is True and agent["KeepAlive"] is False
    assert plistlib.loads(plistlib.dumps(agent)) == agent
    assert autostart.launch_agent_path().name == "org.dialer-gui.plist"
