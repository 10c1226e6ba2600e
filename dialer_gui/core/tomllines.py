"""Small TOML helpers the standard library lacks: where a key is, and a value as TOML text.

:func:`find_line` tells which line of a document defines a key, so the config loader can say
where a problem is (tomllib keeps no positions). :func:`format_value` writes one value as TOML
(keys bare when TOML allows it), for messages and the settings docs. Files are written by
``core.tomledit``, which edits them with tomlkit.
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
