"""Filter inputs of the dashboard lists."""

from __future__ import annotations

from datetime import datetime, timedelta

import strawberry

from service.decision import facts as f
from service.decision.outcome import Action as ActionEnum
from service.graphql.errors import ClientError
from service.graphql.types.enums import (
    Action,
    OrderStatus,
    Platform,
    RefundReason,
    RefundStatus,
    RefundType,
)
from service.store.listing import OrderQuery, RefundQuery, ShipmentQuery, StateFilter

MAX_DUE_WITHIN_HOURS = 24 * 90
MAX_LIST_FILTER = 20


_ANY = f"Null keeps all; at most {MAX_LIST_FILTER} values."


@strawberry.input(
    description="Decision-based filters, served from the stored case state (exact at the"
    " request's now)."
)
class DecisionFilter:
    recommended_action: list[Action] | None = strawberry.field(  # type: ignore[valid-type]
        default=None,
        description="Keep cases whose recommended action (at the request's now) is one of these."
        f" {_ANY}",
    )
    due_within_hours: int | None = strawberry.field(
        default=None,
        description="Keep cases whose most urgent deadline (a missed one included) falls"
        f" within this many hours from now (1 to {MAX_DUE_WITHIN_HOURS}). Null: no deadline"
        " filter.",
    )
    overdue: bool | None = strawberry.field(
        default=None,
        description="true: only cases with a missed deadline; false: only cases without one."
        " Null keeps both.",
    )


@strawberry.input(description="Filters for the orders list; every criterion given must hold.")
class OrderFilter(DecisionFilter):
    status: list[OrderStatus] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description=f"Keep orders in any of these statuses. {_ANY}"
    )
    platform: Platform | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Keep orders of this marketplace; null: any."
    )
    order_number: str | None = strawberry.field(
        default=None, description="Keep the order with exactly this platform order number."
    )
    confirmed_from: datetime | None = strawberry.field(
        default=None, description="Keep orders confirmed at or after this time (inclusive)."
    )
    confirmed_to: datetime | None = strawberry.field(
        default=None,
        description="Keep orders confirmed before this time (exclusive); not before confirmedFrom.",
    )


@strawberry.input(
    description="Filters for the refund requests list; every criterion given must hold."
)
class RefundRequestFilter(DecisionFilter):
    status: list[RefundStatus] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description=f"Keep requests in any of these statuses. {_ANY}"
    )
    platform: Platform | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Keep requests on orders of this marketplace; null: any."
    )
    type: list[RefundType] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description=f"Keep requests of any of these types. {_ANY}"
    )
    reason: list[RefundReason] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description=f"Keep requests with any of these reasons. {_ANY}"
    )
    requested_from: datetime | None = strawberry.field(
        default=None, description="Keep requests filed at or after this time (inclusive)."
    )
    requested_to: datetime | None = strawberry.field(
        default=None,
        description="Keep requests filed before this time (exclusive); not before requestedFrom.",
    )


@strawberry.input(description="Filters for the shipments list; every criterion given must hold.")
class ShipmentFilter:
    carrier: str | None = strawberry.field(
        default=None, description="Keep parcels whose carrier name is exactly this."
    )
    tracking_number: str | None = strawberry.field(
        default=None, description="Keep parcels with exactly this tracking number."
    )
    created_from: datetime | None = strawberry.field(
        default=None,
        description="Keep parcels recorded in this service at or after this time (inclusive).",
    )
    created_to: datetime | None = strawberry.field(
        default=None,
        description="Keep parcels recorded in this service before this time (exclusive).",
    )


def _check_list(name: str, values: list[object] | None) -> None:
    if values is not None and len(values) > MAX_LIST_FILTER:
        raise ClientError(f"filter.{name}: at most {MAX_LIST_FILTER} values")


def _check_range(name: str, lo: datetime | None, hi: datetime | None) -> None:
    if lo is not None and hi is not None and lo > hi:
        raise ClientError(f"filter.{name}: the start is after the end")


def state_filter(flt: DecisionFilter | None, now: datetime) -> StateFilter | None:
    """The decision filters as a filter on the stored state; None when none is set."""
    if flt is None:
        return None
    _check_list("recommendedAction", flt.recommended_action)
    hours = flt.due_within_hours
    if hours is not None and not 1 <= hours <= MAX_DUE_WITHIN_HOURS:
        raise ClientError(f"filter.dueWithinHours: must be between 1 and {MAX_DUE_WITHIN_HOURS}")
    if not flt.recommended_action and hours is None and flt.overdue is None:
        return None
    return StateFilter(
        actions=sorted({ActionEnum(a) for a in flt.recommended_action or ()}),
        overdue=flt.overdue,
        due_by=now + timedelta(hours=hours) if hours is not None else None,
    )


def order_query(flt: OrderFilter | None, now: datetime) -> OrderQuery:
    if flt is None:
        return OrderQuery()
    _check_list("status", flt.status)
    _check_range("confirmedFrom", flt.confirmed_from, flt.confirmed_to)
    return OrderQuery(
        statuses=[f.OrderStatus(s) for s in flt.status or ()],
        platform=f.Platform(flt.platform) if flt.platform else None,
        confirmed_from=flt.confirmed_from,
        confirmed_to=flt.confirmed_to,
        order_number=flt.order_number,
        state=state_filter(flt, now),
    )


def refund_query(flt: RefundRequestFilter | None, now: datetime) -> RefundQuery:
    if flt is None:
        return RefundQuery()
    for name in ("status", "type", "reason"):
        _check_list(name, getattr(flt, name))
    _check_range("requestedFrom", flt.requested_from, flt.requested_to)
    return RefundQuery(
        statuses=[f.RefundStatus(s) for s in flt.status or ()],
        platform=f.Platform(flt.platform) if flt.platform else None,
        types=[f.RefundType(t) for t in flt.type or ()],
        reasons=[f.RefundReason(r) for r in flt.reason or ()],
        requested_from=flt.requested_from,
        requested_to=flt.requested_to,
        state=state_filter(flt, now),
    )


def shipment_query(flt: ShipmentFilter | None) -> ShipmentQuery:
    if flt is None:
        return ShipmentQuery()
    _check_range("createdFrom", flt.created_from, flt.created_to)
    return ShipmentQuery(
        carrier=flt.carrier,
        tracking_number=flt.tracking_number,
        created_from=flt.created_from,
        created_to=flt.created_to,
    )
