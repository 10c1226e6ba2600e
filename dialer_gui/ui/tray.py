"""The tray icon and its menu, rebuilt each time it opens (Vorta's pattern).

The menu: Dial…, Dial clipboard, recent numbers (redial), the provider to use by default (a
radio group), History, Settings…, Quit. Rebuilding on ``aboutToShow`` keeps the recent numbers
and the profiles current without any bookkeeping.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from dialer_gui.core.dialer import Dialer
from dialer_gui.errors import DialerError
from dialer_gui.ui.icons import app_icon

log = logging.getLogger("dialer_gui.ui.tray")

RECENT_IN_MENU = 5


@dataclass(slots=True)
class TrayActions:
    """What the menu entries do; the app provides them."""

    show_dialpad: Callable[[], None]
    dial_clipboard: Callable[[], object]
    redial: Callable[[str], object]
    set_default_provider: Callable[[str], None]
    show_history: Callable[[], None]
    show_settings: Callable[[], None]
    quit: Callable[[], None]


class Tray(QSystemTrayIcon):
    """The tray icon. A left click toggles the dial pad; the menu is rebuilt when opened."""

    def __init__(self, dialer: Dialer, actions: TrayActions, *, demo: bool = False) -> None:
        super().__init__()
        self.dialer = dialer
        self.actions = actions
        self.menu = QMenu()
        self.menu.setObjectName("trayMenu")
        self.menu.aboutToShow.connect(self.rebuild)
        self.setContextMenu(self.menu)
        self.activated.connect(self._activated)
        self.set_demo(demo)
        self.rebuild()

    def set_demo(self, demo: bool) -> None:
        self.setIcon(app_icon(demo))
        self.setToolTip("dialer-gui (Demo: calls go to a simulator)" if demo else "dialer-gui")

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.actions.show_dialpad()

    def rebuild(self) -> None:
        """Fill the menu from the current history and profiles."""
        menu = self.menu
        menu.clear()
        acts = self.actions
        menu.addAction("&Dial…", acts.show_dialpad)
        menu.addAction("Dial &clipboard", acts.dial_clipboard)

        recent = self._recent()
        if recent:
            menu.addSection("Recent")
            for number, display in recent:
                action = menu.addAction(f"Call {display}")
                action.setToolTip(number)
                action.triggered.connect(lambda _checked=False, n=number: acts.redial(n))

        profiles = self.dialer.profiles()
        if profiles:
            sub = menu.addMenu("&Provider")
            sub.setObjectName("providerMenu")
            group = QActionGroup(sub)
            group.setExclusive(True)
            default = self.dialer.default_profile_name()
            for profile in profiles:
                label = str(profile.get("label") or "") or profile.name
                action = QAction(label, sub)
                action.setCheckable(True)
                action.setChecked(profile.name == default)
                action.setData(profile.name)
                action.triggered.connect(
                    lambda _checked=False, n=profile.name: acts.set_default_provider(n)
                )
                group.addAction(action)
                sub.addAction(action)

        menu.addSeparator()
        menu.addAction("&History", acts.show_history)
        menu.addAction("&Settings…", acts.show_settings)
        menu.addSeparator()
        menu.addAction("&Quit", acts.quit)

    def _recent(self) -> list[tuple[str, str]]:
        try:
            items = self.dialer.history.recent_numbers(RECENT_IN_MENU)
        except DialerError as exc:
            log.warning("recent numbers unavailable: %s", exc)
            return []
        out = []
        for item in items:
            if isinstance(item, tuple | list) and len(item) == 2:
                out.append((str(item[0]), str(item[1] or item[0])))
            else:
                out.append((str(item), str(item)))
        return out
