"""Linux link handler registration (real xdg-mime in temp XDG dirs) and the launcher."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dialer_gui.platform import DESKTOP_FILE, SCHEMES, RegistrationError, launcher, linux


def need_tool(tool: str) -> None:
    if shutil.which(tool) is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{tool} is required on CI")
        pytest.skip(f"{tool} is not installed")


@pytest.fixture
def generic_desktop(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tell xdg-mime which desktop it runs on, so it does not probe D-Bus and X."""
    monkeypatch.setenv("XDG_CURRENT_DESKTOP", "X-Generic")
    for name in ("KDE_FULL_SESSION", "GNOME_DESKTOP_SESSION_ID", "DESKTOP_SESSION"):
        monkeypatch.delenv(name, raising=False)


def xdg_default(scheme: str) -> str:
    return subprocess.run(
        ["xdg-mime", "query", "default", f"x-scheme-handler/{scheme}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def read_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


# --- launcher -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arg", "quoted"),
    [
        ("/usr/bin/dialer-gui", "/usr/bin/dialer-gui"),
        ("/opt/My Apps/dialer-gui", '"/opt/My Apps/dialer-gui"'),
        ("/opt/it's", '"/opt/it\'s"'),
        ('/opt/a"b', '"/opt/a\\\\"b"'),
        ("/opt/$HOME", '"/opt/\\\\$HOME"'),
        ("/opt/back`tick", '"/opt/back\\\\`tick"'),
        ("C:\\dialer", '"C:\\\\\\\\dialer"'),
        ("/opt/100%", "/opt/100%%"),
        ("", '""'),
    ],
)
def test_desktop_quote(arg: str, quoted: str) -> None:
    assert launcher.desktop_quote(arg) == quoted


def test_desktop_quote_refuses_newlines() -> None:
    with pytest.raises(ValueError, match="control"):
        launcher.desktop_quote("/opt/a\nExec=evil")


def test_desktop_exec_puts_the_link_last_behind_link_option() -> None:
    line = launcher.desktop_exec(["/opt/My Apps/dialer-gui"])
    assert line == '"/opt/My Apps/dialer-gui" --link %u'
    assert launcher.desktop_exec(["/usr/bin/python3", "-m", "dialer_gui"], field_code=None) == (
        "/usr/bin/python3 -m dialer_gui"
    )


def test_handler_command_frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/dialer-gui/dialer-gui")
    monkeypatch.setenv("APPIMAGE", "/ignored")
    assert launcher.handler_command() == ["/opt/dialer-gui/dialer-gui"]


def test_handler_command_appimage_and_flatpak(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APPIMAGE", "/home/me/Apps/dialer-gui.AppImage")
    monkeypatch.setenv("FLATPAK_ID", "org.dialer_gui.DialerGui")
    assert launcher.handler_command() == ["/home/me/Apps/dialer-gui.AppImage"]
    monkeypatch.delenv("APPIMAGE")
    assert launcher.handler_command() == ["flatpak", "run", "org.dialer_gui.DialerGui"]


def test_handler_command_pip_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("APPIMAGE", raising=False)
    monkeypatch.delenv("FLATPAK_ID", raising=False)
    python = tmp_path / "bin" / "python"
    python.parent.mkdir()
    python.write_text("")
    monkeypatch.setattr(sys, "executable", str(python))
    assert launcher.handler_command() == [str(python), "-m", "dialer_gui"]
    script = tmp_path / "bin" / "dialer-gui"
    script.write_text("#!/bin/sh\n")
    assert launcher.handler_command() == [str(script)]


def test_links_of_a_pip_install_go_to_the_fast_entry(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("APPIMAGE", raising=False)
    monkeypatch.delenv("FLATPAK_ID", raising=False)
    python = tmp_path / "My Env" / "bin" / "python"
    monkeypatch.setattr(sys, "executable", str(python))
    entry = str(Path(launcher.__file__).resolve().parent.parent / "link_entry.py")
    assert launcher.link_command("%1") == [str(python), "-I", "-S", entry, "--link", "%1"]
    assert launcher.desktop_exec() == f'"{python}" -I -S {entry} --link %u'
    # Autostart and everything else keep the normal command.
    assert launcher.desktop_exec(field_code=None) == f'"{python}" -m dialer_gui'


def test_links_of_a_packaged_build_keep_its_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/dialer-gui/dialer-gui")
    assert launcher.link_command("%u") == ["/opt/dialer-gui/dialer-gui", "--link", "%u"]


# --- the desktop entry ----------------------------------------------------------------------


def test_desktop_entry_keys(tmp_path: Path) -> None:
    path = tmp_path / DESKTOP_FILE
    path.write_text(linux.desktop_entry('"/opt/My Apps/dialer-gui" --link %u'))
    entry = read_entry(path)
    assert entry["Type"] == "Application"
    assert entry["Name"] == "dialer-gui"
    assert entry["Exec"] == '"/opt/My Apps/dialer-gui" --link %u'
    assert entry["MimeType"] == (
        "x-scheme-handler/tel;x-scheme-handler/callto;x-scheme-handler/sip;x-scheme-handler/sips;"
    )
    assert entry["Categories"] == "Network;Telephony;"
    assert (entry["NoDisplay"], entry["Terminal"], entry["StartupNotify"]) == (
        "false",
        "false",
        "false",
    )
    assert entry["Icon"] == "dialer-gui"


def test_desktop_entry_is_valid(tmp_path: Path) -> None:
    need_tool("desktop-file-validate")
    path = tmp_path / DESKTOP_FILE
    path.write_text(linux.desktop_entry(launcher.desktop_exec(["/opt/My Apps/dialer-gui"])))
    result = subprocess.run(
        ["desktop-file-validate", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout.lower()


# --- registration with the real xdg-mime ---------------------------------------------------


@pytest.mark.usefixtures("generic_desktop")
def test_register_makes_us_the_default(isolated_dirs: dict[str, Path]) -> None:
    need_tool("xdg-mime")
    steps = linux.register()
    assert steps and all(step.endswith(".") for step in steps)
    assert any("with xdg-mime" in step for step in steps)
    path = isolated_dirs["data"] / "applications" / DESKTOP_FILE
    assert read_entry(path)["Exec"].endswith(" --link %u")
    for scheme in SCHEMES:
        assert xdg_default(scheme) == DESKTOP_FILE
        assert linux.query_default(scheme) == DESKTOP_FILE


@pytest.mark.usefixtures("generic_desktop")
def test_unregister_restores_nothing_but_ours(isolated_dirs: dict[str, Path]) -> None:
    need_tool("xdg-mime")
    apps = isolated_dirs["data"] / "applications"
    apps.mkdir()
    (apps / "linphone.desktop").write_text(
        "[Desktop Entry]\nType=Application\nName=Linphone\nExec=/bin/true %u\n"
    )
    mimeapps = isolated_dirs["config"] / "mimeapps.list"
    mimeapps.write_text(
        "# my settings\n"
        "[Added Associations]\n"
        "x-scheme-handler/sip=linphone.desktop;\n"
        "[Default Applications]\n"
        "text/html=firefox.desktop;\n"
        "x-scheme-handler/sip=linphone.desktop;\n"
    )
    linux.register()
    assert xdg_default("sip") == DESKTOP_FILE
    steps = linux.unregister()
    assert any("Removed the menu entry" in step for step in steps)
    assert not (isolated_dirs["data"] / "applications" / DESKTOP_FILE).exists()
    text = mimeapps.read_text()
    assert DESKTOP_FILE not in text
    assert "# my settings" in text and "text/html=firefox.desktop;" in text
    assert xdg_default("sip") == "linphone.desktop"
    assert linux.query_default("tel") is None


def test_register_without_xdg_utils_writes_mimeapps_itself(
    isolated_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    mimeapps = isolated_dirs["config"] / "mimeapps.list"
    mimeapps.write_text("[Default Applications]\nx-scheme-handler/tel=skype.desktop;\n")
    steps = linux.register()
    assert any("mimeapps.list" in step for step in steps)
    assert not any("xdg-mime" in step for step in steps)
    for scheme in SCHEMES:
        assert linux.query_default(scheme) == DESKTOP_FILE
    assert "x-scheme-handler/tel=dialer-gui.desktop;skype.desktop;" in mimeapps.read_text()
    assert mimeapps.read_text().count("[Default Applications]") == 1
    linux.unregister()
    assert linux.query_default("tel") == "skype.desktop"
    assert linux.query_default("callto") is None


def test_register_reports_an_unwritable_home(
    isolated_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))
    with pytest.raises(RegistrationError, match="Could not write the menu entry"):
        linux.register()


# --- doctor ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("generic_desktop", "isolated_dirs")
def test_doctor_before_and_after_register() -> None:
    from dialer_gui.platform import doctor

    need_tool("xdg-mime")
    before = {c.name: c for c in doctor.link_checks()}
    assert set(before) == {"tel: links", "callto: links", "sip: links", "sips: links"}
    assert not any(c.ok for c in before.values())
    assert all("dialer-gui register" in c.fix for c in before.values())
    linux.register()
    after = doctor.link_checks()
    assert all(c.ok and not c.fix for c in after)


def test_doctor_names_another_handler(isolated_dirs: dict[str, Path]) -> None:
    from dialer_gui.platform import doctor

    apps = isolated_dirs["data"] / "applications"
    apps.mkdir()
    (apps / "linphone.desktop").write_text("[Desktop Entry]\nType=Application\nExec=/bin/true\n")
    (isolated_dirs["config"] / "mimeapps.list").write_text(
        "[Default Applications]\nx-scheme-handler/sip=linphone.desktop;\n"
    )
    sip = next(c for c in doctor.link_checks() if c.name == "sip: links")
    assert not sip.ok and "linphone.desktop" in sip.detail


def test_doctor_keyring_and_single_instance(monkeypatch: pytest.MonkeyPatch) -> None:
    from dialer_gui.platform import doctor

    ok = doctor.keyring_check()
    assert ok.ok, ok.detail  # the test harness installs an in-memory backend
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    import keyring.core

    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    broken = doctor.keyring_check()
    assert not broken.ok and broken.fix
    assert doctor.ipc_check().ok


def test_doctor_run_and_report() -> None:
    from dialer_gui.platform import doctor

    provider = doctor.Check("Provider office", False, "the PBX refused the password.", "Fix it.")
    checks = doctor.run(tray_available=False, provider_checks=[provider])
    assert checks[-1] is provider
    assert checks[-2].name == "System tray" and not checks[-2].ok
    report = doctor.format_report(
        [doctor.Check("A", True, "fine."), doctor.Check("B", False, "broken.", "Do this.")]
    )
    assert report.splitlines() == [
        "✓ A: fine.",
        "✗ B: broken.",
        "    Fix: Do this.",
        "1 of 2 checks found a problem.",
    ]
    assert doctor.format_report([doctor.Check("A", True, "fine.")]).endswith("All 1 checks passed.")
