"""HistoryStore: round trips, forward-only states, search, crash safety, plain errors."""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dialer_gui.core.history import DISK_FULL, INTERRUPTED, HistoryStore, export_csv
from dialer_gui.errors import HistoryError
from dialer_gui.vocabulary.calls import CallAttempt, CallState, Source

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def attempt(
    number: str = "+15551234567",
    *,
    minutes: int = 0,
    provider: str = "office",
    display: str | None = None,
    **fields: object,
) -> CallAttempt:
    moment = T0 + timedelta(minutes=minutes)
    return CallAttempt(
        source=fields.pop("source", Source.LINK),  # type: ignore[arg-type]
        raw_input=str(fields.pop("raw_input", f"tel:{number}")),
        number=number,
        display=display if display is not None else number,
        provider=provider,
        created=moment,
        updated=moment,
        **fields,  # type: ignore[arg-type]
    )


def test_add_get_round_trip(history: HistoryStore) -> None:
    a = attempt(
        dialed="0015551234567",
        call_id="abc",
        error=None,
        detail="Ringing your phone",
        raw='{"ok": true}',
        raw_input="tel:+1-555-123-4567",
    )
    new_id = history.add(a)
    assert a.id == new_id
    again = history.get(new_id)
    assert again == a
    assert again is not None
    assert again.created.tzinfo is not None
    assert history.get(new_id + 1) is None


def test_naive_times_are_taken_as_utc(history: HistoryStore) -> None:
    a = attempt()
    a.created = datetime(2024, 1, 2, 3, 4, 5)  # naive on purpose
    history.add(a)
    got = history.get(a.id or 0)
    assert got is not None
    assert got.created == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_update_moves_forward_and_sets_updated(history: HistoryStore) -> None:
    a = attempt()
    history.add(a)
    assert a.id is not None
    accepted = history.update(a.id, state=CallState.ACCEPTED, call_id="c-1", raw="{}")
    assert accepted.state is CallState.ACCEPTED
    assert accepted.updated > a.updated
    # ACCEPTED -> ACCEPTED is allowed: a call ID arriving late.
    history.update(a.id, state="accepted", call_id="c-2")
    done = history.update(a.id, state=CallState.COMPLETED, outcome="answered")
    assert history.get(a.id) == done
    assert done.call_id == "c-2"
    assert done.outcome == "answered"


@pytest.mark.parametrize(
    ("path", "backwards"),
    [
        ([CallState.ACCEPTED], CallState.REQUESTED),
        ([CallState.ACCEPTED, CallState.COMPLETED], CallState.ACCEPTED),
        ([CallState.FAILED], CallState.ACCEPTED),
        ([CallState.UNKNOWN], CallState.FAILED),
        ([], CallState.COMPLETED),  # REQUESTED cannot skip to COMPLETED
    ],
)
def test_backward_transitions_raise_and_change_nothing(
    history: HistoryStore, path: list[CallState], backwards: CallState
) -> None:
    a = attempt()
    history.add(a)
    assert a.id is not None
    for state in path:
        history.update(a.id, state=state)
    before = history.get(a.id)
    with pytest.raises(ValueError, match="cannot go from"):
        history.update(a.id, state=backwards, error="should not be saved")
    assert history.get(a.id) == before


def test_update_rejects_unknown_fields_and_ids(history: HistoryStore) -> None:
    a = attempt()
    history.add(a)
    assert a.id is not None
    with pytest.raises(ValueError, match="number"):
        history.update(a.id, number="+1")
    with pytest.raises(KeyError):
        history.update(a.id + 100, error="x")


def test_mark_interrupted_only_touches_requested(history: HistoryStore) -> None:
    pending = [attempt(minutes=i) for i in range(3)]
    for a in pending:
        history.add(a)
    done = attempt(minutes=9)
    history.add(done)
    assert done.id is not None
    history.update(done.id, state=CallState.ACCEPTED)
    assert history.mark_interrupted() == 3
    for a in pending:
        got = history.get(a.id or 0)
        assert got is not None
        assert got.state is CallState.UNKNOWN
        assert got.error == INTERRUPTED
    accepted = history.get(done.id)
    assert accepted is not None
    assert accepted.state is CallState.ACCEPTED
    assert history.mark_interrupted() == 0
    # A late CDR may still resolve an interrupted call.
    history.update(pending[0].id or 0, state=CallState.COMPLETED, outcome="answered")


@pytest.fixture
def filled(history: HistoryStore) -> HistoryStore:
    rows = [
        attempt("+15550000001", minutes=1, display="Alice Example"),
        attempt("+15550000002", minutes=2, provider="home", display="Bob"),
        attempt("+442071234567", minutes=3, display="London office", source=Source.DIALPAD),
        attempt("204", minutes=4, display="204", raw_input="204"),
        attempt("+15550000001", minutes=5, display="Alice Example", call_id="PBX-77"),
        attempt("", minutes=6, display="", raw_input="call me maybe 100%_sure"),
    ]
    for a in rows:
        history.add(a)
    history.update(rows[1].id or 0, state=CallState.FAILED, error="Wrong PASSWORD for home")
    history.update(rows[4].id or 0, state=CallState.ACCEPTED)
    history.update(rows[4].id or 0, state=CallState.COMPLETED, outcome="Answered")
    return history


def numbers(rows: list[CallAttempt]) -> list[str]:
    return [r.number for r in rows]


def test_query_is_newest_first(filled: HistoryStore) -> None:
    assert numbers(filled.query()) == [
        "",
        "+15550000001",
        "204",
        "+442071234567",
        "+15550000002",
        "+15550000001",
    ]
    assert filled.count() == 6
    assert filled.ids() == [r.id for r in filled.query()]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("alice", ["+15550000001", "+15550000001"]),  # display, case-insensitive
        ("4420", ["+442071234567"]),  # number
        ("pbx-77", ["+15550000001"]),  # call id
        ("password", ["+15550000002"]),  # error
        ("answered", ["+15550000001"]),  # outcome
        ("maybe", [""]),  # raw input
        ("%", [""]),  # wildcards are literal
        ("_", [""]),
        ("100%_", [""]),
        ("555 000 0002", ["+15550000002"]),  # spaced digits find the number
        ("(555) 000-0002", ["+15550000002"]),
        ("nothing like this", []),
        ("  204  ", ["204"]),
    ],
)
def test_search(filled: HistoryStore, search: str, expected: list[str]) -> None:
    assert numbers(filled.query(search)) == expected
    assert filled.count(search) == len(expected)


def test_filters_paging_and_count(filled: HistoryStore) -> None:
    assert numbers(filled.query(provider="home")) == ["+15550000002"]
    assert numbers(filled.query(state=CallState.REQUESTED)) == [
        "",
        "204",
        "+442071234567",
        "+15550000001",
    ]
    assert filled.count(state=CallState.REQUESTED, provider="office") == 4
    assert filled.count("alice", state=CallState.COMPLETED) == 1
    everything = filled.query()
    pages = [filled.query(limit=2, offset=n) for n in (0, 2, 4, 6)]
    assert [r.id for page in pages for r in page] == [r.id for r in everything]
    assert pages[-1] == []
    assert filled.ids(limit=2, offset=1) == [r.id for r in everything[1:3]]


def test_recent_numbers_distinct_newest_first(filled: HistoryStore) -> None:
    assert filled.recent_numbers() == [
        ("+15550000001", "Alice Example"),
        ("204", "204"),
        ("+442071234567", "London office"),
        ("+15550000002", "Bob"),
    ]
    assert filled.recent_numbers(2) == [("+15550000001", "Alice Example"), ("204", "204")]


def test_find_by_call_id(history: HistoryStore) -> None:
    a = attempt(provider="office", call_id="X1", minutes=1)
    b = attempt(provider="home", call_id="X1", minutes=2)
    history.add(a)
    history.add(b)
    assert history.find_by_call_id("office", "X1") == a
    assert history.find_by_call_id("home", "X1") == b
    assert history.find_by_call_id(None, "X1") == b  # newest
    assert history.find_by_call_id("office", "nope") is None


def test_memory_database(tmp_path: Path) -> None:
    with HistoryStore(":memory:") as store:
        store.add(attempt())
        assert store.count() == 1
        assert store.integrity_ok()
    with pytest.raises(HistoryError, match="closed"):
        store.count()


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_files_are_private(tmp_path: Path) -> None:
    path = tmp_path / "new" / "dir" / "history.sqlite3"
    with HistoryStore(path) as store:
        store.add(attempt())
        assert path.parent.stat().st_mode & 0o777 == 0o700
        for f in path.parent.iterdir():  # the database, -wal and -shm
            assert f.stat().st_mode & 0o077 == 0, f


def test_reopen_keeps_rows_and_schema(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with HistoryStore(path) as store:
        a = attempt()
        store.add(a)
    with HistoryStore(path) as store:
        assert store.get(a.id or 0) == a
        assert store.integrity_ok()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    HistoryStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(HistoryError, match="newer dialer-gui"):
        HistoryStore(path)


def test_corrupt_file_gives_a_plain_error(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    path.write_bytes(b"this is not a database, just some text " * 200)
    with pytest.raises(HistoryError, match=r"is damaged\. Move it away"):
        HistoryStore(path)


def test_parent_that_is_a_file_gives_a_plain_error(tmp_path: Path) -> None:
    # Root ignores permission bits, so an unwritable folder is simulated by a path whose
    # "folder" is a regular file: creating the directory fails for every user.
    blocker = tmp_path / "data"
    blocker.write_text("not a folder")
    with pytest.raises(HistoryError, match="cannot be created"):
        HistoryStore(blocker / "history.sqlite3")


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() == 0, reason="root ignores directory permissions"
)
def test_unwritable_folder_gives_a_plain_error(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o500)
    try:
        with pytest.raises(HistoryError):
            HistoryStore(folder / "history.sqlite3")
    finally:
        folder.chmod(0o700)


def test_read_only_open_reads_but_refuses_writes(tmp_path: Path) -> None:
    # This covers the mapping of SQLite's "read-only" error (what an unwritable file gives a
    # normal user) by opening in SQLite's read-only mode, which holds even for root.
    path = tmp_path / "h.sqlite3"
    with HistoryStore(path) as store:
        a = attempt()
        store.add(a)
    with HistoryStore(path, read_only=True) as ro:
        assert ro.get(a.id or 0) == a
        with pytest.raises(HistoryError, match="read-only, so new calls cannot be recorded"):
            ro.add(attempt())
        with pytest.raises(HistoryError, match="read-only"):
            ro.mark_interrupted()


def test_disk_full_is_plain_and_keeps_earlier_rows(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    store = HistoryStore(path)
    kept = [attempt(minutes=i) for i in range(5)]
    for a in kept:
        store.add(a)
    assert store._conn is not None
    # Forcing SQLITE_FULL: cap the file at its current size (a rare failure, so we reach in).
    pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
    store._conn.execute(f"PRAGMA max_page_count = {pages}")
    big = "x" * 20_000
    with pytest.raises(HistoryError) as info:
        for _ in range(50):
            store.add(attempt(detail=big))
    assert str(info.value) == DISK_FULL
    store.close()
    with HistoryStore(path) as reopened:
        assert reopened.integrity_ok()
        for a in kept:
            assert reopened.get(a.id or 0) == a


CHILD = textwrap.dedent(
    """
    import sys
    from dialer_gui.vocabulary.calls import CallAttempt, Source
    from dialer_gui.core.history import HistoryStore

    store = HistoryStore(sys.argv[1])
    a = CallAttempt(source=Source.LINK, raw_input="tel:+15551234567",
                    number="+15551234567", display="+1 555-123-4567", provider="office")
    print(store.add(a), flush=True)
    sys.stdin.read()  # now "sending the HTTP request"; the parent kills us here
    """
)


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_row_recorded_before_sigkill_survives(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert child.stdout is not None
        row_id = int(child.stdout.readline())
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=10) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        for stream in (child.stdin, child.stdout):
            if stream is not None:
                stream.close()
    with HistoryStore(path) as store:
        got = store.get(row_id)
        assert got is not None
        assert got.state is CallState.REQUESTED
        assert store.mark_interrupted() == 1
        got = store.get(row_id)
        assert got is not None
        assert got.state is CallState.UNKNOWN
        assert store.integrity_ok()


def test_export_csv_defuses_formulas(history: HistoryStore) -> None:
    a = attempt("+15551234567", raw_input='=HYPERLINK("http://x")', display="+1 555-123-4567")
    history.add(a)
    b = attempt("204", minutes=1, raw_input="@SUM(1)", error="-bad")
    history.add(b)
    out = io.StringIO()
    export_csv(history.query(), out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("id,created,updated,source,raw_input,number,display")
    assert "raw" not in lines[0].split(",")
    assert len(lines) == 3
    assert "'@SUM(1)" in lines[1]
    assert "'-bad" in lines[1]
    assert "'=HYPERLINK" in lines[2]
    assert ",'+15551234567," in lines[2]  # a number shows as text, its plus kept
    assert "2024-05-01T09:00:00.000000+00:00" in lines[2]


@pytest.mark.slow
def test_mark_interrupted_leaves_calls_of_a_live_process_alone(tmp_path: Path) -> None:
    """A `dialer-gui call` still waiting on the PBX must not be marked by the app starting."""
    import subprocess
    import sys
    import textwrap

    db = tmp_path / "h.sqlite3"
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from dialer_gui.vocabulary.calls import CallAttempt, Source
            from dialer_gui.core.history import HistoryStore
            store = HistoryStore({str(db)!r})
            store.add(CallAttempt(Source.CLI, "1", "+1", "+1", "p"))
            print("ready", flush=True)
            sys.stdin.readline()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    with child:
        try:
            assert child.stdout is not None and child.stdout.readline().strip() == "ready"
            store = HistoryStore(db)
            assert store.mark_interrupted() == 0  # its owner is alive
            (row,) = store.query()
            assert row.state is CallState.REQUESTED
        finally:
            child.kill()
            child.wait()
    assert store.mark_interrupted() == 1  # now it is gone
    assert store.query()[0].state is CallState.UNKNOWN
    store.close()
