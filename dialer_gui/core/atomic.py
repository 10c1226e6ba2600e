"""One way to write a file: whole or not at all, with its mode and its symlink kept.

Every file the app writes (the config, desktop entries, mimeapps.list, autostart files) goes
through :func:`write_atomically`:

- the text goes to a temporary file in the same folder, is flushed to disk, and replaces the
  target in one ``os.replace``: a crash or a full disk leaves the old file or the new one;
- a target that is a symlink (a config kept in a dotfiles repo) stays a link: the file it points
  to is replaced, not the link;
- an existing file keeps its permissions; a new one gets ``mode`` (0600 unless told);
- the folder is created when missing (``dir_mode``) but an existing folder is left as it is;
- temporary files left by an earlier write that was killed are removed;
- a target that is not a regular file (a FIFO, a device, a folder) is refused before anything
  is written, so a save never blocks on it or replaces it.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

_TEMP_SUFFIX = ".tmp"


def _temp_prefix(path: Path) -> str:
    return f".{path.name}."


def write_atomically(
    path: Path | str, data: str | bytes, *, mode: int = 0o600, dir_mode: int = 0o700
) -> Path:
    """Replace the file at ``path`` with ``data`` (text is written as UTF-8 with ``\\n``).

    Returns:
        The file actually written (the symlink's target when ``path`` is a link).

    Raises:
        OSError: the folder or file cannot be written, or the target is not a regular file.
    """
    target = Path(os.path.realpath(path))
    folder = target.parent
    if not folder.is_dir():
        folder.mkdir(parents=True, mode=dir_mode)
    try:
        info = os.stat(target)
    except FileNotFoundError:
        keep_mode = mode
    else:
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{target} is not a regular file")
        keep_mode = stat.S_IMODE(info.st_mode)
    _remove_leftovers(target)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, temp = tempfile.mkstemp(prefix=_temp_prefix(target), suffix=_TEMP_SUFFIX, dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        if os.name == "posix":
            os.chmod(temp, keep_mode)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    if os.name == "posix":
        # The rename itself must reach the disk too, or a power cut can undo it.
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    return target


def _remove_leftovers(target: Path) -> None:
    """Temporary files of earlier writes of ``target`` that never finished (the app was killed).

    Only our own names (``.NAME.<random>.tmp``) are touched. Only one process writes a given
    file at a time (the single instance), so none of them is in use.
    """
    prefix = _temp_prefix(target)
    with contextlib.suppress(OSError):
        for entry in os.scandir(target.parent):
            if entry.name.startswith(prefix) and entry.name.endswith(_TEMP_SUFFIX):
                with contextlib.suppress(OSError):
                    if entry.is_file(follow_symlinks=False):
                        os.unlink(entry.path)


def read_regular_file(path: Path | str, limit: int) -> bytes:
    """At most ``limit`` bytes of a regular file, without ever blocking on a FIFO or device.

    Raises:
        FileNotFoundError: there is no file.
        OSError: it cannot be read, or it is not a regular file.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path} is not a regular file")
        chunks: list[bytes] = []
        size = 0
        while size < limit:
            chunk = os.read(fd, min(65536, limit - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
