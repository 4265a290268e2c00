"""Evidence attached to an order or a refund request."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import (
    EvidenceItem,
    EvidenceSource,
    Order,
    RefundRequest,
)
from service.decision import facts as f
from service.store.ingest.common import (
    MAX_REFERENCE,
    Issue,
    IssueCode,
    Path,
    Rejected,
)

# -- evidence ---------------------------------------------------------------------------


async def attach_evidence(
    session: AsyncSession,
    order: Order,
    refund: RefundRequest | None,
    kind: f.EvidenceKind,
    source: EvidenceSource,
    reference: str,
    captured_at: datetime,
    path: Path,
) -> EvidenceItem:
    if (
        not reference.strip()
        or len(reference) > MAX_REFERENCE
        or any(ord(c) < 32 for c in reference)
    ):
        raise Rejected(
            [
                Issue(
                    (*path, "reference"),
                    IssueCode.INVALID,
                    f"must be 1-{MAX_REFERENCE} printable characters",
                )
            ]
        )
    row = EvidenceItem(
        shop_id=order.shop_id,
        order_id=order.id,
        refund_request_id=refund.id if refund is not None else None,
        kind=kind,
        source=source,
        reference=reference,
        captured_at=captured_at,
    )
    session.add(row)
    await session.flush()
    return row
