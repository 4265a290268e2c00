"""Per-request DataLoaders keyed by id within the caller's shop.

Every related object and every decision on a page is loaded through these, so a
page of N refund requests costs a fixed number of SQL statements, not N of them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any, TypeVar, cast

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from service.db.gate import SessionGate
from service.db.models import (
    ActionRecord,
    EvidenceItem,
    Order,
    RefundRequest,
    Shipment,
    Shop,
    TrackingEvent,
)
from service.decision import Decision, InconsistentFacts, Inquiry, Policy, decide
from service.decision.facts import ExemptionFacts
from service.graphql.errors import ClientError
from service.graphql.scalars import in_supported_range
from service.observability.tracing import traced_batch
from service.store import exemptions, queries
from service.store.facts import case_facts, stored_times
from service.store.policy_cache import ShopPolicies

K = TypeVar("K")
V = TypeVar("V")
R = TypeVar("R")


class FactsInconsistent(ClientError):
    """Stored facts contradict each other; the decision cannot be made."""

    code = "INCONSISTENT_FACTS"

    def __init__(self, exc: InconsistentFacts) -> None:
        problems = "; ".join(f"{p.field}: {p.message}" for p in exc.problems)
        super().__init__(f"the stored facts are inconsistent: {problems}")


class FactsOutOfRange(ClientError):
    """A stored time lies so near the calendar's ends that deadlines overflow it."""

    code = "INCONSISTENT_FACTS"

    def __init__(self) -> None:
        super().__init__(
            "a stored time of this case lies outside the supported calendar range;"
            " correct the record"
        )


@dataclass(frozen=True, slots=True)
class OrderDecisionKey:
    order_id: int
    inquiry: Inquiry | None
    at: datetime


@dataclass(frozen=True, slots=True)
class RefundDecisionKey:
    refund_id: int
    at: datetime


async def load_each(
    loader: DataLoader[K, V], keys: Sequence[K], return_exceptions: bool = False
) -> list[Any]:
    """What ``loader.load_many(keys)`` gives, without its ``asyncio.gather``: the keys'
    futures are awaited in turn, and once the first is done the batch is, so the rest
    cost nothing. A gather registers a callback and schedules a wake-up per key, about
    a tenth of a 50-row page's Python work when it went through ``load_many``.

    A key the batch failed raises its error (the first in key order), or is returned
    in its place with ``return_exceptions``.
    """
    # DataLoader.load is typed as an Awaitable; it is an asyncio Future.
    futures = [cast("asyncio.Future[Any]", loader.load(key)) for key in keys]
    return await _await_in_turn(futures, return_exceptions)


async def load_together(
    *requests: tuple[DataLoader[Any, Any], Sequence[Any]],
) -> list[list[Any]]:
    """:func:`load_each` of several loaders at once: every key is asked for before any
    is awaited, so the batches go out together, in the order given, and they are
    awaited in that order. The first batch's error is the one raised: when the
    connection is lost under it, the batches after it fail only because of that."""
    asked = [
        [cast("asyncio.Future[Any]", loader.load(k)) for k in keys] for loader, keys in requests
    ]
    try:
        return [await _await_in_turn(futures, False) for futures in asked]
    except Exception:
        for futures in asked:
            _retrieve_errors(futures)
        raise


async def _await_in_turn(futures: list[asyncio.Future[Any]], return_exceptions: bool) -> list[Any]:
    out: list[Any] = []
    for future in futures:
        try:
            out.append(await future)
        except Exception as exc:
            if not return_exceptions:
                _retrieve_errors(futures)
                raise
            out.append(exc)
    return out


def _retrieve_errors(futures: list[asyncio.Future[Any]]) -> None:
    # The others' errors, now or when their batch ends, are read as a gather reads
    # them: none is logged as "never retrieved".
    for future in futures:
        if future.done():
            _read_error(future)
        else:
            future.add_done_callback(_read_error)


def _read_error(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


def answer(loader: DataLoader[K, V], key: K, then: Callable[[V], R]) -> R:
    """``then`` of the loaded value: at once when the key's batch is already done (a
    page loaded it ahead, see ``queries.lists``), else as an awaitable of it.

    graphql-core takes either from a resolver. An awaitable per row costs a coroutine,
    then a task in graphql-core's gather of the list, then a wake-up; a 50-row page
    whose rows all answer at once skips all three. A key whose batch failed takes the
    awaitable path, which raises its error where the field is.
    """
    future = loader.cache_map.get(key) if loader.cache else None
    if (
        future is not None
        and future.done()
        and not future.cancelled()
        and future.exception() is None
    ):
        return then(future.result())

    # Asked for now, not when awaited: the rows of a list ask together, one batch.
    pending = loader.load(key)

    async def later() -> R:
        return then(await pending)

    # Typed as the value: Strawberry reads the field's type from the annotation.
    return cast(R, later())


def answer_each(loader: DataLoader[K, Sequence[V]], key: K, convert: Callable[[V], R]) -> list[R]:
    """:func:`answer` for a list field: each loaded row converted."""
    return answer(loader, key, lambda rows: [convert(r) for r in rows])


def _loader(fn: Callable[[list[K]], Any]) -> DataLoader[K, Any]:
    # A span per batch when the request is traced (service.observability.tracing).
    return DataLoader(load_fn=traced_batch(fn.__name__.strip("_"), fn))


class Loaders:
    def __init__(
        self,
        session: AsyncSession,
        shop_id: int,
        lock: SessionGate,
        policies: Callable[[], Awaitable[ShopPolicies]],
    ) -> None:
        self.session = session
        # The shop's policy settings, through the replica's cache (no SQL when fresh).
        self.policies = policies
        self.shop_id = shop_id
        self._exemptions: Sequence[ExemptionFacts] | None = None
        # An AsyncSession allows one operation at a time, while loaders dispatch their
        # batches concurrently: every read takes this lock (held only around SQL).
        self.lock = lock
        self._shop: Shop | None = None

    def release(self) -> None:
        """Let go of everything the request loaded, once its answer is built.

        The loaders and their owner refer to each other (a loader's batch function is
        a method of this object), so the request's objects form a reference cycle,
        and everything reachable from it (ORM rows, facts, decisions, futures: about
        5,000 objects for a page of 50) waited for the garbage collector's full
        passes. Those came every 16 or so pages and took about 22 ms each, the page's
        p95. Cleared here, the rows are freed as soon as the answer is sent.
        """
        for value in vars(self).values():
            if isinstance(value, DataLoader):
                value.clear_all()
                value.batch = None
        self._shop = None
        self._exemptions = None

    # Built on first use: a request that touches one loader pays for one.

    @cached_property
    def order(self) -> DataLoader[int, Any]:
        return _loader(self._orders)

    @cached_property
    def shipment(self) -> DataLoader[int, Any]:
        return _loader(self._shipments)

    @cached_property
    def refund(self) -> DataLoader[int, Any]:
        return _loader(self._refunds)

    @cached_property
    def action_record(self) -> DataLoader[int, Any]:
        return _loader(self._action_records)

    @cached_property
    def shipments_of_order(self) -> DataLoader[int, Any]:
        return _loader(self._shipments_of_orders)

    @cached_property
    def events_of_shipment(self) -> DataLoader[int, Any]:
        return _loader(self._events_of_shipments)

    @cached_property
    def evidence_of_order(self) -> DataLoader[int, Any]:
        return _loader(self._evidence_of_orders)

    @cached_property
    def refunds_of_order(self) -> DataLoader[int, Any]:
        return _loader(self._refunds_of_orders)

    @cached_property
    def order_decision(self) -> DataLoader[OrderDecisionKey, Any]:
        return _loader(self._order_decisions)

    @cached_property
    def refund_decision(self) -> DataLoader[RefundDecisionKey, Any]:
        return _loader(self._refund_decisions)

    async def shop(self) -> Shop:
        if self._shop is None:
            async with self.lock:
                shop = await self.session.get(Shop, self.shop_id)
            if shop is None:
                raise LookupError("the token's shop no longer exists")
            self._shop = shop
        return self._shop

    async def policy(self, order: Order) -> Policy:
        return (await self.policies()).policy(order.platform)

    async def exemptions(self, order: Order) -> Sequence[ExemptionFacts]:
        """The shop's standing exemptions, read once per request, and only for an order
        with a destination: no exemption can cover one without."""
        if order.destination_province is None:
            return ()
        if self._exemptions is None:
            async with self.lock:
                self._exemptions = await exemptions.standing(self.session, self.shop_id)
        return self._exemptions

    def prime(self, loader: DataLoader[int, Any], rows: Sequence[Any]) -> None:
        for row in rows:
            loader.prime(row.id, row)

    # -- rows by id --------------------------------------------------------------

    async def _by_id(self, model: type[V], ids: list[int]) -> list[V | None]:
        async with self.lock:
            found = await queries.by_ids(self.session, model, self.shop_id, ids)
        return [found.get(i) for i in ids]

    async def _orders(self, ids: list[int]) -> list[Order | None]:
        return await self._by_id(Order, ids)

    async def _shipments(self, ids: list[int]) -> list[Shipment | None]:
        return await self._by_id(Shipment, ids)

    async def _refunds(self, ids: list[int]) -> list[RefundRequest | None]:
        return await self._by_id(RefundRequest, ids)

    async def _action_records(self, ids: list[int]) -> list[ActionRecord | None]:
        return await self._by_id(ActionRecord, ids)

    # -- children by parent id ---------------------------------------------------

    async def _shipments_of_orders(self, ids: list[int]) -> list[list[Shipment]]:
        async with self.lock:
            found = await queries.shipments_by_order(self.session, self.shop_id, ids)
        return [found.get(i, []) for i in ids]

    async def _events_of_shipments(self, ids: list[int]) -> list[list[TrackingEvent]]:
        async with self.lock:
            found = await queries.events_by_shipment(self.session, self.shop_id, ids)
        return [found.get(i, []) for i in ids]

    async def _evidence_of_orders(self, ids: list[int]) -> list[list[EvidenceItem]]:
        async with self.lock:
            found = await queries.evidence_by_order(self.session, self.shop_id, ids)
        return [found.get(i, []) for i in ids]

    async def _refunds_of_orders(self, ids: list[int]) -> list[list[RefundRequest]]:
        async with self.lock:
            found = await queries.refunds_by_order(self.session, self.shop_id, ids)
        return [found.get(i, []) for i in ids]

    # -- decisions ---------------------------------------------------------------

    async def latest_shipment(self, order_id: int) -> Shipment | None:
        shipments = await self.shipments_of_order.load(order_id)
        return shipments[-1] if shipments else None

    async def _decide(
        self,
        order: Order,
        refund: RefundRequest | None,
        inquiry: Inquiry | None,
        at: datetime,
    ) -> Decision | Exception:
        shipment = await self.latest_shipment(order.id)
        events = await self.events_of_shipment.load(shipment.id) if shipment else []
        evidence = await self.evidence_of_order.load(order.id)
        policy = await self.policy(order)
        standing = await self.exemptions(order)
        facts = case_facts(order, shipment, events, evidence, refund, inquiry, standing)
        try:
            return decide(facts, at, policy)
        except InconsistentFacts as exc:
            return FactsInconsistent(exc)
        except (OverflowError, ValueError):
            # A row stored before times were range-checked on the way in makes date
            # arithmetic leave the calendar: the error belongs to this case alone, not
            # to the page that lists it. Anything else is a bug and stays one.
            if all(in_supported_range(t) for t in stored_times(facts)):
                raise
            return FactsOutOfRange()

    async def _order_decisions(self, keys: list[OrderDecisionKey]) -> list[Any]:
        orders = await load_each(self.order, [k.order_id for k in keys])
        await self._warm([o.id for o in orders if o is not None])
        out: list[Any] = []
        for key, order in zip(keys, orders, strict=True):
            if order is None:
                out.append(LookupError(f"order {key.order_id} not found"))
                continue
            out.append(await self._decide(order, None, key.inquiry, key.at))
        return out

    async def _refund_decisions(self, keys: list[RefundDecisionKey]) -> list[Any]:
        refunds = await load_each(self.refund, [k.refund_id for k in keys])
        orders = await load_each(self.order, [r.order_id for r in refunds if r is not None])
        by_id = {o.id: o for o in orders if o is not None}
        await self._warm(list(by_id))
        out: list[Any] = []
        for key, refund in zip(keys, refunds, strict=True):
            order = by_id.get(refund.order_id) if refund is not None else None
            if refund is None or order is None:
                out.append(LookupError(f"refund request {key.refund_id} not found"))
                continue
            out.append(await self._decide(order, refund, None, key.at))
        return out

    async def _warm(self, order_ids: list[int]) -> None:
        """Load what every decision of these orders needs, in three batched reads."""
        shipments: list[list[Shipment]]
        shipments, _ = await load_together(
            (self.shipments_of_order, order_ids), (self.evidence_of_order, order_ids)
        )
        latest = [s[-1].id for s in shipments if s]
        await load_each(self.events_of_shipment, latest)
