"""The single-instance protocol's browser kinds: text and page checked on both sides, and the
app's answer (``ok <state>`` or ``error <reason>``) carried back to the host."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator

import pytest
from pytestqt.qtbot import QtBot
from test_ipc import fake_instance, short_dir  # noqa: F401
from test_ipc_server import name, raw_exchange, server  # noqa: F401

from dialer_gui import ipc
from dialer_gui.errors import IPCError, IPCRefused
from dialer_gui.ipc import Message
from dialer_gui.ui.ipc_server import IPCServer

PAGE = "https://crm.example.com/contacts/42"
FakeInstance = Callable[..., tuple[str, list[bytes]]]


def test_a_browser_request_carries_its_page_and_other_lines_stay_as_they_were() -> None:
    message = Message("dial_browser", "Jo: 020 7946 0958", "browser", PAGE)
    data = ipc.encode(message)
    assert json.loads(data) == {
        "v": 1, "kind": "dial_browser", "arg": "Jo: 020 7946 0958", "source": "browser",
        "page": PAGE,
    }  # fmt: skip
    assert ipc.decode(data) == message
    assert b"page" not in ipc.encode(Message("dial", "tel:+12015550123", "link"))
    assert ipc.decode(ipc.encode(Message("ping", "", "browser"))) == Message("ping", "", "browser")


@pytest.mark.parametrize(
    ("kind", "arg", "page", "reason"),
    [
        ("dial_browser", "call Jo today", PAGE, "no phone number"),
        ("dial_browser", "0" * 513, PAGE, "too long"),
        ("dial_browser", "Jo\u202e 020 7946 0958", PAGE, "invisible"),
        ("dial_browser", "Jo\n020 7946 0958", PAGE, "control"),
        ("dial_browser", "020 7946 0958", "javascript:alert(1)", "not an http"),
        ("dial_browser", "020 7946 0958", "file:///etc/passwd", "not an http"),
        ("dial_browser", "020 7946 0958", "https:///path", "not an http"),
        ("dial_browser", "020 7946 0958", "https://a.example/x y", "spaces"),
        ("dial_browser", "020 7946 0958", "https://bücher.example/", "non-ASCII"),
        ("dial_browser", "020 7946 0958", "https://a.example/" + "x" * 500, "too long"),
        ("dial", "tel:+12015550123", PAGE, "takes no page"),
        ("ping", "hello", "", "takes no argument"),
    ],
)
def test_hostile_browser_requests_are_refused_on_both_sides(
    kind: str, arg: str, page: str, reason: str
) -> None:
    with pytest.raises(IPCError, match=reason):
        ipc.encode(Message(kind, arg, "browser", page))
    fields = {"v": 1, "kind": kind, "arg": arg, "source": "browser", "page": page}
    with pytest.raises(IPCError, match=reason):
        ipc.decode(json.dumps(fields).encode() + b"\n")


def test_the_page_must_be_text() -> None:
    fields = {"v": 1, "kind": "dial_browser", "arg": "020 7946 0958", "source": "browser"}
    with pytest.raises(IPCError, match="page is not text"):
        ipc.decode(json.dumps({**fields, "page": ["https://a.example/"]}).encode())


@pytest.mark.parametrize(
    ("reply", "state"),
    [(b"ok\n", ""), (b"ok asking\n", "asking"), (b"ok already calling\n", "already calling")],
)
def test_request_returns_the_state_the_app_answered(
    fake_instance: FakeInstance,  # noqa: F811
    reply: bytes,
    state: str,
) -> None:
    where, _ = fake_instance(reply)
    assert ipc.request(Message("ping", "", "browser"), name=where) == state


def test_a_refusal_keeps_the_apps_own_sentence(fake_instance: FakeInstance) -> None:  # noqa: F811
    where, _ = fake_instance(b"error Another call is waiting for your answer.\n")
    with pytest.raises(IPCRefused) as caught:
        ipc.request(Message("ping", "", "browser"), name=where)
    assert caught.value.reason == "Another call is waiting for your answer."


def test_a_state_with_control_characters_is_not_passed_on(fake_instance: FakeInstance) -> None:  # noqa: F811
    where, _ = fake_instance(b"ok \x1b[2Jcalling\n")
    with pytest.raises(IPCError, match="do not understand"):
        ipc.request(Message("ping", "", "browser"), name=where)


def test_nobody_listening_is_none(short_dir) -> None:  # noqa: F811
    assert ipc.request(Message("ping", "", "browser"), name=ipc.socket_name(str(short_dir))) is None


# --- the receiving side -----------------------------------------------------------------------


def exchange(name: str, message: Message) -> list[object]:  # noqa: F811
    outcome: list[object] = []

    def work() -> None:
        try:
            outcome.append(ipc.request(message, name=name, timeout=2))
        except Exception as exc:
            outcome.append(exc)

    threading.Thread(target=work, daemon=True).start()
    return outcome


@pytest.fixture
def answering(server: IPCServer) -> Iterator[tuple[IPCServer, list[Message]]]:  # noqa: F811
    asked: list[Message] = []

    def answer(message: Message) -> str:
        asked.append(message)
        if "busy" in message.page:
            raise IPCError("dialer-gui is waiting for your answer to another call.")
        if "bug" in message.page:
            raise RuntimeError("a bug")
        return "asking" if message.kind == "dial_browser" else "ready"

    server.answer = answer
    yield server, asked


def test_answered_kinds_get_the_apps_state_and_are_not_emitted(
    qtbot: QtBot,
    answering: tuple[IPCServer, list[Message]],
    name: str,  # noqa: F811
) -> None:
    srv, asked = answering
    emitted: list[Message] = []
    srv.received.connect(emitted.append)
    message = Message("dial_browser", "020 7946 0958", "browser", PAGE)
    outcome = exchange(name, message)
    qtbot.waitUntil(lambda: outcome == ["asking"], timeout=5000)
    outcome = exchange(name, Message("ping", "", "browser"))
    qtbot.waitUntil(lambda: outcome == ["ready"], timeout=5000)
    assert asked == [message, Message("ping", "", "browser")]
    # Other kinds are answered "ok" and emitted as before.
    outcome = exchange(name, Message("show", "", "cli"))
    qtbot.waitUntil(lambda: outcome == [""], timeout=5000)
    assert emitted == [Message("show", "", "cli")]


def test_the_apps_refusal_and_its_bugs_become_plain_errors(
    qtbot: QtBot,
    answering: tuple[IPCServer, list[Message]],
    name: str,  # noqa: F811
) -> None:
    busy = exchange(name, Message("dial_browser", "020 7946 0958", "browser", PAGE + "/busy"))
    qtbot.waitUntil(lambda: bool(busy), timeout=5000)
    assert isinstance(busy[0], IPCRefused)
    assert busy[0].reason == "dialer-gui is waiting for your answer to another call."
    bug = exchange(name, Message("dial_browser", "020 7946 0958", "browser", PAGE + "/bug"))
    qtbot.waitUntil(lambda: bool(bug), timeout=5000)
    assert isinstance(bug[0], IPCRefused) and "details are in the log" in bug[0].reason


def test_a_hostile_browser_line_never_reaches_the_app(
    qtbot: QtBot,
    answering: tuple[IPCServer, list[Message]],
    name: str,  # noqa: F811
) -> None:
    _server, asked = answering
    fields = {"v": 1, "kind": "dial_browser", "arg": "020 7946 0958", "source": "browser",
              "page": "javascript:alert(document.cookie)"}  # fmt: skip
    reply: list[bytes] = []
    raw_exchange(name, json.dumps(fields).encode() + b"\n", reply)
    qtbot.waitUntil(lambda: bool(reply), timeout=5000)
    assert reply[0].startswith(b"error ") and b"not an http" in reply[0]
    assert asked == []
