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


POLICY = """
mutation Policy($input: UpdateShopPolicyInput!) {
  updateShopPolicy(input: $input) {
    shop { respondByWarningHours shipByWarningHours pickupByWarningHours
           appealClosesWarningHours carrierNames { code nameZh } }
    userErrors { field code message }
  }
}
"""


async def test_warning_windows_and_carrier_names_are_set_shown_and_cleared(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token = await make_token(session, await make_shop(session), Role.ADMIN)
    windows = {
        "respondByWarningHours": 12,
        "shipByWarningHours": 3,
        "pickupByWarningHours": 2,
        "appealClosesWarningHours": 48,
    }
    carriers = [{"code": "JT", "nameZh": "极兔速递"}, {"code": "ZTO", "nameZh": " 中通 "}]
    first = await gql_data(client, token, POLICY, input={**windows, "carrierNames": carriers})
    assert first["updateShopPolicy"] == {
        "shop": {
            **windows,
            "carrierNames": [
                {"code": "JT", "nameZh": "极兔速递"},
                {"code": "ZTO", "nameZh": "中通"},
            ],
        },
        "userErrors": [],
    }
    session.expire_all()
    shop = (await session.execute(select(Shop))).scalar_one()
    assert shop.respond_by_warning_hours == 12 and shop.carrier_names == [
        ["JT", "极兔速递"],
        ["ZTO", "中通"],
    ]
    version = shop.policy_version
    cleared = await gql_data(
        client, token, POLICY, input={"clear": ["shipByWarningHours", "carrierNames"]}
    )
    shown = cleared["updateShopPolicy"]["shop"]
    assert shown["shipByWarningHours"] is None and shown["carrierNames"] == []
    assert shown["respondByWarningHours"] == 12
    session.expire_all()
    shop = (await session.execute(select(Shop))).scalar_one()
    assert shop.policy_version == version + 1 and shop.carrier_names is None


async def test_bad_windows_and_carriers_name_their_field(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token = await make_token(session, await make_shop(session), Role.ADMIN)
    bad = {
        "respondByWarningHours": 0,
        "appealClosesWarningHours": 24 * 7 + 1,
        "carrierNames": [
            {"code": "jt", "nameZh": "极兔"},
            {"code": "JT", "nameZh": "   "},
            {"code": "JT", "nameZh": "极兔速递"},
            {"code": "SF", "nameZh": "顺" * 33},
            {"code": "YD", "nameZh": "韵\n达"},
        ],
    }
    data = await gql_data(client, token, POLICY, input=bad)
    too_many = [{"code": f"C{i}", "nameZh": "快递"} for i in range(51)]
    many = await gql_data(client, token, POLICY, input={"carrierNames": too_many})
    assert sorted((tuple(f), c) for f, c in errors(data)) == sorted(
        [
            (("input", "respondByWarningHours"), "INVALID"),
            (("input", "appealClosesWarningHours"), "INVALID"),
            (("input", "carrierNames", "0", "code"), "INVALID"),
            (("input", "carrierNames", "1", "nameZh"), "INVALID"),
            (("input", "carrierNames", "2", "code"), "INVALID"),
            (("input", "carrierNames", "3", "nameZh"), "INVALID"),
            (("input", "carrierNames", "4", "nameZh"), "INVALID"),
        ]
    )
    assert errors(many) == [(["input", "carrierNames"], "INVALID")]
    assert data["updateShopPolicy"]["shop"] is None
    session.expire_all()
    shop = (await session.execute(select(Shop))).scalar_one()
    assert shop.respond_by_warning_hours is None and shop.carrier_names is None


RECOMMEND_ZH = """
query($case: CaseInput!) { recommend(case: $case, locale: ZH_CN) {
  decision { script } userErrors { field } } }
"""
JT_CASE = {
    "order": {
        "orderNumber": "PO-1",
        "platform": "PDD",
        "amount": "100.00",
        "status": "SHIPPED",
        "confirmedAt": "2026-11-23T08:00:00+08:00",
    },
    "shipment": {
        "carrier": "JT",
        "trackingNumber": "JT123",
        "shippedOfflineAt": "2026-11-23T09:00:00+08:00",
        "trackingUploadedAt": "2026-11-23T10:00:00+08:00",
    },
}


async def test_a_shop_carrier_name_shows_in_zh_cn_texts(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token = await make_token(session, await make_shop(session), Role.ADMIN)
    before = await gql_data(client, token, RECOMMEND_ZH, case=JT_CASE)
    carriers = [{"code": "JT", "nameZh": "极兔速递"}]
    set_ = await gql_data(client, token, POLICY, input={"carrierNames": carriers})
    assert set_["updateShopPolicy"]["userErrors"] == []
    after = await gql_data(client, token, RECOMMEND_ZH, case=JT_CASE)
    script_before = before["recommend"]["decision"]["script"]
    script_after = after["recommend"]["decision"]["script"]
    assert "JT123" in script_after and "极兔速递" in script_after
    assert "极兔速递" not in script_before and "JT" in script_before
