"""``load_each``: load_many's answers from one batch, without a gather; ``answer``: a
field's value at once when its batch is done, else an awaitable of it."""

from __future__ import annotations

import asyncio
import gc
import inspect
from typing import Any

import pytest
from strawberry.dataloader import DataLoader

from service.graphql.loaders import answer, load_each, load_together


def _loader(batches: list[list[int]]) -> DataLoader[int, Any]:
    async def load(keys: list[int]) -> list[Any]:
        batches.append(list(keys))
        return [ValueError(f"no {k}") if k < 0 else k * 10 for k in keys]

    return DataLoader(load_fn=load)


async def test_same_values_as_load_many_from_one_batch() -> None:
    batches: list[list[int]] = []
    keys = [3, 1, 3, 2]
    assert await load_each(_loader(batches), keys) == await _loader([]).load_many(keys)
    assert batches == [[3, 1, 2]]  # one batch, each key once


async def test_keys_asked_for_before_are_in_the_same_batch() -> None:
    batches: list[list[int]] = []
    loader = _loader(batches)
    loader.load(7)
    assert await load_each(loader, [1, 2]) == [10, 20]
    assert batches == [[7, 1, 2]]


async def test_a_failed_key_raises_its_error_or_stands_in_its_place() -> None:
    with pytest.raises(ValueError, match="no -1"):
        await load_each(_loader([]), [1, -1, -2])
    got = await load_each(_loader([]), [1, -1, 2], return_exceptions=True)
    assert got[0] == 10 and got[2] == 20
    assert isinstance(got[1], ValueError) and str(got[1]) == "no -1"


async def test_no_error_is_left_unretrieved() -> None:
    lost: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _loop, context: lost.append(context))
    try:
        with pytest.raises(ValueError):
            await load_each(_loader([]), [-1, -2, -3])
        gc.collect()
        await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(None)
    assert lost == []


async def test_answer_is_at_once_when_the_batch_is_done() -> None:
    batches: list[list[int]] = []
    loader = _loader(batches)
    await load_each(loader, [1, 2])
    assert answer(loader, 2, str) == "20"
    assert batches == [[1, 2]]


async def test_answer_is_an_awaitable_when_the_key_is_not_loaded() -> None:
    batches: list[list[int]] = []
    loader = _loader(batches)
    pending: list[Any] = [answer(loader, k, str) for k in (1, 2)]
    assert all(inspect.isawaitable(p) for p in pending)
    assert [await p for p in pending] == ["10", "20"]
    assert batches == [[1, 2]]  # asked for together, loaded together


async def test_answer_raises_a_failed_keys_error_where_it_is_awaited() -> None:
    loader = _loader([])
    await load_each(loader, [-1], return_exceptions=True)
    later: Any = answer(loader, -1, str)
    assert inspect.isawaitable(later)
    with pytest.raises(ValueError, match="no -1"):
        await later


async def test_loaded_together_the_batches_go_out_in_the_order_given() -> None:
    ran: list[str] = []

    def loader(name: str, error: Exception | None) -> DataLoader[int, Any]:
        async def load(keys: list[int]) -> list[Any]:
            ran.append(name)
            if error is not None:
                raise error
            return [f"{name}{k}" for k in keys]

        return DataLoader(load_fn=load)

    assert await load_together((loader("a", None), [1, 2]), (loader("b", None), [3])) == [
        ["a1", "a2"],
        ["b3"],
    ]
    assert ran == ["a", "b"]
    # the first batch's error is raised: a later batch's failure may only follow from it,
    # and is not reported as lost
    ran.clear()
    lost: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _loop, context: lost.append(context))
    try:
        first, then = loader("a", ValueError("connection lost")), loader("b", RuntimeError("after"))
        with pytest.raises(ValueError, match="connection lost"):
            await load_together((first, [1]), (then, [2]))
        for _ in range(3):
            await asyncio.sleep(0)
        del first, then
        gc.collect()
    finally:
        loop.set_exception_handler(None)
    assert ran == ["a", "b"]
    assert lost == []
