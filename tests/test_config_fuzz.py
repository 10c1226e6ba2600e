"""Property tests: any text gives a Config or a ConfigError, fast; the TOML writer round-trips."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dialer_gui.core import tomledit, tomllines
from dialer_gui.core.config import Config, dump_config, parse_config
from dialer_gui.errors import ConfigError

# The deadline is the "bounded time" part: no input may make the loader crawl.
FUZZ = settings(
    max_examples=150,
    deadline=2000,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PATH = Path("config.toml")


def load_or_error(text: str) -> Config | None:
    """Parse; a ConfigError is fine (and must name the file), anything else fails the test."""
    try:
        return parse_config(text, PATH)
    except ConfigError as exc:
        assert str(exc).startswith("config.toml")
        return None


@FUZZ
@given(st.text())
@example("a=" + "[" * 5000)
@example("a=" + "[" * 50_000 + "]" * 50_000)
@example("[" + "a." * 20_000 + "a]")
@example("x." * 20_000 + "y = 1")
@example('[general]\nregion = "\x00"')
@example("version = 99999999999999999999")
@example("[[general]]\nregion = 1")
@example("[providers]\nfake = []")
@example('[[routes]]\n[[routes.x]]\nmatch = "*"')
def test_any_text_gives_config_or_config_error(fake_provider_type: str, text: str) -> None:
    load_or_error(text)


# Documents built from the real key names, so the validation paths (not just the TOML parser)
# get exercised.
scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.sampled_from(["US", "DE", "office", "fake", "*", "extension", "country:GB", "+1900"]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
# Each key gets a plausible value half the time and an arbitrary one otherwise.
GOOD_GENERAL: dict[str, list[Any]] = {
    "region": ["US", "DE", "GB"],
    "default_provider": ["", "office"],
    "extension_lengths": [[2, 6], [3, 4]],
    "confirm_links": [True, False],
    "confirm_countdown": [0, 5],
    "always_confirm_types": [["premium_rate"], []],
    "blocked_prefixes": [["+1900"], []],
    "duplicate_window": [0, 2.5],
    "link_rate_limit": [0, 10],
    "bogus": [1],
}
GOOD_PROFILE: dict[str, list[Any]] = {
    "caller": ["557"],
    "password": ["hunter2"],
    "mode": ["a", "b"],
    "retries": [0, 3],
    "debug": [True],
    "headers": [{"X-A": "1"}, {}],
    "timeout": [5, 2.5],
    "rewrite": [[["^9", ""]], []],
    "number_format": ["e164", "national"],
    "verify_tls": [False],
    "nope": [1],
}


def plausible(good: dict[str, list[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {},
        optional={k: st.sampled_from(v) | values for k, v in good.items()},
    )


profiles = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["fake", "fake", "fake", "simotel-not", 3]),
        "url": st.sampled_from(["https://pbx.example.com", "http://10.0.0.1:8080/x", "nope"]),
    },
    optional={k: st.sampled_from(v) for k, v in GOOD_PROFILE.items()},
) | plausible(GOOD_PROFILE)
documents = st.fixed_dictionaries(
    {},
    optional={
        "version": st.sampled_from([1, 1, 1, 1, 2, 0, "1"]),
        "general": plausible(GOOD_GENERAL),
        "providers": st.dictionaries(
            st.sampled_from(["office", "office", "home", "bad name"]), profiles, max_size=2
        ),
        "routes": st.lists(
            st.fixed_dictionaries(
                {
                    "match": st.sampled_from(["*", "extension", "country:GB", "prefix:+44"])
                    | values,
                    "provider": st.sampled_from(["office", "office", "home", 1]),
                }
            ),
            max_size=2,
        ),
    },
)


@FUZZ
@given(documents)
def test_structured_documents_load_or_fail_plainly_and_round_trip(
    fake_provider_type: str, data: dict[str, Any]
) -> None:
    config = load_or_error(tomledit.update("", data))
    if config is not None:
        again = parse_config(dump_config(config), PATH)
        assert again == config


toml_keys = st.text(max_size=8)
toml_scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.text(),
)
toml_values = st.recursive(
    toml_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(toml_keys, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(toml_keys, toml_values, max_size=5))
@example({"a": [{"b": {"c": 1}}, {}], "d": {"e": [{"f": []}]}, "": {"": {}}})
@example({"x": float("inf"), "y": -0.0, "z": 'tab\there "quoted" \\ \x7f \x01 ünï'})
def test_toml_writer_round_trips(data: dict[str, Any]) -> None:
    text = tomledit.update("", data, header="a header\n\nwith a blank line")
    assert tomllib.loads(text) == data


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(toml_keys, toml_values, max_size=5),
    st.dictionaries(toml_keys, toml_values, max_size=5),
)
@example({"t": {"a": 1}, "u": {"b": 2}}, {"t": {"a": 2}, "v": 3})
def test_editing_any_document_into_any_other_gives_exactly_the_other(
    before: dict[str, Any], after: dict[str, Any]
) -> None:
    text = tomledit.update(tomledit.update("", before), after)
    assert tomllib.loads(text) == after


def test_writer_formats_special_floats() -> None:
    assert tomllines.format_value(float("nan")) == "nan"
    assert tomllines.format_value(-math.inf) == "-inf"
    assert tomllines.format_value(1e300) == "1e+300"
    assert tomllines.format_value(2.0) == "2.0"
