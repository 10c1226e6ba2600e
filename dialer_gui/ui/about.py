"""The Help and About windows of the main window's Help menu, in plain text.

Help is a short page built in, not the README: the README is not installed with the package,
and a page opened in a browser would leave the keyboard-only user in another program. Both are
plain text (no markup from file paths that may hold ``<`` or ``&``), selectable, and closed with
Escape or Enter.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from dialer_gui import __version__
from dialer_gui.core import logs, paths
from dialer_gui.ui.geometry import first_size
from dialer_gui.ui.icons import app_icon

LICENCE = "MIT"

HELP = """\
Placing a call
  Type or paste a number in the Dial tab and press Enter. Below the field you see the number
  as it will be called and the exact text the PBX receives. Escape clears the field; a second
  Escape puts the window away.

Other ways in
  Call > Dial clipboard finds the numbers in the copied text. tel: links open here once
  "dialer-gui register" has been run. The browser companion hands over numbers from web pages.

Before a call is placed
  Links, the clipboard and web pages ask first by default. Emergency and premium-rate
  numbers always ask; their prompt has Cancel as the default button.

Keyboard
  Ctrl+1 Dial, Ctrl+2 History, Ctrl+, Settings, Ctrl+Q Quit, F1 this help.
  Alt or F10 opens the menu bar. In History: Ctrl+F search, Ctrl+R redial.

States of a call
  accepted: the PBX took it, your phone rings first. failed: nothing was dialed.
  unknown: the request may have reached the PBX; check your phone before trying again.
  merged: a duplicate of a call placed moments before. blocked: a guard stopped it or you
  cancelled.

More
  "dialer-gui doctor" checks the links, the keyring, the tray and each provider.
  "dialer-gui --help" lists the commands.
"""


def about_text() -> str:
    """The About window's text: version, licence, and where the settings and log are."""
    log_file = logs.where().strip(" ()").removeprefix("see ") or str(paths.log_dir())
    return (
        f"dialer-gui {__version__}\n"
        "Click-to-call for the desktop: tel: links, the clipboard and a dial pad, "
        "through your PBX.\n\n"
        f"Licence: {LICENCE}\n"
        f"Settings: {paths.config_path()}\n"
        f"History and window state: {paths.data_dir()}\n"
        f"Log: {log_file}\n"
    )


class TextWindow(QDialog):
    """A plain-text page with a Close button."""

    def __init__(self, title: str, text: str, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowIcon(app_icon())
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        layout = QVBoxLayout(self)
        self.text = QPlainTextEdit(text)
        self.text.setReadOnly(True)
        self.text.setAccessibleName(title)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        metrics = self.fontMetrics()
        lines = text.count("\n") + 2
        wanted = QSize(metrics.horizontalAdvance("x") * 96, metrics.lineSpacing() * min(lines, 30))
        self.resize(first_size(self, wanted))


def help_window(parent: QWidget | None = None) -> TextWindow:
    return TextWindow("dialer-gui Help", HELP, parent=parent)


def about_window(parent: QWidget | None = None) -> TextWindow:
    window = TextWindow("About dialer-gui", about_text(), parent=parent)
    window.text.setObjectName("aboutText")
    return window
