"""Where dialer-gui keeps its files, per user and per OS (via platformdirs).

Every function reads the environment afresh, so the ``XDG_*`` variables tests set (and the
``DIALER_GUI_CONFIG`` override) take effect without reloading anything.
"""

from __future__ import annotations

import getpass
import os
import sys
import tempfile
import warnings
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
    """The per-user data dir (history database). Not created here."""
    return Path(_dirs().user_data_dir)


def history_path() -> Path:
    """The SQLite call history."""
    return data_dir() / "history.sqlite3"


def log_dir() -> Path:
    """The per-user log dir. Not created here."""
    return Path(_dirs().user_log_dir)


def _fallback_runtime_dir() -> Path:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry / no USER variable (containers)
        user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    return Path(tempfile.gettempdir()) / f"{APP_NAME}-{user}"


def runtime_dir() -> Path:
    """A private per-user dir for sockets and locks, created with mode 0700.

    Uses the platform's runtime dir (``$XDG_RUNTIME_DIR`` on Linux) and falls back to a
    per-user dir in the temp dir when there is none or it cannot be created.

    Raises:
        OSError: not even the fallback can be made private (another user owns it).
    """
    path: Path | None = None
    # Without XDG_RUNTIME_DIR, platformdirs guesses a dir under /run/user that may not exist.
    if not (sys.platform.startswith("linux") and not os.environ.get("XDG_RUNTIME_DIR")):
        with warnings.catch_warnings():
            # platformdirs warns when it has to guess a runtime dir; we pick our own fallback.
            warnings.simplefilter("ignore")
            path = Path(_dirs().user_runtime_dir)
    if path is not None:
        try:
            return ensure_private_dir(path)
        except OSError:
            pass
    fallback = ensure_private_dir(_fallback_runtime_dir())
    # The temp dir is shared: a dir another user created there could be used to spy on or
    # hijack our socket, so refuse it.
    if hasattr(os, "getuid") and fallback.stat().st_uid != os.getuid():
        raise PermissionError(f"{fallback} belongs to another user")
    return fallback
