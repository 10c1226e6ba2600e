"""What directories send, read without trusting it: vCards, WebDAV XML, LDAP filter values."""

from __future__ import annotations

import contextlib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialer_gui.directories import webdav
from dialer_gui.directories.errors import DirectoryError
from dialer_gui.directories.ldap import escape
from dialer_gui.directories.vcards import BrokenCard, parse_card, tel_label


def read(text: str) -> object:
    return parse_card(text, uid="/u/c.vcf", source="office", normalise=lambda w: w[-4:])


def test_vcard_2_1_types_3_0_lists_and_4_0_tel_uris_all_give_labels() -> None:
    old = read("BEGIN:VCARD\r\nVERSION:2.1\r\nN:Doe;John\r\nTEL;WORK;VOICE:555 0100\r\n"
               "TEL;CELL:555 0101\r\nTEL;HOME;FAX:555 0102\r\nEND:VCARD\r\n")  # fmt: skip
    assert old.name == "John Doe"  # type: ignore[attr-defined]
    assert [(n.label, n.written) for n in old.numbers] == [  # type: ignore[attr-defined]
        ("work", "555 0100"), ("mobile", "555 0101"), ("fax", "555 0102")
    ]  # fmt: skip
    new = read('BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ana\r\nTEL;VALUE=uri;TYPE="voice,home":'
               "tel:+1-555-555-5555;ext=5\r\nORG:Acme;Sales\r\nEND:VCARD\r\n")  # fmt: skip
    assert new.organisation == "Acme, Sales"  # type: ignore[attr-defined]
    assert [(n.label, n.written, n.number) for n in new.numbers] == [  # type: ignore[attr-defined]
        ("home", "+1-555-555-5555;ext=5", "xt=5")
    ]
    assert tel_label({"pager"}) == "other" and tel_label({"iphone", "work"}) == "mobile"


def test_folded_lines_photos_and_control_characters() -> None:
    card = read("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jane\r\n  Doe\x1b[31m\u202e\r\n"
                "PHOTO;ENCODING=b;TYPE=JPEG:" + "QUFB" * 2000 + "\r\n"
                "TEL;TYPE=work:+1 212 555 0100\r\nEND:VCARD\r\n")  # fmt: skip
    assert card.name == "Jane Doe[31m"  # type: ignore[attr-defined]  # ESC and RLO dropped
    assert len(card.numbers) == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "text",
    ["", "garbage", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
     "BEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\n", "BEGIN:VCARD\r\nFN:x"],
)  # fmt: skip
def test_what_is_not_a_usable_card_is_a_broken_card(text: str) -> None:
    with pytest.raises(BrokenCard):
        read(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_no_card_text_raises_anything_but_broken_card(text: str) -> None:
    for wrapped in (text, f"BEGIN:VCARD\r\nVERSION:3.0\r\n{text}\r\nEND:VCARD\r\n"):
        with contextlib.suppress(BrokenCard):
            read(wrapped)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600) | st.text(max_size=600).map(str.encode))
def test_no_answer_body_raises_anything_but_a_directory_error(body: bytes) -> None:
    for wrapped in (body, b'<multistatus xmlns="DAV:"><response><href>' + body):
        with contextlib.suppress(DirectoryError):
            webdav.parse_multistatus(wrapped, "https://dav.example/", "office")


@given(st.text(max_size=60))
def test_an_escaped_value_has_no_filter_syntax_left(value: str) -> None:
    escaped = escape(value)
    assert not re.search(r"[()*\x00]", escaped)
    # Every backslash starts one of the four escapes RFC 4515 needs here.
    assert re.fullmatch(r"(?:[^\\]|\\(?:5c|2a|28|29|00))*", escaped)
