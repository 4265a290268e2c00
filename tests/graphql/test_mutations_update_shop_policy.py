"""updateShopPolicy: set or clear a shop's policy overrides (admin only)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import Role, Shop
from tests.conftest import make_shop, make_token
from tests.graphql.helpers import gql_data

UPDATE = """
mutation Policy($coupon: Decimal, $ship: Int, $respond: Int, $clear: [String!]) {
  updateShopPolicy(input: {couponAmount: $coupon, shipWindowHours: $ship,
      respondByHours: $respond, clear: $clear}) {
    shop { couponAmount shipWindowHours respondByHours }
    userErrors { field code message }
  }
}
"""


def errors(data: dict[str, Any]) -> list[tuple[Any, str]]:
    return [(e["field"], e["code"]) for e in data["updateShopPolicy"]["userErrors"]]


async def stored(session: AsyncSession) -> tuple[Decimal | None, int | None, int | None]:
    session.expire_all()
    shop = (await session.execute(select(Shop))).scalar_one()
    return shop.coupon_amount, shop.ship_window_hours, shop.respond_by_hours


async def test_sets_then_clears(client: httpx.AsyncClient, session: AsyncSession) -> None:
    # given
    token = await make_token(session, await make_shop(session), Role.ADMIN)
    # when
    first = await gql_data(client, token, UPDATE, coupon="3.50", ship=72)
    second = await gql_data(client, token, UPDATE, respond=24, clear=["shipWindowHours"])
    # then
    assert first["updateShopPolicy"]["shop"] == {
        "couponAmount": "3.50",
        "shipWindowHours": 72,
        "respondByHours": None,
    }
    assert errors(second) == []
    assert await stored(session) == (Decimal("3.50"), None, 24)


async def test_rejections(client: httpx.AsyncClient, session: AsyncSession) -> None:
    # given
    shop = await make_shop(session)
    token = await make_token(session, shop, Role.ADMIN)
    await gql_data(client, token, UPDATE, ship=72)
    agent = await make_token(session, shop, Role.AGENT)
    ingest = await make_token(session, shop, Role.INTEGRATION)
    # when
    zero_hours = await gql_data(client, token, UPDATE, ship=0, coupon="2.00")
    negative = await gql_data(client, token, UPDATE, coupon="-1.00")
    unknown = await gql_data(client, token, UPDATE, clear=["nope"])
    both = await gql_data(client, token, UPDATE, ship=10, clear=["shipWindowHours"])
    forbidden = [await gql_data(client, t, UPDATE, ship=10) for t in (agent, ingest)]
    # then
    assert errors(zero_hours) == [(["input", "shipWindowHours"], "INVALID")]
    assert errors(negative) == [(["input", "couponAmount"], "INVALID")]
    assert errors(unknown) == [(["input", "clear", "0"], "INVALID")]
    assert errors(both) == [(["input", "clear", "0"], "INVALID")]
    assert [errors(d) for d in forbidden] == [[(None, "FORBIDDEN")]] * 2
    assert await stored(session) == (None, 72, None)
