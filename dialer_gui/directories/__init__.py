"""Company directories: read-only contact sources the phone book syncs from or searches live.

:data:`DIRECTORIES` is the one list of directory types, as ``providers.PROVIDERS`` is for the
PBX APIs. Each entry names the client class (a ``base.SyncedDirectory`` or
``base.SearchedDirectory``) and the example the docs show. The config loader, the command line
and the tests read this list; adding a type means a client module and one entry.

Classes are named as strings and imported on first use, so that reading the config does not
import httpx, vobject or ldap3. Like ``providers/``, nothing here imports ``core``.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dialer_gui.directories.base import Directory, DirectoryProfile, Normaliser


@dataclass(frozen=True, slots=True)
class DirectoryEntry:
    """One directory type.

    Attributes:
        client: ``module:Class`` of the directory class.
        example: option values of a realistic directory for the docs (placeholders, no real host).
    """

    client: str
    example: Mapping[str, Any] = field(default_factory=dict)


DIRECTORIES: dict[str, DirectoryEntry] = {
    "carddav": DirectoryEntry(
        "dialer_gui.directories.carddav:CardDavDirectory",
        {"url": "https://cloud.example.com/remote.php/dav", "user": "reception"},
    ),
    "ldap": DirectoryEntry(
        "dialer_gui.directories.ldap:LdapDirectory",
        {"url": "ldaps://dc1.example.com", "base_dn": "ou=Staff,dc=example,dc=com",
         "bind_dn": "cn=phonebook,ou=Service,dc=example,dc=com"},
    ),
}  # fmt: skip


def directory_class(type_name: str) -> type[Directory]:
    """The class of ``type_name``; ``KeyError`` naming the known types when there is none."""
    try:
        entry = DIRECTORIES[type_name]
    except KeyError:
        known = ", ".join(DIRECTORIES)
        raise KeyError(f"unknown directory type {type_name!r}; known types: {known}") from None
    module_name, _, class_name = entry.client.partition(":")
    cls: type[Directory] = getattr(importlib.import_module(module_name), class_name)
    return cls


def create_directory(
    profile: DirectoryProfile,
    secrets: Mapping[str, str],
    *,
    normalise: Normaliser | None = None,
    **kwargs: Any,
) -> Directory:
    """A directory object for ``profile``; ``kwargs`` go to the class (a test transport)."""
    cls = directory_class(profile.type)
    if normalise is not None:
        kwargs["normalise"] = normalise
    return cls(profile, secrets, **kwargs)
