"""Demo data: one PDD and one Kuaishou shop with a case for every scenario family of
the rulebook. Times are relative to the moment of seeding so deadlines stay live."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.base import utcnow
from service.db.models import (
    Agent,
    EvidenceItem,
    EvidenceSource,
    Order,
    OrderLine,
    RefundRequest,
    Role,
    Shipment,
    Shop,
    TrackingEvent,
)
from service.decision.facts import (
    EvidenceKind,
    OrderStatus,
    Platform,
    PlatformRefundKind,
    RefundReason,
    RefundStatus,
    RefundType,
    SignerKind,
    TrackingEventKind,
)
from service.store import tokens

DEMO_TOKEN_NAME = "demo"

E = TrackingEventKind


@dataclass(frozen=True)
class DemoRefund:
    number: str
    type: RefundType
    reason: RefundReason
    requested_h: float  # hours before seeding
    status: RefundStatus = RefundStatus.PENDING
    refunded_h: float | None = None
    platform_refund: PlatformRefundKind | None = None
    evidence: tuple[EvidenceKind, ...] = ()
    threatens_review: bool = False
    free_reissues_given: int = 0
    return_to_wrong_address: bool = False


@dataclass(frozen=True)
class DemoShipment:
    offline_h: float | None = None
    uploaded_h: float | None = None
    pickup_h: float | None = None
    events: tuple[tuple[float, TrackingEventKind, str], ...] = ()
    signer: SignerKind | None = None
    outbound_recorded: bool | None = None
    expected_weight_g: int | None = None
    recorded_weight_g: int | None = None


@dataclass(frozen=True)
class DemoCase:
    number: str
    status: OrderStatus
    confirmed_h: float
    amount: str = "59.90"
    group_formed: bool = True
    can_fulfil: bool = True
    return_address_complete: bool = True
    remote: bool = False
    shipment: DemoShipment | None = None
    refund: DemoRefund | None = None
    merchant_evidence: tuple[EvidenceKind, ...] = field(default=())


def _shipped(upload_h: float, *events: tuple[float, TrackingEventKind, str]) -> DemoShipment:
    pickup = next((h for h, kind, _ in events if kind is E.PICKUP), None)
    signed = any(kind is E.SIGNED for _, kind, _ in events)
    return DemoShipment(
        offline_h=upload_h + 0.5,
        uploaded_h=upload_h,
        pickup_h=pickup,
        events=events,
        signer=SignerKind.BUYER if signed else None,
        outbound_recorded=True,
    )


def _signed(days: float, signer: SignerKind = SignerKind.BUYER) -> DemoShipment:
    h = days * 24
    return DemoShipment(
        offline_h=h + 50,
        uploaded_h=h + 49,
        pickup_h=h + 45,
        events=(
            (h + 45, E.PICKUP, "金华"),
            (h + 30, E.SORTING_DEPARTURE, "杭州"),
            (h + 2, E.OUT_FOR_DELIVERY, "上海"),
            (h, E.SIGNED, "上海"),
        ),
        signer=signer,
        outbound_recorded=True,
        expected_weight_g=800,
        recorded_weight_g=800,
    )


R, RR = RefundType.REFUND_ONLY, RefundType.RETURN_AND_REFUND
S = OrderStatus
PHOTOS = (EvidenceKind.OUTER_PACKAGE_PHOTO, EvidenceKind.CONTENTS_PHOTO)


def _hangzhou_stall(i: int) -> DemoCase:
    """One of the parcels stuck at one sorting centre during a big sale (004): left it
    50 to 62 hours ago and no scan since, so the carrier's network there has stalled."""
    left = 50 + i / 2
    return DemoCase(
        f"PDD-L3-hangzhou-{i + 1:02d}",
        S.SHIPPED,
        left + 30,
        amount=f"{39 + (i * 7) % 60}.90",
        shipment=_shipped(
            left + 26, (left + 22, E.PICKUP, "金华"), (left, E.SORTING_DEPARTURE, "杭州转运中心")
        ),
    )


# Enough stalled parcels of one carrier at one place for a disruption (policy: 20).
DISRUPTION_CASES: tuple[DemoCase, ...] = tuple(_hangzhou_stall(i) for i in range(24))

PDD_CASES: tuple[DemoCase, ...] = (
    # Buyer urges shipment (U1-U4); ask Order.decision(inquiry: URGE_SHIPMENT).
    DemoCase("PDD-U1-offline", S.AWAITING_SHIPMENT, 20, shipment=DemoShipment(offline_h=3)),
    DemoCase("PDD-U2-before-ship-by", S.AWAITING_SHIPMENT, 10),
    DemoCase("PDD-U3-late", S.AWAITING_SHIPMENT, 60),
    DemoCase("PDD-U4-out-of-stock", S.AWAITING_SHIPMENT, 5, can_fulfil=False),
    # Refund before delivery (R1-R6).
    DemoCase(
        "PDD-R1-awaiting-group",
        S.AWAITING_GROUP,
        2,
        group_formed=False,
        refund=DemoRefund("RF-R1", R, RefundReason.NO_LONGER_WANTED, 1),
    ),
    DemoCase(
        "PDD-R2-unshipped",
        S.AWAITING_SHIPMENT,
        44,
        refund=DemoRefund("RF-R2", R, RefundReason.NOT_SHIPPED, 41),
    ),
    DemoCase(
        "PDD-R3-offline",
        S.AWAITING_SHIPMENT,
        30,
        shipment=DemoShipment(offline_h=6),
        refund=DemoRefund("RF-R3", R, RefundReason.NO_LONGER_WANTED, 4),
    ),
    DemoCase(
        "PDD-R4-in-transit",
        S.SHIPPED,
        40,
        shipment=_shipped(30, (26, E.PICKUP, "金华"), (10, E.SORTING_ARRIVAL, "杭州")),
        refund=DemoRefund("RF-R4", R, RefundReason.NO_LONGER_WANTED, 5),
    ),
    DemoCase(
        "PDD-R5-out-for-delivery",
        S.SHIPPED,
        60,
        shipment=_shipped(
            50,
            (46, E.PICKUP, "金华"),
            (30, E.SORTING_DEPARTURE, "杭州"),
            (2, E.OUT_FOR_DELIVERY, "上海"),
        ),
        refund=DemoRefund("RF-R5", R, RefundReason.NO_LONGER_WANTED, 1),
    ),
    DemoCase(
        "PDD-R6-stagnant",
        S.SHIPPED,
        110,
        shipment=_shipped(100, (96, E.PICKUP, "金华"), (80, E.SORTING_DEPARTURE, "杭州")),
        refund=DemoRefund("RF-R6", R, RefundReason.LOGISTICS_STAGNANT, 3),
    ),
    # Refund after signing (S1-S8).
    DemoCase(
        "PDD-S1-proxy-signed",
        S.SIGNED,
        120,
        shipment=_signed(1, SignerKind.PROXY),
        refund=DemoRefund("RF-S1", R, RefundReason.NOT_RECEIVED, 6),
    ),
    DemoCase(
        "PDD-S2-no-reason",
        S.SIGNED,
        150,
        shipment=_signed(2),
        refund=DemoRefund("RF-S2", R, RefundReason.NO_REASON, 20),
    ),
    DemoCase(
        "PDD-S3-unwanted-return",
        S.SIGNED,
        150,
        shipment=_signed(2),
        refund=DemoRefund("RF-S3", RR, RefundReason.NO_LONGER_WANTED, 12),
    ),
    DemoCase(
        "PDD-S4-quality-no-photo",
        S.SIGNED,
        200,
        shipment=_signed(4),
        refund=DemoRefund("RF-S4", RR, RefundReason.QUALITY, 30),
    ),
    DemoCase(
        "PDD-S5-damaged-late",
        S.COMPLETED,
        24 * 45,
        shipment=_signed(40),
        refund=DemoRefund("RF-S5", R, RefundReason.DAMAGED_FOUND_LATER, 8),
    ),
    DemoCase(
        "PDD-S6-missing-item",
        S.SIGNED,
        120,
        shipment=_signed(1),
        refund=DemoRefund("RF-S6", R, RefundReason.MISSING_ITEM, 5, evidence=PHOTOS),
        merchant_evidence=(EvidenceKind.OUTBOUND_RECORD, EvidenceKind.WEIGHING_RECORD),
    ),
    DemoCase(
        "PDD-S7-damaged-in-transit",
        S.SIGNED,
        120,
        shipment=_signed(1),
        refund=DemoRefund(
            "RF-S7",
            R,
            RefundReason.DAMAGED_IN_TRANSIT,
            3,
            evidence=(*PHOTOS, EvidenceKind.DAMAGE_PHOTO),
        ),
    ),
    DemoCase(
        "PDD-S8-threat",
        S.SIGNED,
        150,
        shipment=_signed(2),
        refund=DemoRefund("RF-S8", R, RefundReason.NO_REASON, 2, threatens_review=True),
    ),
    # After the platform refunded by itself (A1-A4).
    DemoCase(
        "PDD-A1-fast-refund-appeal",
        S.SIGNED,
        24 * 5 + 1,
        shipment=DemoShipment(
            offline_h=24 * 5 + 0.5,
            uploaded_h=24 * 4,
            pickup_h=24 * 5,
            events=((24 * 5, E.PICKUP, "金华"), (24 * 3, E.SIGNED, "上海")),
            signer=SignerKind.BUYER,
            outbound_recorded=True,
        ),
        refund=DemoRefund(
            "RF-A1",
            R,
            RefundReason.NOT_SHIPPED,
            24 * 5,
            status=RefundStatus.REFUNDED,
            refunded_h=24 * 4 + 20,
            platform_refund=PlatformRefundKind.FAST_REFUND,
        ),
    ),
    DemoCase(
        "PDD-A2-late-pickup",
        S.SIGNED,
        24 * 4 + 1,
        shipment=DemoShipment(
            offline_h=24 * 4 + 0.5,
            uploaded_h=24 * 3,
            pickup_h=24 * 3,
            events=((24 * 3, E.PICKUP, "金华"), (24 * 1, E.SIGNED, "上海")),
            signer=SignerKind.BUYER,
            outbound_recorded=True,
        ),
        refund=DemoRefund(
            "RF-A2",
            R,
            RefundReason.NOT_SHIPPED,
            24 * 4,
            status=RefundStatus.REFUNDED,
            refunded_h=24 * 4 - 1,
            platform_refund=PlatformRefundKind.FAST_REFUND,
        ),
    ),
    DemoCase(
        "PDD-A3-wrong-address",
        S.SIGNED,
        24 * 9,
        return_address_complete=False,
        shipment=_signed(6),
        refund=DemoRefund(
            "RF-A3",
            RR,
            RefundReason.QUALITY,
            24 * 5,
            status=RefundStatus.REFUNDED,
            refunded_h=24 * 4,
            platform_refund=PlatformRefundKind.FAST_REFUND,
            return_to_wrong_address=True,
        ),
    ),
    DemoCase(
        "PDD-A4-refunded-in-transit",
        S.SHIPPED,
        100,
        shipment=_shipped(
            90,
            (86, E.PICKUP, "金华"),
            (60, E.SORTING_ARRIVAL, "杭州"),
            (50, E.SORTING_DEPARTURE, "杭州"),
        ),
        refund=DemoRefund(
            "RF-A4",
            R,
            RefundReason.NO_LONGER_WANTED,
            60,
            status=RefundStatus.REFUNDED,
            refunded_h=10,
            platform_refund=PlatformRefundKind.TIMEOUT_REFUND,
        ),
    ),
    # Logistics anomalies (L1-L4), no refund yet.
    DemoCase(
        "PDD-L1-no-pickup",
        S.SHIPPED,
        40,
        amount="100.00",
        shipment=DemoShipment(offline_h=27, uploaded_h=26, outbound_recorded=True),
    ),
    DemoCase(
        "PDD-L2-stagnant-after-pickup", S.SHIPPED, 50, shipment=_shipped(40, (30, E.PICKUP, "金华"))
    ),
    DemoCase(
        "PDD-L4-delivery-exception",
        S.SHIPPED,
        80,
        shipment=_shipped(
            70,
            (66, E.PICKUP, "金华"),
            (40, E.SORTING_DEPARTURE, "杭州"),
            (20, E.OUT_FOR_DELIVERY, "上海"),
            (18, E.EXCEPTION, "上海"),
        ),
    ),
    # Proactive (V2): tracking uploaded, send the details; pickup limit approaching.
    DemoCase(
        "PDD-V2-pickup-due",
        S.SHIPPED,
        24,
        amount="12.50",
        shipment=DemoShipment(offline_h=21, uploaded_h=20, outbound_recorded=True),
    ),
    # A logistics disruption: 24 parcels stalled at one sorting centre.
    *DISRUPTION_CASES,
)

KUAISHOU_CASES: tuple[DemoCase, ...] = (
    DemoCase("KS-U2-urge", S.AWAITING_SHIPMENT, 30),
    DemoCase(
        "KS-R2-unshipped",
        S.AWAITING_SHIPMENT,
        20,
        refund=DemoRefund("KS-RF-R2", R, RefundReason.NOT_SHIPPED, 2),
    ),
    DemoCase(
        "KS-L3-remote-stagnant",
        S.SHIPPED,
        24 * 7,
        remote=True,
        shipment=_shipped(
            24 * 6, (24 * 6 - 4, E.PICKUP, "义乌"), (24 * 5 + 6, E.SORTING_DEPARTURE, "义乌")
        ),
    ),
    DemoCase(
        "KS-S6-reissue-used",
        S.SIGNED,
        200,
        shipment=_signed(3),
        refund=DemoRefund(
            "KS-RF-S6", R, RefundReason.MISSING_ITEM, 10, evidence=PHOTOS, free_reissues_given=1
        ),
        merchant_evidence=(EvidenceKind.OUTBOUND_RECORD, EvidenceKind.WEIGHING_RECORD),
    ),
    DemoCase(
        "KS-S9-door",
        S.SHIPPED,
        60,
        shipment=_shipped(
            50,
            (46, E.PICKUP, "义乌"),
            (20, E.SORTING_DEPARTURE, "义乌"),
            (3, E.OUT_FOR_DELIVERY, "北京"),
        ),
    ),
)


# The demo shop's team: the demo token is the first agent's (an admin, so it can also
# ingest), the second is a plain agent, for trying claims from a second browser.
DEMO_AGENTS: tuple[tuple[str, Role], ...] = (
    ("王芳 Wang Fang", Role.ADMIN),
    ("李雷 Li Lei", Role.AGENT),
)


async def demo_agent_tokens(session: AsyncSession, shop: Shop) -> list[tuple[str, str]]:
    """The demo agents (created once) with a fresh token each, replacing the tokens an
    earlier ``serve --demo`` printed: ``(display name, token)`` in DEMO_AGENTS order."""
    out = []
    for name, role in DEMO_AGENTS:
        agent = (
            await session.execute(
                select(Agent).where(Agent.shop_id == shop.id, Agent.display_name == name)
            )
        ).scalar_one_or_none()
        if agent is None:
            agent = Agent(shop_id=shop.id, display_name=name, role=role, active=True)
            session.add(agent)
            await session.flush()
        label = f"{DEMO_TOKEN_NAME}:{agent.id}"
        await tokens.revoke_named(session, shop, label)
        out.append((name, await tokens.create_token(session, shop, role, label, agent.id)))
    return out


DEMO_SHOPS: tuple[tuple[str, str, Platform, tuple[DemoCase, ...]], ...] = (
    ("demo-pdd", "示例拼多多店 Demo PDD shop", Platform.PDD, PDD_CASES),
    ("demo-kuaishou", "示例快手小店 Demo Kuaishou shop", Platform.KUAISHOU, KUAISHOU_CASES),
)


async def seed_demo(session: AsyncSession, now: datetime | None = None) -> int:
    """Create the demo shops and their cases; existing demo orders are left alone.
    Returns how many orders were created."""
    now = (now or utcnow()).replace(second=0, microsecond=0)
    created = 0
    for slug, name, platform, cases in DEMO_SHOPS:
        shop = (await session.execute(select(Shop).where(Shop.slug == slug))).scalar_one_or_none()
        if shop is None:
            shop = Shop(slug=slug, name=name, platform=platform)
            session.add(shop)
            await session.flush()
        existing = set(
            (await session.execute(select(Order.order_number).where(Order.shop_id == shop.id)))
            .scalars()
            .all()
        )
        for case in cases:
            if case.number not in existing:
                await _add_case(session, shop, case, now)
                created += 1
        await session.flush()
    return created


async def _add_case(session: AsyncSession, shop: Shop, case: DemoCase, now: datetime) -> None:
    def ago(hours: float | None) -> datetime | None:
        return None if hours is None else now - timedelta(hours=hours)

    confirmed = now - timedelta(hours=case.confirmed_h)
    order = Order(
        shop_id=shop.id,
        order_number=case.number,
        platform=shop.platform,
        amount=Decimal(case.amount),
        status=case.status,
        confirmed_at=confirmed,
        group_formed_at=confirmed if case.group_formed else None,
        can_fulfil=case.can_fulfil,
        return_address_complete=case.return_address_complete,
        remote_destination=case.remote,
    )
    session.add(order)
    await session.flush()
    session.add(
        OrderLine(
            shop_id=shop.id,
            order_id=order.id,
            sku=f"SKU-{case.number[-6:]}",
            quantity=1,
            unit_price=Decimal(case.amount),
            expected_weight_g=800,
        )
    )
    if case.shipment is not None:
        s = case.shipment
        shipment = Shipment(
            shop_id=shop.id,
            order_id=order.id,
            carrier="中通快递 ZTO" if s.uploaded_h is not None else None,
            tracking_number=f"ZT{zlib.crc32(case.number.encode()):010d}"
            if s.uploaded_h is not None
            else None,
            shipped_offline_at=ago(s.offline_h),
            tracking_uploaded_at=ago(s.uploaded_h),
            picked_up_at=ago(s.pickup_h),
            signer=s.signer,
            outbound_recorded=s.outbound_recorded,
            expected_weight_g=s.expected_weight_g,
            recorded_weight_g=s.recorded_weight_g,
        )
        session.add(shipment)
        await session.flush()
        for hours, kind, place in s.events:
            session.add(
                TrackingEvent(
                    shop_id=shop.id,
                    shipment_id=shipment.id,
                    at=now - timedelta(hours=hours),
                    kind=kind,
                    place=place,
                )
            )
    refund_id = None
    if case.refund is not None:
        r = case.refund
        refund = RefundRequest(
            shop_id=shop.id,
            order_id=order.id,
            refund_number=r.number,
            type=r.type,
            reason=r.reason,
            status=r.status,
            requested_at=now - timedelta(hours=r.requested_h),
            refunded_at=ago(r.refunded_h),
            platform_refund=r.platform_refund,
            threatens_review=r.threatens_review,
            free_reissues_given=r.free_reissues_given,
            return_to_wrong_address=r.return_to_wrong_address,
        )
        session.add(refund)
        await session.flush()
        refund_id = refund.id
        for item in r.evidence:
            session.add(
                EvidenceItem(
                    shop_id=shop.id,
                    order_id=order.id,
                    refund_request_id=refund_id,
                    kind=item,
                    source=EvidenceSource.BUYER,
                    reference=f"demo://{case.number}/{item.value.lower()}",
                    captured_at=now - timedelta(hours=r.requested_h),
                )
            )
    for item in case.merchant_evidence:
        session.add(
            EvidenceItem(
                shop_id=shop.id,
                order_id=order.id,
                refund_request_id=refund_id,
                kind=item,
                source=EvidenceSource.MERCHANT,
                reference=f"demo://{case.number}/{item.value.lower()}",
                captured_at=now,
            )
        )
