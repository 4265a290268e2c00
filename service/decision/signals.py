"""Proactive signals (000 §1): what is due before the buyer asks, and the
即将逾期 queue (ship-by, pickup limit, platform auto-agree) a CS dashboard opens first."""

from __future__ import annotations

from service.decision.derive import IN_TRANSIT, NOT_SHIPPED, OFFLINE_ONLY, Ctx
from service.decision.facts import OrderStatus
from service.decision.outcome import Signal, SignalKind
from service.decision.timefmt import hours, local_time

# Enum members the checks read, as module globals: in Python 3.11 a member read off
# its class goes through EnumType.__getattr__'s slow hook (see derive.py).
AUTO_AGREE_APPROACHING = SignalKind.AUTO_AGREE_APPROACHING
CANCELLED = OrderStatus.CANCELLED
PICKUP_LIMIT_APPROACHING = SignalKind.PICKUP_LIMIT_APPROACHING
SEND_TRACKING_DETAILS = SignalKind.SEND_TRACKING_DETAILS
SHIP_BY_APPROACHING = SignalKind.SHIP_BY_APPROACHING
TELL_EXPECTED_SHIP_TIME = SignalKind.TELL_EXPECTED_SHIP_TIME


def signals_for(c: Ctx) -> tuple[Signal, ...]:
    """Every proactive signal that applies to ``c`` at ``c.now``."""
    out: list[Signal] = []
    now = c.now
    p = c.policy
    stage = c.stage
    unshipped = stage in (NOT_SHIPPED, OFFLINE_ONLY)
    sb = c.ship_by
    if unshipped and sb is not None and c.order.status is not CANCELLED:
        if sb - p.ship_by_lead_td <= now <= sb:
            out.append(
                Signal(
                    SHIP_BY_APPROACHING,
                    sb,
                    f"ship-by {local_time(sb)} in {hours(sb - now)}: ship and upload tracking",
                )
            )
        formed = c.order.group_formed_at
        if formed is not None and stage == NOT_SHIPPED:
            out.append(
                Signal(
                    TELL_EXPECTED_SHIP_TIME,
                    formed,
                    f"group formed {local_time(formed)}: tell the buyer the expected ship time "
                    f"(no later than {local_time(sb)})",
                )
            )
    pb = c.pickup_by
    if pb is not None and pb - p.pickup_lead_td <= now <= pb:
        out.append(
            Signal(
                PICKUP_LIMIT_APPROACHING,
                pb,
                f"no pickup scan yet; limit {local_time(pb)} in {hours(pb - now)}",
            )
        )
    rb = c.respond_by
    if rb is not None and rb - p.auto_agree_lead_td <= now <= rb:
        out.append(
            Signal(
                AUTO_AGREE_APPROACHING,
                rb,
                f"refund request auto-agrees at {local_time(rb)} (in {hours(rb - now)})",
            )
        )
    up = c.shipment.tracking_uploaded_at
    if up is not None and stage == IN_TRANSIT:
        out.append(
            Signal(
                SEND_TRACKING_DETAILS,
                up,
                "send the buyer carrier, tracking number, origin and ship time",
            )
        )
    return tuple(out)
