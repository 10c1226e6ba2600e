"""The main window: the call card, tabs Dial and History with the menus beside them, a status line.

Everything is reachable from the menu bar, so the app works where there is no tray (GNOME's
default): File (Dial clipboard, Settings… Ctrl+,, Quit Ctrl+Q), View (Dial Ctrl+1, History
Ctrl+2), Help (Help F1, About). Alt and F10 reach the menu bar from the keyboard. The keys are
the actions' own shortcuts, never a QShortcut as well: Qt finds two owners of one key
ambiguous and then runs neither.

With a tray, closing the window only hides it (the tray keeps the app alive), and the first
time it says so. Without a tray it is the app: closing it quits, and Escape on an empty dial
pad minimises instead of hiding.

One size for both tabs: the history fits the window (its columns scroll and elide) rather than
the window growing for it. The window comes back where it was (``window_state``), kept on a
screen that exists; the first time, it opens at a size within the screen's free area.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QHideEvent, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMenuBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from dialer_gui.ui import messages
from dialer_gui.ui.about import about_window, help_window
from dialer_gui.ui.dialpad import DialPad
from dialer_gui.ui.geometry import first_size
from dialer_gui.ui.icons import app_icon
from dialer_gui.ui.window_state import WindowState, placed

DIAL_SIZE = QSize(440, 600)
"""The window's first size (both tabs fit it), made smaller where the screen is."""

CLOSED_TO_TRAY = "dialer-gui is still running"
CLOSED_TO_TRAY_TEXT = (
    "Closing the window keeps dialer-gui in the tray, ready for links. "
    "Quit from the tray menu, or with File > Quit (Ctrl+Q)."
)


def _key(standard: QKeySequence.StandardKey, fallback: str) -> QKeySequence:
    """The platform's key for ``standard``, or ``fallback`` where it has none (a bare X session)."""
    key = QKeySequence(standard)
    return QKeySequence(fallback) if key.isEmpty() else key


class NoticeBar(QFrame):
    """Plain text with a Dismiss button, floating over the foot of the window's content.

    It wraps instead of being cut off as the status line cut it, and it floats rather than
    taking a row: a row would raise the window's smallest height past what a 1280x800 screen
    at 150 % leaves, and squeeze the keypad while shown. It covers the bottom of the tab until
    dismissed, and follows its parent's size.
    """

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("noticeBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        self.setForegroundRole(QPalette.ColorRole.ToolTipText)
        parent.installEventFilter(self)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 4, 4)
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        row.addWidget(self.label, 1)
        self.dismiss_button = QPushButton("Dismiss")
        self.dismiss_button.setAccessibleName("Dismiss this notice")
        self.dismiss_button.clicked.connect(self.hide)
        row.addWidget(self.dismiss_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_text(self, text: str) -> None:
        self.label.setText(text)
        self.label.setAccessibleName(text)
        self.show()
        self.place()

    def place(self) -> None:
        parent = self.parentWidget()
        if parent is None:
            return
        margin = 6
        width = max(0, parent.width() - 2 * margin)
        layout = self.layout()
        height = (
            layout.totalHeightForWidth(width) if layout is not None else self.sizeHint().height()
        )
        self.setGeometry(margin, parent.height() - height - margin, width, height)
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Not isVisible(): that is False until the window shows, and it opens after the text.
        if event.type() == QEvent.Type.Resize and not self.isHidden():
            self.place()
        return super().eventFilter(watched, event)


class MainWindow(QMainWindow):
    """Holds the menu bar, the dial pad and the history pane.

    Args:
        dialpad: the Dial tab.
        history: the History tab.
        call_card: the call in progress, shown above the tabs.
        has_tray: whether a tray icon keeps the app running when this window closes.
        demo: label the window as a demo.
        state: where the window was and which notices were shown; None keeps nothing.
    """

    quit_requested = Signal()
    settings_requested = Signal()
    clipboard_requested = Signal()

    def __init__(
        self,
        dialpad: DialPad,
        history: QWidget,
        *,
        has_tray: bool,
        demo: bool = False,
        call_card: QWidget | None = None,
        state: WindowState | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.has_tray = has_tray
        self.state = state or WindowState(path=None)
        self._keep_state = state is not None
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
        self.notice = NoticeBar(central)
        self._build_menus()
        self.statusBar().setSizeGripEnabled(True)
        self._restore_geometry()
        self.set_demo(demo)
        self.dialpad.dismissed.connect(self.dismiss)
        self._help: QWidget | None = None
        self._about: QWidget | None = None

    # -- menus ------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        # In the tab bar's free right-hand corner rather than a row of its own: a menu row
        # took the 20 pixels the window lacks at 150 % on a 1280x800 screen. Alt and F10
        # reach it as any menu bar (QMenuBar watches its window's keys wherever it sits).
        bar = self.menu_bar = QMenuBar(self)
        bar.setObjectName("mainMenu")
        bar.setAccessibleName("Menu")
        self.tabs.setCornerWidget(bar, Qt.Corner.TopRightCorner)
        # "He&lp": Alt+H is the History tab's, Alt+E the Export button's, Alt+P the provider's.
        file_menu = self.file_menu = bar.addMenu("&File")
        self.clipboard_action = self._action(
            file_menu, "Dial &clipboard", None, self.clipboard_requested.emit
        )
        self.settings_action = self._action(
            file_menu, "&Settings…", QKeySequence("Ctrl+,"), self.settings_requested.emit
        )
        file_menu.addSeparator()
        self.hide_action: QAction | None = None
        if self.has_tray:
            self.hide_action = self._action(
                file_menu,
                "Hide to &tray",
                _key(QKeySequence.StandardKey.Close, "Ctrl+W"),
                self.hide,
            )
        self.quit_action = self._action(
            file_menu,
            "&Quit",
            _key(QKeySequence.StandardKey.Quit, "Ctrl+Q"),
            self.quit_requested.emit,
        )
        view_menu = self.view_menu = bar.addMenu("&View")
        self.dial_action = self._action(
            view_menu, "&Dial", QKeySequence("Ctrl+1"), lambda: self.show_tab(0)
        )
        self.history_action = self._action(
            view_menu, "&History", QKeySequence("Ctrl+2"), lambda: self.show_tab(1)
        )
        help_menu = self.help_menu = bar.addMenu("He&lp")
        self.help_action = self._action(
            help_menu, "&Help", _key(QKeySequence.StandardKey.HelpContents, "F1"), self.show_help
        )
        self.about_action = self._action(help_menu, "&About dialer-gui", None, self.show_about)
        # F10 opens the menu bar as in GTK and Windows apps; Alt alone does it through Qt.
        self.menu_key_action = QAction("Menu bar", self)
        self.menu_key_action.setShortcut(QKeySequence("F10"))
        self.menu_key_action.triggered.connect(self.open_menu_bar)
        self.addAction(self.menu_key_action)

    def _action(self, menu: QMenu, text: str, key: QKeySequence | None, slot: object) -> QAction:
        action = menu.addAction(text)
        if key is not None:
            action.setShortcut(key)
            # Shortcuts work with the menu bar hidden or the focus in a tab's field.
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        return action

    def open_menu_bar(self) -> None:
        bar = self.menu_bar
        bar.setFocus(Qt.FocusReason.ShortcutFocusReason)
        bar.setActiveAction(self.file_menu.menuAction())

    def show_help(self) -> None:
        self._help = help_window(self)
        self._help.show()

    def show_about(self) -> None:
        self._about = about_window(self)
        self._about.show()

    # -- notices ----------------------------------------------------------------------------
    def notice_once(self, key: str, text: str) -> bool:
        """Show ``text`` in the notice bar, the first time per install only."""
        if not self.state.first_time(key):
            return False
        self.notice.show_text(text)
        return True

    # -- place and size ---------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        saved = self.state.geometry
        if saved is None:
            self.resize(first_size(self, DIAL_SIZE))
            return
        minimum = self.minimumSizeHint()
        self.setGeometry(placed(QRect(*saved), QRect(0, 0, minimum.width(), minimum.height())))

    def save_state(self) -> None:
        """Remember where the window is (at close, hide and quit)."""
        if not self._keep_state:
            return
        rect = self.geometry()
        if self.isMaximized() or self.isMinimized() or self.isFullScreen():
            rect = self.normalGeometry() if not self.normalGeometry().isEmpty() else rect
        geometry = (rect.x(), rect.y(), rect.width(), rect.height())
        if rect.isEmpty() or geometry == self.state.geometry:
            return
        self.state.geometry = geometry
        self.state.save()

    # -- showing ----------------------------------------------------------------------------
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

    def hideEvent(self, event: QHideEvent) -> None:
        if not event.spontaneous():
            self.save_state()
        super().hideEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        if self.has_tray:
            event.ignore()
            self.hide()
            # Hiding without a word looks like quitting; say where it went, once per install.
            if self.state.first_time("closed_to_tray"):
                messages.info(CLOSED_TO_TRAY, CLOSED_TO_TRAY_TEXT)
        else:
            event.accept()
