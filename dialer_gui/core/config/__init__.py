"""The TOML config file: general settings, provider profiles and routes.

The file looks like this (secrets are never in it; they live in the keyring)::

    version = 1
    [general]
    region = "DE"
    default_provider = "office"
    [[routes]]
    match = "extension"
    provider = "office"
    [providers.office]
    type = "simotel"
    url = "https://pbx.example.com"

Three rooms: ``schema`` (what the file holds, every general setting declared once as a
``Field``), ``reading`` (text -> a validated config, or an error naming file, line and key) and
``writing`` (a config -> the file, edited so comments and order survive). This face re-exports
what the rest of the app uses.
"""

from __future__ import annotations

from dialer_gui.core.config.reading import (
    MAX_SIZE,
    MIGRATIONS,
    ConfigFileError,
    load_config,
    parse_config,
    pasted_secret_warnings,
    validate_config,
)
from dialer_gui.core.config.schema import (
    CURRENT_VERSION,
    GENERAL_FIELDS,
    Config,
    GeneralSettings,
    Route,
    config_to_dict,
    route_match_problem,
)
from dialer_gui.core.config.writing import HEADER, dump_config, save_config
from dialer_gui.errors import ConfigError

__all__ = [
    "CURRENT_VERSION",
    "GENERAL_FIELDS",
    "HEADER",
    "MAX_SIZE",
    "MIGRATIONS",
    "Config",
    "ConfigError",
    "ConfigFileError",
    "GeneralSettings",
    "Route",
    "config_to_dict",
    "dump_config",
    "load_config",
    "parse_config",
    "pasted_secret_warnings",
    "route_match_problem",
    "save_config",
    "validate_config",
]
