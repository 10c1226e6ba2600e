"""A link that cannot be dialed is shown on the desktop, not only on stderr nobody reads.

The process the OS starts for a click has no window; a browser user who clicks ``tel:hello``
would otherwise see nothing at all. A stand-in ``notify-send`` first on ``PATH`` records what
it is asked to show. The link is hostile text: what is shown of it is cut short and has no
control or invisible characters.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from dialer_gui import cli, ipc
from dialer_gui.core.config import Config
from dialer_gui.core.links import target_from_link
from dialer_gui.core.planner import plan
from dialer_gui.sandbox.demo import demo_config
from dialer_gui.vocabulary.calls import Source

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="notify-send is the Linux notifier"
)


@pytest.fixture
def notices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], list[str]]:
    """Put a recording notify-send first on PATH; returns a reader of its calls' arguments."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "notify.log"
    script = bin_dir / "notify-send"
    script.write_text(f'#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done >> "{log}"\n')
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    return lambda: log.read_text().splitlines() if log.exists() else []


@linux_only
@pytest.mark.parametrize(
    ("link", "reason"),
    [
        ("tel:hello", "not a phone number"),
        ("sip:alice@example.com", "not a phone number"),
        ("tel:+12015550123?call=now", "query part"),
    ],
)
def test_a_link_that_cannot_be_dialed_is_shown_in_a_notification(
    notices: Callable[[], list[str]], capsys: pytest.CaptureFixture[str], link: str, reason: str
) -> None:
    assert cli.main(["--link", link]) == cli._INPUT
    assert reason in capsys.readouterr().err
    shown = notices()
    assert shown[:3] == ["--app-name=dialer-gui", "--urgency=critical", "Link not dialed"]
    body = "\n".join(shown[3:])
    assert link in body and reason in body
    assert "dial pad" in body  # what to do instead


@linux_only
def test_what_is_shown_of_a_hostile_link_is_short_and_plain(
    notices: Callable[[], list[str]],
) -> None:
    link = "tel:+1201\u202e5550123" + "9" * 400
    assert cli.main(["--link", link]) == cli._INPUT
    body = "\n".join(notices()[3:])
    assert "\u202e" not in body
    assert all(c.isprintable() or c == "\n" for c in body)
    assert "…" in body and len(body) < 400


def test_a_vanity_tel_link_is_dialed_as_its_keypad_digits() -> None:
    link = "tel:1-800-FLOWERS"
    ipc.encode(ipc.Message("dial", link, "link"))  # the hand-off takes it
    assert target_from_link(link).e164 == "+18003569377"
    config = demo_config(Config(), "http://127.0.0.1:1")
    made = plan(config, link, Source.LINK)
    assert made.ok
    assert "1-800-FLOWERS → +1 800-356-9377" in " ".join(made.notes)
    # Typed on the dial pad, the same note.
    assert "1-800-FLOWERS → +1 800-356-9377" in " ".join(
        plan(config, "1-800-FLOWERS", Source.DIALPAD).notes
    )
    # Numbers and labels with letters are not spelled numbers.
    for text in ("Tel.: +1 212 555 0100", "+1 212 555 0100 ext 12", "tel:+1-212-555-0100;ext=12"):
        assert plan(config, text, Source.DIALPAD).notes == [], text
