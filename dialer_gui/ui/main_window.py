"""The main window: tabs Dial and History, and a status line.

Ctrl+1 and Ctrl+2 pick the tab, Ctrl+, opens the settings, Ctrl+Q quits. With a tray, closing it
only hides it (the tray keeps the app alive). Without a tray it is the
app: closing it quits, and Escape on an empty dial pad minimises instead of hiding.

One size for both tabs: the history fits the window (its columns scroll and elide) rather than
the window growing for it, which pushed its right half off a 1280x800 screen and left the dial
pad as wide. The first size is kept within the screen's available area.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QMainWindow, QTabWidget, QVBoxLayout, QWidget

from dialer_gui.ui.dialpad import DialPad
from dialer_gui.ui.geometry import first_size
from dialer_gui.ui.icons import app_icon

DIAL_SIZE = QSize(440, 600)
"""The window's first size (both tabs fit it), made smaller where the screen is."""


class MainWindow(QMainWindow):
    """Holds the dial pad and the history pane.

    Args:
        dialpad: the Dial tab.
        history: the History tab.
        call_card: the call in progress, shown above the tabs.
        has_tray: whether a tray icon keeps the app running when this window closes.
        demo: label the window as a demo.
    """

    quit_requested = Signal()
    settings_requested = Signal()

    def __init__(
        self,
        dialpad: DialPad,
        history: QWidget,
        *,
        has_tray: bool,
        demo: bool = False,
        call_card: QWidget | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.has_tray = has_tray
        self.dialpad = dialpad
        self.history = history
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        # It takes the focus (to pass it to its tabs), so a screen reader stops on it: say what.
        self.tabs.setAccessibleName("Dial and history")
        self.tabs.addTab(dialpad, "&Dial")
        self.tabs.addTab(history, "&History")
        # The call in progress sits above both tabs, so it stays in view whichever is open.
        self.call_card = call_card
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        if call_card is not None:
            column.addWidget(call_card)
        column.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.statusBar().setSizeGripEnabled(True)
        self.resize(first_size(self, DIAL_SIZE))
        self.set_demo(demo)
        dialpad.dismissed.connect(self.dismiss)
        QShortcut(QKeySequence("Ctrl+1"), self, lambda: self.show_tab(0))
        QShortcut(QKeySequence("Ctrl+2"), self, lambda: self.show_tab(1))
        QShortcut(QKeySequence(QKeySequence.StandardKey.Quit), self, self.quit_requested.emit)
        # Settings from the keyboard: the tray menu is not reachable without a mouse (and
        # without a tray there is no menu at all). Ctrl+, as most desktop apps use it.
        self.settings_shortcut = QShortcut(QKeySequence("Ctrl+,"), self)
        self.settings_shortcut.activated.connect(self.settings_requested.emit)
        if has_tray:
            QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self, self.hide)

    def set_demo(self, demo: bool) -> None:
        self.setWindowTitle("dialer-gui — Demo" if demo else "dialer-gui")
        self.setWindowIcon(app_icon(demo))

    def show_tab(self, index: int) -> None:
        """Show, raise and focus the window on a tab (0 Dial, 1 History)."""
        self.tabs.setCurrentIndex(index)
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()
        self.tabs.currentWidget().setFocus()

    def show_dialpad(self) -> None:
        self.show_tab(0)

    def toggle(self) -> None:
        """The tray's left click: bring the dial pad to the front, or put it away if it is."""
        if self.isVisible() and not self.isMinimized() and self.isActiveWindow():
            self.dismiss()
        else:
            self.show_dialpad()

    def show_history(self) -> None:
        self.show_tab(1)

    def dismiss(self) -> None:
        """Escape on an empty dial pad: out of the way, but never lost."""
        if self.has_tray:
            self.hide()
        else:
            self.showMinimized()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.has_tray:
            event.ignore()
            self.hide()
        else:
            event.accept()
