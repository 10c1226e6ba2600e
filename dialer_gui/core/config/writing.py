"""Writing the config: a :class:`~.schema.Config` -> the file, edited rather than rewritten.

``core.tomledit`` changes only the keys whose values changed, so a user's comments and order
survive a save; ``core.atomic`` writes it whole or not at all, keeping a symlink and the mode.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from dialer_gui.core import atomic, paths
from dialer_gui.core.config.reading import MAX_SIZE, ConfigFileError, validate_config
from dialer_gui.core.config.schema import GENERAL_FIELDS, Config, config_to_dict, plain

# tomledit (and tomlkit, 8 ms) is imported when a file is written, not by every start that
# only reads one.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from dialer_gui.core.tomledit import KeyPath

HEADER = """dialer-gui settings. Passwords, tokens and other secrets are not kept here:
they live in the system keyring (dialer-gui secret set PROFILE FIELD)."""


def _comments() -> dict[KeyPath, str]:
    comments: dict[KeyPath, str] = {("general", f.name): f.help for f in GENERAL_FIELDS}
    comments[("routes",)] = (
        "Routes are tried in order; match is extension, country:XX, prefix:+NNN or *."
    )
    return comments


_DEFAULTS = {f.name: f.default for f in GENERAL_FIELDS}


def _keep(path: KeyPath, value: Any) -> bool:
    """A general setting the file does not name is added only when it differs from the default."""
    if len(path) == 2 and path[0] == "general" and path[1] in _DEFAULTS:
        return bool(plain(_DEFAULTS[path[1]]) != value)
    return True


def dump_config(config: Config, previous: str = "") -> str:
    """The config file text for ``config``: ``previous`` (the file as it is) edited, or new.

    Only keys whose values changed are rewritten, so comments, order and spelling stay.
    """
    from dialer_gui.core import tomledit

    return tomledit.update(
        previous, config_to_dict(config), header=HEADER, comments=_comments(), keep=_keep
    )


def save_config(config: Config, path: Path | None = None) -> None:
    """Validate and write the config atomically; a new file is readable by this user only.

    The file as it is on disk is edited, not rewritten: a user's comments, blank lines and key
    order survive a save from the Settings dialog. A symlinked config stays a link, an existing
    file keeps its mode, and an existing folder its permissions (see ``core.atomic``).

    Args:
        config: what to write; secrets in profile options are left out.
        path: target file; ``config.path``, else ``paths.config_path()``, if None.

    Raises:
        ConfigError: the config is invalid or the file cannot be written.
    """
    path = Path(path) if path is not None else (config.path or paths.config_path())
    validate_config(config)
    try:
        previous = atomic.read_regular_file(path, MAX_SIZE * 4 + 1).decode("utf-8-sig")
        tomllib.loads(previous)
    except FileNotFoundError:
        previous = ""
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        # Unreadable or broken: the loader has told the user; a save writes a whole new file.
        previous = ""
    text = dump_config(config, previous)
    try:
        atomic.write_atomically(path, text)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ConfigFileError(
            f"{path}: the config file cannot be saved ({reason}).", path=path
        ) from exc
    config.path = path
