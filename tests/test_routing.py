"""Which profile dials which number."""

from __future__ import annotations

from dataclasses import dataclass

from dialer_gui.core.routing import choose_profile
from dialer_gui.vocabulary.target import DialTarget, TargetKind

DE = DialTarget(TargetKind.EXTERNAL, "+49301234567", "+49 30 1234567", "DE")
UK = DialTarget(TargetKind.EXTERNAL, "+442079460958", "+44 20 7946 0958", "GB")
EXT = DialTarget(TargetKind.EXTENSION, "557", "557")
PROFILES = {"office": 1, "germany": 2, "pbx": 3}


@dataclass
class R:
    match: str
    provider: str


ROUTES = [R("extension", "pbx"), R("country:de", "germany"), R("prefix:+44", "missing")]


def test_first_matching_route_wins() -> None:
    assert choose_profile(EXT, ROUTES, PROFILES, "office") == "pbx"
    assert choose_profile(DE, ROUTES, PROFILES, "office") == "germany"


def test_routes_to_unknown_profiles_are_skipped_then_default_then_first() -> None:
    assert choose_profile(UK, ROUTES, PROFILES, "office") == "office"
    assert choose_profile(UK, ROUTES, PROFILES, None) == "office"
    assert choose_profile(UK, [R("*", "germany")], PROFILES, "office") == "germany"
    assert choose_profile(UK, [], {}, "office") is None
