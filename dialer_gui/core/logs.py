"""The app's log: a rotating file in the platform's log folder, secrets masked in every line.

The GUI has no terminal, so "details are in the log" needs a log someone can find: the file is
``dialer-gui.log`` in ``paths.log_dir()`` (``~/.local/state/dialer-gui/log`` on Linux), at most
:data:`MAX_BYTES` with :data:`BACKUPS` older files beside it, so months of running stay a few
megabytes. It is created readable by this user only. Every record passes
``providers.redaction.scrub`` on its way out, whichever handler writes it.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path
from typing import Any

from dialer_gui.core import paths
from dialer_gui.providers.redaction import scrub

MAX_BYTES = 1024 * 1024
BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_state: dict[str, Path] = {}  # "file": the log in use, once install() made it


class RedactingFilter(logging.Filter):
    """Formats the message once and masks secrets in it (and in the traceback text)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = scrub(record.getMessage())
        record.msg, record.args = message, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    def _open(self) -> Any:
        # 0600 from the first byte: the log names numbers called and PBX answers.
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        return os.fdopen(fd, "a", encoding=self.encoding or "utf-8", errors=self.errors)


def install(level: int = logging.INFO, directory: Path | None = None) -> Path | None:
    """Add the rotating log file to the root logger; returns its path, or ``None`` if unusable.

    A log folder that cannot be made (read-only home, full disk) leaves the app running without
    a file: logging must never be the reason it cannot start.
    """
    folder = directory or paths.log_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler = _PrivateRotatingFileHandler(
            folder / "dialer-gui.log", maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    for other in root.handlers:
        if other.level == logging.NOTSET:
            other.setLevel(root.level)  # stderr stays as quiet as it was (cli.py's --verbose)
    handler.setLevel(level)
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    for other in root.handlers:  # the stderr handler of cli.py masks the same way
        if not any(isinstance(f, RedactingFilter) for f in other.filters):
            other.addFilter(RedactingFilter())
    _state["file"] = Path(handler.baseFilename)
    return _state["file"]


def where() -> str:
    """ " (see /path/to/dialer-gui.log)" when the log file is in use, else ""."""
    current = _state.get("file")
    return f" (see {current})" if current is not None else ""
