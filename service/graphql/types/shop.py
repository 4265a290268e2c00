from __future__ import annotations

from decimal import Decimal

import strawberry

from service.db.models import Shop
from service.decision.facts import Platform
from service.graphql.context import Info
from service.graphql.types.queue_counts import QueueCounts, queue_counts

PlatformEnum = strawberry.enum(Platform, description="The marketplace a shop sells on.")


@strawberry.type(name="Shop", description="A merchant's shop: the tenant all data belongs to.")
class ShopType:
    slug: str = strawberry.field(description="Stable short name of the shop.")
    name: str = strawberry.field(description="Display name.")
    platform: PlatformEnum = strawberry.field(description="Marketplace.")  # type: ignore[valid-type]
    coupon_amount: Decimal | None = strawberry.field(
        description="Coupon (CNY) offered on a delay; null means the platform policy default."
    )
    ship_window_hours: int | None = strawberry.field(
        description="Promised ship window override in hours; null means the platform default."
    )
    respond_by_hours: int | None = strawberry.field(
        description="Refund response window override in hours; null means the platform default."
    )

    @strawberry.field(description="Work-queue counts per action and overdue, for dashboard tabs.")
    async def queue_counts(self, info: Info) -> QueueCounts:
        return await queue_counts(info)

    @classmethod
    def from_model(cls, shop: Shop) -> ShopType:
        return cls(
            slug=shop.slug,
            name=shop.name,
            platform=shop.platform,
            coupon_amount=shop.coupon_amount,
            ship_window_hours=shop.ship_window_hours,
            respond_by_hours=shop.respond_by_hours,
        )


async def load_shop(info: Info) -> ShopType:
    shop = await info.context.session.get(Shop, info.context.shop_id)
    if shop is None:  # the token's shop was deleted while the request ran
        raise LookupError("shop not found")
    return ShopType.from_model(shop)
