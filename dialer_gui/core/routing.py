"""Which provider profile dials which number.

Routes are tried in order; the first match wins, then the default provider, then the first
profile. Matches: ``extension``, ``country:DE`` (region of the number), ``prefix:+44`` (E.164
prefix), ``*``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from dialer_gui.vocabulary.target import DialTarget


class RouteLike(Protocol):
    @property
    def match(self) -> str: ...
    @property
    def provider(self) -> str: ...


def route_matches(match: str, target: DialTarget) -> bool:
    kind, _, value = match.partition(":")
    if match == "*":
        return True
    if kind == "extension":
        return target.is_extension
    if kind == "country":
        return not target.is_extension and (target.region or "").upper() == value.upper()
    if kind == "prefix":
        return not target.is_extension and target.e164.startswith(value)
    return False


def choose_profile(
    target: DialTarget,
    routes: Sequence[RouteLike],
    profiles: Mapping[str, object],
    default: str | None,
) -> str | None:
    for route in routes:
        if route.provider in profiles and route_matches(route.match, target):
            return route.provider
    if default and default in profiles:
        return default
    return next(iter(profiles), None)
