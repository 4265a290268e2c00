"""attachEvidence: evidence on an order or a refund request."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import EvidenceItem, Role
from tests.conftest import make_shop, make_token
from tests.graphql.helpers import count_rows, gql_data, seed_order_and_refund, user_errors

ATTACH = """
mutation Attach($orderId: ID, $refundId: ID, $reference: String!) {
  attachEvidence(input: {orderId: $orderId, refundRequestId: $refundId, kind: OUTBOUND_RECORD,
      source: MERCHANT, reference: $reference, capturedAt: "2026-11-21T10:00:00+08:00"}) {
    evidence { kind source reference capturedAt }
    userErrors { field code message }
  }
}
"""


def errors(data: dict[str, Any]) -> list[tuple[Any, str]]:
    return user_errors(data, "attachEvidence")


async def test_attaches_to_order_and_to_refund(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given
    token = await make_token(session, await make_shop(session), Role.INTEGRATION)
    order_id, refund_id = await seed_order_and_refund(
        client, token, requested_at="2026-11-21T10:00:00+08:00"
    )
    # when
    on_order = await gql_data(client, token, ATTACH, orderId=order_id, reference="wms://out/1")
    on_refund = await gql_data(client, token, ATTACH, refundId=refund_id, reference="wms://out/2")
    # then
    assert errors(on_order) == [] and errors(on_refund) == []
    assert on_order["attachEvidence"]["evidence"] == {
        "kind": "OUTBOUND_RECORD",
        "source": "MERCHANT",
        "reference": "wms://out/1",
        "capturedAt": "2026-11-21T02:00:00+00:00",
    }
    rows = (await session.execute(select(EvidenceItem).order_by(EvidenceItem.id))).scalars().all()
    assert [(r.reference, r.refund_request_id is not None) for r in rows] == [
        ("wms://out/1", False),
        ("wms://out/2", True),
    ]
    assert rows[0].order_id == rows[1].order_id


async def test_rejections(client: httpx.AsyncClient, session: AsyncSession) -> None:
    # given
    shop = await make_shop(session, "a")
    token = await make_token(session, shop, Role.INTEGRATION)
    order_id, refund_id = await seed_order_and_refund(
        client, token, requested_at="2026-11-21T10:00:00+08:00"
    )
    agent = await make_token(session, shop, Role.AGENT)
    other = await make_token(session, await make_shop(session, "b"), Role.INTEGRATION)
    # when
    neither = await gql_data(client, token, ATTACH, reference="x")
    both = await gql_data(
        client, token, ATTACH, orderId=order_id, refundId=refund_id, reference="x"
    )
    too_long = await gql_data(client, token, ATTACH, orderId=order_id, reference="x" * 501)
    forbidden = await gql_data(client, agent, ATTACH, orderId=order_id, reference="x")
    foreign = await gql_data(client, other, ATTACH, refundId=refund_id, reference="x")
    wrong_type = await gql_data(client, token, ATTACH, orderId=refund_id, reference="x")
    # then
    assert errors(neither) == [(["input", "orderId"], "REQUIRED")]
    assert errors(both) == [(["input", "refundRequestId"], "INVALID")]
    assert errors(too_long) == [(["input", "reference"], "INVALID")]
    assert errors(forbidden) == [(None, "FORBIDDEN")]
    assert errors(foreign) == [(["input", "refundRequestId"], "NOT_FOUND")]
    assert errors(wrong_type) == [(["input", "orderId"], "NOT_FOUND")]
    assert await count_rows(session, EvidenceItem) == 0
