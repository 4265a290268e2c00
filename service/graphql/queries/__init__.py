"""Root query fields."""

from __future__ import annotations

import strawberry

from service.graphql.context import Info
from service.graphql.types.shop import ShopType, load_shop


@strawberry.type(description="Read the calling shop's orders, refunds, shipments and decisions.")
class Query:
    @strawberry.field(description="The shop the calling token belongs to.")
    async def shop(self, info: Info) -> ShopType:
        return await load_shop(info)
