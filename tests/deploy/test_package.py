"""The wheel a non-editable install (and the Docker image) gets: it must carry the
browser pages and their vendored bundles, which are package data, not Python."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "service" / "web"


def test_wheel_ships_every_web_file(tmp_path: Path) -> None:
    # given what the Dockerfile copies into its build stage (a build writes into its tree)
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "service", source / "service", ignore=shutil.ignore_patterns("*.pyc"))
    # when it is built into a wheel
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [wheel] = tmp_path.glob("aftersales-*.whl")
    # then every file of the web package is in it
    shipped = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        path.relative_to(ROOT).as_posix()
        for path in WEB.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert any(name.endswith("/graphiql.min.js") for name in expected)
    assert expected - shipped == set()
