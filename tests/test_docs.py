"""The docs that can drift from the code are checked against it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_provider_docs_are_generated_from_the_code() -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_docs.py"), "--check"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr


def test_readme_has_exactly_the_two_setup_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"^python3 -m venv .*$", readme, flags=re.M)
    assert len(commands) == 2, commands
    run_cmd, test_cmd = commands
    assert run_cmd.endswith(".venv/bin/dialer-gui")
    assert "pytest" in readme and "scripts/check.py" in test_cmd
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_cmd.replace("pip install", "pip install -q") in ci


def test_readme_mentions_every_subcommand() -> None:
    from dialer_gui.cli import build_parser

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in sub.choices:
        assert f"dialer-gui {name}" in readme, name


def test_every_toml_example_in_the_docs_is_a_valid_config() -> None:
    from dialer_gui.core.config import parse_config

    for doc in ("README.md", "docs/providers.md"):
        text = (ROOT / doc).read_text(encoding="utf-8")
        blocks = re.findall(r"```toml\n(.*?)```", text, flags=re.S)
        assert blocks, doc
        for block in blocks:
            config = parse_config(block if "version" in block else "version = 1\n" + block)
            assert config.providers or config.directories, block
