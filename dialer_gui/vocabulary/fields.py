"""What a setting is: its name, label, kind, default, help and check, declared once.

Every setting is a :class:`Field`: each provider type declares its own as a tuple, and the
general settings are declared on ``core.config.schema.GeneralSettings``. The config loader
(one converter per :class:`FieldKind`), the settings dialog (one editor per kind), the docs
generator and the tests all read these declarations; nothing lists a setting a second time.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Check = Callable[[Any], "str | None"]
"""A further check of a converted value: ``None`` when fine, else what is wrong ("must be...")."""


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
    STR_LIST = "str_list"  # list of texts (number types, prefixes)
    INT_LIST = "int_list"  # list of whole numbers (extension lengths)
    PROFILE = "profile"  # the name of a configured provider profile, or "" for none


@dataclass(frozen=True, slots=True)
class Field:
    """One setting.

    Attributes:
        name: the key in the config file.
        label: what the settings dialog calls it.
        kind: how it is read, checked and edited.
        default: its value when the file does not name it (``None``: no default).
        help: one sentence for the tooltip, the docs and the comment in a new config file.
        required: a profile is not usable without it.
        choices: the values a ``CHOICE`` may take.
        check: a further check of the converted value (a range, a country code).
    """

    name: str
    label: str
    kind: FieldKind = FieldKind.STR
    default: Any = None
    help: str = ""
    required: bool = False
    choices: tuple[str, ...] = ()
    check: Check | None = None

    @property
    def secret(self) -> bool:
        return self.kind is FieldKind.SECRET
