"""A local webhook receiver for the events bench: answers 204 and notes when each
``webhook-id`` arrived. ``GET /stats`` returns ``{id: [arrival, ...]}``.

A bare asyncio HTTP/1.1 server (keep-alive, Content-Length bodies only), so that the
receiver takes as little of the shared CPU as possible and the bench measures the
worker. Run: ``python -m bench.webhook_receiver PORT`` (the bench starts it)."""

from __future__ import annotations

import asyncio
import sys
import time
from collections import defaultdict

import orjson

arrivals: dict[str, list[float]] = defaultdict(list)


async def _serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name:
                    headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0"))
            if length:
                await reader.readexactly(length)
            if lines[0].startswith("GET /stats"):
                body = orjson.dumps(arrivals)
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                    b"content-length: %d\r\n\r\n" % len(body) + body
                )
            else:
                arrivals[headers.get("webhook-id", "")].append(time.time())
                writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main(port: int) -> None:
    server = await asyncio.start_server(_serve, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
