"""A small asyncio HTTP/1.1 server on loopback: the frame of the PBX simulator.

Why not ``http.server``: the simulator must misbehave on purpose (stall before headers, send half
a body, reset the connection), which needs control of the raw socket. Each API module registers
routes; every request is recorded byte for byte so tests can assert on exactly what a provider
sent. Faults are switched per API (or for all) from Python or over ``/_sandbox/fault``.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import ssl as _ssl
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("dialer_gui.sandbox")

MAX_REQUEST = 1024 * 1024
LOOPBACK = "127.0.0.1"
REQUEST_LOG = 10_000  # requests remembered for tests and the demo log
# Deep enough to exhaust any recursive parser, small enough to arrive whole.
DEEP_JSON = b"[" * 100_000 + b"]" * 100_000

FAULTS = (
    "slow",  # answer after `delay` seconds
    "timeout",  # read the request, never answer
    "slow_headers",  # send the status line, then stall
    "slow_body",  # send headers and half the body, then stall
    "trickle",  # the real answer, head and body, one byte every `delay` seconds
    "http_500",  # 500 with an HTML error page
    "http_502",  # 502 from a "proxy"
    "html",  # 200 with an HTML page (wrong content type)
    "garbage",  # 200 with bytes that parse as nothing
    "empty",  # 200 with an empty body
    "truncated",  # 200 with the first half of the real answer
    "huge",  # 200 with a 10 MB body
    "deep",  # 200 with JSON nested 100,000 levels deep (200 KB)
    "deep_400",  # the same with 400
    "deep_401",  # the same with 401
    "reset",  # close the connection without answering
    "redirect",  # 302 to another host
    "bad_credentials",  # the API's own "wrong credentials" answer
    "reject_number",  # the API's own "bad number" answer
    "not_permitted",  # the API's own "not allowed" answer (for following: privilege refused)
    "call_unknown",  # following or ending a call: the API's own "no such call" answer
)
# Faults the API's own handler answers in its own words; the others are the frame's doing.
ANSWERED_FAULTS = frozenset({"bad_credentials", "reject_number", "not_permitted", "call_unknown"})


@dataclass(slots=True)
class Request:
    api: str
    method: str
    target: str  # raw request target, e.g. "/call.cgi?" exactly as sent
    path: str
    query: str  # raw query string, separators untouched
    headers: list[tuple[str, str]]
    body: bytes
    received: float = field(default_factory=time.monotonic)

    def header(self, name: str, default: str | None = None) -> str | None:
        lname = name.lower()
        for k, v in self.headers:
            if k.lower() == lname:
                return v
        return default

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))

    def form(self) -> dict[str, str]:
        """Form body fields (last value wins)."""
        return dict(urllib.parse.parse_qsl(self.body.decode("utf-8", "replace"), True))


@dataclass(slots=True)
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def json(cls, data: Any, status: int = 200) -> Response:
        return cls(status, json.dumps(data).encode(), "application/json")

    @classmethod
    def text(cls, text: str, status: int = 200, content_type: str = "text/plain") -> Response:
        return cls(status, text.encode(), content_type)


Handler = Callable[[Request, "Fault | None"], Awaitable[Response]]


@dataclass(slots=True)
class Fault:
    kind: str
    delay: float = 2.0
    times: int | None = None  # None: until cleared


@dataclass(slots=True)
class Route:
    api: str
    methods: frozenset[str]
    path: str
    handler: Handler


REASONS = {
    200: "OK", 201: "Created", 204: "No Content", 302: "Found", 400: "Bad Request",
    401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    415: "Unsupported Media Type", 500: "Internal Server Error", 501: "Not Implemented",
    502: "Bad Gateway",
}  # fmt: skip


class HTTPServer:
    """Routes, faults and a log of received requests, served on 127.0.0.1."""

    def __init__(self) -> None:
        self.routes: list[Route] = []
        # The newest requests only: the demo runs inside a tray app that may stay up for months.
        self.requests: collections.deque[Request] = collections.deque(maxlen=REQUEST_LOG)
        self.faults: dict[str, Fault] = {}
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._handlers: set[asyncio.Task[None]] = set()
        self._stopping = False
        self.port = 0
        self.tls = False
        self.received = asyncio.Event()
        # Told of every request to an API as it arrives, before it is answered (the
        # benchmarks' sink process prints each one with its receive stamp).
        self.on_request: Callable[[Request], None] | None = None

    # -- configuration -------------------------------------------------------------------------
    def route(
        self, api: str, methods: set[str] | frozenset[str], path: str, handler: Handler
    ) -> None:
        self.routes.append(Route(api, frozenset(m.upper() for m in methods), path, handler))

    def set_fault(
        self, kind: str, api: str = "*", delay: float = 2.0, times: int | None = None
    ) -> None:
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}; known: {', '.join(FAULTS)}")
        self.faults[api] = Fault(kind, delay, times)

    def clear_faults(self) -> None:
        self.faults.clear()

    def _take_fault(self, api: str) -> Fault | None:
        key = api if api in self.faults else "*" if "*" in self.faults else None
        if key is None:
            return None
        fault = self.faults[key]
        if fault.times is not None:
            fault.times -= 1
            if fault.times <= 0:
                del self.faults[key]
        return fault

    def requests_for(self, api: str) -> list[Request]:
        return [r for r in self.requests if r.api == api]

    @property
    def base_url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{LOOPBACK}:{self.port}"

    # -- lifecycle -----------------------------------------------------------------------------
    async def start(
        self, port: int = 0, host: str = LOOPBACK, ssl: _ssl.SSLContext | None = None
    ) -> str:
        """Listen on loopback; with ``ssl`` (a server context) the sandbox speaks HTTPS."""
        if host not in (LOOPBACK, "localhost", "::1"):
            raise ValueError("the sandbox only listens on loopback")
        self.tls = ssl is not None
        self._server = await asyncio.start_server(self._serve, host, port, ssl=ssl)
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("sandbox listening on %s", self.base_url)
        return self.base_url

    async def stop(self) -> None:
        """Close the listener and every connection, and wait until they are really closed.

        Connection handlers may be parked in a fault ("timeout" sleeps for an hour); they are
        cancelled, and their transports closed while the loop still runs, so nothing is left
        for the garbage collector to find unclosed later.
        """
        if self._server is None:
            return
        self._stopping = True
        self._server.close()
        handlers = list(self._handlers)
        for task in handlers:
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)
        for writer in list(self._writers):
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 1.0)
        with contextlib.suppress(Exception):
            await self._server.wait_closed()
        self._writers.clear()
        self._server = None
        self._stopping = False

    # -- HTTP ----------------------------------------------------------------------------------
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
        try:
            while True:
                request = await self._read_request(reader)
                if request is None:
                    return
                keep = await self._dispatch(request, writer)
                if not keep:
                    return
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            return
        except asyncio.CancelledError:
            if not self._stopping:
                raise
            # stop() ended this connection: end normally. On Python 3.11, asyncio's stream
            # callback calls exception() on a cancelled handler, which raises and is logged.
            return
        finally:
            if task is not None:
                self._handlers.discard(task)
            with contextlib.suppress(Exception):
                writer.close()
            if not self._stopping:  # stop() waits for the close itself
                self._writers.discard(writer)

    async def _read_request(self, reader: asyncio.StreamReader) -> Request | None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return None
        except asyncio.LimitOverrunError as exc:
            raise ValueError("header too large") from exc
        lines = head.decode("latin-1").split("\r\n")
        method, target, _version = lines[0].split(" ", 2)
        headers: list[tuple[str, str]] = []
        for line in lines[1:]:
            if not line:
                continue
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
        length = 0
        for k, v in headers:
            if k.lower() == "content-length":
                length = int(v)
        if length > MAX_REQUEST:
            raise ValueError("body too large")
        body = await reader.readexactly(length) if length else b""
        path, _, query = target.partition("?")
        return Request("", method.upper(), target, urllib.parse.unquote(path), query, headers, body)

    def _match(self, request: Request) -> tuple[Route | None, bool]:
        path_found = False
        for route in self.routes:
            # A path ending in "*" takes any rest (REST-style IDs: /active_calls/17).
            wild = route.path.endswith("*") and request.path.startswith(route.path[:-1])
            if wild or route.path == request.path or route.path == request.path.rstrip("/") + "/":
                path_found = True
                if request.method in route.methods:
                    return route, True
        return None, path_found

    async def _dispatch(self, request: Request, writer: asyncio.StreamWriter) -> bool:
        if request.path.startswith("/_sandbox/"):
            response = self._control(request)
            await self._write(writer, response)
            return True
        route, path_found = self._match(request)
        if route is None:
            status = 405 if path_found else 404
            html = f"<html><body><h1>{status} {REASONS[status]}</h1></body></html>"
            await self._write(writer, Response.text(html, status, "text/html"))
            return True
        request.api = route.api
        self.requests.append(request)
        self.received.set()
        if self.on_request is not None:
            self.on_request(request)
        fault = self._take_fault(route.api)
        if fault is not None and fault.kind not in ANSWERED_FAULTS:
            return await self._misbehave(fault, request, route, writer)
        try:
            response = await route.handler(request, fault)
        except Exception:  # a simulator bug must not look like a PBX answer
            log.exception("sandbox handler failed")
            response = Response.text("sandbox handler error", 500)
        await self._write(writer, response)
        return True

    async def _misbehave(
        self, fault: Fault, request: Request, route: Route, writer: asyncio.StreamWriter
    ) -> bool:
        kind = fault.kind
        if kind == "slow":
            await asyncio.sleep(fault.delay)
            await self._write(writer, await route.handler(request, None))
            return True
        if kind == "timeout":
            await asyncio.sleep(3600)
            return False
        if kind == "reset":
            transport = writer.transport
            sock = transport.get_extra_info("socket")
            if sock is not None:
                import socket
                import struct

                # SO_LINGER 0 makes close() send RST rather than FIN.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            transport.abort()
            return False
        if kind == "slow_headers":
            writer.write(b"HTTP/1.1 200 OK\r\n")
            await writer.drain()
            await asyncio.sleep(3600)
            return False
        if kind == "slow_body":
            real = await route.handler(request, None)
            body = real.body or b"{}"
            writer.write(self._head(real, len(body)) + body[: max(1, len(body) // 2)])
            await writer.drain()
            await asyncio.sleep(3600)
            return False
        if kind == "trickle":
            # Every read returns something, so a per-read timeout never fires: only a
            # deadline on the whole exchange ends it.
            real = await route.handler(request, None)
            data = self._head(real, len(real.body)) + real.body
            for i in range(len(data)):
                writer.write(data[i : i + 1])
                await writer.drain()
                if i + 1 < len(data):
                    await asyncio.sleep(fault.delay)
            return True
        if kind in ("http_500", "http_502"):
            status = 500 if kind == "http_500" else 502
            html = f"<html><head><title>{status}</title></head><body>Server error</body></html>"
            await self._write(writer, Response.text(html, status, "text/html"))
            return True
        if kind == "html":
            page = "<!DOCTYPE html><html><body><p>Welcome to the PBX portal</p></body></html>"
            await self._write(writer, Response.text(page, 200, "text/html"))
            return True
        if kind == "garbage":
            await self._write(writer, Response(200, b"\x00\xff{<<garbage", "application/json"))
            return True
        if kind == "empty":
            await self._write(writer, Response(200, b"", "application/json"))
            return True
        if kind == "truncated":
            real = await route.handler(request, None)
            await self._write(
                writer, Response(200, real.body[: len(real.body) // 2], real.content_type)
            )
            return True
        if kind == "huge":
            await self._write(writer, Response(200, b"x" * (10 * 1024 * 1024), "text/plain"))
            return True
        if kind in ("deep", "deep_400", "deep_401"):
            status = {"deep": 200, "deep_400": 400, "deep_401": 401}[kind]
            await self._write(writer, Response(status, DEEP_JSON, "application/json"))
            return True
        if kind == "redirect":
            resp = Response.text("", 302)
            resp.headers.append(("Location", "http://203.0.113.7/stolen"))
            await self._write(writer, resp)
            return True
        raise AssertionError(kind)

    def _control(self, request: Request) -> Response:
        """Test hooks for other processes: faults and the request log."""
        if request.path == "/_sandbox/fault" and request.method == "POST":
            data = request.json() if request.body else {}
            if data.get("kind") in (None, "", "none"):
                self.clear_faults()
            else:
                self.set_fault(
                    data["kind"],
                    data.get("api", "*"),
                    float(data.get("delay", 2.0)),
                    data.get("times"),
                )
            return Response.json({"ok": True})
        if request.path == "/_sandbox/requests":
            return Response.json([
                {"api": r.api, "method": r.method, "target": r.target,
                 "headers": r.headers, "body": r.body.decode("utf-8", "replace")}
                for r in self.requests
            ])  # fmt: skip
        if request.path == "/_sandbox/reset" and request.method == "POST":
            self.requests.clear()
            self.clear_faults()
            return Response.json({"ok": True})
        return Response.json({"error": "unknown control"}, 404)

    @staticmethod
    def _head(response: Response, length: int) -> bytes:
        reason = REASONS.get(response.status, "Status")
        lines = [f"HTTP/1.1 {response.status} {reason}", f"Content-Length: {length}"]
        if response.content_type:
            lines.append(f"Content-Type: {response.content_type}")
        lines += [f"{k}: {v}" for k, v in response.headers]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def _write(self, writer: asyncio.StreamWriter, response: Response) -> None:
        writer.write(self._head(response, len(response.body)) + response.body)
        await writer.drain()
