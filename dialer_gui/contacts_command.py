"""``dialer-gui contacts sync [NAME]`` and ``dialer-gui contacts search QUERY``: the directories.

``sync`` brings each configured CardDAV directory (or the one named) up to date in the phone
book, moving only what changed; ``search`` asks the LDAP directories live, as the dial pad
does. A directory that is down, slow or refuses the password is reported in one plain line
on stderr and the others still run.

Where synced contacts go is a :class:`~dialer_gui.directories.sync.ContactSink` made by
:data:`SINK_FACTORY`: the phone book's store when it is wired in, until then a sink in memory
(the report is printed, nothing is kept). Tests pass a sink factory of their own.

Exit codes: 0 when every directory asked answered, 3 when one could not be read, 4 when none
of the asked kind is configured, 5 when the config file is wrong, 2 for an unknown name.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from typing import Any

from dialer_gui.core.config import Config, ConfigError, load_config
from dialer_gui.directories import create_directory, directory_class
from dialer_gui.directories.base import Normaliser, SearchedDirectory, SyncedDirectory
from dialer_gui.directories.errors import DirectoryError
from dialer_gui.directories.sync import ContactSink, MemorySink
from dialer_gui.errors import DialerError
from dialer_gui.exitcodes import ExitCode

SinkFactory = Callable[[Config], ContactSink]


def _memory_sink(_config: Config) -> ContactSink:
    return MemorySink()


# The lead wires this to the phone book's store (core.contacts) when it lands.
SINK_FACTORY: SinkFactory = _memory_sink


def _err(text: str) -> None:
    print(f"dialer-gui: {text}", file=sys.stderr)


def normaliser(config: Config) -> Normaliser:
    """Numbers read as the dial pad reads them: E.164, or the extension's digits; else ""."""
    from dialer_gui.core import numbers

    region = config.general.region
    lengths = (config.general.extension_lengths[0], config.general.extension_lengths[1])

    def normalise(written: str) -> str:
        try:
            return numbers.parse_target(written, region=region, extension_lengths=lengths).e164
        except DialerError:
            return ""

    return normalise


def _secrets(name: str, type_name: str) -> dict[str, str]:
    from dialer_gui.core.secrets import SecretStore
    from dialer_gui.providers import redaction

    found = SecretStore().secrets_for(name, directory_class(type_name).secret_names())
    redaction.remember(found.values())  # masked in anything logged or printed from here on
    return found


def _chosen(config: Config, kind: type, name: str | None) -> list[str] | None:
    """The names of the configured directories of ``kind`` (or just ``name``); None if unknown."""
    names = [n for n, d in config.directories.items() if issubclass(directory_class(d.type), kind)]
    if name is None:
        return names
    if name not in names:
        known = ", ".join(names) or "none"
        _err(f"there is no such directory “{name}”; configured: {known}.")
        return None
    return [name]


def cmd_contacts(ns: argparse.Namespace, *, sink_factory: SinkFactory | None = None) -> int:
    try:
        config = load_config(getattr(ns, "config", None))
    except ConfigError as exc:
        _err(str(exc))
        return ExitCode.CONFIG
    for warning in config.warnings:
        _err(f"warning: {warning}")
    if ns.contacts_command == "sync":
        return _sync(ns, config, (sink_factory or SINK_FACTORY)(config))
    return _search(ns, config)


def _sync(ns: argparse.Namespace, config: Config, sink: ContactSink) -> int:
    names = _chosen(config, SyncedDirectory, ns.name)
    if names is None:
        return ExitCode.USAGE
    if not names:
        _err("no CardDAV directory is configured; add a [directories.NAME] table (see README).")
        return ExitCode.NO_PROVIDER
    failed = False
    normalise = normaliser(config)
    for name in names:
        profile = config.directories[name]
        try:
            directory = create_directory(profile, _secrets(name, profile.type), normalise=normalise)
            assert isinstance(directory, SyncedDirectory)
            report = asyncio.run(directory.sync(sink))
        except DirectoryError as exc:
            _err(f"{exc} {exc.advice}")
            failed = True
            continue
        full = " (the server had forgotten the last sync: all compared)" if report.full else ""
        print(
            f"{name}: {report.changed} added or changed, {report.deleted} removed, "
            f"{report.unchanged} unchanged ({report.requests} requests, "
            f"{_size(report.received)}){full}"
        )
        for line in report.skipped:
            _err(f"{name}: {line}")
    return ExitCode.CALL_FAILED if failed else ExitCode.OK


def _size(count: int) -> str:
    return f"{count} bytes" if count < 10_000 else f"{count // 1024} KB"


def _search(ns: argparse.Namespace, config: Config) -> int:
    names = _chosen(config, SearchedDirectory, ns.directory)
    if names is None:
        return ExitCode.USAGE
    if not names:
        _err("no LDAP directory is configured; add a [directories.NAME] table (see README).")
        return ExitCode.NO_PROVIDER
    rows: list[dict[str, Any]] = []
    failed = False
    normalise = normaliser(config)
    for name in names:
        profile = config.directories[name]
        try:
            directory = create_directory(profile, _secrets(name, profile.type), normalise=normalise)
            assert isinstance(directory, SearchedDirectory)

            async def run(d: SearchedDirectory = directory) -> Any:
                try:
                    return await d.search(ns.query)
                finally:
                    await d.aclose()

            result = asyncio.run(run())
        except DirectoryError as exc:
            _err(f"{exc} {exc.advice}")
            failed = True
            continue
        for contact in result.contacts:
            for number in contact.numbers or ():
                rows.append(
                    {
                        "name": contact.name,
                        "organisation": contact.organisation,
                        "label": number.label,
                        "number": number.number or None,
                        "written": number.written,
                        "directory": name,
                    }
                )
        if result.truncated:
            _err(f"{name}: more entries match; showing the first {len(result.contacts)}.")
    if ns.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        for row in rows:
            org = f" ({row['organisation']})" if row["organisation"] else ""
            shown = row["number"] or f"{row['written']} (not dialable)"
            print(f"{row['name']}{org}  {row['label']}  {shown}  [{row['directory']}]")
        if not rows and not failed:
            print("No contact found.")
    return ExitCode.CALL_FAILED if failed else ExitCode.OK
