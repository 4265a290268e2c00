from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    SmallInteger,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base
from service.db.types import BigId, EnumText, Money, UTCDateTime
from service.decision.outcome import Action, DeadlineKind


class CaseState(Base):
    """What the dashboard sorts and filters on, per case, as last decided.

    One row per order (kind ORDER) and one per refund request (kind REFUND_REQUEST).
    ``open`` says whether the row is a case at ``computed_at``: an unfinished order
    with no open refund case, or a pending (or recent platform) refund. The row is
    exact from ``computed_at`` until ``stale_at`` (NULL: until the facts change).
    A recorded action marks the decision handled (``handled_*``), which keeps the row
    out of the work queue until its decision changes.
    """

    __tablename__ = "case_states"
    __table_args__ = (
        ForeignKeyConstraint(
            ["order_id", "shop_id"], ["orders.id", "orders.shop_id"], ondelete="CASCADE"
        ),
        UniqueConstraint("kind", "entity_id"),
        # The work queue: overdue first (rank 0), then the soonest deadline; keyset
        # pagination walks this index.
        Index("ix_case_states_queue", "shop_id", "queue_rank", "due_at", "kind", "entity_id"),
        # Reads refresh their shop's stale rows; the refresher takes the oldest first.
        Index("ix_case_states_shop_stale", "shop_id", "stale_at"),
        Index("ix_case_states_shop_computed", "shop_id", "computed_at"),
        Index("ix_case_states_stale", "stale_at"),
        # The orders and refund lists filtered on the state: walked newest first in the
        # lists' own order, their filters answered from the index alone on PostgreSQL.
        Index(
            "ix_case_states_list",
            "shop_id",
            "kind",
            "sort_at",
            "entity_id",
            postgresql_include=["status", "due_at", "action", "overdue"],
        ),
        # caseGroups: the queued rows of a shop with every column the grouping reads, so
        # PostgreSQL answers it from the index alone.
        Index(
            "ix_case_states_groups",
            "shop_id",
            "queue_rank",
            "action",
            "carrier",
            "place",
            "shipped",
            "destination_city",
            "due_at",
            "money_at_risk_cents",
            "last_scan_at",
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shop_id: Mapped[int] = mapped_column(BigId, ForeignKey("shops.id", ondelete="CASCADE"))
    order_id: Mapped[int] = mapped_column(BigId, index=True)
    refund_request_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("refund_requests.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    # The refund request's id for refund rows, the order's for order rows: the tie-break
    # of the queue's order, as the brute-force queue sorts.
    entity_id: Mapped[int] = mapped_column(BigId)
    open: Mapped[bool]
    # 0: overdue, 1: due ahead, NULL: not in the work queue (closed, nothing to do,
    # no deadline, or the facts are inconsistent).
    queue_rank: Mapped[int | None] = mapped_column(SmallInteger)
    action: Mapped[Action | None] = mapped_column(EnumText(Action))
    rule_id: Mapped[str | None] = mapped_column(String(32))
    proactive: Mapped[bool]
    overdue: Mapped[bool]
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deadline_kind: Mapped[DeadlineKind | None] = mapped_column(EnumText(DeadlineKind))
    money_at_risk: Mapped[Decimal | None] = mapped_column("money_at_risk_cents", Money())
    policy_version: Mapped[str] = mapped_column(String(64))
    rules_version: Mapped[str] = mapped_column(String(64))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    stale_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The decision an agent last recorded an action on (action and rule). While the
    # current decision is that one the case is handled: ``queue_rank`` stays NULL. A
    # recomputation whose decision differs clears them, so the case comes back.
    handled_action: Mapped[Action | None] = mapped_column(EnumText(Action))
    handled_rule_id: Mapped[str | None] = mapped_column(String(32))
    # The last action recorded on the case (what the agent did) and when; kept when the
    # decision moves on, so the queue can show it.
    last_action: Mapped[Action | None] = mapped_column(EnumText(Action))
    last_action_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Where the case's parcel is, copied at refresh so that caseGroups is one scan of
    # this table: the latest parcel's carrier, its latest event's place and time, whether
    # a parcel exists at all, and the order's destination.
    carrier: Mapped[str | None] = mapped_column(String(64))
    place: Mapped[str | None] = mapped_column(String(200))
    last_scan_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    shipped: Mapped[bool] = mapped_column(default=False, server_default=false())
    destination_province: Mapped[str | None] = mapped_column(String(64))
    destination_city: Mapped[str | None] = mapped_column(String(64))
    # The entity's status and the time its list sorts by (an order's confirmation, a
    # refund's request), copied at refresh like the columns above: a list filtered on
    # the state walks this table alone (``ix_case_states_list``) instead of probing a
    # state per listed row. NULL only on rows older than the copy, until recomputed.
    status: Mapped[str | None] = mapped_column(String(32))
    sort_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
