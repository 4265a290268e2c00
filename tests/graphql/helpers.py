"""Small helpers for GraphQL tests."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession


async def gql(
    client: httpx.AsyncClient, token: str, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@contextmanager
def count_statements(engine: AsyncEngine, tenancy: bool = False) -> Iterator[list[str]]:
    """The SQL statements run while the block runs. On PostgreSQL each request
    transaction opens with the tenant prelude (service/db/tenancy.py); it is left out
    unless ``tenancy``, so that counts measure the request's own work on both databases."""
    statements: list[str] = []

    def record(*args: Any) -> None:
        statement = str(args[2])
        if tenancy or "set_config('role'" not in statement:
            statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def gql_data(client: httpx.AsyncClient, token: str, query: str, **variables: Any) -> Any:
    """``data`` of a request that must not fail with GraphQL errors."""
    body = await gql(client, token, query, variables)
    assert "errors" not in body, body
    return body["data"]


async def count_rows(session: AsyncSession, model: type[Any]) -> int:
    return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


UPSERT_ORDERS = """
mutation Upsert($orders: [OrderInput!]!) {
  upsertOrders(input: {orders: $orders}) { orders { id } userErrors { code } }
}
"""

CREATE_REFUND = """
mutation Create($number: String!, $refund: RefundRequestInput!) {
  createRefundRequest(input: {orderNumber: $number, refundRequest: $refund}) {
    refundRequest { id } userErrors { code }
  }
}
"""


async def seed_order_and_refund(
    client: httpx.AsyncClient, token: str, *, requested_at: str
) -> tuple[str, str]:
    """Ingest an unshipped order PO-1 and a refund-only request RF-1 on it; their ids."""
    order = {
        "orderNumber": "PO-1",
        "platform": "PDD",
        "amount": "19.90",
        "status": "AWAITING_SHIPMENT",
        "confirmedAt": "2026-11-20T10:00:00+08:00",
    }
    data = await gql_data(client, token, UPSERT_ORDERS, orders=[order])
    refund = {
        "refundNumber": "RF-1",
        "type": "REFUND_ONLY",
        "reason": "NOT_SHIPPED",
        "requestedAt": requested_at,
    }
    created = await gql_data(client, token, CREATE_REFUND, number="PO-1", refund=refund)
    return (
        str(data["upsertOrders"]["orders"][0]["id"]),
        str(created["createRefundRequest"]["refundRequest"]["id"]),
    )


def user_errors(data: dict[str, Any], mutation: str) -> list[tuple[Any, str]]:
    """``(field, code)`` of each user error of ``mutation`` in ``data``."""
    return [(e["field"], e["code"]) for e in data[mutation]["userErrors"]]


def as_data(value: Any) -> Any:
    """A converted argument as comparable data: input objects as their fields, every
    value with its type, recursively."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value), {k: as_data(v) for k, v in vars(value).items()})
    if isinstance(value, list):
        return [as_data(v) for v in value]
    return (type(value), value)
