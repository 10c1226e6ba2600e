"""Core, providers, sandbox, ipc and platform never import Qt; the link path stays light."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "dialer_gui"
QT_FREE = [
    *("core", "providers", "sandbox", "platform", "ipc.py", "errors.py", "cli.py"),
    *("handoff.py", "link_entry.py"),
]


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


def test_the_fast_entry_loads_only_the_stdlib_and_the_hand_off_modules(
    isolated_dirs: dict[str, Path],
) -> None:
    """What ``python -I -S link_entry.py --link URI`` imports, handing a link to an instance."""
    import socket
    import threading

    from dialer_gui import ipc

    name = ipc.socket_name()
    ipc.prepare_socket_dir(name)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(name)
        server.listen(1)

        def answer() -> None:
            conn, _ = server.accept()
            with conn:
                conn.recv(4096)
                conn.sendall(b"ok\n")

        thread = threading.Thread(target=answer, daemon=True)
        thread.start()
        code = (
            f"import sys; sys.path.append({str(PKG.parent)!r}); "
            "from dialer_gui import link_entry; "
            "code = link_entry.main(['--link', 'tel:+15551234567']); "
            "print(code); print(' '.join(sorted(sys.modules)))"
        )
        out = subprocess.run(
            [sys.executable, "-I", "-S", "-c", code],
            capture_output=True, text=True, check=True, timeout=30,
        )  # fmt: skip
        thread.join(5)
    status, modules = out.stdout.splitlines()
    assert status == "0", out.stderr
    loaded = set(modules.split())
    ours = {m for m in loaded if m.split(".")[0] == "dialer_gui"}
    assert ours == {
        "dialer_gui", "dialer_gui.cli", "dialer_gui.core", "dialer_gui.core.links",
        "dialer_gui.errors", "dialer_gui.handoff", "dialer_gui.ipc", "dialer_gui.link_entry",
        "dialer_gui.vocabulary", "dialer_gui.vocabulary.schemes",
        "dialer_gui.vocabulary.start_options",
    }  # fmt: skip
    foreign = {m for m in loaded - ours if m.split(".")[0] not in sys.stdlib_module_names}
    assert foreign <= {"__main__"}, foreign
    costly = {"re", "json", "socket", "selectors", "urllib", "enum", "typing", "dataclasses"}
    assert not loaded & (costly | {"pathlib", "argparse", "ipaddress"}), loaded & costly


def test_starting_the_app_leaves_what_it_may_never_need_unloaded() -> None:
    """Saving settings (tomlkit), the clipboard and its chooser are loaded on first use."""
    code = (
        "import sys; import dialer_gui.app; "
        "print(','.join(m for m in ('tomlkit', 'dialer_gui.core.tomledit', 'uuid', "
        "'dialer_gui.ui.clipboard', 'dialer_gui.ui.chooser') if m in sys.modules))"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == ""
