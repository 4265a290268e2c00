"""Run the app under uvicorn with production settings and a graceful SIGTERM.

On SIGTERM/SIGINT the process first marks itself draining (``/readyz`` answers 503 at
once), then uvicorn stops accepting connections, lets in-flight requests finish within
``settings.shutdown_timeout_s``, and runs the app's lifespan shutdown (engine disposal).
"""

from __future__ import annotations

import logging
import socket
from types import FrameType
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from service import gc_tuning
from service.config import Settings
from service.lifecycle import Lifecycle

logger = logging.getLogger("aftersales.server")


class DrainingServer(uvicorn.Server):
    """A uvicorn server that flips the app's lifecycle to draining on the first signal."""

    def __init__(
        self, config: uvicorn.Config, lifecycle: Lifecycle | None, gc_freeze: bool
    ) -> None:
        super().__init__(config)
        self.lifecycle = lifecycle
        self.gc_freeze = gc_freeze

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        # The app, its schema and its engine now exist: what is alive stays alive.
        gc_tuning.freeze_startup_objects(self.gc_freeze)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.lifecycle is not None and not self.lifecycle.shutting_down:
            self.lifecycle.begin_shutdown()
            logger.info(
                "draining",
                extra={"fields": {"signal": sig, "in_flight": self.lifecycle.in_flight}},
            )
        super().handle_exit(sig, frame)


def build_server(app: ASGIApp, *, host: str, port: int, settings: Settings) -> DrainingServer:
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        workers=None,  # one process per container: Kubernetes scales pods
        lifespan="on",
        log_config=None,  # the root logger is configured by configure_logging
        access_log=False,  # the observability middleware logs each request once
        proxy_headers=True,
        server_header=False,
        timeout_graceful_shutdown=settings.shutdown_timeout_s,
    )
    return DrainingServer(config, _lifecycle_of(app), settings.gc_freeze)


def run(app: ASGIApp, *, host: str, port: int, settings: Settings) -> None:
    """Serve ``app`` until SIGTERM/SIGINT, then drain (see module docstring)."""
    build_server(app, host=host, port=port, settings=settings).run()


def _lifecycle_of(app: Any) -> Lifecycle | None:
    state = getattr(app, "state", None)
    lifecycle = getattr(state, "lifecycle", None)
    return lifecycle if isinstance(lifecycle, Lifecycle) else None
