"""Generic cursor connection types."""

from __future__ import annotations

from typing import Generic, TypeVar

import strawberry

from service.graphql.relay import PageInfo

T = TypeVar("T")


@strawberry.type(description="An item of a page, with the cursor to continue after it.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Pass as `after` to continue after this item.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(description="A page of items (Relay cursor connection).")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="Items with their cursors.")
    page_info: PageInfo = strawberry.field(description="Paging state.")
    total_count: int | None = strawberry.field(
        description="Items matching the filters, whatever the page; counted only when"
        " selected. The work queue gives it on the first page only."
    )

    @strawberry.field(description="The items alone, without cursors.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]
