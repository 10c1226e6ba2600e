"""Dial strings per provider profile: formats, rules, outside-line prefix."""

from __future__ import annotations

import re

import pytest

from dialer_gui.core.formatting import (
    NumberFormat,
    explain_format,
    format_dial_string,
)
from dialer_gui.core.numbers import parse_target
from dialer_gui.providers import PROVIDERS, provider_class
from dialer_gui.providers.common import NUMBER_FORMATS
from dialer_gui.vocabulary.target import DialTarget, TargetKind

US = parse_target("(201) 555-0123")
DE = parse_target("+49 30 1234567")
ZA = parse_target("+27 82 000 1234")
IR = parse_target("+98 937 123 4567")
IT = parse_target("+39 06 1234 5678")  # Italian numbers keep their leading 0
WITH_EXT = parse_target("+1 201 555 0123 x89")
EXTENSION = parse_target("0557")


def test_formats_match_the_provider_field_choices() -> None:
    assert tuple(f.value for f in NumberFormat) == NUMBER_FORMATS


@pytest.mark.parametrize(
    ("target", "fmt", "expected"),
    [
        (US, NumberFormat.E164, "+12015550123"),
        (US, NumberFormat.E164_NO_PLUS, "12015550123"),
        (US, NumberFormat.NATIONAL, "2015550123"),
        (US, NumberFormat.INTL_00, "0012015550123"),
        (US, NumberFormat.INTL_011, "01112015550123"),
        (US, NumberFormat.DIGITS, "2015550123"),
        (DE, NumberFormat.E164, "+49301234567"),
        (DE, NumberFormat.E164_NO_PLUS, "49301234567"),
        (DE, NumberFormat.NATIONAL, "0301234567"),
        (DE, NumberFormat.INTL_00, "0049301234567"),
        (DE, NumberFormat.INTL_011, "01149301234567"),
        (DE, NumberFormat.DIGITS, "301234567"),
        (ZA, NumberFormat.NATIONAL, "0820001234"),
        (IR, NumberFormat.NATIONAL, "09371234567"),
        (IT, NumberFormat.NATIONAL, "0612345678"),
        (IT, NumberFormat.DIGITS, "0612345678"),
        (WITH_EXT, NumberFormat.NATIONAL, "2015550123"),  # x89 is not dialled
        (WITH_EXT, NumberFormat.E164, "+12015550123"),
        (US, "e164_no_plus", "12015550123"),  # plain strings from the config work too
    ],
)
def test_number_formats(target: DialTarget, fmt: NumberFormat | str, expected: str) -> None:
    assert format_dial_string(target, fmt) == expected


@pytest.mark.parametrize("fmt", list(NumberFormat))
def test_extensions_are_never_prefixed_or_rewritten(fmt: NumberFormat) -> None:
    result = format_dial_string(EXTENSION, fmt, outside_prefix="9", rules=[("^0", "")])
    assert result == "0557"
    assert explain_format(EXTENSION, fmt, outside_prefix="9") == [
        ("extension, dialled as typed", "0557")
    ]


def test_outside_prefix_goes_in_front_after_rules() -> None:
    rules = [(r"^0", "")]
    assert format_dial_string(DE, "national", outside_prefix="9", rules=rules) == "9301234567"
    assert format_dial_string(US, "intl_011", outside_prefix="9") == "901112015550123"


def test_rules_apply_in_order_and_accept_lists() -> None:
    rules = [["^1", "+1"], [r"^\+1201", "*201"]]
    assert format_dial_string(US, "e164_no_plus", rules=rules) == "*2015550123"
    # A rule that does not match leaves the number alone.
    assert format_dial_string(US, "e164", rules=[("^44", "0")]) == "+12015550123"


def test_rule_with_a_future_warning_pattern_works_the_same_every_time() -> None:
    # "[[1]" makes Python warn about nested sets; with warnings as errors this would fail.
    for _ in range(2):
        assert format_dial_string(US, "e164_no_plus", rules=[("[[1]", "")]) == "20555023"


def test_explain_format_lists_each_step() -> None:
    steps = explain_format(DE, "national", outside_prefix="9", rules=[("^0", ""), ("$", "#")])
    assert steps == [
        ("format national", "0301234567"),
        ("rule 1: ^0 -> ", "301234567"),
        ("rule 2: $ -> #", "301234567#"),
        ("outside-line prefix 9", "9301234567#"),
    ]
    assert (
        format_dial_string(DE, "national", outside_prefix="9", rules=[("^0", ""), ("$", "#")])
        == (steps[-1][1])
    )


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"fmt": "pretty"}, "Unknown number format 'pretty'"),
        ({"rules": [("(", "")]}, "Rewrite rule 1 has an invalid regular expression"),
        ({"rules": [("^1", "1"), ("[", "")]}, "Rewrite rule 2"),
        ({"rules": [("^1", r"\9")]}, "Rewrite rule 1 has an invalid replacement"),
        ({"rules": [(".*", "")]}, "Rewrite rule 1"),  # empty result
        ({"rules": [("^1", "1 ")]}, "cannot be dialled"),
        ({"rules": [("$", "-")]}, "cannot be dialled"),
        ({"rules": [("^", "9+")]}, "cannot be dialled"),  # + only at the start
        ({"rules": [["^1"]]}, "must be a pair"),
        ({"rules": [("^1", "1", "2")]}, "must be a pair"),
        ({"outside_prefix": "9 "}, "outside-line prefix"),
        ({"outside_prefix": "9,"}, "outside-line prefix"),
        ({"fmt": "e164", "outside_prefix": "9"}, "starts with +"),
    ],
)
def test_bad_settings_raise_value_error(kwargs: dict[str, object], fragment: str) -> None:
    call: dict[str, object] = {"fmt": "e164_no_plus", **kwargs}
    with pytest.raises(ValueError, match=re.escape(fragment)):
        format_dial_string(US, **call)  # type: ignore[arg-type]


# Each provider's default format, checked against the number rule its documentation gives.
PROVIDER_RULES = {
    # Teleforge callee: 0 + 9 digits, 27 + 9 digits, or 00 + 11-14 digits.
    "teleforge": (ZA, r"^(0\d{9}|27\d{9}|00\d{11,14})$"),
    # Fonality: "15551231234".
    "fonality": (US, r"^1\d{10}$"),
    # Simotel: Iranian national numbers such as 09371234567.
    "simotel": (IR, r"^0\d{10}$"),
    # MOR: international digits such as 37060000001.
    "mor": (parse_target("+37060000001"), r"^[1-9]\d{7,14}$"),
    # Enswitch: any dialable destination; full international digits.
    "enswitch": (DE, r"^[1-9]\d{7,14}$"),
    # Webhook: standard E.164.
    "webhook": (US, r"^\+[1-9]\d{7,14}$"),
}


@pytest.mark.parametrize("provider", sorted(PROVIDER_RULES))
def test_default_format_satisfies_provider_rule(provider: str) -> None:
    target, rule = PROVIDER_RULES[provider]
    fmt = provider_class(provider).default_number_format
    assert re.fullmatch(rule, format_dial_string(target, fmt))


def test_every_provider_type_is_covered() -> None:
    assert set(PROVIDERS) == set(PROVIDER_RULES)


def test_teleforge_national_and_00_forms_also_pass_its_regex() -> None:
    rule = re.compile(r"^(0\d{9}|27\d{9}|00\d{11,14})$")
    assert rule.fullmatch(format_dial_string(ZA, "national"))
    assert rule.fullmatch(format_dial_string(ZA, "intl_00"))


def test_hand_made_extension_target() -> None:
    target = DialTarget(TargetKind.EXTENSION, e164="12", display="12")
    assert format_dial_string(target, "e164") == "12"


@pytest.mark.parametrize(
    ("number", "home", "dialled"),
    [
        ("+98 937 123 4567", "IR", "09371234567"),  # Simotel's documented local form
        ("+1 201 555 0123", "IR", "0012015550123"),  # abroad from Iran: IDD 00
        ("+49 30 1234567", "US", "01149301234567"),  # abroad from the US: IDD 011
        ("+49 30 1234567", "DE", "0301234567"),
    ],
)
def test_local_format_dials_as_a_desk_phone_in_your_country_would(
    number: str, home: str, dialled: str
) -> None:
    target = parse_target(number)
    assert format_dial_string(target, NumberFormat.LOCAL, region=home) == dialled
    steps = explain_format(target, "local", region=home)
    assert steps[0] == ("format local", dialled)
