"""An extension behind a number (``tel:+1-212-555-0100;ext=12``, ``x12``) that no API dials.

None of the documented click-to-call APIs takes digits to send after the call connects, so the
PBX receives the number alone. Every place that shows the call says so in the same words, and
that the extension must be entered by hand; the history keeps it in the number shown. A
webhook whose templates use ``{extension}`` does send it, and says nothing.
"""

from __future__ import annotations

import argparse
import dataclasses

import pytest
from PySide6.QtWidgets import QLabel
from uitools import calls_to, dialer, finish, qloop  # noqa: F401

from dialer_gui import commands
from dialer_gui.core.config import Config
from dialer_gui.core.planner import plan
from dialer_gui.ui.confirm import Confirmer
from dialer_gui.ui.dialpad import DialPad
from dialer_gui.vocabulary.calls import CallState, Source
from dialer_gui.vocabulary.profiles import ProviderProfile

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

LINK = "tel:+1-212-555-0100;ext=12"
NOTE = "ext. 12 is not dialed: enter it when the call connects."


def test_the_prompt_says_the_extension_is_not_dialed(qtbot, dialer, sandbox):  # noqa: F811
    confirmer = Confirmer(countdown=lambda: 0)
    import asyncio

    task = asyncio.ensure_future(dialer.dial(LINK, Source.LINK, confirm=confirmer))
    qtbot.waitUntil(lambda: confirmer.current is not None and confirmer.current.isVisible())
    dialog = confirmer.current
    texts = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "ext. 12" in texts and NOTE in texts
    dialog.accept()
    attempt = finish(qtbot, task)
    assert attempt.state is CallState.ACCEPTED
    assert "12125550100" in calls_to(sandbox)[0].body.decode()
    # The history shows the extension with the number, and what to do with it.
    assert "ext. 12" in attempt.display
    assert NOTE in (attempt.detail or "")


def test_the_dial_pad_preview_says_so(qtbot, dialer):  # noqa: F811
    pad = DialPad(dialer)
    qtbot.addWidget(pad)
    pad.field.setText("+1 212 555 0100 x12")
    assert NOTE in pad.preview.text()
    pad.field.setText("+1 212 555 0100")
    assert "not dialed" not in pad.preview.text()


def test_the_dry_run_says_so(dialer, capsys, monkeypatch):  # noqa: F811
    monkeypatch.setattr(commands, "_config_or_none", lambda _ns: dialer.config)
    ns = argparse.Namespace(
        target=LINK, clipboard=False, dry_run=True, json=False, provider=None, yes=False,
        demo=False, config=None,
    )  # fmt: skip
    assert commands.cmd_call(ns) == 0
    assert NOTE in capsys.readouterr().out


def test_a_webhook_that_sends_the_extension_says_nothing(dialer):  # noqa: F811
    hook = ProviderProfile(
        "hook",
        "webhook",
        {"url": "https://pbx.example.com/c", "body": '{"to": "{number}", "ext": "{extension}"}'},
    )
    config = dataclasses.replace(dialer.config, providers={"hook": hook})
    assert not any("not dialed" in w for w in plan(config, LINK, Source.LINK, "hook").warnings)
    plain = dataclasses.replace(hook, options={"url": "https://pbx.example.com/c"})
    config = Config(general=dialer.config.general, providers={"hook": plain})
    assert NOTE in plan(config, LINK, Source.LINK, "hook").warnings
