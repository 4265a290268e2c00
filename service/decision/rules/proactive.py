"""V1–V3: proactive moves when no buyer request is pending (seed 000 §1).

The shop acts before the buyer asks: once the group forms it tells the buyer when the
parcel will ship, once the tracking number is online it sends the details, and when a
delay is certain (out of stock) or the ship-by has passed it apologises and names a new
hour. These rules sit in the monitor chain only, so buyer-initiated cases are unchanged.
"""

from __future__ import annotations

from service.decision.derive import IN_TRANSIT, NOT_SHIPPED, Ctx, ceil_hour, floor_hour
from service.decision.facts import OrderStatus
from service.decision.outcome import (
    Action,
    Alternative,
    Deadline,
    DeadlineKind,
    MoneyAtRisk,
    RiskKind,
)
from service.decision.policy import CENT
from service.decision.rules.base import Outcome, fact, rule
from service.decision.timefmt import hours, local_en, local_time, local_zh

FAMILY = "proactive"

_ALT_REFUND = Alternative(
    Action.AGREE_REFUND, "V3", "if the buyer will not wait for the new hour, refund at once"
)


# Enum members the checks read, as module globals: in Python 3.11 a member read off
# its class goes through EnumType.__getattr__'s slow hook (see derive.py).
APOLOGIZE_AND_PROMISE = Action.APOLOGIZE_AND_PROMISE
AWAITING_SHIPMENT = OrderStatus.AWAITING_SHIPMENT
COUPON = RiskKind.COUPON
INFORM_BY = DeadlineKind.INFORM_BY
INFORM_TRACKING = Action.INFORM_TRACKING
PROMISED_SHIP_AT = DeadlineKind.PROMISED_SHIP_AT
PROMISE_SHIP_TIME = Action.PROMISE_SHIP_TIME
REFUND_AMOUNT = RiskKind.REFUND_AMOUNT


@rule(
    "V1",
    "Group formed, not shipped, before ship-by: tell the buyer the expected ship time",
    Action.PROMISE_SHIP_TIME,
    seed="000 §1 step 2",
    family=FAMILY,
)
def v1_promise_ship_time(c: Ctx) -> str | Outcome:
    if c.stage != NOT_SHIPPED:
        return f"stage is {c.stage}, not unshipped"
    if c.order.status is not AWAITING_SHIPMENT:
        return "order status is " + c.order.status + ", not awaiting shipment"
    sb = c.ship_by
    if sb is None:
        return "no ship-by yet"
    if not c.order.can_fulfil:
        return "shop cannot fulfil the order: a delay is certain"
    if c.now > sb:
        return f"ship-by {local_time(sb)} already passed"
    # The promise is a whole hour that never moves with "now", so the stored state and a
    # fresh decision agree on it until the facts change.
    promised = floor_hour(sb)
    return Outcome(
        PROMISE_SHIP_TIME,
        f"group formed, not shipped; ship-by {local_time(sb)} in {hours(sb - c.now)}: "
        f"tell the buyer it ships by {local_time(promised)}",
        (fact("order.group_formed_at", c.order.group_formed_at), fact("order.ship_by", sb)),
        (
            "Tell the buyer the expected ship hour, no later than the ship-by",
            "Ship and upload the tracking number before that hour",
        ),
        "V1",
        params={"hour_zh": local_zh(promised), "hour_en": local_en(promised)},
    )


@rule(
    "V2",
    "Tracking uploaded, no anomaly, within the inform window: send the tracking details",
    Action.INFORM_TRACKING,
    seed="000 §1 step 3",
    family=FAMILY,
)
def v2_inform_tracking(c: Ctx) -> str | Outcome:
    if c.stage != IN_TRANSIT:
        return f"stage is {c.stage}, not in transit"
    up = c.shipment.tracking_uploaded_at
    assert up is not None  # IN_TRANSIT means the tracking number is online
    p = c.policy
    due = up + p.inform_tracking_td
    if c.now > due:
        return f"tracking uploaded {hours(c.now - up)} ago, past the {p.inform_tracking_hours} h"
    return Outcome(
        INFORM_TRACKING,
        f"tracking uploaded at {local_time(up)} ({hours(c.now - up)} ago): send the buyer "
        f"carrier, number and ship time within {p.inform_tracking_hours} h",
        (
            fact("shipment.tracking_uploaded_at", up),
            fact("shipment.carrier", c.shipment.carrier or "-"),
            fact("shipment.tracking_number", c.shipment.tracking_number or "-"),
        ),
        (
            "Send the buyer the carrier, tracking number, origin and ship time",
            "Point the buyer to the platform tracking page",
        ),
        "V2",
        deadlines=(Deadline(INFORM_BY, due, "send the tracking details by"),),
    )


@rule(
    "V3",
    "Not shipped and ship-by passed or stock missing: apologise and promise a new hour",
    Action.APOLOGIZE_AND_PROMISE,
    seed="000 §1 step 4",
    family=FAMILY,
)
def v3_apologise_for_delay(c: Ctx) -> str | Outcome:
    if c.stage != NOT_SHIPPED:
        return f"stage is {c.stage}, not unshipped"
    if c.order.status is not AWAITING_SHIPMENT:
        return "order status is " + c.order.status + ", not awaiting shipment"
    sb = c.ship_by
    if sb is None:
        return "no ship-by yet"
    late = c.now > sb
    if not late and c.order.can_fulfil:
        return f"still before ship-by {local_time(sb)} with stock"
    p = c.policy
    # The new hour counts from the moment the delay became certain (the ship-by, or the
    # ship-by itself when stock is missing before it), not from "now": the promise an
    # agent reads must not drift from page to page.
    promised = ceil_hour(sb + p.late_promise_td)
    why = (
        f"not shipped and {hours(c.now - sb)} past ship-by {local_time(sb)}"
        if late
        else f"stock missing, ship-by {local_time(sb)} cannot be met"
    )
    return Outcome(
        APOLOGIZE_AND_PROMISE,
        f"{why}: apologise now, promise {local_time(promised)}, "
        f"coupon {p.coupon_text} CNY if the buyer waits",
        (fact("order.ship_by", sb), fact("order.can_fulfil", c.order.can_fulfil)),
        (
            "Message the buyer before they ask: apologise and give the real reason",
            "Name the new ship hour and keep it",
            f"Offer a {p.coupon_text} CNY coupon after shipping if the buyer waits",
            "If the buyer will not wait, refund at once",
        ),
        "V3",
        deadlines=(Deadline(PROMISED_SHIP_AT, promised, "new hour to promise"),),
        money=(
            MoneyAtRisk(COUPON, p.coupon_amount),
            MoneyAtRisk(REFUND_AMOUNT, c.order.amount.quantize(CENT)),
        ),
        alternatives=(_ALT_REFUND,),
        params={"hour_zh": local_zh(promised), "hour_en": local_en(promised)},
    )


RULES = (v3_apologise_for_delay, v1_promise_ship_time, v2_inform_tracking)
