"""Contacts from the CSV files Outlook, Google Contacts and Thunderbird export.

Each program writes its own columns; the file is recognised by its header row, never by its
name. The columns read here are the English names those programs write:

* **Outlook** (desktop and Outlook.com): ``First Name``, ``Middle Name``, ``Last Name``,
  ``Company`` and a column per kind of phone (``Business Phone``, ``Mobile Phone``, ``Home
  Phone``, ``Business Fax``, ``Company Main Phone``, ``Assistant's Phone``, ``Other Phone``...);
* **Google Contacts**: ``First Name``/``Middle Name``/``Last Name`` (the export since 2020) or
  ``Name``/``Given Name``/``Family Name`` (the older one), ``Organization Name`` or
  ``Organization 1 - Name``, and numbered pairs ``Phone 1 - Label`` (or ``- Type``) and ``Phone 1
  - Value``, where one value may hold several numbers separated by ``:::``;
* **Thunderbird**: ``Display Name`` (else ``First Name`` and ``Last Name``), ``Organization``
  (``Organisation`` on British builds) and ``Work Phone``, ``Home Phone``, ``Fax Number``,
  ``Pager Number``, ``Mobile Number``.

The delimiter is the one the header row uses (a comma; a semicolon or a tab where the locale
asks for it). The standard library's ``csv`` module reads the rows; only the column mapping is
ours, as no maintained library knows these three layouts.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from dialer_gui.core.contacts.normalise import Card, Normaliser
from dialer_gui.core.contacts.parsed import Parsed, Skip
from dialer_gui.errors import ContactFileError
from dialer_gui.vocabulary.contacts import LOCAL_SOURCE

# Outlook writes a column per kind of number; each is filed under the words of its name.
OUTLOOK_PHONES = (
    "Business Phone",
    "Business Phone 2",
    "Company Main Phone",
    "Assistant's Phone",
    "Mobile Phone",
    "Car Phone",
    "Home Phone",
    "Home Phone 2",
    "Business Fax",
    "Home Fax",
    "Other Fax",
    "Primary Phone",
    "Other Phone",
    "Callback",
    "Pager",
    "Radio Phone",
    "ISDN",
    "TTY/TDD Phone",
    "Telex",
)
THUNDERBIRD_PHONES = {
    "Work Phone": "work",
    "Home Phone": "home",
    "Fax Number": "fax",
    "Pager Number": "other",
    "Mobile Number": "mobile",
}
_GOOGLE_VALUE = re.compile(r"^Phone (\d+) - Value$")
_GOOGLE_SEPARATOR = " ::: "
MAX_FIELD = 1_000_000


@dataclass(frozen=True, slots=True)
class Layout:
    """One program's CSV: its name, how to tell it from its header, how to read a row."""

    name: str
    matches: Callable[[set[str]], bool]
    card: Callable[[Mapping[str, str]], Card]


def _get(row: Mapping[str, str], *names: str) -> str:
    for name in names:
        value = row.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _outlook(row: Mapping[str, str]) -> Card:
    card = Card(
        name_parts=[_get(row, "First Name"), _get(row, "Middle Name"), _get(row, "Last Name")],
        organisation=_get(row, "Company"),
    )
    for column in OUTLOOK_PHONES:
        value = _get(row, column)
        if value:
            card.phones.append(([column], value))
    return card


def _google(row: Mapping[str, str]) -> Card:
    card = Card(
        formatted_name=_get(row, "Name"),
        name_parts=[
            _get(row, "First Name", "Given Name"),
            _get(row, "Middle Name", "Additional Name"),
            _get(row, "Last Name", "Family Name"),
        ],
        organisation=_get(row, "Organization Name", "Organization 1 - Name"),
    )
    pairs = sorted(
        (int(found.group(1)), column)
        for column in row
        if isinstance(column, str) and (found := _GOOGLE_VALUE.match(column))
    )
    for number, column in pairs:
        # "* Mobile" marks the primary number in the older export.
        label = _get(row, f"Phone {number} - Label", f"Phone {number} - Type").lstrip("* ")
        for value in _get(row, column).split(":::"):
            if value.strip():
                card.phones.append(([label], value.strip()))
    return card


def _thunderbird(row: Mapping[str, str]) -> Card:
    card = Card(
        formatted_name=_get(row, "Display Name"),
        name_parts=[_get(row, "First Name"), _get(row, "Last Name")],
        organisation=_get(row, "Organization", "Organisation"),
    )
    for column, label in THUNDERBIRD_PHONES.items():
        value = _get(row, column)
        if value:
            card.phones.append(([label], value))
    return card


LAYOUTS = (
    Layout(
        "Google CSV",
        lambda header: any(_GOOGLE_VALUE.match(column) for column in header),
        _google,
    ),
    Layout(
        "Thunderbird CSV",
        lambda header: "Display Name" in header and bool(set(THUNDERBIRD_PHONES) & header),
        _thunderbird,
    ),
    Layout(
        "Outlook CSV",
        lambda header: "First Name" in header and bool(set(OUTLOOK_PHONES[:9]) & header),
        _outlook,
    ),
)
"""The CSV layouts recognised, tried in this order (Google's and Thunderbird's headers also
have Outlook-like names, so the more telling test goes first)."""

NOT_CONTACTS = (
    "This file is neither a vCard file nor a contacts export from Outlook, Google Contacts "
    "or Thunderbird (its first line does not name their columns), so nothing was imported."
)


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d])


def layout_for(text: str) -> tuple[Layout, str] | None:
    """The layout whose columns the first line of ``text`` names, and its delimiter."""
    first = text.lstrip("\ufeff").split("\n", 1)[0].strip("\r")
    delimiter = _delimiter(first)
    try:
        header = {c.strip() for c in next(csv.reader([first], delimiter=delimiter))}
    except (csv.Error, StopIteration):
        return None
    for layout in LAYOUTS:
        if layout.matches(header):
            return layout, delimiter
    return None


def read(text: str, normaliser: Normaliser, source: str = LOCAL_SOURCE) -> Parsed:
    """The contacts in a CSV export's text.

    Raises:
        ContactFileError: the header is not one of :data:`LAYOUTS`.
    """
    found = layout_for(text)
    if found is None:
        raise ContactFileError(NOT_CONTACTS)
    layout, delimiter = found
    parsed = Parsed(layout.name)
    for line, row in _rows(text.lstrip("\ufeff"), delimiter, parsed):
        card = layout.card(row)
        card.line = line
        contact = normaliser.contact(card, source)
        if isinstance(contact, str):
            if any(isinstance(v, str) and v.strip() for v in row.values()):
                parsed.skipped.append(Skip(line, contact, card.display_name()))
        else:
            parsed.contacts.append(contact)
    return parsed


def _rows(text: str, delimiter: str, parsed: Parsed) -> Iterator[tuple[int, dict[str, str]]]:
    """Each row with the line it starts on; a row csv cannot read ends the file, reported."""
    old_limit = csv.field_size_limit()
    csv.field_size_limit(MAX_FIELD)
    try:
        reader = csv.DictReader(text.splitlines(keepends=True), delimiter=delimiter)
        reader.fieldnames = [name.strip() for name in reader.fieldnames or []]
        start = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error:
                parsed.skipped.append(
                    Skip(
                        start,
                        "this row cannot be read as CSV; it and the rows after it were skipped",
                    )
                )
                return
            yield start, {k: v for k, v in row.items() if isinstance(k, str)}
            start = reader.line_num + 1
    finally:
        csv.field_size_limit(old_limit)
