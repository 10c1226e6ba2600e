"""The settings being edited, without a window: profiles as drafts, then a config or problems.

The settings dialog shows and edits a :class:`SettingsDraft`; everything that decides what a
save means lives here and is tested without widgets (``tests/test_settings_draft.py``): unique
names for new profiles, options a type change leaves behind, which values a profile keeps
(never empties or defaults), required settings, duplicate names, routes, whether anything
changed at all, and where secrets go when a profile is renamed or removed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

from dialer_gui.core.config import GENERAL_FIELDS, Config, GeneralSettings, Route
from dialer_gui.errors import SecretStoreError
from dialer_gui.providers import PROVIDERS, provider_class
from dialer_gui.vocabulary.fields import Field
from dialer_gui.vocabulary.profiles import ProviderProfile

NEW_PROFILE = "office"
_GENERAL_LABELS = {f.name: f.label for f in GENERAL_FIELDS}


class SecretWriter(Protocol):
    """What saving needs of the secret store (``core.secrets.SecretStore`` is one)."""

    def get(self, profile: str, field: str) -> str | None: ...

    def set(self, profile: str, field: str, value: str) -> bool: ...

    def delete(self, profile: str, field: str) -> None: ...


@dataclasses.dataclass
class Draft:
    """A profile being edited: options as typed, and newly typed secrets."""

    name: str
    type: str
    options: dict[str, Any]
    original: str | None = None  # name in the saved config; None for a new profile
    secrets: dict[str, str] = dataclasses.field(default_factory=dict)

    def copy(self) -> Draft:
        return dataclasses.replace(self, options=dict(self.options), secrets=dict(self.secrets))


def type_fields(type_name: str) -> tuple[Field, ...]:
    try:
        return provider_class(type_name).all_fields()
    except (KeyError, ImportError):
        return ()


def type_label(type_name: str) -> str:
    try:
        return str(provider_class(type_name).label)
    except (KeyError, ImportError):
        return type_name


def available_types() -> list[str]:
    found = []
    for name in PROVIDERS:
        try:
            provider_class(name)
        except (KeyError, ImportError):
            continue
        found.append(name)
    return found


def left_out(value: Any, default: Any) -> bool:
    """A profile keeps no empty values and no defaults in its options."""
    return value in ("", None) or value == default


def tidy(type_name: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """Options as a profile keeps them (see :func:`left_out`)."""
    defaults = {f.name: f.default for f in type_fields(type_name)}
    return {k: v for k, v in options.items() if not left_out(v, defaults.get(k))}


class SettingsDraft:
    """The profiles of ``config`` as drafts, edited in place."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.drafts: list[Draft] = [
            Draft(p.name, p.type, dict(p.options), original=p.name)
            for p in config.providers.values()
        ]
        self.removed: list[str] = []

    # -- editing ----------------------------------------------------------------------------
    def add(self, type_name: str | None = None) -> Draft:
        """A new profile with a name no other profile has (office, office-2, ...)."""
        taken = {d.name for d in self.drafts}
        name, n = NEW_PROFILE, 2
        while name in taken:
            name = f"{NEW_PROFILE}-{n}"
            n += 1
        draft = Draft(name, type_name or next(iter(available_types()), "fonality"), {})
        self.drafts.append(draft)
        return draft

    def remove(self, index: int) -> Draft | None:
        if not 0 <= index < len(self.drafts):
            return None
        draft = self.drafts.pop(index)
        if draft.original:
            self.removed.append(draft.original)  # its secrets are forgotten on save
        return draft

    @staticmethod
    def change_type(draft: Draft, type_name: str) -> None:
        """Options the new type does not know are dropped; shared ones (url, ...) stay."""
        draft.type = type_name
        known = {f.name for f in type_fields(type_name)}
        draft.options = {k: v for k, v in draft.options.items() if k in known}

    @staticmethod
    def put(draft: Draft, spec: Field, value: Any) -> None:
        """A value from the form: secrets only when typed, options only when not left out."""
        if spec.secret:
            if value:
                draft.secrets[spec.name] = value
            return
        if left_out(value, spec.default):
            draft.options.pop(spec.name, None)
        else:
            draft.options[spec.name] = value

    # -- saving -----------------------------------------------------------------------------
    def build(
        self,
        general: Mapping[str, Any],
        routes: Iterable[tuple[str, str]],
        *,
        secret_stored: Callable[[Draft, str], bool],
    ) -> tuple[Config | None, list[str]]:
        """The config to save, or ``None`` and the problems that stop it (in form order).

        Args:
            general: the general settings by name, as the form has them.
            routes: (match, provider) rows; empty rows are skipped.
            secret_stored: whether a secret is in the keyring already (for required ones).
        """
        problems: list[str] = []
        providers: dict[str, ProviderProfile] = {}
        for draft in self.drafts:
            if not draft.name:
                problems.append("Every profile needs a name.")
                continue
            if draft.name in providers:
                problems.append(f"Two profiles are called “{draft.name}”.")
            for spec in type_fields(draft.type):
                if not spec.required:
                    continue
                if spec.secret:
                    present = spec.name in draft.secrets or secret_stored(draft, spec.name)
                else:
                    present = draft.options.get(spec.name) not in (None, "")
                if not present:
                    problems.append(f"{draft.name}: {spec.label} is required.")
            providers[draft.name] = ProviderProfile(draft.name, draft.type, dict(draft.options))
        rules = []
        for row, (raw_match, raw_provider) in enumerate(routes, 1):
            match, provider = raw_match.strip(), raw_provider.strip()
            if not match and not provider:
                continue
            try:
                rules.append(Route(match, provider))
            except ValueError as exc:
                problems.append(f"Routing rule {row}: {exc}")
        if problems:
            return None, problems
        settings = GeneralSettings(**dict(general))
        return Config(
            general=settings, providers=providers, routes=rules, path=self.config.path
        ), []

    def state(self) -> tuple[Any, ...]:
        """The drafts in a comparable form (secrets only as typed), to tell if anything changed."""
        return tuple(
            (
                d.name,
                d.type,
                tuple(sorted(tidy(d.type, d.options).items())),
                tuple(sorted(d.secrets.items())),
            )
            for d in self.drafts
        )

    def save_secrets(
        self, store: SecretWriter, drafts: Sequence[Draft], removed: Sequence[str]
    ) -> list[str]:
        """Write typed secrets, move a renamed profile's and forget a removed one's.

        Runs in a worker thread on copies (``drafts``, ``removed``), so the form can be read
        meanwhile. Returns the failures as sentences.
        """
        failures = []
        gone = list(removed)
        for draft in drafts:
            secret_names = [f.name for f in type_fields(draft.type) if f.secret]
            if draft.original and draft.original != draft.name:
                # Renamed: the secrets follow the profile to its new name.
                for field in secret_names:
                    value = store.get(draft.original, field)
                    if value is not None and field not in draft.secrets:
                        draft.secrets[field] = value
                gone.append(draft.original)
            for field, value in draft.secrets.items():
                store.set(draft.name, field, value)
        kept = {d.name for d in drafts}
        for name in gone:
            if name in kept:
                continue
            for type_name in available_types():
                for spec in type_fields(type_name):
                    if spec.secret:
                        try:
                            store.delete(name, spec.name)
                        except SecretStoreError as exc:
                            failures.append(str(exc))
        return sorted(set(failures))


def general_label(name: str) -> str:
    return _GENERAL_LABELS.get(name, name)
