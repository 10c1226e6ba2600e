"""The "Place this call?" prompt, as the dialer's asynchronous ``ConfirmFn``.

The prompt never blocks the event loop (no ``exec()``): :func:`ask` shows the dialog and
awaits a future that its buttons resolve. It shows what will happen in full: the number as
people read it, the provider, the exact string the PBX will receive, why we ask, and any
warning (such as TLS checks being off). With a countdown it calls by itself at zero, visibly;
any key or click in the prompt other than Call stops the countdown.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from dialer_gui.core.dialer import DialPlan
from dialer_gui.ui import colors
from dialer_gui.ui.accessible import plain
from dialer_gui.ui.dialogs import run_dialog
from dialer_gui.ui.icons import app_icon


class ConfirmDialog(QDialog):
    """Shows one plan; ``accepted``/``rejected`` carry the answer."""

    def __init__(self, plan: DialPlan, *, countdown: int = 0, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Place this call?")
        self.setWindowIcon(app_icon())
        self.setObjectName("confirmDialog")
        # Links arrive while another program has the focus; the prompt must be seen.
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
        self.remaining = max(0, int(countdown))

        number = QLabel(plan.callee)  # "Jane Doe, mobile (+1 212-555-0100)" or the number
        number.setObjectName("confirmNumber")
        number.setTextFormat(Qt.TextFormat.PlainText)  # plan.raw is the link as it came
        font = number.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        number.setFont(font)
        number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        number.setAccessibleName(f"Number to call: {number.text()}")

        provider = plan.profile.name if plan.profile else "?"
        details = QLabel(
            f"via <b>{_esc(provider)}</b><br>The PBX receives: <tt>{_esc(plan.dial_string)}</tt>"
        )
        details.setTextFormat(Qt.TextFormat.RichText)
        details.setAccessibleName(plain(details.text()))  # heard as shown: provider, dial string

        layout = QVBoxLayout(self)
        layout.addWidget(number)
        layout.addWidget(details)
        for text in plan.notes:  # a vanity number's digits: what is dialed, beside the word
            note = QLabel(text)
            note.setWordWrap(True)
            note.setTextFormat(Qt.TextFormat.PlainText)
            layout.addWidget(note)
        if plan.confirm_reason:
            reason = QLabel(plan.confirm_reason)
            reason.setWordWrap(True)
            reason.setTextFormat(Qt.TextFormat.PlainText)
            reason.setObjectName("confirmReason")
            layout.addWidget(reason)
        for text in plan.warnings:
            warning = QLabel(f"⚠ {text}")
            warning.setWordWrap(True)
            warning.setTextFormat(Qt.TextFormat.PlainText)
            warning.setStyleSheet(f"{colors.style(colors.WARNING)} font-weight: bold;")
            layout.addWidget(warning)

        self.countdown_label = QLabel()
        self.countdown_bar = QProgressBar()
        self.countdown_bar.setRange(0, max(1, self.remaining))
        self.countdown_bar.setTextVisible(False)
        self.countdown_bar.setMaximumHeight(6)
        layout.addWidget(self.countdown_label)
        layout.addWidget(self.countdown_bar)

        buttons = QDialogButtonBox()
        self.call_button = buttons.addButton("Call", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.call_button.setDefault(True)
        self.call_button.setAccessibleName("Call this number")
        self.cancel_button.setAccessibleName("Cancel, do not call")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.call_button.setFocus()

        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        if self.remaining:
            self._timer.start()
            for child in self.findChildren(QWidget):
                if child is not self.call_button:
                    child.installEventFilter(self)
        self._show_countdown()

    def stop_countdown(self) -> None:
        if self._timer.isActive():
            self._timer.stop()
            self.countdown_label.setText("Countdown stopped. Press Call or Cancel.")
            self.countdown_bar.hide()

    @property
    def counting(self) -> bool:
        return self._timer.isActive()

    def _tick(self) -> None:
        self.remaining -= 1
        self._show_countdown()
        if self.remaining <= 0:
            self._timer.stop()
            self.accept()

    def _show_countdown(self) -> None:
        if not self._timer.isActive():
            self.countdown_label.hide()
            self.countdown_bar.hide()
            return
        self.countdown_label.setText(f"Calling automatically in {self.remaining} s…")
        self.countdown_bar.setValue(self.remaining)

    def event(self, event: QEvent) -> bool:
        # Tab never reaches keyPressEvent, so the countdown is stopped here.
        enter = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        is_key = isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress
        if is_key and event.key() not in enter:  # type: ignore[attr-defined]
            self.stop_countdown()
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # The Enter that asked for the call may still be held down; its repeats must not
        # answer a prompt the user has not read yet.
        if event.isAutoRepeat():
            event.accept()
            return
        super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress):
            key_event = event if isinstance(event, QKeyEvent) else None
            if key_event is None or key_event.key() not in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.stop_countdown()
        return super().eventFilter(watched, event)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


async def ask(
    plan: DialPlan,
    *,
    countdown: int = 0,
    parent: QWidget | None = None,
    shown: Callable[[ConfirmDialog], None] | None = None,
) -> bool:
    """Show the prompt for ``plan`` and wait for the answer without blocking the loop.

    Args:
        plan: what would be dialed.
        countdown: seconds before calling by itself; 0 waits for a click.
        parent: the window the prompt belongs to, if any.
        shown: called with the dialog once it is visible (tests, screenshots).

    Returns:
        True when the user (or the countdown) chose Call.
    """
    dialog = ConfirmDialog(plan, countdown=countdown, parent=parent)
    return await run_dialog(dialog, lambda _d, accepted: accepted, shown)


class Confirmer:
    """The ``ConfirmFn`` handed to the dialer, reading the countdown from current settings.

    Args:
        countdown: returns the configured countdown in seconds.
        parent: returns the window prompts belong to (or None).
    """

    def __init__(
        self,
        countdown: Callable[[], int],
        parent: Callable[[], QWidget | None] = lambda: None,
    ) -> None:
        self._countdown = countdown
        self._parent = parent
        self.on_shown: Callable[[ConfirmDialog], None] | None = None
        self.current: ConfirmDialog | None = None

    async def __call__(self, plan: DialPlan) -> bool:
        def shown(dialog: ConfirmDialog) -> None:
            self.current = dialog
            if self.on_shown is not None:
                self.on_shown(dialog)

        try:
            return await ask(plan, countdown=self._countdown(), parent=self._parent(), shown=shown)
        finally:
            self.current = None
