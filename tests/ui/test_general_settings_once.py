"""Each general setting is declared once (a ``Field`` on GeneralSettings) and every room that
shows, reads, writes or documents settings takes it from that declaration."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialer_gui.core.config import GENERAL_FIELDS, Config, dump_config, load_config, parse_config
from dialer_gui.core.config.schema import GeneralSettings
from dialer_gui.core.secrets import SecretStore
from dialer_gui.ui.settings_dialog import SettingsDialog
from dialer_gui.vocabulary.fields import FieldKind

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

WRONG = {
    FieldKind.BOOL: '"yes"',
    FieldKind.INT: '"ten"',
    FieldKind.FLOAT: "true",
    FieldKind.STR: "5",
    FieldKind.PROFILE: "5",
    FieldKind.STR_LIST: "[1, 2]",
    FieldKind.INT_LIST: '["a"]',
}


@pytest.mark.parametrize("spec", GENERAL_FIELDS, ids=lambda f: f.name)
def test_the_loader_checks_it_by_its_kind(spec) -> None:
    with pytest.raises(Exception, match=rf"general\.{spec.name}"):
        parse_config(f"[general]\n{spec.name} = {WRONG[spec.kind]}\n")


@pytest.mark.parametrize("spec", GENERAL_FIELDS, ids=lambda f: f.name)
def test_docs_and_a_new_file_describe_it_in_its_own_words(spec) -> None:
    docs = (ROOT / "docs" / "providers.md").read_text(encoding="utf-8")
    assert f"| `{spec.name}` |" in docs and spec.help in docs
    text = dump_config(Config())
    assert f"# {spec.help}\n{spec.name} = " in text
    assert getattr(GeneralSettings(), spec.name) == spec.default


def test_the_general_tab_has_an_editor_for_each_that_round_trips(qtbot, tmp_path: Path) -> None:
    (tmp_path / "c.toml").write_text("")
    config = load_config(tmp_path / "c.toml")
    dialog = SettingsDialog(config, SecretStore(), on_saved=print)
    dialog.ask_discard = lambda: True
    qtbot.addWidget(dialog)
    assert list(dialog.general_editors) == [f.name for f in GENERAL_FIELDS]
    for spec in GENERAL_FIELDS:
        editor = dialog.general_editors[spec.name]
        assert editor.widget.accessibleName() == spec.label
        assert editor.widget.toolTip() == spec.help
        assert editor.get() == getattr(config.general, spec.name)
