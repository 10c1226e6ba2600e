"""Windows registration: the exact registry entries (applied only on Windows)."""

from __future__ import annotations

import sys

import pytest

from dialer_gui.platform import RegistrationError, windows

EXE = r"C:\Users\Ann Lee\AppData\Local\Programs\dialer-gui\dialer-gui.exe"


def test_registry_entries_exact() -> None:
    assert windows.registry_entries([EXE]) == [
        (r"Software\Classes\dialer-gui.tel", "", "URL:Phone link (dialer-gui)"),
        (r"Software\Classes\dialer-gui.tel", "URL Protocol", ""),
        (r"Software\Classes\dialer-gui.tel", "FriendlyTypeName", "Phone link"),
        (r"Software\Classes\dialer-gui.tel\DefaultIcon", "", f'"{EXE}",0'),
        (r"Software\Classes\dialer-gui.tel\shell\open\command", "", f'"{EXE}" --link "%1"'),
        (r"Software\dialer-gui\Capabilities", "ApplicationName", "dialer-gui"),
        (
            r"Software\dialer-gui\Capabilities",
            "ApplicationDescription",
            "Dial tel:, callto: and sip: links through your phone system.",
        ),
        (r"Software\dialer-gui\Capabilities\URLAssociations", "tel", "dialer-gui.tel"),
        (r"Software\dialer-gui\Capabilities\URLAssociations", "callto", "dialer-gui.tel"),
        (r"Software\dialer-gui\Capabilities\URLAssociations", "sip", "dialer-gui.tel"),
        (r"Software\dialer-gui\Capabilities\URLAssociations", "sips", "dialer-gui.tel"),
        (r"Software\RegisteredApplications", "dialer-gui", r"Software\dialer-gui\Capabilities"),
    ]


def test_command_for_a_pip_install_quotes_each_part() -> None:
    python = r"C:\Program Files\Python311\python.exe"
    entries = dict(
        ((k, n), v) for k, n, v in windows.registry_entries([python, "-m", "dialer_gui"])
    )
    command = entries[(r"Software\Classes\dialer-gui.tel\shell\open\command", "")]
    assert command == f'"{python}" -m dialer_gui --link "%1"'
    assert entries[(r"Software\Classes\dialer-gui.tel\DefaultIcon", "")] == f'"{python}",0'


def test_command_line_quotes_arguments_with_spaces() -> None:
    assert windows.command_line([EXE, "--config", r"C:\My Config\d.toml"]) == (
        f'"{EXE}" --config "C:\\My Config\\d.toml"'
    )


def test_claiming_schemes_adds_scheme_keys() -> None:
    plain = windows.registry_entries([EXE])
    claimed = windows.registry_entries([EXE], claim_schemes=True)
    assert claimed[: len(plain)] == plain
    extra = claimed[len(plain) :]
    assert (r"Software\Classes\sip", "URL Protocol", "") in extra
    assert (r"Software\Classes\tel\shell\open\command", "", f'"{EXE}" --link "%1"') in extra
    assert len(extra) == 3 * 4


def test_every_value_is_a_string_under_hkcu_software() -> None:
    for key, name, value in windows.registry_entries([EXE], claim_schemes=True):
        assert key.startswith("Software\\")
        assert all(isinstance(part, str) for part in (key, name, value))


@pytest.mark.skipif(sys.platform == "win32", reason="checks the non-Windows guard")
def test_register_elsewhere_is_a_plain_error() -> None:
    with pytest.raises(RegistrationError, match="only works on Windows"):
        windows.register()
    assert windows.query_default("tel") is None
