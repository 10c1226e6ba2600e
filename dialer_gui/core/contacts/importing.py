"""A contacts file into the phone book: read it whole, tell its kind by content, import it.

The kind is read from the text, never from the file's name: a vCard holds a ``BEGIN:VCARD``
line; a CSV names the columns of an Outlook, Google or Thunderbird export in its first line
(``csv_import.LAYOUTS``). Anything else (a spreadsheet, a photo, an empty file) is refused
with a plain sentence before the store is touched, and a file that is read is imported in one
transaction, so a failure part way leaves the phone book as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dialer_gui.core import atomic
from dialer_gui.core.contacts import csv_import, decoding, vcard
from dialer_gui.core.contacts.normalise import Normaliser
from dialer_gui.core.contacts.parsed import Parsed, Skip
from dialer_gui.core.contacts.store import ContactStore
from dialer_gui.errors import ContactFileError

MAX_FILE_BYTES = 256 * 1024 * 1024
"""Larger files are refused: 100,000 contacts with photos stripped take about 20 MB."""


@dataclass(slots=True)
class ImportReport:
    """What an import did: counts, and each skipped card or row with its line and reason."""

    format: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[Skip] = field(default_factory=list)


def read_file(path: Path | str, normaliser: Normaliser) -> Parsed:
    """The contacts in ``path`` (vCard or CSV, by content).

    Raises:
        ContactFileError: the file cannot be read, is too large, or holds no contacts format.
    """
    try:
        data = atomic.read_regular_file(path, MAX_FILE_BYTES + 1)
    except FileNotFoundError as exc:
        raise ContactFileError(f"There is no file {path}.") from exc
    except OSError as exc:
        raise ContactFileError(f"{path} cannot be read ({exc.strerror or exc}).") from exc
    if len(data) > MAX_FILE_BYTES:
        raise ContactFileError(
            f"{path} is larger than {MAX_FILE_BYTES // 1024 // 1024} MB, too large for a "
            "contacts file; nothing was imported."
        )
    return read_bytes(data, normaliser, name=str(path))


def read_bytes(data: bytes, normaliser: Normaliser, *, name: str = "the file") -> Parsed:
    """Like :func:`read_file`, for bytes already read."""
    if not data.strip():
        raise ContactFileError(f"{name} is empty; nothing was imported.")
    text, _encoding = decoding.decode(data)
    if vcard.looks_like_vcard(text):
        return vcard.read(data, normaliser)
    if "\x00" in text[:4096]:
        raise ContactFileError(csv_import.NOT_CONTACTS)  # binary: a photo, an archive...
    return csv_import.read(text, normaliser)


def import_file(store: ContactStore, path: Path | str, normaliser: Normaliser) -> ImportReport:
    """Read ``path`` and add or update its contacts in ``store`` (see the module docstring).

    Raises:
        ContactFileError: as :func:`read_file`.
        ContactsError: the store cannot be written; nothing was changed.
    """
    parsed = read_file(path, normaliser)
    counts = store.import_contacts(parsed.contacts)
    return ImportReport(
        format=parsed.format,
        added=counts.added,
        updated=counts.updated,
        unchanged=counts.unchanged,
        skipped=parsed.skipped,
    )
