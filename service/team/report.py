"""``aftersales groups``: the shop's case groups and disruptions as plain text."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from service.config import Settings
from service.db.base import utcnow
from service.store import shops
from service.store.refresher import refresh_stale
from service.team import broadcast, groups

_SCENARIOS = {groups.SHIPPED_NOT_SIGNED: "shipped, not signed", groups.UNSHIPPED: "not shipped yet"}


async def print_groups(
    session: AsyncSession, slug: str, locale: str, settings: Settings
) -> str | None:
    """The report, or None when no shop has this slug."""
    shop = await shops.get_by_slug(session, slug)
    if shop is None:
        return None
    await refresh_stale(session, shop.id, utcnow())
    found = await groups.groups(session, shop.id, settings.disruption_min_parcels)
    stuck = groups.disruptions_of(found, settings.disruption_min_parcels)
    lines = []
    for d in stuck:
        lines.append(
            f"DISRUPTION {d.carrier} @ {d.place}: {d.count} parcels,"
            f" first seen {d.first_seen.isoformat()}"
        )
    for g in found:
        due = g.soonest_due.isoformat() if g.soonest_due else "-"
        mark = f" [disruption: {_SCENARIOS[g.scenario]}]" if g.scenario is not None else ""
        lines.append(
            f"{g.action.value}\t{g.carrier or '-'}\t{g.place or '-'}\t{g.count} cases"
            f"\t{g.money_at_risk} CNY at risk\tsoonest {due}{mark}"
        )
        text = broadcast.message_for(g.action, g.place, g.scenario == groups.UNSHIPPED)
        lines.append("    " + (text.zh_cn if locale == "zh-CN" else text.en))
    if not lines:
        lines.append("no open cases")
    return "\n".join(lines) + "\n"
