"""A real webhook receiver on 127.0.0.1, in a thread, that records what it gets."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str = ""
    # Status codes to answer in turn; once used up, 200.
    script: list[int] = field(default_factory=list)
    # Seconds to wait before answering the first request (a delivery in flight).
    hold_first_s: float = 0.0
    got: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ids(self) -> list[str]:
        with self.lock:
            return [r.headers["webhook-id"] for r in self.got]


@contextmanager
def receiver(
    script: list[int] | None = None,
    hold_first_s: float = 0.0,
    tls: ssl.SSLContext | None = None,
) -> Iterator[Receiver]:
    """A receiver; with ``tls``, an HTTPS one (its URL still says 127.0.0.1)."""
    rec = Receiver(script=list(script or []), hold_first_s=hold_first_s)
    held = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            with rec.lock:
                rec.got.append(Received({k.lower(): v for k, v in self.headers.items()}, body))
                code = rec.script.pop(0) if rec.script else 200
                hold = rec.hold_first_s if not held.is_set() else 0.0
                held.set()
            if hold:
                threading.Event().wait(hold)
            self.send_response(code)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 256  # a worker opens up to 100 connections at once

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    scheme = "https" if tls is not None else "http"
    rec.url = f"{scheme}://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield rec
    finally:
        server.shutdown()
        server.server_close()
