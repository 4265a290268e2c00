"""``updateShopPolicy``: set or clear the shop's overrides of platform parameters."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

import strawberry

from service.db.models import Shop
from service.decision.policy import ShopPolicyOverrides, policy_for
from service.graphql.context import Info
from service.graphql.errors import UserError, UserErrorCode
from service.graphql.mutations.base import INPUT, run
from service.graphql.types.inputs import Problems
from service.graphql.types.shop import ShopType
from service.store.ingest import camel

# Input name → Shop column.
FIELDS = {
    "couponAmount": "coupon_amount",
    "shipWindowHours": "ship_window_hours",
    "respondByHours": "respond_by_hours",
}
MAX_HOURS = 24 * 90


@strawberry.input(
    description="Overrides to set (null: leave as is) and to clear (back to the platform default)."
)
class UpdateShopPolicyInput:
    coupon_amount: Decimal | None = strawberry.field(
        default=None, description="Coupon (CNY, ≥ 0, at most 2 decimals) offered on a delay."
    )
    ship_window_hours: int | None = strawberry.field(
        default=None, description=f"Promised ship window in hours (1-{MAX_HOURS})."
    )
    respond_by_hours: int | None = strawberry.field(
        default=None, description=f"Refund response window in hours (1-{MAX_HOURS})."
    )
    clear: list[str] | None = strawberry.field(
        default=None,
        description="Overrides to remove: couponAmount, shipWindowHours, respondByHours.",
    )


@strawberry.type(description="The result of `updateShopPolicy`.")
class UpdateShopPolicyPayload:
    shop: ShopType | None = strawberry.field(description="The shop; null when rejected.")
    user_errors: list[UserError] = strawberry.field(
        description="Why the change was rejected; when not empty, nothing was written."
    )


def _check(problems: Problems, input: UpdateShopPolicyInput) -> None:
    for i, name in enumerate(input.clear or []):
        if name not in FIELDS:
            problems.add([*INPUT, "clear", str(i)], f"not an override: {name[:64]!r}")
        elif getattr(input, FIELDS[name]) is not None:
            problems.add([*INPUT, "clear", str(i)], f"{name} is both set and cleared")
    amount = input.coupon_amount
    if amount is not None:
        try:
            ok = amount.is_finite() and amount * 100 == (amount * 100).to_integral_value()
        except InvalidOperation:
            ok = False
        if not ok or amount > Decimal("10000"):
            problems.add(
                [*INPUT, "couponAmount"], "must be CNY up to 10000 with at most 2 decimals"
            )
    for name in ("ship_window_hours", "respond_by_hours"):
        value = getattr(input, name)
        if value is not None and value > MAX_HOURS:
            problems.add([*INPUT, camel(name)], f"must be at most {MAX_HOURS} hours")


async def update_shop_policy(
    info: Info,
    input: Annotated[
        UpdateShopPolicyInput,
        strawberry.argument(
            description="The overrides to set and the ones to clear; settings not named stay as"
            " they are."
        ),
    ],
) -> UpdateShopPolicyPayload:
    async def work() -> ShopType:
        problems = Problems()
        _check(problems, input)
        problems.raise_if_any()
        shop = await info.context.session.get(Shop, info.context.shop_id)
        if shop is None:
            raise LookupError("the token's shop no longer exists")
        values = {
            column: getattr(input, column)
            if getattr(input, column) is not None
            else getattr(shop, column)
            for column in FIELDS.values()
        }
        for name in input.clear or []:
            values[FIELDS[name]] = None
        try:
            policy_for(shop.platform, ShopPolicyOverrides(**values))
        except ValueError as exc:
            column, _, message = str(exc).partition(":")
            field = [*INPUT, camel(column)] if column in FIELDS.values() else list(INPUT)
            problems.add(field, message.strip() or str(exc), UserErrorCode.INVALID)
            problems.raise_if_any()
        changed = any(getattr(shop, column) != value for column, value in values.items())
        for column, value in values.items():
            setattr(shop, column, value)
        if changed:
            # Replicas that cached the old policy see the new version and rebuild. The
            # increment happens in SQL, so concurrent changes get distinct versions.
            shop.policy_version = Shop.policy_version + 1
            cache, shop_id = info.context.policy_cache, shop.id
            if cache is not None:
                info.context.after_commit.append(lambda: cache.forget(shop_id))
        await info.context.session.flush()
        return ShopType.from_model(shop)

    shop, errors = await run(info, info.context.require_admin, work)
    return UpdateShopPolicyPayload(shop=shop, user_errors=errors)
