"""Destinations and force-majeure exemptions (issue 16, 004 §4): an order's destination
is ingested and shown; a declared exemption covering a parcel waives its fine in the
live decision and in the stored state (caseGroups' money), keeps the action, cites the
exemption; revoking brings the fine back."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.config import Settings
from service.db.models import Role
from service.graphql.relay import to_global_id
from tests.conftest import make_shop, make_token
from tests.factories import NOW, make_order, make_shipment
from tests.graphql.helpers import gql_data
from tests.team.helpers import Clock, clocked_client

UPSERT = """
mutation($orders: [OrderInput!]!) {
  upsertOrders(input: {orders: $orders}) {
    orders { orderNumber destination { province city } }
    userErrors { field code }
  }
}
"""
DECLARE = """
mutation($input: DeclareExemptionInput!) {
  declareExemption(input: $input) {
    exemption { id number carrier province city revokedAt }
    userErrors { field code }
  }
}
"""
REVOKE = """
mutation($x: ID!) {
  revokeExemption(input: {exemptionId: $x}) { exemption { revokedAt } userErrors { code } }
}
"""
CASE = """
query($o: ID!) {
  node(id: $o) { ... on Order { decision(locale: EN) {
    action ruleId rationale moneyAtRisk { kind amount } } } }
  caseGroups { action count moneyAtRisk }
  exemptions(includeRevoked: true) { number revokedAt }
}
"""


def _order(number: str, destination: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "orderNumber": number,
        "platform": "PDD",
        "amount": "59.90",
        "status": "AWAITING_SHIPMENT",
        "confirmedAt": (NOW - timedelta(hours=3)).isoformat(),
        "destination": destination,
    }


async def test_a_destination_is_ingested_shown_and_checked(
    settings: Settings, engine: AsyncEngine, session: AsyncSession
) -> None:
    shop = await make_shop(session)
    token = await make_token(session, shop, Role.INTEGRATION)
    async with clocked_client(settings, engine, Clock()) as client:
        data = await gql_data(
            client,
            token,
            UPSERT,
            orders=[
                _order("D-1", {"province": " 浙江省", "city": "金华市"}),
                _order("D-2", {"province": "广东省"}),
                _order("D-3", None),
            ],
        )
        result = data["upsertOrders"]
        assert result["userErrors"] == []
        assert [o["destination"] for o in result["orders"]] == [
            {"province": "浙江省", "city": "金华市"},
            {"province": "广东省", "city": None},
            None,
        ]
        bad = await gql_data(
            client,
            token,
            UPSERT,
            orders=[
                _order("D-4", {"province": "  ", "city": "x" * 65}),
                _order("D-5", {"province": "浙江\u0007省"}),
            ],
        )
        assert sorted(
            (tuple(e["field"]), e["code"]) for e in bad["upsertOrders"]["userErrors"]
        ) == [
            (("input", "orders", "0", "destination", "city"), "INVALID"),
            (("input", "orders", "0", "destination", "province"), "INVALID"),
            (("input", "orders", "1", "destination", "province"), "INVALID"),
        ]
        assert bad["upsertOrders"]["orders"] is None or bad["upsertOrders"]["orders"] == []


def _fine(decision: dict[str, Any]) -> Decimal | None:
    return next(
        (
            Decimal(m["amount"])
            for m in decision["moneyAtRisk"]
            if m["kind"] == "FAKE_LOGISTICS_FINE"
        ),
        None,
    )


async def test_an_exemption_waives_the_fine_keeps_the_action_and_revoking_restores_it(
    settings: Settings, engine: AsyncEngine, session: AsyncSession
) -> None:
    # given a ZTO parcel to Jinhua uploaded 30 h ago and never picked up (L1, fine 14.98)
    shop = await make_shop(session)
    order = await make_order(session, shop, "EX-1", confirmed_at=NOW - timedelta(hours=40))
    order.destination_province, order.destination_city = "浙江省", "金华市"
    await make_shipment(session, order, uploaded_at=NOW - timedelta(hours=30))
    await session.commit()
    admin = await make_token(session, shop, Role.ADMIN)
    agent = await make_token(session, shop, Role.AGENT)
    o = to_global_id("Order", order.id)
    period = {
        "startsAt": (NOW - timedelta(days=2)).isoformat(),
        "endsAt": (NOW + timedelta(days=2)).isoformat(),
    }
    async with clocked_client(settings, engine, Clock()) as client:
        before = await gql_data(client, agent, CASE, o=o)
        decision = before["node"]["decision"]
        assert (decision["ruleId"], _fine(decision)) == ("L1", Decimal("14.98"))
        [group] = before["caseGroups"]
        assert Decimal(group["moneyAtRisk"]) == Decimal("14.98")

        # an exemption for another carrier, or another city, changes nothing
        for other in (
            {"carrier": "YTO", "province": "浙江省"},
            {"carrier": "zto", "province": "浙江省", "city": "杭州市"},
        ):
            data = await gql_data(client, admin, DECLARE, input={**other, **period})
            assert data["declareExemption"]["userErrors"] == []
        unchanged = await gql_data(client, agent, CASE, o=o)
        assert _fine(unchanged["node"]["decision"]) == Decimal("14.98")
        assert Decimal(unchanged["caseGroups"][0]["moneyAtRisk"]) == Decimal("14.98")

        # when an admin declares one for ZTO in Zhejiang (carrier spelt in another case)
        data = await gql_data(
            client, admin, DECLARE, input={"carrier": " zto ", "province": "浙江省", **period}
        )
        declared = data["declareExemption"]["exemption"]
        assert (declared["carrier"], declared["city"]) == ("zto", None)
        # then the decision keeps its action, drops the fine and cites the exemption
        after = await gql_data(client, agent, CASE, o=o)
        decision = after["node"]["decision"]
        assert (decision["action"], decision["ruleId"]) == ("CONTACT_CARRIER", "L1")
        assert _fine(decision) is None
        assert f"force-majeure exemption #{declared['number']}" in decision["rationale"]
        [group] = after["caseGroups"]
        assert (group["action"], Decimal(group["moneyAtRisk"])) == ("CONTACT_CARRIER", Decimal(0))

        # when it is revoked, the fine is back, and the list still shows it as revoked
        data = await gql_data(client, admin, REVOKE, x=declared["id"])
        assert data["revokeExemption"]["exemption"]["revokedAt"] is not None
        revoked = await gql_data(client, agent, CASE, o=o)
        assert _fine(revoked["node"]["decision"]) == Decimal("14.98")
        assert Decimal(revoked["caseGroups"][0]["moneyAtRisk"]) == Decimal("14.98")
        assert [x["revokedAt"] is not None for x in revoked["exemptions"]] == [
            False,
            False,
            True,
        ]


async def test_declaring_is_checked_and_needs_an_admin(
    settings: Settings, engine: AsyncEngine, session: AsyncSession
) -> None:
    shop = await make_shop(session)
    admin = await make_token(session, shop, Role.ADMIN)
    agent = await make_token(session, shop, Role.AGENT)
    async with clocked_client(settings, engine, Clock()) as client:
        bad = {
            "carrier": "",
            "province": "浙江省",
            "city": "c" * 65,
            "startsAt": "2026-11-25T00:00:00Z",
            "endsAt": "2026-11-25T00:00:00Z",
            "reference": "r" * 201,
        }
        data = await gql_data(client, admin, DECLARE, input=bad)
        assert sorted(tuple(e["field"]) for e in data["declareExemption"]["userErrors"]) == [
            ("input", "carrier"),
            ("input", "city"),
            ("input", "endsAt"),
            ("input", "reference"),
        ]
        good = {
            "carrier": "ZTO",
            "province": "浙江省",
            "startsAt": "2026-11-25T00:00:00Z",
            "endsAt": "2026-11-26T00:00:00+08:00",
        }
        denied = await gql_data(client, agent, DECLARE, input=good)
        assert [e["code"] for e in denied["declareExemption"]["userErrors"]] == ["FORBIDDEN"]
        listed = await gql_data(client, agent, "{ exemptions { number } }")
        assert listed == {"exemptions": []}
        out_of_range = await client.post(
            "/graphql",
            json={
                "query": DECLARE,
                "variables": {"input": {**good, "endsAt": "2100-01-01T00:00:00Z"}},
            },
            headers={"Authorization": f"Bearer {admin}"},
        )
        assert "errors" in out_of_range.json()
