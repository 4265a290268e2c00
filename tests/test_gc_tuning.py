"""The collector setting a long-running process applies once it has started."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette

from service import gc_tuning
from service.config import Settings
from service.server import build_server


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_freezing_moves_what_is_alive_out_of_collections(unfrozen: None) -> None:
    threshold = gc.get_threshold()
    survivors: list[list[int]] = [
        [] for _ in range(100)
    ]  # containers: objects the collector tracks

    gc_tuning.freeze_startup_objects(True)

    assert gc.get_freeze_count() >= len(survivors)
    assert gc.get_threshold() == threshold


def test_disabled_leaves_the_collector_alone(unfrozen: None) -> None:
    gc_tuning.freeze_startup_objects(False)

    assert gc.get_freeze_count() == 0


@pytest.mark.parametrize("enabled", [True, False])
async def test_the_server_applies_the_setting_once_started(
    enabled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[bool] = []
    applied = asyncio.Event()

    def freeze(value: bool) -> None:
        calls.append(value)
        applied.set()

    monkeypatch.setattr(gc_tuning, "freeze_startup_objects", freeze)
    server = build_server(
        Starlette(), host="127.0.0.1", port=0, settings=Settings(gc_freeze=enabled)
    )
    serving = asyncio.create_task(server.serve())
    await asyncio.wait_for(applied.wait(), timeout=10)
    server.should_exit = True
    await serving

    assert calls == [enabled]
