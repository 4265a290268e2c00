"""``upsertOrders``: insert or update a batch of orders, all or none."""

from __future__ import annotations

from typing import Annotated

import strawberry

from service.db.models import Shop
from service.graphql.context import Info
from service.graphql.errors import UserError
from service.graphql.mutations.base import INPUT, run
from service.graphql.types.inputs import OrderInput, Problems, check_order, order_facts
from service.graphql.types.order import OrderType
from service.store import ingest


@strawberry.input(description="A batch of orders to insert or update.")
class UpsertOrdersInput:
    orders: list[OrderInput] = strawberry.field(
        description=f"Orders, keyed by order number within the shop (at most {ingest.MAX_ORDERS})."
    )


@strawberry.type(description="The result of `upsertOrders`.")
class UpsertOrdersPayload:
    orders: list[OrderType] = strawberry.field(
        description="The stored orders, in input order; empty when anything was rejected."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why the batch was rejected; when not empty, nothing was written."
    )


async def upsert_orders(
    info: Info,
    input: Annotated[
        UpsertOrdersInput,
        strawberry.argument(
            description="The orders to store, keyed by order number: an order already stored is"
            " updated, a new one is inserted."
        ),
    ],
) -> UpsertOrdersPayload:
    path = [*INPUT, "orders"]

    async def work() -> list[OrderType]:
        problems = Problems(info.context.now)
        if len(input.orders) <= ingest.MAX_ORDERS:
            for i, order in enumerate(input.orders):
                check_order(problems, [*path, str(i)], order)
        problems.raise_if_any()
        shop = await info.context.session.get(Shop, info.context.shop_id)
        if shop is None:
            raise LookupError("the token's shop no longer exists")
        facts = [order_facts(o) for o in input.orders]
        rows = await ingest.upsert_orders(info.context.session, shop, facts, tuple(path))
        return [OrderType.from_model(r) for r in rows]

    orders, errors = await run(info, info.context.require_ingest, work)
    return UpsertOrdersPayload(orders=orders or [], user_errors=errors)
