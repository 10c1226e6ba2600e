"""``python -m dialer_gui.sandbox``: serve the simulated PBX APIs on 127.0.0.1."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys

from dialer_gui.providers import PROVIDERS
from dialer_gui.sandbox import Sandbox


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="dialer-gui sandbox",
        description="Serve simulated click-to-call APIs on loopback for demos and tests.",
    )
    parser.add_argument("--port", type=int, default=8300, help="port on 127.0.0.1 (default 8300)")
    parser.add_argument("--redis", default="", help="Redis URL for Teleforge CDRs")
    parser.add_argument("--cdr-delay", type=float, default=3.0, help="seconds until a CDR")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")

    async def serve() -> None:
        sandbox = Sandbox(redis_url=args.redis, cdr_delay=args.cdr_delay)
        url = await sandbox.start(args.port)
        print(f"Simulating {', '.join(PROVIDERS)} on {url}", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):  # Windows
                loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        await sandbox.stop()

    try:
        asyncio.run(serve())
    except OSError as exc:
        reason = exc.strerror or exc
        print(f"dialer-gui sandbox: cannot listen on port {args.port}: {reason}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
