"""Small TOML helpers the standard library lacks: a writer, and a finder for key lines.

It covers what the config holds: tables, arrays of tables, strings, integers, floats, booleans,
arrays and inline tables. Keys are written bare when TOML allows it and quoted otherwise. Comments
can be placed above a table or a key, so the file documents itself.

:func:`find_line` tells which line of a document defines a key, so the config loader can say
where a problem is (tomllib keeps no positions).
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from typing import Any

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
# Characters TOML basic strings must escape, besides the quote and the backslash.
_ESCAPES = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}

KeyPath = tuple[str | int, ...]  # ("providers", "office", "url"); ints index arrays


def format_key(key: str) -> str:
    """A key, bare if possible, else as a quoted string."""
    return key if _BARE_KEY.fullmatch(key) else format_string(key)


def format_string(value: str) -> str:
    """A TOML basic string with every needed escape."""
    out = ['"']
    for ch in value:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def format_value(value: Any) -> str:
    """One value in inline form (arrays and tables on one line)."""
    if isinstance(value, bool):  # before int: bool is an int subclass
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        # repr gives the shortest text that reads back as the same float.
        text = repr(value)
        return text if any(c in text for c in ".en") else text + ".0"
    if isinstance(value, str):
        return format_string(value)
    if isinstance(value, Mapping):
        items = ", ".join(f"{format_key(str(k))} = {format_value(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    if isinstance(value, Sequence):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _is_table_array(value: Any) -> bool:
    return (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and len(value) > 0
        and all(isinstance(v, Mapping) for v in value)
    )


def _comment_lines(text: str | None) -> list[str]:
    if not text:
        return []
    return ["# " + line if line else "#" for line in text.splitlines()]


def dumps(
    data: Mapping[str, Any],
    *,
    header: str = "",
    comments: Mapping[KeyPath, str] | None = None,
) -> str:
    """Serialise ``data`` as a TOML document.

    Args:
        data: nested mappings, sequences and scalars.
        header: comment text put at the top of the file.
        comments: comment text to put above a table or key, by key path (``("general",)`` or
            ``("general", "region")``).

    Returns:
        The document, ending in a newline.
    """
    comments = comments or {}
    lines = _comment_lines(header)
    if lines:
        lines.append("")
    _write_table(lines, data, (), comments)
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"


def _write_table(
    lines: list[str], table: Mapping[str, Any], path: KeyPath, comments: Mapping[KeyPath, str]
) -> None:
    # Plain keys first: after a [header] every key belongs to that table. Tables and arrays
    # of tables follow in their original order.
    nested: list[tuple[str, Any]] = []
    for key, value in table.items():
        if isinstance(value, Mapping) or _is_table_array(value):
            nested.append((key, value))
        else:
            lines.extend(_comment_lines(comments.get((*path, key))))
            lines.append(f"{format_key(key)} = {format_value(value)}")
    for key, value in nested:
        sub = (*path, key)
        if lines and lines[-1] != "":
            lines.append("")
        lines.extend(_comment_lines(comments.get(sub)))
        if isinstance(value, Mapping):
            scalars = [k for k, v in value.items() if not isinstance(v, Mapping)]
            # A table holding only tables needs no header of its own ([providers] before
            # [providers.office]); an empty one does, or it would vanish.
            if scalars or not value:
                lines.append(f"[{_dotted(sub)}]")
            _write_table(lines, value, sub, comments)
        else:
            for item in value:
                if lines and lines[-1] != "" and not lines[-1].startswith("#"):
                    lines.append("")
                lines.append(f"[[{_dotted(sub)}]]")
                _write_table(lines, item, sub, comments)


def _dotted(path: KeyPath) -> str:
    return ".".join(format_key(str(p)) for p in path)


def _key_parts(text: str) -> list[str] | None:
    """Parse a (dotted, maybe quoted) TOML key by letting tomllib read ``key = 0``."""
    try:
        node: Any = tomllib.loads(f"{text} = 0")
    except tomllib.TOMLDecodeError:
        return None
    parts: list[str] = []
    while isinstance(node, dict) and len(node) == 1:
        ((k, node),) = node.items()
        parts.append(k)
    return parts


def _split_assignment(line: str) -> str | None:
    """The key part of ``key = value``, or None if the line is no assignment."""
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "=":
            return line[:i].strip()
        elif ch == "#":
            return None
    return None


# Paths are recorded this deep at most; a hostile file of deep dotted keys stays linear.
_MAX_DEPTH = 8


def _record(index: dict[KeyPath, int], path: KeyPath, number: int) -> None:
    """Note ``number`` as the line of ``path`` and of each enclosing table not seen before."""
    for end in range(1, min(len(path), _MAX_DEPTH) + 1):
        index.setdefault(path[:end], number)


def key_lines(text: str) -> dict[KeyPath, int]:
    """Map each table header and key (and the tables they imply) to the first line defining it."""
    index: dict[KeyPath, int] = {}
    counts: dict[tuple[str, ...], int] = {}
    current: KeyPath = ()
    in_multiline = ""
    for number, raw in enumerate(text.split("\n"), 1):  # TOML lines end at \n only
        line = raw.strip()
        if in_multiline:
            if line.count(in_multiline) % 2 == 1:
                in_multiline = ""
            continue
        if line.startswith("[[") and "]]" in line:
            parts = _key_parts(line[2 : line.index("]]")])
            if parts is not None:
                n = counts.get(tuple(parts), 0)
                counts[tuple(parts)] = n + 1
                current = (*parts, n)
                _record(index, current, number)
            continue
        if line.startswith("[") and "]" in line:
            parts = _key_parts(line[1 : line.index("]")])
            if parts is not None:
                current = tuple(parts)
                _record(index, current, number)
            continue
        key_text = _split_assignment(line)
        if key_text:
            parts = _key_parts(key_text)
            if parts:
                _record(index, (*current, *parts), number)
        for delim in ('"""', "'''"):
            if line.count(delim) % 2 == 1:
                in_multiline = delim
                break
    return index


def find_line(text: str, key: KeyPath) -> int | None:
    """The line defining ``key``, or of the nearest enclosing table or key that has one."""
    index = key_lines(text)
    for end in range(min(len(key), _MAX_DEPTH), 0, -1):
        line = index.get(key[:end])
        if line is not None:
            return line
    return None
