"""The single-instance protocol: names, encoding, validation and the stdlib client."""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dialer_gui import ipc
from dialer_gui.errors import IPCError
from dialer_gui.ipc import Message


@pytest.fixture
def short_dir() -> Iterator[Path]:
    """A short private directory: socket paths must stay under ~100 bytes."""
    path = Path(tempfile.mkdtemp(prefix="dg-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def line(**fields: object) -> bytes:
    return json.dumps(fields).encode() + b"\n"


GOOD = {"v": 1, "kind": "dial", "arg": "tel:+12015550123", "source": "link"}


def with_(**changes: object) -> bytes:
    fields = {**GOOD, **changes}
    return line(**{k: v for k, v in fields.items() if v is not DROP})


DROP = object()

# --- encoding -------------------------------------------------------------------------------


def test_encode_is_one_compact_json_line() -> None:
    data = ipc.encode(Message("dial", "tel:+12015550123", "link"))
    assert data == b'{"v":1,"kind":"dial","arg":"tel:+12015550123","source":"link"}\n'


def test_encode_refuses_what_decode_would_refuse() -> None:
    with pytest.raises(IPCError, match="option"):
        ipc.encode(Message("dial", "--help", "cli"))


@pytest.mark.parametrize(
    "message",
    [
        Message("dial", "tel:+1-201-555-0123"),
        Message("dial", "TEL:+12015550123"),
        Message("dial", "tel://+12015550123"),
        Message("dial", "callto:+12015550123"),
        Message("dial", "sip:1234@pbx.example.com"),
        Message("dial", "sips:+15551234567@example.com;user=phone"),
        Message("dial", "tel:7042;phone-context=+1-914-555"),
        Message("dial", "+1 (201) 555-0123", "cli"),
        Message("dial", "1-800-FLOWERS", "clipboard"),
        Message("dial", "0201.555.0123", "cli"),
        Message("dial", "42", "cli"),
        Message("show", "", "cli"),
        Message("dial_clipboard", "", "cli"),
    ],
)
def test_round_trip(message: Message) -> None:
    assert ipc.decode(ipc.encode(message)) == message


def test_decode_defaults_and_optional_newline() -> None:
    assert ipc.decode(b'{"v":1,"kind":"show"}') == Message("show", "", "link")


def test_non_ascii_is_escaped_so_size_is_bytes() -> None:
    with pytest.raises(IPCError):
        ipc.encode(Message("dial", "tel:+1٢٣"))
    assert ipc.encode(Message("show")).isascii()


# --- every rejection ------------------------------------------------------------------------

REJECTED = {
    "too large": (b'{"v":1,"kind":"show","arg":"' + b" " * 5000 + b'"}', "larger"),
    "exactly one byte over": (b"x" * (ipc.MAX_MESSAGE + 1), "larger"),
    "not utf-8": (b'{"v":1,"kind":"dial","arg":"\xff"}', "UTF-8"),
    "not json": (b"dial tel:123\n", "JSON"),
    "empty": (b"\n", "JSON"),
    "deep nesting": (b"[" * 3000, "JSON"),
    "huge integer": (b'{"v":' + b"9" * 4400 + b"}", "JSON|larger"),
    "json array": (b'["dial","tel:1"]\n', "object"),
    "json string": (b'"show"\n', "object"),
    "missing version": (with_(v=DROP), "version"),
    "version 2": (with_(v=2), "version 2"),
    "version 0": (with_(v=0), "version 0"),
    "version as text": (with_(v="1"), "version"),
    "version true": (with_(v=True), "version"),
    "version float": (with_(v=1.0), "version"),
    "missing kind": (with_(kind=DROP), "what to do"),
    "unknown kind": (with_(kind="exec"), "unknown kind"),
    "kind not text": (with_(kind=["dial"]), "unknown kind"),
    "arg not text": (with_(arg=12015550123), "not text"),
    "arg null": (with_(arg=None), "not text"),
    "source not text": (with_(source=1), "source"),
    "unknown source": (with_(source="web"), "source"),
    "unknown key": (with_(cwd="/tmp"), "unknown fields: cwd"),
    "duplicate key": (b'{"v":1,"kind":"show","kind":"dial","arg":"1"}', "twice"),
    "arg too long": (with_(arg="tel:+1" + "0" * 600), "too long"),
    "newline in arg": (with_(arg="tel:+1201\n5550123"), "control"),
    "nul in arg": (with_(arg="123\x00"), "control"),
    "escape in arg": (with_(arg="\x1b[31m123"), "control"),
    "c1 control in arg": (with_(arg="123\x85"), "control"),
    "bidi override in arg": (with_(arg="tel:+1\u202e3210"), "invisible"),
    "zero width in arg": (with_(arg="12\u200b34"), "invisible"),
    "option injection": (with_(arg="--config=/tmp/evil"), "option"),
    "option after space": (with_(arg="  -x"), "option"),
    "dial without arg": (with_(arg=""), "no number"),
    "dial with blank arg": (with_(arg="   "), "no number"),
    "show with arg": (with_(kind="show", arg="123"), "takes no argument"),
    "clipboard with arg": (with_(kind="dial_clipboard", arg="123"), "takes no argument"),
    "other scheme": (with_(arg="https://example.com/123"), "neither"),
    "file link": (with_(arg="file:///etc/passwd"), "neither"),
    "shell text": (with_(arg="123; rm -rf ~"), "neither"),
    "no digits": (with_(arg="FLOWERS"), "neither"),
    "unicode digits": (with_(arg="١٢٣٤"), "neither"),
    "number text too long": (with_(arg="1" * 65), "too long"),
    "link with query": (with_(arg="tel:+12015550123?body=x"), "query"),
    "link with password": (with_(arg="sip:1234:secret@pbx"), "password"),
    "link without number": (with_(arg="tel:"), "no number"),
    "link with user name": (with_(arg="callto:alice"), "user"),
    "link with encoded newline": (with_(arg="tel:+1201%0A5550123"), "control"),
}


@pytest.mark.parametrize(("data", "reason"), REJECTED.values(), ids=REJECTED.keys())
def test_decode_rejects(data: bytes, reason: str) -> None:
    with pytest.raises(IPCError, match=reason):
        ipc.decode(data)


def test_rejection_messages_are_single_plain_lines() -> None:
    for data, _ in REJECTED.values():
        with pytest.raises(IPCError) as info:
            ipc.decode(data)
        text = str(info.value)
        assert text and "\n" not in text and text[0].isupper()


# --- socket name ----------------------------------------------------------------------------


def test_socket_name_is_stable_and_in_the_runtime_dir(short_dir: Path) -> None:
    name = ipc.socket_name(str(short_dir))
    assert name == ipc.socket_name(str(short_dir))
    path = Path(name)
    assert path.parent == short_dir / "dialer-gui"
    assert path.name == f"ipc-{os.getuid()}"


def test_socket_name_defaults_to_xdg_runtime_dir(
    short_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(short_dir))
    assert ipc.socket_name() == ipc.socket_name(str(short_dir))


def test_socket_name_is_per_user(short_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "getuid", lambda: 1000)
    alice = ipc.socket_name(str(short_dir))
    monkeypatch.setattr(os, "getuid", lambda: 1001)
    bob = ipc.socket_name(str(short_dir))
    assert alice != bob
    assert Path(alice).parent == Path(bob).parent


def test_socket_name_without_runtime_dir_uses_the_users_cache_folder(
    monkeypatch: pytest.MonkeyPatch, isolated_dirs: dict[str, Path]
) -> None:
    """Not a fixed name in the shared temp dir, which another user could create first."""
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    name = Path(ipc.socket_name())
    assert name.parent == isolated_dirs["cache"] / "dialer-gui"


def test_socket_name_too_long_for_a_socket_falls_back(
    monkeypatch: pytest.MonkeyPatch, isolated_dirs: dict[str, Path]
) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", "/run/" + "x" * 120)
    name = ipc.socket_name()
    assert len(name.encode()) <= 100
    assert Path(name).parent == isolated_dirs["cache"] / "dialer-gui"


def test_prepare_socket_dir_is_private(short_dir: Path) -> None:
    name = ipc.socket_name(str(short_dir))
    ipc.prepare_socket_dir(name)
    mode = stat.S_IMODE(os.stat(Path(name).parent).st_mode)
    assert mode == 0o700


def test_prepare_socket_dir_tightens_an_open_dir(short_dir: Path) -> None:
    name = ipc.socket_name(str(short_dir))
    Path(name).parent.mkdir(mode=0o755)
    os.chmod(Path(name).parent, 0o755)
    ipc.prepare_socket_dir(name)
    assert stat.S_IMODE(os.stat(Path(name).parent).st_mode) == 0o700


def test_prepare_socket_dir_refuses_a_symlink(short_dir: Path) -> None:
    elsewhere = short_dir / "elsewhere"
    elsewhere.mkdir()
    name = ipc.socket_name(str(short_dir))
    Path(name).parent.symlink_to(elsewhere)
    with pytest.raises(IPCError, match="not owned by you"):
        ipc.prepare_socket_dir(name)


# --- the client -----------------------------------------------------------------------------


def test_send_without_server_returns_false(short_dir: Path) -> None:
    assert ipc.send(Message("show", "", "cli"), name=ipc.socket_name(str(short_dir))) is False


def test_send_with_stale_socket_returns_false(short_dir: Path) -> None:
    name = ipc.socket_name(str(short_dir))
    ipc.prepare_socket_dir(name)
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(name)
    dead.close()  # the file stays, as after a crash
    assert Path(name).exists()
    assert ipc.send(Message("show", "", "cli"), name=name) is False


def test_send_with_regular_file_returns_false(short_dir: Path) -> None:
    name = ipc.socket_name(str(short_dir))
    ipc.prepare_socket_dir(name)
    Path(name).write_text("not a socket")
    assert ipc.send(Message("show", "", "cli"), name=name) is False


def test_send_refuses_an_invalid_message_before_connecting(short_dir: Path) -> None:
    with pytest.raises(IPCError, match="option"):
        ipc.send(Message("dial", "-e", "cli"), name=ipc.socket_name(str(short_dir)))


@pytest.fixture
def fake_instance(short_dir: Path) -> Iterator[Callable[[bytes | None], tuple[str, list[bytes]]]]:
    """A stdlib server answering every connection with a fixed reply (None: never answer)."""
    servers: list[socket.socket] = []
    stop = threading.Event()

    def start(reply: bytes | None) -> tuple[str, list[bytes]]:
        name = ipc.socket_name(str(short_dir))
        ipc.prepare_socket_dir(name)
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(name)
        server.listen()
        servers.append(server)
        seen: list[bytes] = []

        def serve() -> None:
            conn, _ = server.accept()
            with conn:
                seen.append(conn.recv(ipc.MAX_MESSAGE + 1))
                if reply is not None:
                    conn.sendall(reply)
                else:
                    stop.wait(5)

        threading.Thread(target=serve, daemon=True).start()
        return name, seen

    yield start
    stop.set()
    for server in servers:
        server.close()


def test_send_returns_true_on_ok(fake_instance: Callable[..., tuple[str, list[bytes]]]) -> None:
    name, seen = fake_instance(b"ok\n")
    assert ipc.send(Message("dial", "tel:+12015550123"), name=name) is True
    assert seen == [ipc.encode(Message("dial", "tel:+12015550123"))]


def test_send_raises_the_instances_reason(
    fake_instance: Callable[..., tuple[str, list[bytes]]],
) -> None:
    name, _ = fake_instance(b"error The request is of an unknown kind.\n")
    with pytest.raises(IPCError, match="refused the request: The request is of an unknown"):
        ipc.send(Message("show"), name=name)


@pytest.mark.parametrize("reply", [b"", b"maybe\n"])
def test_send_raises_on_missing_or_odd_answer(
    fake_instance: Callable[..., tuple[str, list[bytes]]], reply: bytes
) -> None:
    name, _ = fake_instance(reply)
    with pytest.raises(IPCError, match=r"without an answer|do not understand"):
        ipc.send(Message("show"), name=name)


def test_send_times_out_quickly(fake_instance: Callable[..., tuple[str, list[bytes]]]) -> None:
    name, _ = fake_instance(None)
    with pytest.raises(IPCError, match="in time"):
        ipc.send(Message("show"), name=name, timeout=0.2)


# --- the hot path stays light ---------------------------------------------------------------


def test_importing_ipc_loads_nothing_heavy() -> None:
    code = (
        "import sys, time; t = time.perf_counter(); from dialer_gui import ipc; "
        "ipc.decode(ipc.encode(ipc.Message('dial', 'tel:+12015550123'))); "
        "print(time.perf_counter() - t); print(' '.join(sorted(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    modules = set(out[1].split())
    heavy = {"PySide6", "phonenumbers", "httpx", "platformdirs", "keyring", "asyncio", "ssl"}
    assert not modules & heavy
    assert "dialer_gui.core.links" in modules  # the link check itself is stdlib-only


def test_message_is_an_immutable_value() -> None:
    message = Message("dial", "123", "cli")
    assert message == Message("dial", "123", "cli")
    assert message != Message("dial", "123", "link")
    assert hash(message) == hash(Message("dial", "123", "cli"))
    assert Message("show") == Message("show", "", "link")
    assert repr(message) == "Message(kind='dial', arg='123', source='cli')"
    with pytest.raises(AttributeError):
        message.arg = "456"
