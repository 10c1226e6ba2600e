"""One funnel for every message meant for the user.

Call :func:`info`, :func:`warning` or :func:`error` from anywhere (core callbacks, slots,
``sys.excepthook``, other threads). Messages posted before the interface exists are buffered and
shown once :func:`install` hands the funnel a :class:`MessagePresenter`. The presenter shows them
as tray notifications when a tray exists; otherwise in the window's status line, with warnings
and errors in one non-blocking dialog. No other module shows message boxes for this. With
``general.notifications`` off, calls going well only reach the status line.

:func:`watch_events` turns the core's ``Notice`` events into messages; :func:`call_message`
words a call's state for the places that show one call (the dial pad's status line).
"""

from __future__ import annotations

import collections
import html
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QStatusBar, QSystemTrayIcon, QWidget

from dialer_gui.core.events import Event, EventBus, Notice
from dialer_gui.ui.history_model import advice_for
from dialer_gui.vocabulary.calls import (
    LIVE_ENDINGS,
    LIVE_STATES,
    CallAttempt,
    CallState,
    state_words,
    talk_time,
)

log = logging.getLogger("dialer_gui.messages")

LEVELS = {"info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}


@dataclass(frozen=True, slots=True)
class Message:
    level: str  # "info", "warning" or "error"
    title: str
    text: str
    call: bool = False  # about one call (a core Notice); ``general.notifications`` governs these


class _Bridge(QObject):
    # Queued across threads, so a message posted from a worker thread is shown on the GUI thread.
    posted = Signal(object)


class _Funnel:
    bridge: _Bridge | None = None
    presenter: MessagePresenter | None = None  # kept alive while installed


_funnel = _Funnel()
_buffer: list[Message] = []
shown: collections.deque[Message] = collections.deque(maxlen=100)
"""The last messages handed to the presenter (newest last); tests and the status line read it."""


def info(title: str, text: str = "") -> None:
    _post(Message("info", title, text))


def warning(title: str, text: str = "") -> None:
    _post(Message("warning", title, text))


def error(title: str, text: str = "") -> None:
    _post(Message("error", title, text))


def post(level: str, title: str, text: str = "", *, call: bool = False) -> None:
    """Post a message with a level name (``info``, ``warning``, ``error``).

    Args:
        level: the level name; anything else counts as ``info``.
        title: the first line.
        text: the details.
        call: the message is a notice about one call.
    """
    _post(Message(level if level in LEVELS else "info", title, text, call))


def _post(message: Message) -> None:
    log.log(LEVELS[message.level], "%s: %s", message.title, message.text)
    if _funnel.bridge is None:
        _buffer.append(message)
    else:
        _funnel.bridge.posted.emit(message)


def install(presenter: MessagePresenter) -> None:
    """Start showing messages through ``presenter``; buffered ones are shown now, in order."""
    uninstall()
    _funnel.presenter = presenter
    bridge = _funnel.bridge = _Bridge()
    bridge.posted.connect(presenter.present, Qt.ConnectionType.QueuedConnection)
    pending = list(_buffer)
    _buffer.clear()
    for message in pending:
        presenter.present(message)


def uninstall() -> None:
    """Stop showing messages; later ones are buffered again (on quit, between tests)."""
    bridge, _funnel.bridge = _funnel.bridge, None
    _funnel.presenter = None
    if bridge is not None:
        bridge.deleteLater()  # its connection to the presenter goes with it


def reset() -> None:
    """Forget buffered and shown messages (tests)."""
    uninstall()
    _buffer.clear()
    shown.clear()


def notification_text(text: str) -> str:
    """``text`` as the desktop's notification server will show it: plain, whatever it holds.

    On Linux and the BSDs Qt hands tray messages to the freedesktop notification server, and
    most servers read simple HTML in the body (bold, links, images): a PBX answer with
    ``<b>`` or ``<img>`` in it would be drawn. Escaped there, it shows as typed. Windows and
    macOS show the text as it is, so it is left alone there.
    """
    if sys.platform in ("win32", "darwin"):
        return text
    return html.escape(text, quote=False)


class MessagePresenter(QObject):
    """Shows messages as tray notifications, or in a status line and a dialog without a tray.

    Args:
        tray: the tray icon, when the desktop has a tray.
        status_bar: the main window's status line, used when there is no tray.
        parent: the widget the no-tray dialog belongs to.
        call_notifications: returns the current ``general.notifications`` setting. When it is
            False, calls going well (info-level call notices) only reach the status line;
            warnings and errors are shown as always.
    """

    NOTIFY_MS = 6000

    def __init__(
        self,
        *,
        tray: QSystemTrayIcon | None = None,
        status_bar: QStatusBar | None = None,
        parent: QWidget | None = None,
        call_notifications: Callable[[], bool] = lambda: True,
    ) -> None:
        super().__init__(parent)
        self.call_notifications = call_notifications
        self.tray = tray
        self.status_bar = status_bar
        self._parent = parent
        self._dialog: QMessageBox | None = None

    @Slot(object)
    def present(self, message: Message) -> None:
        shown.append(message)
        line = f"{message.title}: {message.text}" if message.text else message.title
        if message.call and message.level == "info" and not self.call_notifications():
            # Notifications are off: no pop-up for a call going well, a quiet status line only.
            if self.status_bar is not None:
                self.status_bar.showMessage(line, self.NOTIFY_MS)
            return
        tray = self.tray
        if tray is not None and tray.isVisible() and tray.supportsMessages():
            icons = {
                "info": QSystemTrayIcon.MessageIcon.Information,
                "warning": QSystemTrayIcon.MessageIcon.Warning,
                "error": QSystemTrayIcon.MessageIcon.Critical,
            }
            tray.showMessage(
                notification_text(message.title),
                notification_text(message.text),
                icons[message.level],
                self.NOTIFY_MS,
            )
            return
        if self.status_bar is not None:
            self.status_bar.showMessage(line, 0 if message.level != "info" else self.NOTIFY_MS)
        if message.level != "info" or self.status_bar is None:
            self._show_dialog(message)

    def _show_dialog(self, message: Message) -> None:
        # One non-modal dialog; a second message while it is open is added to it, not stacked.
        dialog = self._dialog
        if dialog is not None and dialog.isVisible():
            dialog.setText(f"{dialog.text()}\n\n{message.title}")
            dialog.setInformativeText(f"{dialog.informativeText()}\n{message.text}".strip())
            return
        icon = {
            "info": QMessageBox.Icon.Information,
            "warning": QMessageBox.Icon.Warning,
            "error": QMessageBox.Icon.Critical,
        }[message.level]
        dialog = QMessageBox(icon, "dialer-gui", message.title, QMessageBox.StandardButton.Ok)
        # Titles and texts carry what a PBX, a link or the clipboard said: never markup. (The
        # informative text follows the same format.)
        dialog.setTextFormat(Qt.TextFormat.PlainText)
        if self._parent is not None:
            dialog.setParent(self._parent, Qt.WindowType.Dialog)
        dialog.setInformativeText(message.text)
        dialog.setModal(False)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self._dialog = dialog


# -- core events -> messages --------------------------------------------------------------------


def call_message(attempt: CallAttempt) -> Message | None:
    """The message for a call's new state, or ``None`` when it is not worth a notification."""
    who = attempt.display or attempt.raw_input or "the number"
    via = f" via {attempt.provider}" if attempt.provider else ""
    if attempt.state is CallState.ACCEPTED:
        text = f"The PBX accepted the call{via}. Your phone rings first."
        if attempt.call_id:
            text += f" Call ID: {attempt.call_id}."
        return Message("info", f"Calling {who}", text)
    if attempt.state is CallState.FAILED:
        text = attempt.error or "The PBX did not place the call."
        advice = advice_for(attempt)
        if advice:
            text = f"{text} {advice}"
        return Message("error", f"Call to {who} failed", text)
    if attempt.state is CallState.UNKNOWN:
        text = attempt.error or "The PBX may have placed the call, but its answer never arrived."
        text += " Check your phone before trying again."
        return Message("warning", f"Call to {who}: result unknown", text)
    if attempt.state is CallState.COMPLETED:
        outcome = (attempt.outcome or "completed").replace("_", " ")
        return Message("info", f"Call to {who}: {outcome}", attempt.detail or "")
    return _progress_message(attempt, who)


def _progress_message(attempt: CallAttempt, who: str) -> Message | None:
    """What became of a call after "accepted": its leg in progress, or how it ended."""
    state = attempt.state
    if state not in LIVE_STATES and state not in LIVE_ENDINGS:
        return None
    words = state_words(state, attempt.leg)
    if attempt.duration is not None and state in (CallState.ENDED, CallState.HUNG_UP):
        words += f" after {talk_time(attempt.duration)}"
    level = "warning" if state in (CallState.BUSY, CallState.NO_ANSWER) else "info"
    detail = (attempt.detail or "") if state is CallState.UNTRACKED else ""
    return Message(level, f"Call to {who}: {words}", detail)


def watch_events(
    bus: EventBus, *, call_warning: Callable[[int], str | None] | None = None
) -> Callable[[], None]:
    """Post a message for every ``Notice`` on ``bus``; returns the unsubscribe function.

    The dialer announces every call change people care about (accepted with its call ID,
    failed, unknown, finished, merged, blocked) as a ``Notice``, so ``CallChanged`` is left to
    the history pane and the dial pad; posting both would notify twice.

    Args:
        bus: the core's event bus.
        call_warning: returns a warning that belongs to every notice about a call (such as TLS
            checks being off for its profile), given the attempt's id, or None. A call that
            went well but carries one is shown as a warning, with the warning's text.
    """

    def on_event(event: Event) -> None:
        if not isinstance(event, Notice):
            return
        level, text = event.level, event.text
        if event.attempt_id is not None and call_warning is not None and level == "info":
            warning_text = call_warning(event.attempt_id)
            if warning_text:
                level, text = "warning", f"{text}\n⚠ {warning_text}".strip()
        post(level, event.title, text, call=event.attempt_id is not None)

    return bus.subscribe(on_event)
