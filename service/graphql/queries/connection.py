"""Generic cursor connection types."""

from __future__ import annotations

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
    total_count: int | None = strawberry.field(
        description="Items matching the filters, whatever the page; counted only when"
        " selected. The work queue gives it on the first page only."
    )

    @classmethod
    def page(
        cls, edges: list[Edge[T]], more: bool, after: str | None, total: int | None
    ) -> Connection[T]:
        """A page of ``edges``; ``more``: items follow it; ``after``: the cursor asked."""
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=more,
                has_previous_page=after is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=total,
        )

    @strawberry.field(description="The page's items alone, without cursors (same order as edges).")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]
