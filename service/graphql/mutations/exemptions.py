"""``declareExemption`` and ``revokeExemption``: an admin records the platform's
force-majeure exemptions (004 §4) so covered decisions drop their penalty."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from service.db.models import Exemption
from service.graphql.context import Info
from service.graphql.errors import UserError
from service.graphql.mutations.base import INPUT, find_owned, run
from service.graphql.types.exemption import ExemptionType
from service.graphql.types.inputs import MAX_TEXT, Problems, check_place, check_text
from service.store import exemptions

MAX_REFERENCE = 200


@strawberry.input(description="An exemption the platform granted the shop.")
class DeclareExemptionInput:
    carrier: str = strawberry.field(
        description=f"The carrier, as the shop's parcels name it (1 to {MAX_TEXT} printable"
        " characters; compared ignoring case and surrounding blanks)."
    )
    province: str = strawberry.field(
        description=f"The destination province covered (1 to {MAX_TEXT} printable characters)."
    )
    city: str | None = strawberry.field(
        default=None,
        description="One destination city of the province; null: the whole province.",
    )
    starts_at: datetime = strawberry.field(description="Start of the period, inclusive.")
    ends_at: datetime = strawberry.field(
        description="End of the period, exclusive; later than startsAt."
    )
    reference: str = strawberry.field(
        default="",
        description=f"The platform's notice or ticket, at most {MAX_REFERENCE} printable"
        " characters.",
    )


@strawberry.input(description="The exemption to revoke.")
class RevokeExemptionInput:
    exemption_id: strawberry.ID = strawberry.field(
        description="Global id of one of the shop's exemptions."
    )


@strawberry.type(description="The result of `declareExemption` and `revokeExemption`.")
class ExemptionPayload:
    exemption: ExemptionType | None = strawberry.field(
        description="The exemption as stored now; null when rejected."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why the input was rejected; when not empty, nothing was written."
    )


def _check(input: DeclareExemptionInput) -> Problems:
    problems = Problems()
    check_place(problems, [*INPUT, "carrier"], input.carrier)
    check_place(problems, [*INPUT, "province"], input.province)
    if input.city is not None:
        check_place(problems, [*INPUT, "city"], input.city)
    check_text(problems, [*INPUT, "reference"], input.reference, MAX_REFERENCE)
    if input.ends_at <= input.starts_at:
        problems.add([*INPUT, "endsAt"], "must be later than startsAt")
    return problems


async def declare_exemption(
    info: Info,
    input: Annotated[
        DeclareExemptionInput,
        strawberry.argument(description="Carrier, region and period of the exemption."),
    ],
) -> ExemptionPayload:
    problems = _check(input)

    async def work() -> ExemptionType:
        problems.raise_if_any()
        ctx = info.context
        row = await exemptions.declare(
            ctx.session,
            ctx.shop_id,
            input.carrier.strip(),
            input.province.strip(),
            input.city.strip() if input.city is not None else None,
            input.starts_at,
            input.ends_at,
            input.reference,
        )
        return ExemptionType.from_model(row)

    found, errors = await run(info, info.context.require_admin, work)
    return ExemptionPayload(exemption=found, user_errors=errors)


async def revoke_exemption(
    info: Info,
    input: Annotated[
        RevokeExemptionInput, strawberry.argument(description="The exemption to revoke.")
    ],
) -> ExemptionPayload:
    async def work() -> ExemptionType:
        ctx = info.context
        field = [*INPUT, "exemptionId"]
        row = await find_owned(info, Exemption, input.exemption_id, "Exemption", field)
        return ExemptionType.from_model(await exemptions.revoke(ctx.session, row, ctx.now))

    found, errors = await run(info, info.context.require_admin, work)
    return ExemptionPayload(exemption=found, user_errors=errors)
