"""The app's log file: rotating, private, and never holding a secret."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialer_gui.core import logs
from dialer_gui.providers import redaction


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    root = logging.getLogger()
    before = list(root.handlers), root.level
    redaction.forget_all()
    path = logs.install(directory=tmp_path / "log")
    assert path is not None
    yield path
    for handler in root.handlers[:]:
        if handler not in before[0]:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(before[1])
    redaction.forget_all()


def test_the_log_is_a_private_file_in_the_folder_given(log_file: Path, tmp_path: Path) -> None:
    logging.getLogger("dialer_gui.test").info("a call to %s", "+15551234567")
    assert log_file.parent == tmp_path / "log" and log_file.name == "dialer-gui.log"
    assert "a call to +15551234567" in log_file.read_text(encoding="utf-8")
    if os.name == "posix":
        assert stat.S_IMODE(log_file.stat().st_mode) == 0o600
    assert str(log_file) in logs.where()


def test_secrets_never_reach_the_log(log_file: Path) -> None:
    redaction.remember(["hunter2-Pa55"])
    log = logging.getLogger("dialer_gui.test")
    log.warning("PBX said: wrong password hunter2-Pa55 (%s)", "aHVudGVyMi1QYTU1")  # base64 too
    log.warning("GET https://api.example.com/call?user=al&api_key=k3y-9f8e&to=1")
    log.warning("sent Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc")
    log.warning("redis at redis://:r3dis-pw@pbx.example.com:6379/0")
    try:
        raise ValueError("token=t0k3n-in-a-traceback")
    except ValueError:
        log.exception("failed")
    text = log_file.read_text(encoding="utf-8")
    for secret in ("hunter2-Pa55", "aHVudGVyMi1QYTU1", "k3y-9f8e", "eyJhbGci", "r3dis-pw", "t0k3n"):
        assert secret not in text, secret
    assert text.count(redaction.MASK) >= 6


def test_the_log_rotates_and_keeps_a_few_files(log_file: Path, monkeypatch) -> None:
    handler = next(
        h for h in logging.getLogger().handlers if getattr(h, "baseFilename", "") == str(log_file)
    )
    handler.maxBytes = 2000  # type: ignore[attr-defined]
    log = logging.getLogger("dialer_gui.test")
    for i in range(400):
        log.warning("line %d %s", i, "x" * 40)
    names = sorted(p.name for p in log_file.parent.iterdir())
    assert names == ["dialer-gui.log", "dialer-gui.log.1", "dialer-gui.log.2", "dialer-gui.log.3"]
    assert all(p.stat().st_size <= 2100 for p in log_file.parent.iterdir())


def test_a_log_folder_that_cannot_be_made_leaves_no_log(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert logs.install(directory=blocker / "log") is None


secret_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=3, max_size=30
)


@settings(max_examples=200, deadline=None)
@given(secret=secret_text, before=st.text(max_size=20), after=st.text(max_size=20))
def test_a_remembered_secret_is_masked_in_any_text_and_spelling(
    secret: str, before: str, after: str
) -> None:
    import base64
    import json
    import urllib.parse

    redaction.forget_all()
    redaction.remember([secret])
    try:
        for form in (
            secret,
            urllib.parse.quote(secret, safe=""),
            json.dumps(secret)[1:-1],
            base64.b64encode(secret.encode()).decode(),
        ):
            assert form not in redaction.scrub(before + form + after) or form in before + after
    finally:
        redaction.forget_all()
