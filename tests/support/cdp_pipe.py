"""Headless Chromium driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``).

Written by hand, in the standard library, because the pipe needs no library: Chromium reads
commands from file descriptor 3 and writes answers and events to 4, each a JSON object ended
by a NUL byte (the transport Puppeteer and Playwright use). No port is opened, so nothing
else on the machine can drive this browser, and no websocket client is needed.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-pipe",
]


class CDPError(Exception):
    """Chromium answered a command with an error, or did not answer in time."""


class Chromium:
    """One headless Chromium with a fresh profile; :meth:`send` is one DevTools command."""

    def __init__(self, user_data_dir: Path, extension: Path, env: dict[str, str]) -> None:
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        args = [
            CHROMIUM,
            *FLAGS,
            f"--user-data-dir={user_data_dir}",
            f"--load-extension={extension}",
            f"--disable-extensions-except={extension}",
            "about:blank",
        ]

        def wire() -> None:  # in the child: the pipes become fds 3 and 4, as Chromium expects
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        self.proc = subprocess.Popen(
            args,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=wire,  # noqa: PLW1509 - two dup2 calls, no locks
            pass_fds=(3, 4),  # kept open in the child once wire() has put the pipes there
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._next = 0
        self._answers: dict[int, dict[str, Any]] = {}
        self.events: list[dict[str, Any]] = []
        self._lock = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.stderr: list[bytes] = []
        threading.Thread(target=self._drain_stderr, daemon=True).start()

    def _drain_stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr.append(line)

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = os.read(self._from_chrome, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                with self._lock:
                    self._lock.notify_all()
                return
            buffer += chunk
            while b"\0" in buffer:
                raw, buffer = buffer.split(b"\0", 1)
                message = json.loads(raw)
                with self._lock:
                    if "id" in message:
                        self._answers[message["id"]] = message
                    else:
                        self.events.append(message)
                    self._lock.notify_all()

    def send(
        self, method: str, params: dict[str, Any] | None = None, *, session: str | None = None,
        timeout: float = 20.0,
    ) -> dict[str, Any]:  # fmt: skip
        """Run one command and return its result."""
        with self._lock:
            self._next += 1
            ident = self._next
        command: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
        if session is not None:
            command["sessionId"] = session
        os.write(self._to_chrome, json.dumps(command).encode() + b"\0")
        deadline = time.monotonic() + timeout
        with self._lock:
            while ident not in self._answers:
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    said = b"".join(self.stderr[-20:]).decode("utf-8", "replace")
                    raise CDPError(f"{method}: no answer from Chromium. It said:\n{said}")
                self._lock.wait(left)
            answer = self._answers.pop(ident)
        if "error" in answer:
            raise CDPError(f"{method}: {answer['error'].get('message')}")
        result: dict[str, Any] = answer.get("result", {})
        return result

    def wait_event(self, match: Callable[[dict[str, Any]], bool], timeout: float = 20.0) -> Any:
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                for event in self.events:
                    if match(event):
                        return event
                left = deadline - time.monotonic()
                if left <= 0:
                    raise CDPError("timed out waiting for an event")
                self._lock.wait(left)

    def close(self) -> None:
        with contextlib.suppress(CDPError, OSError):
            self.send("Browser.close", timeout=5)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        for fd in (self._to_chrome, self._from_chrome):
            with contextlib.suppress(OSError):
                os.close(fd)
        if self.proc.stderr is not None:
            self.proc.stderr.close()


class Page:
    """One tab, attached with a flat session."""

    def __init__(self, browser: Chromium, url: str) -> None:
        self.browser = browser
        target = browser.send("Target.createTarget", {"url": url})["targetId"]
        self.session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.browser.send(method, params, session=self.session)

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return result["result"].get("value")

    def buttons_named(self, prefix: str) -> list[tuple[str, int]]:
        """(accessible name, backend node) of each button whose name starts with ``prefix``.

        Read from the accessibility tree, as a screen reader finds them: shadow DOM included.
        """
        nodes = self.send("Accessibility.getFullAXTree")["nodes"]
        found = []
        for node in nodes:
            role = node.get("role", {}).get("value")
            name = str(node.get("name", {}).get("value", ""))
            if role == "button" and name.startswith(prefix) and "backendDOMNodeId" in node:
                found.append((name, int(node["backendDOMNodeId"])))
        return found

    def node_for(self, selector: str) -> int:
        """The backend node of the first element matching ``selector``."""
        document = self.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = self.send("DOM.querySelector", {"nodeId": document, "selector": selector})
        described = self.send("DOM.describeNode", {"nodeId": node["nodeId"]})
        return int(described["node"]["backendNodeId"])

    def click(self, backend_node: int) -> None:
        """A real mouse click in the middle of the node (a trusted event, as a user's is)."""
        self.send("DOM.scrollIntoViewIfNeeded", {"backendNodeId": backend_node})
        quad = self.send("DOM.getContentQuads", {"backendNodeId": backend_node})["quads"][0]
        x = sum(quad[0::2]) / 4
        y = sum(quad[1::2]) / 4
        for kind in ("mousePressed", "mouseReleased"):
            self.send(
                "Input.dispatchMouseEvent",
                {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1},
            )
