"""Loopback simulator of the five click-to-call APIs (demo mode and test fixture).

``Sandbox`` serves every API from one port on 127.0.0.1, each at its documented path. Each API
module (one per entry of ``providers.PROVIDERS``) has a ``register(sandbox)`` function that adds
its routes. ``SandboxThread`` runs it on a private event loop for synchronous
tests and tools; the app's demo mode runs it on the app's own loop.

After "accepted" every simulated call lives the scripted life ``sandbox.lifecycle`` describes
(your phone rings, you answer, theirs rings, ...), kept in ``Sandbox.calls``: the follow-up
APIs of each simulator (active calls, call records, status, hang-up) read it.
``/_sandbox/lifecycle`` (POST ``{"speed": 20, "advance": 5, "lifecycle": "busy"}``, each
optional) sets the pace, moves every call forward, or forces a script, from another process.
"""

from __future__ import annotations

import asyncio
import ssl as _ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dialer_gui.providers import PROVIDERS, sandbox_module
from dialer_gui.sandbox.lifecycle import SCRIPTS, CallBook, SimCall
from dialer_gui.sandbox.server import FAULTS, Fault, HTTPServer, Request, Response

__all__ = ["FAULTS", "Fault", "Request", "Response", "Sandbox", "SandboxThread"]


class Sandbox(HTTPServer):
    """All simulated APIs on one loopback port.

    Args:
        redis_url: where Teleforge CDRs are pushed (``redis://127.0.0.1:PORT/0``); none if empty.
        cdr_delay: seconds between an accepted Teleforge call and its CDR.
        lifecycle_speed: how many times faster than real time simulated calls live.
    """

    def __init__(
        self, *, redis_url: str = "", cdr_delay: float = 1.0, lifecycle_speed: float = 1.0
    ) -> None:
        super().__init__()
        self.redis_url = redis_url
        self.cdr_delay = cdr_delay
        self.state: dict[str, Any] = {}  # per-API memory (tokens, call counters)
        self.calls = CallBook(lifecycle_speed)
        self.tasks: set[asyncio.Task[Any]] = set()
        for type_name in PROVIDERS:
            sandbox_module(type_name).register(self)

    def new_call(self, api: str, call_id: str, caller: str, callee: str) -> SimCall:
        """Start the scripted life of a call ``api`` just took (``state["lifecycle"]`` forces
        one script for every call)."""
        return self.calls.place(api, call_id, caller, callee, self.state.get("lifecycle"))

    def _control(self, request: Request) -> Response:
        if request.path == "/_sandbox/lifecycle" and request.method == "POST":
            data = request.json() if request.body else {}
            if not isinstance(data, dict):
                return Response.json({"error": "send a JSON object"}, 400)
            script = data.get("lifecycle")
            if script not in (None, "", *SCRIPTS):
                return Response.json({"error": f"unknown lifecycle {script!r}"}, 400)
            if "speed" in data:
                self.calls.speed = float(data["speed"])
            if "advance" in data:
                self.calls.advance(float(data["advance"]))
            if "lifecycle" in data:
                self.state["lifecycle"] = script or None
            return Response.json({"ok": True})
        return super()._control(request)

    def spawn(self, coro: Any) -> None:
        """Run a background job (a delayed CDR) tied to the sandbox's lifetime."""
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def stop(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        await super().stop()


class SandboxThread:
    """A :class:`Sandbox` on its own thread and loop, for synchronous callers."""

    def __init__(self, **kwargs: Any) -> None:
        self._kwargs = kwargs
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name="sandbox")
        self.sandbox: Sandbox

    def start(self, port: int = 0, ssl: _ssl.SSLContext | None = None) -> str:
        self._thread.start()

        async def make() -> Sandbox:
            return Sandbox(**self._kwargs)

        self.sandbox = self.call(make())
        return str(self.call(self.sandbox.start(port, ssl=ssl)))

    def call(self, coro: Any, timeout: float = 10.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def stop(self) -> None:
        if self._thread.is_alive():
            self.call(self.sandbox.stop())
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
        self._loop.close()

    @property
    def base_url(self) -> str:
        return self.sandbox.base_url

    @property
    def requests(self) -> list[Request]:
        return list(self.sandbox.requests)

    def set_fault(
        self, kind: str, api: str = "*", delay: float = 2.0, times: int | None = None
    ) -> None:
        self._loop.call_soon_threadsafe(self.sandbox.set_fault, kind, api, delay, times)
        # Round-trip so the fault is in place before the caller sends anything.
        self.call(asyncio.sleep(0))

    def advance(self, seconds: float) -> None:
        """Move every simulated call ``seconds`` forward in its scripted life."""
        self.sandbox.calls.advance(seconds)

    def clear(self) -> None:
        async def clear() -> None:
            self.sandbox.requests.clear()
            self.sandbox.clear_faults()

        self.call(clear())


@contextmanager
def running_sandbox(**kwargs: Any) -> Iterator[SandboxThread]:
    thread = SandboxThread(**kwargs)
    thread.start()
    try:
        yield thread
    finally:
        thread.stop()
