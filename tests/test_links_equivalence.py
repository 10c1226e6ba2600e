"""The link parser without ``re`` takes apart and refuses every link as the one with ``re`` did.

``core/links.py`` dropped regular expressions and ``urllib.parse`` so that the process the OS
starts for each click imports neither. ``links_reference.py`` (tests/support) is the parser as
it was; every generated text must give both the same parts, or the same refusal in the same
words.
"""

from __future__ import annotations

from urllib.parse import unquote

import links_reference
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dialer_gui.core import links
from dialer_gui.errors import LinkError

MANY = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces links are made of, and the characters and escapes each check is about.
_TOKENS = [
    *"0123456789+-.() ;=@:/%[]_!~*'$?&#\"<>\\^`{|}abcdefxyzABCDEF",
    *("tel:", "TEL:", "sip:", "sips:", "callto:", "callto://", "tel://", "mailto:", "x-y.z+1:"),
    *(";ext=", ";phone-context=", ";user=phone", ";isub=", "@pbx", "@[2001:db8::1]", ":5060"),
    *("%2B", "%20", "%41", "%0d", "%0A", "%00", "%7f", "%C3%A9", "%e2%80%ae", "%ff", "%g1", "%4"),
    *("\x00", "\t", "\r\n", "\x7f", "\u00a0", "\u017f", "\u202e", "é", "٣", "０"),
    *("0" * 20, "1" * 33, "a" * 40, "-" * 3),
]
linkish = st.lists(st.sampled_from(_TOKENS), max_size=40).map("".join)


def _chars(alphabet: str, max_size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, max_size=max_size)


# Links built part by part: mostly well-formed parts, so that the later checks are reached,
# mixed with random ones whose lengths lie around the bounds the checks have.
def _part(valid: list[str], alphabet: str, max_size: int) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(valid), _chars(alphabet, max_size))


_user = _part(
    ["+12015550123", "+1-201-555-0123", "557", "%2B1201", "+1 (201)", ""], "+019-.() %2Bab:", 40
)
_host = st.one_of(
    st.sampled_from(["pbx", "pbx.example.com", "[2001:db8::1]", "192.168.1.10", "h-1.x"]),
    _chars("abcXYZ019.-_:", 70),
    st.builds(
        lambda inside, close: f"[{inside}{close}",
        _chars("09afAF:.x]", 50),
        st.sampled_from(["]", ""]),
    ),
)
_port = st.one_of(st.just(""), _chars("0123456789", 7).map(lambda p: ":" + p))
_param = st.builds(
    lambda name, eq, value: f";{name}{eq}{value}",
    _part(["ext", "EXT", "phone-context", "user", "isub", "transport"], "abcEXT019-_!", 34),
    st.sampled_from(["=", "=", "", "=="]),
    _part(
        ["+1-914-555", "+1 914", "example.com", "89", "8-9", "phone", "%41b", "+", "-x.y"],
        "abc019-_.!~*'()[]/:+$ %2041C3A9=&",
        70,
    ),
)
structured = st.builds(
    lambda scheme, user, at, host, port, params: scheme + user + at + host + port + "".join(params),
    st.sampled_from(["tel:", "sip:", "sips:", "callto:", "callto://", "Tel:", "tel://"]),
    _user,
    st.sampled_from(["@", "@", "", "@@"]),
    _host,
    _port,
    st.lists(_param, max_size=18),
)
# tel: and callto: links have no host.
structured_tel = st.builds(
    lambda scheme, user, params: scheme + user + "".join(params),
    st.sampled_from(["tel:", "TEL:", "callto:", "callto://", "tel://"]),
    _user,
    st.lists(_param, max_size=18),
)
texts = st.one_of(linkish, structured, structured_tel, st.text(max_size=300))


def outcome(split: object, text: str) -> tuple[str, object]:
    """What a parser makes of ``text``: its parts, or the sentence it refuses it with."""
    try:
        return ("parts", split(text))  # type: ignore[operator]
    except LinkError as exc:
        return ("refused", str(exc))


@MANY
@given(texts)
@example("sip:+12015550123@[2001:db8::1]:5061;user=phone")
@example("tel:+1%2d201;phone-context=+1-(914)")
@example("sip:1@a" + "b" * 252)
@example("sip:1@a" + "b" * 253)
@example("sip:1@[::]:123456")
@example("tel:1;" + ";".join(f"p{i}" for i in range(17)))
@example("ſip:1@pbx")
@example("sip:1@[:]")
@example("sip:1@[]")
@example("sip:1@[::]")
@example("sip:1@h:")
@example("sip:1@h:65536")
@example("tel:1;a=" + "b" * 64)
@example("tel:1;a=" + "b" * 65)
@example("tel:1;" + "n" * 33 + "=1")
def test_the_parser_without_re_agrees_with_the_one_with_re(text: str) -> None:
    assert outcome(links.split_link, text) == outcome(links_reference.split_link, text)
    assert links.looks_like_link(text) is links_reference.looks_like_link(text)


@MANY
@given(st.lists(st.sampled_from([*"ab+%;0123456789AFaf", "%C3", "%A9", "%ff", "%e2"])).map("".join))
def test_percent_decoding_is_unquote(text: str) -> None:
    try:
        expected: object = unquote(text, errors="strict")
    except UnicodeDecodeError:
        expected = UnicodeDecodeError
    try:
        got: object = links._unquote(text)
    except UnicodeDecodeError:
        got = UnicodeDecodeError
    assert got == expected


# Every character in every place a character class decides: all of ASCII, a few others, and
# every byte percent-encoded.
_TEMPLATES = [
    "{c}tel:1", "t{c}l:1", "x{c}:1", "tel:{c}1", "tel:+1201{c}555", "tel:+{c}", "callto:{c}55",
    "tel:1;ext=1{c}2", "tel:1;a={c}", "tel:1;a=b{c}c", "tel:1;n{c}=1", "tel:1;{c}",
    "tel:1;phone-context=+1{c}2", "tel:1;phone-context={c}+12", "tel:1;phone-context=a{c}b",
    "tel:1;phone-context={c}ab", "sip:1{c}@h", "sip:1@h{c}", "sip:1@{c}h", "sip:1@h:5{c}",
    "sip:1@[::{c}]", "sip:1@[{c}]", "sip:1@[::]{c}", "sip:1@h;{c}", "tel:1%{c}1", "tel:1%2{c}",
    "tel:1%{c}", "tel:%2{c}1",
]  # fmt: skip
_CHARS = [chr(c) for c in range(128)] + ["\u00a0", "\u017f", "\u0131", "\u212a", "é", "٣"]
# ... and percent-encoded: what decoding lets into numbers and parameter values.
_CHARS += [f"%{byte:02X}" for byte in range(256)] + ["%c3%a9", "%E2%80%AE", "%2b"]


@pytest.mark.parametrize("template", _TEMPLATES)
def test_every_character_in_every_place(template: str) -> None:
    for char in _CHARS:
        text = template.replace("{c}", char)
        assert outcome(links.split_link, text) == outcome(links_reference.split_link, text), text


@pytest.mark.parametrize(
    "uri",
    ["tel:+1-201-555-0123;ext=89", "sip:+1%2D201@pbx.example.com:5061", "callto://+44 20"],
)
def test_a_few_links_by_hand(uri: str) -> None:
    assert outcome(links.split_link, uri) == outcome(links_reference.split_link, uri)
