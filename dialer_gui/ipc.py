"""Single-instance protocol: socket name, message encoding and validation, the client.

When the OS opens a ``tel:`` link it starts a second, short-lived ``dialer-gui`` process.
That process hands the link to the running instance over a local socket and exits, so this
module is on the hot path of every click: it uses the standard library only and imports the
expensive parts inside the functions that need them. The sending side loads neither ``json``
nor ``socket``: it writes its one line with the string encoder ``json`` uses and talks through
the C socket module under ``socket`` (together about 4 ms of every click; ``link_entry.py``).

The protocol is one JSON object per connection, on one line, answered by one line::

    client -> {"v": 1, "kind": "dial", "arg": "tel:+12015550123", "source": "link"}\\n
    server <- ok\\n                   (or)   error <reason>\\n

The browser companion's host asks with its own kinds, :data:`ANSWERED_KINDS`, whose answer
says what the app made of the request, so the extension can tell the user at once::

    client -> {"v": 1, "kind": "dial_browser", "arg": "Call 020 7946 0958", "source": "browser",
               "page": "https://crm.example.com/contacts/42"}\\n
    server <- ok asking\\n             (or)   error <reason>\\n

Anyone who can put a link on a web page controls ``arg``, so :func:`decode` is strict and runs
on both sides: the sender refuses a bad link without waking the instance, and the instance
checks again because any process of the same user can write to the socket.

The socket lives in a private directory (0700) in the per-user runtime dir, or in the user's
cache folder when there is none or it is open to others, and is named with the uid, so two
users on one machine never meet. Both sides check that directory the same way
(:func:`check_socket_dir`): the client hands a link only to a socket the server would have
made. On Windows it is a named pipe, which the Qt server restricts to the current user.
"""

from __future__ import annotations

import os
import sys

from dialer_gui.errors import IPCError, IPCRefused, LinkError
from dialer_gui.vocabulary import schemes

__all__ = [
    "ANSWERED_KINDS",
    "KINDS",
    "MAX_ARG",
    "MAX_MESSAGE",
    "MAX_PAGE",
    "PROTOCOL_VERSION",
    "SOURCES",
    "Message",
    "check_socket_dir",
    "decode",
    "encode",
    "prepare_socket_dir",
    "request",
    "send",
    "socket_name",
]

PROTOCOL_VERSION = 1
MAX_MESSAGE = 4096
"""Largest request line in bytes, newline included."""
MAX_ARG = 512
"""Longest ``arg`` in characters."""
MAX_NUMBER_TEXT = 64
"""Longest plain number text (not a link) in characters."""
MAX_PAGE = 512
"""Longest ``page`` (the web page that asked) in characters; the host shortens it to fit."""
MAX_REPLY = 512
MAX_STATE = 64
"""Longest state word in an ``ok <state>`` answer."""
KINDS = frozenset({"dial", "dial_clipboard", "show", "dial_browser", "ping", "reload_secrets"})
ANSWERED_KINDS = frozenset({"dial_browser", "ping"})
"""Kinds answered ``ok <state>``: what the app did with the request, for the browser to show."""
SOURCES = frozenset({"link", "cli", "clipboard", "browser"})

_APP = "dialer-gui"
_KEYS = frozenset({"v", "kind", "arg", "source", "page"})
# Longest socket path we create; sockaddr_un holds 108 bytes on Linux and 104 on macOS.
_MAX_SOCKET_PATH = 100
_NUMBER_CHARS = frozenset("0123456789 +()-./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
# Invisible characters that can reorder or hide text in a confirmation dialog.
INVISIBLE = _INVISIBLE = frozenset(
    "\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d"
    "\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
)


class Message:
    """One request to the running instance; immutable, compared and hashed by value.

    Written by hand rather than as a frozen dataclass: ``dataclasses`` imports ``inspect``,
    which alone costs more than the whole import budget of this hot-path module.

    Attributes:
        kind: ``"dial"`` (dial ``arg``), ``"dial_clipboard"`` (dial what the clipboard holds),
            ``"show"`` (bring the window up), ``"dial_browser"`` (find the number in text the
            browser companion sent, ``arg``), ``"ping"`` (is the app there?) or
            ``"reload_secrets"`` (the keyring was changed by ``dialer-gui secret``: read it
            again; the secret itself never crosses the socket). Only ``dial`` and
            ``dial_browser`` take an ``arg``.
        arg: The link or number text for ``dial``, the page's text for ``dial_browser``;
            empty otherwise.
        source: Where the request came from: ``"link"``, ``"cli"``, ``"clipboard"`` or
            ``"browser"``.
        page: For ``dial_browser``, the http(s) address of the page that asked, or empty.
    """

    __slots__ = ("arg", "kind", "page", "source")
    kind: str
    arg: str
    source: str
    page: str

    def __init__(self, kind: str, arg: str = "", source: str = "link", page: str = "") -> None:
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "arg", arg)
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "page", page)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Message is immutable; cannot set {name}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Message is immutable; cannot delete {name}")

    def _key(self) -> tuple[str, str, str, str]:
        return (self.kind, self.arg, self.source, self.page)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Message:
            return NotImplemented
        assert isinstance(other, Message)
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        page = f", page={self.page!r}" if self.page else ""
        return f"Message(kind={self.kind!r}, arg={self.arg!r}, source={self.source!r}{page})"


# --- socket name ----------------------------------------------------------------------------


def _user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        # No user name in the environment or the password database (odd containers).
        return str(os.getuid()) if hasattr(os, "getuid") else "user"


def _hash() -> str:
    import hashlib

    return hashlib.sha256(f"{_user()}\0{_APP}".encode()).hexdigest()[:16]


def _cache_home() -> str | None:
    if sys.platform == "darwin":
        base = os.path.expanduser("~/Library/Caches")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or ""
        if not os.path.isabs(base):  # the XDG spec says to ignore a relative value
            base = os.path.expanduser("~/.cache")
    # Without a home folder expanduser returns "~..." unchanged: no private place is known.
    return base if os.path.isabs(base) else None


def _fallback_runtime_dir() -> str:
    """Where the socket's folder goes when the runtime dir is missing, unsafe or too long.

    The user's own cache folder, never a fixed name in the shared temp dir: another user
    could create that first and catch our links, or at least keep dialer-gui from starting.
    Without even a home folder the answer is an empty string, which no check accepts.
    """
    if sys.platform == "win32":  # Windows uses a named pipe, never a path
        raise IPCError("There is no runtime folder on Windows.")
    return _cache_home() or ""


def _private_base(path: str) -> bool:
    """Whether ``path`` is a folder of ours that nobody else can write to (symlinks followed)."""
    import stat

    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return False
    return (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == os.getuid()
        and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


def socket_name(runtime_dir: str | None = None) -> str:
    """The name the running instance listens on, the same for every process of this user.

    Never raises and creates nothing: the client calls it on every tel: click, and whether the
    place can be trusted is for :func:`check_socket_dir` to say.

    Args:
        runtime_dir: Directory to put the socket's private directory in; by default
            ``$XDG_RUNTIME_DIR`` on Linux and ``$TMPDIR`` on macOS, when that is a folder of
            this user that nobody else can write to, else the user's cache folder
            (``$XDG_CACHE_HOME`` or ``~/.cache``; ``~/Library/Caches`` on macOS). Ignored on
            Windows.

    Returns:
        On POSIX the full path ``<runtime>/dialer-gui/ipc-<uid>`` (``<cache>/dialer-gui/...``
        for the fallback); on Windows a named pipe ``\\\\.\\pipe\\dialer-gui-<hash>``. Both
        work with ``QLocalServer.listen``.
    """
    if sys.platform == "win32":  # pipe names are machine-wide: the hash makes them per user
        return rf"\\.\pipe\{_APP}-{_hash()}"
    # The folder is private to the user already; the uid in the name costs nothing, where
    # hashing the user name would import hashlib and getpass on every tel: click.
    leaf = f"ipc-{os.getuid()}"
    if runtime_dir is not None:
        return os.path.join(runtime_dir, _APP, leaf)
    if sys.platform == "darwin":
        import tempfile

        # TMPDIR on macOS is already private to the user (/var/folders/...).
        base: str | None = tempfile.gettempdir()
    else:
        base = os.environ.get("XDG_RUNTIME_DIR") or None
    if base is not None:
        path = os.path.join(base, _APP, leaf)
        # A world-writable runtime dir (or /tmp given as one) lets another user put a folder
        # of theirs where ours should be, and a path that long cannot be bound.
        if len(os.fsencode(path)) <= _MAX_SOCKET_PATH and _private_base(base):
            return path
    return os.path.join(_fallback_runtime_dir(), _APP, leaf)


def _refuse_folder(directory: str, problem: str) -> IPCError:
    return IPCError(
        f"The folder {directory} {problem}, so dialer-gui will not use it for talking to "
        "itself. Remove it and start dialer-gui again."
    )


def check_socket_dir(name: str) -> None:
    """Refuse a socket another user could have placed or could swap: one check for both sides.

    The server runs it before it listens (through :func:`prepare_socket_dir`) and the client
    before it connects, so a link is only ever handed to a socket the server would have
    made. Trusted are: the socket's folder, a real folder (not a link) owned by this user that
    nobody else can write to (0700 or 0755, not 0775 or 0777); the folder above it, by the
    same rule (whoever can write there can swap our folder for theirs); and the socket file,
    when there is one, owned by this user. The socket file's mode is not checked: the server
    sets it to 0600 only after binding, and the folder already keeps everyone else out.

    Raises:
        OSError: the socket's folder (or the one above) cannot be looked at; it is a
            ``FileNotFoundError`` when it does not exist, so nobody can be listening there.
        IPCError: the path is not safe, with the reason and what to do.
    """
    if sys.platform == "win32":  # the named pipe is restricted to the user by the server
        return
    import stat

    directory = os.path.dirname(name)
    if not os.path.isabs(name) or not os.path.dirname(directory):
        raise IPCError(
            "dialer-gui found no private folder for talking to itself: set XDG_RUNTIME_DIR "
            "to a folder only you can write to, or give the user a home folder."
        )
    if len(os.fsencode(name)) > _MAX_SOCKET_PATH:
        raise IPCError(f"The path {name} is too long for a socket; set a shorter XDG_RUNTIME_DIR.")
    for path, follow in ((os.path.dirname(directory), True), (directory, False)):
        info = os.stat(path) if follow else os.lstat(path)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
            raise _refuse_folder(path, "is not owned by you")
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise _refuse_folder(path, "can be written by other users")
    try:
        info = os.lstat(name)
    except FileNotFoundError:
        return
    if info.st_uid != os.getuid():
        raise IPCError(
            f"The socket {name} is not owned by you, so dialer-gui will not hand it anything. "
            "Remove it and start dialer-gui again."
        )


def prepare_socket_dir(name: str) -> None:
    """Create the socket's directory, private to this user, and refuse one that is not ours.

    The folders are created with mode 0700. One that already exists is checked with
    :func:`check_socket_dir`, exactly as the client checks it, and refused rather than
    repaired when it belongs to someone else or others can write to it: someone may already
    have put something in it. One of ours that others can only read (0755) is tightened to
    0700.

    Raises:
        IPCError: the directory cannot be created or cannot be trusted.
    """
    if sys.platform == "win32":
        return
    import stat

    directory = os.path.dirname(name)
    try:
        if directory and os.path.dirname(directory):
            # The folder above ours is checked too, and makedirs gives its mode to the last
            # folder only: so a missing cache folder is made private as well.
            os.makedirs(os.path.dirname(directory), mode=0o700, exist_ok=True)
            os.makedirs(directory, mode=0o700, exist_ok=True)
        check_socket_dir(name)
        info = os.lstat(directory)
        if stat.S_IMODE(info.st_mode) != 0o700:
            os.chmod(directory, 0o700)
    except OSError as exc:
        raise IPCError(
            f"dialer-gui cannot create its private folder {directory}: {exc.strerror}."
        ) from exc


# --- encoding and validation ----------------------------------------------------------------


def _check_arg(kind: str, arg: str) -> None:
    if len(arg) > MAX_ARG:
        raise IPCError(f"The request is too long (more than {MAX_ARG} characters).")
    for char in arg:
        code = ord(char)
        if code < 0x20 or 0x7F <= code < 0xA0 or char in _INVISIBLE:
            raise IPCError("The request contains control or invisible characters.")
    if arg.lstrip().startswith("-"):
        raise IPCError("The request starts with '-', which could be read as an option.")
    if kind == "dial_browser":
        # Free text from a web page: the app's number finder reads it, as it reads the
        # clipboard. Text without a single digit holds no number, so the app is not woken.
        if not any(c.isdigit() for c in arg):
            raise IPCError("There is no phone number in that text.")
        return
    if kind != "dial":
        if arg:
            raise IPCError(f"A '{kind}' request takes no argument.")
        return
    if not arg.strip():
        raise IPCError("The dial request has no number or link.")
    if arg.lower().startswith(schemes.PREFIXES):
        # Imported here: only dial requests with a link need it, and it is stdlib-only.
        from dialer_gui.core.links import split_link

        try:
            split_link(arg)
        except LinkError as exc:
            raise IPCError(str(exc)) from exc
        return
    if len(arg) > MAX_NUMBER_TEXT:
        raise IPCError(f"That number is too long (more than {MAX_NUMBER_TEXT} characters).")
    if not set(arg) <= _NUMBER_CHARS or not any(c.isdigit() for c in arg):
        raise IPCError("That is neither a phone number nor a tel:, callto: or sip: link.")


def _check_page(kind: str, page: str) -> None:
    """The page must be an http(s) address in plain ASCII (the host percent-encodes the rest)."""
    if not page:
        return
    if kind != "dial_browser":
        raise IPCError(f"A '{kind}' request takes no page.")
    if len(page) > MAX_PAGE:
        raise IPCError(f"The page address is too long (more than {MAX_PAGE} characters).")
    if not all("!" <= c <= "~" for c in page):
        raise IPCError("The page address contains spaces, control or non-ASCII characters.")
    scheme, sep, rest = page.partition("://")
    if not sep or scheme not in ("http", "https") or not rest or rest[0] in "/?#":
        raise IPCError("The page address is not an http or https address.")


def _validate(kind: object, arg: object, source: object, page: object = "") -> Message:
    if not isinstance(kind, str) or kind not in KINDS:
        raise IPCError("The request is of an unknown kind.")
    if not isinstance(arg, str):
        raise IPCError("The request's argument is not text.")
    if not isinstance(source, str) or source not in SOURCES:
        raise IPCError("The request names an unknown source.")
    if not isinstance(page, str):
        raise IPCError("The request's page is not text.")
    _check_arg(kind, arg)
    _check_page(kind, page)
    return Message(kind, arg, source, page)


def _json_string(text: str) -> str:
    """``text`` as a JSON string with every non-ASCII character escaped, quotes included.

    This is the function ``json.dumps(..., ensure_ascii=True)`` itself calls for each string
    (the C accelerator ``_json``), taken directly: importing ``json`` loads its decoder and
    ``re`` as well, a few milliseconds of every click for a sender that only writes one line.
    """
    try:
        from _json import encode_basestring_ascii
    except ImportError:  # an interpreter without the accelerator: json's own Python version
        from json.encoder import py_encode_basestring_ascii as encode_basestring_ascii
    result: str = encode_basestring_ascii(text)
    return result


def encode(msg: Message) -> bytes:
    """One JSON line for ``msg``.

    Raises:
        IPCError: ``msg`` would be refused by the receiving side (checked here so the sender
            can report it without waking the running instance).
    """
    _validate(msg.kind, msg.arg, msg.source, msg.page)
    # The line json.dumps(payload, ensure_ascii=True, separators=(",", ":")) writes, field
    # by field; ASCII only, so the size check below is in bytes and characters alike. A
    # ``page`` only when there is one, so every other request is the line it always was.
    page = f',"page":{_json_string(msg.page)}' if msg.page else ""
    line = (
        f'{{"v":{PROTOCOL_VERSION:d},"kind":{_json_string(msg.kind)},'
        f'"arg":{_json_string(msg.arg)},"source":{_json_string(msg.source)}{page}}}\n'
    )
    data = line.encode("ascii")
    if len(data) > MAX_MESSAGE:
        raise IPCError(f"The request is larger than {MAX_MESSAGE} bytes.")
    return data


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise IPCError(f"The request has the field '{key}' twice.")
        result[key] = value
    return result


def decode(line: bytes) -> Message:
    """Parse and check one request line (a trailing newline is optional).

    Raises:
        IPCError: the line is too large, not UTF-8 JSON, of another protocol version, or its
            fields are missing, unknown, of the wrong type or hostile.
    """
    import json

    if len(line) > MAX_MESSAGE:
        raise IPCError(f"The request is larger than {MAX_MESSAGE} bytes.")
    if line.endswith(b"\n"):
        line = line[:-1]
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IPCError("The request is not valid UTF-8 text.") from exc
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates)
    except (ValueError, RecursionError) as exc:
        # ValueError covers malformed JSON and huge integers; RecursionError deep nesting.
        raise IPCError("The request is not valid JSON.") from exc
    if not isinstance(data, dict):
        raise IPCError("The request is not a JSON object.")
    unknown = set(data) - _KEYS
    if unknown:
        raise IPCError(f"The request has unknown fields: {', '.join(sorted(unknown))}.")
    version = data.get("v")
    if type(version) is not int:  # bool is an int subclass; true must not pass as 1
        raise IPCError("The request has no protocol version.")
    if version != PROTOCOL_VERSION:
        raise IPCError(
            f"The request uses protocol version {version}, but this dialer-gui speaks "
            f"version {PROTOCOL_VERSION}. Quit dialer-gui and start it again."
        )
    if "kind" not in data:
        raise IPCError("The request does not say what to do.")
    return _validate(
        data["kind"], data.get("arg", ""), data.get("source", "link"), data.get("page", "")
    )


# --- client ---------------------------------------------------------------------------------


def _parse_reply(reply: bytes) -> str:
    """The state in an ``ok`` answer ("" for a bare ``ok``); raises on anything else."""
    text = reply.decode("utf-8", "replace").strip()
    if text == "ok":
        return ""
    if text.startswith("ok "):
        state = text[3:].strip()
        if len(state) <= MAX_STATE and all(" " <= c <= "~" for c in state):
            return state
    elif text.startswith("error"):
        raise IPCRefused(text[len("error") :].strip() or "no reason given")
    raise IPCError("The running dialer-gui sent an answer we do not understand.")


def _send_posix(name: str, data: bytes, timeout: float) -> str | None:
    if sys.platform == "win32":
        raise IPCError("Unix sockets are not used on Windows.")
    # _socket is the C module under ``socket``: the wrapper imports selectors, enum and more,
    # 2-3 ms of every click, for what this needs (connect, sendall, recv), which it has.
    import _socket
    import errno
    import time

    deadline = time.monotonic() + timeout

    def remaining() -> float:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        return left

    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        try:
            sock.connect(name)
        except (FileNotFoundError, ConnectionRefusedError, NotADirectoryError):
            return None  # nobody listens: no file, or a stale one left by a crash
        except OSError as exc:
            if exc.errno in (errno.ENOENT, errno.ECONNREFUSED, errno.ENOTSOCK):
                return None
            if isinstance(exc, TimeoutError):
                raise
            raise IPCError(
                f"dialer-gui cannot reach its running copy: {exc.strerror or exc}."
            ) from exc
        sock.settimeout(remaining())
        sock.sendall(data)
        reply = b""
        while not reply.endswith(b"\n") and len(reply) < MAX_REPLY:
            sock.settimeout(remaining())
            chunk = sock.recv(MAX_REPLY)
            if not chunk:
                break
            reply += chunk
    except TimeoutError as exc:
        raise IPCError("The running dialer-gui did not answer in time.") from exc
    except OSError as exc:
        raise IPCError(f"The connection to the running dialer-gui broke: {exc}.") from exc
    finally:
        sock.close()
    if not reply:
        raise IPCError("The running dialer-gui closed the connection without an answer.")
    return _parse_reply(reply)


def _send_windows(name: str, data: bytes, timeout: float) -> str | None:  # pragma: no cover
    import threading

    result: list[bytes | BaseException] = []

    def talk() -> None:
        try:
            with open(name, "r+b", buffering=0) as pipe:
                pipe.write(data)
                reply = b""
                while not reply.endswith(b"\n") and len(reply) < MAX_REPLY:
                    chunk = pipe.read(MAX_REPLY)
                    if not chunk:
                        break
                    reply += chunk
                result.append(reply)
        except BaseException as exc:  # handed to the caller's thread below
            result.append(exc)

    # A pipe read cannot time out, so the exchange runs in a daemon thread we stop waiting on.
    worker = threading.Thread(target=talk, name="ipc-send", daemon=True)
    worker.start()
    worker.join(timeout)
    if not result:
        raise IPCError("The running dialer-gui did not answer in time.")
    outcome = result[0]
    if isinstance(outcome, FileNotFoundError):
        return None
    if isinstance(outcome, OSError):
        raise IPCError(f"dialer-gui cannot reach its running copy: {outcome}.") from outcome
    if isinstance(outcome, BaseException):
        raise outcome
    if not outcome:
        raise IPCError("The running dialer-gui closed the connection without an answer.")
    return _parse_reply(outcome)


def send(msg: Message, *, name: str | None = None, timeout: float = 0.5) -> bool:
    """Hand ``msg`` to the running instance, if it listens on a socket we can trust.

    Before connecting, the socket and its folders get the same :func:`check_socket_dir` the
    server gave them. A socket that fails it may have been put there by another user to catch
    links, so nothing is sent and the answer is False, as when no instance runs: the caller
    then starts the app itself, which meets the same folder, says why links will open a
    second dialer-gui, and still dials the link. That way a click is never lost and never
    handed to a stranger.

    Args:
        msg: The request.
        name: Socket name; :func:`socket_name` by default.
        timeout: Seconds for connecting, writing and reading the answer, all together.

    Returns:
        True when the running instance accepted the request; False when no instance listens
        (no socket, or a stale one) or the socket cannot be trusted, so the caller should
        start the app itself.

    Raises:
        IPCError: ``msg`` is invalid, the instance refused it (:class:`IPCRefused`), or it
            did not answer in time.
    """
    return request(msg, name=name, timeout=timeout) is not None


def request(msg: Message, *, name: str | None = None, timeout: float = 0.5) -> str | None:
    """Like :func:`send`, but returns what the instance said it did.

    Returns:
        The state of an ``ok <state>`` answer (kinds in :data:`ANSWERED_KINDS`), ``""`` for a
        bare ``ok``, or None when no instance listens on a socket we can trust.

    Raises:
        IPCError: as for :func:`send`.
    """
    data = encode(msg)
    target = name if name is not None else socket_name()
    if sys.platform == "win32":  # pragma: no cover
        return _send_windows(target, data, timeout)
    try:
        check_socket_dir(target)
    except (OSError, IPCError):
        # No folder (nobody listens), one we may not look into, or one we cannot trust.
        return None
    return _send_posix(target, data, timeout)
