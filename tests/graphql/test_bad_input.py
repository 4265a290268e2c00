"""Bad input never breaks the service (issue 17): every odd id, time, string and amount
is a typed error naming the field, or an id that does not exist; a stored row with an
absurd time breaks only its own decision, never the page that lists it."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.db.models import Order, Role
from service.graphql.relay import to_global_id
from tests.conftest import make_shop, make_token
from tests.factories import NOW, make_order, make_refund, make_shipment
from tests.graphql.helpers import gql


async def gql_raw(
    client: httpx.AsyncClient, token: str, query: str, variables: dict[str, Any]
) -> dict[str, Any]:
    """Like gql(), but JSON-escapes every non-ASCII character, so that a lone surrogate
    travels as the ``\\ud800`` escape any JSON client may send."""
    response = await client.post(
        "/graphql",
        content=json.dumps({"query": query, "variables": variables}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _b64(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]


def _user_errors(body: dict[str, Any], field: str) -> list[dict[str, Any]]:
    return list(body["data"][field]["userErrors"])


async def _arrange(session: AsyncSession) -> tuple[str, int, int, int]:
    shop = await make_shop(session)
    order = await make_order(session, shop, "O-1")
    parcel = await make_shipment(session, order)
    refund = await make_refund(session, order)
    token = await make_token(session, shop, Role.ADMIN)
    ids = (order.id, parcel.id, refund.id)
    await session.close()
    return token, *ids


# -- ids -------------------------------------------------------------------------------


def _other_spellings(type_name: str, pk: int) -> dict[str, str]:
    canonical = to_global_id(type_name, pk)
    digits = str(pk)
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in digits)
    arabic_indic = "".join(chr(ord(c) - ord("0") + 0x0660) for c in digits)
    return {
        "padded": canonical + "=" * (-len(canonical) % 4)
        if len(canonical) % 4
        else canonical + "==",
        "leading zero": _b64(f"{type_name}:0{digits}"),
        "fullwidth digits": _b64(f"{type_name}:{fullwidth}"),
        "arabic-indic digits": _b64(f"{type_name}:{arabic_indic}"),
        "superscript": _b64(f"{type_name}:²"),
        "circled": _b64(f"{type_name}:①"),
        "stray character": canonical[:2] + "!" + canonical[2:],
        "over 64 bits": _b64(f"{type_name}:{2**64}"),
    }


async def test_an_id_answers_only_in_the_spelling_the_api_hands_out(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token, order_id, _, _ = await _arrange(session)
    canonical = to_global_id("Order", order_id)
    body = await gql(client, token, "query($id: ID!) { node(id: $id) { id } }", {"id": canonical})
    assert body["data"]["node"] == {"id": canonical}
    for label, spelling in _other_spellings("Order", order_id).items():
        body = await gql(
            client, token, "query($id: ID!) { node(id: $id) { id } }", {"id": spelling}
        )
        assert "errors" not in body and body["data"] == {"node": None}, label
        body = await gql(
            client,
            token,
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            {"ids": [spelling, canonical]},
        )
        assert "errors" not in body and body["data"] == {"nodes": [None, {"id": canonical}]}, label


MUTATIONS_BY_ID = {
    "createRefundRequest": (
        """mutation($id: ID!) { createRefundRequest(input: {orderId: $id, refundRequest: {
        refundNumber: "RF-9", type: REFUND_ONLY, reason: NO_REASON,
        requestedAt: "2026-11-24T01:00:00Z"}}) { userErrors { field code } } }""",
        "Order",
        ["input", "orderId"],
    ),
    "updateRefundStatus": (
        """mutation($id: ID!) { updateRefundStatus(input: {refundRequestId: $id,
        status: CANCELLED}) { userErrors { field code } } }""",
        "RefundRequest",
        ["input", "refundRequestId"],
    ),
    "attachEvidence": (
        """mutation($id: ID!) { attachEvidence(input: {refundRequestId: $id, kind: OUTBOUND_RECORD,
        source: MERCHANT, reference: "wms-1", capturedAt: "2026-11-24T01:00:00Z"})
        { userErrors { field code } } }""",
        "RefundRequest",
        ["input", "refundRequestId"],
    ),
    "recordAction": (
        """mutation($id: ID!) { recordAction(input: {refundRequestId: $id, takenAction: NO_ACTION})
        { userErrors { field code } } }""",
        "RefundRequest",
        ["input", "refundRequestId"],
    ),
}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS_BY_ID))
async def test_mutations_treat_odd_ids_as_ids_that_do_not_exist(
    client: httpx.AsyncClient, session: AsyncSession, mutation: str
) -> None:
    token, order_id, _, refund_id = await _arrange(session)
    document, type_name, field = MUTATIONS_BY_ID[mutation]
    pk = order_id if type_name == "Order" else refund_id
    for label, spelling in _other_spellings(type_name, pk).items():
        body = await gql(client, token, document, {"id": spelling})
        assert "errors" not in body, (label, body)
        assert _user_errors(body, mutation) == [{"field": field, "code": "NOT_FOUND"}], label


# -- cursors ---------------------------------------------------------------------------


@pytest.mark.parametrize("root", ["orders", "refundRequests", "shipments"])
async def test_a_cursor_with_an_oversized_key_is_a_bad_argument(
    client: httpx.AsyncClient, session: AsyncSession, root: str
) -> None:
    token, *_ = await _arrange(session)
    for cursor in (
        _b64(f"k1|2026-11-24T00:00:00+00:00|{2**64}"),
        _b64("k1|2026-11-24T00:00:00+00:00|١٢"),
        _b64("k1|9999-12-31T23:59:59+00:00|1"),
    ):
        body = await gql(
            client,
            token,
            f"query($a: String) {{ {root}(after: $a) {{ totalCount }} }}",
            {"a": cursor},
        )
        assert _codes(body) == ["BAD_USER_INPUT"], body
        assert "after" in body["errors"][0]["message"]


# -- strings no database can store ---------------------------------------------------------

UNSTORABLE = ["PO-\ud800", "PO-\udfff-1", "PO\x00-1"]

STRING_INPUTS = {
    "orders filter": (
        "query($s: String) { orders(filter: {orderNumber: $s}) { totalCount } }",
        "s",
    ),
    "shipments carrier": (
        "query($s: String) { shipments(filter: {carrier: $s}) { totalCount } }",
        "s",
    ),
    "shipments tracking": (
        "query($s: String) { shipments(filter: {trackingNumber: $s}) { totalCount } }",
        "s",
    ),
    "createRefundRequest.orderNumber": (
        """mutation($s: String) { createRefundRequest(input: {orderNumber: $s, refundRequest: {
        refundNumber: "RF-9", type: REFUND_ONLY, reason: NO_REASON,
        requestedAt: "2026-11-24T01:00:00Z"}}) { userErrors { code } } }""",
        "s",
    ),
    "recordShipment.carrier": (
        """mutation($s: String) { recordShipment(input: {orderNumber: "O-1",
        shipment: {carrier: $s}}) { userErrors { code } } }""",
        "s",
    ),
    "event place": (
        """mutation($s: String!) { appendTrackingEvents(input: {events: [{trackingNumber: "ZT0001",
        at: "2026-11-24T01:00:00Z", kind: PICKUP, place: $s}]}) { userErrors { code } } }""",
        "s",
    ),
    "evidence reference": (
        """mutation($s: String!) { attachEvidence(input: {orderId: "x", kind: OUTBOUND_RECORD,
        source: MERCHANT, reference: $s, capturedAt: "2026-11-24T01:00:00Z"})
        { userErrors { code } } }""",
        "s",
    ),
    "recordAction.note": (
        """mutation($s: String) { recordAction(input: {orderId: "x", takenAction: NO_ACTION,
        note: $s}) { userErrors { code } } }""",
        "s",
    ),
}


@pytest.mark.parametrize("where", sorted(STRING_INPUTS))
async def test_unstorable_text_is_refused_before_any_resolver(
    client: httpx.AsyncClient, session: AsyncSession, where: str
) -> None:
    token, *_ = await _arrange(session)
    document, name = STRING_INPUTS[where]
    for text in UNSTORABLE:
        body = await gql_raw(client, token, document, {name: text})
        assert _codes(body) == ["BAD_USER_INPUT"], (where, text, body)
        assert f"'{name}'" in body["errors"][0]["message"]
        assert body.get("data") is None


async def test_unstorable_text_in_a_literal_fails_validation(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token, *_ = await _arrange(session)
    body = await gql(
        client, token, '{ orders(filter: {orderNumber: "PO\\u0000-1"}) { totalCount } }'
    )
    assert _codes(body) == ["GRAPHQL_VALIDATION_FAILED"], body


# Each fragment spreads the other twice: costing it naively walks 2^depth paths, which
# held a server's event loop for as long as it took.
BRANCHING_CYCLE = """{ ...A }
fragment A on Query { shop { slug } viewer { __typename } ...B ...B }
fragment B on Query { ...A ...A }"""


async def test_fragments_spread_in_a_branching_cycle_fail_validation_at_once(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token, *_ = await _arrange(session)
    body = await gql(client, token, BRANCHING_CYCLE)
    assert set(_codes(body)) == {"GRAPHQL_VALIDATION_FAILED"}, body
    assert any("within itself" in e["message"] for e in body["errors"]), body


# -- money -------------------------------------------------------------------------------

POLICY = """mutation($c: Decimal) { updateShopPolicy(input: {couponAmount: $c})
  { userErrors { field code } } }"""


@pytest.mark.parametrize(
    "amount",
    [
        "1e999999999",
        "1e400",
        "１２",
        "١٢",
        "1_000",
        " 12.34 ",
        "1E+1",
        "NaN",
        "Infinity",
        "12.",
        ".5",
        "+5",
    ],
)
async def test_money_in_any_other_spelling_is_refused(
    client: httpx.AsyncClient, session: AsyncSession, amount: str
) -> None:
    token, *_ = await _arrange(session)
    body = await gql(client, token, POLICY, {"c": amount})
    assert _codes(body) == ["BAD_USER_INPUT"], body
    assert "Decimal" in body["errors"][0]["message"]


async def test_plain_money_is_accepted(client: httpx.AsyncClient, session: AsyncSession) -> None:
    token, *_ = await _arrange(session)
    for amount in ("3", "3.50"):
        body = await gql(client, token, POLICY, {"c": amount})
        assert body["data"]["updateShopPolicy"]["userErrors"] == [], body


# -- times -------------------------------------------------------------------------------

ORDER = """mutation($o: [OrderInput!]!) { upsertOrders(input: {orders: $o})
  { orders { id } userErrors { field code message } } }"""


def _order(**extra: str) -> dict[str, Any]:
    return {
        "orderNumber": "PO-9",
        "platform": "PDD",
        "amount": "25.00",
        "status": "AWAITING_SHIPMENT",
        "confirmedAt": "2026-11-23T10:00:00+08:00",
        **extra,
    }


@pytest.mark.parametrize(
    "moment",
    [
        "9999-12-31T23:59:59Z",
        "9999-12-31T23:59:59-05:00",
        "0001-01-01T00:00:00+14:00",
        "1999-12-31T23:59:59Z",
        "2100-01-01T00:00:00Z",
    ],
)
async def test_times_at_the_calendars_ends_are_refused_at_coercion(
    client: httpx.AsyncClient, session: AsyncSession, moment: str
) -> None:
    token, *_ = await _arrange(session)
    body = await gql(client, token, ORDER, {"o": [_order(groupFormedAt=moment)]})
    assert _codes(body) == ["BAD_USER_INPUT"], body
    assert "groupFormedAt" in body["errors"][0]["message"]
    for document in (
        "query($t: DateTime) { orders(filter: {confirmedFrom: $t}) { totalCount } }",
        """query($t: DateTime) { recommend(at: $t, case: {order: {orderNumber: "A-1",
           platform: PDD, amount: "10.00", status: AWAITING_SHIPMENT,
           confirmedAt: "2026-11-23T08:00:00Z"}, inquiry: URGE_SHIPMENT})
           { decision { ruleId } } }""",
    ):
        body = await gql(client, token, document, {"t": moment})
        assert _codes(body) == ["BAD_USER_INPUT"], body


async def test_a_fact_in_the_future_is_a_user_error_naming_its_field(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token, *_ = await _arrange(session)
    later = (NOW + timedelta(hours=1)).isoformat()
    body = await gql(client, token, ORDER, {"o": [_order(groupFormedAt=later)]})
    errors = body["data"]["upsertOrders"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [
        (["input", "orders", "0", "groupFormedAt"], "INVALID")
    ], errors
    # a promised ship-by is not a fact that has happened: it may lie ahead
    ahead = (NOW + timedelta(hours=30)).isoformat()
    body = await gql(client, token, ORDER, {"o": [_order(shipBy=ahead)]})
    assert body["data"]["upsertOrders"]["userErrors"] == []


async def _one_absurd_order(session: AsyncSession) -> tuple[str, Order, Order]:
    """A sound order O-1 and an order O-2 stored with a time at the calendar's end (as
    an older release could store it); an agent token."""
    shop = await make_shop(session)
    good = await make_order(session, shop, "O-1")
    bad = await make_order(session, shop, "O-2", confirmed_at=NOW - timedelta(hours=1))
    token = await make_token(session, shop, Role.AGENT)
    await session.execute(
        update(Order)
        .where(Order.id == bad.id)
        .values(ship_by=datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC))
    )
    await session.commit()
    await session.close()
    return token, good, bad


async def test_a_stored_absurd_time_breaks_only_its_own_decision(
    client: httpx.AsyncClient, session: AsyncSession, engine: AsyncEngine
) -> None:
    # given two orders, one of which was stored with a time at the calendar's end
    token, _, _ = await _one_absurd_order(session)

    # when the dashboard lists them with their decisions
    body = await gql(client, token, "{ orders { nodes { orderNumber decision { action } } } }")

    # then the page holds both, the bad one's decision is null with its own error
    nodes = {n["orderNumber"]: n["decision"] for n in body["data"]["orders"]["nodes"]}
    assert nodes["O-2"] is None and nodes["O-1"] is not None, body
    assert [(e["path"][-1], e["extensions"]["code"]) for e in body["errors"]] == [
        ("decision", "INCONSISTENT_FACTS")
    ]
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]


async def test_a_stored_absurd_time_fails_only_its_own_case_in_a_bulk_record(
    client: httpx.AsyncClient, session: AsyncSession, engine: AsyncEngine
) -> None:
    # given an order stored with a time at the calendar's end, beside a sound one
    token, good, bad = await _one_absurd_order(session)

    # when one action is recorded on both
    body = await gql(
        client,
        token,
        """mutation($cases: [BulkCaseInput!]!) {
          recordActions(input: {cases: $cases, takenAction: PROMISE_SHIP_TIME}) {
            actionRecords { id } userErrors { field code } } }""",
        {"cases": [{"orderId": to_global_id("Order", o.id)} for o in (good, bad)]},
    )

    # then the bad case is a typed user error naming it, and nothing is recorded
    assert "errors" not in body, body
    result = body["data"]["recordActions"]
    assert result["actionRecords"] is None
    assert result["userErrors"] == [
        {"field": ["input", "cases", "1", "orderId"], "code": "INCONSISTENT_FACTS"}
    ]
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
