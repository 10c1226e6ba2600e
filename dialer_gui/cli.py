"""Command line: hand a link to the running instance, run a command, or start the app.

Start-up order (the link path first, because it is the hot path of a tel: click):

1. ``dialer-gui --link URI`` (how the OS calls us) or a bare ``tel:``/``callto:``/``sip:`` argument:
   validate with the stdlib-only ``ipc`` module, hand it to the running instance and exit. Only
   when no instance runs is the app imported and started with the link queued. ``--link`` takes
   exactly one argument, so a hostile URI can never become an option.
2. Sub-commands (``call``, ``providers``, ``history``, ``secret``, ``contacts``, ``sandbox``, ...)
   run without a GUI; ``contacts`` lives in ``contacts_command``, the rest in ``commands``.
3. Otherwise: show the running instance, or start the app.
"""

from __future__ import annotations

import sys

from dialer_gui.vocabulary import schemes
from dialer_gui.vocabulary.start_options import StartOptions

# This module is imported by the process the OS starts for every tel: click, so it imports
# nothing it does not need on that path: no typing, dataclasses, pathlib, enum or argparse.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

# ExitCode values used on the hand-off path, without importing enum (see exitcodes.py).
_OK, _USAGE, _INPUT = 0, 2, 6
# A reader closed stdout early (``dialer-gui history | head -2``): 128 + SIGPIPE, what a shell
# reports for a writer the closed pipe stopped. A literal, so the signal module is not loaded.
_PIPE = 141


def _err(text: str) -> None:
    print(f"dialer-gui: {text}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; a reader that closes stdout early ends it quietly (exit 141)."""
    try:
        code = _main(argv)
        if sys.stdout is not None:
            sys.stdout.flush()  # here, not at exit, where a closed pipe prints a warning
    except BrokenPipeError:
        _silence_stdout()
        return _PIPE
    return code


def _silence_stdout() -> None:
    """Point stdout at devnull, so flushing it at exit cannot fail on the closed pipe again."""
    import os  # already loaded by the interpreter; imported here to keep the module's list short

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (AttributeError, OSError, ValueError):  # no stdout, or one without a file descriptor
        pass


def _main(argv: list[str] | None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--link"]:
        # Started from the app menu: the desktop entry's %u expands to nothing.
        return _main_parsed([])
    if args[:1] == ["--link"]:
        if len(args) != 2:
            _err("--link takes exactly one link and must come first and last")
            return _USAGE
        return handle_link(args[1])
    if len(args) == 1 and args[0].lower().startswith(schemes.PREFIXES):
        return handle_link(args[0])
    return _main_parsed(args)


def handle_link(
    uri: str,
    options: StartOptions | None = None,
    *,
    start: Callable[[StartOptions], int] | None = None,
) -> int:
    """Hand ``uri`` to the running instance, or start the app to dial it.

    A link the checks refuse is not dialed (exit 6): the reason goes to stderr and, since
    someone who clicked it in a browser reads no stderr, to a desktop notification. A valid one
    has three outcomes, none of which loses the click:

    * the instance says ``ok``: it shows the call from here on; exit 0;
    * no instance listens, or only on a socket that cannot be trusted (see
      :func:`dialer_gui.ipc.send`): this process starts the app with the link (``start``:
      the GUI app in this process by default; the OS's fast entry, ``link_entry.py``, runs the
      full interpreter instead);
    * an instance took the connection but did not confirm the link (it refused it, closed the
      connection or did not answer in time): it may have the link already, so dialing it here
      too could call twice. Instead the link and the reason are shown in a desktop
      notification (and on stderr), so the user can dial it from the dial pad; exit 6.
    """
    from dialer_gui import handoff

    offered = handoff.offer(uri)
    if offered.outcome == handoff.REFUSED:
        _err(f"not dialing: {offered.reason}")
        _notify(
            "Link not dialed",
            f"dialer-gui did not dial {_shown(uri)}: {offered.reason} "
            "To call the number, type it on the dial pad.",
        )
        return _INPUT
    if offered.outcome == handoff.HANDED:
        return _OK
    if offered.outcome == handoff.UNCONFIRMED:
        # The running instance took the connection: it has the link (or refused it), so this
        # process must not start a second app and dial it again; but this process has no
        # window and nobody reads its stderr, so the link is shown where the user looks.
        _err(f"the running dialer-gui did not confirm the link {uri}: {offered.reason}")
        _notify(
            "Link not confirmed",
            f"dialer-gui did not confirm {uri}: {offered.reason} "
            "If it does not show this call, dial the number from its dial pad.",
        )
        return _INPUT
    options = options or StartOptions()
    options.link = uri
    return (start or _start_app)(options)


_SHOWN_MAX = 80


def _shown(uri: str) -> str:
    """A refused link as it may be shown: printable characters only, cut at 80.

    It is whatever a web page put there: control and invisible characters (a right-to-left
    override could make it read as another number) are dropped, and a long one is cut.
    """
    text = "".join(c for c in uri if c.isprintable())
    return text if len(text) <= _SHOWN_MAX else text[: _SHOWN_MAX - 1] + "…"


def _notify(title: str, text: str) -> None:
    """Show ``text`` on the desktop from a process without a window; best effort.

    A notification through the desktop's own tool (``notify-send`` on Linux and the BSDs,
    ``osascript`` on macOS) or a message box on Windows, so this stays stdlib-only and never
    loads Qt on the click's path. Where none exists only stderr has the message.
    """
    # Imported here: only a failed hand-off needs them, not the hot path of every click.
    import contextlib
    import shutil
    import subprocess

    if sys.platform == "win32":  # pragma: no cover
        import ctypes

        # MB_ICONWARNING | MB_SETFOREGROUND | MB_TOPMOST; blocks until dismissed, as it should.
        ctypes.windll.user32.MessageBoxW(
            None, text, f"dialer-gui: {title}", 0x30 | 0x10000 | 0x40000
        )
        return
    if sys.platform == "darwin":
        # Passed as arguments, never spliced into the script: the link is from a web page.
        script = (
            "on run argv\n"
            "display notification (item 2 of argv) with title (item 1 of argv)\n"
            "end run"
        )
        command = ["osascript", "-e", script, f"dialer-gui: {title}", text]
    else:
        # Notification servers may read the body as markup; the link must show as its text.
        body = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        command = ["notify-send", "--app-name=dialer-gui", "--urgency=critical", title, body]
    if shutil.which(command[0]) is None:
        return
    # Without a desktop session the tool fails or hangs; stderr has the message anyway.
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=5,
            check=False,
        )


def _start_app(options: StartOptions) -> int:
    from dialer_gui import app

    return int(app.run(options))


def build_parser() -> argparse.ArgumentParser:
    import argparse
    from pathlib import Path

    from dialer_gui import __version__

    parser = argparse.ArgumentParser(
        prog="dialer-gui",
        description="Click-to-call from tel: links, the clipboard and a dial pad.",
        epilog="Links from the OS arrive as: dialer-gui --link URI",
    )
    parser.add_argument("--version", action="version", version=f"dialer-gui {__version__}")
    parser.add_argument("--config", type=Path, help="config file (default: user config dir)")
    parser.add_argument("--demo", action="store_true", help="use the built-in simulated PBX")
    parser.add_argument("--background", action="store_true", help="start hidden in the tray")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    call = sub.add_parser("call", help="place a call and report the result")
    call.add_argument("target", nargs="?", help="number, tel:/callto:/sip: link, or text")
    call.add_argument("--provider", help="provider profile to use")
    call.add_argument("--dry-run", action="store_true", help="show the request; send nothing")
    call.add_argument("--json", action="store_true", help="print the result as JSON")
    call.add_argument("--clipboard", action="store_true", help="dial the number in the clipboard")
    call.add_argument("--yes", action="store_true", help="confirm numbers that need confirmation")
    call.add_argument("--follow", action="store_true", help="print each change until it ends")
    # Also accepted after "call"; SUPPRESS keeps an absent flag from undoing "dialer-gui --demo".
    call.add_argument("--demo", action="store_true", default=argparse.SUPPRESS,
                      help="place it on the built-in simulated PBX")  # fmt: skip

    hang = sub.add_parser("hangup", help="end a call in progress (where the PBX can)")
    hang.add_argument("call_id", help="the call ID the PBX gave (see history)")
    hang.add_argument("--provider", help="provider profile of the call")
    hang.add_argument("--json", action="store_true", help="print the result as JSON")

    prov = sub.add_parser("providers", help="list provider profiles and whether secrets are set")
    prov.add_argument("--demo", action="store_true", default=argparse.SUPPRESS,
                      help="list the built-in simulated PBX's profiles")  # fmt: skip
    hist = sub.add_parser("history", help="show recent call attempts")
    hist.add_argument("--json", action="store_true", help="print the attempts as JSON")
    hist.add_argument("--limit", type=int, default=20, help="show at most N (default 20)")
    hist.add_argument("--search", default="", help="only attempts that mention this text")

    secret = sub.add_parser("secret", help="store or remove a password in the system keyring")
    secret.add_argument("action", choices=("set", "delete"), help="store it, or remove it")
    secret.add_argument("profile", help="the provider profile, as named in the config")
    secret.add_argument("field", help="the secret's field, such as password or api_key")

    sb = sub.add_parser("sandbox", help="serve the simulated PBX APIs on 127.0.0.1")
    sb.add_argument("--port", type=int, default=8300, help="port on 127.0.0.1 (default 8300)")
    sb.add_argument("--redis", default="", help="Redis URL for Teleforge's notifications")

    sub.add_parser("register", help="make dialer-gui open tel:, callto: and sip: links")
    sub.add_parser("unregister", help="stop opening tel:, callto: and sip: links")
    sub.add_parser("doctor", help="check links, keyring, tray and providers; say how to fix")
    auto = sub.add_parser("autostart", help="start dialer-gui at login")
    auto.add_argument("state", choices=("on", "off", "status"), help="turn on, off, or show")
    from dialer_gui import contacts_command

    contacts_command.add_parser(sub)
    return parser


def _main_parsed(argv: list[str]) -> int:
    parser = build_parser()
    try:
        ns = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on errors and 0 on --help
        return int(exc.code or 0)
    import logging

    logging.basicConfig(
        level=logging.DEBUG if ns.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    command = ns.command
    if command is None:
        return _show_or_start(ns)
    if command == "contacts":
        from dialer_gui import contacts_command

        return int(contacts_command.cmd_contacts(ns))
    from dialer_gui import commands

    handler = getattr(commands, f"cmd_{command}")
    return int(handler(ns))


def _show_or_start(ns: argparse.Namespace) -> int:
    from dialer_gui import ipc

    if not ns.background:
        try:
            if ipc.send(ipc.Message("show", "", "cli")):
                return _OK
        except Exception as exc:  # a broken peer must not stop us from starting
            _err(f"could not reach the running instance: {exc}")
    return _start_app(StartOptions(config=ns.config, demo=ns.demo, background=ns.background))
