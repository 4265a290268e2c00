"""Facts derived once per ``decide`` call, so rules stay one-line readable.

Rules read :class:`Ctx`; nothing here picks an action.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from service.decision.facts import (
    CaseFacts,
    OrderFacts,
    OrderStatus,
    RefundFacts,
    RefundStatus,
    ShipmentFacts,
    TrackingEvent,
    TrackingEventKind,
)
from service.decision.policy import CENT, Policy
from service.decision.timefmt import hours, local_time

_HOUR = timedelta(hours=1)

# Shipment stages, plain strings: compared by identity-free equality in hot paths.
NOT_SHIPPED = "NOT_SHIPPED"
OFFLINE_ONLY = "OFFLINE_ONLY"  # handed to the carrier, no tracking number online
IN_TRANSIT = "IN_TRANSIT"
SIGNED = "SIGNED"
RETURNED = "RETURNED"  # rejected by the buyer or on its way back

_EMPTY_SHIPMENT = ShipmentFacts()
# Enum members as module globals: in Python 3.11 reading one off its class
# (``TrackingEventKind.SIGNED``) goes through EnumType.__getattr__'s slow hook, about
# ten times a global's cost, and a Ctx is built for every decision.
_SIGNED = TrackingEventKind.SIGNED
_PICKUP = TrackingEventKind.PICKUP
_OUT_FOR_DELIVERY = TrackingEventKind.OUT_FOR_DELIVERY
_EXCEPTION = TrackingEventKind.EXCEPTION
_SORTING_DEPARTURE = TrackingEventKind.SORTING_DEPARTURE
_BACK = (TrackingEventKind.REJECTED, TrackingEventKind.RETURNED)
_AWAITING_GROUP = OrderStatus.AWAITING_GROUP
_ORDER_SIGNED = OrderStatus.SIGNED
_COMPLETED = OrderStatus.COMPLETED
_PENDING = RefundStatus.PENDING


def floor_hour(dt: datetime) -> datetime:
    """Start of the hour containing ``dt`` (whole-hour offsets make UTC and CST agree)."""
    # Subtracting is cheaper than dt.replace(minute=0, ...) and gives the same instant.
    return dt - timedelta(0, dt.minute * 60 + dt.second, dt.microsecond)


def ceil_hour(dt: datetime) -> datetime:
    """First whole hour at or after ``dt``."""
    f = floor_hour(dt)
    return f if f == dt else f + _HOUR


class Ctx:
    """Derived view of one case at one instant under one policy."""

    __slots__ = (
        "anomaly",
        "anomaly_due",
        "anomaly_reason",
        "case",
        "evidence",
        "interceptable",
        "last_event",
        "now",
        "order",
        "picked_up_at",
        "pickup_by",
        "policy",
        "refund",
        "refund_amount",
        "respond_by",
        "ship_by",
        "shipment",
        "signed_at",
        "stage",
    )

    def __init__(self, case: CaseFacts, now: datetime, policy: Policy) -> None:
        self.case = case
        self.now = now
        self.policy = policy
        order: OrderFacts = case.order
        self.order = order
        sh = case.shipment or _EMPTY_SHIPMENT
        self.shipment = sh
        rf = case.refund
        self.refund: RefundFacts | None = rf

        # The ship window runs from group formation (003 §9): an order still awaiting
        # its group has no ship-by yet. Orders without a group phase (group_formed_at
        # unset, already awaiting shipment) count from confirmation.
        self.ship_by: datetime | None
        if order.ship_by is not None:
            self.ship_by = order.ship_by
        elif order.group_formed_at is not None:
            self.ship_by = order.group_formed_at + policy.ship_window_td
        elif order.status is _AWAITING_GROUP:
            self.ship_by = None
        else:
            self.ship_by = order.confirmed_at + policy.ship_window_td

        events = sh.events
        signed_at: datetime | None = None
        picked: datetime | None = sh.picked_up_at
        last: TrackingEvent | None = None
        delivery_seen = False
        for e in events:
            k = e.kind
            at = e.at
            if last is None or at >= last.at:
                last = e
            if k is _SIGNED:
                delivery_seen = True
                if signed_at is None or at < signed_at:
                    signed_at = at
            elif k is _PICKUP:
                if picked is None or at < picked:
                    picked = at
            elif k is _OUT_FOR_DELIVERY:
                delivery_seen = True
        self.signed_at = signed_at
        self.picked_up_at = picked
        self.last_event = last
        self.interceptable = sh.interceptable if sh.interceptable is not None else not delivery_seen

        if (
            signed_at is not None
            or sh.signer is not None
            or order.status is _ORDER_SIGNED
            or order.status is _COMPLETED
        ):
            stage = SIGNED
        elif last is not None and last.kind in _BACK:
            stage = RETURNED
        elif sh.tracking_uploaded_at is not None:
            stage = IN_TRANSIT
        elif sh.shipped_offline_at is not None:
            stage = OFFLINE_ONLY
        else:
            stage = NOT_SHIPPED
        self.stage = stage

        up = sh.tracking_uploaded_at
        self.pickup_by: datetime | None = (
            up + policy.pickup_limit_td if up is not None and picked is None else None
        )

        self.respond_by: datetime | None = None
        self.refund_amount: Decimal | None = None
        if rf is not None:
            amt = rf.amount if rf.amount is not None else order.amount
            self.refund_amount = amt.quantize(CENT, ROUND_HALF_UP)
            if rf.status is _PENDING:
                self.respond_by = rf.requested_at + policy.respond_by_td
            ev = rf.buyer_evidence
            self.evidence = ev | case.merchant_evidence if case.merchant_evidence else ev
        else:
            self.evidence = case.merchant_evidence

        self.anomaly: str | None = None
        self.anomaly_reason = "no tracking to watch"
        self.anomaly_due: datetime | None = None
        if stage == IN_TRANSIT:
            self._logistics(now, policy, up, picked, last)

    def _logistics(
        self,
        now: datetime,
        policy: Policy,
        up: datetime | None,
        picked: datetime | None,
        last: TrackingEvent | None,
    ) -> None:
        """Classify the parcel's movement into L1–L4 (002, 004)."""
        if picked is None:
            assert up is not None
            due = up + policy.pickup_limit_td
            self.anomaly_due = due
            late = now - up
            if now > due:
                self.anomaly = "L1"
                self.anomaly_reason = (
                    f"tracking uploaded {hours(late)} ago, no pickup scan; "
                    f"limit {policy.pickup_limit_hours} h"
                )
            else:
                self.anomaly_reason = (
                    f"tracking uploaded {hours(late)} ago, pickup scan still within "
                    f"{policy.pickup_limit_hours} h"
                )
            return
        if last is None or last.at <= picked:
            due = picked + policy.first_update_td
            self.anomaly_due = due
            if now > due:
                self.anomaly = "L2"
                self.anomaly_reason = (
                    f"picked up {hours(now - picked)} ago with no later event; "
                    f"limit {policy.first_update_limit_hours} h"
                )
            else:
                self.anomaly_reason = (
                    f"picked up {hours(now - picked)} ago, next event still within "
                    f"{policy.first_update_limit_hours} h"
                )
            return
        k = last.kind
        if k is _EXCEPTION:
            self.anomaly = "L4"
            self.anomaly_due = last.at
            self.anomaly_reason = f"delivery exception reported at {local_time(last.at)}"
            return
        if k is _OUT_FOR_DELIVERY:
            due = last.at + policy.delivery_td
            self.anomaly_due = due
            if now > due:
                self.anomaly = "L4"
                self.anomaly_reason = (
                    f"out for delivery {hours(now - last.at)} ago without a signature; "
                    f"limit {policy.delivery_stagnation_hours} h"
                )
            else:
                self.anomaly_reason = "out for delivery, within the delivery limit"
            return
        remote = self.order.remote_destination
        limit_td = policy.transit_remote_td if remote else policy.transit_td
        limit_h = (
            policy.transit_stagnation_remote_hours if remote else policy.transit_stagnation_hours
        )
        departed = any(e.kind is _SORTING_DEPARTURE for e in self.shipment.events)
        due = last.at + limit_td
        self.anomaly_due = due
        if departed and now > due:
            self.anomaly = "L3"
            self.anomaly_reason = (
                f"left the sorting centre, last event {hours(now - last.at)} ago "
                f"({last.kind}); limit {limit_h} h"
                + (" for a remote destination" if remote else "")
            )
        else:
            self.anomaly_reason = f"last event {hours(now - last.at)} ago, within {limit_h} h"
