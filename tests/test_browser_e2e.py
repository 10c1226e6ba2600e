"""End to end in a real browser: headless Chromium with the companion loaded, a local CRM page,
a click on a number and on a tel: link, and the calls placed through the running app.

Chromium runs with a fresh profile whose ``NativeMessagingHosts`` folder holds the host
manifest ``dialer-gui register`` writes (Chromium reads ``<user-data-dir>/NativeMessagingHosts``
on Linux), pointing at this checkout's ``dialer-gui-native-host``. The extension is the real
one when ``browser/`` holds it (its packaged build ``browser/dist/chromium`` if there is one),
else the stand-in in tests/data/native_host_ext with the same key, so the same ID. Clicks are
real mouse events sent over the DevTools protocol (tests/support/cdp_pipe.py), on buttons
found by their accessible names ("Call ..."), as a screen reader would find them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cdp_pipe import CHROMIUM, Chromium, Page
from test_e2e import (  # noqa: F401
    APP,
    _listening,
    _stop,
    app_env,
    calls,
    history_rows,
    wait_for,
)
from test_native_host_app import set_general

from dialer_gui.platform.launcher import native_host_path
from dialer_gui.platform.native_messaging import BROWSERS, manifest
from dialer_gui.sandbox import SandboxThread
from dialer_gui.vocabulary.calls import CallState, Source

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
STAND_IN = Path(__file__).parent / "data" / "native_host_ext"

CRM_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Contacts - Example CRM</title></head>
<body>
<h1>Contacts</h1>
<table>
  <tr><th>Name</th><th>Phone</th></tr>
  <tr><td>Jo Bloggs</td><td>+44 20 7946 0958</td></tr>
</table>
<p>Reception: <a id="reception" href="tel:+442079460960">front desk</a></p>
</body></html>
"""


def extension() -> Path:
    """The unpacked extension to load (see the module docstring)."""
    override = os.environ.get("DIALER_GUI_E2E_EXTENSION")
    if override:
        return Path(override)
    for candidate in (ROOT / "browser" / "dist" / "chromium", ROOT / "browser"):
        if (candidate / "manifest.json").is_file():
            return candidate
    return STAND_IN


@pytest.fixture
def crm_site() -> Iterator[str]:
    """A CRM page on 127.0.0.1 (any path serves it)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = CRM_PAGE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def chromium(tmp_path: Path, app_env: dict[str, str]) -> Iterator[Chromium]:  # noqa: F811
    if shutil.which(CHROMIUM) is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing; .ci/run installs it")
        pytest.skip("chromium is not installed")
    host = native_host_path()
    assert host is not None, "install dialer-gui with pip: the host is a console script"
    profile = tmp_path / "chromium-profile"
    hosts = profile / "NativeMessagingHosts"
    hosts.mkdir(parents=True)
    chromium_family = next(b for b in BROWSERS if b.name == "Chromium")
    (hosts / "app.dialer_gui.native_host.json").write_text(
        json.dumps(manifest(chromium_family, str(host))), encoding="utf-8"
    )
    browser = Chromium(profile, extension(), app_env)
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def running_app(app_env: dict[str, str], isolated_dirs: dict[str, Path]) -> Iterator[None]:  # noqa: F811
    set_general(isolated_dirs, "confirm_browser = false")
    proc = subprocess.Popen([*APP, "--background"], env=app_env, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: _listening() or proc.poll() is not None, "the app to listen")
        assert proc.poll() is None
        yield
    finally:
        _stop(proc)


def test_a_click_on_a_number_and_on_a_tel_link_place_calls_through_the_app(
    sandbox: SandboxThread,
    running_app: None,
    crm_site: str,
    chromium: Chromium,
) -> None:
    page = Page(chromium, f"{crm_site}/contacts.html?session=s3cr3t#list")
    buttons = wait_for(lambda: page.buttons_named("Call "), "the call buttons on the page")
    (name, number_button), *_ = [b for b in buttons if "7946" in b[0] and "0958" in b[0]]
    page.click(number_button)
    wait_for(lambda: len(calls(sandbox)) == 1, "the call from the number")
    page.click(page.node_for("#reception"))
    wait_for(lambda: len(calls(sandbox)) == 2, "the call from the tel: link")
    wait_for(
        lambda: len([r for r in history_rows() if r.state is CallState.ACCEPTED]) == 2,
        "two accepted calls",
    )
    rows = history_rows()
    assert [r.json()["callee"] for r in calls(sandbox)] == ["02079460958", "02079460960"]
    assert all(r.source is Source.BROWSER for r in rows)
    # The page is kept without its query and fragment (a session token is no history's business).
    assert {r.page for r in rows} == {f"{crm_site}/contacts.html"}
    # The link did not open the OS's tel: prompt: the page is still there, not navigated away.
    assert page.evaluate("location.pathname") == "/contacts.html"
    assert name.startswith("Call ")
    if extension() == STAND_IN:  # it keeps the host's replies where the test can read them
        replies = json.loads(page.evaluate("document.body.dataset.dialerReplies"))
        assert replies == [{"ok": True, "state": "calling"}] * 2
