from __future__ import annotations

from decimal import Decimal

import strawberry

from service.db.models import Shop
from service.graphql.context import Info
from service.graphql.types.enums import Platform
from service.graphql.types.queue_counts import QueueCounts, queue_counts


@strawberry.type(description="A carrier code and the name zh-CN texts show for it.")
class CarrierName:
    code: str = strawberry.field(description="The carrier code parcels are recorded with.")
    name_zh: str = strawberry.field(description="The carrier's Chinese name.")


@strawberry.type(name="Shop", description="A merchant's shop: the tenant all data belongs to.")
class ShopType:
    slug: str = strawberry.field(
        description="Stable short name of the shop, as given to `aftersales token create --shop`."
    )
    name: str = strawberry.field(description="The shop's display name.")
    platform: Platform = strawberry.field(  # type: ignore[valid-type]
        description="The marketplace the shop sells on; it picks the platform policy."
    )
    coupon_amount: Decimal | None = strawberry.field(
        description="Coupon in CNY that scripts offer a buyer for waiting on a delay; null: the"
        " platform default (5.00)."
    )
    ship_window_hours: int | None = strawberry.field(
        description="Hours after the group forms within which the shop promises to ship; null:"
        " the platform default (48)."
    )
    respond_by_hours: int | None = strawberry.field(
        description="Hours the shop has to answer a refund request before the platform agrees it;"
        " null: the platform default (48)."
    )
    respond_by_warning_hours: int | None = strawberry.field(
        description="Hours before a RESPOND_BY deadline that `case.deadline_approaching` is"
        " sent; null: the default (6)."
    )
    ship_by_warning_hours: int | None = strawberry.field(
        description="Hours before a SHIP_BY deadline that `case.deadline_approaching` is sent;"
        " null: the default (6)."
    )
    pickup_by_warning_hours: int | None = strawberry.field(
        description="Hours before a PICKUP_BY deadline that `case.deadline_approaching` is"
        " sent; null: the default (4)."
    )
    appeal_closes_warning_hours: int | None = strawberry.field(
        description="Hours before an APPEAL_CLOSES deadline that `case.deadline_approaching`"
        " is sent; null: the default (24). APPEAL_OPENS is announced when it arrives."
    )
    carrier_names: list[CarrierName] = strawberry.field(
        description="The shop's own carrier names for zh-CN texts, added to (or replacing)"
        " entries of the built-in table of common carriers (ZTO, YTO, STO, YUNDA, SF, JD, EMS)."
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
            respond_by_warning_hours=shop.respond_by_warning_hours,
            ship_by_warning_hours=shop.ship_by_warning_hours,
            pickup_by_warning_hours=shop.pickup_by_warning_hours,
            appeal_closes_warning_hours=shop.appeal_closes_warning_hours,
            carrier_names=[
                CarrierName(code=code, name_zh=name) for code, name in shop.carrier_names or []
            ],
        )


async def load_shop(info: Info) -> ShopType:
    return ShopType.from_model(await info.context.loaders.shop())
