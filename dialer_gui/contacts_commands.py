"""``dialer-gui contacts ...``: the phone book from the command line.

``import FILE`` (vCard or CSV, told apart by content), ``export FILE`` (vCard 3.0), ``list
[QUERY]`` and ``search TEXT`` (the dial pad's search), ``add NAME NUMBER...`` and ``delete ID``.
Like ``commands``: results on stdout (``--json`` where a script wants them), messages for people
on stderr, an :class:`~dialer_gui.exitcodes.ExitCode` returned. Reading commands open the book
read-only, so they never change it while the app is writing.

``cli`` builds its parser from :func:`add_parser` on every start, so this module imports
only light standard modules at the top; the rest is imported where a command needs it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from dialer_gui.errors import ContactFileError, ContactsError
from dialer_gui.exitcodes import ExitCode
from dialer_gui.vocabulary.contacts import LABELS, LOCAL_SOURCE, Contact

ACTIONS = ("import", "export", "list", "search", "add", "delete")


def add_parser(sub: Any) -> None:
    """The ``contacts`` sub-command and its actions, on ``cli``'s sub-parsers."""
    contacts = sub.add_parser("contacts", help="import, export, list and search the phone book")
    actions = contacts.add_subparsers(dest="action", metavar="ACTION", required=True)
    imp = actions.add_parser("import", help="add or update contacts from a vCard or CSV file")
    imp.add_argument("file", type=Path)
    imp.add_argument("--json", action="store_true")
    exp = actions.add_parser("export", help="write your own contacts to a vCard file")
    exp.add_argument("file", type=Path)
    for name, text in (("list", "every contact, or those matching QUERY"),
                       ("search", "contacts matching TEXT, best first")):  # fmt: skip
        found = actions.add_parser(name, help=text)
        found.add_argument("query", nargs="?" if name == "list" else None, default="")
        found.add_argument("--json", action="store_true")
        found.add_argument("--limit", type=int, default=None if name == "list" else 50)
    add = actions.add_parser("add", help="add a contact: NAME then numbers, e.g. mobile:+1...")
    add.add_argument("name")
    add.add_argument("numbers", nargs="+", metavar="[LABEL:]NUMBER")
    add.add_argument("--org", default="")
    add.add_argument("--json", action="store_true")
    delete = actions.add_parser("delete", help="remove a contact by its ID (see contacts list)")
    delete.add_argument("id", type=int)


def _err(text: str) -> None:
    from dialer_gui.commands import _err as err

    err(text)


def _plain(text: str) -> str:
    from dialer_gui.commands import _plain as plain

    return plain(text)


def _print_table(rows: list[list[str]]) -> None:
    from dialer_gui.commands import _table

    for line in _table(rows):
        print(line)


def cmd_contacts(ns: argparse.Namespace) -> int:
    handler = {
        "import": _import,
        "export": _export,
        "list": _list,
        "search": _list,
        "add": _add,
        "delete": _delete,
    }[ns.action]
    try:
        return handler(ns)
    except ContactFileError as exc:
        _err(str(exc))
        return ExitCode.INPUT
    except ContactsError as exc:
        _err(str(exc))
        return ExitCode.ERROR


def _normaliser(ns: argparse.Namespace) -> Any:
    from dialer_gui.commands import _config_or_none
    from dialer_gui.core.contacts.normalise import Normaliser

    config = _config_or_none(ns)
    if config is None:
        return None
    lengths = config.general.extension_lengths
    return Normaliser(config.general.region, (int(lengths[0]), int(lengths[1])))


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


def _import(ns: argparse.Namespace) -> int:
    from dialer_gui.core.contacts import importing

    normaliser = _normaliser(ns)
    if normaliser is None:
        return ExitCode.CONFIG
    parsed = importing.read_file(ns.file, normaliser)  # before the book is opened or created
    with _writable() as store:
        counts = store.import_contacts(parsed.contacts)
    if ns.json:
        print(
            json.dumps(
                {
                    "file": str(ns.file),
                    "format": parsed.format,
                    "added": counts.added,
                    "updated": counts.updated,
                    "unchanged": counts.unchanged,
                    "skipped": [
                        {"line": s.line, "name": s.name, "reason": s.reason} for s in parsed.skipped
                    ],
                },
                ensure_ascii=False,
                indent=1,
            )
        )
        return ExitCode.OK
    print(
        f"Imported {ns.file} ({parsed.format}): {counts.added} added, {counts.updated} updated, "
        f"{counts.unchanged} unchanged, {len(parsed.skipped)} skipped."
    )
    _print_table([["", s.describe()] for s in parsed.skipped])
    return ExitCode.OK


def _export(ns: argparse.Namespace) -> int:
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


def _list(ns: argparse.Namespace) -> int:
    from dialer_gui.core.contacts.search import ContactIndex

    store = _readable()
    found: list[Contact] = []
    if store is not None:
        with store:
            limit = None if ns.limit is None else max(1, ns.limit)
            if ns.query.strip():
                index = ContactIndex(store)
                found = index.find(ns.query, limit)
                index.close()
            else:
                found = store.all()[:limit]
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


def _add(ns: argparse.Namespace) -> int:
    from dialer_gui.core.contacts.normalise import Card

    normaliser = _normaliser(ns)
    if normaliser is None:
        return ExitCode.CONFIG
    card = Card(formatted_name=ns.name, organisation=ns.org)
    for text in ns.numbers:
        label, sep, number = text.partition(":")
        if sep and label.strip().lower() in LABELS:
            card.phones.append(([label.strip()], number))
        else:
            card.phones.append(([], text))
    contact = normaliser.contact(card)
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


def _delete(ns: argparse.Namespace) -> int:
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
