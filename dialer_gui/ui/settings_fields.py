"""Editors generated from declared settings: one widget per ``Field``, by its kind.

Each :class:`Editor` wraps a widget and converts between it and the config value. Secrets get a
password field that never shows the stored value: it is empty with "•••• stored in keyring" as
placeholder, and only a newly typed value is saved (through the secret store, never the file).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from dialer_gui.vocabulary.fields import Field, FieldKind

STORED = "•••• stored in keyring"
NOT_SET = "not set"
MEMORY_ONLY = f"{NOT_SET} in a keyring: used until dialer-gui quits"
"""A secret the keyring refused, which this process keeps: never shown as stored."""
RULE_SEPARATOR = " => "


class Editor:
    """A widget and its value conversions."""

    def __init__(self, widget: QWidget, get: Callable[[], Any], put: Callable[[Any], None]) -> None:
        self.widget = widget
        self.get = get
        self.put = put

    @property
    def changed(self) -> SignalInstance:
        """Emitted whenever the value changes (typed, picked, toggled, or put)."""
        widget = self.widget
        if isinstance(widget, QCheckBox):
            return widget.toggled
        if isinstance(widget, QSpinBox | QDoubleSpinBox):
            return widget.valueChanged
        if isinstance(widget, QComboBox):
            return widget.currentIndexChanged
        if isinstance(widget, QLineEdit | QPlainTextEdit):
            return widget.textChanged
        raise TypeError(f"no change signal known for {type(widget).__name__}")


def _rules_text(value: Any) -> str:
    return "\n".join(f"{a}{RULE_SEPARATOR}{b}" for a, b in (value or []))


def _parse_rules(text: str) -> list[list[str]]:
    rules = []
    for line in text.splitlines():
        if not line.strip():
            continue
        pattern, sep, replacement = line.partition(RULE_SEPARATOR.strip())
        if not sep:
            raise ValueError(
                f"“{line.strip()}” needs {RULE_SEPARATOR.strip()} between pattern and replacement"
            )
        rules.append([pattern.strip(), replacement.strip()])
    return rules


def _mapping_text(value: Any) -> str:
    return "\n".join(f"{k}: {v}" for k, v in (value or {}).items())


def _parse_mapping(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise ValueError(f"“{line.strip()}” needs a colon between name and value")
        out[key.strip()] = value.strip()
    return out


def field_editor(
    spec: Field,
    stored_secret: bool = False,
    profiles: Sequence[str] = (),
    *,
    memory_only: bool = False,
) -> Editor:
    """The editor for one setting, by its kind; ``profiles`` are offered for a ``PROFILE``.

    A secret's field says whether the keyring has it (``stored_secret``) or only this process
    does (``memory_only``: the keyring refused it), or neither.
    """
    kind = spec.kind
    if kind is FieldKind.BOOL:
        box = QCheckBox()
        return Editor(box, box.isChecked, lambda v: box.setChecked(bool(v)))
    if kind is FieldKind.INT:
        spin = QSpinBox()
        spin.setRange(-1 if spec.default is None else 0, 1_000_000)
        if spec.default is None:
            spin.setSpecialValueText(NOT_SET)

        def get_int() -> int | None:
            return None if spin.value() == -1 else spin.value()

        return Editor(spin, get_int, lambda v: spin.setValue(-1 if v is None else int(v)))
    if kind is FieldKind.FLOAT:
        dspin = QDoubleSpinBox()
        dspin.setRange(0.0, 1_000_000.0)
        dspin.setDecimals(1)
        return Editor(dspin, dspin.value, lambda v: dspin.setValue(float(v or 0)))
    if kind is FieldKind.CHOICE:
        combo = QComboBox()
        if spec.default is None:
            combo.addItem("(provider default)", None)
        for choice in spec.choices:
            combo.addItem(choice, choice)

        def put_choice(v: Any) -> None:
            combo.setCurrentIndex(max(0, combo.findData(v)))

        return Editor(combo, combo.currentData, put_choice)
    if kind in (FieldKind.STR_LIST, FieldKind.INT_LIST):
        return _list_editor(kind)
    if kind is FieldKind.PROFILE:
        profile_box = QComboBox()
        profile_box.addItem("(first profile)", "")
        for name in profiles:
            profile_box.addItem(name, name)
        return Editor(
            profile_box,
            lambda: profile_box.currentData() or "",
            lambda v: profile_box.setCurrentIndex(max(0, profile_box.findData(v))),
        )
    if kind is FieldKind.RULES:
        rules = QPlainTextEdit()
        rules.setPlaceholderText(f"one per line: pattern{RULE_SEPARATOR}replacement")
        rules.setMaximumHeight(70)
        rules.setTabChangesFocus(True)  # Tab moves on; rules never hold a tab character
        return Editor(
            rules,
            lambda: _parse_rules(rules.toPlainText()),
            lambda v: rules.setPlainText(_rules_text(v)),
        )
    if kind is FieldKind.MAPPING:
        mapping = QPlainTextEdit()
        mapping.setPlaceholderText("one per line: Name: value")
        mapping.setMaximumHeight(70)
        mapping.setTabChangesFocus(True)
        return Editor(
            mapping,
            lambda: _parse_mapping(mapping.toPlainText()),
            lambda v: mapping.setPlainText(_mapping_text(v)),
        )
    line = QLineEdit()
    if kind is FieldKind.SECRET:
        line.setEchoMode(QLineEdit.EchoMode.Password)
        line.setPlaceholderText(
            MEMORY_ONLY if memory_only else STORED if stored_secret else NOT_SET
        )
        # Never filled with the stored value: put() is a no-op, get() is only what was typed.
        return Editor(line, line.text, lambda _v: None)
    if kind is FieldKind.URL:
        line.setPlaceholderText("https://pbx.example.com")
    return Editor(
        line, lambda: line.text().strip(), lambda v: line.setText("" if v is None else str(v))
    )


def _list_editor(kind: FieldKind) -> Editor:
    line = QLineEdit()
    line.setPlaceholderText("comma-separated")

    def get_list() -> list[Any]:
        parts = [p.strip() for p in line.text().split(",") if p.strip()]
        if kind is FieldKind.INT_LIST:
            try:
                return [int(p) for p in parts]
            except ValueError:
                raise ValueError("must be whole numbers separated by commas") from None
        return parts

    return Editor(line, get_list, lambda v: line.setText(", ".join(str(x) for x in v or [])))
