"""`dialer-gui contacts ...` and `dialer-gui call NAME` as a user runs them, in a subprocess,
against the simulated PBX and a phone book in the test's own data folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures_radicale import CardDavUser, card

from dialer_gui import contacts_command
from dialer_gui.cli import build_parser
from dialer_gui.core.config import Config, GeneralSettings, save_config
from dialer_gui.core.contacts.store import ContactStore
from dialer_gui.core.history import HistoryStore
from dialer_gui.core.paths import contacts_path, history_path
from dialer_gui.core.secrets import SecretStore
from dialer_gui.exitcodes import ExitCode
from dialer_gui.sandbox import SandboxThread
from dialer_gui.sandbox.demo import demo_profiles, demo_secrets
from dialer_gui.vocabulary.contacts import Contact, ContactNumber

pytestmark = pytest.mark.slow

DATA = Path(__file__).parent / "data" / "contacts"


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dialer_gui", *args],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.fixture
def env(sandbox: SandboxThread, isolated_dirs: dict[str, Path]) -> dict[str, str]:
    # No duplicate window: the tests call the same contact twice on purpose.
    settings = GeneralSettings(region="GB", default_provider="demo-simotel", duplicate_window=0)
    config = Config(general=settings, providers=demo_profiles(sandbox.base_url))
    save_config(config, isolated_dirs["config"] / "dialer-gui" / "config.toml")
    preload = {f"dialer-gui|{p}/{f}": v for p, fs in demo_secrets().items() for f, v in fs.items()}
    return {**os.environ, "DIALER_GUI_TEST_SECRETS": json.dumps(preload)}


def add(*contacts: tuple[str, list[tuple[str, str, str]]]) -> None:
    with ContactStore(contacts_path()) as store:
        for name, numbers in contacts:
            store.add(Contact(name=name, numbers=tuple(ContactNumber(*n) for n in numbers)))


def test_import_reports_counts_and_skips_then_reimport_changes_nothing(
    env: dict[str, str],
) -> None:
    first = cli("contacts", "import", str(DATA / "broken-mid.vcf"), env=env)
    assert first.returncode == ExitCode.OK, first.stderr
    assert "(vCard): 4 added, 0 updated, 0 unchanged, 3 skipped." in first.stdout
    assert "line 11 (Third Person): its line 14 is not a vCard property" in first.stdout
    again = cli("contacts", "import", "--json", str(DATA / "broken-mid.vcf"), env=env)
    report = json.loads(again.stdout)
    assert (report["added"], report["updated"], report["unchanged"]) == (0, 0, 4)
    assert report["skipped"][1] == {
        "line": 17,
        "name": "Fourth Person",
        "reason": "the card has no END:VCARD line",
    }
    assert contacts_path().stat().st_mode & 0o777 == 0o600


def test_csv_import_uses_the_configured_region(env: dict[str, str]) -> None:
    done = cli("contacts", "import", str(DATA / "thunderbird-uk.csv"), env=env)
    assert "(Thunderbird CSV): 1 added" in done.stdout, done.stderr
    [oliver] = json.loads(cli("contacts", "list", "--json", env=env).stdout)
    assert [n["number"] for n in oliver["numbers"]] == ["+441614960123", "+447700900789"]


def test_a_file_that_holds_no_contacts_changes_nothing(env: dict[str, str], tmp_path: Path) -> None:
    cli("contacts", "import", str(DATA / "apple-3.0.vcf"), env=env)
    before = cli("contacts", "list", "--json", env=env).stdout
    junk = tmp_path / "report.xlsx"
    junk.write_bytes(b"PK\x03\x04" + os.urandom(2000))
    done = cli("contacts", "import", str(junk), env=env)
    assert done.returncode == ExitCode.INPUT
    assert "neither a vCard file nor a contacts export" in done.stderr
    assert "Traceback" not in done.stderr
    missing = cli("contacts", "import", str(tmp_path / "nope.vcf"), env=env)
    assert missing.returncode == ExitCode.INPUT and "There is no file" in missing.stderr
    assert cli("contacts", "list", "--json", env=env).stdout == before


def test_list_and_search_find_by_name_keypad_and_number(env: dict[str, str]) -> None:
    assert cli("contacts", "list", env=env).stdout.strip() == "No contacts yet."
    cli("contacts", "import", str(DATA / "android-2.1.vcf"), env=env)
    cli("contacts", "import", str(DATA / "apple-3.0.vcf"), env=env)
    listed = cli("contacts", "list", env=env).stdout.splitlines()
    assert len(listed) == 11  # one line per number
    assert any("Johnny Appleseed" in line and "+14085550123" in line for line in listed)
    keypad = json.loads(cli("contacts", "search", "--json", "5646", env=env).stdout)
    assert {r["name"] for r in keypad} == {"Johnny Appleseed"}  # J-O-H-N
    by_number = json.loads(cli("contacts", "search", "--json", "495 987", env=env).stdout)
    assert {r["name"] for r in by_number} == {"Иван Петров"}
    assert by_number[1] == {
        "name": "Иван Петров",
        "organisation": "",
        "label": "work",
        "number": "+74959876543",
        "written": "+7 495 987-65-43",
        "directory": "local",
        "id": by_number[0]["id"],
    }
    text = cli("contacts", "search", "johnny", env=env).stdout.splitlines()
    assert text[0] == "Johnny Appleseed (Apple Inc.)  mobile  +14085550123  [local]"
    none = cli("contacts", "search", "nobody", env=env)
    assert none.returncode == 0 and none.stdout.strip() == "No contact found."
    assert cli("contacts", "list", "nobody", env=env).stdout.strip() == "No contacts match."


def test_export_writes_a_private_vcard_that_imports_back(
    env: dict[str, str], tmp_path: Path
) -> None:
    cli("contacts", "import", str(DATA / "nextcloud-4.0.vcf"), env=env)
    out = tmp_path / "backup.vcf"
    done = cli("contacts", "export", str(out), env=env)
    assert done.returncode == 0 and "Exported 2 contacts" in done.stdout, done.stderr
    assert out.stat().st_mode & 0o777 == 0o600
    assert out.read_text(encoding="utf-8").count("BEGIN:VCARD") == 2
    again = cli("contacts", "import", str(out), env=env)
    assert "0 added, 0 updated, 2 unchanged" in again.stdout, again.stderr


def test_add_and_delete_and_directory_contacts_stay(env: dict[str, str]) -> None:
    added = cli("contacts", "add", "--json", "Nina Patel", "mobile:07700 900111", "2042",
                "--org", "Patel & Co", env=env)  # fmt: skip
    assert added.returncode == 0, added.stderr
    nina = json.loads(added.stdout)
    assert [(n["label"], n["number"]) for n in nina["numbers"]] == [
        ("mobile", "+447700900111"),
        ("extension", "2042"),
    ]
    bad = cli("contacts", "add", "Nobody", "not a number", env=env)
    assert bad.returncode == 0 and "is not a number dialer-gui can dial" in bad.stderr
    with ContactStore(contacts_path()) as store:
        store.replace_source(
            "office",
            [Contact(name="Desk", numbers=(ContactNumber("work", "200", "200"),), uid="d")],
        )
        desk = store.all("office")[0]
    refused = cli("contacts", "delete", str(desk.id), env=env)
    assert refused.returncode == ExitCode.USAGE and "read-only here" in refused.stderr
    gone = cli("contacts", "delete", str(nina["id"]), env=env)
    assert gone.returncode == 0 and "Deleted" in gone.stdout
    assert cli("contacts", "delete", str(nina["id"]), env=env).returncode == ExitCode.USAGE
    assert [c["name"] for c in json.loads(cli("contacts", "list", "--json", env=env).stdout)] == [
        "Desk",
        "Nobody",
    ]


def test_call_by_name_dials_the_one_number_and_the_history_says_who(
    sandbox: SandboxThread, env: dict[str, str]
) -> None:
    add(("Jane Doe", [("mobile", "07911 123456", "+447911123456")]))
    done = cli("call", "--json", "jane doe", env=env)
    assert done.returncode == ExitCode.OK, done.stderr
    result = json.loads(done.stdout)
    assert result["number"] == "+447911123456" and result["contact"] == "Jane Doe"
    assert len(sandbox.requests) == 1
    text = cli("call", "Jane", env=env)  # one word that begins her name
    assert "Calling Jane Doe (+44 7911 123456) via demo-simotel" in text.stdout, text.stderr
    with HistoryStore(history_path(), read_only=True) as history:
        rows = history.query(limit=5)
    assert [(r.raw_input, r.contact, r.display, r.number) for r in rows] == [
        ("Jane", "Jane Doe", "Jane Doe (+44 7911 123456)", "+447911123456"),
        ("jane doe", "Jane Doe", "Jane Doe (+44 7911 123456)", "+447911123456"),
    ]
    found = json.loads(cli("history", "--json", "--search", "jane doe", env=env).stdout)
    assert len(found) == 2


def test_call_by_name_with_several_choices_lists_them_and_dials_nothing(
    sandbox: SandboxThread, env: dict[str, str]
) -> None:
    add(
        ("Jane Doe", [("mobile", "07911 123456", "+447911123456")]),
        ("Jane Roe", [("work", "020 7946 0001", "+442079460001")]),
        ("Bob Stone", [("mobile", "07911 123457", "+447911123457"),
                       ("work", "020 7946 0002", "+442079460002")]),
    )  # fmt: skip
    several = cli("call", "--json", "jane", env=env)
    assert several.returncode == ExitCode.INPUT
    assert json.loads(several.stdout) == [
        {"name": "Jane Doe", "organisation": "", "label": "mobile", "number": "+447911123456",
         "written": "07911 123456", "source": "local"},
        {"name": "Jane Roe", "organisation": "", "label": "work", "number": "+442079460001",
         "written": "020 7946 0001", "source": "local"},
    ]  # fmt: skip
    assert "“jane” matches 2 numbers; run again with the one to call" in several.stderr
    bob = cli("call", "Bob Stone", env=env)
    assert bob.returncode == ExitCode.INPUT
    assert "Bob Stone, mobile: 07911 123457" in bob.stderr
    assert "Bob Stone, work: 020 7946 0002" in bob.stderr
    assert sandbox.requests == []
    # The exact whole name wins over names it begins: "Jane Doe" is not also "Jane Doeson".
    add(("Jane Doeson", [("mobile", "07911 123999", "+447911123999")]))
    exact = cli("call", "--json", "--dry-run", "Jane Doe", env=env)
    assert json.loads(exact.stdout)["number"] == "+447911123456", exact.stderr


def test_text_that_names_nobody_is_refused_as_before(
    sandbox: SandboxThread, env: dict[str, str]
) -> None:
    add(("Jane Doe", [("mobile", "not a number", "")]))
    undialable = cli("call", "Jane Doe", env=env)
    assert undialable.returncode == ExitCode.INPUT
    assert "with no number dialer-gui can dial" in undialable.stderr
    nobody = cli("call", "Nobody Here", env=env)
    assert nobody.returncode == ExitCode.INPUT
    assert "no phone number found in that text" in nobody.stderr
    # Text with one number in it still dials that number.
    one = cli("call", "--json", "Please call Jo on 020 7946 0958", env=env)
    assert json.loads(one.stdout)["number"] == "+442079460958"
    assert json.loads(one.stdout)["contact"] is None
    assert len(sandbox.requests) == 1


def test_a_damaged_phone_book_is_named_and_calls_by_number_still_work(
    sandbox: SandboxThread, env: dict[str, str]
) -> None:
    contacts_path().parent.mkdir(parents=True, exist_ok=True)
    contacts_path().write_bytes(b"not a database " * 500)
    listed = cli("contacts", "list", env=env)
    assert listed.returncode == ExitCode.ERROR
    assert "The phone book file at" in listed.stderr and "is damaged" in listed.stderr
    assert "Traceback" not in listed.stderr
    by_name = cli("call", "Jane Doe", env=env)
    assert by_name.returncode == ExitCode.INPUT
    assert "Names cannot be dialed until it is fixed" in by_name.stderr
    by_number = cli("call", "--json", "020 7946 0958", env=env)
    assert json.loads(by_number.stdout)["status"] == "accepted", by_number.stderr


def test_sync_writes_the_directory_into_the_phone_book_read_only(
    isolated_dirs: dict[str, Path], carddav_user: CardDavUser, capsys: pytest.CaptureFixture[str]
) -> None:
    carddav_user.put("jane.vcf", card("Jane Doe", ("WORK", "(212) 555-0100")))
    carddav_user.put("desk.vcf", card("Front Desk", ("WORK", "4711")))
    SecretStore().set("office", "password", carddav_user.password)
    config = isolated_dirs["config"] / "config.toml"
    config.write_text(
        'version = 1\n[general]\nregion = "US"\n\n[directories.office]\ntype = "carddav"\n'
        f'url = "{carddav_user.server.url}"\nuser = "{carddav_user.name}"\n',
        encoding="utf-8",
    )

    def run(*args: str) -> int:
        ns = build_parser().parse_args(["--config", str(config), "contacts", *args])
        return contacts_command.cmd_contacts(ns)  # the default sink: the phone book

    assert run("sync") == ExitCode.OK
    assert capsys.readouterr().out.startswith("office: 2 added or changed")
    with ContactStore(contacts_path(), read_only=True) as store:
        synced = {c.name: (c.source, c.numbers[0].number) for c in store.all()}
    assert synced == {"Jane Doe": ("office", "+12125550100"), "Front Desk": ("office", "4711")}
    assert run("sync") == ExitCode.OK  # the stored sync state: nothing moves the second time
    assert capsys.readouterr().out.startswith("office: 0 added or changed, 0 removed, 2 unchanged")
    carddav_user.delete("desk.vcf")
    assert run("sync") == ExitCode.OK
    assert "1 removed" in capsys.readouterr().out
    assert run("search", "--json", "jane") == ExitCode.OK
    [row] = json.loads(capsys.readouterr().out)
    assert (row["name"], row["number"], row["directory"]) == ("Jane Doe", "+12125550100", "office")
    assert run("delete", str(row["id"])) == ExitCode.USAGE
    assert "read-only here" in capsys.readouterr().err


def test_a_number_typed_as_digits_is_named_in_the_call_and_the_history(
    sandbox: SandboxThread, env: dict[str, str]
) -> None:
    add(("Jane Doe", [("mobile", "07911 123456", "+447911123456")]))
    done = cli("call", "--json", "07911 123456", env=env)
    assert done.returncode == ExitCode.OK, done.stderr
    assert json.loads(done.stdout)["contact"] == "Jane Doe"
    assert cli("call", "--json", "020 7946 0958", env=env).returncode == ExitCode.OK
    rows = json.loads(cli("history", "--json", env=env).stdout)
    assert [(r["contact"], r["number"]) for r in rows] == [
        (None, "+442079460958"),
        ("Jane Doe", "+447911123456"),
    ]
    lines = cli("history", env=env).stdout.splitlines()
    # The name in a column of its own, the number beside it, shown once.
    assert "  Jane Doe  +44 7911 123456  " in lines[1]
    assert "Jane Doe" not in lines[0] and "+44 20 7946 0958" in lines[0]
