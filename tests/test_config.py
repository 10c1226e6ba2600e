"""Config loading, validation messages (file, line, key), saving and round trips."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from pathlib import Path
from typing import Any

import pytest

from dialer_gui.core import paths, tomllines
from dialer_gui.core.config import (
    GENERAL_FIELDS,
    Config,
    ConfigFileError,
    GeneralSettings,
    Route,
    config_to_dict,
    dump_config,
    load_config,
    parse_config,
    save_config,
    validate_config,
)
from dialer_gui.core.config import reading as config_mod
from dialer_gui.core.config import schema as config_schema
from dialer_gui.errors import ConfigError
from dialer_gui.vocabulary.fields import FieldKind
from dialer_gui.vocabulary.profiles import ProviderProfile


def test_sample_config_loads(config_file: Path) -> None:
    config = load_config(config_file)
    assert config.path == config_file
    assert config.version == 1
    g = config.general
    assert g.region == "DE"
    assert g.default_provider == "office"
    assert g.extension_lengths == [3, 5]
    assert g.blocked_prefixes == ["+49900"]
    assert g.confirm_links is True  # default
    assert g.duplicate_window == 5.0
    assert list(config.providers) == ["office", "london"]
    office = config.providers["office"]
    assert office == ProviderProfile(
        "office", "fake", {"url": "https://pbx.example.com", "caller": "557", "retries": 2}
    )
    london = config.providers["london"]
    assert london.options["timeout"] == 3.0
    assert isinstance(london.options["timeout"], float)
    assert london.options["headers"] == {"X-Tenant": "uk"}
    assert config.routes == [Route("extension", "office"), Route("country:GB", "london")]


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    path = tmp_path / "nothing.toml"
    config = load_config(path)
    assert config == Config(path=path)
    assert config.providers == {}
    assert config.general == GeneralSettings()


def test_default_path_follows_xdg_and_override(
    tmp_path: Path, isolated_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert load_config().path == isolated_dirs["config"] / "dialer-gui" / "config.toml"
    other = tmp_path / "elsewhere.toml"
    monkeypatch.setenv("DIALER_GUI_CONFIG", str(other))
    assert paths.config_path() == other
    assert load_config().path == other


def test_settings_are_declared_once_with_the_documented_defaults() -> None:
    table = {f.name: f for f in GENERAL_FIELDS}
    assert list(table) == [f.name for f in dataclasses.fields(GeneralSettings)]
    assert table["region"].default == "US"
    assert table["extension_lengths"].default == [2, 6]
    assert table["always_confirm_types"].default == ["premium_rate", "shared_cost", "unknown"]
    assert table["duplicate_window"].kind is FieldKind.FLOAT
    assert table["link_rate_limit"].default == 10
    assert all(f.help.endswith(".") and f.label for f in GENERAL_FIELDS)
    defaults = GeneralSettings()
    assert all(getattr(defaults, f.name) == f.default for f in GENERAL_FIELDS)
    # Defaults are fresh lists per instance, not shared.
    a, b = GeneralSettings(), GeneralSettings()
    a.blocked_types.append("mobile")
    assert b.blocked_types == []


def test_round_trip_load_save_load(config_file: Path, tmp_path: Path) -> None:
    first = load_config(config_file)
    out = tmp_path / "saved" / "config.toml"
    save_config(first, out)
    second = load_config(out)
    assert second.path == out
    first.path = second.path
    assert second == first
    # And saving again gives the very same text.
    assert dump_config(second) == out.read_text(encoding="utf-8")


def test_save_writes_a_private_file_with_a_header_and_no_secrets(
    tmp_path: Path, fake_provider_type: str
) -> None:
    profile = ProviderProfile(
        "office", "fake", {"url": "https://pbx.example.com", "password": "hunter2", "retries": 1}
    )
    config = Config(
        providers={"office": profile}, general=GeneralSettings(default_provider="office")
    )
    path = tmp_path / "cfg" / "config.toml"
    save_config(config, path)
    text = path.read_text(encoding="utf-8")
    assert "hunter2" not in text
    assert "password" not in tomllib.loads(text)["providers"]["office"]
    assert text.startswith("# dialer-gui settings")
    assert "keyring" in text.splitlines()[0] + text.splitlines()[1]
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["config.toml"]  # no temp file left
    assert load_config(path).providers["office"].options == {
        "url": "https://pbx.example.com",
        "retries": 1,
    }


def test_save_replaces_an_existing_file(config_file: Path) -> None:
    config = load_config(config_file)
    config.general.region = "GB"
    save_config(config)  # to config.path
    assert load_config(config_file).general.region == "GB"


def test_save_refuses_an_invalid_config_and_leaves_the_file(config_file: Path) -> None:
    before = config_file.read_text(encoding="utf-8")
    config = load_config(config_file)
    config.general.region = "Germany"
    with pytest.raises(ConfigFileError) as info:
        save_config(config)
    assert info.value.key == "general.region"
    assert config_file.read_text(encoding="utf-8") == before


def test_validate_config_checks_routes_and_default(fake_provider_type: str) -> None:
    config = Config(routes=[Route("*", "ghost")])
    with pytest.raises(ConfigError, match=r"routes\[1\]\.provider must name a profile"):
        validate_config(config)
    with pytest.raises(ConfigError, match=r"no \[providers\.ghost\]"):
        validate_config(Config(general=GeneralSettings(default_provider="ghost")))


def test_save_error_is_a_config_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ConfigError, match="cannot be saved"):
        save_config(Config(), blocker / "config.toml")


@pytest.mark.parametrize("match", ["extension", "*", "country:DE", "prefix:+44", "prefix:+1900"])
def test_valid_route_matches(match: str) -> None:
    assert Route(match, "office").match == match


@pytest.mark.parametrize(
    "match", ["", "country:XX", "country:de", "prefix:44", "prefix:+", "ext", "prefix:+4a"]
)
def test_invalid_route_matches(match: str) -> None:
    with pytest.raises(ValueError):
        Route(match, "office")


PROFILE = '[providers.office]\ntype = "fake"\nurl = "https://pbx.example.com"\n'

# (file text, expected line, expected key, a fragment of the message)
BAD: list[tuple[str, int | None, str, str]] = [
    ('version = 1\ncolour = "red"\n', 2, "colour", "colour is not a setting"),
    ('[general]\nregion = "XX"\n', 2, "general.region", "two-letter country code"),
    ("[general]\n\nregion = 49\n", 3, "general.region", "must be text in quotes, not 49"),
    ('[general]\nconfirm_links = "yes"\n', 2, "general.confirm_links", 'true or false, not "yes"'),
    ("[general]\nconfirm_countdown = true\n", 2, "general.confirm_countdown", "whole number"),
    ("[general]\nconfirm_countdown = 300\n", 2, "general.confirm_countdown", "between 0 and 60"),
    (
        "[general]\nextension_lengths = [6, 2]\n",
        2,
        "general.extension_lengths",
        "[shortest, longest]",
    ),
    (
        '[general]\nextension_lengths = ["3"]\n',
        2,
        "general.extension_lengths",
        "list of whole numbers",
    ),
    (
        '[general]\nalways_confirm_types = ["premium"]\n',
        2,
        "general.always_confirm_types",
        "unknown number types",
    ),
    ('[general]\nblocked_prefixes = ["1900"]\n', 2, "general.blocked_prefixes", "such as +1900"),
    ("[general]\nduplicate_window = -1\n", 2, "general.duplicate_window", "must not be negative"),
    ("[general]\nlink_rate_limit = 1.5\n", 2, "general.link_rate_limit", "whole number, not 1.5"),
    ("[general]\nspeed = 3\n", 2, "general.speed", "general.speed is not a setting"),
    ('general = "DE"\n', 1, "general", "must be a table"),
    (
        '[general]\ndefault_provider = "ghost"\n',
        2,
        "general.default_provider",
        "no [providers.ghost]",
    ),
    ("version = 2\n", 1, "version", "made by a newer dialer-gui"),
    ('version = "one"\n', 1, "version", "whole number"),
    ("version = 0\n", 1, "version", "1 or more"),
    ('[providers.office]\nurl = "https://x"\n', 1, "providers.office", "needs a type"),
    (
        '[providers.office]\ntype = "nokia"\n',
        2,
        "providers.office.type",
        "not a provider type; known types:",
    ),
    ('[providers.office]\ntype = "fake"\n', 1, "providers.office", "needs url"),
    (
        PROFILE + 'password = "hunter2"\n',
        4,
        "providers.office.password",
        "secrets belong in the keyring: run `dialer-gui secret set office password`",
    ),
    (
        PROFILE + '\n\n\ntimeout = "fast"\n',
        7,
        "providers.office.timeout",
        'providers.office.timeout must be a number, not "fast"',
    ),
    (
        PROFILE + 'pasword = "hunter2"\n',
        4,
        "providers.office.pasword",
        "not a setting of the fake provider",
    ),
    (PROFILE + 'mode = "c"\n', 4, "providers.office.mode", "must be one of a, b"),
    (PROFILE + "retries = 1.5\n", 4, "providers.office.retries", "whole number"),
    (PROFILE + "debug = 1\n", 4, "providers.office.debug", "true or false"),
    (PROFILE + 'headers = "X: 1"\n', 4, "providers.office.headers", "table of names and texts"),
    (
        PROFILE + 'rewrite = [["(", "x"]]\n',
        4,
        "providers.office.rewrite",
        "not a valid regular expression",
    ),
    (PROFILE + 'rewrite = ["^9"]\n', 4, "providers.office.rewrite", "rule 1 is"),
    (
        '[providers.office]\ntype = "fake"\nurl = "ftp://pbx"\n',
        3,
        "providers.office.url",
        "web address",
    ),
    (
        '[providers."my office"]\ntype = "fake"\n',
        1,
        "providers.my office",
        "cannot be a profile name",
    ),
    ("providers = 3\n", 1, "providers", "must be a table"),
    (
        PROFILE + '[[routes]]\nmatch = "country:XX"\nprovider = "office"\n',
        5,
        "routes[1].match",
        "country:DE",
    ),
    (
        PROFILE
        + '[[routes]]\nmatch = "*"\nprovider = "office"\n'
        + '[[routes]]\nmatch = "*"\nprovider = "home"\n',
        9,
        "routes[2].provider",
        'must name a profile in [providers]; not "home"',
    ),
    (
        PROFILE + '[[routes]]\nmatch = "*"\nprovider = "office"\nweight = 2\n',
        7,
        "routes[1].weight",
        "a route has match and provider",
    ),
    (PROFILE + '[[routes]]\nprovider = "office"\n', 4, "routes[1]", "routes[1].match must be"),
    ('routes = "all"\n', 1, "routes", "[[routes]] tables"),
    # Quoted, dotted and inline keys still find their line.
    (
        '[providers."office"]\ntype = "fake"\nurl = "https://x"\n"retries" = "x"\n',
        4,
        "providers.office.retries",
        "whole number",
    ),
    ('general.region = "XX"\n', 1, "general.region", "country code"),
    (
        '\n\nproviders = { office = { type = "fake", url = "https://x", retries = "x" } }\n',
        3,
        "providers.office.retries",
        "whole number",
    ),
    (
        's = """\n[general]\nregion = 1\n"""\n[general]\nregion = "XX"\n',
        1,
        "s",
        "s is not a setting",
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "key", "fragment"), BAD, ids=[b[2] + f"@{b[1]}" for b in BAD]
)
def test_errors_name_file_line_and_key(
    tmp_path: Path, fake_provider_type: str, text: str, line: int | None, key: str, fragment: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigFileError) as info:
        load_config(path)
    err = info.value
    assert (err.line, err.key) == (line, key)
    assert fragment in str(err)
    assert str(err).startswith(f"{path}, line {line}: ")
    assert err.path == path


def test_line_finder_skips_multiline_strings() -> None:
    text = 's = """\n[general]\nregion = 1\n"""\n[general]\nregion = "XX"\n'
    assert tomllines.find_line(text, ("general", "region")) == 6


def test_the_error_message_matches_the_documented_form(
    tmp_path: Path, fake_provider_type: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(PROFILE + '\n\n\ntimeout = "fast"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert (
        str(info.value) == f'{path}, line 7: providers.office.timeout must be a number, not "fast"'
    )


def test_secret_values_are_not_echoed(tmp_path: Path, fake_provider_type: str) -> None:
    for line in ('password = "hunter2"', 'pasword = "hunter2"', 'api_key = "hunter2"'):
        with pytest.raises(ConfigError) as info:
            parse_config(PROFILE + line + "\n", tmp_path / "c.toml")
        assert "hunter2" not in str(info.value)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("[general\nregion = 1\n", 1),
        ("version = 1\n\nregion = \n", 3),
        ('a = "x\n', 1),
        ("a = 1\na = 2\n", 2),
    ],
)
def test_toml_syntax_errors_name_the_line(tmp_path: Path, text: str, line: int) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigFileError, match="not valid TOML") as info:
        load_config(path)
    assert info.value.line == line
    assert str(info.value).startswith(f"{path}, line {line}: ")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'version = 1\n[general]\nregion = "\xff"\n')
    with pytest.raises(ConfigFileError, match="line 3: the config file must be saved as UTF-8"):
        load_config(path)


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot be read"):
        load_config(tmp_path)  # a directory


def test_unknown_provider_type_lists_known_types(tmp_path: Path, fake_provider_type: str) -> None:
    with pytest.raises(ConfigError, match=r"known types: .*fake"):
        parse_config('[providers.x]\ntype = "nope"\n', tmp_path / "c.toml")


def test_file_without_version_is_version_1(tmp_path: Path) -> None:
    assert parse_config('[general]\nregion = "GB"\n').version == 1


def test_migrations_upgrade_older_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Pretend version 2 renamed general.confirm_link to confirm_links.
    def v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
        general = data.get("general", {})
        if "confirm_link" in general:
            general["confirm_links"] = general.pop("confirm_link")
        return data

    monkeypatch.setattr(config_schema, "CURRENT_VERSION", 2)
    monkeypatch.setitem(config_mod.MIGRATIONS, 1, v1_to_v2)
    path = tmp_path / "config.toml"
    path.write_text("version = 1\n[general]\nconfirm_link = false\n", encoding="utf-8")
    config = load_config(path)
    assert config.general.confirm_links is False
    assert config.version == 2
    save_config(config)
    assert tomllib.loads(path.read_text(encoding="utf-8"))["version"] == 2


def test_too_large_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("# " + "x" * config_mod.MAX_SIZE + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="too large"):
        load_config(path)


def test_config_to_dict_is_plain_toml_data(config_file: Path) -> None:
    data = config_to_dict(load_config(config_file))
    assert data["version"] == 1
    assert data["providers"]["office"]["type"] == "fake"
    assert data["routes"][0] == {"match": "extension", "provider": "office"}
    assert tomllib.loads(dump_config(load_config(config_file))) == data


# --- paths --------------------------------------------------------------------------------


def test_paths_follow_the_xdg_dirs(isolated_dirs: dict[str, Path]) -> None:
    assert paths.config_path() == isolated_dirs["config"] / "dialer-gui" / "config.toml"
    assert paths.data_dir() == isolated_dirs["data"] / "dialer-gui"
    assert paths.history_path() == isolated_dirs["data"] / "dialer-gui" / "history.sqlite3"
    assert paths.log_dir().is_relative_to(isolated_dirs["state"])


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_ensure_private_dir_tightens_an_existing_dir(tmp_path: Path) -> None:
    loose = tmp_path / "loose"
    loose.mkdir(mode=0o755)
    loose.chmod(0o755)
    assert paths.ensure_private_dir(loose) == loose
    assert loose.stat().st_mode & 0o777 == 0o700
    nested = paths.ensure_private_dir(str(tmp_path / "a" / "b"))
    assert nested.is_dir()


def test_byte_order_mark_and_crlf_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'\xef\xbb\xbfversion = 1\r\n[general]\r\nregion = "GB"\r\n')
    assert load_config(path).general.region == "GB"


def test_unicode_line_separators_inside_strings_do_not_shift_lines(
    tmp_path: Path, fake_provider_type: str
) -> None:
    text = PROFILE + 'caller = "a\u2028b\x85c"\nretries = "x"\n'
    with pytest.raises(ConfigFileError) as info:
        parse_config(text, tmp_path / "c.toml")
    assert info.value.line == 5
