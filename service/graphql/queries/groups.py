"""``caseGroups`` and ``disruptions``: the open queue seen as groups to handle at once."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum

import strawberry

from service.graphql.context import Info
from service.graphql.described import described_enum
from service.graphql.types.enums import Action
from service.store.refresher import refresh_stale
from service.team import broadcast, groups


class Scenario(Enum):
    SHIPPED_NOT_SIGNED = "SHIPPED_NOT_SIGNED"
    UNSHIPPED = "UNSHIPPED"


described_enum(
    Scenario,
    "Which disruption scenario a group is (004: one bulk message per scenario).",
    {
        "SHIPPED_NOT_SIGNED": "Parcels shipped and stuck at the disruption's place, not signed.",
        "UNSHIPPED": "Orders not shipped yet whose destination city is the disruption's place"
        " (whatever carrier they will go with: none is chosen yet).",
    },
)


@strawberry.type(
    description="One message for every buyer of a group; placeholders are filled per order."
)
class BroadcastMessage:
    zh_cn: str = strawberry.field(description="The message in Simplified Chinese.")
    en: str = strawberry.field(description="The message in English.")
    placeholders: list[str] = strawberry.field(
        description="Placeholders the text may hold, filled per order when sent:"
        " {orderNumber}, {trackingNumber}, {carrier}."
    )


@strawberry.type(description="Open queue items with the same action, carrier and place.")
class CaseGroup:
    action: Action = strawberry.field(  # type: ignore[valid-type]
        description="The action every item's stored decision recommends."
    )
    carrier: str = strawberry.field(
        description="The carrier of the items' latest parcel; empty when not shipped. For an"
        " UNSHIPPED group, the disruption's carrier."
    )
    place: str = strawberry.field(
        description="Where the latest parcel was last scanned; empty when never scanned. For"
        " an UNSHIPPED group, the disruption's place."
    )
    scenario: Scenario | None = strawberry.field(
        description="The disruption scenario when the group lies in a detected disruption;"
        " null otherwise."
    )
    count: int = strawberry.field(description="How many queue items the group holds.")
    money_at_risk: Decimal = strawberry.field(
        description="The items' money at risk added up (CNY)."
    )
    soonest_due_at: datetime | None = strawberry.field(
        description="The earliest deadline among the items (UTC)."
    )
    message: BroadcastMessage = strawberry.field(
        description="One bulk message for the group's buyers, in zh-CN and en."
    )


@strawberry.type(description="Many open parcels of one carrier stuck where they were last scanned.")
class DisruptionType:
    carrier: str = strawberry.field(description="The carrier.")
    place: str = strawberry.field(description="The city or sorting centre of the last scan.")
    count: int = strawberry.field(description="How many open parcels are stuck there.")
    first_seen: datetime = strawberry.field(
        description="The oldest last scan among them: when the stall began (UTC)."
    )


async def _groups(info: Info) -> list[groups.Group]:
    """The shop's groups, computed once per request (caseGroups and disruptions are
    often asked together, as the workbench's banner does)."""
    ctx = info.context
    async with ctx.db_lock:
        if ctx.case_groups is None:
            # Keep what was recomputed: in a big shop some states turn stale every
            # second, and a rolled-back refresh made every poll of the groups redo them
            # until the background refresher came by.
            if await refresh_stale(ctx.session, ctx.shop_id, ctx.now):
                ctx.writes = True
            ctx.case_groups = await groups.groups(
                ctx.session, ctx.shop_id, ctx.settings.disruption_min_parcels
            )
    found: list[groups.Group] = ctx.case_groups
    return found


async def case_groups(info: Info) -> list[CaseGroup]:
    found = await _groups(info)
    out = []
    for g in found:
        text = broadcast.message_for(g.action, g.place, g.scenario == groups.UNSHIPPED)
        out.append(
            CaseGroup(
                action=g.action,
                carrier=g.carrier,
                place=g.place,
                scenario=Scenario(g.scenario) if g.scenario is not None else None,
                count=g.count,
                money_at_risk=g.money_at_risk,
                soonest_due_at=g.soonest_due,
                message=BroadcastMessage(
                    zh_cn=text.zh_cn, en=text.en, placeholders=list(broadcast.PLACEHOLDERS)
                ),
            )
        )
    return out


async def disruption_list(info: Info) -> list[DisruptionType]:
    found = groups.disruptions_of(await _groups(info), info.context.settings.disruption_min_parcels)
    return [
        DisruptionType(carrier=d.carrier, place=d.place, count=d.count, first_seen=d.first_seen)
        for d in found
    ]
