"""The dial pad: type or click a number, see exactly what will be sent, call.

Keyboard first: digits, ``+``, ``*`` and ``#`` typed anywhere in the pad go to the number field;
Enter calls; Escape clears, a second Escape hides the window (the first time in a session it
says the app is still running and how to bring it back); Up and Down walk through recent
numbers. With a phone book (``contacts``), what is typed also finds contacts by name,
organisation, number or keypad letters (``5646`` finds "John") in a list under the field:
Down and Up walk through it, Enter picks (the field gets the number, the call the name), and
Escape closes the list before it clears the field. The preview under the field is the
dialer's own plan (``Dialer.plan``), so it shows the formatted number and the exact string the
provider will receive, or why it cannot be dialed, in words. Calling never blocks: the
coroutine runs on the loop, the Call button shows "Calling…" for that number, and a second
press for the same number places no second call.
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from dialer_gui.core.contacts.finder import ContactFinder, Match
from dialer_gui.core.dialer import CallPlacer, ConfirmFn, DialPlan
from dialer_gui.core.events import CallChanged, EventBus
from dialer_gui.errors import DialerError
from dialer_gui.ui import colors, messages
from dialer_gui.ui.accessible import announce, name_with_text, plain
from dialer_gui.ui.contact_list import MatchList, MatchModel
from dialer_gui.ui.tasks import spawn
from dialer_gui.vocabulary.calls import CallAttempt, CallState, Source
from dialer_gui.vocabulary.profiles import ProviderProfile

log = logging.getLogger("dialer_gui.ui.dialpad")

KEYS: tuple[tuple[str, str], ...] = (
    ("1", ""),
    ("2", "ABC"),
    ("3", "DEF"),
    ("4", "GHI"),
    ("5", "JKL"),
    ("6", "MNO"),
    ("7", "PQRS"),
    ("8", "TUV"),
    ("9", "WXYZ"),
    ("*", ""),
    ("0", "+"),
    ("#", ""),
)
DIAL_CHARS = frozenset("0123456789+*#")
LONG_PRESS_MS = 500
RECENT = 20
DEMO_TEXT = "Demo mode: calls go to a built-in simulator, not to a real phone system."
DISMISS_TITLE = "dialer-gui is still running"
DISMISS_TEXT = (
    "Escape put the window away. Open it again from the tray icon (or the taskbar), "
    "or by running dialer-gui."
)

HINT_STYLE = "color: palette(placeholder-text);"


def recent_text(item: Any) -> str:
    """A recent-number entry as text (the store may give strings or rows)."""
    if isinstance(item, str):
        return item
    for name in ("number", "display", "e164"):
        value = getattr(item, name, None)
        if value:
            return str(value)
    if isinstance(item, Sequence) and item:
        return str(item[0])
    return str(item)


class DialService(CallPlacer, Protocol):
    """What the dial pad needs of the dialer (``core.dialer.Dialer`` is one)."""

    def plan(self, raw: str, source: Source, provider: str | None = None) -> DialPlan: ...

    def in_flight(self) -> set[str]: ...

    def profiles(self) -> list[ProviderProfile]: ...

    def default_profile_name(self) -> str | None: ...

    def recent_numbers(self, limit: int) -> list[tuple[str, str]]: ...


class DialPad(QWidget):
    """Number field, live preview, provider choice, twelve keys and the Call button.

    Args:
        dialer: plans and places the calls.
        confirm: the confirmation prompt handed to the dialer.
        demo: show the demo banner.

    Signals:
        dismissed: the user pressed Escape on an empty field (the window should hide). The first
            time in a session the pad also says, through the messages funnel and to a screen
            reader, that the app keeps running and how to open it again.
        clipboard_requested: the "Dial clipboard" button was pressed.
    """

    dismissed = Signal()
    clipboard_requested = Signal()
    contact_requested = Signal(str)  # add or edit the contact of this number ("" for none)

    def __init__(
        self,
        dialer: DialService,
        confirm: ConfirmFn | None = None,
        *,
        demo: bool = False,
        contacts: ContactFinder | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.dialer = dialer
        self.confirm = confirm
        self.contacts = contacts
        self._picked: tuple[str, str, str] | None = None  # (field text, name, label) picked
        self._confirming = False  # a confirmation for this pad's call is open
        self._pending: set[str] = set()
        self._recent: list[str] | None = None
        self._recent_pos = -1
        self._draft = ""
        self._dismiss_explained = False
        self._status_number: str | None = None  # the number the status line is about
        self.last_task: asyncio.Task[CallAttempt | None] | None = None
        self.setObjectName("dialPad")
        self._build()
        self.set_demo(demo)
        self.refresh_providers()
        self.update_preview()

    # -- construction ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.banner = QLabel(DEMO_TEXT)
        self.banner.setObjectName("demoBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(
            "background: #fff3cd; color: #5c4400; border: 1px solid #e8a317;"
            "border-radius: 4px; padding: 4px 6px;"
        )
        self.banner.setAccessibleName(DEMO_TEXT)  # the words it shows, not a label for them

        self.field = QLineEdit()
        self.field.setObjectName("numberField")
        self.field.setPlaceholderText("Number, extension or tel: link")
        self.field.setAccessibleName("Number to call")
        self.field.setMaxLength(256)
        self.field.setClearButtonEnabled(True)
        for action in self.field.findChildren(QAction):  # Qt's own clear button is unnamed
            action.setText("Clear the number")
            action.setToolTip("Clear the number")
        font = self.field.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        self.field.setFont(font)
        self.field.textChanged.connect(self._text_changed)
        self.field.returnPressed.connect(self.call)
        self.field.installEventFilter(self)
        self.match_model = MatchModel(self)
        self.match_list = MatchList(self.match_model, self)
        self.match_list.clicked.connect(lambda index: self.pick(index.row()))

        self.preview = QLabel()
        self.preview.setObjectName("preview")
        self.preview.setWordWrap(True)
        self.preview.setTextFormat(Qt.TextFormat.RichText)
        self.preview.setAccessibleName("What will be dialed")
        self.preview.setMinimumHeight(self.preview.fontMetrics().lineSpacing() * 3)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        self.provider_box = QComboBox()
        self.provider_box.setObjectName("providerBox")
        self.provider_box.setAccessibleName("Provider")
        self.provider_box.currentIndexChanged.connect(lambda _i: self.update_preview())
        provider_label = QLabel("&Provider:")
        provider_label.setBuddy(self.provider_box)

        keys = QGridLayout()
        keys.setSpacing(6)
        self.keys: dict[str, QToolButton] = {}
        for i, (key, letters) in enumerate(KEYS):
            button = Key()
            button.setText(f"{key}\n{letters}" if letters else f"{key}\n ")
            button.setObjectName(f"key_{key}")
            # What the key shows ("2 ABC"): the letters are how names are dialed by number.
            button.setAccessibleName("Plus" if key == "+" else f"{key} {letters}".strip())
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # typing is the keyboard path
            kfont = button.font()
            kfont.setPointSizeF(kfont.pointSizeF() * 1.2)
            button.setFont(kfont)
            # One size, from the font (Key.sizeHint): keys that stretched with the window
            # grew huge in a wide one and shrank whenever a status or preview line took their
            # room. Spare height goes to the stretch at the bottom instead; only a screen too
            # small for the window at that size (1280x800 at 150 %) makes them lower.
            button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
            button.setMinimumHeight(button.fontMetrics().lineSpacing() * 2 + 4)
            if key == "0":
                button.setToolTip("Hold, or right-click, for +")
                button.setAccessibleName("0, hold for plus")
                self._zero_timer = QTimer(self)
                self._zero_timer.setSingleShot(True)
                self._zero_timer.setInterval(LONG_PRESS_MS)
                self._zero_timer.timeout.connect(self._zero_held)
                self._zero_plus = False
                button.pressed.connect(self._zero_pressed)
                button.released.connect(self._zero_released)
                button.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
                button.customContextMenuRequested.connect(lambda _pos: self.press("+"))
            else:
                button.clicked.connect(lambda _checked=False, k=key: self.press(k))
            keys.addWidget(button, i // 3, i % 3)
            self.keys[key] = button

        self.call_button = QPushButton("Call")
        self.call_button.setObjectName("callButton")
        self.call_button.setAccessibleName("Call")
        self.call_button.setMinimumHeight(40)
        self.call_button.setStyleSheet(
            "QPushButton:enabled { background: #1f7a4d; color: white; font-weight: bold;"
            " border-radius: 5px; padding: 6px; }"
            "QPushButton:focus { border: 2px solid #0b3d26; }"
        )
        self.call_button.clicked.connect(self.call)

        self.backspace_button = QPushButton("⌫ Delete")
        self.backspace_button.setAccessibleName("Delete last character")
        self.backspace_button.clicked.connect(self.backspace)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setAccessibleName("Clear the number")
        self.clear_button.clicked.connect(self.clear)
        self.clipboard_button = QPushButton("Dial &clipboard")
        self.clipboard_button.setObjectName("clipboardButton")
        self.clipboard_button.setAccessibleName("Dial the number in the clipboard")
        self.clipboard_button.clicked.connect(self.clipboard_requested)
        self.contact_button = QPushButton("C&ontact…")
        self.contact_button.setObjectName("contactButton")
        self.contact_button.setToolTip("Add the number to the phone book, or edit its contact")
        self.contact_button.clicked.connect(self.request_contact)
        self.contact_button.setVisible(self.contacts is not None)

        self.status = QLabel()
        self.status.setObjectName("callStatus")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # errors carry the PBX's words
        self.status.setAccessibleName("Last call")
        self.status.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        # Room for a two-line result before it is shown, so its arrival moves nothing.
        self.status.setMinimumHeight(self.status.fontMetrics().lineSpacing() * 2)

        provider_row = QHBoxLayout()
        provider_row.addWidget(provider_label)
        provider_row.addWidget(self.provider_box, 1)
        edit_row = QHBoxLayout()
        edit_row.addWidget(self.backspace_button)
        edit_row.addWidget(self.clear_button)
        edit_row.addWidget(self.clipboard_button)
        edit_row.addWidget(self.contact_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.field)
        layout.addWidget(self.match_list)
        layout.addWidget(self.preview)
        layout.addLayout(provider_row)
        layout.addLayout(keys)
        layout.setAlignment(keys, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.call_button)
        layout.addLayout(edit_row)
        layout.addWidget(self.status)
        # Spare height gathers below the last line: a longer preview or result takes it from
        # here, never from the keys.
        layout.addStretch(1)

        QWidget.setTabOrder(self.field, self.provider_box)
        QWidget.setTabOrder(self.provider_box, self.call_button)
        QWidget.setTabOrder(self.call_button, self.backspace_button)
        QWidget.setTabOrder(self.backspace_button, self.clear_button)
        QWidget.setTabOrder(self.clear_button, self.clipboard_button)
        self.setFocusProxy(self.field)

    def set_demo(self, demo: bool) -> None:
        self.banner.setVisible(demo)

    def refresh_providers(self) -> None:
        """Re-read the provider list (after the settings changed)."""
        current = self.provider()
        self.provider_box.blockSignals(True)
        self.provider_box.clear()
        default = self.dialer.default_profile_name()
        self.provider_box.addItem(f"Automatic ({default})" if default else "Automatic", None)
        for profile in self.dialer.profiles():
            label = str(profile.get("label") or "") or profile.name
            self.provider_box.addItem(label, profile.name)
        index = self.provider_box.findData(current) if current else 0
        self.provider_box.setCurrentIndex(max(0, index))
        self.provider_box.blockSignals(False)
        self.update_preview()

    def provider(self) -> str | None:
        data = self.provider_box.currentData()
        return str(data) if data else None

    # -- editing --------------------------------------------------------------------------------
    def press(self, key: str) -> None:
        """A key of the pad (or a typed dial character) goes into the field at the cursor."""
        self.field.insert(key)
        self.field.setFocus()

    def backspace(self) -> None:
        self.field.backspace()
        self.field.setFocus()

    def clear(self) -> None:
        self.field.clear()
        self.status.clear()
        self._status_number = None
        self._recent_pos = -1
        self.field.setFocus()

    def _zero_pressed(self) -> None:
        self._zero_plus = False
        self._zero_timer.start()

    def _zero_held(self) -> None:
        self._zero_plus = True
        self.press("+")

    def _zero_released(self) -> None:
        self._zero_timer.stop()
        if not self._zero_plus:
            self.press("0")

    def _text_changed(self, text: str) -> None:
        self.search_contacts(text)  # first: the preview reads whether contacts were found
        self.update_preview()

    # -- contacts -------------------------------------------------------------------------------
    def search_contacts(self, text: str) -> None:
        """Show the contacts ``text`` finds under the field (none: the list closes)."""
        if self.contacts is None:
            return
        if self._picked is not None and text == self._picked[0]:
            found: list[Match] = []  # the number just picked: the list has done its work
        else:
            try:
                found = self.contacts.matches(text)
            except DialerError as exc:  # the phone book went away: numbers still dial
                log.warning("contact search failed: %s", exc)
                found = []
        self.match_model.set_matches(found)
        self.match_list.fit_rows()
        self.match_list.setVisible(bool(found))
        if found:
            people = len({m.contact.id for m in found})
            numbers = "number" if len(found) == 1 else "numbers"
            who = "contact" if people == 1 else "contacts"
            text = f"{people} {who} found, {len(found)} {numbers}. Down arrow to choose."
            self.match_list.setAccessibleDescription(text)
            announce(self.match_list, text)

    def pick(self, row: int) -> bool:
        """Put the number of the list's ``row`` in the field; the call will carry the name."""
        found = self.match_model.at(row)
        if found is None:
            return False
        number = found.number.number
        self._picked = (number, found.contact.name, found.number.label)
        self.field.setText(number)
        self.close_matches()
        self.field.setFocus()
        announce(self, f"{found.contact.name}, {found.number.label}: {number}")
        return True

    def request_contact(self) -> None:
        """Ask for the contact dialog: the field's number normalised, when it is one."""
        plan = self.current_plan()
        number = plan.target.e164 if plan is not None and plan.target is not None else ""
        self.contact_requested.emit(number)

    def close_matches(self) -> bool:
        """Close the list; False when it was not open."""
        shown = self.match_list.isVisible()
        self.match_list.hide()
        self.match_model.set_matches([])
        return shown

    def _picked_contact(self, text: str) -> tuple[str, str] | None:
        if self._picked is not None and text.strip() == self._picked[0]:
            return self._picked[1], self._picked[2]
        return None

    # -- recent numbers -------------------------------------------------------------------------
    def _recent_numbers(self) -> list[str]:
        if self._recent is None:
            try:
                items = self.dialer.recent_numbers(RECENT)
            except DialerError as exc:
                log.warning("recent numbers unavailable: %s", exc)
                items = []
            self._recent = [recent_text(item) for item in items]
        return self._recent

    def recent_step(self, step: int) -> None:
        """Move through recent numbers: ``+1`` is older (Up), ``-1`` newer (Down)."""
        recent = self._recent_numbers()
        if not recent:
            return
        if self._recent_pos == -1:
            self._draft = self.field.text()
        pos = max(-1, min(len(recent) - 1, self._recent_pos + step))
        self._recent_pos = pos
        self.field.blockSignals(True)
        self.field.setText(self._draft if pos == -1 else recent[pos])
        self.field.blockSignals(False)
        self.update_preview()

    def forget_recent(self) -> None:
        """Re-read recent numbers on the next Up (a call was placed)."""
        self._recent = None
        self._recent_pos = -1

    # -- keyboard -------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.field
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
        ):
            listing = self.match_list.isVisible()
            key = event.key()
            if listing and key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                self.match_list.step(+1 if key == Qt.Key.Key_Down else -1)
                return True
            enter = key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            if listing and enter and self.pick(self.match_list.currentIndex().row()):
                return True  # picked: the next Enter calls
            if key == Qt.Key.Key_Up:
                self.recent_step(+1)
                return True
            if key == Qt.Key.Key_Down:
                self.recent_step(-1)
                return True
            if key == Qt.Key.Key_Escape:
                if not self.close_matches():
                    self.escape()
                return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        if text and text in DIAL_CHARS:
            self.press(text)
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.isAutoRepeat():
            self.call()
        elif event.key() == Qt.Key.Key_Escape:
            self.escape()
        elif event.key() == Qt.Key.Key_Backspace:
            self.backspace()
        else:
            super().keyPressEvent(event)

    def escape(self) -> None:
        """First Escape clears the field; Escape on an empty field hides the window."""
        if self.field.text():
            self.clear()
            return
        if not self._dismiss_explained:
            # Hiding to the tray without a word looks like quitting; say once where it went.
            self._dismiss_explained = True
            announce(self, f"{DISMISS_TITLE}. {DISMISS_TEXT}")
            messages.info(DISMISS_TITLE, DISMISS_TEXT)
        self.dismissed.emit()

    # -- preview --------------------------------------------------------------------------------
    def current_plan(self) -> DialPlan | None:
        text = self.field.text().strip()
        if not text:
            return None
        plan = self.dialer.plan(text, Source.DIALPAD, self.provider())
        picked = self._picked_contact(text)
        if picked is not None:
            plan.contact, plan.contact_label = picked
        return plan

    def update_preview(self) -> None:
        plan = self.current_plan()
        if plan is None:
            self.preview.setText(
                f"<span style='{HINT_STYLE}'>Type a number, an extension, or paste a tel: "
                "link. Enter calls; Up shows recent numbers.</span>"
            )
        elif plan.error and self.match_list.isVisible():
            # A name being typed is no mistake while it finds contacts: say what to do.
            self.preview.setText(
                f"<span style='{HINT_STYLE}'>Down arrow chooses a contact, Enter takes its "
                "number.</span>"
            )
        else:
            self.preview.setText(preview_html(plan))
        name_with_text(self.preview, "Will dial", plain(self.preview.text()))
        self._update_button(plan)

    def _update_button(self, plan: DialPlan | None = None) -> None:
        if plan is None and self.field.text().strip():
            plan = self.current_plan()
        busy = plan is not None and self.is_busy(plan)
        self.call_button.setText(
            ("Confirming…" if self._confirming else "Calling…") if busy else "Call"
        )
        self.call_button.setAccessibleName(self.call_button.text())
        self.call_button.setEnabled(plan is not None and plan.ok and not busy)

    def is_busy(self, plan: DialPlan) -> bool:
        """Whether this number is being sent right now (by us or by any other door)."""
        key = _key(plan)
        return key in self._pending or key in self.dialer.in_flight()

    # -- calling --------------------------------------------------------------------------------
    def call(self) -> asyncio.Task[CallAttempt | None] | None:
        """Place the call for the field's number, unless it is already being placed."""
        plan = self.current_plan()
        if plan is None:
            return None
        if not plan.ok:
            self.preview.setText(preview_html(plan))
            name_with_text(self.preview, "Will dial", plain(self.preview.text()))
            return None
        if self.is_busy(plan):
            return None  # the same number is on its way; a second press places nothing
        key = _key(plan)
        self._pending.add(key)
        self._status_number = key
        self._update_button(plan)
        self._set_status(f"Calling {plan.callee}…", HINT_STYLE)
        picked = self._picked_contact(plan.raw)
        self.last_task = spawn(self._dial(plan.raw, key, self.provider(), picked))
        return self.last_task

    async def _confirm(self, plan: DialPlan) -> bool:
        """Ask, and say meanwhile that the call waits for the answer, not that it is ringing."""
        assert self.confirm is not None
        display = plan.target.display if plan.target else plan.raw
        self._confirming = True
        self._update_button(plan)
        self._set_status(f"Waiting for you to confirm the call to {display}…", HINT_STYLE)
        try:
            ok = await self.confirm(plan)
        finally:
            self._confirming = False
            self._update_button(plan)
        if ok:
            self._set_status(f"Calling {display}…", HINT_STYLE)
        return ok

    async def _dial(
        self, raw: str, key: str, provider: str | None, picked: tuple[str, str] | None = None
    ) -> CallAttempt | None:
        confirm = self._confirm if self.confirm is not None else None
        # The contact picked from the list names the call (only then: fakes need not know it).
        named = {"contact": picked} if picked is not None else {}
        try:
            attempt = await self.dialer.dial(
                raw, Source.DIALPAD, provider=provider, confirm=confirm, **named
            )
        except DialerError as exc:
            messages.error("Call not placed", str(exc))
            self._set_status(str(exc), colors.style(colors.ERROR))
            return None
        finally:
            self._pending.discard(key)
            self.forget_recent()
            self._update_button()
        self.show_result(attempt)
        placed = attempt.state in (CallState.ACCEPTED, CallState.COMPLETED)
        if placed and self.field.text().strip() == raw:
            self.field.clear()
        return attempt

    def watch(self, events: EventBus) -> Callable[[], None]:
        """Follow calls from every door; returns the unsubscribe function.

        The status line is about one number. A later call to it from another door (a redial
        from the history, a link) replaces what it says, so "result unknown" does not stay
        once the number was dialed again and accepted, and a late outcome (Teleforge's
        answered or busy) reaches it too.
        """

        def on_event(event: object) -> None:
            if isinstance(event, CallChanged):
                self.call_changed(event.attempt)

        return events.subscribe(on_event)

    def call_changed(self, attempt: CallAttempt) -> None:
        number = attempt.number
        if not number or number != self._status_number or number in self._pending:
            return  # another number's, or this pad's own call, whose end _dial shows
        if attempt.state is CallState.REQUESTED:
            self._set_status(f"Calling {attempt.display or number}…", HINT_STYLE)
        else:
            self.show_result(attempt)

    def show_result(self, attempt: CallAttempt) -> None:
        self._status_number = attempt.number or self._status_number
        message = messages.call_message(attempt)
        if message is not None:
            style = {
                "info": colors.style(colors.OK),
                "warning": colors.style(colors.WARNING),
                "error": colors.style(colors.ERROR),
            }
            self._set_status(f"{message.title}. {message.text}", style[message.level])
        elif attempt.state is CallState.MERGED:
            self._set_status(
                attempt.detail or "Merged with the call just placed.", colors.style(colors.WARNING)
            )
        elif attempt.state is CallState.BLOCKED:
            self._set_status(attempt.error or "Not placed.", colors.style(colors.WARNING))

    def _set_status(self, text: str, style: str) -> None:
        self.status.setStyleSheet(style)
        self.status.setText(text)
        name_with_text(self.status, "Last call", text)
        announce(self.status, text)


class Key(QToolButton):
    """A key of the pad, as large as two lines of its font ("2" over "ABC") with room around."""

    def sizeHint(self) -> QSize:
        height = self.fontMetrics().lineSpacing() * 2 + 16
        return QSize(max(72, height * 3 // 2), height)


def _key(plan: DialPlan) -> str:
    return plan.target.e164 if plan.target is not None else plan.raw.strip()


def preview_html(plan: DialPlan) -> str:
    """The preview under the number field, in words (colour only repeats what words say)."""
    esc = html.escape
    error_style, warn_style = colors.style(colors.ERROR), colors.style(colors.WARNING)
    if plan.error:
        return f"<span style='{error_style}'><b>Cannot dial:</b> {esc(plan.error)}</span>"
    target = plan.target
    assert target is not None
    lines = [f"<b>{esc(target.display)}</b>"]
    if plan.contact:  # from the phone book: escaped like every text from outside
        label = f", {plan.contact_label}" if plan.contact_label else ""
        lines[0] = f"<b>{esc(plan.contact)}</b>{esc(label)} · {lines[0]}"
    if plan.emergency:
        kind = "emergency number"  # not "extension": what it looks like is not what it is
    elif target.is_extension:
        kind = "extension"
    else:
        kind = plan.number_type.replace("_", " ")
    if kind and kind != "unknown":
        lines[0] += f" <span style='{HINT_STYLE}'>({esc(kind)})</span>"
    if plan.blocked:
        lines.append(f"<span style='{error_style}'><b>Blocked:</b> {esc(plan.blocked)}</span>")
        return "<br>".join(lines)
    for note in plan.notes:
        lines.append(f"<span style='{HINT_STYLE}'>{esc(note)}</span>")
    provider = plan.profile.name if plan.profile else "?"
    lines.append(f"Sends <tt>{esc(plan.dial_string)}</tt> via {esc(provider)}")
    if plan.needs_confirm:
        reason = plan.confirm_reason or "Your settings ask first."
        lines.append(f"<span style='{HINT_STYLE}'>Asks first: {esc(reason)}</span>")
    if plan.duplicate_of is not None:
        lines.append(f"<span style='{warn_style}'>Dialed moments ago; would be merged.</span>")
    for warning in plan.warnings:
        lines.append(f"<span style='{warn_style}'>⚠ {esc(warning)}</span>")
    return "<br>".join(lines)
