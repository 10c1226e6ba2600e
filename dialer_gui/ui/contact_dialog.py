"""Add, edit or delete one contact of the phone book: name, organisation and numbers.

Keyboard first: each field has a mnemonic, the numbers are typed one a line as
``label: number`` ("mobile: 07911 123456"; the same form as ``dialer-gui contacts add``), Enter
in a one-line field saves, Escape cancels. Numbers are normalised as an import normalises
them (``core.contacts.normalise``), so the dialog and a vCard file file them alike. A contact
from a company directory is shown read-only, with a sentence saying so: it is changed in the
directory and the next sync would undo an edit here.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dialer_gui.core.contacts.normalise import Card, Normaliser
from dialer_gui.core.contacts.store import ContactStore
from dialer_gui.errors import ContactsError
from dialer_gui.ui import colors, messages
from dialer_gui.vocabulary.contacts import LABELS, LOCAL_SOURCE, Contact

NUMBERS_HINT = "One a line, as label: number. Labels: " + ", ".join(LABELS) + "."


def numbers_text(contact: Contact) -> str:
    return "\n".join(f"{n.label}: {n.written}" for n in contact.numbers)


def parse_numbers(text: str) -> list[tuple[list[str], str]]:
    """``label: number`` lines as the :class:`Card` phones; a line without a known label is
    a number filed under the normaliser's default."""
    phones: list[tuple[list[str], str]] = []
    for line in text.splitlines():
        label, sep, number = line.partition(":")
        if sep and label.strip().lower() in LABELS:
            phones.append(([label.strip().lower()], number.strip()))
        elif line.strip():
            phones.append(([], line.strip()))
    return phones


class ContactDialog(QDialog):
    """One contact, new (``contact`` None, ``number`` filled in) or from the store.

    After it closes, ``saved`` is the stored contact and ``deleted`` whether it was deleted.
    """

    def __init__(
        self,
        store: ContactStore,
        normaliser: Normaliser,
        contact: Contact | None = None,
        *,
        number: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store, self.normaliser, self.contact = store, normaliser, contact
        self.saved: Contact | None = None
        self.deleted = False
        self.read_only = contact is not None and contact.source != LOCAL_SOURCE
        self.setObjectName("contactDialog")
        self.setWindowTitle("New contact" if contact is None else "Contact")

        self.name = QLineEdit(contact.name if contact else "")
        self.name.setObjectName("contactName")
        self.organisation = QLineEdit(contact.organisation if contact else "")
        self.organisation.setObjectName("contactOrganisation")
        self.numbers = QPlainTextEdit(numbers_text(contact) if contact else number)
        self.numbers.setObjectName("contactNumbers")
        self.numbers.setTabChangesFocus(True)  # Tab leaves the box: keyboard users get out
        self.numbers.setAccessibleDescription(NUMBERS_HINT)
        self.numbers.setToolTip(NUMBERS_HINT)
        self.numbers.setFixedHeight(self.numbers.fontMetrics().lineSpacing() * 5 + 12)
        for field in (self.name, self.organisation):
            field.setMaxLength(200)
            field.returnPressed.connect(self.save)
        form = QFormLayout()
        form.addRow("&Name:", self.name)
        form.addRow("&Organisation:", self.organisation)
        form.addRow("N&umbers:", self.numbers)

        # Text from a directory or a file, and our own sentences: plain text, never markup.
        self.note = QLabel()
        self.note.setObjectName("contactNote")
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        self.note.setVisible(False)

        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("&Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.delete_button = QPushButton("&Delete")
        buttons.addButton(self.delete_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.save_button.clicked.connect(self.save)
        self.delete_button.clicked.connect(self.delete)
        buttons.rejected.connect(self.reject)
        self.delete_button.setVisible(contact is not None and not self.read_only)
        if self.read_only:
            assert contact is not None
            for field in (self.name, self.organisation):
                field.setReadOnly(True)
            self.numbers.setReadOnly(True)
            self.save_button.setVisible(False)
            self.say(
                f"This contact comes from the directory “{contact.source}” and is read-only "
                "here; change it in the directory.",
                error=False,
            )

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        self.name.setFocus()

    def say(self, text: str, *, error: bool = True) -> None:
        self.note.setText(text)
        self.note.setStyleSheet(colors.style(colors.ERROR) if error else "")
        self.note.setAccessibleName(text)
        self.note.setVisible(bool(text))

    def save(self) -> None:
        """Normalise and store; a problem is said in the dialog, which stays open."""
        if self.read_only:
            return
        card = Card(
            formatted_name=self.name.text(),
            organisation=self.organisation.text(),
            phones=list(parse_numbers(self.numbers.toPlainText())),
        )
        made = self.normaliser.contact(card)
        if isinstance(made, str):
            self.say(f"Not saved: {made}.")
            return
        unusable = [n.written for n in made.numbers if not n.number]
        try:
            if self.contact is None:
                self.saved = self.store.add(made)
            else:
                old = self.contact
                self.saved = self.store.update(
                    Contact(made.name, made.organisation, made.numbers, old.uid, old.source, old.id)
                )
        except ContactsError as exc:
            self.say(f"Not saved: {exc}")
            return
        if unusable:  # kept as text, as an import keeps them; said once the dialog is gone
            listed = ", ".join(f"“{t}”" for t in unusable)
            messages.warning(
                "Contact saved", f"{listed}: not a number that can be dialed; kept as text."
            )
        self.accept()

    def delete(self) -> None:
        if self.contact is None or self.contact.id is None or self.read_only:
            return
        try:
            self.store.delete(self.contact.id)
        except ContactsError as exc:
            self.say(f"Not deleted: {exc}")
            return
        self.deleted = True
        self.accept()


def dialog_for_number(
    store: ContactStore, normaliser: Normaliser, number: str, parent: QWidget | None = None
) -> ContactDialog:
    """The contact a number belongs to, to edit; a new one holding it when none (or several:
    which to edit is not for us to guess) has it."""
    found = store.find_by_number(number) if number else []
    if len(found) == 1:
        return ContactDialog(store, normaliser, found[0], parent=parent)
    return ContactDialog(store, normaliser, number=number, parent=parent)
