"""``dialer-gui contacts sync`` and ``dialer-gui contacts search`` against the real servers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures_radicale import CardDavUser, card
from fixtures_slapd import PEOPLE, READER_DN, READER_PASSWORD, SlapdServer

from dialer_gui import cli, contacts_command
from dialer_gui.core.secrets import SecretStore
from dialer_gui.directories.sync import MemorySink
from dialer_gui.exitcodes import ExitCode

pytestmark = pytest.mark.slow  # starts server processes


def write(path: Path, *tables: str) -> Path:
    path.write_text('version = 1\n[general]\nregion = "US"\n\n' + "\n".join(tables), "utf-8")
    return path


def carddav_table(name: str, user: CardDavUser, url: str = "") -> str:
    return (
        f'[directories.{name}]\ntype = "carddav"\nurl = "{url or user.server.url}"\n'
        f'user = "{user.name}"\n'
    )


def ldap_table(name: str, slapd: SlapdServer) -> str:
    return (
        f'[directories.{name}]\ntype = "ldap"\nurl = "{slapd.url}"\nbase_dn = "{PEOPLE}"\n'
        f'bind_dn = "{READER_DN}"\nca_file = "{slapd.ca.cert}"\n'
    )


def run(config: Path, *args: str, sink: MemorySink | None = None) -> int:
    ns = cli.build_parser().parse_args(["--config", str(config), "contacts", *args])
    return contacts_command.cmd_contacts(ns, sink_factory=lambda _config: sink or MemorySink())


def test_sync_reports_what_moved_and_a_second_sync_moves_nothing(
    tmp_path: Path, carddav_user: CardDavUser, capsys: pytest.CaptureFixture[str]
) -> None:
    carddav_user.put("jane.vcf", card("Jane Doe", ("WORK", "(212) 555-0100")))
    carddav_user.put("ext.vcf", card("Front Desk", ("WORK", "4711")))
    SecretStore().set("office", "password", carddav_user.password)
    config = write(tmp_path / "config.toml", carddav_table("office", carddav_user))
    sink = MemorySink()
    assert run(config, "sync", sink=sink) == ExitCode.OK
    assert capsys.readouterr().out.startswith("office: 2 added or changed, 0 removed, 0 unchanged")
    numbers = {c.name: c.numbers[0].number for c in sink.contacts["office"].values()}
    # Read as the dial pad reads numbers: E.164 in the configured region, or an extension.
    assert numbers == {"Jane Doe": "+12125550100", "Front Desk": "4711"}
    assert run(config, "sync", "office", sink=sink) == ExitCode.OK
    assert capsys.readouterr().out.startswith("office: 0 added or changed, 0 removed, 2 unchanged")


def test_one_directory_down_is_reported_and_the_others_still_sync(
    tmp_path: Path, carddav_user: CardDavUser, capsys: pytest.CaptureFixture[str]
) -> None:
    carddav_user.put("jane.vcf", card("Jane Doe", ("WORK", "+1 212 555 0100")))
    SecretStore().set("office", "password", carddav_user.password)
    SecretStore().set("old", "password", "pw")
    config = write(
        tmp_path / "config.toml",
        carddav_table("old", carddav_user, url="http://127.0.0.1:1/dav/"),
        carddav_table("office", carddav_user),
    )
    sink = MemorySink()
    assert run(config, "sync", sink=sink) == ExitCode.CALL_FAILED
    out, err = capsys.readouterr()
    assert "Could not reach the directory “old”" in err and "Traceback" not in err
    assert out.startswith("office: 1 added or changed")
    assert sink.names("office") == ["Jane Doe"]


def test_unknown_or_missing_directories_are_usage_errors(
    tmp_path: Path, slapd: SlapdServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write(tmp_path / "config.toml", ldap_table("corp", slapd))
    assert run(config, "sync") == ExitCode.NO_PROVIDER  # an LDAP directory is not synced
    assert "no CardDAV directory is configured" in capsys.readouterr().err
    assert run(config, "search", "jane", "--directory", "nope") == ExitCode.USAGE
    assert "there is no such directory “nope”; configured: corp." in capsys.readouterr().err
    broken = tmp_path / "broken.toml"
    broken.write_text("[directories.x]\ntype = 3\n", "utf-8")
    assert run(broken, "search", "jane") == ExitCode.CONFIG


def test_search_lists_each_number_with_its_label_as_json(
    tmp_path: Path, slapd: SlapdServer, capsys: pytest.CaptureFixture[str]
) -> None:
    SecretStore().set("corp", "password", READER_PASSWORD)
    config = write(tmp_path / "config.toml", ldap_table("corp", slapd))
    assert run(config, "search", "jane", "--json") == ExitCode.OK
    rows = json.loads(capsys.readouterr().out)
    assert [(r["name"], r["label"], r["number"]) for r in rows] == [
        ("Jane Doe (Sales)", "work", "+12125550100"),
        ("Jane Doe (Sales)", "mobile", "+19175550101"),
        ("Jane Doe (Sales)", "extension", "4711"),
        ("Jane Doe (Sales)", "fax", "+12125550199"),
    ]
    assert {r["directory"] for r in rows} == {"corp"}
    assert run(config, "search", "nobody-is-called-this") == ExitCode.OK
    assert capsys.readouterr().out == "No contact found.\n"


def test_search_with_the_wrong_password_says_so_plainly(
    tmp_path: Path, slapd: SlapdServer, capsys: pytest.CaptureFixture[str]
) -> None:
    SecretStore().set("corp", "password", "not-it")
    config = write(tmp_path / "config.toml", ldap_table("corp", slapd))
    assert run(config, "search", "jane") == ExitCode.CALL_FAILED
    err = capsys.readouterr().err
    assert "The directory “corp” refused the user name or password." in err
    assert "dialer-gui secret set NAME password" in err and "not-it" not in err


def test_the_command_line_runs_it_with_the_secret_from_the_keyring(
    tmp_path: Path, slapd: SlapdServer
) -> None:
    config = write(tmp_path / "config.toml", ldap_table("corp", slapd))
    env = {**os.environ, "DIALER_GUI_CONFIG": str(config)}
    stored = subprocess.run(
        [sys.executable, "-m", "dialer_gui", "secret", "set", "corp", "password"],
        input=READER_PASSWORD + "\n", env=env, capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip
    assert stored.returncode == 0, stored.stderr
    assert "Stored corp/password" in stored.stdout
    env["DIALER_GUI_TEST_SECRETS"] = json.dumps({"dialer-gui|corp/password": READER_PASSWORD})
    done = subprocess.run(
        [sys.executable, "-m", "dialer_gui", "contacts", "search", "staff member 07"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "Staff Member 07 (Acme Corp)  work  +12125550207  [corp]",
        "Staff Member 07 (Acme Corp)  extension  507  [corp]",
    ]
