"""The Dockerfile, parsed: no Docker engine runs in CI, so its shape is checked here."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
BUILD_TOOLS = re.compile(
    r"\b(gcc|g\+\+|clang|make|build-essential|python3-dev|libpq-dev|curl|wget|apt-get)\b"
)


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def args(self, keyword: str) -> list[str]:
        return [rest for kw, rest in self.instructions if kw == keyword]


def parse(text: str) -> tuple[dict[str, str], list[Stage]]:
    """Split a Dockerfile into global ARGs and stages of (INSTRUCTION, arguments)."""
    joined = re.sub(r"\\\n", " ", text)
    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    for raw in joined.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        keyword, rest = keyword.upper(), " ".join(rest.split())
        if keyword == "FROM":
            parts = rest.split()
            base = re.sub(r"\$\{(\w+)\}", lambda m: global_args.get(m.group(1), ""), parts[0])
            name = parts[2] if len(parts) == 3 and parts[1].upper() == "AS" else None
            stages.append(Stage(base, name))
        elif not stages and keyword == "ARG":
            key, _, value = rest.partition("=")
            global_args[key] = value
        else:
            stages[-1].instructions.append((keyword, rest))
    return global_args, stages


@pytest.fixture(scope="module")
def stages() -> list[Stage]:
    return parse(DOCKERFILE.read_text())[1]


def test_multi_stage_on_pinned_official_slim_python(stages: list[Stage]) -> None:
    assert len(stages) >= 2
    for stage in stages:
        assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?", stage.base)


def test_builder_installs_from_pyproject_into_a_venv(stages: list[Stage]) -> None:
    builder = stages[0]
    runs = " ".join(builder.args("RUN"))
    assert "python -m venv /opt/venv" in runs
    assert "pip install --no-cache-dir ." in runs
    assert any("pyproject.toml" in copy for copy in builder.args("COPY"))


def test_final_stage_copies_the_venv_and_has_no_build_tools(stages: list[Stage]) -> None:
    final = stages[-1]
    assert f"--from={stages[0].name} /opt/venv /opt/venv" in final.args("COPY")
    for keyword, rest in final.instructions:
        if keyword in {"RUN", "COPY", "ADD"}:
            assert not BUILD_TOOLS.search(rest), rest
        if keyword == "RUN":
            assert "pip install" not in rest


def test_final_stage_runs_as_non_root(stages: list[Stage]) -> None:
    users = stages[-1].args("USER")
    assert users, "final stage has no USER"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}
    assert user.isdigit(), "numeric USER lets kubelet enforce runAsNonRoot"


def test_healthcheck_probes_healthz_without_curl(stages: list[Stage]) -> None:
    [healthcheck] = stages[-1].args("HEALTHCHECK")
    assert "/healthz" in healthcheck
    assert "urllib.request" in healthcheck
    assert "curl" not in healthcheck


def test_starts_the_server_in_prod_in_exec_form(stages: list[Stage]) -> None:
    final = stages[-1]
    env = " ".join(final.args("ENV"))
    assert "AFTERSALES_ENV=prod" in env
    [entrypoint] = final.args("ENTRYPOINT")
    [cmd] = final.args("CMD")
    command = json.loads(entrypoint) + json.loads(cmd)  # exec form: PID 1 gets SIGTERM
    assert command == ["aftersales", "serve", "--host", "0.0.0.0", "--port", "8000"]
    assert "--workers" not in command


def test_dockerignore_keeps_secrets_and_local_state_out() -> None:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    assert lines[[line.startswith("#") for line in lines].index(False)] == "**"  # allow-list
    assert "**/.env" in lines
    assert "**/*.db" in lines


def test_hadolint_is_clean() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(hadolint).exists():
        pytest.skip("hadolint not installed")
    result = subprocess.run(
        [hadolint, str(DOCKERFILE)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
