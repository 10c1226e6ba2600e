"""What the config file holds: general settings, routes and the whole :class:`Config`.

Each general setting is declared once, here, as a typed attribute of :class:`GeneralSettings`
whose value is a ``vocabulary.fields.Field`` (label, kind, default, help, check), the same kind
of declaration every provider type makes for its own settings. :data:`GENERAL_FIELDS` is read
from it; the loader, the settings dialog, the docs generator and the policy use that one list.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import phonenumbers

from dialer_gui.directories import directory_class
from dialer_gui.directories.base import DirectoryProfile
from dialer_gui.providers import provider_class
from dialer_gui.vocabulary.fields import Check, Field, FieldKind
from dialer_gui.vocabulary.profiles import ProviderProfile

CURRENT_VERSION = 1

# Number types as core.numbers.number_type names them: phonenumbers' types in lower case, plus
# "extension" for internal extensions.
NUMBER_TYPES = frozenset(
    {name.lower() for name in vars(phonenumbers.PhoneNumberType) if name.isupper()} | {"extension"}
)


# --- checks of general settings -----------------------------------------------------------


def _check_region(value: str) -> str | None:
    if value not in phonenumbers.SUPPORTED_REGIONS:
        return "must be a two-letter country code such as US, DE or GB"
    return None


def _check_extension_lengths(value: list[int]) -> str | None:
    if len(value) != 2 or not 1 <= value[0] <= value[1] <= 15:
        return "must be two whole numbers [shortest, longest] between 1 and 15"
    return None


def _check_types(value: list[str]) -> str | None:
    bad = [v for v in value if v not in NUMBER_TYPES]
    if bad:
        return f"has unknown number types {bad}; known: {', '.join(sorted(NUMBER_TYPES))}"
    return None


def _check_prefixes(value: list[str]) -> str | None:
    bad = [v for v in value if not re.fullmatch(r"\+[0-9]{1,15}", v)]
    if bad:
        return f"must hold prefixes written as + and digits, such as +1900; not {bad}"
    return None


def _check_not_negative(value: float) -> str | None:
    return "must not be negative" if value < 0 or math.isnan(value) else None


def _check_countdown(value: int) -> str | None:
    return None if 0 <= value <= 60 else "must be between 0 and 60 seconds"


def _setting(
    label: str, kind: FieldKind, default: Any, help: str, check: Check | None = None
) -> Any:
    """A dataclass field whose metadata is the setting's :class:`Field` (named by its attribute).

    Typed as ``Any`` so that each attribute keeps its own annotation for mypy.
    """
    spec = Field("", label, kind, default, help, check=check)
    meta = {"field": spec}
    if isinstance(default, list):
        frozen = tuple(default)
        return field(default_factory=lambda: list(frozen), metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(slots=True)
class GeneralSettings:
    """Settings that are not about one provider. Each is declared once, here."""

    region: str = _setting(
        "Region",
        FieldKind.STR,
        "US",
        "Country whose numbers need no country code (ISO 3166 code).",
        _check_region,
    )
    default_provider: str = _setting(
        "Default provider",
        FieldKind.PROFILE,
        "",
        "Profile used when no route matches; the first profile if empty.",
    )
    extension_lengths: list[int] = _setting(  # noqa: RUF009
        "Extension lengths",
        FieldKind.INT_LIST,
        [2, 6],
        "Shortest and longest internal extension, in digits.",
        _check_extension_lengths,
    )
    confirm_links: bool = _setting(
        "Confirm links", FieldKind.BOOL, True, "Ask before calling a number from a tel: link."
    )
    confirm_clipboard: bool = _setting(
        "Confirm clipboard",
        FieldKind.BOOL,
        True,
        "Ask before calling a number from the clipboard.",
    )
    confirm_browser: bool = _setting(
        "Confirm browser",
        FieldKind.BOOL,
        True,
        "Ask before calling a number sent by the browser companion.",
    )
    confirm_dialpad: bool = _setting(
        "Confirm dialpad",
        FieldKind.BOOL,
        False,
        "Ask before calling a number typed in the dial pad.",
    )
    confirm_countdown: int = _setting(
        "Confirm countdown",
        FieldKind.INT,
        0,
        "Seconds the confirmation counts down before calling by itself; 0 waits for a click.",
        _check_countdown,
    )
    always_confirm_types: list[str] = _setting(  # noqa: RUF009
        "Always confirm types",
        FieldKind.STR_LIST,
        ["premium_rate", "shared_cost", "unknown"],
        "Number types that always ask first (premium_rate, toll_free, mobile, ...).",
        _check_types,
    )
    blocked_types: list[str] = _setting(  # noqa: RUF009
        "Blocked types", FieldKind.STR_LIST, [], "Number types that are never called.", _check_types
    )
    blocked_prefixes: list[str] = _setting(  # noqa: RUF009
        "Blocked prefixes",
        FieldKind.STR_LIST,
        [],
        "Numbers starting with these are never called (such as +1900).",
        _check_prefixes,
    )
    duplicate_window: float = _setting(
        "Duplicate window",
        FieldKind.FLOAT,
        5.0,
        "Seconds in which a second request for the same number is merged into the first.",
        _check_not_negative,
    )
    link_rate_limit: int = _setting(
        "Link rate limit",
        FieldKind.INT,
        10,
        "Most calls from links and the browser companion per minute; 0 turns the limit off.",
        _check_not_negative,
    )
    notifications: bool = _setting(
        "Notifications", FieldKind.BOOL, True, "Show a desktop notification for each call."
    )


GENERAL_FIELDS: tuple[Field, ...] = tuple(
    dataclasses.replace(f.metadata["field"], name=f.name)
    for f in dataclasses.fields(GeneralSettings)
)
"""The general settings, in file order: the one list everything else reads."""


# --- routes -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Route:
    """Send matching calls to a profile.

    ``match`` is ``"extension"``, ``"country:DE"``, ``"prefix:+44"`` or ``"*"`` (anything).
    Raises ``ValueError`` with a plain sentence when ``match`` is not one of these.
    """

    match: str
    provider: str

    def __post_init__(self) -> None:
        problem = route_match_problem(self.match)
        if problem:
            raise ValueError(problem)


def route_match_problem(match: str) -> str | None:
    """Why ``match`` is not a valid route match, or None if it is."""
    if match in ("extension", "*"):
        return None
    kind, sep, value = match.partition(":")
    if sep and kind == "country":
        if value in phonenumbers.SUPPORTED_REGIONS:
            return None
        return f"country:{value} does not name a country; use a code such as country:DE"
    if sep and kind == "prefix":
        if re.fullmatch(r"\+[0-9]{1,15}", value):
            return None
        return f"prefix:{value} must be + and digits, such as prefix:+44"
    return f"{match!r} is not a route match; use extension, country:XX, prefix:+NNN or * for any"


# --- the whole config ---------------------------------------------------------------------


@dataclass(slots=True)
class Config:
    """Everything in the config file, validated."""

    general: GeneralSettings = field(default_factory=GeneralSettings)
    providers: dict[str, ProviderProfile] = field(default_factory=dict)
    routes: list[Route] = field(default_factory=list)
    # Company directories ([directories.NAME]): CardDAV address books, LDAP servers.
    directories: dict[str, DirectoryProfile] = field(default_factory=dict)
    path: Path | None = None
    version: int = CURRENT_VERSION
    # Said at load, in doctor and before a call: values that look like pasted secrets.
    warnings: list[str] = field(default_factory=list, compare=False)


def config_to_dict(config: Config) -> dict[str, Any]:
    """The config as plain TOML data, without secrets."""
    general = {f.name: plain(getattr(config.general, f.name)) for f in GENERAL_FIELDS}
    providers: dict[str, Any] = {}
    for name, profile in config.providers.items():
        secret_names: set[str] = set()
        # An unknown type is reported by validation; then nothing here is known to be secret.
        with contextlib.suppress(KeyError, ImportError, AttributeError):
            secret_names = {f.name for f in provider_class(profile.type).all_fields() if f.secret}
        options = {k: plain(v) for k, v in profile.options.items() if k not in secret_names}
        providers[name] = {"type": profile.type, **options}
    data: dict[str, Any] = {"version": CURRENT_VERSION, "general": general}
    if config.routes:
        data["routes"] = [{"match": r.match, "provider": r.provider} for r in config.routes]
    data["providers"] = providers
    if config.directories:
        data["directories"] = {
            name: {"type": d.type, **{k: plain(v) for k, v in d.options.items()
                                      if k not in _directory_secrets(d.type)}}
            for name, d in config.directories.items()
        }  # fmt: skip
    return data


def _directory_secrets(type_name: str) -> set[str]:
    with contextlib.suppress(KeyError, ImportError, AttributeError):
        return set(directory_class(type_name).secret_names())
    return set()


def plain(value: Any) -> Any:
    """``value`` as TOML data: mappings, lists and paths made plain."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return value
