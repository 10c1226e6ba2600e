"""The PBX side of the benchmarks, in a process of its own: the simulator and a SIP stand-in.

``python benchmarks/sink.py [--sip-port N]`` serves the loopback simulator of every API
(``dialer_gui.sandbox``) and, with ``--sip-port``, a UDP socket that answers each SIP INVITE
with ``486 Busy Here``, so that a softphone's call ends at once and the next one can start.
The first line on stdout is ``{"url": ..., "sip_port": ...}``; then every request is printed
as one JSON line with its receive stamp (``time.monotonic()``, one clock for every process on
Linux) as it arrives, before it is answered. The benchmark reads the stamps from the pipe, so
it neither polls nor shares a process (or a GIL) with the server it measures against.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dialer_gui.sandbox import Sandbox  # noqa: E402
from dialer_gui.sandbox.server import Request  # noqa: E402


def _print(line: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


def _on_http(request: Request) -> None:
    body = request.body[:2000].decode("utf-8", "replace")
    _print({"t": request.received, "kind": "http", "path": request.path,
            "target": request.target, "body": body})  # fmt: skip


class SipBusy(asyncio.DatagramProtocol):
    """Answers INVITE with 486 Busy Here (and anything else but ACK with 200 OK)."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # The selector loop's datagram transport is not a subclass of DatagramTransport.
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        stamp = time.monotonic()
        text = data.decode("utf-8", "replace")
        head, _, _ = text.partition("\r\n\r\n")
        lines = head.split("\r\n")
        method, _, rest = lines[0].partition(" ")
        uri = rest.partition(" ")[0]
        if method == "SIP/2.0":  # a response: nothing to answer
            return
        _print({"t": stamp, "kind": "sip", "method": method, "uri": uri})
        if method == "ACK":
            return
        status = "486 Busy Here" if method == "INVITE" else "200 OK"
        # RFC 3261 8.2.6: the response copies Via, From, Call-ID and CSeq, and To with a tag.
        keep = ("via:", "v:", "from:", "f:", "call-id:", "i:", "cseq:")
        copied = [h for h in lines[1:] if h.lower().startswith(keep)]
        to = next((h for h in lines[1:] if h.lower().startswith(("to:", "t:"))), "To: <>")
        if ";tag=" not in to:
            to += ";tag=sink"
        reply = "\r\n".join([f"SIP/2.0 {status}", *copied, to, "Content-Length: 0", "", ""])
        self.transport.sendto(reply.encode(), addr)


async def serve(sip_port: int | None) -> None:
    sandbox = Sandbox(cdr_delay=3600.0)
    sandbox.on_request = _on_http
    url = await sandbox.start(0)
    transport = None
    if sip_port is not None:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            SipBusy, local_addr=("127.0.0.1", sip_port)
        )
    _print({"url": url, "sip_port": sip_port})
    # Runs until the benchmark closes our stdin (or kills us).
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    if transport is not None:
        transport.close()
    await sandbox.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sip-port", type=int, default=None)
    args = parser.parse_args()
    asyncio.run(serve(args.sip_port))


if __name__ == "__main__":
    main()
