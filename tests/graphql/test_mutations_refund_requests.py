"""createRefundRequest and updateRefundStatus."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import EvidenceItem, EvidenceSource, RefundRequest, Role
from service.decision.facts import RefundStatus
from service.graphql.relay import to_global_id
from tests.conftest import make_shop, make_token
from tests.graphql.helpers import count_rows, gql_data

UPSERT = """
mutation Upsert($orders: [OrderInput!]!) {
  upsertOrders(input: {orders: $orders}) { orders { id } userErrors { code } }
}
"""

CREATE = """
mutation Create($orderId: ID, $number: String, $refund: RefundRequestInput!) {
  createRefundRequest(input: {orderId: $orderId, orderNumber: $number, refundRequest: $refund}) {
    refundRequest { id refundNumber status order { orderNumber } }
    userErrors { field code message }
  }
}
"""

UPDATE = """
mutation Update($id: ID!, $status: RefundStatus!, $at: DateTime, $kind: PlatformRefundKind) {
  updateRefundStatus(
    input: {refundRequestId: $id, status: $status, at: $at, platformRefund: $kind}
  ) {
    refundRequest { id status refundedAt platformRefund }
    userErrors { field code message }
  }
}
"""

REQUESTED = "2026-11-21T10:00:00+08:00"


def refund(number: str = "RF-1", **over: Any) -> dict[str, Any]:
    return {
        "refundNumber": number,
        "type": "REFUND_ONLY",
        "reason": "NOT_SHIPPED",
        "requestedAt": REQUESTED,
        **over,
    }


async def seed(client: httpx.AsyncClient, token: str) -> str:
    order = {
        "orderNumber": "PO-1",
        "platform": "PDD",
        "amount": "19.90",
        "status": "AWAITING_SHIPMENT",
        "confirmedAt": "2026-11-20T10:00:00+08:00",
    }
    data = await gql_data(client, token, UPSERT, orders=[order])
    return str(data["upsertOrders"]["orders"][0]["id"])


def errors(data: dict[str, Any], name: str) -> list[tuple[Any, str]]:
    return [(e["field"], e["code"]) for e in data[name]["userErrors"]]


async def test_creates_a_request_with_buyer_evidence(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given
    token = await make_token(session, await make_shop(session), Role.INTEGRATION)
    order_id = await seed(client, token)
    # when
    data = await gql_data(
        client, token, CREATE, orderId=order_id, refund=refund(buyerEvidence=["DAMAGE_PHOTO"])
    )
    # then
    assert errors(data, "createRefundRequest") == []
    created = data["createRefundRequest"]["refundRequest"]
    assert (created["refundNumber"], created["status"]) == ("RF-1", "PENDING")
    assert created["order"]["orderNumber"] == "PO-1"
    evidence = (await session.execute(select(EvidenceItem))).scalar_one()
    assert evidence.source is EvidenceSource.BUYER
    assert evidence.reference == "buyer-declared"
    assert evidence.captured_at.isoformat() == "2026-11-21T02:00:00+00:00"


async def test_create_rejections(client: httpx.AsyncClient, session: AsyncSession) -> None:
    # given
    token = await make_token(session, await make_shop(session), Role.INTEGRATION)
    await seed(client, token)
    await gql_data(client, token, CREATE, number="PO-1", refund=refund())
    # when
    duplicate = await gql_data(client, token, CREATE, number="PO-1", refund=refund())
    early = await gql_data(
        client,
        token,
        CREATE,
        number="PO-1",
        refund=refund("RF-2", requestedAt="2026-11-19T10:00:00Z"),
    )
    too_much = await gql_data(
        client, token, CREATE, number="PO-1", refund=refund("RF-3", amount="20.00")
    )
    missing = await gql_data(client, token, CREATE, number="PO-404", refund=refund("RF-4"))
    # then
    assert errors(duplicate, "createRefundRequest") == [
        (["input", "refundRequest", "refundNumber"], "DUPLICATE")
    ]
    assert errors(early, "createRefundRequest") == [
        (["input", "refundRequest", "requestedAt"], "INCONSISTENT_FACTS")
    ]
    assert errors(too_much, "createRefundRequest") == [
        (["input", "refundRequest", "amount"], "INCONSISTENT_FACTS")
    ]
    assert errors(missing, "createRefundRequest") == [(["input", "orderNumber"], "NOT_FOUND")]
    assert await count_rows(session, RefundRequest) == 1


async def test_create_forbidden_and_foreign_order(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given
    shop_a = await make_shop(session, "a")
    order_a = await seed(client, await make_token(session, shop_a, Role.INTEGRATION))
    agent = await make_token(session, shop_a, Role.AGENT)
    other = await make_token(session, await make_shop(session, "b"), Role.INTEGRATION)
    # when
    forbidden = await gql_data(client, agent, CREATE, orderId=order_a, refund=refund())
    foreign = await gql_data(client, other, CREATE, orderId=order_a, refund=refund())
    # then
    assert errors(forbidden, "createRefundRequest") == [(None, "FORBIDDEN")]
    assert errors(foreign, "createRefundRequest") == [(["input", "orderId"], "NOT_FOUND")]
    assert await count_rows(session, RefundRequest) == 0


async def test_status_transitions(client: httpx.AsyncClient, session: AsyncSession) -> None:
    # given
    token = await make_token(session, await make_shop(session), Role.INTEGRATION)
    await seed(client, token)
    created = await gql_data(client, token, CREATE, number="PO-1", refund=refund())
    rid = created["createRefundRequest"]["refundRequest"]["id"]
    # when
    rejected = await gql_data(client, token, UPDATE, id=rid, status="REJECTED")
    reopened = await gql_data(client, token, UPDATE, id=rid, status="PENDING")
    cancelled = await gql_data(client, token, UPDATE, id=rid, status="CANCELLED")
    refund_cancelled = await gql_data(
        client, token, UPDATE, id=rid, status="REFUNDED", at="2026-11-22T10:00:00Z"
    )
    # then
    assert rejected["updateRefundStatus"]["refundRequest"]["status"] == "REJECTED"
    assert reopened["updateRefundStatus"]["refundRequest"]["status"] == "PENDING"
    assert cancelled["updateRefundStatus"]["refundRequest"]["status"] == "CANCELLED"
    assert errors(refund_cancelled, "updateRefundStatus") == [
        (["input", "status"], "INVALID_TRANSITION")
    ]
    row = (await session.execute(select(RefundRequest))).scalar_one()
    assert row.status is RefundStatus.CANCELLED and row.refunded_at is None


async def test_refunded_needs_a_time_not_before_the_request(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given
    token = await make_token(session, await make_shop(session), Role.INTEGRATION)
    await seed(client, token)
    created = await gql_data(client, token, CREATE, number="PO-1", refund=refund())
    rid = created["createRefundRequest"]["refundRequest"]["id"]
    # when
    no_time = await gql_data(client, token, UPDATE, id=rid, status="REFUNDED")
    early = await gql_data(
        client, token, UPDATE, id=rid, status="REFUNDED", at="2026-11-21T01:00:00Z"
    )
    kind_without = await gql_data(
        client, token, UPDATE, id=rid, status="AGREED", kind="FAST_REFUND"
    )
    done = await gql_data(
        client,
        token,
        UPDATE,
        id=rid,
        status="REFUNDED",
        at="2026-11-21T03:00:00Z",
        kind="FAST_REFUND",
    )
    # then
    assert errors(no_time, "updateRefundStatus") == [(["input", "at"], "REQUIRED")]
    assert errors(early, "updateRefundStatus") == [(["input", "at"], "INCONSISTENT_FACTS")]
    assert errors(kind_without, "updateRefundStatus") == [(["input", "platformRefund"], "INVALID")]
    assert done["updateRefundStatus"]["refundRequest"] == {
        "id": rid,
        "status": "REFUNDED",
        "refundedAt": "2026-11-21T03:00:00+00:00",
        "platformRefund": "FAST_REFUND",
    }


async def test_update_forbidden_and_foreign_ids(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given
    shop_a = await make_shop(session, "a")
    token = await make_token(session, shop_a, Role.INTEGRATION)
    await seed(client, token)
    created = await gql_data(client, token, CREATE, number="PO-1", refund=refund())
    rid = created["createRefundRequest"]["refundRequest"]["id"]
    agent = await make_token(session, shop_a, Role.AGENT)
    other = await make_token(session, await make_shop(session, "b"), Role.INTEGRATION)
    # when
    forbidden = await gql_data(client, agent, UPDATE, id=rid, status="AGREED")
    foreign = await gql_data(client, other, UPDATE, id=rid, status="AGREED")
    wrong_type = await gql_data(client, token, UPDATE, id=to_global_id("Order", 1), status="AGREED")
    # then
    assert errors(forbidden, "updateRefundStatus") == [(None, "FORBIDDEN")]
    for data in (foreign, wrong_type):
        assert errors(data, "updateRefundStatus") == [(["input", "refundRequestId"], "NOT_FOUND")]
    assert (
        await session.execute(select(RefundRequest.status))
    ).scalar_one() is RefundStatus.PENDING
