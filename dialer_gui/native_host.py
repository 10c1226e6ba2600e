"""``dialer-gui-native-host``: the browser companion's way into the running app.

Browsers start this program when the companion extension calls ``runtime.sendNativeMessage``
(one process per message) or ``runtime.connectNative`` (one process for as long as the port is
open), and talk to it over stdin and stdout: each message is a 4-byte length in the machine's
own byte order, then that many bytes of UTF-8 JSON. Requests and replies::

    {"type": "dial", "text": "Jo Bloggs 020 7946 0958", "page": "https://crm.example.com/"}
    {"type": "ping"}
    -> {"ok": true, "state": "asking"}   or   {"ok": false, "error": "<plain words>"}

States: ``calling``, ``asking`` (a confirmation is open in the app), ``choosing`` (the text
holds several numbers), ``already calling`` (merged with the same number moments ago),
``starting`` (the app is starting and takes the request once up), and for a ping ``ready`` or
``not running`` (the app starts with the first call).

Every message is hostile input. At most :data:`MAX_MESSAGE` bytes are read; a longer length is
answered with an error and the program exits, since the stream cannot be trusted after it.
Fields are checked by type; unknown ``type`` values are refused, unknown extra fields ignored
(the extension is updated by the browser's store, apart from this program, so a newer one may
add fields). Text is cleaned (control and invisible characters out, whitespace folded) and
refused, not cut, beyond :data:`MAX_TEXT` characters: cutting could leave part of a number
that still dials someone. The page is kept only as an http(s) address without its query,
fragment or user name (those may hold session tokens), made ASCII (see :func:`clean_page`);
anything else is dropped and the call still goes ahead. The caller is checked too: Chromium
browsers pass the extension's origin as the first argument (on Windows also
``--parent-window=``), Firefox the path of the host manifest and the extension's ID, and only
the IDs in :mod:`dialer_gui.vocabulary.browsers` are served.

Requests go to the running app over the single-instance socket (:mod:`dialer_gui.ipc`), which
checks them again. When no app listens, it is started in the background, detached from the
browser (which ends the host's process group when the port closes), and the request is
offered again until it is up. Like the link hand-off (``cli.handle_link``) this runs for every
click, so it uses the standard library only and imports ``json``, ``subprocess`` and
``urllib.parse`` only when a message needs them; written by hand because the protocol is a
length and a JSON object, which no library makes shorter.
"""

from __future__ import annotations

import sys

from dialer_gui import ipc
from dialer_gui.errors import IPCError, IPCRefused
from dialer_gui.vocabulary import browsers

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs import time on every click; only mypy needs it
    from typing import Any, BinaryIO

__all__ = ["MAX_MESSAGE", "MAX_REPLY", "MAX_TEXT", "clean_page", "clean_text", "main"]

MAX_MESSAGE = 1024 * 1024
"""Largest message read from the browser, in bytes (the browsers' own limit for replies)."""
MAX_REPLY = 1024 * 1024 - 1
"""Replies stay under 1 MB, which Chromium and Firefox refuse to read past."""
MAX_TEXT = ipc.MAX_ARG
"""Longest text to call, in characters: the single-instance protocol's bound on any argument,
and far more than a number with its name and label; a longer selection is a page, not a
number someone meant."""
HAND_OFF_TIMEOUT = 2.0
"""Seconds the running app has to answer one request."""
START_TIMEOUT = 15.0
"""Seconds a starting app has to begin listening (a cold start on a busy machine)."""
_RETRY = 0.05

NOT_RUNNING = "not running"
_USAGE = (
    "dialer-gui-native-host is started by your web browser for the dialer-gui browser "
    "companion; it is not meant to be run by hand. Run `dialer-gui register` to set it up "
    "for your browsers, and `dialer-gui doctor` to check it."
)


def _flat(text: str, limit: int = 200) -> str:
    """Outside text (a caller's name) fit for one line of an error message."""
    shown = "".join(c if c.isprintable() else "?" for c in text)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


# --- who is calling -----------------------------------------------------------------------------


def caller_problem(args: list[str]) -> str | None:
    """Why the browser's arguments do not name our extension, or None when they do."""
    if not args:
        return _USAGE
    first = args[0]
    if first.startswith("chrome-extension://"):
        extra = [a for a in args[1:] if not a.startswith("--parent-window=")]
        if first in browsers.CHROMIUM_ORIGINS and not extra:
            return None
        return (
            f"This program talks only to the dialer-gui browser companion, not to {_flat(first)}."
        )
    if len(args) >= 2 and args[1] in browsers.GECKO_EXTENSION_IDS:
        return None
    caller = args[1] if len(args) >= 2 else first
    return f"This program talks only to the dialer-gui browser companion, not to {_flat(caller)}."


# --- cleaning what the page sent ----------------------------------------------------------------


def clean_text(text: str) -> str:
    """``text`` on one line: control characters as spaces, invisible ones dropped, whitespace
    folded, and no leading dash (which the single-instance protocol refuses)."""
    kept = []
    for char in text:
        code = ord(char)
        if char in ipc.INVISIBLE:
            kept.append(" " if char in "\u2028\u2029" else "")
        elif code < 0x20 or 0x7F <= code < 0xA0:
            kept.append(" ")
        else:
            kept.append(char)
    return " ".join("".join(kept).split()).lstrip("- ")


# Longer addresses are not even parsed (a page can make its own address as long as it likes).
_LONGEST_PAGE = 16 * 1024
# Left as they are in a path; everything else (spaces, quotes, non-ASCII) is percent-encoded.
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"


def clean_page(page: object) -> str | None:
    """The page's address as the history keeps it, or None when it is not one to keep.

    Only ``http`` and ``https`` addresses are kept, as ``scheme://host[:port]/path``: the
    query, the fragment and any user name or password are dropped, because web apps put
    session tokens there. The host is written in ASCII (IDNA) and the path percent-encoded,
    so an address shows as what it is, without look-alike or right-to-left characters. Cut to
    ``ipc.MAX_PAGE`` characters.
    """
    if not isinstance(page, str) or not page.strip() or len(page) > _LONGEST_PAGE:
        return None
    if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or c in ipc.INVISIBLE for c in page):
        return None
    from urllib.parse import quote, urlsplit

    try:
        parts = urlsplit(page.strip())
        port = parts.port
        host = parts.hostname
    except ValueError:  # a malformed port or IPv6 address
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    netloc = host if port is None else f"{host}:{port}"
    path = quote(parts.path, safe=_PATH_SAFE) or "/"
    return f"{parts.scheme.lower()}://{netloc}{path}"[: ipc.MAX_PAGE]


# --- the wire -----------------------------------------------------------------------------------


def _read_exactly(stream: BinaryIO, size: int) -> bytes:
    """``size`` bytes, or fewer when the browser closed the stream first."""
    data = b""
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            break
        data += chunk
    return data


def write_message(stream: BinaryIO, reply: dict[str, Any]) -> None:
    """One reply: its length in the machine's byte order, then its UTF-8 JSON."""
    import json

    data = json.dumps(reply, ensure_ascii=False).encode("utf-8")
    if len(data) > MAX_REPLY:  # never from our own replies; kept so the rule holds anyway
        data = b'{"ok": false, "error": "The answer was too large to send."}'
    stream.write(len(data).to_bytes(4, sys.byteorder) + data)
    stream.flush()


def _ok(state: str) -> dict[str, Any]:
    return {"ok": True, "state": state}


def _error(text: str) -> dict[str, Any]:
    return {"ok": False, "error": text}


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate field {key!r}")
        result[key] = value
    return result


def handle(body: bytes) -> dict[str, Any]:
    """The reply to one message's bytes."""
    import json

    try:
        data = json.loads(body.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except UnicodeDecodeError:
        return _error("The message is not UTF-8 text.")
    except (ValueError, RecursionError):  # malformed, duplicate fields, or nested too deep
        return _error("The message is not valid JSON.")
    if not isinstance(data, dict):
        return _error("The message is not a JSON object.")
    kind = data.get("type")
    if kind == "ping":
        return ping()
    if kind == "dial":
        return dial(data.get("text"), data.get("page"))
    if not isinstance(kind, str):
        return _error('The message does not say what to do: it has no "type".')
    return _error(
        'The message asks for something this dialer-gui does not know ("type" must be "dial" '
        'or "ping"). Update dialer-gui.'
    )


# --- handing over -------------------------------------------------------------------------------


def ping() -> dict[str, Any]:
    """Whether the app is there; a ping never starts it."""
    try:
        state = ipc.request(ipc.Message("ping", "", "browser"), timeout=HAND_OFF_TIMEOUT)
    except IPCRefused as exc:
        return _error(exc.reason)
    except IPCError as exc:
        return _error(str(exc))
    return _ok(NOT_RUNNING if state is None else state or "ready")


def dial(text: object, page: object) -> dict[str, Any]:
    """Check and clean a dial request, then hand it to the app (starting it if need be)."""
    if not isinstance(text, str):
        return _error('The message has no text to call ("text" must be a string).')
    cleaned = clean_text(text)
    if not cleaned:
        return _error("There is no text to call.")
    if len(cleaned) > MAX_TEXT:
        return _error(
            f"The selected text is too long (more than {MAX_TEXT} characters); select just "
            "the phone number."
        )
    message = ipc.Message("dial_browser", cleaned, "browser", clean_page(page) or "")
    try:
        ipc.encode(message)  # the checks the app makes, before waking or starting it
    except IPCError as exc:
        return _error(str(exc))
    return hand_off(message)


def hand_off(message: ipc.Message) -> dict[str, Any]:
    """Give ``message`` to the running app, or start it and give it once it listens.

    A request the app took but did not answer (it timed out, closed the connection) is not
    sent again: it may be dialing already.
    """
    import time

    started = False
    deadline = 0.0
    while True:
        try:
            state = ipc.request(message, timeout=HAND_OFF_TIMEOUT)
        except IPCRefused as exc:
            return _error(exc.reason)
        except IPCError as exc:
            return _error(f"{exc} If dialer-gui does not show the call, dial it there.")
        if state is not None:
            return _ok(state or "calling")
        if not started:
            problem = start_app()
            if problem:
                return _error(problem)
            started, deadline = True, time.monotonic() + START_TIMEOUT
        elif time.monotonic() >= deadline:
            return _error(
                f"dialer-gui did not start within {START_TIMEOUT:.0f} seconds. Start it from "
                "your applications menu and try again."
            )
        time.sleep(_RETRY)


def start_app() -> str | None:
    """Start dialer-gui in the background, out of the browser's reach; a problem, or None.

    On POSIX it gets a session of its own, since the browser signals the host's whole process
    group when the port closes; on Windows it breaks away from the browser's job object, which
    is killed with the host.
    """
    import subprocess

    from dialer_gui.platform.launcher import handler_command

    command = [*handler_command(), "--background"]
    options: dict[str, Any] = {
        "stdin": subprocess.DEVNULL,
        "stdout": subprocess.DEVNULL,
        "stderr": subprocess.DEVNULL,
        "close_fds": True,
    }
    if sys.platform == "win32":  # pragma: no cover - Windows only
        detached = subprocess.DETACHED_PROCESS | subprocess.CREATE_NEW_PROCESS_GROUP
        try:
            subprocess.Popen(
                command, creationflags=detached | subprocess.CREATE_BREAKAWAY_FROM_JOB, **options
            )
            return None
        except OSError:  # the job does not allow breaking away: the app lives as long as it
            options["creationflags"] = detached
    else:
        options["start_new_session"] = True
    try:
        subprocess.Popen(command, **options)
    except OSError as exc:
        return f"dialer-gui is not running and could not be started ({exc.strerror or exc})."
    return None


# --- the loop -----------------------------------------------------------------------------------


def serve(stdin: BinaryIO, stdout: BinaryIO) -> int:
    """Answer messages until the browser closes stdin; the process's exit code."""
    while True:
        header = _read_exactly(stdin, 4)
        if len(header) < 4:
            return 0  # the browser is done (a partial header: it went away mid-write)
        size = int.from_bytes(header, sys.byteorder)
        if size > MAX_MESSAGE:
            write_message(
                stdout, _error(f"The message is larger than {MAX_MESSAGE // (1024 * 1024)} MB.")
            )
            return 1
        body = _read_exactly(stdin, size)
        if len(body) < size:
            return 1  # cut off: nobody is left to answer
        write_message(stdout, handle(body))


def main(argv: list[str] | None = None) -> int:
    """The console script: check the caller, then serve the browser on stdin and stdout."""
    args = list(sys.argv[1:] if argv is None else argv)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    # stdout is the wire: anything printed by mistake would corrupt it, so it goes to stderr.
    sys.stdout = sys.stderr
    if not args:
        print(_USAGE, file=sys.stderr)
        return 2
    try:
        problem = caller_problem(args)
        if problem is not None:
            print(f"dialer-gui-native-host: {problem}", file=sys.stderr)
            write_message(stdout, _error(problem))
            return 1
        return serve(stdin, stdout)
    except (BrokenPipeError, KeyboardInterrupt):  # the browser went away mid-answer
        return 0


if __name__ == "__main__":
    sys.exit(main())
