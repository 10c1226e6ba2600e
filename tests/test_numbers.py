"""Reading numbers and extensions from what people type, paste and copy."""

from __future__ import annotations

import time

import pytest

from dialer_gui.core.numbers import (
    MAX_NUMBERS,
    MAX_TEXT,
    clean_text,
    extract_numbers,
    number_type,
    parse_target,
    target_from_digits,
)
from dialer_gui.errors import NumberError
from dialer_gui.vocabulary.target import DialTarget, TargetKind


@pytest.mark.parametrize(
    ("text", "region", "e164", "number_region"),
    [
        ("(201) 555-0123", "US", "+12015550123", "US"),
        ("201.555.0123", "US", "+12015550123", "US"),
        ("+1 201 555 0123", "DE", "+12015550123", "US"),
        ("Tel.: +49 (0)30 1234567", "US", "+49301234567", "DE"),
        ("030/1234567", "DE", "+49301234567", "DE"),
        ("0027 82 000 1234", "ZA", "+27820001234", "ZA"),
        # 00 is not the US exit code, but no US number starts with 0: read it as one.
        ("0027 82 000 1234", "US", "+27820001234", "ZA"),
        ("011 44 20 7946 0958", "US", "+442079460958", "GB"),
        ("082 000 1234", "ZA", "+27820001234", "ZA"),
        ("09371234567", "IR", "+989371234567", "IR"),
        ("1-800-FLOWERS", "US", "+18003569377", "US"),
        ("+1 555 123 4567", "US", "+15551234567", "US"),  # fictional range, possible length
        ("+800 1234 5678", "US", "+80012345678", "001"),
        # Labels.
        ("Phone: 201-555-0123", "US", "+12015550123", "US"),
        ("Mobil: 0171 1234567", "DE", "+491711234567", "DE"),
        ("Tel +44 20 7946 0958", "US", "+442079460958", "GB"),
        ("Tel.+44 20 7946 0958", "US", "+442079460958", "GB"),
        ("Direct line: +44 20 7946 0958", "US", "+442079460958", "GB"),
        # Unicode noise.
        ("０１７１ １２３４５６７", "DE", "+491711234567", "DE"),
        ("＋４９ ３０ １２３４５６７", "US", "+49301234567", "DE"),
        ("٠١٧١ ١٢٣٤٥٦٧", "DE", "+491711234567", "DE"),
        ("۰۹۳۷۱۲۳۴۵۶۷", "IR", "+989371234567", "IR"),  # Extended Arabic-Indic (Persian)
        ("\u200e+49 30 1234567\u200f", "US", "+49301234567", "DE"),
        ("\u202a+49 30 1234567\u202c", "US", "+49301234567", "DE"),
        ("\u2066+49\u2069 \u2067030\u2069 1234567", "DE", "+49301234567", "DE"),
        ("+49\u200b30\u200d1234567\ufeff", "US", "+49301234567", "DE"),
        ("+49\u00a030\u202f1234567", "US", "+49301234567", "DE"),
        ("+49\u201330\u20121234567", "US", "+49301234567", "DE"),  # en dash, figure dash
        ("  (201) 555-0123\n", "US", "+12015550123", "US"),
        # One number inside a sentence.
        ("call 201-555-0123 after 5 pm", "US", "+12015550123", "US"),
        ("Please call me back at +44 20 7946 0958 tomorrow at 10", "US", "+442079460958", "GB"),
        ("Rückruf bitte: 030 1234567, danke", "DE", "+49301234567", "DE"),
    ],
)
def test_parse_external(text: str, region: str, e164: str, number_region: str) -> None:
    target = parse_target(text, region=region)
    assert target.kind is TargetKind.EXTERNAL
    assert target.e164 == e164
    assert target.region == number_region
    assert target.raw == text
    assert target.extension is None


def test_display_is_international_format() -> None:
    assert parse_target("(201) 555-0123").display == "+1 201-555-0123"
    assert parse_target("030 1234567", region="DE").display == "+49 30 1234567"


@pytest.mark.parametrize(
    "text",
    [
        "+1 201 555 0123 x89",
        "+1 201 555 0123 ext. 89",
        "(201) 555-0123 ext 89",
        "+12015550123;ext=89",
    ],
)
def test_extension_behind_a_number_is_kept(text: str) -> None:
    target = parse_target(text)
    assert target.e164 == "+12015550123"
    assert target.extension == "89"
    assert target.kind is TargetKind.EXTERNAL


@pytest.mark.parametrize(
    ("text", "lengths", "digits"),
    [
        ("557", (2, 6), "557"),
        ("12", (2, 6), "12"),
        ("123456", (2, 6), "123456"),
        (" 0557 ", (2, 6), "0557"),  # leading zero kept: extensions are sent as they are
        ("x557", (2, 6), "557"),
        ("ext. 557", (2, 6), "557"),
        ("Tel.: 557", (2, 6), "557"),
        ("５５７", (2, 6), "557"),
        ("12345678", (2, 8), "12345678"),
    ],
)
def test_short_digit_runs_are_extensions(text: str, lengths: tuple[int, int], digits: str) -> None:
    target = parse_target(text, extension_lengths=lengths)
    assert target == DialTarget(TargetKind.EXTENSION, digits, digits, raw=text)
    assert target.is_extension
    assert target.region is None


def test_extension_lengths_bound_what_counts_as_extension() -> None:
    with pytest.raises(NumberError):
        parse_target("557", extension_lengths=(4, 5))
    assert parse_target("5570", extension_lengths=(4, 5)).is_extension


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "no number"),
        ("   \u200e\u00a0", "no number"),
        ("Call me maybe", "no digits"),
        ("FLOWERS", "no digits"),
        ("1" * 40, "too many digits"),
        ("+1 " + "2" * 300, "too long"),
        ("201-555-0123, 201-555-0124", "more than one number"),
        ("201-555-0123 or 201-555-0124", "more than one number"),
        ("+1 201 555 0123 +1 201 555 0124", "more than one number"),
        ("+44 20 7946 0958\n+49 30 1234567", "more than one number"),
        ("557, 558", "more than one number"),
        ("+1 012 345 6789", "not a valid phone number"),
        ("+999 1234 5678", "country code"),
        ("+999 201 555 0123", "country code"),  # no guessing a US number out of it
        ("9 201 555 0123 7", "not a valid"),
        ("1234567", "not a valid"),  # a US local number without area code
        ("+", "no digits"),
        ("5", "phone number"),
        ("#?!", "no digits"),
    ],
)
def test_parse_failures_are_number_errors(text: str, fragment: str) -> None:
    with pytest.raises(NumberError) as info:
        parse_target(text)
    message = str(info.value)
    assert fragment in message
    assert message.endswith(".")


def test_clean_text_maps_digits_and_removes_invisible_marks() -> None:
    assert clean_text("０１２") == "012"
    assert clean_text("٠١٢٣") == "0123"
    assert clean_text("۴۵") == "45"
    assert clean_text("१२३") == "123"  # Devanagari
    assert clean_text("a\u200eb\u200fc\u202ad\u202ee\u2066f\u2069g") == "abcdefg"
    assert clean_text("1\u200b2\u200c3\u200d4\u2060\ufeff") == "1234"
    assert clean_text("1\u00a02\u202f3\u30004") == "1 2 3 4"
    assert clean_text("1\x002\x7f3\n4\t5") == "1 2 3\n4\t5"
    assert clean_text("（２０１）－５５５") == "(201)-555"
    assert clean_text("plain ascii 123") == "plain ascii 123"
    assert clean_text("Grüße") == "Grüße"


def test_extract_numbers_in_order_without_duplicates() -> None:
    text = (
        "Order 12345678 shipped on 2023-10-05 at 10:30.\n"
        "Call +1 201 555 0123 or (201) 555-0124, again +1 (201) 555-0123.\n"
        "Berlin office: Tel.: +49 (0)30 1234567"
    )
    found = extract_numbers(text)
    assert [t.e164 for t in found] == ["+12015550123", "+12015550124", "+49301234567"]
    assert found[1].raw == "(201) 555-0124"


def test_extract_numbers_cleans_unicode_first() -> None:
    found = extract_numbers("Tel: ＋４９\u00a0３０\u200e １２３４５６７ thanks", region="US")
    assert [t.e164 for t in found] == ["+49301234567"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("557", ["557"]),
        ("  557\n", ["557"]),
        ("room 557", []),
        ("no numbers here", []),
        ("", []),
    ],
)
def test_extract_lone_extension_only_when_alone(text: str, expected: list[str]) -> None:
    assert [t.e164 for t in extract_numbers(text)] == expected


def test_extract_lone_extension_respects_lengths() -> None:
    assert extract_numbers("5570", extension_lengths=(2, 3)) == []
    assert [t.e164 for t in extract_numbers("5570", extension_lengths=(4, 4))] == ["5570"]


def test_extract_numbers_caps_results() -> None:
    text = " ".join(f"+1 201 555 {n:04d}," for n in range(200))
    found = extract_numbers(text)
    assert len(found) == MAX_NUMBERS
    assert found[0].e164 == "+12015550000"


def test_extract_numbers_ignores_text_beyond_the_cap() -> None:
    text = "x" * MAX_TEXT + " +1 201 555 0123"
    assert extract_numbers(text) == []
    assert [t.e164 for t in extract_numbers(text[-MAX_TEXT:])] == ["+12015550123"]


@pytest.mark.parametrize(
    ("unit", "repeat"),
    [
        ("+1 201 555 0123 ", 70_000),  # about 1 MB of one number
        ("1 2 3 4 5 6 7 ", 3_600_000),  # about 50 MB of digits that never form a number
        ("\u200e٠", 500_000),  # 1 MB of marks and Arabic-Indic zeros
    ],
    ids=["1MB-numbers", "50MB-digits", "1MB-unicode"],
)
def test_huge_paste_returns_quickly(unit: str, repeat: int) -> None:
    payload = unit * repeat  # built here, not at collection, so it is freed after the test
    start = time.perf_counter()
    extract_numbers(payload)
    assert time.perf_counter() - start < 3.0


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("+1 900 555 0199", "premium_rate"),
        ("1-800-FLOWERS", "toll_free"),
        ("+49 171 1234567", "mobile"),
        ("+49 30 1234567", "fixed_line"),
        ("(201) 555-0123", "fixed_line_or_mobile"),
        ("+1 555 123 4567", "unknown"),
        ("557", "extension"),
    ],
)
def test_number_type(text: str, kind: str) -> None:
    assert number_type(parse_target(text)) == kind


def test_number_type_of_a_hand_made_target_is_unknown() -> None:
    target = DialTarget(TargetKind.EXTERNAL, e164="garbage", display="garbage")
    assert number_type(target) == "unknown"


def test_target_from_digits() -> None:
    target = target_from_digits("+12015550123", extension="89", raw="tel:x")
    assert (target.e164, target.extension, target.raw) == ("+12015550123", "89", "tel:x")
    assert target_from_digits("557").is_extension
    assert target_from_digits("0820001234", region="ZA").e164 == "+27820001234"
    with pytest.raises(NumberError):
        target_from_digits("+1012")
