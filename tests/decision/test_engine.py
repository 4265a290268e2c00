"""Golden cases: one or more rows per rule, both sides of every boundary, clock frozen.

Each row: facts, now, expected action and rule id, and optionally a check of a
key deadline / money figure. One parametrised test runs them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from service.decision import (
    Action,
    CaseFacts,
    DeadlineKind,
    Decision,
    EvidenceKind,
    Inquiry,
    OrderFacts,
    OrderStatus,
    Platform,
    PlatformRefundKind,
    RefundReason,
    RefundStatus,
    RefundType,
    RiskKind,
    ShipmentFacts,
    SignerKind,
    TrackingEventKind,
    decide,
)
from service.decision.exemptions import covering
from service.decision.facts import ExemptionFacts
from tests.decision.factories import (
    T0,
    case,
    ev,
    h,
    in_transit,
    order,
    refund,
    shipment,
    signed,
)

E = EvidenceKind
K = TrackingEventKind
SEC = timedelta(seconds=1)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Golden:
    name: str
    facts: CaseFacts
    now: datetime
    action: Action
    rule_id: str
    check: Callable[[Decision], bool] | None = None


def deadline(d: Decision, kind: DeadlineKind) -> datetime | None:
    return next((x.at for x in d.deadlines if x.kind is kind), None)


def money(d: Decision, kind: RiskKind) -> Decimal | None:
    return next((x.amount for x in d.money_at_risk if x.kind is kind), None)


# A declared exemption (004 §4): ZTO parcels to Zhejiang / Jinhua moving during day 0-2.
EXEMPTION = ExemptionFacts(7, "中通快递", "浙江省", "金华市", h(0), h(48))
TO_JINHUA = order(destination_province="浙江省", destination_city="金华市")


def exempted(o: OrderFacts, sh: ShipmentFacts, ex: ExemptionFacts = EXEMPTION) -> CaseFacts:
    """The case as the store builds it: with the exemption if it covers the parcel."""
    return case(order=o, shipment=sh, exemption=covering((ex,), o, sh))


def fine_kept(d: Decision) -> bool:
    return money(d, RiskKind.FAKE_LOGISTICS_FINE) == Decimal("14.98") and "#7" not in d.rationale


def fine_waived_citing(d: Decision) -> bool:
    return money(d, RiskKind.FAKE_LOGISTICS_FINE) is None and "exemption #7" in d.rationale


URGE = Inquiry.URGE_SHIPMENT
OFFLINE = shipment(shipped_offline_at=h(1))
PICKED_ONLY = shipment(tracking_uploaded_at=h(2), picked_up_at=h(3), events=(ev(h(3), K.PICKUP),))
DEPARTED = in_transit(
    events=(ev(h(3), K.PICKUP), ev(h(10), K.SORTING_DEPARTURE)),
)
UPLOADED = shipment(tracking_uploaded_at=h(2))
OUT_FOR_DELIVERY = in_transit(
    events=(ev(h(3), K.PICKUP), ev(h(10), K.SORTING_DEPARTURE), ev(h(20), K.OUT_FOR_DELIVERY))
)

# Fast refund: confirmed T0, filed at exactly T0+2h, paid 5 min later; shipped offline at
# T0+1h, picked up T0+1.5h, signed at T0+40h.
REFUNDED_AT = h(2) + timedelta(minutes=5)
FAST_SHIPPED = shipment(
    shipped_offline_at=h(1),
    picked_up_at=h(1.5),
    events=(ev(h(1.5), K.PICKUP), ev(h(40), K.SIGNED)),
    signer=SignerKind.BUYER,
)


def fast_refund(**kw: object) -> CaseFacts:
    base: dict[str, object] = {
        "requested_at": h(2),
        "status": RefundStatus.REFUNDED,
        "refunded_at": REFUNDED_AT,
        "platform_refund": PlatformRefundKind.FAST_REFUND,
    }
    base.update(kw)
    return case(
        order=order(status=OrderStatus.SIGNED),
        shipment=FAST_SHIPPED,
        refund=refund(**base),  # type: ignore[arg-type]
    )


def signed_refund(**kw: object) -> Callable[..., CaseFacts]:
    def build(sh: object = None, **more: object) -> CaseFacts:
        args: dict[str, object] = {"requested_at": h(50), **kw, **more}
        return case(
            order=order(status=OrderStatus.SIGNED),
            shipment=sh if sh is not None else signed(),  # type: ignore[arg-type]
            refund=refund(**args),  # type: ignore[arg-type]
        )

    return build


quality = signed_refund(reason=RefundReason.QUALITY, type=RefundType.RETURN_AND_REFUND)
damaged = signed_refund(reason=RefundReason.DAMAGED_FOUND_LATER)
PHOTOS = frozenset({E.OUTER_PACKAGE_PHOTO, E.DAMAGE_PHOTO})
# S6: the buyer's photo of what arrived, and of the box it came in.
PARCEL_PHOTOS = frozenset({E.OUTER_PACKAGE_PHOTO, E.CONTENTS_PHOTO})
missing = signed_refund(reason=RefundReason.MISSING_ITEM, buyer_evidence=PARCEL_PHOTOS)
missing_no_photo = signed_refund(reason=RefundReason.MISSING_ITEM)
wrong = signed_refund(reason=RefundReason.WRONG_ITEM, buyer_evidence=PARCEL_PHOTOS)
wrong_no_photo = signed_refund(reason=RefundReason.WRONG_ITEM)
CLEAN = signed(outbound_recorded=True, expected_weight_g=1500, recorded_weight_g=1500)


def asks_for_contents_photo(d: Decision) -> bool:
    """The decision lists the contents and outer-package photos as needed and missing."""
    by_kind = {e.kind: e for e in d.evidence}
    return all(
        k in by_kind and by_kind[k].needed and not by_kind[k].present
        for k in (E.CONTENTS_PHOTO, E.OUTER_PACKAGE_PHOTO)
    ) and any(a.action is Action.REISSUE for a in d.alternatives)


def merchant_holds(facts: CaseFacts, *kinds: EvidenceKind) -> CaseFacts:
    return replace(facts, merchant_evidence=frozenset(kinds))


GOLDEN: list[Golden] = [
    # --- U: buyer urges shipment -------------------------------------------------
    Golden(
        "U1 offline, no tracking",
        case(shipment=OFFLINE, inquiry=URGE),
        h(3),
        Action.UPLOAD_TRACKING,
        "U1",
    ),
    Golden(
        "U1 with pending refund asks to withdraw",
        case(shipment=OFFLINE, refund=refund(reason=RefundReason.NOT_SHIPPED), inquiry=URGE),
        h(3),
        Action.UPLOAD_TRACKING,
        "U1",
        lambda d: (
            any("withdraw" in s for s in d.steps)
            and deadline(d, DeadlineKind.RESPOND_BY) == h(1 + 48)
        ),
    ),
    Golden(
        "U2 before ship-by",
        case(inquiry=URGE),
        h(10),
        Action.PROMISE_SHIP_TIME,
        "U2",
        lambda d: (
            (p := deadline(d, DeadlineKind.PROMISED_SHIP_AT)) is not None
            and h(10) <= p <= h(48)
            and "11月22日 10:00" in d.scripts.zh_cn
            and "22 Nov 10:00" in d.scripts.en
        ),
    ),
    Golden("U2 exactly at ship-by", case(inquiry=URGE), h(48), Action.PROMISE_SHIP_TIME, "U2"),
    Golden(
        "U3 one second past ship-by",
        case(inquiry=URGE),
        h(48) + SEC,
        Action.APOLOGIZE_AND_PROMISE,
        "U3",
        lambda d: money(d, RiskKind.COUPON) == Decimal("5.00"),
    ),
    Golden(
        "U3 ship-by from group formed",
        case(order=order(group_formed_at=h(5)), inquiry=URGE),
        h(53) + SEC,
        Action.APOLOGIZE_AND_PROMISE,
        "U3",
    ),
    Golden(
        "U2 group formed later moves ship-by",
        case(order=order(group_formed_at=h(5)), inquiry=URGE),
        h(53),
        Action.PROMISE_SHIP_TIME,
        "U2",
    ),
    Golden(
        "U4 out of stock",
        case(order=order(can_fulfil=False), inquiry=URGE),
        h(5),
        Action.AGREE_REFUND,
        "U4",
        lambda d: money(d, RiskKind.REFUND_AMOUNT) == Decimal("59.90"),
    ),
    Golden(
        "U5 tracked", case(shipment=in_transit(), inquiry=URGE), h(12), Action.INFORM_TRACKING, "U5"
    ),
    Golden(
        "U5 where is parcel",
        case(shipment=in_transit(), inquiry=Inquiry.WHERE_IS_PARCEL),
        h(12),
        Action.INFORM_TRACKING,
        "U5",
    ),
    Golden(
        "U5 overridden by L1",
        case(shipment=UPLOADED, inquiry=Inquiry.WHERE_IS_PARCEL),
        h(26) + SEC,
        Action.CONTACT_CARRIER,
        "L1",
    ),
    # --- R: refund before delivery -----------------------------------------------
    Golden(
        "R1 awaiting group",
        case(order=order(status=OrderStatus.AWAITING_GROUP), refund=refund()),
        h(2),
        Action.GUIDE_TO_PLATFORM_SUPPORT,
        "R1",
    ),
    Golden(
        "R2 not shipped",
        case(refund=refund()),
        h(2),
        Action.AGREE_REFUND,
        "R2",
        lambda d: (
            deadline(d, DeadlineKind.RESPOND_BY) == h(49)
            and deadline(d, DeadlineKind.SHIP_BY) == h(48)
        ),
    ),
    Golden(
        "R3 offline recall",
        case(shipment=OFFLINE, refund=refund(requested_at=h(2))),
        h(3),
        Action.AGREE_REFUND,
        "R3",
    ),
    Golden(
        "R4 intercept",
        case(shipment=in_transit(), refund=refund(requested_at=h(11))),
        h(12),
        Action.INTERCEPT,
        "R4",
    ),
    Golden(
        "R5 out for delivery",
        case(shipment=OUT_FOR_DELIVERY, refund=refund(requested_at=h(21))),
        h(22),
        Action.AGREE_REFUND_AFTER_REJECTION,
        "R5",
    ),
    Golden(
        "R5 carrier says not interceptable",
        case(shipment=in_transit(interceptable=False), refund=refund(requested_at=h(11))),
        h(12),
        Action.AGREE_REFUND_AFTER_REJECTION,
        "R5",
    ),
    Golden(
        "R6 stagnant, no pickup, interceptable",
        case(shipment=UPLOADED, refund=refund(requested_at=h(20))),
        h(26) + SEC,
        Action.INTERCEPT,
        "R6",
        lambda d: (
            money(d, RiskKind.FAKE_LOGISTICS_FINE) == Decimal("14.98")
            and any("carrier" in s for s in d.steps)
        ),
    ),
    Golden(
        "R6 delivery anomaly, not interceptable",
        case(shipment=OUT_FOR_DELIVERY, refund=refund(requested_at=h(21))),
        h(44) + SEC,
        Action.AGREE_REFUND_AFTER_REJECTION,
        "R6",
    ),
    # --- S: refund after signing -------------------------------------------------
    Golden(
        "S1 proxy signed",
        signed_refund(reason=RefundReason.NOT_RECEIVED)(signed(signer=SignerKind.PROXY)),
        h(60),
        Action.CONTACT_CARRIER,
        "S1",
    ),
    Golden(
        "S1 locker",
        signed_refund(reason=RefundReason.NOT_RECEIVED)(signed(signer=SignerKind.LOCKER)),
        h(60),
        Action.CONTACT_CARRIER,
        "S1",
    ),
    Golden(
        "S2 not received but buyer signed",
        signed_refund(reason=RefundReason.NOT_RECEIVED)(),
        h(60),
        Action.REJECT_WITH_EVIDENCE,
        "S2",
    ),
    Golden("S2 no reason refund only", signed_refund()(), h(60), Action.REJECT_WITH_EVIDENCE, "S2"),
    Golden(
        "S3 unwanted return",
        signed_refund(reason=RefundReason.NO_LONGER_WANTED, type=RefundType.RETURN_AND_REFUND)(),
        h(60),
        Action.ACCEPT_RETURN,
        "S3",
    ),
    Golden("S4 quality without photo", quality(), h(60), Action.REQUEST_EVIDENCE, "S4"),
    Golden(
        "S4 quality with photo",
        quality(buyer_evidence=frozenset({E.CONTENTS_PHOTO})),
        h(60),
        Action.ACCEPT_RETURN,
        "S4",
    ),
    Golden(
        "S5 31 days after signing, no photos",
        damaged(requested_at=h(40) + 31 * DAY),
        h(40) + 31 * DAY,
        Action.REQUEST_EVIDENCE,
        "S5",
    ),
    Golden(
        "S5 30 days + 1 s with photos",
        damaged(requested_at=h(40) + 30 * DAY + SEC, buyer_evidence=PHOTOS),
        h(40) + 30 * DAY + SEC,
        Action.REISSUE,
        "S5",
    ),
    Golden(
        "S7 exactly 30 days after signing",
        damaged(requested_at=h(40) + 30 * DAY),
        h(40) + 30 * DAY,
        Action.REISSUE,
        "S7",
    ),
    Golden(
        "S7 damaged in transit",
        signed_refund(reason=RefundReason.DAMAGED_IN_TRANSIT)(),
        h(60),
        Action.REISSUE,
        "S7",
    ),
    Golden(
        "S6 outbound shortfall",
        missing(signed(outbound_recorded=False), free_reissues_given=1),
        h(60),
        Action.REISSUE,
        "S6",
    ),
    Golden(
        "S6 weight shortfall",
        missing(
            signed(outbound_recorded=True, expected_weight_g=800, recorded_weight_g=650),
            free_reissues_given=1,
        ),
        h(60),
        Action.REISSUE,
        "S6",
    ),
    Golden(
        "S6 clean records, free reissue left",
        missing(signed(outbound_recorded=True, expected_weight_g=800, recorded_weight_g=800)),
        h(60),
        Action.REISSUE,
        "S6",
    ),
    Golden(
        "S6 clean records, free reissue used",
        missing(
            signed(outbound_recorded=True, expected_weight_g=800, recorded_weight_g=810),
            free_reissues_given=1,
        ),
        h(60),
        Action.REJECT_WITH_EVIDENCE,
        "S6",
    ),
    Golden(
        "S6 records unknown, free reissue used",
        missing(free_reissues_given=1),
        h(60),
        Action.REQUEST_EVIDENCE,
        "S6",
        lambda d: "records incomplete" in d.rationale and "no outbound record given" in d.rationale,
    ),
    Golden(
        "S6 wrong item with photos, clean records, free reissue left",
        wrong(CLEAN),
        h(60),
        Action.REISSUE,
        "S6",
    ),
    Golden(
        "S6 wrong item with photos, clean records, free reissue used",
        wrong(CLEAN, free_reissues_given=1),
        h(60),
        Action.REJECT_WITH_EVIDENCE,
        "S6",
    ),
    Golden(
        "S6 contents photo held by the merchant counts",
        merchant_holds(missing_no_photo(CLEAN), E.CONTENTS_PHOTO),
        h(60),
        Action.REISSUE,
        "S6",
    ),
    # Without a photo of the contents, nothing else decides (002 §4, 003 §6).
    Golden(
        "S6 missing item, no photo, clean records, no reissue given",
        missing_no_photo(CLEAN),
        h(60),
        Action.REQUEST_EVIDENCE,
        "S6",
        asks_for_contents_photo,
    ),
    Golden(
        "S6 wrong item, no photo, clean records, no reissue given",
        wrong_no_photo(CLEAN),
        h(60),
        Action.REQUEST_EVIDENCE,
        "S6",
        asks_for_contents_photo,
    ),
    Golden(
        "S6 missing item, outer-package photo only",
        missing_no_photo(CLEAN, buyer_evidence=frozenset({E.OUTER_PACKAGE_PHOTO})),
        h(60),
        Action.REQUEST_EVIDENCE,
        "S6",
        lambda d: (
            any(e.kind is E.CONTENTS_PHOTO and not e.present for e in d.evidence)
            and any(e.kind is E.OUTER_PACKAGE_PHOTO and e.present for e in d.evidence)
        ),
    ),
    Golden(
        "S6 wrong item, outer-package photo only",
        wrong_no_photo(CLEAN, buyer_evidence=frozenset({E.OUTER_PACKAGE_PHOTO})),
        h(60),
        Action.REQUEST_EVIDENCE,
        "S6",
    ),
    Golden(
        "S6 no photo, records show a shortfall",
        missing_no_photo(
            signed(outbound_recorded=True, expected_weight_g=800, recorded_weight_g=650)
        ),
        h(60),
        Action.REQUEST_EVIDENCE,
        "S6",
        asks_for_contents_photo,
    ),
    Golden(
        "S6 no photo, no records, free reissue used",
        missing_no_photo(free_reissues_given=1),
        h(60),
        Action.REQUEST_EVIDENCE,
        "S6",
        lambda d: "no outbound record given; no weighing record given" in d.rationale,
    ),
    Golden(
        "S8 threat",
        signed_refund(threatens_review=True, reason=RefundReason.QUALITY)(),
        h(60),
        Action.REJECT_WITH_EVIDENCE,
        "S8",
    ),
    Golden(
        "S9 door delivery inquiry",
        case(shipment=OUT_FOR_DELIVERY, inquiry=Inquiry.DOOR_DELIVERY),
        h(21),
        Action.CONTACT_CARRIER,
        "S9",
    ),
    Golden(
        "S9 door delivery refund",
        case(
            shipment=OUT_FOR_DELIVERY,
            refund=refund(reason=RefundReason.NOT_DELIVERED_TO_DOOR, requested_at=h(21)),
        ),
        h(22),
        Action.CONTACT_CARRIER,
        "S9",
    ),
    # --- A: platform already refunded --------------------------------------------
    Golden(
        "A1 day 3 exactly opens",
        fast_refund(),
        REFUNDED_AT + 3 * DAY,
        Action.APPEAL_FAST_REFUND,
        "A1",
        lambda d: deadline(d, DeadlineKind.APPEAL_CLOSES) == REFUNDED_AT + 7 * DAY,
    ),
    Golden(
        "A1 before day 3: appeal, not yet open",
        fast_refund(),
        REFUNDED_AT + 3 * DAY - SEC,
        Action.APPEAL_FAST_REFUND,
        "A1",
        lambda d: (
            (o := deadline(d, DeadlineKind.APPEAL_OPENS)) is not None
            and o > d.evaluated_at
            and "Wait" in d.steps[0]
        ),
    ),
    Golden(
        "A1 day 7 exactly still open",
        fast_refund(),
        REFUNDED_AT + 7 * DAY,
        Action.APPEAL_FAST_REFUND,
        "A1",
    ),
    Golden(
        "A1 day 7 + 1 s closed", fast_refund(), REFUNDED_AT + 7 * DAY + SEC, Action.NO_ACTION, "A1"
    ),
    Golden(
        "A1 filed 2 h + 1 s after confirmation: not a fast-refund appeal",
        fast_refund(requested_at=h(2) + SEC),
        REFUNDED_AT + 4 * DAY,
        Action.NO_ACTION,
        "A5",
    ),
    Golden(
        "A2 pickup after refund",
        case(
            order=order(status=OrderStatus.SIGNED),
            shipment=shipment(
                shipped_offline_at=h(1),
                picked_up_at=h(3),
                events=(ev(h(3), K.PICKUP), ev(h(40), K.SIGNED)),
                signer=SignerKind.BUYER,
            ),
            refund=fast_refund().refund,
        ),
        REFUNDED_AT + 4 * DAY,
        Action.NO_ACTION,
        "A2",
    ),
    Golden(
        "A2 pickup after ship-by",
        case(
            order=order(status=OrderStatus.SIGNED, ship_by=h(1.25)),
            shipment=FAST_SHIPPED,
            refund=fast_refund().refund,
        ),
        REFUNDED_AT + 4 * DAY,
        Action.NO_ACTION,
        "A2",
    ),
    Golden(
        "A3 incomplete address",
        case(
            order=order(status=OrderStatus.SIGNED, return_address_complete=False),
            shipment=signed(),
            refund=refund(
                type=RefundType.RETURN_AND_REFUND,
                requested_at=h(50),
                status=RefundStatus.REFUNDED,
                refunded_at=h(51),
                platform_refund=PlatformRefundKind.FAST_REFUND,
                return_to_wrong_address=True,
            ),
        ),
        h(51) + 4 * DAY,
        Action.NO_ACTION,
        "A3",
    ),
    Golden(
        "A3 complete address appeal",
        case(
            order=order(status=OrderStatus.SIGNED),
            shipment=signed(),
            refund=refund(
                type=RefundType.RETURN_AND_REFUND,
                requested_at=h(50),
                status=RefundStatus.REFUNDED,
                refunded_at=h(51),
                platform_refund=PlatformRefundKind.FAST_REFUND,
                return_to_wrong_address=True,
            ),
        ),
        h(51) + 4 * DAY,
        Action.APPEAL_FAST_REFUND,
        "A3",
        lambda d: any(e.kind is E.RETURN_ADDRESS_RECORD and e.needed for e in d.evidence),
    ),
    Golden(
        "A4 timeout refund in transit",
        case(
            shipment=in_transit(),
            refund=refund(
                requested_at=h(4),
                status=RefundStatus.REFUNDED,
                refunded_at=h(4) + 48 * timedelta(hours=1),
                platform_refund=PlatformRefundKind.TIMEOUT_REFUND,
            ),
        ),
        h(53),
        Action.INTERCEPT,
        "A4",
    ),
    Golden(
        "A5 merchant-agreed refund done",
        case(refund=refund(status=RefundStatus.REFUNDED, refunded_at=h(3))),
        h(4),
        Action.NO_ACTION,
        "A5",
    ),
    Golden(
        "A1 unavailable on Kuaishou",
        CaseFacts(
            order=order(platform=Platform.KUAISHOU, status=OrderStatus.SIGNED),
            shipment=FAST_SHIPPED,
            refund=fast_refund().refund,
        ),
        REFUNDED_AT + 4 * DAY,
        Action.NO_ACTION,
        "A5",
    ),
    # --- L: logistics anomalies (no request) ------------------------------------
    # No request pending: the proactive tracking message (V2) is still due at 24 h.
    Golden(
        "L1 24 h exactly: not yet",
        case(shipment=UPLOADED),
        h(26),
        Action.INFORM_TRACKING,
        "V2",
        lambda d: d.proactive and not d.overdue,
    ),
    Golden(
        "L1 24 h + 1 s",
        case(shipment=UPLOADED),
        h(26) + SEC,
        Action.CONTACT_CARRIER,
        "L1",
        lambda d: money(d, RiskKind.FAKE_LOGISTICS_FINE) == Decimal("14.98"),
    ),
    Golden(
        "L1 Kuaishou has no fine",
        case(order=order(platform=Platform.KUAISHOU), shipment=UPLOADED),
        h(27),
        Action.CONTACT_CARRIER,
        "L1",
        lambda d: money(d, RiskKind.FAKE_LOGISTICS_FINE) is None,
    ),
    Golden(
        "L1 force majeure removes the fine",
        case(order=order(force_majeure_exempt=True), shipment=UPLOADED),
        h(27),
        Action.CONTACT_CARRIER,
        "L1",
        lambda d: money(d, RiskKind.FAKE_LOGISTICS_FINE) is None,
    ),
    Golden(
        "L1 declared exemption: fine waived, carrier still chased, exemption cited",
        exempted(TO_JINHUA, UPLOADED),
        h(27),
        Action.CONTACT_CARRIER,
        "L1",
        fine_waived_citing,
    ),
    Golden(
        "L1 province-wide exemption covers any city of it",
        exempted(TO_JINHUA, UPLOADED, replace(EXEMPTION, city=None)),
        h(27),
        Action.CONTACT_CARRIER,
        "L1",
        fine_waived_citing,
    ),
    Golden(
        "L1 exemption for another carrier keeps the fine",
        exempted(TO_JINHUA, UPLOADED, replace(EXEMPTION, carrier="圆通速递")),
        h(27),
        Action.CONTACT_CARRIER,
        "L1",
        fine_kept,
    ),
    Golden(
        "L1 exemption for another city keeps the fine",
        exempted(TO_JINHUA, UPLOADED, replace(EXEMPTION, city="杭州市")),
        h(27),
        Action.CONTACT_CARRIER,
        "L1",
        fine_kept,
    ),
    Golden(
        "L1 exemption without a destination on the order keeps the fine",
        exempted(order(), UPLOADED),
        h(27),
        Action.CONTACT_CARRIER,
        "L1",
        fine_kept,
    ),
    Golden(
        "L1 exemption period ended before the parcel's upload keeps the fine",
        exempted(TO_JINHUA, UPLOADED, replace(EXEMPTION, ends_at=h(2))),
        h(27),
        Action.CONTACT_CARRIER,
        "L1",
        fine_kept,
    ),
    Golden(
        "L3 declared exemption keeps the action and cites it",
        exempted(TO_JINHUA, DEPARTED),
        h(58) + SEC,
        Action.CONTACT_CARRIER,
        "L3",
        lambda d: "exemption #7" in d.rationale and not d.money_at_risk,
    ),
    Golden(
        "L2 24 h after pickup exactly", case(shipment=PICKED_ONLY), h(27), Action.NO_ACTION, "P0"
    ),
    Golden(
        "L2 24 h + 1 s after pickup",
        case(shipment=PICKED_ONLY),
        h(27) + SEC,
        Action.CONTACT_CARRIER,
        "L2",
    ),
    Golden("L3 48 h exactly", case(shipment=DEPARTED), h(58), Action.NO_ACTION, "P0"),
    Golden("L3 48 h + 1 s", case(shipment=DEPARTED), h(58) + SEC, Action.CONTACT_CARRIER, "L3"),
    Golden(
        "L3 remote 120 h exactly",
        case(order=order(remote_destination=True), shipment=DEPARTED),
        h(130),
        Action.NO_ACTION,
        "P0",
    ),
    Golden(
        "L3 remote 120 h + 1 s",
        case(order=order(remote_destination=True), shipment=DEPARTED),
        h(130) + SEC,
        Action.CONTACT_CARRIER,
        "L3",
    ),
    Golden(
        "L4 exception",
        case(shipment=in_transit(events=(ev(h(3), K.PICKUP), ev(h(20), K.EXCEPTION)))),
        h(21),
        Action.CONTACT_CARRIER,
        "L4",
    ),
    Golden(
        "L4 out for delivery too long",
        case(shipment=OUT_FOR_DELIVERY),
        h(44) + SEC,
        Action.CONTACT_CARRIER,
        "L4",
    ),
    # Departed the sorting centre, tracking message window over, no stagnation yet.
    Golden("P0 quiet order", case(shipment=DEPARTED), h(30), Action.NO_ACTION, "P0"),
    # --- V: proactive moves when nothing is pending (000 §1) -----------------------
    Golden(
        "V1 group formed: promise the ship time",
        case(order=order(group_formed_at=h(1))),
        h(2),
        Action.PROMISE_SHIP_TIME,
        "V1",
        lambda d: (
            d.proactive
            and not d.overdue
            and deadline(d, DeadlineKind.SHIP_BY) == h(49)
            and d.urgent_deadline is not None
            and d.urgent_deadline.kind is DeadlineKind.SHIP_BY
        ),
    ),
    Golden(
        "V1 at ship-by exactly",
        case(order=order(group_formed_at=h(1))),
        h(49),
        Action.PROMISE_SHIP_TIME,
        "V1",
        lambda d: not d.overdue,
    ),
    Golden(
        "V3 ship-by passed by 1 s: apologise, overdue",
        case(order=order(group_formed_at=h(1))),
        h(49) + SEC,
        Action.APOLOGIZE_AND_PROMISE,
        "V3",
        lambda d: (
            d.proactive
            and d.overdue
            and d.urgent_deadline is not None
            and d.urgent_deadline.kind is DeadlineKind.SHIP_BY
            and d.urgent_deadline.at == h(49)
            and deadline(d, DeadlineKind.PROMISED_SHIP_AT) == h(73)
            and money(d, RiskKind.COUPON) == Decimal("5.00")
        ),
    ),
    Golden(
        "V3 12 h past ship-by",
        case(),
        h(60),
        Action.APOLOGIZE_AND_PROMISE,
        "V3",
        lambda d: d.overdue and "12 h past ship-by" in d.rationale,
    ),
    Golden(
        "V3 stock missing before ship-by: delay certain",
        case(order=order(can_fulfil=False)),
        h(5),
        Action.APOLOGIZE_AND_PROMISE,
        "V3",
        lambda d: d.proactive and not d.overdue,
    ),
    Golden(
        "V2 tracking uploaded: send the details",
        case(shipment=PICKED_ONLY),
        h(4),
        Action.INFORM_TRACKING,
        "V2",
        lambda d: deadline(d, DeadlineKind.INFORM_BY) == h(26),
    ),
    Golden(
        "V2 window over 1 s later",
        case(shipment=PICKED_ONLY),
        h(26) + SEC,
        Action.NO_ACTION,
        "P0",
        lambda d: not d.proactive,
    ),
    Golden(
        "awaiting group: no ship-by yet, whatever the time since confirmation",
        case(order=order(status=OrderStatus.AWAITING_GROUP)),
        h(60),
        Action.NO_ACTION,
        "P0",
        lambda d: deadline(d, DeadlineKind.SHIP_BY) is None and not d.overdue,
    ),
    Golden(
        "urge while awaiting group: no hour to promise",
        case(order=order(status=OrderStatus.AWAITING_GROUP), inquiry=URGE),
        h(60),
        Action.NO_ACTION,
        "P0",
        lambda d: any("no ship-by yet" in t.reason for t in d.trace if t.rule_id == "U2"),
    ),
    Golden(
        "L1 overdue: pickup limit passed, proactive",
        case(shipment=UPLOADED),
        h(30),
        Action.CONTACT_CARRIER,
        "L1",
        lambda d: d.proactive and d.overdue,
    ),
    Golden(
        "buyer request past its respond-by is overdue, not proactive",
        case(refund=refund(reason=RefundReason.NOT_SHIPPED, requested_at=h(1))),
        h(50),
        Action.AGREE_REFUND,
        "R2",
        lambda d: d.overdue and not d.proactive,
    ),
    Golden(
        "P1 unknown combination",
        signed_refund(reason=RefundReason.LOGISTICS_STAGNANT)(),
        h(60),
        Action.REQUEST_EVIDENCE,
        "P1",
    ),
]


@pytest.mark.parametrize("g", GOLDEN, ids=[g.name for g in GOLDEN])
def test_golden(g: Golden) -> None:
    # when
    d = decide(g.facts, g.now)
    # then
    assert (d.action, d.rule_id) == (g.action, g.rule_id), d.rationale
    assert d.trace[-1].matched and d.trace[-1].rule_id == g.rule_id
    assert all(not t.matched for t in d.trace[:-1])
    if g.check is not None:
        assert g.check(d), d


def test_golden_covers_every_rule() -> None:
    from service.decision import RULES

    assert {r.id for r in RULES} <= {g.rule_id for g in GOLDEN}


def test_rationale_names_deciding_values() -> None:
    d = decide(case(shipment=UPLOADED), h(28))
    assert d.rationale.startswith("tracking uploaded 26 h ago, no pickup scan; limit 24 h")


def test_respond_by_is_48_h_after_request() -> None:
    d = decide(case(refund=refund(requested_at=h(1))), h(2))
    assert deadline(d, DeadlineKind.RESPOND_BY) == h(49)


def test_evaluated_at_and_policy() -> None:
    d = decide(case(), T0)
    assert d.evaluated_at == T0
    assert (d.policy_id, d.policy_version) == ("pdd", "2026.11.1")
