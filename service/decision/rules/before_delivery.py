"""R1–R6: a refund request before the parcel is signed for (000 (2), 001, 003 §1–3, §9)."""

from __future__ import annotations

from service.decision.derive import IN_TRANSIT, NOT_SHIPPED, OFFLINE_ONLY, Ctx
from service.decision.facts import OrderStatus
from service.decision.outcome import Action, Alternative
from service.decision.rules.base import Outcome, fact, rule
from service.decision.rules.logistics import anomaly_steps, exemption_note, fine_at_risk
from service.decision.timefmt import hours, local_time

FAMILY = "before_delivery"

_ALT_REJECTION = Alternative(
    Action.AGREE_REFUND_AFTER_REJECTION,
    "R5",
    "if the parcel is already out for delivery and can no longer be intercepted",
)
_ALT_INTERCEPT = Alternative(
    Action.INTERCEPT, "R4", "if the carrier can still stop the parcel before delivery dispatch"
)


# Enum members the checks read, as module globals: in Python 3.11 a member read off
# its class goes through EnumType.__getattr__'s slow hook (see derive.py).
AGREE_REFUND = Action.AGREE_REFUND
AGREE_REFUND_AFTER_REJECTION = Action.AGREE_REFUND_AFTER_REJECTION
AWAITING_GROUP = OrderStatus.AWAITING_GROUP
GUIDE_TO_PLATFORM_SUPPORT = Action.GUIDE_TO_PLATFORM_SUPPORT
INTERCEPT = Action.INTERCEPT


@rule(
    "R1",
    "Order awaiting group: merchant cannot cancel, guide the buyer to platform support",
    Action.GUIDE_TO_PLATFORM_SUPPORT,
    seed="003 §1",
    family=FAMILY,
)
def r1_awaiting_group(c: Ctx) -> str | Outcome:
    if c.order.status is not AWAITING_GROUP:
        return "order status is " + c.order.status
    return Outcome(
        GUIDE_TO_PLATFORM_SUPPORT,
        "order is still awaiting its group; the merchant has no cancel button",
        (fact("order.status", AWAITING_GROUP),),
        (
            "Explain that the shop cannot cancel an order still awaiting its group",
            "Walk the buyer through: personal centre > my messages > platform support",
            "Ask the buyer to leave the order number and the request there",
        ),
        "R1",
    )


@rule(
    "R2",
    "Not shipped: apologise and refund fast (the ship-by clock keeps running)",
    Action.AGREE_REFUND,
    seed="000 (2)2, 003 §2, §9",
    family=FAMILY,
)
def r2_not_shipped(c: Ctx) -> str | Outcome:
    if c.stage != NOT_SHIPPED:
        return f"stage is {c.stage}, not unshipped"
    sb = c.ship_by
    if sb is None:  # R1 answers orders awaiting their group; kept total for safety
        clock = "no ship-by yet (group not formed)"
    else:
        left = hours(sb - c.now) if sb >= c.now else "already passed"
        clock = f"ship-by {local_time(sb)} keeps running while the request waits ({left})"
    return Outcome(
        AGREE_REFUND,
        f"not shipped; {clock}",
        (fact("order.ship_by", sb), fact("shipment.tracking_uploaded_at", None)),
        (
            "Apologise to the buyer",
            "Agree the refund now; do not let it wait into a late-shipment order",
            "Cancel the order in the warehouse queue",
        ),
        "R2",
    )


@rule(
    "R3",
    "Shipped offline, no tracking online: agree the refund and recall the parcel offline",
    Action.AGREE_REFUND,
    seed="000 (2)1",
    family=FAMILY,
)
def r3_offline_recall(c: Ctx) -> str | Outcome:
    if c.stage != OFFLINE_ONLY:
        return f"stage is {c.stage}, not shipped-offline-without-tracking"
    sh = c.shipment
    assert sh.shipped_offline_at is not None  # that is what OFFLINE_ONLY means
    return Outcome(
        AGREE_REFUND,
        f"handed to the carrier offline at {local_time(sh.shipped_offline_at)}"
        " but never uploaded; the buyer asked for the refund",
        (fact("shipment.shipped_offline_at", sh.shipped_offline_at),),
        (
            "Agree the refund",
            "Ask the carrier to return the parcel to the shop",
            "Record the return postage as a cost",
        ),
        "R3",
    )


def _in_transit(c: Ctx) -> str | None:
    if c.stage != IN_TRANSIT:
        return f"stage is {c.stage}, not in transit"
    return None


@rule(
    "R6",
    "In transit and stagnant (L1–L4): intercept or agree-after-rejection, and chase carrier",
    Action.INTERCEPT,
    Action.AGREE_REFUND_AFTER_REJECTION,
    seed="001, 004",
    family=FAMILY,
)
def r6_stagnant_in_transit(c: Ctx) -> str | Outcome:
    why = _in_transit(c)
    if why is not None:
        return why
    if c.anomaly is None:
        return c.anomaly_reason
    if c.interceptable:
        action, first, alt, key = (
            INTERCEPT,
            "Request interception (快递拦截) and refund once it is stopped",
            _ALT_REJECTION,
            "R6.intercept",
        )
    else:
        action, first, alt, key = (
            AGREE_REFUND_AFTER_REJECTION,
            "Choose agree-refund-after-rejection; the refund fires on the rejection scan",
            _ALT_INTERCEPT,
            "R6.reject",
        )
    return Outcome(
        action,
        f"refund requested while the parcel is stuck ({c.anomaly}: {c.anomaly_reason}); "
        f"interceptable: {'yes' if c.interceptable else 'no'}{exemption_note(c)}",
        (fact("logistics_anomaly", c.anomaly), fact("interceptable", c.interceptable)),
        (first, *anomaly_steps(c)),
        key,
        money=fine_at_risk(c),
        alternatives=(alt,),
    )


@rule(
    "R4",
    "In transit, interception still possible: intercept, then refund",
    Action.INTERCEPT,
    seed="001 tip 3, 003 §3",
    family=FAMILY,
)
def r4_intercept(c: Ctx) -> str | Outcome:
    why = _in_transit(c)
    if why is not None:
        return why
    if not c.interceptable:
        return "parcel already out for delivery, no interception"
    return Outcome(
        INTERCEPT,
        "refund requested while in transit; not yet out for delivery, interception possible",
        (fact("interceptable", True), fact("shipment.tracking_number", c.shipment.tracking_number)),
        (
            "Request interception (快递拦截) from the refund page or the carrier",
            "Confirm with the buyer that they still want the refund",
            "Agree the refund once the carrier confirms the parcel is stopped",
        ),
        "R4",
        alternatives=(_ALT_REJECTION,),
    )


@rule(
    "R5",
    "In transit, out for delivery (no interception): agree refund after rejection",
    Action.AGREE_REFUND_AFTER_REJECTION,
    seed="001 tip 2, 004 §3.2",
    family=FAMILY,
)
def r5_after_rejection(c: Ctx) -> str | Outcome:
    why = _in_transit(c)
    if why is not None:
        return why
    if c.interceptable:
        return "interception still possible"
    return Outcome(
        AGREE_REFUND_AFTER_REJECTION,
        "refund requested while the parcel is out for delivery; interception no longer possible",
        (fact("interceptable", False),),
        (
            "Choose agree-refund-after-rejection (同意拒收后退款) on the refund page",
            "Ask the buyer to refuse the parcel at the door",
            "The platform refunds once tracking shows the rejection",
        ),
        "R5",
        alternatives=(_ALT_INTERCEPT,),
    )
