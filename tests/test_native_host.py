"""The native messaging host: the browsers' stdio framing, hostile messages, the caller check,
and the hand-off to a real single-instance server.

The framing tests feed :func:`native_host.serve` byte streams (one that hands out a byte per
read stands in for a slow pipe); one test runs the console script itself on real pipes, as a
browser does. Nothing here starts the app: requests that pass the checks meet a real
``IPCServer`` in this process (the app's own answer is covered in tests/ui/test_browser_door.py
and, with the app and a browser, in tests/test_browser_e2e.py).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import threading
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from test_ipc_server import name, server  # noqa: F401

from dialer_gui import ipc, native_host
from dialer_gui.errors import IPCError
from dialer_gui.ipc import Message
from dialer_gui.ui.ipc_server import IPCServer
from dialer_gui.vocabulary import browsers

CHROME = [browsers.CHROMIUM_ORIGINS[0]]
FIREFOX = ["/home/ann/.mozilla/native-messaging-hosts/app.dialer_gui.native_host.json",
           browsers.GECKO_EXTENSION_IDS[0]]  # fmt: skip
PAGE = "https://crm.example.com/contacts/42"


def frame(payload: bytes) -> bytes:
    return len(payload).to_bytes(4, sys.byteorder) + payload


def message(obj: Any) -> bytes:
    return frame(json.dumps(obj).encode("utf-8"))


def replies(data: bytes) -> list[dict[str, Any]]:
    """Split the host's output into its messages, checking each frame on the way."""
    out = []
    while data:
        size = int.from_bytes(data[:4], sys.byteorder)
        body, data = data[4 : 4 + size], data[4 + size :]
        assert len(body) == size, "a reply was cut short"
        out.append(json.loads(body.decode("utf-8")))
    return out


class Trickle(io.RawIOBase):
    """A pipe that hands out one byte per read, as a slow writer's pipe can."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._data.read(min(size, 1) if size >= 0 else 1)


def serve(data: bytes, *, trickle: bool = False) -> tuple[int, list[dict[str, Any]]]:
    stdin = Trickle(data) if trickle else io.BytesIO(data)
    stdout = io.BytesIO()
    code = native_host.serve(stdin, stdout)  # type: ignore[arg-type]
    return code, replies(stdout.getvalue())


NOT_RUNNING = {"ok": True, "state": "not running"}


# --- framing ------------------------------------------------------------------------------------


def test_messages_are_answered_in_order_until_the_browser_closes_stdin() -> None:
    code, out = serve(
        message({"type": "ping"}) + message({"type": "nope"}) + message({"type": "ping"})
    )
    assert code == 0
    assert out[0] == NOT_RUNNING and out[2] == NOT_RUNNING
    assert out[1]["ok"] is False and "does not know" in out[1]["error"]


def test_a_message_arriving_a_byte_at_a_time_is_read_whole() -> None:
    assert serve(message({"type": "ping"}) * 2, trickle=True) == (0, [NOT_RUNNING, NOT_RUNNING])


def test_the_length_is_in_the_machines_own_byte_order() -> None:
    body = b'{"type": "ping"}'
    other = "big" if sys.byteorder == "little" else "little"
    code, out = serve(len(body).to_bytes(4, other) + body)
    # Read the wrong way round, the length is over 1 MB: refused, not waited for.
    assert code == 1 and "larger than 1 MB" in out[0]["error"]


def test_an_oversize_length_is_answered_once_and_the_host_stops_reading() -> None:
    oversize = (native_host.MAX_MESSAGE + 1).to_bytes(4, sys.byteorder)
    code, out = serve(oversize + b"x" * 100 + message({"type": "ping"}))
    assert code == 1
    assert out == [{"ok": False, "error": "The message is larger than 1 MB."}]


def test_exactly_one_megabyte_is_still_read() -> None:
    body = json.dumps({"type": "ping", "padding": "x" * 10}).encode()
    body += b" " * (native_host.MAX_MESSAGE - len(body))
    assert serve(frame(body)) == (0, [NOT_RUNNING])


def test_a_zero_length_message_is_refused_and_the_next_one_answered() -> None:
    code, out = serve(frame(b"") + message({"type": "ping"}))
    assert code == 0
    assert out == [{"ok": False, "error": "The message is not valid JSON."}, NOT_RUNNING]


def test_a_stream_cut_mid_message_ends_without_an_answer() -> None:
    assert serve(message({"type": "ping"})[:-3]) == (1, [])
    assert serve(b"\x10\x00") == (0, [])  # cut in the length: the browser is gone


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"\xff\xfe{}", "not UTF-8"),
        (b"{not json", "not valid JSON"),
        (b'{"type": "ping", "type": "dial"}', "not valid JSON"),  # a field twice
        (b"[" * 100_000, "not valid JSON"),  # nested too deep for the parser
        (b"[]", "not a JSON object"),
        (b'"ping"', "not a JSON object"),
        (b"null", "not a JSON object"),
        (b"{}", 'no "type"'),
        (b'{"type": 5}', 'no "type"'),
        (b'{"type": "hangup"}', "does not know"),
        (b'{"type": "dial"}', '"text" must be a string'),
        (b'{"type": "dial", "text": ["+1 212 555 0100"]}', '"text" must be a string'),
        (b'{"type": "dial", "text": " \\u200b\\u0007 "}', "no text to call"),
        (b'{"type": "dial", "text": "call Jo"}', "no phone number"),
        (json.dumps({"type": "dial", "text": "0" * 513}).encode(), "too long"),
    ],
)
def test_garbage_is_answered_in_plain_words_without_waking_the_app(body: bytes, error: str) -> None:
    code, out = serve(frame(body))
    assert code == 0
    (reply,) = out
    assert reply["ok"] is False and error in reply["error"]
    assert set(reply) == {"ok", "error"}


def test_a_reply_is_always_under_one_megabyte() -> None:
    stdout = io.BytesIO()
    native_host.write_message(stdout, {"ok": False, "error": "x" * native_host.MAX_REPLY})
    (reply,) = replies(stdout.getvalue())
    assert len(stdout.getvalue()) - 4 <= native_host.MAX_REPLY
    assert reply == {"ok": False, "error": "The answer was too large to send."}


# --- cleaning -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "kept"),
    [
        ("https://crm.example.com/contacts/42", "https://crm.example.com/contacts/42"),
        # Query, fragment and user name may hold tokens: the history never sees them.
        ("https://ann:pw@CRM.example.com:8443/c/42?session=s3cr3t#call", "https://crm.example.com:8443/c/42"),
        ("HTTP://Example.COM", "http://example.com/"),
        ("https://bücher.example/straße", "https://xn--bcher-kva.example/stra%C3%9Fe"),
        ("https://a.example/<script>\"x\"", "https://a.example/%3Cscript%3E%22x%22"),
        ("http://[::1]:8080/p", "http://[::1]:8080/p"),
        ("javascript:alert(1)", None),
        ("data:text/html,<b>hi</b>", None),
        ("file:///etc/passwd", None),
        ("chrome-extension://dgnciapcpmfcibaegabblaimnlgfaepb/options.html", None),
        ("https://a.example/\u202eexe.txt", None),  # a right-to-left override
        ("https://a.example/\n", None),
        ("https://a.example:99999/", None),
        ("https:///no-host", None),
        ("", None),
        (42, None),
        ("https://a.example/" + "x" * 20_000, None),
    ],
)  # fmt: skip
def test_the_page_is_kept_only_as_a_plain_http_address(page: object, kept: str | None) -> None:
    assert native_host.clean_page(page) == kept


def test_a_long_page_address_is_cut_to_what_the_app_takes() -> None:
    kept = native_host.clean_page("https://a.example/" + "x" * 2000)
    assert kept is not None and len(kept) == ipc.MAX_PAGE and kept.startswith("https://a.example/")


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("Jo\tBloggs\n+1 212 555 0100\r\n", "Jo Bloggs +1 212 555 0100"),
        ("+1\u200b212\u00ad555\u20600100", "+12125550100"),  # zero-width, soft hyphen, joiner
        ("\u202e0010 555 212 1+", "0010 555 212 1+"),
        ("-- +1 212 555 0100", "+1 212 555 0100"),
        ("line\u2028break", "line break"),
        ("\x1b[31m+1 212 555 0100", "[31m+1 212 555 0100"),
    ],
)
def test_text_is_cleaned_to_one_plain_line(text: str, cleaned: str) -> None:
    assert native_host.clean_text(text) == cleaned


# --- the caller ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [CHROME, [*CHROME, "--parent-window=123456"], FIREFOX],
    ids=["chromium", "chromium on windows", "firefox"],
)
def test_our_extension_is_served(args: list[str]) -> None:
    assert native_host.caller_problem(args) is None


@pytest.mark.parametrize(
    "args",
    [
        ["chrome-extension://aaaabbbbccccddddeeeeffffgggghhhh/"],
        ["chrome-extension://dgnciapcpmfcibaegabblaimnlgfaepb"],  # no slash: not the origin
        [*CHROME, "--remote-debugging-port=9222"],
        [FIREFOX[0], "evil@example.com"],
        ["/tmp/manifest.json"],
    ],
)
def test_any_other_caller_is_refused(args: list[str]) -> None:
    problem = native_host.caller_problem(args)
    assert problem is not None and "talks only to the dialer-gui browser companion" in problem


def run_host(args: list[str], data: bytes) -> subprocess.CompletedProcess[bytes]:
    """The console script on real pipes, started the way a browser starts it."""
    return subprocess.run(
        [sys.executable, "-m", "dialer_gui.native_host", *args],
        input=data,
        capture_output=True,
        timeout=30,
        check=False,
    )


@pytest.mark.slow
def test_the_console_script_serves_real_pipes_and_refuses_strangers() -> None:
    done = run_host(CHROME, message({"type": "ping"}) + message({"type": "ping"}))
    assert done.returncode == 0, done.stderr
    assert replies(done.stdout) == [NOT_RUNNING, NOT_RUNNING]
    stranger = run_host(["chrome-extension://aaaabbbbccccddddeeeeffffgggghhhh/"], b"")
    assert stranger.returncode == 1
    (reply,) = replies(stranger.stdout)
    assert reply["ok"] is False and "aaaabbbb" in reply["error"]
    by_hand = run_host([], b"")
    assert by_hand.returncode == 2 and by_hand.stdout == b""
    assert b"started by your web browser" in by_hand.stderr


@pytest.mark.slow
def test_importing_the_host_loads_nothing_heavy() -> None:
    code = (
        "import sys, dialer_gui.native_host\n"
        "heavy = {'json', 'subprocess', 'urllib.parse', 'typing', 'PySide6', 'phonenumbers',"
        " 'httpx', 'dialer_gui.core', 'dialer_gui.app'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# --- handing over to the app ----------------------------------------------------------------------


def serve_in_thread(data: bytes) -> list[Any]:
    outcome: list[Any] = []

    def work() -> None:
        outcome.append(serve(data))

    threading.Thread(target=work, daemon=True).start()
    return outcome


@pytest.fixture
def app_side(server: IPCServer) -> list[Message]:  # noqa: F811
    """The single-instance server answering as the app would: asking, or busy for /busy."""
    seen: list[Message] = []

    def answer(request: Message) -> str:
        seen.append(request)
        if request.kind == "ping":
            return "ready"
        if request.page.endswith("/busy"):
            raise IPCError("Another call from a web page is waiting for your answer.")
        return "asking"

    server.answer = answer
    return seen


def test_a_dial_reaches_the_app_cleaned_and_its_state_comes_back(
    qtbot: QtBot, app_side: list[Message]
) -> None:
    request = {"type": "dial", "text": "Jo\u200b Bloggs\n+44 20 7946 0958", "extra": [1],
               "page": "https://ann:pw@crm.example.com/c/42?token=s3cr3t"}  # fmt: skip
    outcome = serve_in_thread(message(request) + message({"type": "ping"}))
    qtbot.waitUntil(lambda: bool(outcome), timeout=10_000)
    assert outcome == [(0, [{"ok": True, "state": "asking"}, {"ok": True, "state": "ready"}])]
    assert app_side[0] == Message(
        "dial_browser", "Jo Bloggs +44 20 7946 0958", "browser", "https://crm.example.com/c/42"
    )


def test_a_page_that_is_not_http_is_dropped_and_the_call_still_goes(
    qtbot: QtBot, app_side: list[Message]
) -> None:
    outcome = serve_in_thread(
        message({"type": "dial", "text": "+44 20 7946 0958", "page": "javascript:alert(1)"})
    )
    qtbot.waitUntil(lambda: bool(outcome), timeout=10_000)
    assert outcome == [(0, [{"ok": True, "state": "asking"}])]
    assert app_side == [Message("dial_browser", "+44 20 7946 0958", "browser", "")]


def test_a_busy_app_is_a_plain_error(qtbot: QtBot, app_side: list[Message]) -> None:
    outcome = serve_in_thread(
        message({"type": "dial", "text": "+44 20 7946 0958", "page": PAGE + "/busy"})
    )
    qtbot.waitUntil(lambda: bool(outcome), timeout=10_000)
    assert outcome == [
        (0, [{"ok": False, "error": "Another call from a web page is waiting for your answer."}])
    ]
