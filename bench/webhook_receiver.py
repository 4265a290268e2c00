"""A local webhook receiver for the events bench: answers 200 and notes when each
``webhook-id`` arrived. ``GET /stats`` returns ``{id: [arrival, ...]}``.

Run: ``python -m bench.webhook_receiver PORT`` (the bench starts it)."""

from __future__ import annotations

import sys
import time
from collections import defaultdict

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

arrivals: dict[str, list[float]] = defaultdict(list)


async def hook(request: Request) -> Response:
    await request.body()
    arrivals[request.headers["webhook-id"]].append(time.time())
    return Response(status_code=204)


async def stats(_: Request) -> Response:
    return JSONResponse(arrivals)


app = Starlette(routes=[Route("/hook", hook, methods=["POST"]), Route("/stats", stats)])

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
