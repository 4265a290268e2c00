"""The yardstick for ``bench/http_bench.py``: a bare Starlette route doing the same
work as ``recommend`` and nothing else.

It takes the same JSON body (``{"variables": {"case": ...}}``, camelCase fields as in
``CaseInput``), parses it into the same :class:`CaseFacts`, checks them, calls the
same ``decide`` with the platform's base policy and returns the same fields the
benchmark's GraphQL query selects, with Starlette's stock ``JSONResponse``. No
authentication, no database, no GraphQL: what is left is the price of HTTP, JSON and
the decision itself.

Run: ``.venv/bin/uvicorn bench.bare_app:app --port 8001``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from service.decision import (
    CaseFacts,
    EvidenceKind,
    Inquiry,
    OrderFacts,
    OrderStatus,
    Platform,
    PlatformRefundKind,
    RefundFacts,
    RefundReason,
    RefundStatus,
    RefundType,
    ShipmentFacts,
    SignerKind,
    TrackingEvent,
    TrackingEventKind,
    check_facts,
    decide,
)


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(UTC) if value is not None else None


def _order(o: dict[str, Any]) -> OrderFacts:
    return OrderFacts(
        order_number=o["orderNumber"],
        platform=Platform(o["platform"]),
        amount=Decimal(o["amount"]),
        status=OrderStatus(o["status"]),
        confirmed_at=datetime.fromisoformat(o["confirmedAt"]).astimezone(UTC),
        group_formed_at=_time(o.get("groupFormedAt")),
        ship_by=_time(o.get("shipBy")),
        can_fulfil=o.get("canFulfil", True),
        return_address_complete=o.get("returnAddressComplete", True),
        remote_destination=o.get("remoteDestination", False),
        force_majeure_exempt=o.get("forceMajeureExempt", False),
    )


def _shipment(s: dict[str, Any]) -> ShipmentFacts:
    signer = s.get("signer")
    return ShipmentFacts(
        carrier=s.get("carrier"),
        tracking_number=s.get("trackingNumber"),
        shipped_offline_at=_time(s.get("shippedOfflineAt")),
        tracking_uploaded_at=_time(s.get("trackingUploadedAt")),
        picked_up_at=_time(s.get("pickedUpAt")),
        # In time order, as the API's CaseInput conversion gives them.
        events=tuple(
            sorted(
                (
                    TrackingEvent(
                        at=datetime.fromisoformat(e["at"]).astimezone(UTC),
                        kind=TrackingEventKind(e["kind"]),
                        place=e.get("place", ""),
                    )
                    for e in s.get("events") or ()
                ),
                key=lambda e: e.at,
            )
        ),
        signer=SignerKind(signer) if signer is not None else None,
        interceptable=s.get("interceptable"),
        outbound_recorded=s.get("outboundRecorded"),
        expected_weight_g=s.get("expectedWeightG"),
        recorded_weight_g=s.get("recordedWeightG"),
    )


def _refund(r: dict[str, Any], order_number: str) -> RefundFacts:
    amount = r.get("amount")
    kind = r.get("platformRefund")
    return RefundFacts(
        refund_number=r["refundNumber"],
        order_number=order_number,
        type=RefundType(r["type"]),
        reason=RefundReason(r["reason"]),
        status=RefundStatus(r.get("status", "PENDING")),
        requested_at=datetime.fromisoformat(r["requestedAt"]).astimezone(UTC),
        amount=Decimal(amount) if amount is not None else None,
        refunded_at=_time(r.get("refundedAt")),
        platform_refund=PlatformRefundKind(kind) if kind is not None else None,
        buyer_evidence=frozenset(EvidenceKind(k) for k in r.get("buyerEvidence") or ()),
        threatens_review=r.get("threatensReview", False),
        free_reissues_given=r.get("freeReissuesGiven", 0),
        return_tracking_number=r.get("returnTrackingNumber"),
        return_to_wrong_address=r.get("returnToWrongAddress", False),
    )


def case_facts(c: dict[str, Any]) -> CaseFacts:
    """The JSON case (``CaseInput``'s camelCase shape) as the decision module's facts."""
    order = _order(c["order"])
    shipment = c.get("shipment")
    refund = c.get("refundRequest")
    inquiry = c.get("inquiry")
    return CaseFacts(
        order=order,
        shipment=_shipment(shipment) if shipment is not None else None,
        refund=_refund(refund, order.order_number) if refund is not None else None,
        inquiry=Inquiry(inquiry) if inquiry is not None else None,
        merchant_evidence=frozenset(EvidenceKind(k) for k in c.get("merchantEvidence") or ()),
    )


async def decide_endpoint(request: Request) -> JSONResponse:
    body = await request.json()
    variables = body["variables"]
    facts = case_facts(variables["case"])
    problems = check_facts(facts)
    if problems:
        errors = [{"field": p.field, "message": p.message} for p in problems]
        return JSONResponse({"decision": None, "userErrors": errors})
    at = variables.get("at")
    d = decide(facts, datetime.fromisoformat(at).astimezone(UTC) if at else datetime.now(UTC))
    return JSONResponse(
        {
            "decision": {
                "action": d.action.value,
                "ruleId": d.rule_id,
                "rationale": d.rationale,
                "steps": list(d.steps),
                "deadlines": [{"kind": x.kind.value, "at": x.at.isoformat()} for x in d.deadlines],
                "script": d.scripts.zh_cn,
            },
            "userErrors": [],
        }
    )


app = Starlette(routes=[Route("/decide", decide_endpoint, methods=["POST"])])
