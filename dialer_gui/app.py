"""The composition root: creates every service and window and wires them together.

Start-up happens in this order (``run``):

1. Arguments were parsed and guarded by ``cli.py``, which also tried to hand a link to a running
   instance; only when none runs does it import this module and call :func:`run`.
2. The ``QApplication`` and the qasync event loop, which becomes the asyncio loop.
3. ``sys.excepthook``: unexpected errors (including those of async slots, which qasync routes
   there) are logged and shown through the message funnel instead of vanishing.
4. Services: config (a broken file is reported and the app starts in demo mode rather than
   dying), the secret store, the history (an unreadable database falls back to memory, said
   once), ``mark_interrupted`` for calls cut off by the last exit, the event bus and the dialer.
5. Demo mode, when no provider is configured or ``--demo`` was given: the loopback simulator
   runs on this loop, with demo profiles and secrets held in memory only (never written to the
   config file or the keyring); the window title, tray tooltip and dial pad say "Demo".
6. The single-instance server: links and commands from later processes arrive here and go
   through the same dial path as everything else.
7. Tray icon, windows and the message presenter (buffered messages appear now). Without a tray
   the main window is the app.
8. The link or clipboard request the app was started with is dialed once the loop runs:
   queued, never lost, never twice. Started for a link (the OS found no instance to hand it
   to), that call goes first: right after the config, the history and the dialer exist (its
   one provider built in a worker thread), before the listeners, the windows and the warm-up;
   those follow once its request is on the wire, its prompt is up, or it ended. The warm-up
   (the other providers, the keyring check) and ``memory.settle`` wait for it to end.
9. The loop runs. On quit: pending work is cancelled, the dialer closes its clients, the
   single-instance socket is removed and the history is closed.

On macOS, links arrive as ``QEvent.FileOpen`` on the application; an event filter sends them
down the same path as links from the single-instance socket.
"""

from __future__ import annotations

# First of all: it stops PySide6 reading the source of every module imported after it.
from dialer_gui.ui import import_scan  # noqa: F401  # isort: skip

import asyncio
import dataclasses
import logging
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, QUrl
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QApplication, QDialog, QSystemTrayIcon

from dialer_gui import ipc
from dialer_gui.core import browser_door, logs, paths
from dialer_gui.core.config import GENERAL_FIELDS, Config, load_config, save_config
from dialer_gui.core.contacts.finder import ContactFinder, build_index
from dialer_gui.core.contacts.lookup import NumberNames
from dialer_gui.core.contacts.store import ContactStore
from dialer_gui.core.dialer import ConfirmFn, Dialer, DialPlan
from dialer_gui.core.events import EventBus
from dialer_gui.core.history import HistoryStore
from dialer_gui.core.policy import QUIETABLE
from dialer_gui.core.secrets import SecretStore
from dialer_gui.errors import (
    AlreadyRunning,
    ConfigError,
    ContactsError,
    DialerError,
    HistoryError,
    IPCError,
)
from dialer_gui.exitcodes import ExitCode
from dialer_gui.platform import memory
from dialer_gui.sandbox.demo import DemoSecrets, demo_config, demo_secrets
from dialer_gui.ui import colors, messages, tasks
from dialer_gui.ui.call_card import CallCard
from dialer_gui.ui.confirm import Confirmer
from dialer_gui.ui.dialpad import DialPad
from dialer_gui.ui.event_loop import new_event_loop
from dialer_gui.ui.history_model import HistoryModel
from dialer_gui.ui.history_view import HistoryView
from dialer_gui.ui.icons import app_icon
from dialer_gui.ui.main_window import MainWindow
from dialer_gui.ui.tray import Tray, TrayActions
from dialer_gui.ui.window_state import WindowState
from dialer_gui.vocabulary.calls import CallAttempt, Source
from dialer_gui.vocabulary.start_options import StartOptions
from dialer_gui.vocabulary.target import DialTarget

if TYPE_CHECKING:
    from dialer_gui.sandbox import Sandbox
    from dialer_gui.ui.chooser import NumberChooser
    from dialer_gui.ui.ipc_server import IPCServer
    from dialer_gui.ui.settings_dialog import SettingsDialog

log = logging.getLogger("dialer_gui.app")

HISTORY_BUSY_WAIT = 0.05
"""Seconds a history write on the window thread waits for a lock before it is queued."""

HAND_OVER_WAIT = 3.0
"""Seconds a starting process keeps offering its request to an instance not listening yet."""

NO_TRAY = (
    "No system tray was found, so dialer-gui runs as a window: closing it quits. Everything "
    "is in the menu bar (Alt or F10)."
)
TLS_OFF = (
    "TLS certificate checks are OFF for “{name}”: someone on the network could read or "
    "change this call request."
)


# -- the application ---------------------------------------------------------------------------


class FileOpenFilter(QObject):
    """macOS hands tel: links to the running app as ``QEvent.FileOpen``."""

    def __init__(self, app: Application) -> None:
        super().__init__()
        self._app = app

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FileOpen and isinstance(event, QFileOpenEvent):
            # Fully encoded: decoding would turn "%20" separators into spaces, which links refuse.
            url = event.url().toString(QUrl.ComponentFormattingOption.FullyEncoded) or event.file()
            self._app.open_link(url)
            return True
        return super().eventFilter(watched, event)


class Application(QObject):
    """Owns the services and windows of one running dialer-gui.

    Args:
        options: the start options from ``cli.py`` (config path, demo, background, link,
            clipboard).
        qapp: the Qt application.
        tray_available: override the tray check (tests); None asks Qt.
        listen: start the single-instance server (tests turn it off).
    """

    def __init__(
        self,
        options: StartOptions,
        qapp: QApplication,
        *,
        tray_available: bool | None = None,
        listen: bool = True,
    ) -> None:
        super().__init__()
        self.options = options
        self.qapp = qapp
        self.has_tray = (
            QSystemTrayIcon.isSystemTrayAvailable() if tray_available is None else tray_available
        )
        self._listen = listen
        self.config = Config()
        self.config_problem: str | None = None
        self.sandbox: Sandbox | None = None
        self.demo = False
        self.events = EventBus()
        # The keyring is looked up in a thread after the window shows (see _check_keyring).
        self.secret_store = SecretStore()
        self.secrets = DemoSecrets(self.secret_store, demo_secrets())
        # Made by start(): the history once the lock is ours, the dialer on top of it.
        self._history: HistoryStore | None = None
        self.contacts: ContactStore | None = None  # None: the phone book could not be opened
        self.finder: ContactFinder | None = None  # the dial pad's search, once its index is built
        self.contact_dialog: QDialog | None = None  # the last contact dialog opened (tests)
        self._dialer: Dialer | None = None
        self.ipc_server: IPCServer | None = None
        self.tray: Tray | None = None
        self.window: MainWindow | None = None
        self.settings_dialog: SettingsDialog | None = None
        self.confirmer: Confirmer | None = None
        self.dialpad: DialPad | None = None
        self.history_model: HistoryModel | None = None
        self.history_view: HistoryView | None = None
        self.call_card: CallCard | None = None
        self._presenter: messages.MessagePresenter | None = None
        self._file_open_filter: FileOpenFilter | None = None
        self._palette_watch: QObject | None = None
        self._initial_done = False
        self._ready = False
        self._pending: list[ipc.Message] = []
        # The browser door's chooser, while one is open (one at a time); tests watch it.
        self._browser_chooser_open = False
        self.on_browser_chooser: Callable[[NumberChooser], None] | None = None
        self._closed = False
        self._unsubscribe: list[Any] = []

    @property
    def history(self) -> HistoryStore:
        if self._history is None:
            raise RuntimeError("the history is opened when the app starts")
        return self._history

    @property
    def dialer(self) -> Dialer:
        if self._dialer is None:
            raise RuntimeError("the dialer is made when the app starts")
        return self._dialer

    # -- stages 4 to 8 ------------------------------------------------------------------------
    async def start(self) -> bool:
        """Create services, demo mode, the single-instance server and the windows.

        Returns False when another instance won a start-up race: the request this process was
        started with has then been handed to it, and this process must exit without touching
        the history (marking the other instance's calls as interrupted would be wrong).
        """
        if not self._start_ipc():
            return False
        self._load_services()
        await self._start_demo_if_needed()
        names = NumberNames(self.contacts) if self.contacts is not None else None
        self._dialer = Dialer(
            self._effective_config(), self.secrets, self.history, self.events, names=names
        )
        self._unsubscribe.append(
            messages.watch_events(self.events, call_warning=self._call_warning)
        )
        self.confirmer = Confirmer(
            countdown=lambda: int(self.dialer.config.general.confirm_countdown),
            parent=lambda: None,
            stop_asking=self.stop_asking,
        )
        first_call = await self._place_start_link()
        try:
            await self.dialer.start_listeners()
        except DialerError as exc:
            messages.warning("Call results will not arrive", str(exc))
        self._build_ui()
        if first_call is not None and first_call.done() and not first_call.cancelled():
            attempt = first_call.result()  # over before the call card existed: show how
            if attempt is not None and self.call_card is not None:
                self.call_card.show_call(attempt)
        # Off the loop, once the window exists and a start-up link's call is over: HTTP
        # clients, number metadata, the keyring.
        tasks.spawn(self._warm_up(after=first_call))
        tasks.spawn(self._check_keyring(after=first_call))
        tasks.spawn(self._index_contacts())
        self._ready = True
        # Scheduled on the asyncio loop, not a Qt timer: the dial must start while the loop runs.
        asyncio.get_running_loop().call_soon(self._run_initial_request)
        return True

    def _load_services(self) -> None:
        config_path = Path(self.options.config) if self.options.config else None
        try:
            self.config = load_config(config_path)
        except ConfigError as exc:
            self.config_problem = str(exc)
            self.config = Config(path=config_path or paths.config_path())
            messages.error(
                "The settings file has a problem",
                f"{exc} dialer-gui starts in demo mode until it is fixed.",
            )
        if self.config.warnings:
            messages.warning(
                "A secret is written in the settings file", "\n".join(self.config.warnings)
            )
        try:
            # A short wait for another program's lock: the window thread writes the history,
            # and the recorder retries a locked write later instead of freezing it.
            self._history = HistoryStore(paths.history_path(), busy_timeout=HISTORY_BUSY_WAIT)
        except HistoryError as exc:
            self._history = HistoryStore(":memory:")
            messages.warning(
                "Call history is kept in memory only",
                f"{exc} Calls made now are forgotten when dialer-gui quits.",
            )
        try:
            self.contacts = ContactStore(paths.contacts_path())
        except ContactsError as exc:
            messages.warning("The phone book cannot be opened", f"{exc} Calls show numbers only.")
        try:
            interrupted = self.history.mark_interrupted()
        except HistoryError as exc:
            log.error("cannot mark interrupted calls: %s", exc)
            interrupted = 0
        if interrupted:
            calls = "call was" if interrupted == 1 else "calls were"
            messages.warning(
                "Result unknown",
                f"{interrupted} {calls} being placed when dialer-gui last stopped. They may "
                "have rung; the history marks them as unknown.",
            )

    def _wants_demo(self) -> bool:
        return self.options.demo or not self.config.providers

    async def _start_demo_if_needed(self) -> None:
        self.demo = self._wants_demo()
        self.secrets.active = self.demo
        if self.demo and self.sandbox is None:
            from dialer_gui.sandbox import Sandbox

            self.sandbox = Sandbox()
            await self.sandbox.start()
        elif not self.demo and self.sandbox is not None:
            sandbox, self.sandbox = self.sandbox, None
            await sandbox.stop()

    def _effective_config(self) -> Config:
        if self.demo and self.sandbox is not None:
            return demo_config(self.config, self.sandbox.base_url)
        return self.config

    async def _place_start_link(self) -> asyncio.Task[CallAttempt | None] | None:
        """Started for a link: dial it now, ahead of everything else; returns its task.

        Returns once the call's request is on the wire, its prompt is shown (the prompt is
        then the first thing to appear), or the call ended without either; None when the
        app was not started for a link or the link is refused.
        """
        link = self.options.link
        if not link:
            return None
        out = asyncio.Event()

        async def ask_first(plan: DialPlan) -> bool:
            out.set()  # the window is built behind the prompt once it shows
            assert self.confirmer is not None
            return await self.confirmer(plan)

        task = self.open_link(link, confirm=ask_first, on_sent=out.set)
        if task is None:
            return None
        task.add_done_callback(lambda _task: out.set())
        await out.wait()
        log.info("start-up link's call is out")
        return task

    async def _after(self, first_call: asyncio.Task[Any] | None) -> None:
        """Wait for a start-up link's call to end, whatever its outcome."""
        if first_call is not None:
            await asyncio.wait([first_call])

    async def _warm_up(self, after: asyncio.Task[Any] | None = None) -> None:
        """Warm the dialer, then hand start-up's garbage back while the app is idle."""
        await self._after(after)
        log.info("warm-up starts")
        await self.dialer.warm_up()
        if not self._closed:
            memory.settle()  # one full collection, 5-10 ms on the loop, once

    async def _index_contacts(self) -> None:
        """Build the dial pad's contact index in a worker thread (1.8 s at 100,000 contacts)."""
        if self.contacts is None or self.finder is None or self.contacts.path == ":memory:":
            return
        try:
            index = await asyncio.to_thread(build_index, Path(self.contacts.path))
        except ContactsError as exc:
            messages.warning("Contacts cannot be searched", str(exc))
            return
        if not self._closed:
            self.finder.attach(index)

    async def _check_keyring(self, after: asyncio.Task[Any] | None = None) -> None:
        """Say once when passwords cannot be kept; the lookup may block on D-Bus, so not here."""
        await self._after(after)
        problem = await asyncio.to_thread(lambda: self.secret_store.problem)
        if problem and not self.demo:  # the demo's own secrets live in memory anyway
            messages.warning("Passwords are not kept", problem)

    def _start_ipc(self) -> bool:
        """Listen for later processes first, so a start-up race has one winner."""
        if not self._listen:
            return True
        from dialer_gui.ui.ipc_server import IPCServer

        self.ipc_server = IPCServer(parent=self)
        self.ipc_server.received.connect(self._on_ipc_message)
        self.ipc_server.answer = self.answer_browser
        try:
            self.ipc_server.listen()
        except IPCError as exc:
            if self._hand_over(wait=isinstance(exc, AlreadyRunning)):
                log.info("another dialer-gui started first; request handed over")
                return False
            messages.warning("Links will open a second dialer-gui", str(exc))
        return True

    def _hand_over(self, wait: bool = False) -> bool:
        """Give this process's start-up request to the instance that is already running.

        With ``wait``, the other instance is known to exist but may not listen yet (on
        Windows it claims its lock a moment before its pipe), so keep trying for a while.
        """
        deadline = time.monotonic() + (HAND_OVER_WAIT if wait else 0.0)
        while True:
            handed = self._send_start_request()
            if handed or time.monotonic() >= deadline:
                return handed
            time.sleep(0.05)

    def _send_start_request(self) -> bool:
        link = self.options.link
        if link:
            message = ipc.Message("dial", link, "link")
        elif self.options.clipboard:
            message = ipc.Message("dial_clipboard", "", "clipboard")
        elif self.options.background:
            # Started hidden (at login, or by the browser host): nothing to show; just check
            # that the winner is there, so two browser clicks at once pop up no window.
            message = ipc.Message("ping", "", "cli")
        else:
            message = ipc.Message("show", "", "cli")
        try:
            return ipc.send(message, timeout=2.0)
        except IPCError as exc:
            # It accepted the connection, so it has (or refused) the request; dialing it here
            # as well could place the call twice. A lost link is the lesser harm.
            log.warning("the running instance did not confirm the hand-over: %s", exc)
            return True

    def _build_ui(self) -> None:
        # Before any widget: placeholders and hints read at 4.5:1 in light and dark themes.
        self._palette_watch = colors.install(self.qapp)
        assert self.confirmer is not None
        if self.contacts is not None:
            self.finder = ContactFinder(self.contacts)
        self.dialpad = DialPad(self.dialer, self.confirmer, demo=self.demo, contacts=self.finder)
        self.dialpad.clipboard_requested.connect(self.dial_clipboard)
        self.dialpad.contact_requested.connect(self.edit_contact)
        self._unsubscribe.append(self.dialpad.watch(self.events))
        self.history_model = HistoryModel(self.history, self.events)
        self.history_view = HistoryView(
            self.history_model,
            self.history,
            self.redial,
            lambda: [p.name for p in self.dialer.profiles()],
            edit_contact=(lambda a: self.edit_contact(a.number)) if self.contacts else None,
        )
        self.call_card = CallCard(self.events, self.dialer)
        self.window = MainWindow(
            self.dialpad,
            self.history_view,
            has_tray=self.has_tray,
            demo=self.demo,
            call_card=self.call_card,
            state=WindowState.load(),
        )
        self.window.quit_requested.connect(self.quit)
        self.window.settings_requested.connect(self.show_settings)
        self.window.clipboard_requested.connect(self.dial_clipboard)
        self.qapp.setWindowIcon(app_icon(self.demo))
        self.qapp.setQuitOnLastWindowClosed(not self.has_tray)
        if self.has_tray:
            self.tray = Tray(
                self.dialer,
                TrayActions(
                    show_dialpad=self.window.show_dialpad,
                    dial_clipboard=self.dial_clipboard,
                    redial=lambda number: self.dial(number, Source.HISTORY),
                    set_default_provider=self.set_default_provider,
                    show_history=self.window.show_history,
                    show_settings=self.show_settings,
                    quit=self.quit,
                    toggle_window=self.window.toggle,
                ),
                demo=self.demo,
            )
            self._unsubscribe.append(self.tray.watch(self.events))
            try:
                latest = self.history.query(limit=1)
            except HistoryError as exc:
                log.warning("no last call for the tray: %s", exc)
                latest = []
            if latest:
                self.tray.call_changed(latest[0])
            self.tray.show()
        presenter = messages.MessagePresenter(
            tray=self.tray,
            status_bar=self.window.statusBar(),
            parent=self.window,
            # Read at each message, so a change saved in the settings applies at once.
            call_notifications=lambda: bool(self.dialer.config.general.notifications),
        )
        self._presenter = presenter
        messages.install(presenter)
        self._file_open_filter = FileOpenFilter(self)
        self.qapp.installEventFilter(self._file_open_filter)
        if not self.has_tray:
            # In the window, once per install: a status line cut it off, and said it every start.
            self.window.notice_once("no_tray", NO_TRAY)
        if not self.options.background or not self.has_tray:
            self.window.show_dialpad()

    def _run_initial_request(self) -> None:
        if self._initial_done:
            return
        self._initial_done = True  # a start-up link was dialed first thing (see start)
        if self.options.clipboard:
            self.dial_clipboard()
        pending, self._pending = self._pending, []
        for message in pending:
            self._on_ipc_message(message)

    # -- doors ------------------------------------------------------------------------------
    def _on_ipc_message(self, message: ipc.Message) -> None:
        if not self._ready:
            # Services are still starting; keep the order and dial once they are up.
            self._pending.append(message)
            return
        if message.kind == "show":
            self.show_dialpad()
        elif message.kind == "dial_clipboard":
            self.dial_clipboard()
        elif message.kind == "dial_browser":
            # Taken while starting: the extension was told so; the outcome shows in the app.
            try:
                self.open_browser_request(message.arg, message.page)
            except IPCError as exc:
                messages.warning("Not dialed from the browser", str(exc))
        elif message.kind == "reload_secrets":
            self.reload_secrets()
        elif message.kind == "dial":
            # Anything not said to be typed or copied is treated as the least trusted: a link.
            source = {"cli": Source.CLI, "clipboard": Source.CLIPBOARD}.get(
                message.source, Source.LINK
            )
            self.dial(message.arg, source)

    def answer_browser(self, message: ipc.Message) -> str:
        """The browser companion's request, answered at once (see ``core.browser_door``).

        Returns the state the extension is told; raises ``IPCError`` with the reason when
        nothing will be dialed (no number, the app is busy with another web request).
        """
        if message.kind == "ping":
            return browser_door.READY if self._ready else browser_door.STARTING
        if not self._ready:
            self._pending.append(message)
            return browser_door.STARTING
        return self.open_browser_request(message.arg, message.page)

    def open_browser_request(self, text: str, page: str) -> str:
        """Dial what the browser sent, or open the chooser; returns the state to report.

        Checked again here (not only by the host): any process of the user can write to the
        socket, and the start-up queue holds requests the checks passed when they arrived.
        """
        try:
            message = ipc.decode(ipc.encode(ipc.Message("dial_browser", text, "browser", page)))
        except IPCError as exc:
            log.warning("browser request dropped: %s", exc)
            raise
        asking_page = message.page or None
        triage = browser_door.triage(
            self.dialer, message.arg, asking_page, choosing=self._browser_chooser_open
        )
        if triage.targets:
            tasks.spawn(self._choose_for_browser(triage.targets, asking_page))
        elif triage.busy is not None and triage.plan is not None:
            self.dialer.refuse(triage.plan, *triage.busy)  # now, as the extension is told
        elif triage.plan is not None:
            tasks.spawn(self._dial_plan(triage.plan))
        if triage.error:
            raise IPCError(triage.error)
        return triage.state

    async def _dial_plan(self, plan: DialPlan) -> CallAttempt | None:
        try:
            return await self.dialer.dial_plan(plan, confirm=self.confirmer)
        except DialerError as exc:
            messages.error("Call not placed", str(exc))
            return None

    async def _choose_for_browser(
        self, targets: tuple[DialTarget, ...], page: str | None
    ) -> CallAttempt | None:
        self._browser_chooser_open = True
        try:
            from dialer_gui.ui import chooser  # on first use: most starts never need it

            picked = await chooser.choose(
                targets,
                parent=None,
                shown=self.on_browser_chooser,
                origin="the selection",
                names=self.dialer.names,
            )
        finally:
            self._browser_chooser_open = False
        if picked is None:
            return None
        return await self._dial(
            picked.raw or picked.e164, Source.BROWSER, None, self.confirmer, page=page
        )

    def open_link(
        self,
        url: str,
        *,
        confirm: ConfirmFn | None = None,
        on_sent: Callable[[], None] | None = None,
    ) -> asyncio.Task[CallAttempt | None] | None:
        """A link from the OS (macOS FileOpen, the start-up link): checked, then dialed.

        Returns the dial's task, or None when the link is refused.
        """
        try:
            ipc.decode(ipc.encode(ipc.Message("dial", url, "link")))
        except IPCError as exc:
            log.warning("link dropped: %s", exc)
            messages.warning("Link not dialed", str(exc))
            return None
        return self.dial(url, Source.LINK, confirm=confirm, on_sent=on_sent)

    def dial(
        self,
        text: str,
        source: Source,
        provider: str | None = None,
        *,
        confirm: ConfirmFn | None = None,
        on_sent: Callable[[], None] | None = None,
    ) -> asyncio.Task[CallAttempt | None]:
        """Hand a dial request to the dialer; the result arrives as events.

        Args:
            confirm: asks the user when the plan needs it; the app's prompt by default.
            on_sent: see ``Dialer.dial``.
        """
        return tasks.spawn(
            self._dial(text, source, provider, confirm or self.confirmer, on_sent=on_sent)
        )

    async def _dial(
        self,
        text: str,
        source: Source,
        provider: str | None,
        confirm: ConfirmFn | None = None,
        *,
        on_sent: Callable[[], None] | None = None,
        page: str | None = None,
    ) -> CallAttempt | None:
        try:
            return await self.dialer.dial(
                text, source, provider=provider, confirm=confirm, on_sent=on_sent, page=page
            )
        except DialerError as exc:
            messages.error("Call not placed", str(exc))
            return None

    def _call_warning(self, attempt_id: int) -> str | None:
        """The warning every notice about this call must carry (TLS checks off), or None.

        Calls that need no confirmation show no preview, so their notification is the only
        place the README's "shown as a warning on every call" can be kept.
        """
        try:
            attempt = self.history.get(attempt_id)
        except HistoryError:
            return None
        if attempt is None or not attempt.provider:
            return None
        profile = self.dialer.config.providers.get(attempt.provider)
        if profile is None or profile.get("verify_tls", True):
            return None
        return TLS_OFF.format(name=attempt.provider)

    def redial(self, attempt: CallAttempt) -> asyncio.Task[Any]:
        provider = attempt.provider if attempt.provider in self.dialer.config.providers else None
        return self.dial(attempt.number or attempt.raw_input, Source.HISTORY, provider)

    def edit_contact(self, number: str) -> None:
        """Open the contact dialog for ``number`` (its contact, or a new one holding it)."""
        if self.contacts is None:
            return
        from dialer_gui.core.contacts.normalise import Normaliser
        from dialer_gui.ui.contact_dialog import dialog_for_number

        g = self.dialer.config.general
        lengths = (int(g.extension_lengths[0]), int(g.extension_lengths[1]))
        try:
            dialog = dialog_for_number(
                self.contacts, Normaliser(g.region, lengths), number, parent=self.window
            )
        except ContactsError as exc:
            messages.error("The phone book cannot be read", str(exc))
            return
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()  # not exec(): the loop, and calls, go on meanwhile
        self.contact_dialog = dialog

    def dial_clipboard(self) -> asyncio.Task[Any]:
        # Loaded on first use with its number chooser: most starts never read the clipboard.
        from dialer_gui.ui.clipboard import dial_clipboard

        return tasks.spawn(dial_clipboard(self.dialer, self.confirmer, parent=None))

    def reload_secrets(self) -> asyncio.Task[Any]:
        """``dialer-gui secret`` changed the keyring: the next call and Settings read it anew.

        Told over the single-instance socket by the command itself, rather than read at every
        call: a keyring read is a D-Bus round trip (and waits on an unlock prompt), which the
        tel: click's path must not take; and rather than on a refused call alone, after which
        Settings would still show a stale "not set".
        """
        return tasks.spawn(self._reload_secrets())

    async def _reload_secrets(self) -> None:
        await asyncio.to_thread(self.secret_store.reload)
        if self._closed:
            return
        self.dialer.reload_secrets()
        await self._warm_up()

    def show_dialpad(self) -> None:
        if self.window is not None:
            self.window.show_dialpad()

    # -- settings ---------------------------------------------------------------------------
    def show_settings(self) -> None:
        from dialer_gui.ui.settings_dialog import SettingsDialog

        if self.settings_dialog is not None and self.settings_dialog.isVisible():
            self.settings_dialog.raise_()
            self.settings_dialog.activateWindow()
            return
        self.settings_dialog = SettingsDialog(
            self.config,
            self.secret_store,
            on_saved=self.apply_config,
            problem=self.config_problem,
            demo=self.demo,
        )
        self.settings_dialog.show()

    def apply_config(self, config: Config) -> None:
        """Settings were saved: use them (leaving or entering demo mode as needed)."""
        self.config = config
        self.config_problem = None
        tasks.spawn(self._apply_config())

    async def _apply_config(self) -> None:
        await self._start_demo_if_needed()
        self.dialer.reload(self._effective_config())
        tasks.spawn(self._warm_up())
        self._refresh_labels()

    def _refresh_labels(self) -> None:
        if self.dialpad is not None:
            self.dialpad.set_demo(self.demo)
            self.dialpad.refresh_providers()
        if self.history_view is not None:
            self.history_view.refresh_providers()
        if self.window is not None:
            self.window.set_demo(self.demo)
        if self.tray is not None:
            self.tray.set_demo(self.demo)
        self.qapp.setWindowIcon(app_icon(self.demo))

    def set_default_provider(self, name: str) -> None:
        """The tray's provider switch. Demo profiles live in memory, so only those are not saved."""
        if self.demo:
            config = self.dialer.config
            config.general = dataclasses.replace(config.general, default_provider=name)
            self.dialer.reload(config)
        else:
            self.config.general = dataclasses.replace(self.config.general, default_provider=name)
            try:
                save_config(self.config)
            except ConfigError as exc:
                messages.error("Default provider not saved", str(exc))
            self.dialer.reload(self.config)
        # reload() drops the warmed clients; warm them again off the click (keyring, TLS).
        tasks.spawn(self._warm_up())
        if self.dialpad is not None:
            self.dialpad.refresh_providers()
        if self.tray is not None:
            self.tray.refresh_tooltip()

    def stop_asking(self, setting: str) -> None:
        """A prompt's "Don't ask again": that door's ``confirm_*`` setting off, and saved.

        Saved through the config writer like any setting (the user's comments kept), unless
        the settings file has a problem: writing it then could lose what the user wrote, so the
        change holds for this session and says so.
        """
        if setting not in QUIETABLE:
            return
        changes: dict[str, Any] = {setting: False}
        self.config.general = dataclasses.replace(self.config.general, **changes)
        label = next(f.label for f in GENERAL_FIELDS if f.name == setting)
        if self.config_problem is not None:
            messages.warning(
                "Not saved",
                f"“{label}” is off until dialer-gui quits: the settings file has a problem.",
            )
        else:
            try:
                save_config(self.config)
            except ConfigError as exc:
                messages.error("Setting not saved", str(exc))
        self.dialer.reload(self._effective_config())
        tasks.spawn(self._warm_up())

    # -- quitting ---------------------------------------------------------------------------
    def quit(self) -> None:
        """Close everything, then leave the event loop."""
        tasks.spawn(self._quit())

    async def _quit(self) -> None:
        await self.aclose()
        self.qapp.quit()

    async def aclose(self) -> None:
        """Release every resource; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        if self.settings_dialog is not None:
            self.settings_dialog.close_for_quit()
        if self.window is not None:
            self.window.save_state()
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        if self.history_model is not None:
            self.history_model.close()
        current = asyncio.current_task()
        others = [t for t in list(tasks._running) if t is not current]
        for task in others:
            task.cancel()
        if others:
            await asyncio.gather(*others, return_exceptions=True)
        if self._dialer is not None:
            await self._dialer.aclose()
        if self.sandbox is not None:
            await self.sandbox.stop()
            self.sandbox = None
        if self.ipc_server is not None:
            self.ipc_server.shutdown()
        if self.tray is not None:
            self.tray.hide()
        if self._palette_watch is not None:
            self.qapp.removeEventFilter(self._palette_watch)
        if self._file_open_filter is not None:
            # An application-wide filter left behind outlives this object's Python side and
            # can crash the interpreter at exit.
            self.qapp.removeEventFilter(self._file_open_filter)
        messages.uninstall()
        if self._history is not None:
            self._history.close()
        if self.finder is not None:
            self.finder.close()
        if self.contacts is not None:
            self.contacts.close()


# -- process entry --------------------------------------------------------------------------------


def excepthook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """Log an unexpected error and tell the user, instead of dying silently."""
    if issubclass(exc_type, KeyboardInterrupt):
        app = QApplication.instance()
        if app is not None:
            app.quit()
        return
    log.error("Unexpected error", exc_info=(exc_type, exc, tb))
    if isinstance(exc, DialerError):
        messages.error("Something went wrong", str(exc))
    else:
        last = traceback.extract_tb(tb)[-1] if tb is not None else None
        where = f" ({Path(last.filename).name}:{last.lineno})" if last else ""
        messages.error(
            "Unexpected error",
            f"{exc_type.__name__}{where}: {exc}. dialer-gui keeps running; details are in the "
            f"log{logs.where()}.",
        )


def run(options: StartOptions) -> int:
    """Start the app and run it until it quits; returns the process exit code."""
    log_file = logs.install()
    if log_file is not None:
        log.info("dialer-gui starts; this log is %s", log_file)
    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qapp, QApplication)
    qapp.setApplicationName("dialer-gui")
    qapp.setDesktopFileName("dialer-gui")
    loop = new_event_loop(qapp)
    asyncio.set_event_loop(loop)
    previous_hook = sys.excepthook
    sys.excepthook = excepthook
    application = Application(options, qapp)
    _quit_on_signals(application)
    exit_code = ExitCode.OK

    def started(task: asyncio.Task[bool]) -> None:
        nonlocal exit_code
        if task.cancelled() or task.exception() is not None:
            log.error("dialer-gui could not start", exc_info=task.exception())
            exit_code = ExitCode.ERROR
            loop.stop()
        elif not task.result():  # another instance took our request
            loop.stop()

    try:
        # One run_forever for the whole life of the app: starting with run_until_complete and
        # then calling run_forever leaves a gap in which Qt runs callbacks with no running
        # asyncio loop, and httpx (through anyio) fails there.
        loop.create_task(application.start()).add_done_callback(started)
        loop.run_forever()
        loop.run_until_complete(application.aclose())
        return exit_code
    finally:
        sys.excepthook = previous_hook
        loop.close()
        asyncio.set_event_loop(None)


def _quit_on_signals(application: Application) -> None:
    """SIGTERM and SIGINT (logout, ``kill``, Ctrl+C) quit cleanly: the history is closed.

    Python runs signal handlers only between bytecodes, and Qt's loop runs in C++; a slow idle
    timer gives the interpreter a turn.
    """
    import signal

    def handle(signum: int, frame: object) -> None:
        QTimer.singleShot(0, application.quit)

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, handle)
    timer = QTimer(application)
    timer.start(500)
    timer.timeout.connect(lambda: None)
