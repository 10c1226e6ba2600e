"""``dialer-gui contacts ...``: the phone book and the company directories from the command line.

The phone book: ``import FILE`` (vCard or CSV, told apart by content), ``export FILE`` (vCard
3.0), ``list [QUERY]``, ``add NAME NUMBER...`` and ``delete ID``. The directories: ``sync
[NAME]`` brings each configured CardDAV directory (or the one named) up to date in the phone
book, moving only what changed. ``search TEXT`` asks both: the phone book (with the synced
directories' copies) as the dial pad searches it, then the LDAP directories live. A directory
that is down, slow or refuses the password is reported in one plain line on stderr and the
others still run.

Like ``commands``: results on stdout (``--json`` where a script wants them), messages for
people on stderr, every text from outside printed as plain text, an
:class:`~dialer_gui.exitcodes.ExitCode` returned: 0 when everything asked answered, 3 when a
directory could not be read, 4 when no directory of the asked kind is configured, 5 when the
config file is wrong, 6 for a file that holds no contacts, 2 for an unknown name or ID.
Reading the phone book opens it read-only, so it never changes while the app is writing.

Where synced contacts go is a :class:`~dialer_gui.directories.sync.ContactSink` made by
:data:`SINK_FACTORY`: the phone book's store (``core.contacts.sink``); tests pass their own.

``cli`` builds its parser from :func:`add_parser` on every start, so this module imports only
light standard modules at the top; the rest is imported where a command needs it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dialer_gui.errors import ContactFileError, ContactsError
from dialer_gui.exitcodes import ExitCode
from dialer_gui.vocabulary.contacts import LABELS, LOCAL_SOURCE, Contact

if TYPE_CHECKING:
    from dialer_gui.core.config import Config
    from dialer_gui.directories.base import Normaliser
    from dialer_gui.directories.sync import ContactSink

SinkFactory = Callable[["Config"], "ContactSink"]


def _store_sink(_config: Config) -> ContactSink:
    from dialer_gui.core.contacts.sink import StoreSink
    from dialer_gui.core.contacts.store import default_store

    return StoreSink(default_store())


SINK_FACTORY: SinkFactory = _store_sink


def add_parser(sub: Any) -> None:
    """The ``contacts`` sub-command and its actions, on ``cli``'s sub-parsers."""
    contacts = sub.add_parser(
        "contacts", help="the phone book: import, export, list, search; sync the directories"
    )
    actions = contacts.add_subparsers(dest="contacts_command", metavar="ACTION", required=True)
    imp = actions.add_parser("import", help="add or update contacts from a vCard or CSV file")
    imp.add_argument("file", type=Path, help="a .vcf file, or a CSV export")
    imp.add_argument("--json", action="store_true", help="print the report as JSON")
    exp = actions.add_parser("export", help="write your own contacts to a vCard file")
    exp.add_argument("file", type=Path, help="the .vcf file to write")
    listed = actions.add_parser("list", help="every contact of the phone book, or those matching")
    listed.add_argument("query", nargs="?", default="", help="part of a name, organisation...")
    listed.add_argument("--json", action="store_true", help="print the contacts as JSON")
    listed.add_argument("--limit", type=int, default=None, help="at most this many")
    look = actions.add_parser("search", help="search the phone book and the LDAP directories")
    look.add_argument("query", help="part of a name, organisation or number, or keypad digits")
    look.add_argument("--json", action="store_true", help="print the matches as JSON")
    look.add_argument("--directory", help="only this LDAP directory (not the phone book)")
    look.add_argument("--limit", type=int, default=50, help="phone book matches (default 50)")
    add = actions.add_parser("add", help="add a contact: NAME then numbers, e.g. mobile:+1...")
    add.add_argument("name", help="the contact's name")
    add.add_argument("numbers", nargs="+", metavar="[LABEL:]NUMBER", help="one or more")
    add.add_argument("--org", default="", help="the organisation")
    add.add_argument("--json", action="store_true", help="print the contact as JSON")
    delete = actions.add_parser("delete", help="remove a contact by its ID (see contacts list)")
    delete.add_argument("id", type=int, help="the ID contacts list shows (#12)")
    sync = actions.add_parser("sync", help="bring the CardDAV address books up to date")
    sync.add_argument("name", nargs="?", help="only this directory")


def _err(text: str) -> None:
    print(f"dialer-gui: {text}", file=sys.stderr)


def _plain(text: str) -> str:
    from dialer_gui.commands import _plain as plain

    return plain(text)


def _print_table(rows: list[list[str]]) -> None:
    from dialer_gui.commands import _table

    for line in _table(rows):
        print(line)


def cmd_contacts(ns: argparse.Namespace, *, sink_factory: SinkFactory | None = None) -> int:
    from dialer_gui.core.config import ConfigError, load_config

    try:
        config = load_config(getattr(ns, "config", None))
    except ConfigError as exc:
        _err(str(exc))
        return ExitCode.CONFIG
    for warning in config.warnings:
        _err(f"warning: {warning}")
    action = ns.contacts_command
    try:
        if action == "sync":
            return _sync(ns, config, (sink_factory or SINK_FACTORY)(config))
        if action == "search":
            return _search(ns, config)
        handler = {
            "import": _import,
            "export": _export,
            "list": _list,
            "add": _add,
            "delete": _delete,
        }[action]
        return handler(ns, config)
    except ContactFileError as exc:
        _err(str(exc))
        return ExitCode.INPUT
    except ContactsError as exc:
        _err(str(exc))
        return ExitCode.ERROR


# --- the phone book ---------------------------------------------------------------------------


def _normaliser(config: Config) -> Any:
    from dialer_gui.core.contacts.normalise import Normaliser as CardNormaliser

    lengths = config.general.extension_lengths
    return CardNormaliser(config.general.region, (int(lengths[0]), int(lengths[1])))


def _writable() -> Any:
    from dialer_gui.core.contacts.store import default_store

    return default_store()


def _readable() -> Any:
    """The phone book opened read-only, or None when there is none yet."""
    from dialer_gui.core import paths
    from dialer_gui.core.contacts.store import default_store

    if not paths.contacts_path().exists():
        return None
    return default_store(read_only=True)


def _import(ns: argparse.Namespace, config: Config) -> int:
    from dialer_gui.core.contacts import importing

    parsed = importing.read_file(ns.file, _normaliser(config))  # before the book is touched
    with _writable() as store:
        counts = store.import_contacts(parsed.contacts)
    if ns.json:
        report = {
            "file": str(ns.file),
            "format": parsed.format,
            "added": counts.added,
            "updated": counts.updated,
            "unchanged": counts.unchanged,
            "skipped": [
                {"line": s.line, "name": s.name, "reason": s.reason} for s in parsed.skipped
            ],
        }
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return ExitCode.OK
    print(
        f"Imported {_plain(str(ns.file))} ({parsed.format}): {counts.added} added, "
        f"{counts.updated} updated, {counts.unchanged} unchanged, {len(parsed.skipped)} skipped."
    )
    _print_table([["", s.describe()] for s in parsed.skipped])
    return ExitCode.OK


def _export(ns: argparse.Namespace, config: Config) -> int:
    from dialer_gui.core import atomic
    from dialer_gui.core.contacts import vcard

    store = _readable()
    contacts = [] if store is None else store.all(LOCAL_SOURCE)
    if store is not None:
        store.close()
    try:
        # Contacts are private: the file is readable by its owner only, like the book itself.
        atomic.write_atomically(ns.file, vcard.write(contacts).encode("utf-8"), mode=0o600)
    except OSError as exc:
        _err(f"could not write {ns.file}: {exc.strerror or exc}")
        return ExitCode.ERROR
    print(f"Exported {len(contacts)} contacts to {ns.file} (vCard 3.0).")
    return ExitCode.OK


def _found(query: str, limit: int | None) -> list[Contact]:
    """Contacts of the phone book matching ``query`` (all when empty), best first."""
    from dialer_gui.core.contacts.search import ContactIndex

    store = _readable()
    if store is None:
        return []
    with store:
        limit = None if limit is None else max(1, limit)
        if not query.strip():
            return list(store.all()[:limit])
        index = ContactIndex(store)
        try:
            return index.find(query, limit)
        finally:
            index.close()


def _list(ns: argparse.Namespace, config: Config) -> int:
    found = _found(ns.query, ns.limit)
    if ns.json:
        print(json.dumps([contact_json(c) for c in found], ensure_ascii=False, indent=1))
        return ExitCode.OK
    if not found:
        print("No contacts match." if ns.query.strip() else "No contacts yet.")
        return ExitCode.OK
    _print_table(contact_rows(found))
    return ExitCode.OK


def contact_json(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.id,
        "name": contact.name,
        "organisation": contact.organisation,
        "source": contact.source,
        "numbers": [
            {"label": n.label, "number": n.number or None, "written": n.written}
            for n in contact.numbers
        ],
    }


def contact_rows(contacts: list[Contact]) -> list[list[str]]:
    """One row per number: ID, name, organisation, label, number (dialed form), as written."""
    rows = []
    for contact in contacts:
        first = [f"#{contact.id}", contact.name, contact.organisation]
        if not contact.numbers:
            rows.append([*first, "", "(no number)", ""])
        for n in contact.numbers:
            shown = n.written if n.written != n.number else ""
            rows.append([*first, n.label, n.number or "(not dialable)", shown])
    return rows


def _add(ns: argparse.Namespace, config: Config) -> int:
    from dialer_gui.core.contacts.normalise import Card

    card = Card(formatted_name=ns.name, organisation=ns.org)
    for text in ns.numbers:
        label, sep, number = text.partition(":")
        if sep and label.strip().lower() in LABELS:
            card.phones.append(([label.strip()], number))
        else:
            card.phones.append(([], text))
    contact = _normaliser(config).contact(card)
    if isinstance(contact, str):
        _err(f"not added: {contact}.")
        return ExitCode.USAGE
    unusable = [n.written for n in contact.numbers if not n.number]
    with _writable() as store:
        stored = store.add(contact)
    if ns.json:
        print(json.dumps(contact_json(stored), ensure_ascii=False, indent=1))
    else:
        print(f"Added #{stored.id} {_plain(stored.name)}.")
    for text in unusable:
        _err(f"warning: “{_plain(text)}” is not a number dialer-gui can dial; it is kept as text.")
    return ExitCode.OK


def _delete(ns: argparse.Namespace, config: Config) -> int:
    with _writable() as store:
        contact = store.get(ns.id)
        if contact is None:
            _err(f"there is no contact #{ns.id} (see dialer-gui contacts list).")
            return ExitCode.USAGE
        if contact.source != LOCAL_SOURCE:
            _err(
                f"#{ns.id} {_plain(contact.name)} comes from the directory “{contact.source}”, "
                "which is read-only here; change it in the directory."
            )
            return ExitCode.USAGE
        store.delete(ns.id)
    print(f"Deleted #{ns.id} {_plain(contact.name)}.")
    return ExitCode.OK


# --- the directories --------------------------------------------------------------------------


def normaliser(config: Config) -> Normaliser:
    """Numbers read as the dial pad reads them: E.164, or the extension's digits; else ""."""
    from dialer_gui.core import numbers
    from dialer_gui.errors import DialerError

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
    from dialer_gui.directories import directory_class
    from dialer_gui.providers import redaction

    found = SecretStore().secrets_for(name, directory_class(type_name).secret_names())
    redaction.remember(found.values())  # masked in anything logged or printed from here on
    return found


def _chosen(config: Config, kind: type, name: str | None) -> list[str] | None:
    """The names of the configured directories of ``kind`` (or just ``name``); None if unknown."""
    from dialer_gui.directories import directory_class

    names = [n for n, d in config.directories.items() if issubclass(directory_class(d.type), kind)]
    if name is None:
        return names
    if name not in names:
        known = ", ".join(names) or "none"
        _err(f"there is no such directory “{name}”; configured: {known}.")
        return None
    return [name]


def _sync(ns: argparse.Namespace, config: Config, sink: ContactSink) -> int:
    try:
        return _sync_into(ns, config, sink)
    finally:
        close = getattr(sink, "close", None)
        if callable(close):
            close()


def _sync_into(ns: argparse.Namespace, config: Config, sink: ContactSink) -> int:
    from dialer_gui.directories import create_directory
    from dialer_gui.directories.base import SyncedDirectory
    from dialer_gui.directories.errors import DirectoryError

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
            _err(f"{name}: {_plain(line)}")
    return ExitCode.CALL_FAILED if failed else ExitCode.OK


def _size(count: int) -> str:
    return f"{count} bytes" if count < 10_000 else f"{count // 1024} KB"


def _search(ns: argparse.Namespace, config: Config) -> int:
    from dialer_gui.directories import create_directory
    from dialer_gui.directories.base import SearchedDirectory
    from dialer_gui.directories.errors import DirectoryError

    names = _chosen(config, SearchedDirectory, ns.directory)
    if names is None:
        return ExitCode.USAGE
    rows: list[dict[str, Any]] = []
    if ns.directory is None:  # the phone book first: what the user keeps, ranked
        for contact in _found(ns.query, ns.limit):
            rows += _rows(contact, contact.source, contact.id)
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
            rows += _rows(contact, name, None)
        if result.truncated:
            _err(f"{name}: more entries match; showing the first {len(result.contacts)}.")
    if ns.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        for row in rows:
            org = f" ({row['organisation']})" if row["organisation"] else ""
            shown = row["number"] or f"{row['written']} (not dialable)"
            parts = (f"{row['name']}{org}", row["label"], shown, f"[{row['directory']}]")
            print("  ".join(_plain(part) for part in parts))
        if not rows and not failed:
            print("No contact found.")
    return ExitCode.CALL_FAILED if failed else ExitCode.OK


def _rows(contact: Contact, directory: str, contact_id: int | None) -> list[dict[str, Any]]:
    """One match per number: name, label, number (E.164 or extension), where it was found."""
    return [
        {
            "name": contact.name,
            "organisation": contact.organisation,
            "label": number.label,
            "number": number.number or None,
            "written": number.written,
            "directory": directory,
            "id": contact_id,
        }
        for number in contact.numbers
    ]
