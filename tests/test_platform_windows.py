"""Windows registration: the exact registry entries (applied only on Windows)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

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


def test_the_fast_entry_as_a_windows_command() -> None:
    python = r"C:\Users\Ann Lee\AppData\Local\Programs\Python311\pythonw.exe"
    entry = r"C:\Users\Ann Lee\venv\Lib\site-packages\dialer_gui\link_entry.py"
    entries = dict(((k, n), v) for k, n, v in windows.registry_entries([python, "-I", "-S", entry]))
    command = entries[(r"Software\Classes\dialer-gui.tel\shell\open\command", "")]
    assert command == f'"{python}" -I -S "{entry}" --link "%1"'
    assert windows.is_our_command(command)


def test_is_our_command() -> None:
    assert windows.is_our_command(f'"{EXE}" --link "%1"')
    assert not windows.is_our_command(r'"C:\Program Files\Skype\Skype.exe" "%1"')
    assert not windows.is_our_command(r'"C:\Tools\dialer_gui_backup.exe" "%1"')


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


def unquote(field: str) -> str:
    """An Inno Setup parameter value: quotes removed, doubled quotes made single."""
    field = field.strip()
    return field[1:-1].replace('""', '"') if field.startswith('"') else field


def iss_registry_values(text: str) -> set[tuple[str, str, str]]:
    """The (key, name, value) string values of an Inno Setup [Registry] section."""
    defines = dict(re.findall(r'^#define (\w+) "([^"]*)"', text, re.MULTILINE))
    for name, value in defines.items():
        text = text.replace("{#" + name + "}", value)
    values = set()
    for line in text.splitlines():
        if not line.startswith("Root: HKCU;") or "ValueType: string" not in line:
            continue
        fields = dict(re.findall(r'(\w+): ("(?:[^"]|"")*"|[^;]*)', line))
        values.add(
            (unquote(fields["Subkey"]), unquote(fields["ValueName"]), unquote(fields["ValueData"]))
        )
    return values


def test_inno_setup_script_writes_the_same_entries() -> None:
    iss = Path(__file__).parents[1] / "packaging" / "windows" / "dialer-gui.iss"
    values = iss_registry_values(iss.read_text(encoding="utf-8"))
    expected = set(windows.registry_entries([r"{app}\dialer-gui.exe"]))
    assert expected <= values
    run = {v for v in values if v[0] == r"Software\Microsoft\Windows\CurrentVersion\Run"}
    assert run == {
        (
            r"Software\Microsoft\Windows\CurrentVersion\Run",
            "dialer-gui",
            '"{app}\\dialer-gui.exe" --background',
        )
    }
    assert values - expected == run
