"""Write the config file by editing it: a save changes only the keys whose values changed.

``tomlkit`` keeps a document's comments, blank lines, key order and quoting as the user wrote
them, so a setting changed in the Settings dialog changes one line of a hand-kept file. A new
file starts from a header comment, and each key this writer adds gets its description as a
comment above it, so the file documents itself.

Which values are TOML tables and which are inline (a profile's ``headers``) is the caller's
choice (``table_depths``): the config is tables two levels deep (``[general]``,
``[providers.NAME]``) and ``[[routes]]``; everything below is a value.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import tomlkit
from tomlkit.container import Container, OutOfOrderTableProxy
from tomlkit.items import AoT, InlineTable, Item, Table, Whitespace

KeyPath = tuple[str, ...]

# Does a new key at this path go into the file when its value is the default?
KeepDefault = Callable[[KeyPath, Any], bool]


def _value_item(value: Any) -> Item:
    """A value as a TOML item, mappings inline (a table inside a profile would split it)."""
    if isinstance(value, Mapping):
        inline: InlineTable = tomlkit.inline_table()
        for key, inner in value.items():
            inline.append(str(key), _value_item(inner))
        return inline
    if isinstance(value, list | tuple):
        array = tomlkit.array()
        array.extend(_value_item(v) for v in value)
        return array
    item: Item = tomlkit.item(value)
    return item


def _routes_item(rows: Sequence[Mapping[str, Any]]) -> AoT:
    aot = tomlkit.aot()
    for row in rows:
        table = tomlkit.table()
        for key, value in row.items():
            table.add(key, _value_item(value))
        aot.append(table)
    return aot


@contextlib.contextmanager
def _before_trailing_blank(container: Container | Table) -> Iterator[None]:
    """Add keys above the blank line that ends a table, not below it (where they would seem to
    belong to the next table)."""
    body = container.value.body if isinstance(container, Table) else container.body
    trailing = []
    while body and body[-1][0] is None and isinstance(body[-1][1], Whitespace):
        trailing.append(body.pop())
    try:
        yield
    finally:
        body.extend(reversed(trailing))


def _same(item: Any, value: Any) -> bool:
    plain = item.unwrap() if hasattr(item, "unwrap") else item
    return (bool(plain == value) and type(plain) is type(value)) or _both_numbers(plain, value)


def _both_numbers(a: Any, b: Any) -> bool:
    numeric = (int, float)
    return (
        isinstance(a, numeric)
        and isinstance(b, numeric)
        and not isinstance(a, bool)
        and not isinstance(b, bool)
        and a == b
    )


def _merge(
    container: Container | Table | OutOfOrderTableProxy,
    data: Mapping[str, Any],
    path: KeyPath,
    *,
    table_depth: int,
    comments: Mapping[KeyPath, str],
    keep: Callable[[KeyPath, Any], bool],
    fresh: bool,
) -> None:
    for key, value in data.items():
        here = (*path, key)
        existing = container.get(key)
        if isinstance(value, Mapping) and len(here) <= table_depth:
            # A table split in parts across the file (``[providers.a]``, then ``[general]``, then
            # ``[providers.b]``) comes as a proxy that edits each part in place.
            created = not isinstance(existing, Table | OutOfOrderTableProxy)
            if created:
                if existing is not None:
                    del container[key]
                # A table holding only tables ([providers]) gets no header line of its own.
                only_tables = (
                    len(here) < table_depth
                    and bool(value)
                    and all(isinstance(v, Mapping) for v in value.values())
                )
                table = tomlkit.table(is_super_table=only_tables or None)
                if isinstance(container, OutOfOrderTableProxy):
                    container[key] = table
                else:
                    container.add(key, table)
                existing = container[key]
            assert isinstance(existing, Table | OutOfOrderTableProxy)
            _merge(
                existing, value, here, table_depth=table_depth, comments=comments, keep=keep,
                fresh=fresh,
            )  # fmt: skip
            if not value and not created and len(existing) == 0:
                # Emptied, it must still show as [key]: a table of tables has no header.
                container[key] = tomlkit.table()
            if created and not fresh:
                if value and not existing:
                    del container[key]  # nothing in it differs from the defaults
                elif isinstance(existing, Table):
                    existing.add(tomlkit.nl())  # a blank line before whatever follows
            continue
        if existing is not None:
            if _same(existing, value):
                continue  # untouched: the user's spelling, comment and place stay
            if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
                container[key] = _routes_item(value)
            else:
                container[key] = _value_item(value)
            continue
        if not fresh and not keep(here, value):
            continue  # a default the file never named stays unnamed
        rows = isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value)
        item = _routes_item(value) if rows else _value_item(value)
        if isinstance(container, OutOfOrderTableProxy):
            container[key] = item  # lands in the proxy's first part; no comment can go there
            continue
        if isinstance(container, Container) and not container.as_string().endswith("\n\n"):
            container.add(tomlkit.nl())  # set apart from the table above it
        with _before_trailing_blank(container):
            if here in comments:
                container.add(tomlkit.comment(comments[here]))
            container.add(key, item)
    for key in [k for k in container if k not in data]:
        del container[key]


def update(
    text: str,
    data: Mapping[str, Any],
    *,
    header: str = "",
    comments: Mapping[KeyPath, str] | None = None,
    keep: KeepDefault | None = None,
    table_depth: int = 2,
) -> str:
    """``text`` (a TOML document, or empty) changed so that it holds exactly ``data``.

    Args:
        text: the file as it is now; empty for a new file.
        data: what the file must hold (plain Python: dicts, lists, scalars).
        header: comment lines at the top of a new file.
        comments: a comment for each key path, written above the key when this adds it.
        keep: whether a key the file lacks is added for a value; every key of a new file is.
        table_depth: mappings up to this depth are ``[tables]``, deeper ones inline.

    Raises:
        tomlkit.exceptions.ParseError: ``text`` is not TOML (the loader reports it first).
    """
    fresh = not text.strip()
    doc = tomlkit.document() if fresh else tomlkit.parse(text)
    if fresh and header:
        for line in header.splitlines():
            doc.add(tomlkit.comment(line))
        doc.add(tomlkit.nl())
    _merge(
        doc,
        data,
        (),
        table_depth=table_depth,
        comments=comments or {},
        keep=keep or (lambda _path, _value: True),
        fresh=fresh,
    )
    return tomlkit.dumps(doc)
