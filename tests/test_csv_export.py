"""CSV export: formula-like cells are guarded with one leading quote, no other cell is touched.

Read back with the csv module from a real file, as a spreadsheet or a script would read it.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dialer_gui.core.history import CSV_COLUMNS, HistoryStore, export_csv
from dialer_gui.vocabulary.calls import CallAttempt, Source

# What a spreadsheet would run as a formula (or, for + and -, as arithmetic): each must come back
# with exactly one quote in front and otherwise unchanged.
FORMULA_LIKE = [
    '=HYPERLINK("http://evil.example","click")',
    "=1+1",
    "+12125550100",  # E.164: as a formula it loses its plus and becomes 12125550100
    "+1-212-555-0100",  # as a formula: -766
    "+1 (212) 555-0100",
    "-bad",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]
# Everything else comes back exactly as it was: no stray quote.
PLAIN = [
    "Calling your phone",
    "a=b",
    "1+1",
    "2125550100",
    "0044 20 7946 0958",
    " =1+1",
    "'already quoted",
    "it's fine",
    "tel:+12125550100",
    "x@example.com",
    "",
]


def _export(tmp_path: Path, values: list[str]) -> list[dict[str, str]]:
    store = HistoryStore(tmp_path / "history.sqlite3")
    moment = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
    for value in values:
        # The same value in every free-text column: each column is guarded the same way.
        store.add(CallAttempt(Source.LINK, value, value, value, value, dialed=value,
                              call_id=value, error=value, outcome=value, detail=value,
                              created=moment, updated=moment))  # fmt: skip
    path = tmp_path / "history.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        export_csv(store.query(limit=1000), stream)
    store.close()
    with path.open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
        return list(reader)


TEXT_COLUMNS = ("raw_input", "number", "display", "provider", "dialed", "call_id", "error")


@pytest.mark.parametrize("value", FORMULA_LIKE)
def test_a_formula_like_cell_gets_exactly_one_quote(tmp_path: Path, value: str) -> None:
    (row,) = _export(tmp_path, [value])
    for column in (*TEXT_COLUMNS, "outcome", "detail"):
        assert row[column] == "'" + value, column


@pytest.mark.parametrize("value", PLAIN)
def test_any_other_cell_comes_back_unchanged(tmp_path: Path, value: str) -> None:
    (row,) = _export(tmp_path, [value])
    for column in (*TEXT_COLUMNS, "outcome", "detail"):
        assert row[column] == value, column


def test_times_states_and_empty_fields_are_plain(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "history.sqlite3")
    store.add(CallAttempt(Source.CLI, "204", "204", "204", "office"))
    path = tmp_path / "history.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        export_csv(store.query(), stream)
    store.close()
    with path.open(encoding="utf-8", newline="") as stream:
        (row,) = list(csv.DictReader(stream))
    assert row["created"][:4].isdigit() and not row["created"].startswith("'")
    assert row["source"] == "cli" and row["state"] == "requested"
    assert row["call_id"] == "" and row["error"] == ""  # None is an empty cell, not "None"
