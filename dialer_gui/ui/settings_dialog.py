"""The settings dialog, generated from declarations rather than drawn by hand.

Provider forms come from each provider type's declared ``Field``s (label, kind, default, help
as tooltip, secret or not); the General tab from ``core.config.GENERAL_FIELDS``, through the
same editors. Secrets are never shown: a stored one shows "•••• stored in keyring", and only a
newly typed value is saved, through the secret store. Save validates everything first and shows
problems inline; then it writes the config file, then the secrets, and hands the new config to
``on_saved``.

The keyring is written and the Test button's provider is built in worker threads: a keyring
call is a D-Bus round trip, and a locked keyring holds it until the user answers the unlock
prompt, which must not freeze the app. Whether a secret is stored is answered from what the
warm-up already read (``SecretStore.is_stored``). While the secrets are being saved the dialog
cannot be edited or closed, so nothing typed is lost halfway. Cancel, Esc or closing the window
asks before throwing away changes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from dialer_gui.core.config import (
    GENERAL_FIELDS,
    Config,
    save_config,
)
from dialer_gui.core.secrets import SecretStore
from dialer_gui.core.settings_draft import (
    Draft,
    SettingsDraft,
    available_types,
    general_label,
    type_fields,
    type_label,
)
from dialer_gui.errors import ConfigError, DialerError
from dialer_gui.providers import create_provider
from dialer_gui.ui import colors, messages
from dialer_gui.ui.geometry import first_size
from dialer_gui.ui.icons import app_icon
from dialer_gui.ui.settings_fields import Editor, field_editor
from dialer_gui.ui.tasks import spawn
from dialer_gui.vocabulary.profiles import ProviderProfile

log = logging.getLogger("dialer_gui.ui.settings")

SETTINGS_SIZE = QSize(720, 560)
WARNING_STYLE = (
    "background: #fde7e9; color: #7a1c16; border: 1px solid #b3261e;"
    "border-radius: 4px; padding: 4px;"
)


class SettingsDialog(QDialog):
    """Providers and General settings.

    Args:
        config: the config as loaded (never the demo profiles).
        secrets: where secrets are stored.
        on_saved: receives the new config after it was written.
        problem: why the config file could not be read, if it could not; saving replaces it.
        demo: the app runs in demo mode (said at the top).
    """

    def __init__(
        self,
        config: Config,
        secrets: SecretStore,
        *,
        on_saved: Callable[[Config], None],
        problem: str | None = None,
        demo: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("dialer-gui settings")
        self.setWindowIcon(app_icon())
        self.setObjectName("settingsDialog")
        self.config = config
        self.secrets = secrets
        self.on_saved = on_saved
        self.model = SettingsDraft(config)
        self.editors: dict[str, Editor] = {}
        self.general_editors: dict[str, Editor] = {}
        self._current: Draft | None = None
        self._test_round = 0  # counts edits: a Test result belongs to the round it started in
        self.test_task: Any = None
        self.save_task: asyncio.Task[None] | None = None
        self._save_work: asyncio.Future[Any] | None = None
        self._quitting = False

        layout = QVBoxLayout(self)
        self.note: QLabel | None = None  # the file's problem, or demo mode: gone once saved
        if problem:
            note = QLabel(
                f"The settings file could not be read: {problem}\nSaving here replaces it."
            )
            note.setWordWrap(True)
            note.setStyleSheet(WARNING_STYLE)
            layout.addWidget(note)
            self.note = note
        elif demo:
            note = QLabel(
                "Demo mode: calls go to the built-in simulator. Add your PBX below; "
                "demo mode ends once a provider is saved."
            )
            note.setWordWrap(True)
            note.setStyleSheet("background: #fff3cd; color: #5c4400; padding: 4px;")
            layout.addWidget(note)
            self.note = note
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Settings sections")  # a Tab stop: say what it is
        self.tabs.addTab(self._providers_tab(), "&Providers")
        self.tabs.addTab(self._general_tab(), "&General")
        layout.addWidget(self.tabs, 1)
        self.error_label = QLabel()
        self.error_label.setObjectName("settingsError")
        self.error_label.setWordWrap(True)
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setStyleSheet(colors.style(colors.ERROR))
        self.error_label.hide()
        layout.addWidget(self.error_label)
        self.saving_label = QLabel("Saving passwords in the system keyring…")
        self.saving_label.setObjectName("settingsSaving")
        self.saving_label.hide()
        layout.addWidget(self.saving_label)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        # Qt's own "Save" has a mnemonic only under some desktop themes (GTK, KDE), not on a
        # bare X session, Windows or macOS; Alt+S must save everywhere.
        self.save_button.setText("&Save")
        layout.addWidget(buttons)
        self.resize(first_size(self, SETTINGS_SIZE))
        if self.drafts:
            self.profile_list.setCurrentRow(0)
        else:
            self._show_draft(None)
        self._opened_state = self._state()

    # -- providers tab ----------------------------------------------------------------------------
    def _providers_tab(self) -> QWidget:
        page = QWidget()
        self.profile_list = QListWidget()
        self.profile_list.setAccessibleName("Provider profiles")
        self.profile_list.setMaximumWidth(200)
        for draft in self.drafts:
            self.profile_list.addItem(draft.name)
        self.profile_list.currentRowChanged.connect(self._row_changed)
        add = QPushButton("&Add")
        add.setAccessibleName("Add a provider profile")
        add.clicked.connect(self.add_profile)
        self.remove_button = QPushButton("&Remove")
        self.remove_button.setAccessibleName("Remove the selected profile")
        self.remove_button.clicked.connect(self.remove_profile)
        left = QVBoxLayout()
        left.addWidget(self.profile_list, 1)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(self.remove_button)
        left.addLayout(row)

        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName("Profile name")
        self.name_edit.setToolTip("A short name: letters, digits, - and _.")
        self.name_edit.textEdited.connect(self._edited)
        self.type_box = QComboBox()
        self.type_box.setAccessibleName("Provider type")
        for type_name in available_types():
            self.type_box.addItem(type_label(type_name), type_name)
        self.type_box.currentIndexChanged.connect(self._type_changed)
        head = QFormLayout()
        head.addRow("&Name:", self.name_edit)
        head.addRow("&Type:", self.type_box)

        self.form_host = QWidget()
        self.form = QFormLayout(self.form_host)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form_host)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its fields take the focus, not the frame

        self.tls_warning = QLabel(
            "⚠ TLS certificate checks are off for this profile: anyone on the network "
            "between you and the PBX could read the password or change the call. Prefer a CA file."
        )
        self.tls_warning.setObjectName("tlsWarning")
        self.tls_warning.setWordWrap(True)
        self.tls_warning.setStyleSheet(WARNING_STYLE)
        self.tls_warning.hide()

        self.test_button = QPushButton("T&est")  # Alt+T is the profile's Type, Alt+S Save
        self.test_button.setToolTip("Send a harmless request with these settings (places no call)")
        self.test_button.clicked.connect(self.test_profile)
        self.test_result = QLabel()
        self.test_result.setObjectName("testResult")
        self.test_result.setWordWrap(True)
        self.test_result.setTextFormat(Qt.TextFormat.PlainText)  # the PBX's answer, verbatim
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_result, 1)

        self.detail = QWidget()
        right = QVBoxLayout(self.detail)
        right.setContentsMargins(0, 0, 0, 0)
        right.addLayout(head)
        right.addWidget(scroll, 1)
        right.addWidget(self.tls_warning)
        right.addLayout(test_row)
        self.empty_note = QLabel("No provider yet. Press Add to set up your PBX.")
        self.empty_note.setAlignment(Qt.AlignmentFlag.AlignCenter)

        layout = QHBoxLayout(page)
        layout.addLayout(left)
        layout.addWidget(self.detail, 1)
        layout.addWidget(self.empty_note, 1)
        return page

    def _row_changed(self, row: int) -> None:
        self._store_form()
        self._show_draft(self.drafts[row] if 0 <= row < len(self.drafts) else None)

    @property
    def drafts(self) -> list[Draft]:
        return self.model.drafts

    def _show_draft(self, draft: Draft | None) -> None:
        self._current = draft
        self.detail.setVisible(draft is not None)
        self.empty_note.setVisible(draft is None)
        self.remove_button.setEnabled(draft is not None)
        self.test_result.clear()
        if draft is None:
            return
        self.name_edit.setText(draft.name)
        self.type_box.blockSignals(True)
        self.type_box.setCurrentIndex(max(0, self.type_box.findData(draft.type)))
        self.type_box.blockSignals(False)
        self._build_form(draft)

    def _build_form(self, draft: Draft) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.editors = {}
        for spec in type_fields(draft.type):
            stored = spec.secret and self._secret_stored(draft, spec.name)
            memory_only = spec.secret and self.secrets.in_memory_only(
                draft.original or draft.name, spec.name
            )
            editor = field_editor(spec, stored_secret=stored, memory_only=memory_only)
            value = draft.options.get(spec.name, spec.default)
            editor.put(value)
            if spec.secret and spec.name in draft.secrets:
                editor.widget.setProperty("text", draft.secrets[spec.name])
            label = QLabel(f"{spec.label}{' *' if spec.required else ''}:")
            label.setBuddy(editor.widget)
            label.setToolTip(spec.help)
            editor.widget.setToolTip(spec.help)
            # The "*" is only seen; the name says it. A description replaces the placeholder
            # for a screen reader, so it carries the placeholder ("stored in keyring", "not set").
            editor.widget.setAccessibleName(
                f"{spec.label}, required" if spec.required else spec.label
            )
            placeholder = str(editor.widget.property("placeholderText") or "")
            described = f"{placeholder}. {spec.help}" if placeholder else spec.help
            editor.widget.setAccessibleDescription(described)
            self.form.addRow(label, editor.widget)
            self.editors[spec.name] = editor
            editor.changed.connect(self._edited)
            if spec.name == "verify_tls":
                editor.widget.toggled.connect(self._update_tls_warning)  # type: ignore[attr-defined]
        self._update_tls_warning()
        # Rows are made after the buttons below them: put the fields back in the Tab order,
        # between the profile's type and its Test button.
        previous: QWidget = self.type_box
        for editor in self.editors.values():
            QWidget.setTabOrder(previous, editor.widget)
            previous = editor.widget
        QWidget.setTabOrder(previous, self.test_button)

    def _update_tls_warning(self, *_args: Any) -> None:
        editor = self.editors.get("verify_tls")
        self.tls_warning.setVisible(editor is not None and not editor.get())

    def _secret_stored(self, draft: Draft, field: str, *, confirm_missing: bool = False) -> bool:
        name = draft.original or draft.name
        try:
            return self.secrets.is_stored(name, field, confirm_missing=confirm_missing)
        except DialerError:
            return False

    def _edited(self, *_args: Any) -> None:
        """A field changed: a Test result about the values before is no longer true."""
        self._test_round += 1
        self.test_result.clear()

    def _type_changed(self, _index: int) -> None:
        draft = self._current
        if draft is None:
            return
        self._edited()
        self._store_form()
        self.model.change_type(draft, str(self.type_box.currentData()))
        self._build_form(draft)

    def _store_form(self) -> list[str]:
        """Copy the form into the current draft; returns the problems found."""
        draft = self._current
        if draft is None:
            return []
        problems = []
        draft.name = self.name_edit.text().strip()
        specs = {f.name: f for f in type_fields(draft.type)}
        for name, editor in self.editors.items():
            spec = specs[name]
            try:
                value = editor.get()
            except ValueError as exc:
                problems.append(f"{draft.name or 'New profile'}, {spec.label}: {exc}")
                continue
            self.model.put(draft, spec, value)
        row = self.drafts.index(draft)
        item = self.profile_list.item(row)
        if item is not None:
            item.setText(draft.name or "(unnamed)")
        return problems

    def add_profile(self) -> None:
        self._store_form()
        draft = self.model.add(str(self.type_box.itemData(0) or "") or None)
        self.profile_list.addItem(draft.name)
        self.profile_list.setCurrentRow(len(self.drafts) - 1)
        self.name_edit.setFocus()
        self.name_edit.selectAll()

    def remove_profile(self) -> None:
        row = self.profile_list.currentRow()
        if not 0 <= row < len(self.drafts):
            return
        self.model.remove(row)
        self._current = None
        self.profile_list.takeItem(row)
        self._row_changed(self.profile_list.currentRow())

    # -- test ---------------------------------------------------------------------------------
    def test_profile(self) -> None:
        problems = self._store_form()
        draft = self._current
        if draft is None:
            return
        if problems:
            self._set_test_result("; ".join(problems), ok=False)
            return
        profile = ProviderProfile(draft.name, draft.type, dict(draft.options))
        typed = dict(draft.secrets)
        self.test_button.setEnabled(False)
        self._set_test_result("Testing…", ok=None)
        self.test_task = spawn(self._test(profile, typed, draft.original, self._test_round))

    def _test_secrets(
        self, type_name: str, typed: dict[str, str], original: str | None
    ) -> dict[str, str]:
        """Typed secrets, and the stored ones for fields left empty (a worker thread)."""
        secrets = {}
        for spec in type_fields(type_name):
            if spec.secret:
                value = typed.get(spec.name)
                if value is None and original:
                    value = self.secrets.get(original, spec.name)
                if value is not None:
                    secrets[spec.name] = value
        return secrets

    def _build_test_provider(
        self, profile: ProviderProfile, typed: dict[str, str], original: str | None
    ) -> Any:
        return create_provider(profile, self._test_secrets(profile.type, typed, original))

    async def _test(
        self, profile: ProviderProfile, typed: dict[str, str], original: str | None, round_: int
    ) -> None:
        try:
            provider = await asyncio.to_thread(self._build_test_provider, profile, typed, original)
        except (KeyError, ValueError, DialerError) as exc:
            self._set_test_result(f"Cannot test: {exc}", ok=False, round_=round_)
            self.test_button.setEnabled(True)
            return
        try:
            result = await provider.check()
        except DialerError as exc:
            advice = getattr(exc, "advice", "")
            self._set_test_result(f"{exc} {advice}".strip(), ok=False, round_=round_)
        else:
            self._set_test_result(result, ok=True, round_=round_)
        finally:
            await provider.aclose()
            self.test_button.setEnabled(True)

    def _set_test_result(self, text: str, *, ok: bool | None, round_: int | None = None) -> None:
        if round_ is not None and round_ != self._test_round:
            return  # the fields were edited while it ran: it tested values no longer shown
        style = {
            True: colors.style(colors.OK),
            False: colors.style(colors.ERROR),
            None: "",
        }[ok]
        prefix = {True: "✔ ", False: "✖ ", None: ""}[ok]
        self.test_result.setStyleSheet(style)
        self.test_result.setText(prefix + text)

    # -- general tab --------------------------------------------------------------------------
    def _general_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout()
        for spec in GENERAL_FIELDS:
            editor = field_editor(spec, profiles=[d.name for d in self.drafts])
            editor.put(getattr(self.config.general, spec.name))
            label = QLabel(f"{spec.label}:")
            label.setBuddy(editor.widget)
            label.setToolTip(spec.help)
            editor.widget.setToolTip(spec.help)
            editor.widget.setAccessibleName(spec.label)
            editor.widget.setAccessibleDescription(spec.help)
            form.addRow(label, editor.widget)
            self.general_editors[spec.name] = editor

        self.routes = QTableWidget(0, 2)
        self.routes.setAccessibleName("Routing rules")
        self.routes.setHorizontalHeaderLabels(["Match", "Provider"])
        self.routes.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.routes.setToolTip(
            "Tried in order. Match is extension, country:DE, prefix:+44 or * for any number."
        )
        self.routes.setMaximumHeight(140)
        for route in self.config.routes:
            self._add_route_row(route.match, route.provider)
        add = QPushButton("Add rule")
        add.clicked.connect(lambda: self._add_route_row("*", ""))
        remove = QPushButton("Remove rule")
        remove.clicked.connect(lambda: self.routes.removeRow(self.routes.currentRow()))
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)

        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.addLayout(form)
        layout.addWidget(QLabel("Routing rules (which provider dials which numbers):"))
        layout.addWidget(self.routes)
        layout.addLayout(buttons)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        outer = QVBoxLayout(page)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        return page

    def _add_route_row(self, match: str, provider: str) -> None:
        row = self.routes.rowCount()
        self.routes.insertRow(row)
        self.routes.setItem(row, 0, QTableWidgetItem(match))
        self.routes.setItem(row, 1, QTableWidgetItem(provider))

    # -- save ---------------------------------------------------------------------------------
    def build_config(self) -> tuple[Config | None, list[str]]:
        """The config the dialog shows, and the problems that stop it being saved."""
        problems = self._store_form()
        general = {}
        for name, editor in self.general_editors.items():
            try:
                general[name] = editor.get()
            except ValueError as exc:
                problems.append(f"{general_label(name)}: {exc}")
        config, more = self.model.build(
            general,
            self._route_rows(),
            secret_stored=lambda d, f: self._secret_stored(d, f, confirm_missing=True),
        )
        problems += more
        return (None, problems) if problems else (config, [])

    def _route_rows(self) -> list[tuple[str, str]]:
        def cell(row: int, col: int) -> str:
            return (self.routes.item(row, col) or QTableWidgetItem()).text()

        return [(cell(row, 0), cell(row, 1)) for row in range(self.routes.rowCount())]

    @property
    def saving(self) -> bool:
        return self._save_work is not None and not self._save_work.done()

    def save(self) -> bool:
        """Validate and write the file, then start saving the secrets.

        Returns True when the file was written; :attr:`save_task` then stores the secrets in a
        worker thread, hands the config to ``on_saved`` and closes the dialog.
        """
        if self.saving:
            return False
        config, problems = self.build_config()
        if config is None:
            self._show_problems(problems)
            return False
        try:
            save_config(config, self.config.path)
        except ConfigError as exc:
            self._show_problems([str(exc)])
            return False
        self.error_label.hide()
        self._set_saving(True)
        # The thread gets copies: the form stays readable (and the dialog's state comparable)
        # while it runs.
        drafts = [d.copy() for d in self.drafts]
        work = asyncio.ensure_future(
            asyncio.to_thread(self._save_secrets_and_check, drafts, list(self.model.removed))
        )
        work.add_done_callback(_log_failure)
        self._save_work = work
        self.save_task = spawn(self._finish_save(config, work))
        return True

    async def _finish_save(self, config: Config, work: asyncio.Future[Any]) -> None:
        try:
            # Shielded: quitting cancels this task, but the keyring write runs to its end
            # (the loop waits for its thread), and the form stays disabled until it has.
            failures, unkept, problem = await asyncio.shield(work)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # logged by _log_failure
            self._set_saving(False)
            self._show_problems([f"The passwords were not saved: {exc}"])
            return
        self._set_saving(False)
        if failures:
            messages.warning("Some passwords were not changed", " ".join(failures))
        self.on_saved(config)
        if not unkept:
            self.accept()
            return
        # The file is saved and the app uses it, but a secret lives in this process only: say
        # so here, where it was typed, rather than in a notice that fades, and show the field
        # as not set, since after a restart it is.
        self._rebase(config)
        self._show_unkept(unkept, problem)

    def _save_secrets_and_check(
        self, drafts: list[Draft], removed: list[str]
    ) -> tuple[list[str], list[tuple[str, str]], str | None]:
        """Store the secrets (a worker thread); failures, secrets kept in memory only, why."""
        failures = self.model.save_secrets(self.secrets, drafts, removed)
        unkept = [
            (draft.name, field)
            for draft in drafts
            for field in draft.secrets
            if self.secrets.in_memory_only(draft.name, field)
        ]
        return failures, unkept, self.secrets.problem

    def _rebase(self, config: Config) -> None:
        """Show ``config`` as just opened: it is saved, so closing now loses nothing."""
        row = self.profile_list.currentRow()
        self.config = config
        self.model = SettingsDraft(config)
        self._current = None  # the old draft must not be copied back from the form
        self.profile_list.blockSignals(True)
        self.profile_list.clear()
        for draft in self.drafts:
            self.profile_list.addItem(draft.name)
        row = row if 0 <= row < len(self.drafts) else (0 if self.drafts else -1)
        self.profile_list.setCurrentRow(row)
        self.profile_list.blockSignals(False)
        self._show_draft(self.drafts[row] if row >= 0 else None)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Close")
        if self.note is not None and config.providers:
            self.note.hide()  # the file is good now, and with a provider demo mode is over
        self._opened_state = self._state()

    def _show_unkept(self, unkept: list[tuple[str, str]], problem: str | None) -> None:
        labels = {}
        for draft in self.drafts:
            for spec in type_fields(draft.type):
                labels[(draft.name, spec.name)] = spec.label
        lines = []
        for profile, field in unkept:
            label = labels.get((profile, field), field)
            lines.append(
                f"The {label} of “{profile}” was not stored: the system keyring did not take "
                f"it. dialer-gui uses it until it quits; after that, calls through “{profile}” "
                f"fail until it is stored. To store it, get a keyring working, then type it "
                f"here again and save, or run: dialer-gui secret set {profile} {field}"
            )
        why = f"\n{problem}" if problem else ""
        self.error_label.setText("Settings saved, except:\n• " + "\n• ".join(lines) + why)
        self.error_label.show()

    def _set_saving(self, saving: bool) -> None:
        self.tabs.setEnabled(not saving)
        self.buttons.setEnabled(not saving)
        self.saving_label.setVisible(saving)

    def reject(self) -> None:
        """Cancel, Esc or the window's close button: ask first if anything was changed."""
        # Closing while the keyring is written (it may be waiting for the user to unlock it)
        # would leave the file saved and the secrets half saved.
        if self.saving:
            return
        if not self._quitting and self.changed() and not self.ask_discard():
            return
        super().reject()

    def close_for_quit(self) -> None:
        """The app quits: close without asking (a question now would stop the quit halfway)."""
        self._quitting = True
        if self.isVisible():
            self.done(QDialog.DialogCode.Rejected)

    def changed(self) -> bool:
        """Whether the form differs from what the dialog opened with."""
        return self._state() != self._opened_state

    def _state(self) -> tuple[Any, ...]:
        """Everything the user can change, in a comparable form (secrets only as typed)."""
        self._store_form()
        drafts = self.model.state()
        general = []
        for name, editor in self.general_editors.items():
            try:
                general.append((name, repr(editor.get())))
            except ValueError as exc:
                general.append((name, f"invalid: {exc}"))
        return drafts, general, self._route_rows()

    def ask_discard(self) -> bool:
        """Ask whether to throw the changes away; Keep editing is the default."""
        box = QMessageBox(self)
        box.setObjectName("discardChanges")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Discard changes?")
        box.setText("The settings were changed but not saved.")
        box.setInformativeText("Discard the changes, or keep editing to save them?")
        discard = box.addButton("&Discard changes", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("&Keep editing", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.exec()
        return box.clickedButton() is discard

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.saving and not self._quitting:
            event.ignore()
            return
        super().closeEvent(event)

    def _show_problems(self, problems: list[str]) -> None:
        self.error_label.setText("Not saved:\n• " + "\n• ".join(problems))
        self.error_label.show()


def _log_failure(future: asyncio.Future[Any]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("saving the secrets failed", exc_info=future.exception())


__all__ = ["SettingsDialog"]
