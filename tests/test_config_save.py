"""Saving settings edits the user's file: comments, order, links, modes and folders survive."""

from __future__ import annotations

import difflib
import os
import stat
import threading
from pathlib import Path

import pytest

from dialer_gui.core.config import ConfigError, load_config, save_config

USER_FILE = """\
# My phone settings -- kept by hand, please leave my notes alone.
version = 1

[providers.office]   # the main PBX
type = "fake"
# the address IT gave us
url = 'https://pbx.example.com'
retries = 2

[general]
region = "GB"        # we are in London
confirm_links = false

[providers.backup]
type = "fake"
url = "https://backup.example.com"
"""


@pytest.fixture
def user_file(tmp_path: Path, fake_provider_type: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(USER_FILE, encoding="utf-8")
    return path


def changed_lines(before: str, after: str) -> list[str]:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def test_a_save_changes_only_the_line_of_the_changed_setting(user_file: Path) -> None:
    config = load_config(user_file)
    config.general.region = "IE"
    save_config(config)
    after = user_file.read_text(encoding="utf-8")
    assert changed_lines(USER_FILE, after) == [
        '-region = "GB"        # we are in London',
        '+region = "IE"        # we are in London',
    ]
    assert load_config(user_file).general.region == "IE"


def test_a_save_without_changes_leaves_the_file_byte_for_byte(user_file: Path) -> None:
    save_config(load_config(user_file))
    assert user_file.read_text(encoding="utf-8") == USER_FILE


def test_removing_and_adding_profiles_touches_only_their_tables(user_file: Path) -> None:
    config = load_config(user_file)
    del config.providers["backup"]
    save_config(config)
    after = user_file.read_text(encoding="utf-8")
    assert "backup" not in after
    assert after.startswith(USER_FILE.split("[providers.backup]", maxsplit=1)[0].rstrip("\n"))
    assert load_config(user_file).providers.keys() == {"office"}


def test_a_symlinked_config_stays_a_link(tmp_path: Path, user_file: Path) -> None:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    real = dotfiles / "dialer-gui.toml"
    user_file.rename(real)
    user_file.symlink_to(real)
    config = load_config(user_file)
    config.general.region = "FR"
    save_config(config)
    assert user_file.is_symlink() and user_file.resolve() == real
    assert load_config(real).general.region == "FR"


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_folder_and_file_modes_are_kept(tmp_path: Path, user_file: Path) -> None:
    tmp_path.chmod(0o755)
    user_file.chmod(0o640)
    config = load_config(user_file)
    config.general.region = "DE"
    save_config(config)
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o755
    assert stat.S_IMODE(user_file.stat().st_mode) == 0o640
    fresh = tmp_path / "new" / "config.toml"
    save_config(config, fresh)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    assert stat.S_IMODE(fresh.parent.stat().st_mode) == 0o700


def test_temp_files_of_a_killed_save_are_cleaned_up(user_file: Path) -> None:
    leftover = user_file.with_name(f".{user_file.name}.k1ll3d.tmp")
    leftover.write_text("half a config")
    unrelated = user_file.with_name("notes.tmp")
    unrelated.write_text("mine")
    save_config(load_config(user_file))
    assert not leftover.exists() and unrelated.exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
def test_a_fifo_at_the_config_path_is_refused_not_waited_on(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    os.mkfifo(path)
    outcome: list[BaseException | None] = []

    def load() -> None:
        try:
            load_config(path)
        except BaseException as exc:
            outcome.append(exc)
        else:
            outcome.append(None)

    worker = threading.Thread(target=load, daemon=True)
    worker.start()
    worker.join(5)
    assert not worker.is_alive(), "loading a FIFO blocked"
    assert isinstance(outcome[0], ConfigError)
    assert "not a regular file" in str(outcome[0])
    with pytest.raises(ConfigError, match="cannot be saved"):
        save_config(load_config(tmp_path / "other.toml"), path)
    assert stat.S_ISFIFO(os.lstat(path).st_mode)
