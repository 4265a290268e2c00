"""Work-queue counts for the dashboard's tabs, from one aggregate query."""

from __future__ import annotations

import strawberry

from service.graphql.context import Info
from service.graphql.types.enums import Action
from service.store import work_queue
from service.store.refresher import refresh_stale


@strawberry.type(description="How many work-queue items recommend one action.")
class ActionCount:
    action: Action = strawberry.field(description="The recommended action.")  # type: ignore[valid-type]
    count: int = strawberry.field(description="Items in the queue with it.")
    overdue: int = strawberry.field(description="Of those, items with a missed deadline.")


@strawberry.type(description="The shop's work queue in numbers, exact at the request's now.")
class QueueCounts:
    total: int = strawberry.field(description="Items in the work queue.")
    overdue: int = strawberry.field(description="Items with a missed deadline.")
    by_action: list[ActionCount] = strawberry.field(
        description="Per recommended action, most items first."
    )


async def queue_counts(info: Info) -> QueueCounts:
    ctx = info.context
    async with ctx.db_lock:
        await refresh_stale(ctx.session, ctx.shop_id, ctx.now)
        rows = await work_queue.counts(ctx.session, ctx.shop_id)
    per: dict[str, list[int]] = {}
    for action, overdue, n in rows:
        tally = per.setdefault(action.value, [0, 0])
        tally[0] += n
        tally[1] += n if overdue else 0
    by_action = [
        ActionCount(action=Action(a), count=c, overdue=o)
        for a, (c, o) in sorted(per.items(), key=lambda kv: (-kv[1][0], kv[0]))
    ]
    return QueueCounts(
        total=sum(c.count for c in by_action),
        overdue=sum(c.overdue for c in by_action),
        by_action=by_action,
    )
