"""Property tests: parsers fail only with our own errors, quickly, and output only digits."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialer_gui.core.formatting import NumberFormat, format_dial_string
from dialer_gui.core.links import split_link, target_from_link
from dialer_gui.core.numbers import extract_numbers, parse_target
from dialer_gui.errors import DialerError, LinkError, NumberError
from dialer_gui.vocabulary.target import DialTarget

FUZZ = settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
TIME_LIMIT = 0.5

# Text that looks like numbers and links: digits in several scripts, separators, the
# invisible marks we strip, and the characters link parsing has to refuse.
_ALPHABET = st.sampled_from(
    [
        *"0123456789+-.() ;=?&#%@:/xX*",
        *("ext", "tel:", "sip:", "callto:", "phone-context=", "%0d", "%00", "%2B", "00", "011"),
        *("\u200e", "\u202e", "\u2066", "\u200b", "\u00a0", "\u202f", "٣", "０", "\r", "\n"),
    ]
)
phoneish = st.lists(_ALPHABET, max_size=40).map("".join)
any_text = st.one_of(st.text(max_size=300), phoneish)
_schemes = st.sampled_from(["tel:", "TEL:", "callto:", "callto://", "sip:", "sips:", ""])
# Mostly well-formed links with a random tail, so the accepting paths get exercised too.
_well_formed = st.builds(
    lambda scheme, plus, digits, tail: (
        scheme + plus + digits + ("@pbx" if scheme.startswith("sip") else "") + tail
    ),
    _schemes,
    st.sampled_from(["", "+"]),
    st.text(alphabet="0123456789-.", min_size=1, max_size=16),
    st.one_of(st.just(""), phoneish.map(lambda t: ";" + t)),
)
links = st.one_of(
    _well_formed,
    st.builds(
        lambda scheme, rest: scheme + rest, _schemes, st.one_of(phoneish, st.text(max_size=80))
    ),
)

_DIGITS_ONLY = re.compile(r"\+?[0-9]+")
_DIALABLE = re.compile(r"\+?[0-9*#]+")


def _timed(func: Callable[[], object]) -> object:
    start = time.perf_counter()
    try:
        return func()
    finally:
        assert time.perf_counter() - start < TIME_LIMIT


def _check_target(target: DialTarget) -> None:
    assert _DIGITS_ONLY.fullmatch(target.e164)
    assert target.digits.isdigit()
    if target.extension is not None:
        assert target.extension.isdigit()


@FUZZ
@given(any_text)
def test_parse_target_raises_only_number_error(text: str) -> None:
    try:
        target = _timed(lambda: parse_target(text))
    except NumberError as exc:
        assert str(exc)
    else:
        assert isinstance(target, DialTarget)
        _check_target(target)


@FUZZ
@given(st.one_of(any_text, st.lists(any_text, max_size=5).map(" or ".join)))
def test_extract_numbers_never_raises(text: str) -> None:
    found = _timed(lambda: extract_numbers(text))
    assert isinstance(found, list)
    for target in found:
        _check_target(target)
    assert len({t.e164 for t in found}) == len(found)


@FUZZ
@given(st.one_of(links, any_text))
def test_links_raise_only_link_error_and_give_digits(uri: str) -> None:
    try:
        target = _timed(lambda: target_from_link(uri))
    except LinkError as exc:
        assert isinstance(exc, DialerError)
        assert str(exc)
    else:
        assert isinstance(target, DialTarget)
        assert target.raw == uri
        _check_target(target)
        scheme, number, _params = split_link(uri)
        assert scheme in {"tel", "callto", "sip", "sips"}
        assert _DIGITS_ONLY.fullmatch(number)


@FUZZ
@given(links)
def test_accepted_links_hold_no_control_or_space(uri: str) -> None:
    try:
        split_link(uri)
    except LinkError:
        return
    assert uri.isascii()
    assert not any(c.isspace() or ord(c) < 0x20 or c in "?&#" for c in uri)
    assert not re.search(r"%(0[0-9a-fA-F]|1[0-9a-fA-F]|7[fF])", uri)


_targets = st.sampled_from(
    [
        "(201) 555-0123",
        "+49 30 1234567",
        "+27 82 000 1234",
        "+98 937 123 4567",
        "+39 06 1234 5678",
        "+1 201 555 0123 x89",
        "557",
        "0557",
    ]
).map(parse_target)
_rule_text = st.text(alphabet="0123456789+*#^$\\.()[]-|? a", max_size=8)


@FUZZ
@given(
    _targets,
    st.sampled_from(list(NumberFormat)),
    st.text(alphabet="0123456789*#9 ,", max_size=3),
    st.lists(st.tuples(_rule_text, _rule_text), max_size=3),
)
def test_formatting_gives_dialable_strings_or_value_error(
    target: DialTarget, fmt: NumberFormat, prefix: str, rules: list[tuple[str, str]]
) -> None:
    try:
        result = format_dial_string(target, fmt, outside_prefix=prefix, rules=rules)
    except ValueError as exc:
        assert str(exc)
        return
    assert _DIALABLE.fullmatch(result)
    if target.is_extension:
        assert result == target.e164
