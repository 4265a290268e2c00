"""Refund requests and their status changes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import (
    EvidenceItem,
    EvidenceSource,
    Order,
    RefundRequest,
)
from service.decision import facts as f
from service.decision.validation import check_facts
from service.store.facts import order_facts, shipment_facts
from service.store.ingest.common import (
    BUYER_DECLARED,
    Issue,
    IssueCode,
    Path,
    Rejected,
    events_of,
    fact_field,
    inconsistent,
    latest_shipment,
    raise_if,
)

# -- refund requests --------------------------------------------------------------------


async def create_refund_request(
    session: AsyncSession, order: Order, data: f.RefundFacts, path: Path
) -> RefundRequest:
    """Store a refund request and the kinds of evidence the buyer declared (as BUYER
    evidence captured at the request time, reference ``buyer-declared``)."""
    shop_id = order.shop_id
    exists = (
        await session.execute(
            select(RefundRequest.id).where(
                RefundRequest.shop_id == shop_id, RefundRequest.refund_number == data.refund_number
            )
        )
    ).first()
    if exists is not None:
        raise Rejected(
            [
                Issue(
                    (*path, "refundNumber"),
                    IssueCode.DUPLICATE,
                    f"refund request {data.refund_number} already exists",
                )
            ]
        )
    shipment = await latest_shipment(session, shop_id, order.id)
    sf = (
        shipment_facts(shipment, await events_of(session, shop_id, shipment.id))
        if shipment
        else None
    )
    case = f.CaseFacts(order=order_facts(order), shipment=sf, refund=data)
    issues = [
        inconsistent(fact_field(path, p.field, {"refund": ""}), p)
        if p.field.startswith("refund.")
        else inconsistent(path, p, "(stored)")
        for p in check_facts(case)
    ]
    raise_if(issues)

    row = RefundRequest(
        shop_id=shop_id,
        order_id=order.id,
        refund_number=data.refund_number,
        type=data.type,
        reason=data.reason,
        status=data.status,
        requested_at=data.requested_at,
        amount=data.amount,
        refunded_at=data.refunded_at,
        platform_refund=data.platform_refund,
        threatens_review=data.threatens_review,
        free_reissues_given=data.free_reissues_given,
        return_tracking_number=data.return_tracking_number,
        return_to_wrong_address=data.return_to_wrong_address,
    )
    session.add(row)
    await session.flush()
    for kind in sorted(data.buyer_evidence):
        session.add(
            EvidenceItem(
                shop_id=shop_id,
                order_id=order.id,
                refund_request_id=row.id,
                kind=kind,
                source=EvidenceSource.BUYER,
                reference=BUYER_DECLARED,
                captured_at=data.requested_at,
            )
        )
    await session.flush()
    return row


S = f.RefundStatus
TRANSITIONS: dict[f.RefundStatus, frozenset[f.RefundStatus]] = {
    S.PENDING: frozenset({S.AGREED, S.REJECTED, S.REFUNDED, S.CANCELLED}),
    S.AGREED: frozenset({S.REFUNDED, S.CANCELLED}),
    # Re-opened by the buyer, refunded by the platform over the merchant, or withdrawn.
    S.REJECTED: frozenset({S.PENDING, S.REFUNDED, S.CANCELLED}),
    S.REFUNDED: frozenset(),
    S.CANCELLED: frozenset(),
}


async def update_refund_status(
    session: AsyncSession,
    refund: RefundRequest,
    order: Order,
    status: f.RefundStatus,
    at: datetime | None,
    platform_refund: f.PlatformRefundKind | None,
    path: Path,
) -> RefundRequest:
    """Move a refund request along :data:`TRANSITIONS`. REFUNDED needs ``at`` (the
    refund time, not before the request); ``platform_refund`` only with REFUNDED."""
    issues: list[Issue] = []
    if status not in TRANSITIONS[refund.status]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[refund.status])) or "none (final)"
        issues.append(
            Issue(
                (*path, "status"),
                IssueCode.INVALID_TRANSITION,
                f"cannot go from {refund.status.value} to {status.value}; allowed: {allowed}",
            )
        )
    if status is S.REFUNDED and at is None:
        issues.append(Issue((*path, "at"), IssueCode.REQUIRED, "REFUNDED needs the refund time"))
    if status is not S.REFUNDED and at is not None:
        issues.append(
            Issue((*path, "at"), IssueCode.INVALID, "only a REFUNDED status takes a time")
        )
    if platform_refund is not None and status is not S.REFUNDED:
        issues.append(
            Issue((*path, "platformRefund"), IssueCode.INVALID, "only a REFUNDED status takes it")
        )
    raise_if(issues)
    if at is not None and at < refund.requested_at:
        raise Rejected(
            [
                Issue(
                    (*path, "at"),
                    IssueCode.INCONSISTENT_FACTS,
                    "the refund time precedes the refund request",
                )
            ]
        )
    refund.status = status
    if status is S.REFUNDED:
        refund.refunded_at = at
        refund.platform_refund = platform_refund
    await session.flush()
    return refund
