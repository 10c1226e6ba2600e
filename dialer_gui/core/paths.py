"""Where dialer-gui keeps its files, per user and per OS (via platformdirs).

Every function reads the environment afresh, so the ``XDG_*`` variables tests set (and the
``DIALER_GUI_CONFIG`` override) take effect without reloading anything.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "dialer-gui"
CONFIG_ENV = "DIALER_GUI_CONFIG"


def _dirs() -> platformdirs.PlatformDirs:
    # appauthor=False keeps Windows paths as %APPDATA%\dialer-gui rather than a vendor folder.
    return platformdirs.PlatformDirs(APP_NAME, appauthor=False)


def ensure_private_dir(path: Path | str) -> Path:
    """Create ``path`` (and its parents) and make it readable by this user only.

    Args:
        path: the directory.

    Returns:
        The directory as a :class:`Path`.
    """
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix":
        # mkdir's mode is filtered by the umask and ignored for existing dirs.
        path.chmod(0o700)
    return path


def config_path() -> Path:
    """The config file: ``$DIALER_GUI_CONFIG`` if set, else ``config.toml`` in the config dir."""
    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override).expanduser()
    return Path(_dirs().user_config_dir) / "config.toml"


def data_dir() -> Path:
    """The per-user data dir (history and phone book databases). Not created here."""
    return Path(_dirs().user_data_dir)


def history_path() -> Path:
    """The SQLite call history."""
    return data_dir() / "history.sqlite3"


def contacts_path() -> Path:
    """The SQLite phone book, beside the history."""
    return data_dir() / "contacts.sqlite3"


def log_dir() -> Path:
    """The per-user log dir. Not created here."""
    return Path(_dirs().user_log_dir)
