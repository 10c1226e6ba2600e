"""Directories in config.toml: ``[directories.NAME]`` tables, checked like provider profiles."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest

from dialer_gui.core.config import load_config, parse_config, save_config
from dialer_gui.directories import DIRECTORIES, directory_class
from dialer_gui.directories.base import DirectoryProfile, SearchedDirectory, SyncedDirectory
from dialer_gui.errors import ConfigError

CONFIG = """\
version = 1

[general]
region = "US"

[directories.office]
type = "carddav"
url = "https://cloud.example.com/remote.php/dav"
user = "reception"   # the phone book account

[directories.corp]
type = "ldap"
url = "ldaps://dc1.example.com"
base_dn = "ou=Staff,dc=example,dc=com"
bind_dn = "cn=phonebook,ou=Service,dc=example,dc=com"
max_results = 20
number_attributes = { telephoneNumber = "work", ipPhone = "extension" }
"""


def problem(text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, Path("/home/u/config.toml"))
    return str(caught.value)


def test_both_kinds_load_with_their_options_and_defaults() -> None:
    config = parse_config(CONFIG)
    office, corp = config.directories["office"], config.directories["corp"]
    assert office == DirectoryProfile(
        "office",
        "carddav",
        {"url": "https://cloud.example.com/remote.php/dav", "user": "reception"},
    )
    assert corp.options["max_results"] == 20
    assert corp.options["number_attributes"] == {"telephoneNumber": "work", "ipPhone": "extension"}
    d = directory_class("ldap")(corp, {"password": "x"})
    assert d.option("page_size") == 100 and d.option("starttls") is True
    assert d.option("timeout") == 10.0


def test_the_registry_names_one_synced_and_one_searched_type() -> None:
    kinds = {name: directory_class(name) for name in DIRECTORIES}
    assert issubclass(kinds["carddav"], SyncedDirectory)
    assert issubclass(kinds["ldap"], SearchedDirectory)
    for name, cls in kinds.items():
        assert cls.type_name == name and cls.label
        assert cls.secret_names() == ("password",)
        example = DIRECTORIES[name].example
        text = f'[directories.sample]\ntype = "{name}"\n' + "".join(
            f'{key} = "{value}"\n' for key, value in example.items()
        )
        assert parse_config(text).directories["sample"].type == name


LDAP = 'type = "ldap"\nurl = "ldap://dc1"\nbase_dn = "dc=x"\n'
DAV = 'type = "carddav"\nurl = "https://a"\n'


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ('type = "x500"', 'directories.d.type must be one of: carddav, ldap; not "x500"'),
        ('url = "https://a.example"', "directories.d.type must be one of"),
        ('type = "carddav"', "directories.d needs url (Server address)"),
        (DAV + 'colour = "red"', "directories.d.colour is not a setting"),
        ('type = "carddav"\nurl = "ftp://a"', "directories.d.url must be a web address"),
        ('type = "ldap"\nurl = "https://dc1"\nbase_dn = "dc=x"',
         "directories.d.url must be an address such as ldaps://"),
        (LDAP + 'filter = "objectClass=person"',
         "directories.d.filter must be one LDAP filter in parentheses"),
        (LDAP + 'search_attributes = ["cn)(uid=*"]',
         "directories.d.search_attributes must hold attribute names only"),
        (LDAP + 'number_attributes = { mobile = "cell" }', "maps to unknown labels ['cell']"),
        (LDAP + "max_results = 0", "directories.d.max_results must be between 1 and 1000"),
        (DAV + "timeout = 0", "directories.d.timeout must be more than 0"),
    ],
)  # fmt: skip
def test_a_wrong_directory_table_names_file_line_and_key(table: str, expected: str) -> None:
    message = problem(f"version = 1\n\n[directories.d]\n{table}\n")
    assert message.startswith("/home/u/config.toml, line ")
    assert expected in message


def test_a_password_in_the_file_is_refused_and_not_repeated() -> None:
    message = problem(
        '[directories.d]\ntype = "carddav"\nurl = "https://a"\npassword = "hunter2x"\n'
    )
    assert "dialer-gui secret set d password" in message
    assert "hunter2x" not in message
    in_url = problem('[directories.d]\ntype = "carddav"\nurl = "https://me:hunter2x@a.example"\n')
    assert "must not hold a user name or password" in in_url and "hunter2x" not in in_url


def test_a_directory_cannot_share_a_name_with_a_provider_profile(fake_provider_type: str) -> None:
    # Both keep their secrets in the keyring as NAME/FIELD.
    text = (
        '[providers.office]\ntype = "fake"\nurl = "https://pbx.example.com"\n\n'
        '[directories.office]\ntype = "carddav"\nurl = "https://dav.example.com"\n'
    )
    assert "directories.office has the name of a provider profile" in problem(text)


def test_a_secret_pasted_into_an_option_is_warned_about() -> None:
    config = parse_config(
        '[directories.d]\ntype = "ldap"\nurl = "ldaps://dc1"\nbase_dn = "dc=x"\n'
        'bind_dn = "Bearer abcdefghijklmnop"\n'
    )
    assert [w.split(" it ")[0] for w in config.warnings] == ["directories.d.bind_dn"]


def test_saving_other_settings_keeps_the_directory_tables_as_written(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    config = load_config(path)
    config.general = dataclasses.replace(config.general, region="DE")
    save_config(config, path)
    text = path.read_text(encoding="utf-8")
    assert 'region = "DE"' in text
    assert 'user = "reception"   # the phone book account' in text  # the comment survives
    assert tomllib.loads(text)["directories"] == tomllib.loads(CONFIG)["directories"]
    assert load_config(path).directories == parse_config(CONFIG).directories


def test_a_directory_added_in_code_is_written_without_its_secret(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    config = load_config(path)
    config.directories["office"] = DirectoryProfile(
        "office", "carddav", {"url": "https://dav.example.com", "user": "me", "password": "pw"}
    )
    save_config(config, path)
    saved = tomllib.loads(path.read_text(encoding="utf-8"))["directories"]["office"]
    assert saved == {"type": "carddav", "url": "https://dav.example.com", "user": "me"}
