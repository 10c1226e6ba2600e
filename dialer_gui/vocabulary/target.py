"""What we dial: an external number or an internal extension.

A :class:`DialTarget` is the output of parsing (``core.numbers``) and the input of formatting
(``core.formatting``) and of every provider. It never holds the provider-specific dial string;
that is computed per provider profile.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class TargetKind(enum.StrEnum):
    EXTERNAL = "external"
    EXTENSION = "extension"


@dataclass(frozen=True, slots=True)
class DialTarget:
    """A normalised thing to dial.

    Attributes:
        kind: external number or internal extension.
        e164: ``+CCNNN...`` for external numbers; the digits for extensions.
        region: ISO region the number belongs to (``"US"``), ``None`` for extensions.
        display: how people see it (international format, or the extension digits).
        extension: an extension *behind* an external number (``x89``), if any.
        raw: the text it came from, kept for the history.
    """

    kind: TargetKind
    e164: str
    display: str
    region: str | None = None
    extension: str | None = None
    raw: str = ""

    @property
    def is_extension(self) -> bool:
        return self.kind is TargetKind.EXTENSION

    @property
    def digits(self) -> str:
        """E.164 without the plus, or the extension digits."""
        return self.e164.lstrip("+")
