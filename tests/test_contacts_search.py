"""Searching the phone book as someone types: parts of names, organisations and numbers, the
keypad's letters, the ranking, and an index that follows every change."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialer_gui.core.contacts import folding
from dialer_gui.core.contacts.search import ContactIndex
from dialer_gui.core.contacts.store import ContactStore, IndexRow
from dialer_gui.vocabulary.contacts import Contact, ContactNumber

BOOK = [
    ("John Smith", "Acme Corp", "+12125550100", "(212) 555-0100"),
    ("Jane Doe", "Johnson & Co", "+12125550101", "212 555 0101"),
    ("Sam Johnson", "", "+442079460958", "020 7946 0958"),
    ("Jörg Müller", "Bäckerei Müller", "+49301234567", "030 1234567"),
    ("Ann O’Brien", "Reception", "204", "204"),
    ("Peter Jones", "Jonas Shipping", "+15035550199", "+1 503 555 0199"),
    ("Zoë Kowalski", "", "+48221234567", "+48 22 123 45 67"),
]


@pytest.fixture
def store(tmp_path: Path):
    with ContactStore(tmp_path / "contacts.sqlite3") as s:
        s.import_contacts(
            Contact(name=n, organisation=o, numbers=(ContactNumber("work", w, e),))
            for n, o, e, w in BOOK
        )
        yield s


@pytest.fixture
def index(store: ContactStore):
    idx = ContactIndex(store)
    yield idx
    idx.close()


def names(index: ContactIndex, query: str) -> list[str]:
    return [c.name for c in index.find(query)]


def test_a_name_word_prefix_ranks_above_the_organisation_and_anywhere(index: ContactIndex) -> None:
    # Names with a word starting "john", by name; then Jane Doe, whose company is Johnson & Co.
    assert names(index, "john") == ["John Smith", "Sam Johnson", "Jane Doe"]
    assert names(index, "jo") == ["John Smith", "Jörg Müller", "Peter Jones", "Sam Johnson",
                                  "Jane Doe"]  # fmt: skip
    # Inside words only: all of a rank, by name.
    assert names(index, "ohn") == ["Jane Doe", "John Smith", "Sam Johnson"]
    assert names(index, "mit") == ["John Smith"]


def test_every_word_must_match_and_a_phrase_ranks_first(index: ContactIndex) -> None:
    # The phrase first; Sam Johnson's name has both word starts too; Jane Doe only has them
    # inside words ("s" in Johnson, her company).
    assert names(index, "john s") == ["John Smith", "Sam Johnson", "Jane Doe"]
    assert names(index, "s john") == ["John Smith", "Sam Johnson", "Jane Doe"]  # no phrase
    assert names(index, "smith john") == ["John Smith"]
    assert names(index, "jane johnson") == ["Jane Doe"]  # one word in the organisation
    assert names(index, "jane nobody") == []


def test_accents_case_and_apostrophes_do_not_matter(index: ContactIndex) -> None:
    assert names(index, "JORG") == ["Jörg Müller"]
    assert names(index, "müller") == ["Jörg Müller"]
    assert names(index, "obrien") == ["Ann O’Brien"]
    assert names(index, "o'brien") == ["Ann O’Brien"]
    assert names(index, "zoe") == ["Zoë Kowalski"]
    assert names(index, "ＪＯＲＧ") == ["Jörg Müller"]  # full-width letters, as some IMEs type


def test_keypad_digits_find_names(index: ContactIndex) -> None:
    # J-O-H-N beginning a name's word; then Jane Doe, whose company is Johnson & Co.
    assert names(index, "5646") == ["John Smith", "Sam Johnson", "Jane Doe"]
    assert names(index, "5674") == ["Jörg Müller"]  # J-O-R-G: the umlaut is an O
    assert names(index, "76484") == ["John Smith"]  # SMITH
    # P-E in a name first, then R-E in an organisation (Ann O’Brien works at Reception).
    assert names(index, "73") == ["Peter Jones", "Ann O’Brien"]


def test_numbers_by_any_part_as_dialed_or_as_written(index: ContactIndex) -> None:
    assert names(index, "+44 20 7946") == ["Sam Johnson"]
    assert names(index, "020 7946") == ["Sam Johnson"]  # as written, with the trunk 0
    assert names(index, "0958") == ["Sam Johnson"]
    assert names(index, "204") == ["Ann O’Brien"]  # an extension
    assert names(index, "212 555 010") == ["Jane Doe", "John Smith"]  # one rank: by name


def test_the_limit_is_kept_and_none_means_all(index: ContactIndex) -> None:
    assert len(index.search("j", limit=2)) == 2
    assert len(index.search("j", limit=None)) == 5
    assert index.search("") == [] and index.search("   ") == [] and index.search("+-()") == []


def test_the_index_follows_changes_without_reloading(
    store: ContactStore, index: ContactIndex
) -> None:
    added = store.add(
        Contact(
            name="Johanna Berg", numbers=(ContactNumber("mobile", "+46701234567", "+46701234567"),)
        )
    )
    assert names(index, "johan") == ["Johanna Berg"]
    assert added.id is not None
    store.update(
        Contact(
            name="Hanna Berg",
            numbers=added.numbers,
            id=added.id,
        )
    )
    assert names(index, "johan") == []
    assert names(index, "hanna") == ["Hanna Berg"]
    store.delete(added.id)
    assert names(index, "berg") == []
    assert len(index) == len(BOOK)


def test_refresh_reloads_after_another_process_changed_the_file(
    store: ContactStore, index: ContactIndex
) -> None:
    assert index.refresh() is False
    other = ContactStore(store.path)  # a `dialer-gui contacts import` while the app runs
    other.add(Contact(name="From Elsewhere", numbers=(ContactNumber("work", "205", "205"),)))
    other.close()
    assert names(index, "elsewhere") == []
    assert index.refresh() is True
    assert names(index, "elsewhere") == ["From Elsewhere"]


def test_an_empty_book_finds_nothing(tmp_path: Path) -> None:
    with ContactStore(tmp_path / "c.sqlite3") as store:
        assert ContactIndex(store).search("j") == []


def test_search_ranks_by_name_within_a_rank_and_stops_at_the_limit() -> None:
    index = ContactIndex()
    index.load(
        IndexRow(i, f"Person {name}", "", ())
        for i, name in enumerate(["delta", "alpha", "charlie", "bravo"] * 50)
    )
    found = index.search("person", limit=3)
    assert found == [1, 5, 9]  # all "Person alpha", lowest ids first


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.text(min_size=1, max_size=12),
            st.text(max_size=8),
            st.from_regex(r"\+?[0-9]{0,9}", fullmatch=True),
        ),
        max_size=12,
    ),
    query=st.text(max_size=8),
)
def test_search_finds_exactly_the_contacts_that_match_some_way(
    rows: list[tuple[str, str, str]], query: str
) -> None:
    """Against a slow, obvious reading of the rules: nothing missed, nothing extra, no crash."""
    index = ContactIndex()
    index.load(IndexRow(i, n, o, ((d, d),)) for i, (n, o, d) in enumerate(rows))
    words = folding.words(query)
    digits = folding.digits(query)
    folded = folding.fold(query).strip()
    numberish = bool(digits) and all(c.isspace() or c in "+-()./0123456789" for c in folded)

    def matches(name: str, org: str, number: str) -> bool:
        text = folding.words(name) + folding.words(org)
        if words and all(any(w in t for t in text) for w in words):
            return True
        keys = [folding.keypad(t) for t in text]
        if numberish and all(any(k.startswith(w) for k in keys) for w in words):
            return True
        return numberish and digits in folding.digits(number)

    expected = {i for i, row in enumerate(rows) if words and matches(*row)}
    assert set(index.search(query, limit=None)) == expected


def test_rebuilding_after_a_change_keeps_every_line_intact(tmp_path: Path) -> None:
    # The index keeps its lines joined; a change unpacks them again. Nothing may shift.
    path = tmp_path / "c.sqlite3"
    with ContactStore(path) as store:
        store.import_contacts(
            Contact(name=f"Name {i}", numbers=(ContactNumber("work", f"2{i:02d}", f"2{i:02d}"),))
            for i in range(40)
        )
        index = ContactIndex(store)
        assert index.search("name 7") and names(index, "217") == ["Name 17"]
        store.add(Contact(name="Aaron First", numbers=(ContactNumber("work", "299", "299"),)))
        assert names(index, "217") == ["Name 17"] and names(index, "299") == ["Aaron First"]
        conn = sqlite3.connect(path)
        assert conn.execute("SELECT count(*) FROM contacts").fetchone()[0] == len(index) == 41
        conn.close()


def test_a_miss_is_remembered_only_until_the_book_changes(
    store: ContactStore, index: ContactIndex
) -> None:
    assert names(index, "zed") == [] and names(index, "zedd") == []
    assert names(index, "7946") == ["Sam Johnson"]  # a miss in names, a hit in numbers
    store.add(Contact(name="Zedd Blue", numbers=(ContactNumber("work", "206", "206"),)))
    assert names(index, "zedd") == ["Zedd Blue"]
    assert names(index, "zed") == ["Zedd Blue"]
