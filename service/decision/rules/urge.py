"""U1–U5: the buyer urges shipment or asks where the parcel is (seed 000 passive (1))."""

from __future__ import annotations

from service.decision.derive import (
    IN_TRANSIT,
    NOT_SHIPPED,
    OFFLINE_ONLY,
    RETURNED,
    SIGNED,
    Ctx,
    ceil_hour,
    floor_hour,
)
from service.decision.facts import RefundStatus
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

FAMILY = "urge"

# 003 §9: the ship window starts when the group forms.
NO_SHIP_BY = "order still awaiting its group: no ship-by yet"

_ALT_REFUND_IF_NO_WAIT = Alternative(
    Action.AGREE_REFUND, "U3", "if the buyer will not wait for the new hour, refund at once"
)
_ALT_LATE = Alternative(
    Action.APOLOGIZE_AND_PROMISE, "U3", "if the promised ship-by passes before shipping"
)


# Enum members the checks read, as module globals: in Python 3.11 a member read off
# its class goes through EnumType.__getattr__'s slow hook (see derive.py).
AGREE_REFUND = Action.AGREE_REFUND
APOLOGIZE_AND_PROMISE = Action.APOLOGIZE_AND_PROMISE
COUPON = RiskKind.COUPON
INFORM_TRACKING = Action.INFORM_TRACKING
PENDING = RefundStatus.PENDING
PROMISED_SHIP_AT = DeadlineKind.PROMISED_SHIP_AT
PROMISE_SHIP_TIME = Action.PROMISE_SHIP_TIME
REFUND_AMOUNT = RiskKind.REFUND_AMOUNT
UPLOAD_TRACKING = Action.UPLOAD_TRACKING


@rule(
    "U1",
    "Shipped offline but no tracking number online: upload it, tell the buyer",
    Action.UPLOAD_TRACKING,
    seed="000 (1)1",
    family=FAMILY,
)
def u1_shipped_offline_no_tracking(c: Ctx) -> str | Outcome:
    if c.stage != OFFLINE_ONLY:
        return f"stage is {c.stage}, not shipped-offline-without-tracking"
    sh = c.shipment
    assert sh.shipped_offline_at is not None
    p = c.policy
    steps = [
        "Upload the tracking number online now",
        "Send the buyer the carrier and tracking number",
        f"Tell the buyer the carrier updates the tracking within {p.first_update_limit_hours} h",
    ]
    rf = c.refund
    pending = rf is not None and rf.status is PENDING
    if pending:
        steps.append("Ask the buyer to withdraw the pending refund request")
    return Outcome(
        UPLOAD_TRACKING,
        f"handed to the carrier at {local_time(sh.shipped_offline_at)} "
        f"({hours(c.now - sh.shipped_offline_at)} ago) but no tracking number online"
        + ("; a refund request is pending" if pending else ""),
        (
            fact("shipment.shipped_offline_at", sh.shipped_offline_at),
            fact("shipment.tracking_uploaded_at", None),
        ),
        tuple(steps),
        "U1.refund" if pending else "U1",
        params={"update_hours": str(p.first_update_limit_hours)},
    )


@rule(
    "U2",
    "Not shipped, can ship, before ship-by: promise a ship hour within the window",
    Action.PROMISE_SHIP_TIME,
    seed="000 (1)2.1.1",
    family=FAMILY,
)
def u2_promise_before_ship_by(c: Ctx) -> str | Outcome:
    if c.stage != NOT_SHIPPED:
        return f"stage is {c.stage}, not unshipped"
    if not c.order.can_fulfil:
        return "shop cannot fulfil the order"
    sb = c.ship_by
    if sb is None:
        return NO_SHIP_BY
    if c.now > sb:
        return f"ship-by {local_time(sb)} already passed"
    promised = floor_hour(sb)
    if promised < c.now:
        promised = sb
    return Outcome(
        PROMISE_SHIP_TIME,
        f"not shipped, stock available, {hours(sb - c.now)} left before ship-by "
        f"{local_time(sb)}; promise {local_time(promised)}",
        (fact("order.ship_by", sb), fact("order.can_fulfil", True)),
        (
            "Agree a ship hour with the buyer, no later than the ship-by",
            "Ship and upload the tracking number before that hour",
            "Tell the buyer in chat once it has shipped",
        ),
        "U2",
        deadlines=(Deadline(PROMISED_SHIP_AT, promised, "promised to the buyer"),),
        alternatives=(_ALT_LATE,),
        params={"hour_zh": local_zh(promised), "hour_en": local_en(promised)},
    )


@rule(
    "U3",
    "Not shipped, can ship, past ship-by: apologise, promise an hour, coupon or refund",
    Action.APOLOGIZE_AND_PROMISE,
    seed="000 (1)2.1.2",
    family=FAMILY,
)
def u3_late_apologise(c: Ctx) -> str | Outcome:
    if c.stage != NOT_SHIPPED:
        return f"stage is {c.stage}, not unshipped"
    if not c.order.can_fulfil:
        return "shop cannot fulfil the order"
    sb = c.ship_by
    if sb is None:
        return NO_SHIP_BY
    if c.now <= sb:
        return f"still before ship-by {local_time(sb)}"
    p = c.policy
    promised = ceil_hour(c.now + p.late_promise_td)
    return Outcome(
        APOLOGIZE_AND_PROMISE,
        f"not shipped and {hours(c.now - sb)} past ship-by {local_time(sb)}; "
        f"promise {local_time(promised)}, coupon {p.coupon_text} CNY if the buyer waits",
        (fact("order.ship_by", sb), fact("order.can_fulfil", True)),
        (
            "Apologise and give the real reason for the delay",
            "Commit to a ship hour",
            f"Offer a {p.coupon_text} CNY coupon after shipping if the buyer waits",
            "If the buyer will not wait, refund at once",
        ),
        "U3",
        deadlines=(Deadline(PROMISED_SHIP_AT, promised, "new hour promised"),),
        money=(
            MoneyAtRisk(COUPON, p.coupon_amount),
            MoneyAtRisk(REFUND_AMOUNT, c.order.amount.quantize(CENT)),
        ),
        alternatives=(_ALT_REFUND_IF_NO_WAIT,),
        params={"hour_zh": local_zh(promised), "hour_en": local_en(promised)},
    )


@rule(
    "U4",
    "Not shipped and cannot ship (out of stock): refund proactively, apologise, coupon",
    Action.AGREE_REFUND,
    seed="000 (1)2.2",
    family=FAMILY,
)
def u4_cannot_ship(c: Ctx) -> str | Outcome:
    if c.stage != NOT_SHIPPED:
        return f"stage is {c.stage}, not unshipped"
    if c.order.can_fulfil:
        return "shop can fulfil the order"
    p = c.policy
    return Outcome(
        AGREE_REFUND,
        "not shipped and the shop cannot fulfil it (no stock)",
        (fact("order.can_fulfil", False),),
        (
            "Apologise and explain why the item cannot be sent",
            "Start the refund for the buyer now",
            f"Send a {p.coupon_text} CNY coupon for another item",
        ),
        "U4",
        money=(
            MoneyAtRisk(REFUND_AMOUNT, c.order.amount.quantize(CENT)),
            MoneyAtRisk(COUPON, p.coupon_amount),
        ),
    )


@rule(
    "U5",
    "Shipped and tracked (no logistics anomaly): tell the buyer carrier, number, status",
    Action.INFORM_TRACKING,
    seed="000 §1 step 3",
    family=FAMILY,
)
def u5_inform_tracking(c: Ctx) -> str | Outcome:
    if c.stage not in (IN_TRANSIT, SIGNED, RETURNED):
        return f"stage is {c.stage}, nothing tracked yet"
    sh = c.shipment
    last = c.last_event
    status = "no event yet" if last is None else f"{last.kind} at {local_time(last.at)}"
    return Outcome(
        INFORM_TRACKING,
        f"parcel tracked ({c.stage}), latest: {status}; {c.anomaly_reason}",
        (
            fact("shipment.carrier", sh.carrier or "-"),
            fact("shipment.tracking_number", sh.tracking_number or "-"),
            fact("latest_event", status),
        ),
        (
            "Send the buyer the carrier, tracking number and latest status",
            "Point the buyer to the platform tracking page",
        ),
        "U5.signed" if c.stage == SIGNED else "U5",
    )


RULES = (
    u1_shipped_offline_no_tracking,
    u2_promise_before_ship_by,
    u3_late_apologise,
    u4_cannot_ship,
    u5_inform_tracking,
)
