"""The tray icon and its menu, brought up to date each time it opens (Vorta's pattern).

The menu, in groups led by separators: Dial…, Dial clipboard | recent numbers (redial) | the
provider to use by default (a radio group) | History, Settings… | Quit. Refreshing on
``aboutToShow`` keeps the recent numbers and the profiles current without any bookkeeping.

The tooltip names the default provider and the last call (its number and state, in the words
of ``vocabulary.calls.STATE_WORDS``), as plain text: desktops render tray tooltips as markup,
so a number or provider name holding ``<`` is escaped.

The actions are made once and reused, shown or hidden, rather than cleared and made again at
every opening: PySide6 keeps a reference for each Python slot connected to an action that is
then destroyed, so a menu rebuilt from scratch grew the tray process at every click for as
long as it ran. Every connection here is made once, in ``__init__`` or when the provider
list first needs one more entry.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from dialer_gui.core.events import CallChanged, EventBus
from dialer_gui.errors import DialerError
from dialer_gui.ui.icons import app_icon
from dialer_gui.vocabulary.calls import CallAttempt, state_words
from dialer_gui.vocabulary.profiles import ProviderProfile

log = logging.getLogger("dialer_gui.ui.tray")

RECENT_IN_MENU = 5


class TrayService(Protocol):
    """What the tray menu needs of the dialer (``core.dialer.Dialer`` is one)."""

    def profiles(self) -> list[ProviderProfile]: ...

    def default_profile_name(self) -> str | None: ...

    def recent_numbers(self, limit: int) -> list[tuple[str, str]]: ...


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
    # A left click: show the window, or put it away when it is already in front.
    toggle_window: Callable[[], None] | None = None


class Tray(QSystemTrayIcon):
    """The tray icon. A left click toggles the dial pad; the menu is refreshed when opened."""

    def __init__(self, dialer: TrayService, actions: TrayActions, *, demo: bool = False) -> None:
        super().__init__()
        self.dialer = dialer
        self.actions = actions
        menu = self.menu = QMenu()
        menu.setObjectName("trayMenu")
        menu.addAction("&Dial…").triggered.connect(self._show_dialpad)
        menu.addAction("Dial &clipboard").triggered.connect(self._dial_clipboard)
        # A plain separator, not a titled section: styles draw a section's title differently
        # (or not at all), and the "Call ..." entries say what they are.
        self._recent_section = menu.addSeparator()
        self._recent_actions: list[QAction] = []
        for _ in range(RECENT_IN_MENU):
            action = menu.addAction("")
            action.triggered.connect(self._redial)
            self._recent_actions.append(action)
        self._providers = menu.addMenu("&Provider")
        self._providers.setObjectName("providerMenu")
        self._provider_group = QActionGroup(self._providers)
        self._provider_group.setExclusive(True)
        self._provider_group.triggered.connect(self._choose_provider)
        self._provider_actions: list[QAction] = []
        # Moved in front of the provider menu, so a separator leads that group too.
        self._provider_separator = QAction(menu)
        self._provider_separator.setSeparator(True)
        menu.insertAction(self._providers.menuAction(), self._provider_separator)
        menu.addSeparator()
        menu.addAction("&History").triggered.connect(self._show_history)
        menu.addAction("&Settings…").triggered.connect(self._show_settings)
        menu.addSeparator()
        menu.addAction("&Quit").triggered.connect(self._quit)
        menu.aboutToShow.connect(self.rebuild)
        self.setContextMenu(menu)
        self.activated.connect(self._activated)
        self.demo = demo
        self.last_call: CallAttempt | None = None
        self.set_demo(demo)
        self.rebuild()

    def set_demo(self, demo: bool) -> None:
        self.demo = demo
        self.setIcon(app_icon(demo))
        self.refresh_tooltip()

    def watch(self, events: EventBus) -> Callable[[], None]:
        """Follow calls for the tooltip; returns the unsubscribe function."""

        def on_event(event: object) -> None:
            if isinstance(event, CallChanged):
                self.call_changed(event.attempt)

        return events.subscribe(on_event)

    def call_changed(self, attempt: CallAttempt) -> None:
        """A call was made or moved on: it is the last call unless an older one."""
        last = self.last_call
        if last is None or attempt.id is None or last.id is None or attempt.id >= last.id:
            self.last_call = attempt
        self.refresh_tooltip()

    def tooltip_text(self) -> str:
        """The tooltip as plain text: the app, the default provider, the last call."""
        lines = ["dialer-gui (Demo: calls go to a simulator)" if self.demo else "dialer-gui"]
        default = self.dialer.default_profile_name()
        lines.append(f"Provider: {default}" if default else "No provider set up")
        last = self.last_call
        if last is not None:
            number = last.display or last.number or last.raw_input
            lines.append(f"Last call: {number}, {state_words(last.state, last.leg)}")
        return "\n".join(lines)

    def refresh_tooltip(self) -> None:
        self.setToolTip(html.escape(self.tooltip_text(), quote=False).replace("\n", "<br>"))

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            (self.actions.toggle_window or self.actions.show_dialpad)()

    # The actions' targets, read at each click: TrayActions may be replaced.
    def _show_dialpad(self) -> None:
        self.actions.show_dialpad()

    def _dial_clipboard(self) -> None:
        self.actions.dial_clipboard()

    def _show_history(self) -> None:
        self.actions.show_history()

    def _show_settings(self) -> None:
        self.actions.show_settings()

    def _quit(self) -> None:
        self.actions.quit()

    def _redial(self) -> None:
        action = self.sender()
        if isinstance(action, QAction) and action.data():
            self.actions.redial(str(action.data()))

    def _choose_provider(self, action: QAction) -> None:
        if action.data():
            self.actions.set_default_provider(str(action.data()))

    def rebuild(self) -> None:
        """Bring the menu up to date with the current history and profiles."""
        recent = self._recent()
        self._recent_section.setVisible(bool(recent))
        self.refresh_tooltip()  # the default provider may have changed elsewhere
        for i, action in enumerate(self._recent_actions):
            if i < len(recent):
                number, display = recent[i]
                action.setText(f"Call {display}")
                action.setToolTip(number)
                action.setData(number)
                action.setVisible(True)
            else:
                action.setData(None)
                action.setVisible(False)

        profiles = self.dialer.profiles()
        self._providers.menuAction().setVisible(bool(profiles))
        self._provider_separator.setVisible(bool(profiles))
        while len(self._provider_actions) < len(profiles):
            action = QAction(self._providers)
            action.setCheckable(True)
            self._provider_group.addAction(action)
            self._providers.addAction(action)
            self._provider_actions.append(action)
        default = self.dialer.default_profile_name()
        for i, action in enumerate(self._provider_actions):
            if i < len(profiles):
                profile = profiles[i]
                action.setText(str(profile.get("label") or "") or profile.name)
                action.setData(profile.name)
                action.setChecked(profile.name == default)
                action.setVisible(True)
            else:
                action.setData(None)
                action.setChecked(False)
                action.setVisible(False)

    def _recent(self) -> list[tuple[str, str]]:
        try:
            items = self.dialer.recent_numbers(RECENT_IN_MENU)
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
