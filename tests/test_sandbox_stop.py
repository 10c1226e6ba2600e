"""The simulator stops cleanly with connections still open (the demo's quit, test teardown)."""

from __future__ import annotations

import asyncio
from typing import Any

from dialer_gui.sandbox import Sandbox


def test_stop_with_an_idle_kept_alive_connection_reports_no_error() -> None:
    async def main() -> list[dict[str, Any]]:
        loop = asyncio.get_running_loop()
        errors: list[dict[str, Any]] = []
        loop.set_exception_handler(lambda _loop, context: errors.append(context))
        sandbox = Sandbox()
        await sandbox.start()
        # An HTTP client's kept-alive connection: open, nothing sent, the handler waiting.
        reader, writer = await asyncio.open_connection("127.0.0.1", sandbox.port)
        await asyncio.sleep(0.05)
        await sandbox.stop()
        assert await reader.read() == b""  # the sandbox closed it
        writer.close()
        await writer.wait_closed()
        await asyncio.sleep(0.05)  # asyncio reports a failed handler from a later callback
        return errors

    errors = asyncio.run(main())
    assert errors == [], [e.get("message") for e in errors]
