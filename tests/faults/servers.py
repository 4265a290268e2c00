"""A private PostgreSQL server and a real API server process, for fault tests.

The PostgreSQL server gets its own data directory and a spare port, so stopping it,
restarting it or killing the API mid-write never touches the shared server.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import REQUIRE_PG_VAR

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 30


def spare_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


class PrivatePostgres:
    """initdb + pg_ctl on a scratch directory (as the postgres user when run as root:
    PostgreSQL refuses to run as root)."""

    def __init__(self) -> None:
        bin_dir = _pg_bin()
        if bin_dir is None:
            message = "no PostgreSQL binaries under /usr/lib/postgresql/*/bin"
            if os.environ.get(REQUIRE_PG_VAR) == "1":
                pytest.fail(message)
            pytest.skip(message)
        self.bin = bin_dir
        self.port = spare_port()
        # Not under pytest's tmp dirs: their parents are private to root.
        self.root = Path(tempfile.mkdtemp(prefix="aftersales-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=START_TIMEOUT_S)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self) -> None:
        # fast: roll back open transactions and cut their connections, as a restart does.
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


class ApiServer:
    """The service under uvicorn in its own process, so a test can SIGKILL it."""

    def __init__(self, database_url: str) -> None:
        self.port = spare_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "AFTERSALES_DATABASE_URL": database_url,
            "AFTERSALES_ENV": "prod",
            "AFTERSALES_LOG_LEVEL": "WARNING",
            # These tests are about the database: the client's retries must not be throttled.
            "AFTERSALES_RATE_LIMIT_POINTS": "1000000",
            "AFTERSALES_RATE_LIMIT_RESTORE_PER_S": "1000000",
        }
        env.pop("AFTERSALES_REDIS_URL", None)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "service.app:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        self.kill()
        raise RuntimeError("the API server did not start")

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
