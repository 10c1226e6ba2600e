"""What a setting is: its name, label, kind, default and help, declared once.

Provider types declare their settings as ``Field`` tuples; the config loader, the settings
dialog and the docs generator all read those declarations.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


class FieldKind(enum.StrEnum):
    STR = "str"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    CHOICE = "choice"
    URL = "url"
    PATH = "path"
    SECRET = "secret"  # noqa: S105  (a kind of field, not a password)
    RULES = "rules"  # list of [pattern, replacement] pairs
    MAPPING = "mapping"  # table of str -> str (webhook headers)


@dataclass(frozen=True, slots=True)
class Field:
    """One setting of a provider type."""

    name: str
    label: str
    kind: FieldKind = FieldKind.STR
    default: Any = None
    help: str = ""
    required: bool = False
    choices: tuple[str, ...] = ()

    @property
    def secret(self) -> bool:
        return self.kind is FieldKind.SECRET
