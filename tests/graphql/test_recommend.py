"""`recommend`: a stateless decision over inline facts."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import Order, Role
from tests.conftest import make_shop, make_token
from tests.graphql.helpers import gql

RECOMMEND = """
query Recommend($case: CaseInput!, $at: DateTime) {
  recommend(case: $case, at: $at) {
    decision { action ruleId moneyAtRisk { kind amount } scripts { zhCN en } }
    userErrors { field code message }
  }
}
"""


def _case(**order: Any) -> dict[str, Any]:
    return {
        "order": {
            "orderNumber": "PO-1",
            "platform": "PDD",
            "amount": "100.00",
            "status": "SHIPPED",
            "confirmedAt": "2026-11-23T08:00:00+08:00",
            **order,
        },
        "shipment": {
            "carrier": "ZTO",
            "trackingNumber": "ZT123",
            "shippedOfflineAt": "2026-11-23T09:00:00+08:00",
            "trackingUploadedAt": "2026-11-23T10:00:00+08:00",
        },
    }


async def test_no_pickup_after_24h_contacts_carrier_with_fine_at_risk(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given tracking uploaded 26 h before `at` without a pickup scan, on a 100 CNY order
    token = await make_token(session, await make_shop(session), Role.INTEGRATION)
    # when
    body = await gql(client, token, RECOMMEND, {"case": _case(), "at": "2026-11-24T12:00:00+08:00"})
    # then
    result = body["data"]["recommend"]
    assert result["userErrors"] == []
    assert (result["decision"]["action"], result["decision"]["ruleId"]) == ("CONTACT_CARRIER", "L1")
    assert {"kind": "FAKE_LOGISTICS_FINE", "amount": "25.00"} in result["decision"]["moneyAtRisk"]
    assert "ZT123" in result["decision"]["scripts"]["zhCN"] + result["decision"]["scripts"]["en"]
    # and nothing was stored
    assert (await session.execute(select(func.count()).select_from(Order))).scalar_one() == 0


async def test_time_without_offset_is_refused_naming_the_argument(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token = await make_token(session, await make_shop(session))
    body = await gql(client, token, RECOMMEND, {"case": _case(confirmedAt="2026-11-23T08:00:00")})
    assert body["data"] is None
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "confirmedAt" in error["message"] and "offset" in error["message"]


async def test_bad_amount_and_contradicting_facts_are_user_errors(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token = await make_token(session, await make_shop(session))
    bad_amount = await gql(client, token, RECOMMEND, {"case": _case(amount="-3.001")})
    errors = bad_amount["data"]["recommend"]["userErrors"]
    assert bad_amount["data"]["recommend"]["decision"] is None
    assert errors[0]["field"] == ["case", "order", "amount"] and errors[0]["code"] == "INVALID"

    case = _case()
    case["shipment"]["pickedUpAt"] = "2026-11-23T07:00:00+08:00"  # before confirmation
    contradicting = await gql(
        client, token, RECOMMEND, {"case": case, "at": "2026-11-24T12:00:00+08:00"}
    )
    errors = contradicting["data"]["recommend"]["userErrors"]
    assert errors, contradicting
    assert all(e["code"] == "INCONSISTENT_FACTS" for e in errors)
    assert ["case", "shipment", "pickedUpAt"] in [e["field"] for e in errors]
