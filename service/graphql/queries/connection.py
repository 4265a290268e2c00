"""Generic cursor connection types."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import strawberry

from service.graphql.relay import PageInfo

T = TypeVar("T")


@strawberry.type(description="An item of a page, with the cursor to continue after it.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(
        description="Opaque position of this item in the list; pass as `after` to continue"
        " after it."
    )
    node: T = strawberry.field(description="The item at this position.")


@strawberry.type(description="A page of items (Relay cursor connection).")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(
        description="The page's items with their cursors, in the list's order."
    )
    page_info: PageInfo = strawberry.field(
        description="Whether more items follow, and the cursor to continue from."
    )
    # The count when it is known already, or how to count (only when selected: a
    # COUNT over a large shop costs more than the page itself).
    known_total: strawberry.Private[int | None] = None
    count_total: strawberry.Private[Callable[[], Awaitable[int]] | None] = None

    @strawberry.field(
        description="Items matching the SQL-side filters, whatever the page; null when the"
        " list is also filtered by decision (recommended action, due within)."
    )
    async def total_count(self) -> int | None:
        if self.count_total is not None:
            return await self.count_total()
        return self.known_total

    @strawberry.field(description="The page's items alone, without cursors (same order as edges).")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]
