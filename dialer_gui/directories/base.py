"""The directory interface: a configured source of read-only contacts.

A directory belongs to one ``[directories.NAME]`` table of the config (a
:class:`DirectoryProfile`), declares its settings once as ``vocabulary.fields.Field`` tuples
(the config loader validates against them, as it does for providers), and is one of two kinds:

- :class:`SyncedDirectory` (CardDAV): copied into the local phone book by ``sync(sink)``, which
  moves only what changed since the last sync;
- :class:`SearchedDirectory` (LDAP): asked live, ``search(text)``, as the user types.

Numbers are normalised by a function the caller hands in (``normalise``): the rules (region,
extension lengths) live in ``core``, which this room may not import.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from dialer_gui.directories.errors import DirectoryError, Problem
from dialer_gui.vocabulary.contacts import Contact
from dialer_gui.vocabulary.fields import Field, FieldKind

if TYPE_CHECKING:
    from dialer_gui.directories.sync import ContactSink, SyncReport

Normaliser = Callable[[str], str]
"""A number as written -> E.164 or extension digits, or ``""`` when it cannot be dialed."""


def keep_unnormalised(_written: str) -> str:
    """The default normaliser: nothing is dialable until the caller says how to read numbers."""
    return ""


@dataclass(frozen=True, slots=True)
class DirectoryProfile:
    """A configured directory: its name, type and option values (secrets kept apart)."""

    name: str
    type: str
    options: Mapping[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)


def _check_timeout(value: float) -> str | None:
    return None if 0 < value <= 120 else "must be more than 0 and at most 120 seconds"


# Settings every directory has, whatever its protocol.
COMMON_FIELDS: tuple[Field, ...] = (
    Field("label", "Display name", FieldKind.STR, "", "Shown in menus; the name if empty."),
    Field(
        "timeout",
        "Timeout (seconds)",
        FieldKind.FLOAT,
        10.0,
        "How long to wait for the directory to answer.",
        check=_check_timeout,
    ),
    Field(
        "verify_tls",
        "Verify TLS certificate",
        FieldKind.BOOL,
        True,
        "Turn off only for a server with a self-signed certificate you trust; prefer a CA file.",
    ),
    Field(
        "ca_file", "CA file", FieldKind.PATH, "", "PEM bundle that signs the server certificate."
    ),
)


@dataclass(frozen=True, slots=True)
class SearchResult:
    """What a live search found: at most the directory's cap, and whether more matched."""

    contacts: tuple[Contact, ...]
    truncated: bool = False


class Directory(abc.ABC):
    """Base class of every directory type; subclasses set the class attributes."""

    type_name: ClassVar[str]
    label: ClassVar[str]
    fields: ClassVar[tuple[Field, ...]]

    def __init__(
        self,
        profile: DirectoryProfile,
        secrets: Mapping[str, str],
        *,
        normalise: Normaliser = keep_unnormalised,
    ) -> None:
        self.profile = profile
        self.secrets = dict(secrets)
        self.normalise = normalise

    @property
    def name(self) -> str:
        return self.profile.name

    @classmethod
    def all_fields(cls) -> tuple[Field, ...]:
        return cls.fields + COMMON_FIELDS

    @classmethod
    def secret_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in cls.all_fields() if f.secret)

    def option(self, key: str) -> Any:
        """The profile's value for ``key``, or the field's declared default."""
        if key in self.profile.options:
            return self.profile.options[key]
        for f in self.all_fields():
            if f.name == key:
                return f.default
        raise KeyError(key)

    def text(self, key: str) -> str:
        value = self.option(key)
        return "" if value is None else str(value).strip()

    @property
    def timeout(self) -> float:
        return float(self.option("timeout"))

    def config_error(self, detail: str) -> DirectoryError:
        return DirectoryError(Problem.CONFIG, self.name, detail)

    @abc.abstractmethod
    async def check(self) -> str:
        """A harmless request proving the settings work; a sentence saying what was found."""

    async def aclose(self) -> None:  # noqa: B027  (most directories hold nothing to close)
        """Release connections; the directory may be used again afterwards."""


class SyncedDirectory(Directory):
    """A directory copied into the local phone book (CardDAV)."""

    @abc.abstractmethod
    async def sync(self, sink: ContactSink) -> SyncReport:
        """Bring ``sink`` up to date with the server, moving only what changed.

        Either the whole change is handed to ``sink.apply`` or, on an error, nothing is.

        Raises:
            DirectoryError: only.
        """


class SearchedDirectory(Directory):
    """A directory asked live as the user types (LDAP)."""

    @abc.abstractmethod
    async def search(self, text: str) -> SearchResult:
        """Contacts matching ``text`` (any word in any searched attribute), at most the cap.

        Raises:
            DirectoryError: only.
        """
