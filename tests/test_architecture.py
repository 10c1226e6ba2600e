"""Core, providers, sandbox, ipc and platform never import Qt; the link path stays light."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "dialer_gui"
QT_FREE = ["core", "providers", "sandbox", "platform", "ipc.py", "errors.py", "cli.py"]


def _modules() -> list[Path]:
    out: list[Path] = []
    for name in QT_FREE:
        path = PKG / name
        out += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return [p for p in out if p.exists()]


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PKG)))
def test_no_qt_imports(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        for name in names:
            assert not name.startswith(("PySide6", "PyQt", "qasync", "dialer_gui.ui")), (
                f"{path.name} imports {name}"
            )


def test_link_handoff_imports_nothing_heavy() -> None:
    """The process the OS starts for a tel: click must not load Qt, httpx or phonenumbers."""
    code = (
        "import sys; from dialer_gui import cli, ipc; "
        "ipc.decode(ipc.encode(ipc.Message('dial', 'tel:+15551234567', 'link'))); "
        "heavy = [m for m in ('PySide6', 'httpx', 'phonenumbers', 'qasync', 'keyring', "
        "'platformdirs', 'argparse', 'dataclasses', 'typing', 'pathlib', 'asyncio') "
        "if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_hand_off_exit_codes_match_the_enum() -> None:
    from dialer_gui import cli
    from dialer_gui.exitcodes import ExitCode

    assert (cli._OK, cli._USAGE, cli._INPUT) == (ExitCode.OK, ExitCode.USAGE, ExitCode.INPUT)


def test_link_option_alone_starts_the_app_like_the_menu_entry_does() -> None:
    """The desktop entry is `dialer-gui --link %u`; from the app menu %u expands to nothing."""
    from dialer_gui import cli

    started: list[list[str]] = []
    original = cli._main_parsed
    cli._main_parsed = lambda argv: started.append(argv) or 0  # type: ignore[assignment]
    try:
        assert cli.main(["--link"]) == 0
    finally:
        cli._main_parsed = original
    assert started == [[]]
    assert cli.main(["--link", "tel:1", "x"]) == cli._USAGE
