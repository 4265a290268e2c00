"""The real ``aftersales serve`` in a subprocess, on SQLite, on a free local port."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from service.config import ENV_PREFIX

START_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Server:
    base_url: str
    output: str  # what the command printed on stdout before it was ready

    @property
    def demo_token(self) -> str:
        match = re.search(r"^Demo token: (\S+)$", self.output, re.MULTILINE)
        assert match, f"no demo token in the output:\n{self.output}"
        return match.group(1)

    @property
    def second_agent(self) -> tuple[str, str]:
        """The second demo agent's name and token (the demo token is the first's)."""
        match = re.search(r"^Demo agent (.+): (\S+)$", self.output, re.MULTILINE)
        assert match, f"no second demo agent in the output:\n{self.output}"
        return match.group(1), match.group(2)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_cli(*argv: str, workdir: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", *argv],
        env=_environment(workdir),
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


@contextmanager
def serve(*argv: str, workdir: Path, env: dict[str, str] | None = None) -> Iterator[Server]:
    """Run ``aftersales serve ARGV`` until the block ends; ready once /healthz answers.
    ``env`` adds settings to the environment (names without the prefix)."""
    port = free_port()
    stdout, stderr = workdir / f"serve-{port}.out", workdir / f"serve-{port}.err"
    with stdout.open("w") as out, stderr.open("w") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(port), *argv],
            env=_environment(workdir)
            | {f"{ENV_PREFIX}{name}": value for name, value in (env or {}).items()},
            cwd=workdir,
            stdout=out,
            stderr=err,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(process, base_url, stderr)
        yield Server(base_url=base_url, output=stdout.read_text())
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _environment(workdir: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIX)}
    return clean | {
        f"{ENV_PREFIX}DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'aftersales.db'}",
        f"{ENV_PREFIX}ENV": "dev",
        f"{ENV_PREFIX}LOG_LEVEL": "WARNING",
    }


def _wait_until_ready(process: subprocess.Popen[bytes], base_url: str, stderr: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"serve exited with {process.returncode}:\n{stderr.read_text()}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1, trust_env=False).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"serve was not ready within {START_TIMEOUT_S} s:\n{stderr.read_text()}")
