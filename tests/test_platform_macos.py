"""macOS: the Info.plist we generate and the one checked in under packaging/."""

from __future__ import annotations

import plistlib
import sys
from pathlib import Path

import pytest

from dialer_gui import __version__
from dialer_gui.platform import RegistrationError, macos

CHECKED_IN = Path(__file__).parents[1] / "packaging" / "macos" / "Info.plist"


def test_info_plist_declares_the_url_schemes() -> None:
    plist = macos.info_plist("1.2.3")
    assert plist["CFBundleIdentifier"] == "org.dialer-gui.DialerGui"
    assert plist["CFBundleShortVersionString"] == "1.2.3"
    assert plist["CFBundleExecutable"] == "dialer-gui"
    assert plist["LSUIElement"] is True
    schemes = {s for entry in plist["CFBundleURLTypes"] for s in entry["CFBundleURLSchemes"]}
    assert schemes == {"tel", "callto", "sip", "sips"}
    for entry in plist["CFBundleURLTypes"]:
        assert entry["CFBundleURLName"].startswith("org.dialer-gui.DialerGui.")
        assert len(entry["CFBundleURLSchemes"]) == 1


def test_info_plist_custom_bundle_id() -> None:
    plist = macos.info_plist("1.0", bundle_id="com.example.Dialer")
    assert plist["CFBundleIdentifier"] == "com.example.Dialer"
    assert plist["CFBundleURLTypes"][0]["CFBundleURLName"] == "com.example.Dialer.tel"


def test_written_plist_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "Info.plist"
    macos.write_info_plist(path, "2.0")
    assert plistlib.loads(path.read_bytes()) == macos.info_plist("2.0")


def test_checked_in_plist_is_the_generated_one() -> None:
    """Regenerate with: python -m dialer_gui.platform.macos packaging/macos/Info.plist"""
    assert plistlib.loads(CHECKED_IN.read_bytes()) == macos.info_plist(__version__)


@pytest.mark.skipif(sys.platform == "darwin", reason="checks the non-macOS guard")
def test_register_elsewhere_is_a_plain_error() -> None:
    with pytest.raises(RegistrationError, match="only works on macOS"):
        macos.register()
    assert macos.query_default("tel") is None
    assert "Trash" in macos.unregister()[0]
