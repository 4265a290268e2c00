"""recordAction: what an agent did, beside the decision they saw."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import ActionRecord, Role
from tests.conftest import make_shop, make_token
from tests.graphql.helpers import count_rows, gql_data, seed_order_and_refund, user_errors

RECORD = """
mutation Record($orderId: ID, $refundId: ID, $inquiry: Inquiry, $taken: Action!, $note: String) {
  recordAction(input: {orderId: $orderId, refundRequestId: $refundId, inquiry: $inquiry,
      decisionAt: "2026-11-21T10:00:00+08:00", takenAction: $taken, note: $note}) {
    actionRecord {
      id recommendedAction ruleId policyId policyVersion takenAction overridden note
      decisionSnapshot createdAt refundRequest { id }
      order { decision(at: "2026-11-21T10:00:00+08:00") { action ruleId } }
    }
    userErrors { field code message }
  }
}
"""


def errors(data: dict[str, Any]) -> list[tuple[Any, str]]:
    return user_errors(data, "recordAction")


async def test_records_the_decision_seen_and_whether_it_was_overridden(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given
    shop = await make_shop(session)
    order_id, refund_id = await seed_order_and_refund(
        client,
        await make_token(session, shop, Role.INTEGRATION),
        requested_at="2026-11-21T09:00:00+08:00",
    )
    agent = await make_token(session, shop, Role.AGENT)
    # when: once following the recommendation, once not
    probe = await gql_data(client, agent, RECORD, refundId=refund_id, taken="NO_ACTION")
    recommended = probe["recordAction"]["actionRecord"]["recommendedAction"]
    other = "NO_ACTION" if recommended != "NO_ACTION" else "INTERCEPT"
    followed = await gql_data(
        client, agent, RECORD, refundId=refund_id, taken=recommended, note="ok"
    )
    overridden = await gql_data(
        client, agent, RECORD, orderId=order_id, inquiry="URGE_SHIPMENT", taken=other
    )
    # then
    record = followed["recordAction"]["actionRecord"]
    assert record["overridden"] is False and record["note"] == "ok"
    assert record["refundRequest"] == {"id": refund_id}
    assert record["policyId"] == "pdd"
    snapshot = record["decisionSnapshot"]
    assert snapshot["action"] == recommended and snapshot["ruleId"] == record["ruleId"]
    assert snapshot["evaluatedAt"] == "2026-11-21T02:00:00+00:00"
    assert all(isinstance(m["amount"], str) for m in snapshot["moneyAtRisk"])
    on_order = overridden["recordAction"]["actionRecord"]
    assert on_order["overridden"] is True and on_order["takenAction"] == other
    assert on_order["refundRequest"] is None
    rows = (await session.execute(select(ActionRecord).order_by(ActionRecord.id))).scalars().all()
    assert len(rows) == 3
    assert rows[1].actor_token_id is not None and rows[1].overridden is False
    assert rows[0].decision_snapshot == rows[1].decision_snapshot  # same facts, same time


async def test_rejections(client: httpx.AsyncClient, session: AsyncSession) -> None:
    # given
    shop = await make_shop(session, "a")
    ingest = await make_token(session, shop, Role.INTEGRATION)
    order_id, refund_id = await seed_order_and_refund(
        client, ingest, requested_at="2026-11-21T09:00:00+08:00"
    )
    agent = await make_token(session, shop, Role.AGENT)
    other = await make_token(session, await make_shop(session, "b"), Role.ADMIN)
    # when
    forbidden = await gql_data(client, ingest, RECORD, orderId=order_id, taken="NO_ACTION")
    neither = await gql_data(client, agent, RECORD, taken="NO_ACTION")
    inquiry_on_refund = await gql_data(
        client, agent, RECORD, refundId=refund_id, inquiry="URGE_SHIPMENT", taken="NO_ACTION"
    )
    long_note = await gql_data(
        client, agent, RECORD, orderId=order_id, taken="NO_ACTION", note="x" * 2001
    )
    foreign = await gql_data(client, other, RECORD, orderId=order_id, taken="NO_ACTION")
    wrong_type = await gql_data(client, agent, RECORD, refundId=order_id, taken="NO_ACTION")
    # then
    assert errors(forbidden) == [(None, "FORBIDDEN")]
    assert errors(neither) == [(["input", "orderId"], "REQUIRED")]
    assert errors(inquiry_on_refund) == [(["input", "inquiry"], "INVALID")]
    assert errors(long_note) == [(["input", "note"], "INVALID")]
    assert errors(foreign) == [(["input", "orderId"], "NOT_FOUND")]
    assert errors(wrong_type) == [(["input", "refundRequestId"], "NOT_FOUND")]
    assert await count_rows(session, ActionRecord) == 0


NODE = """
query Node($id: ID!) { node(id: $id) { __typename ... on ActionRecord { takenAction ruleId } } }
"""


async def test_a_recorded_action_is_a_node_of_its_shop_only(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given an action recorded in shop A
    shop = await make_shop(session)
    _, refund_id = await seed_order_and_refund(
        client,
        await make_token(session, shop, Role.INTEGRATION),
        requested_at="2026-11-21T09:00:00+08:00",
    )
    agent = await make_token(session, shop, Role.AGENT)
    data = await gql_data(client, agent, RECORD, refundId=refund_id, taken="AGREE_REFUND")
    record = data["recordAction"]["actionRecord"]
    other = await make_token(session, await make_shop(session, "shop-b"), Role.AGENT)
    # when it is looked up by id from each shop
    mine = await gql_data(client, agent, NODE, id=record["id"])
    theirs = await gql_data(client, other, NODE, id=record["id"])
    # then
    assert mine["node"] == {
        "__typename": "ActionRecord",
        "takenAction": "AGREE_REFUND",
        "ruleId": record["ruleId"],
    }
    assert theirs["node"] is None
