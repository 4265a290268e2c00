"""``updateShopPolicy``: set or clear the shop's overrides of platform parameters, its
warning windows and its carrier names."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace
from typing import Annotated, Any

import strawberry

from service.db.models import Shop
from service.decision.policy import MAX_WARNING_HOURS, WARNING_FIELDS, policy_for
from service.graphql.context import Info
from service.graphql.errors import UserError, UserErrorCode
from service.graphql.mutations.base import INPUT, run
from service.graphql.types.inputs import Problems
from service.graphql.types.shop import ShopType
from service.store.facts import shop_overrides
from service.store.ingest import camel

# Input name → Shop column.
FIELDS = {
    "couponAmount": "coupon_amount",
    "shipWindowHours": "ship_window_hours",
    "respondByHours": "respond_by_hours",
    "respondByWarningHours": "respond_by_warning_hours",
    "shipByWarningHours": "ship_by_warning_hours",
    "pickupByWarningHours": "pickup_by_warning_hours",
    "appealClosesWarningHours": "appeal_closes_warning_hours",
    "carrierNames": "carrier_names",
}
MAX_HOURS = 24 * 90
MAX_CARRIERS = 50
MAX_CARRIER_NAME = 32
# Upper-case letters, digits, "_" and "-", as carrier codes are recorded (ZTO, YUNDA).
CARRIER_CODE = re.compile(r"[A-Z0-9][A-Z0-9_-]{0,31}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@strawberry.input(description="A carrier code and the Chinese name zh-CN texts show for it.")
class CarrierNameInput:
    code: str = strawberry.field(
        description="The carrier code as parcels are recorded: 1-32 upper-case letters, digits,"
        " `_` or `-` (e.g. JT)."
    )
    name_zh: str = strawberry.field(
        description=f"The Chinese name (1-{MAX_CARRIER_NAME} characters, e.g. 极兔速递)."
    )


def _warning_field(hours_of: str) -> Any:
    return strawberry.field(
        default=None,
        description=f"Hours before a {hours_of} deadline that `case.deadline_approaching` is"
        f" sent (1-{MAX_WARNING_HOURS}).",
    )


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
    respond_by_warning_hours: int | None = _warning_field("RESPOND_BY")
    ship_by_warning_hours: int | None = _warning_field("SHIP_BY")
    pickup_by_warning_hours: int | None = _warning_field("PICKUP_BY")
    appeal_closes_warning_hours: int | None = _warning_field("APPEAL_CLOSES")
    carrier_names: list[CarrierNameInput] | None = strawberry.field(
        default=None,
        description=f"The shop's carrier names, replacing the ones it set before (at most"
        f" {MAX_CARRIERS}; an empty list removes them); the built-in table stays underneath.",
    )
    clear: list[str] | None = strawberry.field(
        default=None,
        description="Overrides to remove: " + ", ".join(FIELDS) + ".",
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
    for name in WARNING_FIELDS:
        value = getattr(input, name)
        if value is not None and not 1 <= value <= MAX_WARNING_HOURS:
            problems.add([*INPUT, camel(name)], f"must be 1 to {MAX_WARNING_HOURS} hours")
    _check_carriers(problems, input.carrier_names)


def _check_carriers(problems: Problems, entries: list[CarrierNameInput] | None) -> None:
    if entries is None:
        return
    path = [*INPUT, "carrierNames"]
    if len(entries) > MAX_CARRIERS:
        problems.add(path, f"at most {MAX_CARRIERS} carriers")
        return
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        if not CARRIER_CODE.fullmatch(entry.code):
            problems.add(
                [*path, str(i), "code"],
                "must be 1-32 upper-case letters, digits, '_' or '-' (e.g. JT)",
            )
        elif entry.code in seen:
            problems.add([*path, str(i), "code"], f"{entry.code} is named twice")
        seen.add(entry.code)
        name = entry.name_zh.strip()
        if not 1 <= len(name) <= MAX_CARRIER_NAME or _CONTROL.search(name):
            problems.add(
                [*path, str(i), "nameZh"],
                f"must be 1-{MAX_CARRIER_NAME} characters without control characters",
            )


def _input_value(input: UpdateShopPolicyInput, column: str) -> Any:
    value = getattr(input, column)
    if column == "carrier_names" and value is not None:
        # Stored as [[code, name], ...]; an empty table is no table.
        return [[e.code, e.name_zh.strip()] for e in value] or None
    return value


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
            column: _input_value(input, column)
            if getattr(input, column) is not None
            else getattr(shop, column)
            for column in FIELDS.values()
        }
        for name in input.clear or []:
            values[FIELDS[name]] = None
        try:
            policy_for(shop.platform, shop_overrides(SimpleNamespace(**values)))
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
