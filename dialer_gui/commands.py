"""The sub-commands of ``dialer-gui`` that run without a GUI.

Each ``cmd_NAME(ns)`` returns an :class:`ExitCode`. Messages for people go to stderr, results
to stdout, so scripts can use ``--json`` safely.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any, NamedTuple

from dialer_gui.errors import ConfigError, ContactsError, DialerError, HistoryError
from dialer_gui.exitcodes import EXIT_CODES, ExitCode
from dialer_gui.vocabulary.calls import (
    LIVE_STATES,
    CallAttempt,
    CallState,
    Source,
    state_words,
    talk_time,
)
from dialer_gui.vocabulary.reasons import Reason


def _err(text: str) -> None:
    print(f"dialer-gui: {text}", file=sys.stderr)


def _load_config(ns: argparse.Namespace) -> Any:
    from dialer_gui.core.config import load_config

    return load_config(getattr(ns, "config", None))


def _config_or_none(ns: argparse.Namespace) -> Any:
    """The config, or None after saying what is wrong with the file; warnings go to stderr."""
    try:
        config = _load_config(ns)
    except ConfigError as exc:
        _err(str(exc))
        return None
    for warning in config.warnings:
        _err(f"warning: {warning}")
    return config


def _open_history() -> Any:
    from dialer_gui.core.history import HistoryStore
    from dialer_gui.core.paths import history_path

    try:
        return HistoryStore(history_path())
    except HistoryError as exc:
        _err(f"{exc} Using a temporary history for this call.")
        return HistoryStore(":memory:")


@contextmanager
def _demo(config: Any) -> Iterator[tuple[Any, Any]]:
    """The built-in simulator on a thread, and a config whose profiles point at it."""
    from dialer_gui.core.secrets import SecretStore
    from dialer_gui.sandbox import running_sandbox
    from dialer_gui.sandbox.demo import DemoSecrets, demo_config, demo_secrets

    with running_sandbox(cdr_delay=1.0) as sandbox:
        secrets = DemoSecrets(SecretStore(), demo_secrets())
        secrets.active = True  # the demo's secrets never touch the keyring
        yield demo_config(config, sandbox.base_url), secrets


class _Picked(NamedTuple):
    """What ``call`` dials: a number, a link or text with one number; for a contact dialed by
    name also its name and the text that named it (kept as the call's input)."""

    text: str
    contact: str | None = None
    typed: str = ""


def _pick_text(ns: argparse.Namespace, region: str) -> _Picked | None:
    """The one number to dial from the target argument (a number, link, name or text) or the
    clipboard; None after saying why there is none."""
    from dialer_gui.core import links, numbers

    if ns.clipboard:
        text = _read_clipboard()
        if text is None:
            _err("could not read the clipboard (no display, or no clipboard tool found).")
            return None
    else:
        text = ns.target
    if text is None:
        _err("say what to call: dialer-gui call NUMBER (or --clipboard)")
        return None
    if links.looks_like_link(text.strip()):
        return _Picked(text.strip())
    try:
        numbers.parse_target(text, region=region)
        return _Picked(text)
    except DialerError:
        pass
    if not ns.clipboard:
        named, picked = _dial_by_name(text, ns.json)
        if named:
            return picked
    found = numbers.extract_numbers(text, region=region)
    if len(found) == 1:
        return _Picked(found[0].e164)
    if not found:
        _err("no phone number found in " + ("the clipboard." if ns.clipboard else "that text."))
        return None
    listed = ", ".join(t.display for t in found[:10])
    _err(f"found {len(found)} numbers ({listed}); run again with the one to call.")
    return None


def _number_names() -> Callable[[str], Any] | None:
    """The phone book's names for the numbers dialed (``core.contacts.lookup``), or None when
    there is no phone book yet (a call never creates one)."""
    from dialer_gui.core import paths
    from dialer_gui.core.contacts.lookup import NumberNames
    from dialer_gui.core.contacts.store import ContactStore

    path = paths.contacts_path()
    if not path.exists():
        return None
    try:
        return NumberNames(ContactStore(path, read_only=True))
    except ContactsError as exc:
        _err(f"warning: {exc} The call shows the number only.")
        return None


def _dial_by_name(text: str, as_json: bool) -> tuple[bool, _Picked | None]:
    """Whether ``text`` names contacts in the phone book, and the number to dial when it names
    exactly one dialable number (``core.contacts.names``); the choices are listed otherwise
    (as JSON on stdout with ``--json``), and None is returned."""
    from dialer_gui.core import paths
    from dialer_gui.core.contacts.names import match_name
    from dialer_gui.core.contacts.store import ContactStore

    path = paths.contacts_path()
    if not any(c.isalpha() for c in text) or not path.exists():
        return False, None
    try:
        with ContactStore(path, read_only=True) as store:
            match = match_name(store, text)
    except ContactsError as exc:
        _err(f"{exc} Names cannot be dialed until it is fixed.")
        return False, None
    if not match.contacts:
        return False, None
    if match.one is not None:
        return True, _Picked(match.one.number.number, match.one.contact.name, text)
    asked = _plain(text)
    if not match.choices:
        names = ", ".join(_plain(c.name) for c in match.contacts[:5])
        _err(f"“{asked}” names {names}, with no number dialer-gui can dial.")
        return True, None
    if as_json:
        choices = [
            {
                "name": c.contact.name,
                "organisation": c.contact.organisation,
                "label": c.number.label,
                "number": c.number.number,
                "written": c.number.written,
                "source": c.contact.source,
            }
            for c in match.choices
        ]
        print(json.dumps(choices, ensure_ascii=False, indent=1))
    _err(f"“{asked}” matches {len(match.choices)} numbers; run again with the one to call:")
    for line in _table([["", c.describe(), c.number.number] for c in match.choices]):
        print(line, file=sys.stderr)
    return True, None


def _clipboard_message(ns: argparse.Namespace) -> Any:
    """What to hand the running app for ``call --clipboard``.

    On Wayland an app without focus may not read the clipboard, but this process, started by
    the user's shortcut, can through wl-paste. With one number found, the app gets the number;
    otherwise it reads the clipboard itself (and shows the chooser for several).
    """
    from dialer_gui import ipc
    from dialer_gui.core import numbers
    from dialer_gui.errors import IPCError

    text = _read_clipboard()
    if text:
        config = _config_or_none(ns)
        region = config.general.region if config is not None else "US"
        found = numbers.extract_numbers(text, region=region)
        if len(found) == 1:
            message = ipc.Message("dial", found[0].e164, "clipboard")
            try:
                ipc.encode(message)
                return message
            except IPCError:
                pass
    return ipc.Message("dial_clipboard", "", "clipboard")


def _read_clipboard() -> str | None:
    """Clipboard text through the desktop's own tools, which work on Wayland too."""
    import os
    import shutil
    import subprocess

    tools: list[list[str]] = []
    if os.environ.get("WAYLAND_DISPLAY"):
        tools.append(["wl-paste", "--no-newline"])
    if os.environ.get("DISPLAY"):
        tools += [["xclip", "-o", "-selection", "clipboard"], ["xsel", "--clipboard", "--output"]]
    if sys.platform == "darwin":
        tools.append(["pbpaste"])
    for tool in tools:
        if shutil.which(tool[0]):
            with suppress(OSError, subprocess.SubprocessError):
                out = subprocess.run(tool, capture_output=True, timeout=3, check=False)
                if out.returncode == 0:
                    return out.stdout.decode("utf-8", "replace")[: 1024 * 1024]
    return None


def _exit_for(attempt: CallAttempt) -> ExitCode:
    if attempt.reason is not None:
        return EXIT_CODES[attempt.reason]
    # An attempt without a reason was not made by this process's dialer (cannot happen here).
    return ExitCode.OK if attempt.state is CallState.ACCEPTED else ExitCode.ERROR


def cmd_call(ns: argparse.Namespace) -> int:
    from dialer_gui.core.dialer import Dialer

    config = _config_or_none(ns)
    if config is None:
        return ExitCode.CONFIG
    if ns.clipboard and not (ns.dry_run or ns.json or ns.provider or ns.yes):
        # A running app can show the chooser and the confirmation; hand over to it. With
        # options the app's request cannot carry, the call is placed here instead.
        from dialer_gui import ipc
        from dialer_gui.errors import IPCError

        try:
            if ipc.send(_clipboard_message(ns), timeout=2.0):
                print("Handed to the running dialer-gui, which shows the result.")
                return ExitCode.OK
        except IPCError as exc:  # it has the request: dialing here too could call twice
            _err(f"the running dialer-gui did not confirm the request: {exc}")
            return ExitCode.ERROR
    picked = _pick_text(ns, config.general.region)
    if picked is None:
        return ExitCode.INPUT
    raw = picked.text
    source = Source.CLIPBOARD if ns.clipboard else Source.CLI
    demo = bool(ns.demo)
    if not demo and not config.providers:
        # Never fall back to the demo here: a script with a mistyped --config would believe a
        # real call was placed.
        where = f" in {config.path}" if config.path else ""
        _err(f"no provider is configured{where}. Add one (see README), or use --demo.")
        return ExitCode.NO_PROVIDER
    with _demo(config) if demo else _real(config) as (cfg, secrets):
        history = _open_history() if not ns.dry_run else None
        from dialer_gui.core.history import HistoryStore

        dialer = Dialer(cfg, secrets, history or HistoryStore(":memory:"), names=_number_names())
        plan = dialer.plan(raw, source, ns.provider)
        if picked.contact:
            # Dialed by name: the history keeps the name typed and the contact's name.
            plan.raw, plan.contact = picked.typed, picked.contact
        if ns.dry_run:
            return _print_dry_run(dialer, plan, raw, ns)
        # Every call, not only dry runs (TLS checks off, and the like); stderr keeps --json clean.
        for warning in plan.warnings:
            _err(f"warning: {warning}")

        async def confirm(_plan: Any) -> bool:
            return True

        follow = bool(getattr(ns, "follow", False))

        async def run() -> CallAttempt:
            try:
                if follow:
                    # Outcomes a PBX pushes (a CDR feed) need their listener before the call.
                    await dialer.start_listeners(resume=False)
                attempt = await dialer.dial_plan(plan, confirm=confirm if ns.yes else None)
                _print_attempt(attempt, plan, ns.json, follow=follow)
                if follow:
                    await _follow(dialer, attempt, ns.json)
                return attempt
            finally:
                await dialer.aclose()

        try:
            attempt = asyncio.run(run())
        except KeyboardInterrupt:
            # Ctrl+C while following: the call goes on; the app follows it when it next runs.
            _err("stopped following; the call itself goes on.")
            return ExitCode.OK
        finally:
            if history is not None:
                history.close()
    return _exit_for(attempt)


async def _follow(dialer: Any, attempt: CallAttempt, as_json: bool) -> None:
    """Print each change of ``attempt`` until it ends or its PBX can tell no more."""
    from dialer_gui.core.events import CallChanged

    if attempt.id is None or not dialer.tracker.is_followed(attempt.id):
        if attempt.state in LIVE_STATES:
            note = dialer.capabilities(attempt.provider).note or (
                "The PBX tells nothing more about this call."
            )
            if as_json:
                print(_progress_json(attempt, note=note), flush=True)
            else:
                _err(note)
        return
    changed = asyncio.Event()
    last = (attempt.state, attempt.leg)

    def on_event(event: object) -> None:
        if isinstance(event, CallChanged) and event.attempt.id == attempt.id:
            changed.set()

    unsubscribe = dialer.events.subscribe(on_event)
    try:
        while dialer.tracker.is_followed(attempt.id):
            await changed.wait()
            changed.clear()
            if (attempt.state, attempt.leg) != last:
                last = (attempt.state, attempt.leg)
                _print_progress(attempt, as_json)
    finally:
        unsubscribe()
    if (attempt.state, attempt.leg) != last:
        _print_progress(attempt, as_json)


def _print_progress(attempt: CallAttempt, as_json: bool) -> None:
    if as_json:
        print(_progress_json(attempt), flush=True)
        return
    words = state_words(attempt.state, attempt.leg)
    if attempt.duration is not None and attempt.state not in LIVE_STATES:
        words += f" after {talk_time(attempt.duration)}"
    line = f"{attempt.updated.astimezone().strftime('%H:%M:%S')}  {words}"
    if attempt.state is CallState.UNTRACKED and attempt.detail:
        line += f": {attempt.detail}"
    print(line, flush=True)


def _progress_json(attempt: CallAttempt, note: str | None = None) -> str:
    data: dict[str, Any] = {
        "state": str(attempt.state),
        "call_id": attempt.call_id,
        "leg": str(attempt.leg) if attempt.leg else None,
        "at": attempt.updated.isoformat(),
        "duration": attempt.duration,
        "detail": attempt.detail,
    }
    if note is not None:
        data["note"] = note
    return json.dumps(data, ensure_ascii=False)


def cmd_hangup(ns: argparse.Namespace) -> int:
    """End a call in progress: exit 0 only when the PBX confirmed it."""
    from dialer_gui.core.dialer import Dialer
    from dialer_gui.providers.errors import ErrorCategory, ProviderError

    config = _config_or_none(ns)
    if config is None:
        return ExitCode.CONFIG
    call_id = str(ns.call_id).strip()
    with _demo(config) if ns.demo else _real(config) as (cfg, secrets):
        history = _open_history()
        dialer = Dialer(cfg, secrets, history)
        try:
            attempt = history.find_by_call_id(ns.provider, call_id)
        except HistoryError as exc:
            _err(str(exc))
            attempt = None
        profile = ns.provider or (attempt.provider if attempt else dialer.default_profile_name())

        def done(code: ExitCode, message: str) -> int:
            if ns.json:
                ok = code is ExitCode.OK
                key = "message" if ok else "error"
                result = {"ok": ok, "call_id": call_id, "provider": profile, key: message}
                print(json.dumps(result, ensure_ascii=False))
            elif code is ExitCode.OK:
                print(message)
            else:
                _err(message)
            return code

        if profile is None or profile not in cfg.providers:
            return done(ExitCode.NO_PROVIDER, f"no provider profile “{profile or ''}” to ask.")

        async def end() -> str:
            try:
                if attempt is not None and attempt.state in LIVE_STATES:
                    return str(await dialer.end_call(attempt))
                if attempt is not None:
                    raise DialerError(
                        f"This call is not in progress ({state_words(attempt.state)})."
                    )
                # A call this machine did not record (placed elsewhere): ask the PBX directly.
                caps = dialer.capabilities(profile)
                if not (caps.hang_up or caps.cancel):
                    raise DialerError(f"The PBX of “{profile}” cannot end calls from here.")
                return str(await dialer.provider(profile).end_call(call_id))
            finally:
                await dialer.aclose()
                history.close()

        try:
            message = asyncio.run(end())
        except ProviderError as exc:
            unknown = exc.category is ErrorCategory.CALL_UNKNOWN
            return done(ExitCode.INPUT if unknown else ExitCode.CALL_FAILED, exc.message)
        except DialerError as exc:
            return done(ExitCode.CALL_FAILED, str(exc))
    return done(ExitCode.OK, message or "The PBX ended the call.")


@contextmanager
def _real(config: Any) -> Iterator[tuple[Any, Any]]:
    from dialer_gui.core.secrets import SecretStore

    yield config, SecretStore()


def _result_json(
    attempt: CallAttempt | None,
    plan: Any,
    status: str,
    error: str | None,
    request: str | None = None,
) -> str:
    target = plan.target
    reason = attempt.reason if attempt is not None else plan.reason
    extra = {"request": request} if request is not None else {}
    return json.dumps(
        {
            "status": status,
            "number": target.e164 if target else None,
            "kind": str(target.kind) if target else None,
            "dialed": plan.dial_string or None,
            "provider": plan.profile.name if plan.profile else None,
            "call_id": attempt.call_id if attempt else None,
            "error": error,
            "reason": str(reason) if reason is not None else None,
            "contact": plan.contact,
            **extra,
        },
        ensure_ascii=False,
    )


def _print_attempt(attempt: CallAttempt, plan: Any, as_json: bool, follow: bool = False) -> None:
    if as_json:
        if follow:  # the first of the JSON lines: the usual result and the progress fields
            line = {**json.loads(_result_json(attempt, plan, str(attempt.state), attempt.error)),
                    **json.loads(_progress_json(attempt))}  # fmt: skip
            print(json.dumps(line, ensure_ascii=False), flush=True)
        else:
            print(_result_json(attempt, plan, str(attempt.state), attempt.error))
        return
    if attempt.state is CallState.ACCEPTED:
        call_id = f" Call ID: {attempt.call_id}." if attempt.call_id else ""
        print(
            # The display may hold a contact's name from an imported file: shown as plain text.
            f"Calling {_plain(attempt.display)} via {attempt.provider} (sent “{attempt.dialed}”): "
            f"your phone rings first.{call_id}"
        )
    elif attempt.state is CallState.MERGED:
        _err(attempt.detail or "merged with a call placed moments ago.")
    else:
        _err(attempt.error or f"call {attempt.state}.")


def _print_dry_run(dialer: Any, plan: Any, raw: str, ns: argparse.Namespace) -> int:
    if plan.error:
        if ns.json:
            print(_result_json(None, plan, "error", plan.error))
        else:
            _err(plan.error)
        return EXIT_CODES[plan.reason or Reason.NOT_DIALABLE]
    try:
        wire = dialer.dry_run(raw, ns.provider, plan.source)
    except DialerError as exc:
        # The provider refuses the input (a number its API cannot take, settings it cannot
        # use): what a real call would end with, before anything is sent.
        plan.reason = Reason.REFUSED
        if ns.json:
            print(_result_json(None, plan, "error", str(exc)))
        else:
            _err(str(exc))
        return EXIT_CODES[Reason.REFUSED]
    if ns.json:
        # The request as it would go out, secrets masked: what the text dry run prints.
        print(_result_json(None, plan, "dry-run", plan.blocked, request=wire))
        return ExitCode.OK
    print(f"Number:   {plan.target.display} ({plan.number_type.replace('_', ' ')})")
    for note in plan.notes:
        print(f"Note:     {note}")
    print(f"Provider: {plan.profile.name} ({plan.profile.type})")
    for step, value in plan.steps:
        print(f"  {step}: {value}")
    if plan.blocked:
        print(f"Blocked:  {plan.blocked}")
    elif plan.needs_confirm:
        print(f"Confirm:  {plan.confirm_reason}")
    for warning in plan.warnings:
        print(f"Warning:  {warning}")
    print("\nWould send (nothing was sent):\n")
    print(wire)
    return ExitCode.OK


def cmd_providers(ns: argparse.Namespace) -> int:
    from dialer_gui.core.secrets import SecretStore
    from dialer_gui.providers import provider_class

    config = _config_or_none(ns)
    if config is None:
        return ExitCode.CONFIG
    demo = bool(getattr(ns, "demo", False))
    store: Any = SecretStore()
    if demo:
        # The profiles `call --demo` dials with. Their simulator runs only while a demo call
        # does, on a port chosen then, so no address is shown; their secrets are built in.
        from dialer_gui.sandbox.demo import DemoSecrets, demo_config, demo_secrets

        config = demo_config(config, "")
        store = DemoSecrets(store, demo_secrets())
        store.active = True
        print("Demo profiles (the built-in simulated PBX; no real call is placed):")
    elif not config.providers:
        print("No provider is configured. `dialer-gui --demo` uses the built-in demo PBX;")
        print("the README shows a config example for each provider type.")
        return ExitCode.NO_PROVIDER
    default = config.general.default_provider
    for name, profile in config.providers.items():
        cls = provider_class(profile.type)
        mark = "*" if name == default else " "
        where = "built-in simulator" if demo else profile.get("url", "")
        print(f"{mark} {name}  ({cls.label})  {where}")
        for f in cls.all_fields():
            if f.secret:
                present = store.get(name, f.name) is not None
                if present:
                    state = "set"
                elif demo:  # the demo has no value for it: its simulator does not ask for one
                    state = "not used by the demo"
                else:
                    state = f"MISSING: dialer-gui secret set {name} {f.name}"
                print(f"    {f.name}: {state}")
    if not demo and store.problem:  # the demo's secrets never touch the keyring
        _err(store.problem)
    return ExitCode.OK


def cmd_history(ns: argparse.Namespace) -> int:
    from dialer_gui.core.history import HistoryStore
    from dialer_gui.core.paths import history_path

    path = history_path()
    if not path.exists():
        print("[]" if ns.json else "No calls yet.")
        return ExitCode.OK
    try:
        # Read-only: the running app may be writing; reading must never change the file.
        history = HistoryStore(path, read_only=True)
    except HistoryError as exc:
        _err(str(exc))
        return ExitCode.ERROR
    try:
        # A file that opens can still be damaged further in: reading the rows finds out.
        rows = history.query(ns.search, limit=max(1, ns.limit))
    except HistoryError as exc:
        _err(str(exc))
        return ExitCode.ERROR
    finally:
        history.close()
    if ns.json:
        print(json.dumps([_row_json(r) for r in rows], ensure_ascii=False, indent=1))
    else:
        named = any(r.contact for r in rows)  # a Name column only when a call has a name
        table = [
            [
                r.created.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
                str(r.source),
                *([r.contact or ""] if named else []),
                r.shown_number,
                r.provider,
                str(r.state),
                r.call_id or r.error or r.outcome or "",
            ]
            for r in rows
        ]
        for line in _table(table):
            print(line)
        if not rows:
            print("No calls yet.")
    return ExitCode.OK


# A history row holds text from outside (the link, the PBX's answers): a cell longer than this
# many terminal columns is cut with an ellipsis, the last one (call ID or error) at the other.
_CELL_MAX = 32
_LAST_MAX = 80


def _table(rows: list[list[str]]) -> list[str]:
    """``rows`` as lines of plain text whose columns line up, two spaces apart.

    Each cell is made plain (:func:`_plain`) and cut to :data:`_CELL_MAX` columns, and every
    column but the last is as wide as its widest cell, counted in terminal columns.
    """
    limits = [_CELL_MAX] * (len(rows[0]) - 1) + [_LAST_MAX] if rows else []
    cells = [[_fit(_plain(c), limit) for c, limit in zip(r, limits, strict=True)] for r in rows]
    widths = [max(_width(r[i]) for r in cells) for i in range(len(limits))]
    return [
        "  ".join(c + " " * (widths[i] - _width(c)) for i, c in enumerate(r)).rstrip()
        for r in cells
    ]


def _plain(text: str) -> str:
    """``text`` as a terminal shows it literally, on one line.

    Line breaks, tabs and other white space become one space; control characters (escape
    sequences start with one) and invisible format characters (such as the right-to-left
    override) are dropped, so no value can move the cursor, change the terminal or reorder
    what is shown.
    """
    kept = [
        " " if c.isspace() else c
        for c in text
        if c.isspace() or unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Zl", "Zp")
    ]
    return " ".join("".join(kept).split())


def _char_width(c: str) -> int:
    if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me"):
        return 0
    return 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1


def _width(text: str) -> int:
    """How many terminal columns ``text`` takes (wide characters take two, marks none)."""
    return sum(_char_width(c) for c in text)


def _fit(text: str, limit: int) -> str:
    """``text``, cut to at most ``limit`` columns with an ellipsis when it is longer."""
    if _width(text) <= limit:
        return text
    out, used = [], 0
    for c in text:
        w = _char_width(c)
        if used + w > limit - 1:
            break
        out.append(c)
        used += w
    return "".join(out).rstrip() + "…"


def _row_json(r: CallAttempt) -> dict[str, Any]:
    return {
        "id": r.id,
        "time": r.created.isoformat(),
        "source": str(r.source),
        "input": r.raw_input,
        "number": r.number,
        "display": r.display,
        "contact": r.contact,
        "provider": r.provider,
        "dialed": r.dialed,
        "state": str(r.state),
        "call_id": r.call_id,
        "error": r.error,
        "outcome": r.outcome,
    }


def cmd_secret(ns: argparse.Namespace) -> int:
    from dialer_gui.core.secrets import SecretStore
    from dialer_gui.providers import provider_class

    config = _config_or_none(ns)
    if config is None:
        return ExitCode.CONFIG
    profile = config.providers.get(ns.profile)
    directory = config.directories.get(ns.profile)
    if profile is None and directory is None:
        _err(f"there is no provider profile or directory “{ns.profile}” in the config.")
        return ExitCode.USAGE
    if profile is not None:
        type_name = profile.type
        names = [f.name for f in provider_class(profile.type).all_fields() if f.secret]
    else:
        from dialer_gui.directories import directory_class

        type_name = directory.type
        names = list(directory_class(directory.type).secret_names())
    if ns.field not in names:
        _err(f"“{ns.field}” is not a secret of {type_name}; its secrets: {', '.join(names)}.")
        return ExitCode.USAGE
    store = SecretStore()
    if ns.action == "delete":
        store.delete(ns.profile, ns.field)
        print(f"Removed {ns.profile}/{ns.field} from the keyring.")
        _tell_running_app()
        return ExitCode.OK
    if not store.available:
        _err(store.problem or "no keyring is available.")
        return ExitCode.ERROR
    if sys.stdin.isatty():
        value = getpass.getpass(f"{ns.profile} {ns.field}: ")
    else:
        value = sys.stdin.readline().rstrip("\r\n")
    if not value:
        _err("empty value; nothing stored.")
        return ExitCode.USAGE
    store.set(ns.profile, ns.field, value)
    if not store.available:
        _err(store.problem or "the keyring refused the secret.")
        return ExitCode.ERROR
    print(f"Stored {ns.profile}/{ns.field} in the system keyring.")
    _tell_running_app()
    return ExitCode.OK


def _tell_running_app() -> None:
    """Have a running dialer-gui read the keyring again (it keeps what it read until told)."""
    from dialer_gui import ipc
    from dialer_gui.errors import IPCError

    try:
        told = ipc.send(ipc.Message("reload_secrets", "", "cli"), timeout=2.0)
    except IPCError as exc:
        _err(
            f"the running dialer-gui was not told ({exc}); it uses the change once it is "
            "started again."
        )
        return
    if told:
        print("The running dialer-gui uses the change from its next call.")


def cmd_sandbox(ns: argparse.Namespace) -> int:
    from dialer_gui.sandbox.__main__ import main as sandbox_main

    args = ["--port", str(ns.port)] + (["--redis", ns.redis] if ns.redis else [])
    return sandbox_main(args)


def cmd_register(ns: argparse.Namespace) -> int:
    from dialer_gui import platform

    return _print_steps(platform.register)


def cmd_unregister(ns: argparse.Namespace) -> int:
    from dialer_gui import platform

    return _print_steps(platform.unregister)


def _print_steps(action: Any) -> int:
    try:
        for step in action():
            print(step)
    except DialerError as exc:
        _err(str(exc))
        return ExitCode.ERROR
    return ExitCode.OK


def cmd_autostart(ns: argparse.Namespace) -> int:
    from dialer_gui.platform import autostart

    if ns.state == "on":
        autostart.enable()
    elif ns.state == "off":
        autostart.disable()
    print("Start at login: " + ("on" if autostart.is_enabled() else "off"))
    return ExitCode.OK


def cmd_doctor(ns: argparse.Namespace) -> int:
    from dialer_gui.platform import doctor
    from dialer_gui.providers.errors import ProviderError

    checks: list[Any] = []
    try:
        config = _load_config(ns)
    except ConfigError as exc:
        checks.append(doctor.Check("config", False, str(exc), "Fix the file it names."))
        config = None
    else:
        fix = "Move it to the keyring (dialer-gui secret set PROFILE FIELD)."
        checks += [doctor.Check("config", False, warning, fix) for warning in config.warnings]
    if config is not None and config.providers:
        from dialer_gui.core.dialer import Dialer
        from dialer_gui.core.history import HistoryStore
        from dialer_gui.core.secrets import SecretStore

        dialer = Dialer(config, SecretStore(), HistoryStore(":memory:"))

        async def probe() -> None:
            for profile in dialer.profiles():
                try:
                    detail = await dialer.test_profile(profile.name)
                    checks.append(doctor.Check(f"provider {profile.name}", True, detail))
                except ProviderError as exc:
                    checks.append(
                        doctor.Check(f"provider {profile.name}", False, exc.message, exc.advice)
                    )
                except (DialerError, KeyError) as exc:
                    checks.append(doctor.Check(f"provider {profile.name}", False, str(exc)))
            await dialer.aclose()

        asyncio.run(probe())
    from dialer_gui.ui.tray_probe import tray_available  # Qt, only for this question

    report = doctor.run(tray_available=tray_available(), provider_checks=checks)
    print(doctor.format_report(report))
    return ExitCode.OK if all(c.ok for c in report) else ExitCode.ERROR
