"""tel:, callto: and sip: links: what we dial and what we refuse."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dialer_gui.core.links import (
    MAX_LINK,
    looks_like_link,
    split_link,
    target_from_link,
)
from dialer_gui.errors import InputError, LinkError
from dialer_gui.vocabulary.target import TargetKind


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tel:+12015550123", True),
        ("TEL:+12015550123", True),
        ("Callto:+12015550123", True),
        ("sip:1234@pbx", True),
        ("SIPS:1234@pbx", True),
        ("  tel:557", True),
        ("mailto:a@b", False),
        ("https://example.com/tel:1", False),
        ("telephone: 555", False),
        ("+12015550123", False),
        ("", False),
    ],
)
def test_looks_like_link(text: str, expected: bool) -> None:
    assert looks_like_link(text) is expected


@pytest.mark.parametrize(
    ("uri", "e164", "extension"),
    [
        ("tel:+12015550123", "+12015550123", None),
        ("tel:+1-201-555-0123", "+12015550123", None),
        ("tel:+1.201.555.0123", "+12015550123", None),
        ("tel:+1(201)555-0123", "+12015550123", None),
        ("TEL:+1-201-555-0123", "+12015550123", None),
        ("tel://+12015550123", "+12015550123", None),
        ("tel:%2B1%20201%20555%200123", "+12015550123", None),
        ("tel:+1-201-555-0123;ext=89", "+12015550123", "89"),
        ("tel:+1-201-555-0123;EXT=8-9", "+12015550123", "89"),
        ("tel:+1-201-555-0123;isub=1411", "+12015550123", None),
        ("tel:+1-201-555-0123;foo=bar", "+12015550123", None),
        ("tel:+1-201-555-0123;flag", "+12015550123", None),
        ("tel:+49-30-1234567;phone-context=+1", "+49301234567", None),  # global wins
        ("tel:7042;phone-context=+1-914-555", "+19145557042", None),
        ("tel:2015550123;phone-context=example.com", "+12015550123", None),
        ("tel:(201)555-0123", "+12015550123", None),  # no context: national
        ("tel:0027820001234", "+27820001234", None),
        ("tel:011-44-20-7946-0958", "+442079460958", None),
        ("callto:+12015550123", "+12015550123", None),
        ("callto://+12015550123", "+12015550123", None),
        ("callto:+15551234567", "+15551234567", None),
        ("sip:+15551234567@example.com;user=phone", "+15551234567", None),
        ("sips:+15551234567@example.com;user=phone", "+15551234567", None),
        ("sip:+1-201-555-0123;ext=89@pbx.example.com:5061;user=phone", "+12015550123", "89"),
        ("sip:+12015550123@[2001:db8::1]", "+12015550123", None),
    ],
)
def test_external_links(uri: str, e164: str, extension: str | None) -> None:
    target = target_from_link(uri)
    assert target.kind is TargetKind.EXTERNAL
    assert target.e164 == e164
    assert target.extension == extension
    assert target.raw == uri


@pytest.mark.parametrize(
    ("uri", "digits"),
    [
        ("tel:557", "557"),
        ("tel:557;phone-context=example.com", "557"),
        ("callto:557", "557"),
        ("sip:1234@pbx", "1234"),
        ("sip:0557@192.168.1.10:5060", "0557"),
    ],
)
def test_extension_links(uri: str, digits: str) -> None:
    target = target_from_link(uri)
    assert target.is_extension
    assert target.e164 == digits
    assert target.raw == uri


def test_link_region_applies_to_local_numbers() -> None:
    assert target_from_link("tel:0820001234", region="ZA").e164 == "+27820001234"
    assert target_from_link("tel:5570", extension_lengths=(3, 4)).is_extension


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("tel:+1-201-555-0123", ("tel", "+12015550123", {})),
        ("TEL:+1-201-555-0123;EXT=89", ("tel", "+12015550123", {"ext": "89"})),
        (
            "tel:7042;phone-context=+1-914-555",
            ("tel", "7042", {"phone-context": "+1-914-555"}),
        ),
        ("tel:+1201;isub=%41b", ("tel", "+1201", {"isub": "Ab"})),
        ("callto://+1201", ("callto", "+1201", {})),
        ("sip:1234@pbx;transport=udp", ("sip", "1234", {"transport": "udp"})),
        ("sips:+1-201@h;user=phone", ("sips", "+1201", {"user": "phone"})),
    ],
)
def test_split_link(uri: str, expected: tuple[str, str, dict[str, str]]) -> None:
    assert split_link(uri) == expected


@pytest.mark.parametrize(
    ("uri", "fragment"),
    [
        # Not ours.
        ("mailto:alice@example.com", "Only tel:, callto: and sip:"),
        ("http://evil.example/", "Only tel:, callto: and sip:"),
        ("javascript:alert(1)", "Only tel:, callto: and sip:"),
        ("+12015550123", "scheme"),
        ("", "scheme"),
        # Not a number.
        ("tel:", "no number"),
        ("tel:;ext=1", "no number"),
        ("tel:+", "not a phone number"),
        ("tel:abc", "not a phone number"),
        ("tel:+1-201-555-0123x", "not a phone number"),
        ("tel:+1+201", "not a phone number"),
        ("callto:echo123", "names a user"),
        ("callto://live:alice", "names a user"),
        ("sip:alice@example.com", "not a phone number"),
        ("sip:+15551234567", "needs a number and a host"),
        ("sip:1@2@host", "needs a number and a host"),
        ("sip:bob:secret@pbx", "password"),
        ("sip:1234@bad_host!", "host"),
        ("tel:+1-012-345-6789", "cannot be dialled"),
        ("tel:12;phone-context=+1-914-555", "cannot be dialled"),
        # Hostile.
        ("tel:+1555?x=y", "query"),
        ("sip:1234@pbx?subject=hi", "query"),
        ("tel:+12015550123;ext=1&method=dial", "'&'"),
        ("tel:+12015550123&method=dial", "'&'"),
        ("tel:+12015550123#frag", "'#'"),
        ("tel:+12015550123=1", "not a phone number"),
        ("tel:+12015550123;ext=1=2", "malformed value"),
        ("tel:+12015550123;=1", "malformed parameter"),
        ("tel:+12015550123;ext=", "malformed value"),
        ("tel:+12015550123;;", "malformed parameter"),
        ("tel:+12015550123;ext=1;EXT=2", "twice"),
        ("tel:+12015550123;a=%3Bb", "not allowed"),
        ("tel:+12015550123;ext=%26x", "not allowed"),
        ("tel:+12015550123;phone-context=bad_context!", "phone-context"),
        ("tel:1234;phone-context=+--", "phone-context"),
        ("tel:+12015550123\r\n", "control characters"),
        ("tel:+12015550123\x00", "control characters"),
        ("tel:+1201\t5550123", "control characters"),
        ("tel:+1201 5550123", "spaces"),
        (" tel:+12015550123", "spaces"),
        ("tel:+12015550123%0d%0aX-Injected:1", "control characters"),
        ("tel:+12015550123%00", "control characters"),
        ("tel:%E2%80%8E+12015550123", "control characters"),
        ("tel:+1201555%zz", "percent-encoding"),
        ("tel:+1201555%4", "percent-encoding"),
        ("tel:%ff%fe", "percent-encoding"),
        ("tel:+１２０１", "not allowed"),
        ("-tel:+12015550123", "option"),
        ("--help", "option"),
        ("tel:" + "1" * 40, "more than 32 digits"),
        ("tel:1234;phone-context=+" + "9" * 30, "more than 32 digits"),
        ("tel:+1" + "-" * MAX_LINK, "too long"),
        ("tel:+1;" + ";".join(f"p{i}=1" for i in range(20)), "too many parameters"),
    ],
)
def test_bad_links_are_refused(uri: str, fragment: str) -> None:
    with pytest.raises(LinkError) as info:
        target_from_link(uri)
    assert fragment in str(info.value)
    assert isinstance(info.value, InputError)


def test_split_link_refuses_what_target_from_link_refuses() -> None:
    with pytest.raises(LinkError):
        split_link("tel:+1555?x=y")
    with pytest.raises(LinkError):
        split_link(b"tel:+1555")  # type: ignore[arg-type]


def test_split_link_does_not_load_phonenumbers() -> None:
    # Fresh interpreter: the IPC sender pre-validates links without the heavy import.
    code = (
        "import sys\n"
        "from dialer_gui.core.links import split_link\n"
        "split_link('tel:+1-201-555-0123;ext=89')\n"
        "print('phonenumbers' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert result.stdout.strip() == "False"
