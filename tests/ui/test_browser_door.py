"""The browser companion's door in the running app: each request answered at once, then dialed
(or chosen from) with source ``browser`` and the asking page kept in the history."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel
from uitools import qloop, run  # noqa: F401

from dialer_gui import ipc
from dialer_gui.app import Application
from dialer_gui.errors import IPCError
from dialer_gui.sandbox.demo import DEMO_DEFAULT
from dialer_gui.vocabulary.calls import CallState, Source
from dialer_gui.vocabulary.start_options import StartOptions

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

PAGE = "https://crm.example.com/contacts/42"


@pytest.fixture
def started(qtbot, qapp, qloop, tmp_path: Path):  # noqa: F811
    made = []

    def start(general: str = "", *, ready: bool = True) -> Application:
        config = tmp_path / "config.toml"
        config.write_text(f'version = 1\n[general]\nregion = "GB"\n{general}', encoding="utf-8")
        app = Application(StartOptions(config=config), qapp, tray_available=False, listen=False)
        made.append(app)
        if ready:
            run(qtbot, app.start())
        return app

    yield start
    gc.unfreeze()
    for app in made:
        run(qtbot, app.aclose())
        if app.window is not None:
            app.window.deleteLater()
        app.deleteLater()


def browser(text: str, page: str = PAGE) -> ipc.Message:
    return ipc.Message("dial_browser", text, "browser", page)


def calls(app: Application) -> list[str]:
    """The numbers the demo PBX (MOR, the demo's default) was asked to call, as MOR got them."""
    assert DEMO_DEFAULT == "demo-mor"
    return [dst for _src, dst in app.sandbox.state.get("mor_calls", [])]


def settled_rows(app: Application):
    rows = app.history.query(limit=10)
    return rows if rows and all(r.state is not CallState.REQUESTED for r in rows) else []


def test_one_number_asks_first_then_calls_with_the_page_recorded(qtbot, started) -> None:
    app = started()
    reasons = []

    def shown(dialog) -> None:
        reasons.append(dialog.findChild(QLabel, "confirmReason").text())
        dialog.accept()

    app.confirmer.on_shown = shown
    assert app.answer_browser(browser("Jo Bloggs, mobile 07911 123456 (work)")) == "asking"
    qtbot.waitUntil(lambda: calls(app) == ["447911123456"])
    qtbot.waitUntil(lambda: bool(settled_rows(app)))
    (row,) = settled_rows(app)
    assert row.state is CallState.ACCEPTED
    assert row.source is Source.BROWSER and row.page == PAGE
    assert reasons == ["A web page in your browser asked to place this call."]


def test_with_confirm_browser_off_it_says_calling(qtbot, started) -> None:
    app = started("confirm_browser = false\n")
    assert app.answer_browser(browser("tel:+442079460958", page="")) == "calling"
    qtbot.waitUntil(lambda: calls(app) == ["442079460958"])
    qtbot.waitUntil(lambda: bool(settled_rows(app)))
    (row,) = settled_rows(app)
    assert row.source is Source.BROWSER and row.page is None
    # The same number again at once is merged, and the extension hears so.
    assert app.answer_browser(browser("020 7946 0958")) == "already calling"


def test_text_without_a_number_is_a_plain_refusal_and_nothing_is_recorded(started) -> None:
    app = started()
    with pytest.raises(IPCError, match="No phone number was found in “Order 12, due 2024”"):
        app.answer_browser(browser("Order 12, due 2024"))
    assert app.history.query(limit=5) == []


def test_several_numbers_open_one_chooser_and_the_pick_is_dialed(qtbot, started) -> None:
    app = started("confirm_browser = false\n")
    choosers = []
    app.on_browser_chooser = choosers.append
    text = "Office 020 7946 0958, mobile 07911 123456"
    assert app.answer_browser(browser(text)) == "choosing"
    qtbot.waitUntil(lambda: len(choosers) == 1)
    dialog = choosers[0]
    assert dialog.list.count() == 2
    assert dialog.list.accessibleName() == "Numbers found in the selection"
    # A second request with several numbers is refused while the first chooser is open.
    with pytest.raises(IPCError, match="waiting for you to choose"):
        app.answer_browser(browser(text))
    dialog.list.setCurrentRow(1)
    dialog.accept()
    qtbot.waitUntil(lambda: calls(app) == ["447911123456"])
    # The PBX has the call a moment before its answer is written in the history.
    qtbot.waitUntil(lambda: len(settled_rows(app)) == 1)
    (row,) = settled_rows(app)
    assert row.source is Source.BROWSER and row.page == PAGE


def test_a_second_request_while_one_waits_for_an_answer_is_busy(qtbot, started) -> None:
    app = started()
    prompts = []
    app.confirmer.on_shown = prompts.append
    assert app.answer_browser(browser("020 7946 0958")) == "asking"
    qtbot.waitUntil(lambda: len(prompts) == 1)
    with pytest.raises(IPCError, match="waiting for your answer"):
        app.answer_browser(browser("07911 123456"))
    prompts[0].reject()
    qtbot.waitUntil(lambda: len(settled_rows(app)) == 2)
    states = sorted(r.state for r in settled_rows(app))
    assert states == [CallState.BLOCKED, CallState.BLOCKED]  # cancelled, and refused as busy
    assert calls(app) == []


def test_a_request_while_starting_is_kept_and_dialed_once_up(qtbot, started) -> None:
    app = started("confirm_browser = false\n", ready=False)
    assert app.answer_browser(ipc.Message("ping", "", "browser")) == "starting"
    assert app.answer_browser(browser("020 7946 0958")) == "starting"
    run(qtbot, app.start())
    qtbot.waitUntil(lambda: calls(app) == ["442079460958"])
    assert app.answer_browser(ipc.Message("ping", "", "browser")) == "ready"


@pytest.mark.parametrize(
    ("text", "page", "reason"),
    [
        ("020 7946 0958", "javascript:alert(1)", "not an http"),
        ("020 7946 0958", "https://crm.example.com/\u202eevil", "non-ASCII"),
        ("call\x1b[31m 020 7946 0958", PAGE, "control"),
        ("x" * 600 + "0", PAGE, "too long"),
    ],
)
def test_the_receiving_side_checks_again(started, text: str, page: str, reason: str) -> None:
    app = started()
    with pytest.raises(IPCError, match=reason):
        app.open_browser_request(text, page)
    assert app.history.query(limit=5) == []
