"""The phone book database: idempotent imports, read-only directories, and a disk that fails."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dialer_gui.core.contacts.store import DISK_FULL, Change, ContactStore, Outcome
from dialer_gui.errors import ContactsBusy, ContactsError
from dialer_gui.vocabulary.contacts import LOCAL_SOURCE, Contact, ContactNumber


def person(name: str, *numbers: str, uid: str = "", org: str = "", source: str = LOCAL_SOURCE):
    return Contact(
        name=name,
        organisation=org,
        numbers=tuple(ContactNumber("work", n, n) for n in numbers),
        uid=uid,
        source=source,
    )


@pytest.fixture
def store(tmp_path: Path):
    with ContactStore(tmp_path / "data" / "contacts.sqlite3") as s:
        yield s


def test_the_file_is_private_and_versioned(tmp_path: Path) -> None:
    path = tmp_path / "data" / "contacts.sqlite3"
    ContactStore(path).close()
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_reimport_updates_by_uid_and_never_doubles(store: ContactStore) -> None:
    first = store.import_contacts([person("Jane Doe", "+12125550100", uid="u1")])
    assert (first.added, first.updated, first.unchanged) == (1, 0, 0)
    again = store.import_contacts([person("Jane Doe", "+12125550100", uid="u1")])
    assert (again.added, again.updated, again.unchanged) == (0, 0, 1)
    changed = store.import_contacts([person("Jane Doe-Smith", "+12125550199", uid="u1")])
    assert (changed.added, changed.updated) == (0, 1)
    [jane] = store.all()
    assert jane.name == "Jane Doe-Smith" and [n.number for n in jane.numbers] == ["+12125550199"]
    assert jane.uid == "u1"


def test_cards_without_uid_are_recognised_by_name_and_numbers(store: ContactStore) -> None:
    batch = [person("Jane Doe", "+12125550100"), person("John Roe", "+12125550101")]
    assert store.import_contacts(batch).added == 2
    uids = {c.name: c.uid for c in store.all()}
    assert all(uid.startswith("dialer-gui-") for uid in uids.values())  # one of ours, for export
    again = store.import_contacts(batch)
    assert (again.added, again.unchanged) == (0, 2)
    # Case and accents aside it is the same name; a new organisation updates the contact.
    moved = store.import_contacts([person("JANE DOE", "+12125550100", org="Acme")])
    assert (moved.added, moved.updated) == (0, 1)
    assert {c.name: c.uid for c in store.all()} == {
        "JANE DOE": uids["Jane Doe"],
        "John Roe": uids["John Roe"],
    }
    # Other numbers: someone else (or the same person the file cannot tell apart).
    assert store.import_contacts([person("Jane Doe", "+12125550999")]).added == 1
    assert store.count() == 3


def test_a_uid_arriving_later_takes_over_the_contact_we_named(store: ContactStore) -> None:
    store.import_contacts([person("Jane Doe", "+12125550100")])  # from a CSV: no UID
    later = store.import_contacts([person("Jane Doe", "+12125550100", uid="apple-1")])  # vCard
    assert (later.added, later.updated) == (0, 1)
    [jane] = store.all()
    assert jane.uid == "apple-1"
    # ...but a contact whose UID came from its source is never taken over by another UID.
    store.import_contacts([person("Jane Doe", "+12125550100", uid="apple-2")])
    assert store.count() == 2


def test_a_failed_import_changes_nothing(store: ContactStore) -> None:
    store.import_contacts([person("Kept", "+12125550100", uid="k")])
    bad = [person("New One", "+12125550101", uid="n"), Contact(name=" ", numbers=())]
    with pytest.raises(ValueError, match="needs a name"):
        store.import_contacts(bad)
    assert [c.name for c in store.all()] == ["Kept"]


def test_directory_contacts_are_read_only_to_the_user(store: ContactStore) -> None:
    counts = store.replace_source("office", [person("Ann Lee", "204", uid="cn=ann")])
    assert counts.added == 1
    [ann] = store.all("office")
    with pytest.raises(ContactsError, match="from the directory “office”, which is read-only"):
        store.update(ann)
    with pytest.raises(ContactsError, match="read-only"):
        store.delete(ann.id or 0)
    assert store.all("office") == [ann]
    with pytest.raises(ValueError):
        store.replace_source(LOCAL_SOURCE, [])  # would empty the user's own phone book


def test_replace_source_keeps_ids_removes_the_missing_leaves_others(store: ContactStore) -> None:
    mine = store.add(person("My Friend", "+12125550100"))
    store.replace_source("office", [person("Ann", "204", uid="a"), person("Bob", "205", uid="b")])
    ann_id = store.all("office")[0].id
    counts = store.replace_source(
        "office", [person("Ann", "204", uid="a"), person("Cid", "206", uid="c")]
    )
    assert (counts.added, counts.unchanged, counts.removed) == (1, 1, 1)
    assert [(c.name, c.id == ann_id) for c in store.all("office")] == [
        ("Ann", True),
        ("Cid", False),
    ]
    assert store.get(mine.id or 0) == mine
    assert store.sources() == {"local": 1, "office": 2}


def test_upsert_and_delete_by_uid_for_a_sync(store: ContactStore) -> None:
    card = person("Ann", "204", uid="a", source="office")
    assert store.upsert(card) is Outcome.ADDED
    assert store.upsert(card) is Outcome.UNCHANGED
    assert store.upsert(person("Ann Lee", "204", uid="a", source="office")) is Outcome.UPDATED
    assert store.delete_uid("office", "a") is True
    assert store.delete_uid("office", "a") is False
    assert store.count() == 0


def test_listeners_hear_each_committed_change(store: ContactStore) -> None:
    heard: list[Change] = []
    stop = store.subscribe(heard.append)
    added = store.add(person("Jane", "+12125550100"))
    store.import_contacts([person("Jane", "+12125550100", uid=added.uid)])  # unchanged: silent
    store.delete(added.id or 0)
    stop()
    store.add(person("Unheard", "+12125550101"))
    assert [(len(c.written), c.removed) for c in heard] == [(1, ()), (0, (added.id,))]


def test_finding_by_number_name_and_words(store: ContactStore) -> None:
    store.import_contacts(
        [
            person("Jane Doe", "+12125550100", org="Acme Corp"),
            person("Jörg Müller", "+49301234567"),
            person("Janet Smith", "+12125550100"),
        ]
    )
    assert [c.name for c in store.find_by_number("+12125550100")] == ["Jane Doe", "Janet Smith"]
    assert [c.name for c in store.find_by_name("jorg muller")] == ["Jörg Müller"]
    assert [c.name for c in store.find_by_words("jan")] == ["Jane Doe", "Janet Smith"]
    assert [c.name for c in store.find_by_words("jane acme")] == ["Jane Doe"]
    assert store.find_by_words("100%") == []  # LIKE's wildcards are only text here


def test_read_only_open_reads_and_refuses_writes(tmp_path: Path) -> None:
    # SQLite's read-only mode stands in for an unwritable file (root ignores permission bits).
    path = tmp_path / "contacts.sqlite3"
    with ContactStore(path) as store:
        store.add(person("Jane", "+12125550100"))
    with ContactStore(path, read_only=True) as ro:
        assert [c.name for c in ro.all()] == ["Jane"]
        with pytest.raises(ContactsError, match="read-only, so contacts cannot be added"):
            ro.add(person("Other", "+12125550101"))
    with ContactStore(path) as store:
        assert store.count() == 1


def test_read_only_open_of_a_file_never_written_finds_nothing(tmp_path: Path) -> None:
    path = tmp_path / "contacts.sqlite3"
    path.touch()
    with ContactStore(path, read_only=True) as ro:
        assert ro.all() == [] and ro.count() == 0 and ro.find_by_name("x") == []


def test_a_locked_book_says_so_and_keeps_what_it_had(tmp_path: Path) -> None:
    path = tmp_path / "contacts.sqlite3"
    store = ContactStore(path, busy_timeout=0.05)
    store.add(person("Before", "+12125550100"))
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")  # a backup tool, a second program
    try:
        with pytest.raises(ContactsBusy, match=r"locked by another program\. Try again shortly"):
            store.import_contacts([person("During", "+12125550101")])
    finally:
        locker.execute("COMMIT")
        locker.close()
    assert [c.name for c in store.all()] == ["Before"]
    store.import_contacts([person("After", "+12125550102")])
    assert store.count() == 2
    store.close()


def test_a_full_disk_is_a_plain_sentence_and_nothing_half_written(tmp_path: Path) -> None:
    path = tmp_path / "contacts.sqlite3"
    store = ContactStore(path)
    store.import_contacts([person(f"Kept {i}", f"+1212555{i:04d}") for i in range(5)])
    assert store._conn is not None
    # Forcing SQLITE_FULL: the file may not grow by a page, as on a full disk.
    pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
    store._conn.execute(f"PRAGMA max_page_count = {pages}")
    big = [person(f"New {i} " + "x" * 150, f"+1646555{i:04d}") for i in range(2000)]
    with pytest.raises(ContactsError) as info:
        store.import_contacts(big)
    assert str(info.value) == DISK_FULL
    store.close()
    with ContactStore(path) as again:
        assert again.integrity_ok() and again.count() == 5


def test_a_damaged_or_newer_file_is_refused_plainly(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(ContactsError, match=r"is damaged\. Move it away"):
        ContactStore(damaged)
    newer = tmp_path / "newer.sqlite3"
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(ContactsError, match="made by a newer dialer-gui"):
        ContactStore(newer)


def test_a_folder_that_cannot_exist(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(ContactsError, match="cannot be created"):
        ContactStore(blocker / "contacts.sqlite3")


def test_closed_store_refuses_plainly(tmp_path: Path) -> None:
    store = ContactStore(tmp_path / "c.sqlite3")
    store.close()
    store.close()
    with pytest.raises(ContactsError, match="closed"):
        store.all()


def test_the_store_is_the_directories_sync_sink_all_or_nothing(store: ContactStore) -> None:
    from dialer_gui.core.contacts.sink import StoreSink
    from dialer_gui.directories.sync import BookState, SyncState

    sink = StoreSink(store)
    assert sink.sync_state("office") is None
    state = SyncState({"https://dav.example/books/1/": BookState("tok-1", {"a.vcf": '"e1"'})})
    sink.apply("office", [person("Ann", "204", uid="a.vcf"), person("Bob", "205", uid="b.vcf")],
               [], state)  # fmt: skip
    assert sink.sync_state("office") == state
    assert [c.name for c in store.all("office")] == ["Ann", "Bob"]
    later = SyncState({"https://dav.example/books/1/": BookState("tok-2", {})})
    sink.apply("office", [person("Ann Lee", "204", uid="a.vcf")], ["b.vcf", "gone.vcf"], later)
    assert [c.name for c in store.all("office")] == ["Ann Lee"]
    assert sink.sync_state("office") == later
    # A sync that breaks half-way keeps the last good copy and the state that describes it.
    broken = [person("Cid", "206", uid="c.vcf"), Contact(name="", uid="bad")]
    with pytest.raises(ValueError):
        sink.apply("office", broken, ["a.vcf"], SyncState())
    assert [c.name for c in store.all("office")] == ["Ann Lee"]
    assert sink.sync_state("office") == later
    with pytest.raises(ValueError):
        sink.apply(LOCAL_SOURCE, [], [], SyncState())  # the user's own book is no directory
