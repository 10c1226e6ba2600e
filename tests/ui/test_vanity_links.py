"""A vanity number (``tel:1-800-FLOWERS``) is shown with the digits dialed, wherever it is shown."""

from __future__ import annotations

import argparse
import asyncio

import pytest
from PySide6.QtWidgets import QLabel
from uitools import calls_to, dialer, finish, qloop  # noqa: F401

from dialer_gui import commands
from dialer_gui.ui.confirm import Confirmer
from dialer_gui.ui.dialpad import DialPad
from dialer_gui.vocabulary.calls import CallState, Source

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

LINK = "tel:1-800-FLOWERS"
NOTE = "1-800-FLOWERS → +1 800-356-9377"


def test_the_prompt_shows_both_forms_and_the_digits_are_dialed(qtbot, dialer, sandbox):  # noqa: F811
    confirmer = Confirmer(countdown=lambda: 0)
    task = asyncio.ensure_future(dialer.dial(LINK, Source.LINK, confirm=confirmer))
    qtbot.waitUntil(lambda: confirmer.current is not None and confirmer.current.isVisible())
    texts = " ".join(label.text() for label in confirmer.current.findChildren(QLabel))
    assert NOTE in texts
    confirmer.current.accept()
    assert finish(qtbot, task).state is CallState.ACCEPTED
    assert "18003569377" in calls_to(sandbox)[0].body.decode()


def test_the_preview_and_the_dry_run_show_both_forms(qtbot, dialer, capsys, monkeypatch):  # noqa: F811
    pad = DialPad(dialer)
    qtbot.addWidget(pad)
    pad.field.setText("1-800-FLOWERS")
    assert NOTE in pad.preview.text()
    monkeypatch.setattr(commands, "_config_or_none", lambda _ns: dialer.config)
    ns = argparse.Namespace(
        target=LINK, clipboard=False, dry_run=True, json=False, provider=None, yes=False,
        demo=False, config=None,
    )  # fmt: skip
    assert commands.cmd_call(ns) == 0
    assert NOTE in capsys.readouterr().out
