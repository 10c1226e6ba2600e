"""The "Place this call?" prompt, as the dialer's asynchronous ``ConfirmFn``.

The prompt never blocks the event loop (no ``exec()``): :func:`ask` shows the dialog and
awaits a future that its buttons resolve. It shows what will happen in full: the number as
people read it, the provider, the exact string the PBX will receive, why we ask, and any
warning (such as TLS checks being off). With a countdown it calls by itself at zero, visibly;
any key or click in the prompt other than Call stops the countdown.

It says where the request came from (a link and its text, the clipboard, a web page and its
address, the command line), since that is what decides whether to trust it. For emergency and
premium-rate numbers Cancel is the default button, so an Enter meant for another window does
not place them. Where the policy allows (a link, the clipboard or a web page asking for an
ordinary number, see ``core.policy.quiet_setting``) it offers "Don't ask again for numbers like
this", which turns the matching ``confirm_*`` setting off once Call is pressed.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLayout,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from dialer_gui.core.dialer import DialPlan
from dialer_gui.core.policy import quiet_setting, risky
from dialer_gui.ui import colors
from dialer_gui.ui.accessible import plain
from dialer_gui.ui.dialogs import run_dialog
from dialer_gui.ui.icons import app_icon
from dialer_gui.vocabulary.calls import Source

TITLE = "Place this call?"

ORIGIN: dict[Source, str] = {
    Source.LINK: "a link",
    Source.CLIPBOARD: "the clipboard",
    Source.BROWSER: "a web page",
    Source.CLI: "the command line",
    Source.DIALPAD: "the dial pad",
    Source.HISTORY: "the history (redial)",
}
"""How the prompt names each door (``tests/ui/test_prompt.py`` checks every one is here)."""

MAX_SHOWN = 120
"""Characters of a link or page address shown; the rest is elided in the middle."""


def origin_text(plan: DialPlan) -> str:
    """ "From a link: tel:+1...": where the request came from, in plain words."""
    where = ORIGIN.get(plan.source, "somewhere dialer-gui cannot tell")
    detail = ""
    if plan.source is Source.BROWSER and plan.page:
        detail = plan.page
    elif plan.source is Source.LINK and plan.raw:
        detail = plan.raw
    if len(detail) > MAX_SHOWN:
        half = MAX_SHOWN // 2
        detail = f"{detail[:half]}…{detail[-half:]}"
    return f"From {where}: {detail}" if detail else f"From {where}."


class ConfirmDialog(QDialog):
    """Shows one plan; ``accepted``/``rejected`` carry the answer."""

    def __init__(self, plan: DialPlan, *, countdown: int = 0, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.setWindowIcon(app_icon())
        self.setObjectName("confirmDialog")
        # A title and a close button only: minimising a prompt loses it, maximising is absurd.
        # On top, since links arrive while another program has the focus; it must be seen.
        self.setWindowFlags(
            Qt.WindowType.Dialog
            | Qt.WindowType.CustomizeWindowHint
            | Qt.WindowType.WindowTitleHint
            | Qt.WindowType.WindowCloseButtonHint
            | Qt.WindowType.WindowStaysOnTopHint
        )
        self.risky = risky(plan.number_type, plan.emergency)
        self.quiet_setting = quiet_setting(
            plan.source, plan.confirm_reason, plan.number_type, plan.emergency
        )
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

        origin = QLabel(origin_text(plan))
        origin.setObjectName("confirmOrigin")
        origin.setTextFormat(Qt.TextFormat.PlainText)  # a link or page address, as it came
        origin.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(number)
        layout.addWidget(details)
        layout.addWidget(origin)
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

        self.quiet_box: QCheckBox | None = None
        if self.quiet_setting is not None:
            self.quiet_box = QCheckBox("&Don't ask again for numbers like this")
            self.quiet_box.setToolTip(
                f"Calls from {ORIGIN[plan.source]} are then placed at once. "
                "Emergency and premium-rate numbers still ask. Settings turns asking back on."
            )
            layout.addWidget(self.quiet_box)

        buttons = QDialogButtonBox()
        self.call_button = buttons.addButton("Call", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.default_button = self.cancel_button if self.risky else self.call_button
        self.call_button.setAutoDefault(False)
        self.cancel_button.setAutoDefault(False)
        self.default_button.setDefault(True)
        self.call_button.setAccessibleName("Call this number")
        self.cancel_button.setAccessibleName("Cancel, do not call")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        # Its size is its content's: window managers (openbox, xfwm) offer no maximise button
        # for a window that cannot grow, whatever hints they ignore.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)
        self.default_button.setFocus()
        # Wide enough for the whole title beside the window buttons (a narrow prompt of a
        # short number cut it to "Place th...").
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance(TITLE) * 2 + 120)

        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        if self.remaining:
            self._timer.start()
            for child in self.findChildren(QWidget):
                if child is not self.call_button:
                    child.installEventFilter(self)
        self._show_countdown()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.raise_()
        self.activateWindow()
        self.default_button.setFocus(Qt.FocusReason.ActiveWindowFocusReason)

    def stop_asking(self) -> str | None:
        """The setting to turn off, when the box was ticked; read once the call is chosen."""
        if self.quiet_box is not None and self.quiet_box.isChecked():
            return self.quiet_setting
        return None

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
    stop_asking: Callable[[str], None] | None = None,
) -> bool:
    """Show the prompt for ``plan`` and wait for the answer without blocking the loop.

    Args:
        plan: what would be dialed.
        countdown: seconds before calling by itself; 0 waits for a click.
        parent: the window the prompt belongs to, if any.
        shown: called with the dialog once it is visible (tests, screenshots).
        stop_asking: called with a ``confirm_*`` setting's name when the user chose Call with
            "Don't ask again" ticked.

    Returns:
        True when the user (or the countdown) chose Call.
    """
    dialog = ConfirmDialog(plan, countdown=countdown, parent=parent)

    def result_of(d: ConfirmDialog, accepted: bool) -> bool:
        setting = d.stop_asking() if accepted else None
        if setting is not None and stop_asking is not None:
            stop_asking(setting)
        return accepted

    return await run_dialog(dialog, result_of, shown)


class Confirmer:
    """The ``ConfirmFn`` handed to the dialer, reading the countdown from current settings.

    Args:
        countdown: returns the configured countdown in seconds.
        parent: returns the window prompts belong to (or None).
        stop_asking: turns a ``confirm_*`` setting off and saves it ("Don't ask again").
    """

    def __init__(
        self,
        countdown: Callable[[], int],
        parent: Callable[[], QWidget | None] = lambda: None,
        stop_asking: Callable[[str], None] | None = None,
    ) -> None:
        self._countdown = countdown
        self._parent = parent
        self._stop_asking = stop_asking
        self.on_shown: Callable[[ConfirmDialog], None] | None = None
        self.current: ConfirmDialog | None = None

    async def __call__(self, plan: DialPlan) -> bool:
        def shown(dialog: ConfirmDialog) -> None:
            self.current = dialog
            if self.on_shown is not None:
                self.on_shown(dialog)

        try:
            return await ask(
                plan,
                countdown=self._countdown(),
                parent=self._parent(),
                shown=shown,
                stop_asking=self._stop_asking,
            )
        finally:
            self.current = None
