"""Reading the config: TOML text -> a validated :class:`~.schema.Config`, or a plain error.

Every problem becomes a :class:`ConfigFileError` naming the file, the line and the key. Each
value is converted and checked by its ``Field`` kind, the same code for general settings and
provider options. Files carry a ``version``; older ones are upgraded through :data:`MIGRATIONS`,
one step at a time. A FIFO or device at the config path is refused, never waited on.
"""

from __future__ import annotations

import json
import logging
import re
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dialer_gui.core import atomic, paths, tomllines
from dialer_gui.core.config import schema
from dialer_gui.core.config.schema import (
    GENERAL_FIELDS,
    Config,
    GeneralSettings,
    Route,
    config_to_dict,
    route_match_problem,
)
from dialer_gui.directories import DIRECTORIES, directory_class
from dialer_gui.directories.base import DirectoryProfile
from dialer_gui.errors import ConfigError
from dialer_gui.providers import PROVIDERS, provider_class, redaction
from dialer_gui.vocabulary.fields import Field, FieldKind
from dialer_gui.vocabulary.profiles import ProviderProfile

log = logging.getLogger("dialer_gui.core.config")

MAX_SIZE = 256 * 1024  # characters; a real config is a few KiB
# tomllib's cost grows with the square of a dotted key's length; no real line comes close.
MAX_DOTS_PER_LINE = 64

# from-version -> function returning the data upgraded to from-version + 1. An upgrade keeps
# every setting it can express in the new form; nothing is dropped silently.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}

SECRET_MESSAGE = "secrets belong in the keyring: run `dialer-gui secret set {profile} {field}`"  # noqa: S105

KeyPath = tomllines.KeyPath


class ConfigFileError(ConfigError):
    """A :class:`ConfigError` that knows where: ``path``, ``line`` (1-based) and ``key``."""

    def __init__(
        self, message: str, *, path: Path | None = None, line: int | None = None, key: str = ""
    ) -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.key = key


class _Problem(Exception):
    """Internal: a problem at a key path; turned into a ConfigFileError with file and line."""

    def __init__(self, key: KeyPath, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


def load_config(path: Path | None = None) -> Config:
    """Read and validate the config file.

    Args:
        path: the file; ``paths.config_path()`` if None.

    Returns:
        The config. A missing file gives the defaults (no providers), with ``path`` set.

    Raises:
        ConfigError: the file cannot be read or is wrong; the message names file, line and key.
    """
    path = paths.config_path() if path is None else Path(path)
    try:
        # UTF-8 takes up to 4 bytes a character; a FIFO or device here is refused, not waited on.
        data = atomic.read_regular_file(path, MAX_SIZE * 4 + 1)
    except FileNotFoundError:
        return Config(path=path)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ConfigFileError(
            f"{path}: the config file cannot be read ({reason}).", path=path
        ) from exc
    try:
        # utf-8-sig: Windows editors may start the file with a byte-order mark.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigFileError(
            f"{path}, line {line}: the config file must be saved as UTF-8 text.",
            path=path,
            line=line,
        ) from exc
    return parse_config(text, path)


_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column \d+\)|\s*\(at end of document\)")


def parse_config(text: str, path: Path | None = None) -> Config:
    """Validate config text as if read from ``path`` (which is only used in messages).

    Raises:
        ConfigError: the text is not valid TOML or not a valid config.
    """
    where = str(path) if path is not None else "config"
    if len(text) > MAX_SIZE:
        raise ConfigFileError(
            f"{where}: the file is too large for a config file (over {MAX_SIZE // 1024} KiB).",
            path=path,
        )
    for number, source_line in enumerate(text.split("\n"), 1):  # TOML lines end at \n only
        if source_line.count(".") > MAX_DOTS_PER_LINE:
            raise ConfigFileError(
                f"{where}, line {number}: this line has too many dots to be a setting.",
                path=path,
                line=number,
            )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(r"at line (\d+)", message)
        line = int(match.group(1)) if match else None
        if line is None and "end of document" in message:
            line = text.count("\n") + 1
        reason = _TOML_POSITION.sub("", message)
        prefix = f"{where}, line {line}" if line else where
        raise ConfigFileError(
            f"{prefix}: this is not valid TOML ({reason}).", path=path, line=line
        ) from exc
    except RecursionError as exc:
        raise ConfigFileError(f"{where}: the file is nested too deeply.", path=path) from exc
    try:
        config = _from_dict(data)
    except _Problem as problem:
        line = tomllines.find_line(text, problem.key) if problem.key else None
        dotted = _dotted(problem.key)
        prefix = f"{where}, line {line}" if line else where
        raise ConfigFileError(
            f"{prefix}: {problem.message}", path=path, line=line, key=dotted
        ) from None
    config.path = path
    config.warnings = pasted_secret_warnings(config)
    return config


def pasted_secret_warnings(config: Config) -> list[str]:
    """A sentence for each profile option that looks like a secret typed into the file.

    Such a value works, but the file is not the keyring: it is read by backups, shared in
    support requests and pasted in tickets. Each is masked in every output all the same
    (``core.provider_pool`` remembers it for ``providers.redaction``).
    """
    found: list[str] = []

    def walk(table: str, profile: str, key: str, value: Any) -> None:
        if isinstance(value, str):
            why = redaction.looks_secret(value)
            if why:
                found.append(
                    f"{table}.{profile}.{key} {why}. Secrets belong in the keyring: "
                    f"dialer-gui secret set {profile} FIELD, and a {{placeholder}} here."
                )
        elif isinstance(value, Mapping):
            for inner_key, inner in value.items():
                walk(table, profile, f"{key}.{inner_key}", inner)
        elif isinstance(value, list | tuple):
            for inner in value:
                walk(table, profile, key, inner)

    for name, profile in config.providers.items():
        for key, value in profile.options.items():
            walk("providers", name, key, value)
    for name, directory in config.directories.items():
        for key, value in directory.options.items():
            walk("directories", name, key, value)
    return found


def validate_config(config: Config) -> None:
    """Check a config built in code (the settings dialog) as strictly as a loaded one.

    Raises:
        ConfigError: naming the key that is wrong.
    """
    try:
        _from_dict(config_to_dict(config))
    except _Problem as problem:
        raise ConfigFileError(problem.message, path=config.path, key=_dotted(problem.key)) from None


# --- reading and validating ---------------------------------------------------------------


def _dotted(key: KeyPath) -> str:
    out = ""
    for part in key:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += ("." if out else "") + part
    return out


def _show(value: Any) -> str:
    """A value as the user wrote it, shortened for a message."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, dict):
        text = "a table"
    else:
        try:
            text = tomllines.format_value(value)
        except TypeError:
            text = type(value).__name__
    return text if len(text) <= 40 else text[:37] + "..."


def _from_dict(data: dict[str, Any]) -> Config:
    version = data.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int):
        raise _Problem(("version",), f"version must be a whole number, not {_show(version)}")
    if version > schema.CURRENT_VERSION:
        raise _Problem(
            ("version",),
            f"this file was made by a newer dialer-gui (config version {version}; this one "
            f"reads up to {schema.CURRENT_VERSION}). Update dialer-gui or use another config file.",
        )
    if version < 1:
        raise _Problem(("version",), f"version must be 1 or more, not {version}")
    while version < schema.CURRENT_VERSION:
        data = MIGRATIONS[version](data)
        version += 1
        log.info("Upgraded the config to version %d in memory", version)

    for key in data:
        if key not in ("version", "general", "providers", "routes", "directories"):
            raise _Problem(
                (key,),
                f"{key} is not a setting; the file holds version, [general], "
                "[providers.NAME], [[routes]] and [directories.NAME]",
            )
    general = _read_general(_table(data, "general"))
    providers = _read_providers(_table(data, "providers"))
    directories = _read_directories(_table(data, "directories"), providers)
    routes = _read_routes(data.get("routes", []), providers)
    if general.default_provider and general.default_provider not in providers:
        raise _Problem(
            ("general", "default_provider"),
            f"general.default_provider names {_show(general.default_provider)}, but there is no "
            f"[providers.{general.default_provider}] profile",
        )
    return Config(
        general=general,
        providers=providers,
        routes=routes,
        directories=directories,
        version=schema.CURRENT_VERSION,
    )


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise _Problem((key,), f"{key} must be a table ([{key}]), not {_show(value)}")
    return value


def _read_general(table: dict[str, Any]) -> GeneralSettings:
    known = {f.name: f for f in GENERAL_FIELDS}
    values: dict[str, Any] = {}
    for key, value in table.items():
        spec = known.get(key)
        if spec is None:
            raise _Problem(
                ("general", key),
                f"general.{key} is not a setting; known settings: {', '.join(known)}",
            )
        values[key] = convert(("general", key), f"general.{key}", spec, value)
    return GeneralSettings(**values)


def _is_type(value: Any, kind: type) -> bool:
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def _expect_bool(key: KeyPath, name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Problem(key, f"{name} must be true or false, not {_show(value)}")
    return value


def _expect_int(key: KeyPath, name: str, value: Any) -> int:
    if not _is_type(value, int):
        raise _Problem(key, f"{name} must be a whole number, not {_show(value)}")
    return int(value)


def _expect_float(key: KeyPath, name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Problem(key, f"{name} must be a number, not {_show(value)}")
    return float(value)


def _expect_str(key: KeyPath, name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise _Problem(key, f"{name} must be text in quotes, not {_show(value)}")
    return value


_PROFILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def _read_providers(table: dict[str, Any]) -> dict[str, ProviderProfile]:
    profiles: dict[str, ProviderProfile] = {}
    for name, options in table.items():
        key: KeyPath = ("providers", name)
        if not _PROFILE_NAME.fullmatch(name):
            raise _Problem(
                key,
                f"{_show(name)} cannot be a profile name; use letters, digits, '.', '-' and '_' "
                "(up to 64, starting with a letter or digit)",
            )
        if not isinstance(options, dict):
            raise _Problem(key, f"providers.{name} must be a table, not {_show(options)}")
        profiles[name] = _read_profile(name, options)
    return profiles


def _read_profile(name: str, options: dict[str, Any]) -> ProviderProfile:
    base: KeyPath = ("providers", name)
    type_name = options.get("type")
    if type_name is None:
        raise _Problem(base, f"providers.{name} needs a type, one of: {', '.join(PROVIDERS)}")
    if not isinstance(type_name, str) or type_name not in PROVIDERS:
        raise _Problem(
            (*base, "type"),
            f"providers.{name}.type is {_show(type_name)}, which is not a provider type; "
            f"known types: {', '.join(PROVIDERS)}",
        )
    try:
        fields = {f.name: f for f in provider_class(type_name).all_fields()}
    except (ImportError, AttributeError) as exc:
        # A broken install, not a wrong file; still say which profile could not be read.
        raise _Problem(
            (*base, "type"), f"the {type_name} provider could not be loaded ({exc})"
        ) from exc
    values: dict[str, Any] = {}
    for key, value in options.items():
        if key == "type":
            continue
        where: KeyPath = (*base, key)
        dotted = f"providers.{name}.{key}"
        spec = fields.get(key)
        if spec is None:
            # The value is not echoed: a misspelt password field would leak it.
            raise _Problem(
                where,
                f"{dotted} is not a setting of the {type_name} provider; known settings: "
                f"{', '.join(f for f in fields if not fields[f].secret)}",
            )
        if spec.secret:
            raise _Problem(where, f"{dotted}: " + SECRET_MESSAGE.format(profile=name, field=key))
        values[key] = convert(where, dotted, spec, value)
    for spec in fields.values():
        if spec.required and not spec.secret and spec.name not in values and spec.default is None:
            raise _Problem(base, f"providers.{name} needs {spec.name} ({spec.label})")
    return ProviderProfile(name=name, type=type_name, options=values)


def _read_directories(
    table: dict[str, Any], providers: Mapping[str, ProviderProfile]
) -> dict[str, DirectoryProfile]:
    """``[directories.NAME]`` tables, each checked against its type's declared fields."""
    directories: dict[str, DirectoryProfile] = {}
    for name, options in table.items():
        base: KeyPath = ("directories", name)
        if not _PROFILE_NAME.fullmatch(name):
            raise _Problem(
                base,
                f"{_show(name)} cannot be a directory name; use letters, digits, '.', '-' and "
                "'_' (up to 64, starting with a letter or digit)",
            )
        if name in providers:
            # Secrets are kept in the keyring as NAME/FIELD: one name, one set of secrets.
            raise _Problem(
                base, f"directories.{name} has the name of a provider profile; choose another"
            )
        if not isinstance(options, dict):
            raise _Problem(base, f"directories.{name} must be a table, not {_show(options)}")
        type_name = options.get("type")
        if not isinstance(type_name, str) or type_name not in DIRECTORIES:
            raise _Problem(
                (*base, "type") if "type" in options else base,
                f"directories.{name}.type must be one of: {', '.join(DIRECTORIES)}; "
                f"not {_show(type_name)}",
            )
        fields = {f.name: f for f in directory_class(type_name).all_fields()}
        values: dict[str, Any] = {}
        for key, value in options.items():
            if key == "type":
                continue
            where: KeyPath = (*base, key)
            dotted = f"directories.{name}.{key}"
            spec = fields.get(key)
            if spec is None:
                known = ", ".join(f for f in fields if not fields[f].secret)
                raise _Problem(
                    where, f"{dotted} is not a setting of a {type_name} directory; known: {known}"
                )
            if spec.secret:
                raise _Problem(
                    where, f"{dotted}: " + SECRET_MESSAGE.format(profile=name, field=key)
                )
            values[key] = convert(where, dotted, spec, value)
        for spec in fields.values():
            if spec.required and spec.name not in values and spec.default is None:
                raise _Problem(base, f"directories.{name} needs {spec.name} ({spec.label})")
        directories[name] = DirectoryProfile(name=name, type=type_name, options=values)
    return directories


def convert(where: KeyPath, name: str, spec: Field, value: Any) -> Any:
    """``value`` as the kind of ``spec`` says, checked; raises ``_Problem`` naming ``name``."""
    converted = _convert_kind(where, name, spec, value)
    if spec.check is not None:
        problem = spec.check(converted)
        if problem:
            raise _Problem(where, f"{name} {problem}")
    return converted


def _convert_kind(where: KeyPath, name: str, spec: Field, value: Any) -> Any:
    kind = spec.kind
    if kind is FieldKind.BOOL:
        return _expect_bool(where, name, value)
    if kind is FieldKind.INT:
        return _expect_int(where, name, value)
    if kind is FieldKind.FLOAT:
        return _expect_float(where, name, value)
    if kind in (FieldKind.STR, FieldKind.PATH, FieldKind.PROFILE):
        return _expect_str(where, name, value)
    if kind in (FieldKind.STR_LIST, FieldKind.INT_LIST):
        item = int if kind is FieldKind.INT_LIST else str
        if not isinstance(value, list) or not all(_is_type(v, item) for v in value):
            noun = "whole numbers" if item is int else "texts"
            raise _Problem(where, f"{name} must be a list of {noun}, not {_show(value)}")
        return list(value)
    if kind is FieldKind.URL:
        text = _expect_str(where, name, value)
        parts = urlsplit(text)
        if text and (parts.scheme not in ("http", "https") or not parts.netloc):
            raise _Problem(
                where, f"{name} must be a web address starting with https://, not {_show(text)}"
            )
        return text
    if kind is FieldKind.CHOICE:
        if value not in spec.choices:
            raise _Problem(
                where, f"{name} must be one of {', '.join(spec.choices)}; not {_show(value)}"
            )
        return value
    if kind is FieldKind.RULES:
        return _expect_rules(where, name, value)
    if kind is FieldKind.MAPPING:
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise _Problem(where, f"{name} must be a table of names and texts, not {_show(value)}")
        return dict(value)
    raise _Problem(where, f"{name} has a kind of value dialer-gui cannot read ({kind})")


def _expect_rules(where: KeyPath, name: str, value: Any) -> list[list[str]]:
    shape = f'{name} must be a list of ["pattern", "replacement"] pairs'
    if not isinstance(value, list):
        raise _Problem(where, f"{shape}, not {_show(value)}")
    rules: list[list[str]] = []
    for index, rule in enumerate(value, 1):
        if (
            not isinstance(rule, list)
            or len(rule) != 2
            or not all(isinstance(part, str) for part in rule)
        ):
            raise _Problem(where, f"{shape}; rule {index} is {_show(rule)}")
        try:
            re.compile(rule[0])
        except (re.error, RecursionError, OverflowError) as exc:
            raise _Problem(
                where, f"{name}: rule {index} is not a valid regular expression ({exc})"
            ) from None
        rules.append([rule[0], rule[1]])
    return rules


def _read_routes(value: Any, providers: Mapping[str, ProviderProfile]) -> list[Route]:
    if not isinstance(value, list):
        raise _Problem(("routes",), "routes must be written as [[routes]] tables")
    routes: list[Route] = []
    for index, item in enumerate(value):
        base: KeyPath = ("routes", index)
        where = f"routes[{index + 1}]"
        if not isinstance(item, dict):
            raise _Problem(base, f"{where} must be a [[routes]] table, not {_show(item)}")
        for key in item:
            if key not in ("match", "provider"):
                raise _Problem(
                    (*base, key), f"{where}.{key} is not a setting; a route has match and provider"
                )
        match = item.get("match")
        provider = item.get("provider")
        if not isinstance(match, str):
            raise _Problem(
                (*base, "match") if "match" in item else base,
                f"{where}.match must be extension, country:XX, prefix:+NNN or *",
            )
        problem = route_match_problem(match)
        if problem:
            raise _Problem((*base, "match"), f"{where}.match: {problem}")
        if not isinstance(provider, str) or provider not in providers:
            raise _Problem(
                (*base, "provider") if "provider" in item else base,
                f"{where}.provider must name a profile in [providers]; not {_show(provider)}",
            )
        routes.append(Route(match=match, provider=provider))
    return routes
