"""Contacts files as address books write them: vCard 2.1/3.0/4.0 and Outlook, Google and
Thunderbird CSV, in their encodings, broken, huge or not contacts at all.

The samples in tests/data/contacts/ are written by hand after real exports (see each one's
comment in the test); encodings a file can only have on disk (UTF-16, cp1252) are made here
from the same text.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialer_gui.core.contacts import importing, vcard
from dialer_gui.core.contacts.normalise import Normaliser
from dialer_gui.core.contacts.parsed import Parsed
from dialer_gui.core.contacts.store import ContactStore
from dialer_gui.errors import ContactFileError

DATA = Path(__file__).parent / "data" / "contacts"


def read(name: str, region: str = "US") -> Parsed:
    return importing.read_file(DATA / name, Normaliser(region, (3, 5)))


def numbers(parsed: Parsed) -> dict[str, list[tuple[str, str, str]]]:
    return {c.name: [(n.label, n.written, n.number) for n in c.numbers] for c in parsed.contacts}


# --- vCard ------------------------------------------------------------------------------------


def test_android_21_quoted_printable_utf8_with_soft_breaks_and_a_photo() -> None:
    parsed = read("android-2.1.vcf")
    assert parsed.format == "vCard"
    found = numbers(parsed)
    # FN's quoted-printable value continues on the next line after "=" (a soft break).
    assert found["Иван Петров"] == [
        ("mobile", "+7 916 123-45-67", "+79161234567"),
        ("work", "+7 495 987-65-43", "+74959876543"),
        ("home", "+7 495 111-22-33", "+74951112233"),
    ]
    assert found["María José González"] == [
        ("mobile", "+34 612 34 56 78", "+34612345678"),
        ("fax", "+34 91 123 45 67", "+34911234567"),
    ]
    maria = next(c for c in parsed.contacts if c.name.startswith("María"))
    assert maria.organisation == "Panadería La Espiga"
    # A national number is read in the configured region.
    assert found["Pizza Napoli"] == [("work", "(201) 555-0142", "+12015550142")]
    assert [s.describe() for s in parsed.skipped] == [
        "line 29 (Only Email): it has no phone number"
    ]


def test_nokia_21_raw_latin1_lines_and_an_unfolded_photo() -> None:
    parsed = read("nokia-2.1-latin1.vcf")
    assert numbers(parsed) == {
        "Hélène Lefèvre": [
            ("mobile", "+33612345678", "+33612345678"),
            ("work", "+33 1 42 68 53 00", "+33142685300"),
        ],
        "Søren Ødegård": [("mobile", "+47 912 34 567", "+4791234567")],
    }
    assert parsed.skipped == []


def test_outlook_21_cp1252_quoted_printable_and_work_cell_fax() -> None:
    parsed = read("outlook-2.1.vcf")
    [jane] = parsed.contacts
    assert (jane.name, jane.organisation) == ("Jane Doe", "Contoso Ltd.")
    assert [(n.label, n.number) for n in jane.numbers] == [
        ("work", "+14255550100"),
        ("mobile", "+14255550199"),
        ("fax", "+14255550101"),
    ]


def test_apple_30_grouped_labels_folded_lines_and_uid() -> None:
    parsed = read("apple-3.0.vcf")
    johnny, lan = parsed.contacts
    assert johnny.uid == "5B1F6F8C-8E77-4F1B-9C5B-2D6E5A7F0C11"
    assert johnny.organisation == "Apple Inc."
    assert [(n.label, n.written) for n in johnny.numbers] == [
        ("mobile", "+1 (408) 555-0123"),  # item1.X-ABLabel:_$!<Mobile>!$_
        ("other", "+1 408 555 0199"),  # a label of the user's own ("reception desk")
        ("work", "408-555-0100"),
        ("fax", "408-555-0177"),
    ]
    assert (lan.name, lan.organisation) == ("Nguyễn Thị Lan", "Phở Hà Nội")


def test_nextcloud_40_tel_uris_quoted_types_and_extensions() -> None:
    parsed = read("nextcloud-4.0.vcf", region="GB")
    amelia, reception = parsed.contacts
    assert amelia.uid == "urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1"
    assert [(n.label, n.written, n.number) for n in amelia.numbers] == [
        ("mobile", "+44-7700-900123", "+447700900123"),  # TYPE="voice,cell"
        ("work", "+44-20-7946-0958 ext. 204", "+442079460958"),  # ;ext=204
        ("extension", "215", "215"),  # a short internal number
        ("home", "+44 (0)161 496 0000", "+441614960000"),
    ]
    assert reception.numbers[0].number == "+442079460000"  # %2B in the URI is the plus


def test_a_broken_card_mid_file_is_reported_with_its_line_and_the_rest_kept() -> None:
    parsed = read("broken-mid.vcf")
    assert [c.name for c in parsed.contacts] == [
        "First Person",
        "Second Person",
        "Fifth Person",
        "Seventh Person",
    ]
    assert [s.describe() for s in parsed.skipped] == [
        "line 11 (Third Person): its line 14 is not a vCard property",
        "line 17 (Fourth Person): the card has no END:VCARD line",
        "line 26: the card names a character set that does not exist",
    ]


def test_a_file_that_ends_inside_a_card_keeps_the_cards_before() -> None:
    text = "BEGIN:VCARD\nVERSION:3.0\nFN:Whole\nTEL:+12125550100\nEND:VCARD\nBEGIN:VCARD\nFN:Cut"
    parsed = importing.read_bytes(text.encode(), Normaliser())
    assert [c.name for c in parsed.contacts] == ["Whole"]
    assert [s.describe() for s in parsed.skipped] == [
        "line 6: the file ends inside this card (no END:VCARD line)"
    ]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-8-sig", "cp1252"])
def test_vcards_in_every_encoding_a_tool_writes(encoding: str) -> None:
    text = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zoë Ågren\r\nTEL;TYPE=CELL:+46 70 123 45 67\r\n"
    text += "END:VCARD\r\n"
    parsed = importing.read_bytes(text.encode(encoding), Normaliser())
    assert numbers(parsed) == {"Zoë Ågren": [("mobile", "+46 70 123 45 67", "+46701234567")]}


def test_hostile_text_becomes_one_plain_line_and_numbers_stay_numbers() -> None:
    text = (
        "BEGIN:VCARD\nVERSION:3.0\nFN:Evil\\nName \x1b[31mred\x1b[0m\u0007 \u202eeoD\u202c\n"
        "ORG:" + "O" * 5000 + '\nTEL:+1 212 555 0100\nTEL:=HYPERLINK("http://x")\n'
        "TEL:" + "9" * 500 + "\nEND:VCARD\n"
    )
    [evil] = importing.read_bytes(text.encode(), Normaliser()).contacts
    # No escape sequence, bell, line break or right-to-left override survives.
    assert evil.name == "Evil Name [31mred [0m eoD"
    assert len(evil.organisation) == 200
    assert [(n.written[:20], n.number) for n in evil.numbers] == [
        ("+1 212 555 0100", "+12125550100"),
        ('=HYPERLINK("http://x', ""),  # kept to show, never dialed
        ("9" * 20, ""),
    ]


def test_huge_file_of_cards_with_photos_is_read_whole(tmp_path: Path) -> None:
    photo = "PHOTO;ENCODING=b;TYPE=JPEG:" + "A" * 74 + "".join("\n " + "B" * 74 for _ in range(400))
    cards = "".join(
        f"BEGIN:VCARD\nVERSION:3.0\nUID:u{i}\nFN:Person {i}\n{photo}\n"
        f"TEL;TYPE=work:+1 212 555 {i % 10000:04d}\nEND:VCARD\n"
        for i in range(3000)
    )
    path = tmp_path / "huge.vcf"
    path.write_text(cards)
    assert path.stat().st_size > 80_000_000
    started = time.monotonic()
    parsed = importing.read_file(path, Normaliser())
    took = time.monotonic() - started
    assert len(parsed.contacts) == 3000 and parsed.skipped == []
    assert took < 60, f"{took:.0f} s"  # a bound for a stuck parser, not a benchmark


def test_a_card_too_large_to_be_a_person_is_skipped_alone() -> None:
    text = (
        "BEGIN:VCARD\nVERSION:3.0\nFN:Big\nNOTE:" + "x" * (vcard.MAX_CARD_CHARS + 10) + "\n"
        "TEL:+12125550100\nEND:VCARD\nBEGIN:VCARD\nVERSION:3.0\nFN:Small\nTEL:+12125550101\n"
        "END:VCARD\n"
    )
    parsed = importing.read_bytes(text.encode(), Normaliser())
    assert [c.name for c in parsed.contacts] == ["Small"]
    assert [s.reason for s in parsed.skipped] == ["the card is too large to be a contact"]


def test_export_then_import_gives_the_same_phone_book(tmp_path: Path) -> None:
    first = ContactStore(tmp_path / "a.sqlite3")
    sources = {"android-2.1.vcf": "US", "apple-3.0.vcf": "US", "nextcloud-4.0.vcf": "GB"}
    for name, region in {**sources, "outlook.csv": "US"}.items():
        importing.import_file(first, DATA / name, Normaliser(region, (3, 5)))
    exported = tmp_path / "export.vcf"
    exported.write_text(vcard.write(first.all()), encoding="utf-8", newline="")
    assert exported.read_bytes().count(b"\r\n") > 50  # CRLF, as RFC 2426 asks
    # Imported somewhere else (another region): national numbers were written as dialed.
    second = ContactStore(tmp_path / "b.sqlite3")
    report = importing.import_file(second, exported, Normaliser("DE", (3, 5)))
    assert report.skipped == [] and report.added == first.count()

    def book(store: ContactStore) -> list[tuple[object, ...]]:
        return sorted(
            (c.name, c.organisation, c.uid, tuple((n.label, n.number) for n in c.numbers))
            for c in store.all()
        )

    assert book(second) == book(first)
    # And importing the export into the book it came from changes nothing.
    again = importing.import_file(first, exported, Normaliser("US", (3, 5)))
    assert (again.added, again.updated, again.unchanged) == (0, 0, first.count())


_VCARD_BITS = st.sampled_from(
    [
        "BEGIN:VCARD\r\n", "END:VCARD\r\n", "VERSION:2.1\n", "VERSION:4.0\n", "FN:Jane\n",
        "N:;;;;\n", "TEL;CELL:+1 212 555 0100\n", "TEL;VALUE=uri:tel:;ext=\n", " folded\n",
        "FN;ENCODING=QUOTED-PRINTABLE;CHARSET=utf-8:=C3=\n", "=A9\n", "PHOTO;ENCODING=b:\n",
        "AAAA\n", "\n", "item1.X-ABLabel:_$!<>!$_\n", "ORG:;;;\n", ":\n", ";;;:\n",
        "TEL;TYPE=\"a,b:1\n", "\x00", "\ud7ff", "\u202e",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(bits=st.lists(_VCARD_BITS | st.text(max_size=20), max_size=40), noise=st.binary(max_size=64))
def test_no_file_makes_the_readers_fail_any_other_way(bits: list[str], noise: bytes) -> None:
    """Hostile or broken input gives contacts, skips or a ContactFileError; never a crash."""
    for data in ("".join(bits).encode("utf-8", "surrogatepass"), noise, b"BEGIN:VCARD\n" + noise):
        try:
            parsed = importing.read_bytes(data, Normaliser())
        except ContactFileError:
            continue
        for contact in parsed.contacts:
            assert contact.name and contact.numbers
            assert not any(c in contact.name for c in "\n\r\x1b\u202e")


# --- CSV --------------------------------------------------------------------------------------


def test_outlook_csv_in_its_windows_code_page() -> None:
    parsed = read("outlook.csv")
    assert parsed.format == "Outlook CSV"
    found = numbers(parsed)
    assert found["Robert Zimmermann"] == [
        ("work", "+1 (206) 555-0110", "+12065550110"),
        ("mobile", "(206) 555-0111", "+12065550111"),
        ("fax", "(206) 555-0112", "+12065550112"),
    ]
    assert found["François Bélanger"] == [
        ("work", "514-555-0124", "+15145550124"),  # Assistant's Phone
        ("home", "514 555 0123", "+15145550123"),
    ]
    # A company without a person: the company is the name.
    assert found["Northwind Traders"] == [("work", "(503) 555-0100", "+15035550100")]
    assert [s.describe() for s in parsed.skipped] == ["line 6 (No Phone): it has no phone number"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "utf-8"])
def test_outlook_csv_in_unicode_as_outlook_and_excel_write_it(
    tmp_path: Path, encoding: str
) -> None:
    text = (DATA / "outlook.csv").read_bytes().decode("cp1252")
    if encoding == "utf-16":  # "Unicode" CSV: UTF-16 with its byte order mark, tab-separated
        text = text.replace(",", "\t")
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode(encoding))
    parsed = importing.read_file(path, Normaliser())
    assert numbers(parsed) == numbers(read("outlook.csv"))


def test_google_csv_with_several_numbers_in_one_cell() -> None:
    parsed = read("google.csv", region="GB")
    assert parsed.format == "Google CSV"
    assert numbers(parsed) == {
        "Aisha Khan": [
            ("mobile", "+44 7700 900456", "+447700900456"),
            ("mobile", "+44 7700 900457", "+447700900457"),
            ("work", "020 7946 0321", "+442079460321"),
            ("fax", "020 7946 0322", "+442079460322"),
        ],
        "Kenji Watanabe": [("work", "+81 3-1234-5678", "+81312345678")],
    }
    assert parsed.contacts[0].organisation == "Khan Legal"
    assert parsed.skipped == []  # an empty row is no contact, and no reason to complain


def test_google_legacy_csv_with_a_bom_and_starred_types() -> None:
    parsed = read("google-legacy.csv", region="DE")
    assert numbers(parsed) == {
        "Lena Schulz": [
            ("mobile", "0151 23456789", "+4915123456789"),
            ("work", "030 1234567", "+49301234567"),
        ],
        "Piotr Nowak": [("home", "+48 22 123 45 67", "+48221234567")],
    }


def test_thunderbird_csv_us_and_uk_builds() -> None:
    us = read("thunderbird.csv")
    assert us.format == "Thunderbird CSV"
    assert numbers(us) == {
        "Taylor, Sam (IT)": [
            ("work", "+1 617 555 0150", "+16175550150"),
            ("fax", "+1 617 555 0151", "+16175550151"),
            ("mobile", "617-555-0152", "+16175550152"),
        ],
        "Help Desk": [("extension", "4711", "4711")],
    }
    uk = read("thunderbird-uk.csv", region="GB")
    [oliver] = uk.contacts
    assert oliver.organisation == "Hughes & Daughters"  # the "Organisation" column
    assert [n.number for n in oliver.numbers] == ["+441614960123", "+447700900789"]


def test_csv_with_semicolons_as_a_european_spreadsheet_saves_it() -> None:
    text = "First Name;Last Name;Company;Mobile Phone\nAnna;Rossi;Ditta Srl;+39 312 345 6789\n"
    parsed = importing.read_bytes(text.encode("cp1252"), Normaliser("IT"))
    assert numbers(parsed) == {"Anna Rossi": [("mobile", "+39 312 345 6789", "+393123456789")]}


def test_a_csv_row_that_breaks_csv_keeps_the_rows_before() -> None:
    text = 'First Name,Last Name,Mobile Phone\nAnna,Rossi,+12125550100\nBad,"x' + "y" * 1_100_000
    parsed = importing.read_bytes(text.encode(), Normaliser())
    assert [c.name for c in parsed.contacts] == ["Anna Rossi"]
    assert [s.describe() for s in parsed.skipped] == [
        "line 3: this row cannot be read as CSV; it and the rows after it were skipped"
    ]


# --- not contacts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "is empty"),
        (b"   \n\n", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 20, "neither a vCard"),
        (b"PK\x03\x04" + b"\x00" * 200, "neither a vCard"),
        (b"Name,Email\nJane,jane@example.com\n", "neither a vCard"),
        (b"Just some notes.\nCall Jane tomorrow.\n", "neither a vCard"),
    ],
)
def test_garbage_is_refused_plainly_and_the_book_keeps_what_it_had(
    tmp_path: Path, content: bytes, words: str
) -> None:
    store = ContactStore(tmp_path / "c.sqlite3")
    importing.import_file(store, DATA / "apple-3.0.vcf", Normaliser())
    before = store.all()
    path = tmp_path / "contacts.dat"
    path.write_bytes(content)
    with pytest.raises(ContactFileError, match=words):
        importing.import_file(store, path, Normaliser())
    assert store.all() == before
    store.close()


def test_missing_file_folder_and_fifo_are_plain_errors(tmp_path: Path) -> None:
    with pytest.raises(ContactFileError, match="There is no file"):
        importing.read_file(tmp_path / "nope.vcf", Normaliser())
    with pytest.raises(ContactFileError, match="cannot be read"):
        importing.read_file(tmp_path, Normaliser())
    import os

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(ContactFileError, match="not a regular file"):
        importing.read_file(fifo, Normaliser())  # and does not block waiting for a writer
