"""`dialer-gui register` writes the browsers' host manifests, `unregister` removes them, and
the doctor checks each browser this user has run; all in a temp home (tests/conftest.py)."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from dialer_gui.platform import doctor, native_messaging
from dialer_gui.platform.launcher import native_host_path
from dialer_gui.platform.native_messaging import BROWSERS, manifest_file

HOST = native_host_path()
ORIGIN = "chrome-extension://dgnciapcpmfcibaegabblaimnlgfaepb/"
NAME = "app.dialer_gui.native_host.json"

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the Linux folders")


def by_name(name: str) -> native_messaging.Browser:
    return next(b for b in BROWSERS if b.name == name)


def test_the_host_program_is_the_console_script_next_to_this_python() -> None:
    assert HOST is not None and HOST.name == "dialer-gui-native-host"
    assert HOST.parent == Path(sys.executable).parent


def test_register_writes_one_manifest_per_browser_in_its_own_folder(
    isolated_dirs: dict[str, Path],
) -> None:
    home, config = isolated_dirs["home"], isolated_dirs["config"]
    steps = native_messaging.register()
    assert steps == [
        "Set up the browser companion for Google Chrome, Chromium, Microsoft Edge, Brave and "
        f"Firefox: their extension can now start {HOST}."
    ]
    assert [manifest_file(b) for b in BROWSERS] == [
        config / "google-chrome" / "NativeMessagingHosts" / NAME,
        config / "chromium" / "NativeMessagingHosts" / NAME,
        config / "microsoft-edge" / "NativeMessagingHosts" / NAME,
        config / "BraveSoftware" / "Brave-Browser" / "NativeMessagingHosts" / NAME,
        home / ".mozilla" / "native-messaging-hosts" / NAME,
    ]
    chromium = {
        "name": "app.dialer_gui.native_host",
        "description": "dialer-gui: calls the numbers you click in the browser",
        "path": str(HOST),
        "type": "stdio",
        "allowed_origins": [ORIGIN],
    }
    for browser in BROWSERS:
        path = manifest_file(browser)
        data = json.loads(path.read_text(encoding="utf-8"))
        if browser.firefox:
            expected = {k: v for k, v in chromium.items() if k != "allowed_origins"}
            assert data == {**expected, "allowed_extensions": ["companion@dialer-gui.app"]}
        else:
            assert data == chromium
        assert stat.S_IMODE(path.stat().st_mode) == 0o644  # the browser must read it


def test_unregister_removes_only_our_manifests(isolated_dirs: dict[str, Path]) -> None:
    native_messaging.register()
    other = manifest_file(by_name("Firefox")).with_name("org.example.other.json")
    other.write_text("{}", encoding="utf-8")
    assert native_messaging.unregister() == [
        "Removed the browser companion's manifests for Google Chrome, Chromium, Microsoft Edge, "
        "Brave and Firefox."
    ]
    assert not any(manifest_file(b).exists() for b in BROWSERS)
    assert other.exists()
    assert native_messaging.unregister() == []  # twice is fine


def test_macos_and_windows_places(isolated_dirs: dict[str, Path], monkeypatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    support = isolated_dirs["home"] / "Library" / "Application Support"
    assert [native_messaging.manifest_dir(b) for b in BROWSERS] == [
        support / "Google" / "Chrome" / "NativeMessagingHosts",
        support / "Chromium" / "NativeMessagingHosts",
        support / "Microsoft Edge" / "NativeMessagingHosts",
        support / "BraveSoftware" / "Brave-Browser" / "NativeMessagingHosts",
        support / "Mozilla" / "NativeMessagingHosts",
    ]
    assert [key for key, _name, _value in native_messaging.registry_entries()] == [
        r"Software\Google\Chrome\NativeMessagingHosts\app.dialer_gui.native_host",
        r"Software\Chromium\NativeMessagingHosts\app.dialer_gui.native_host",
        r"Software\Microsoft\Edge\NativeMessagingHosts\app.dialer_gui.native_host",
        r"Software\BraveSoftware\Brave-Browser\NativeMessagingHosts\app.dialer_gui.native_host",
        r"Software\Mozilla\NativeMessagingHosts\app.dialer_gui.native_host",
    ]
    assert {name for _key, name, _value in native_messaging.registry_entries()} == {""}


# --- the doctor -----------------------------------------------------------------------------------


def run_browser(name: str) -> None:
    """What running a browser once leaves behind: its profile folder."""
    (by_name(name).profile_dir() / ("Default" if name != "Firefox" else "firefox")).mkdir(
        parents=True, exist_ok=True
    )


def statuses() -> dict[str, native_messaging.Status]:
    return {s.name.removeprefix("Browser companion in "): s for s in native_messaging.inspect()}


def test_without_any_browser_there_is_nothing_to_check() -> None:
    native_messaging.register()  # our own manifest folders do not count as a browser
    (status,) = native_messaging.inspect()
    assert status.ok and "nothing to check" in status.detail


def test_each_browser_run_here_is_checked_and_the_fix_is_register() -> None:
    run_browser("Google Chrome")
    run_browser("Firefox")
    found = statuses()
    assert set(found) == {"Google Chrome", "Firefox"}
    assert not found["Firefox"].ok and "missing" in found["Firefox"].detail
    assert found["Firefox"].fix == "Run `dialer-gui register`."
    native_messaging.register()
    found = statuses()
    assert all(s.ok for s in found.values())
    assert str(manifest_file(by_name("Google Chrome"))) in found["Google Chrome"].detail


@pytest.mark.parametrize(
    ("change", "detail", "fix"),
    [
        (lambda d: d.update(allowed_origins=["chrome-extension://a/"]), "does not let", "register"),
        (lambda d: d.update(name="org.example.other"), "another host", "register"),
        (lambda d: d.update(path="dialer-gui-native-host"), "no absolute path", "register"),
        (lambda d: d.update(path="/nowhere/dialer-gui-native-host"), "does not exist", "Reinstall"),
        (lambda d: d.update(path=sys.executable), "not this dialer-gui's", "register"),
    ],
)  # fmt: skip
def test_a_wrong_manifest_is_named_with_its_fix(change, detail: str, fix: str) -> None:
    run_browser("Brave")
    native_messaging.register()
    path = manifest_file(by_name("Brave"))
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")
    status = statuses()["Brave"]
    assert not status.ok and detail in status.detail and fix in status.fix


def test_a_manifest_that_is_not_json_is_reported() -> None:
    run_browser("Chromium")
    native_messaging.register()
    manifest_file(by_name("Chromium")).write_text("{oops", encoding="utf-8")
    status = statuses()["Chromium"]
    assert not status.ok and "cannot be read" in status.detail


@pytest.mark.slow
def test_register_and_doctor_from_the_command_line(isolated_dirs: dict[str, Path]) -> None:
    run_browser("Microsoft Edge")
    cli = [sys.executable, "-m", "dialer_gui"]
    before = subprocess.run([*cli, "doctor"], capture_output=True, text=True, check=False)
    assert "✗ Browser companion in Microsoft Edge: the companion's host manifest is missing" in (
        before.stdout
    )
    done = subprocess.run([*cli, "register"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "Set up the browser companion for Google Chrome" in done.stdout
    after = subprocess.run([*cli, "doctor"], capture_output=True, text=True, check=False)
    assert "✓ Browser companion in Microsoft Edge: the extension can reach dialer-gui" in (
        after.stdout
    )
    assert doctor.browser_checks()[0].ok
    undone = subprocess.run([*cli, "unregister"], capture_output=True, text=True, check=False)
    assert "Removed the browser companion's manifests" in undone.stdout
