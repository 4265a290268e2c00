"""Agents and claims: ``createAgent``, ``deactivateAgent``, ``claimCase``,
``releaseClaim`` and ``reassignClaim``."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import strawberry

from service.db.models import Order, RefundRequest, Role, Shop
from service.graphql.context import Info
from service.graphql.errors import PermissionDenied, UserError, UserErrorCode, UserInputError
from service.graphql.mutations.base import INPUT, find_owned, one_of, pk_of, run
from service.graphql.types.agent import AgentType, ClaimType, TokenRole
from service.graphql.types.inputs import Problems, check_text
from service.team import agents, claims
from service.team import events as team_events
from service.team.claims import CaseKey, ClaimedByOther

MAX_NAME = 100


@strawberry.input(description="A new agent of the calling shop.")
class CreateAgentInput:
    display_name: str = strawberry.field(
        description=f"The name colleagues know them by (1 to {MAX_NAME} characters)."
    )
    role: TokenRole = strawberry.field(description="AGENT or ADMIN (INTEGRATION is refused).")


@strawberry.type(description="The result of `createAgent`.")
class CreateAgentPayload:
    agent: AgentType | None = strawberry.field(description="The new agent; null when rejected.")
    token: str | None = strawberry.field(
        description="The agent's bearer token, shown this once; null when rejected."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why the input was rejected; when not empty, nothing was written."
    )


@strawberry.input(description="The agent to deactivate.")
class DeactivateAgentInput:
    agent_id: strawberry.ID = strawberry.field(description="Global id of one of the shop's agents.")


@strawberry.type(description="The result of `deactivateAgent`.")
class DeactivateAgentPayload:
    agent: AgentType | None = strawberry.field(
        description="The agent, now inactive; null when rejected."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why the input was rejected; when not empty, nothing was written."
    )


@strawberry.input(description="A case of the work queue: give orderId or refundRequestId.")
class ClaimCaseInput:
    order_id: strawberry.ID | None = strawberry.field(
        default=None, description="An order case (kind ORDER)."
    )
    refund_request_id: strawberry.ID | None = strawberry.field(
        default=None, description="A refund request case (kind REFUND_REQUEST)."
    )


@strawberry.input(description="A case and the agent it goes to.")
class ReassignClaimInput:
    order_id: strawberry.ID | None = strawberry.field(
        default=None, description="An order case (kind ORDER)."
    )
    refund_request_id: strawberry.ID | None = strawberry.field(
        default=None, description="A refund request case (kind REFUND_REQUEST)."
    )
    agent_id: strawberry.ID = strawberry.field(description="The active agent who takes the case.")


@strawberry.type(description="The result of `claimCase` and `reassignClaim`.")
class ClaimPayload:
    claim: ClaimType | None = strawberry.field(
        description="The claim now held; null when rejected."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why it was refused (CLAIMED_BY_OTHER names the holder); when not empty,"
        " nothing was written."
    )


@strawberry.type(description="The result of `releaseClaim`.")
class ReleaseClaimPayload:
    released: bool = strawberry.field(
        description="True when a live claim was ended; false when there was none."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why it was refused; when not empty, nothing was written."
    )


def _require_agent(info: Info) -> int:
    principal = info.context.principal
    if principal.agent_id is None or not principal.can_record_actions:
        raise PermissionDenied("claims need a token of an agent (not a shop-level token)")
    return principal.agent_id


def _lease(info: Info) -> timedelta:
    return timedelta(minutes=info.context.settings.claim_lease_minutes)


async def case_key(
    info: Info, order_id: strawberry.ID | None, refund_request_id: strawberry.ID | None
) -> CaseKey:
    """The queue case named by exactly one of the two ids, checked to be the shop's."""
    given = {"orderId": order_id, "refundRequestId": refund_request_id}
    if one_of(given, list(INPUT)) == "orderId":
        assert order_id is not None
        order = await find_owned(info, Order, order_id, "Order", [*INPUT, "orderId"])
        return CaseKey(claims.ORDER, order.id)
    assert refund_request_id is not None
    field = [*INPUT, "refundRequestId"]
    refund = await find_owned(info, RefundRequest, refund_request_id, "RefundRequest", field)
    return CaseKey(claims.REFUND_REQUEST, refund.id)


def _taken(exc: ClaimedByOther) -> UserInputError:
    return UserInputError.one(None, UserErrorCode.CLAIMED_BY_OTHER, str(exc))


async def create_agent(
    info: Info,
    input: Annotated[
        CreateAgentInput, strawberry.argument(description="The agent's name and role.")
    ],
) -> CreateAgentPayload:
    problems = Problems()
    name = input.display_name.strip()
    if not name:
        problems.add([*INPUT, "displayName"], "must not be empty", UserErrorCode.REQUIRED)
    check_text(problems, [*INPUT, "displayName"], input.display_name, MAX_NAME)
    if input.role is TokenRole.INTEGRATION:
        problems.add([*INPUT, "role"], "an agent's role is AGENT or ADMIN")

    async def work() -> tuple[AgentType, str]:
        problems.raise_if_any()
        ctx = info.context
        shop = await ctx.session.get(Shop, ctx.shop_id)
        assert shop is not None
        agent, token = await agents.create_agent(ctx.session, shop, name, Role(input.role.value))
        return AgentType.from_model(agent), token

    result, errors = await run(info, info.context.require_admin, work)
    return CreateAgentPayload(
        agent=result[0] if result else None, token=result[1] if result else None, user_errors=errors
    )


async def deactivate_agent(
    info: Info,
    input: Annotated[
        DeactivateAgentInput, strawberry.argument(description="The agent to deactivate.")
    ],
) -> DeactivateAgentPayload:
    async def work() -> AgentType:
        ctx = info.context
        field = [*INPUT, "agentId"]
        agent = await agents.agent_of(
            ctx.session, ctx.shop_id, pk_of(input.agent_id, "Agent", field)
        )
        if agent is None:
            raise UserInputError.one(field, UserErrorCode.NOT_FOUND, "no such Agent")
        await agents.deactivate(ctx.session, agent, ctx.now)
        return AgentType.from_model(agent)

    agent, errors = await run(info, info.context.require_admin, work)
    return DeactivateAgentPayload(agent=agent, user_errors=errors)


async def claim_case(
    info: Info,
    input: Annotated[
        ClaimCaseInput, strawberry.argument(description="The case to claim or renew.")
    ],
) -> ClaimPayload:
    async def work() -> ClaimType:
        ctx = info.context
        agent_id = _require_agent(info)
        key = await case_key(info, input.order_id, input.refund_request_id)
        try:
            hold = await claims.claim(
                ctx.session, ctx.shop_id, key, agent_id, ctx.now, _lease(info)
            )
        except ClaimedByOther as exc:
            raise _taken(exc) from exc
        await team_events.claimed(ctx.session, ctx.shop_id, hold, agent_id, ctx.now)
        return ClaimType(hold=hold)

    def require() -> None:
        _require_agent(info)

    claim, errors = await run(info, require, work)
    return ClaimPayload(claim=claim, user_errors=errors)


async def release_claim(
    info: Info,
    input: Annotated[ClaimCaseInput, strawberry.argument(description="The case whose claim ends.")],
) -> ReleaseClaimPayload:
    async def work() -> bool:
        ctx = info.context
        # An admin may end anyone's claim; an agent only their own.
        me = None if ctx.principal.can_administer else _require_agent(info)
        key = await case_key(info, input.order_id, input.refund_request_id)
        try:
            ended = await claims.release(ctx.session, ctx.shop_id, key, me, ctx.now)
        except ClaimedByOther as exc:
            raise _taken(exc) from exc
        if ended is None:
            return False
        await team_events.released(ctx.session, ctx.shop_id, ended, ctx.principal.agent_id, ctx.now)
        return True

    def require() -> None:
        if not info.context.principal.can_administer:
            _require_agent(info)

    released, errors = await run(info, require, work)
    return ReleaseClaimPayload(released=bool(released), user_errors=errors)


async def reassign_claim(
    info: Info,
    input: Annotated[
        ReassignClaimInput, strawberry.argument(description="The case and the agent who takes it.")
    ],
) -> ClaimPayload:
    async def work() -> ClaimType:
        ctx = info.context
        field = [*INPUT, "agentId"]
        agent = await agents.agent_of(
            ctx.session, ctx.shop_id, pk_of(input.agent_id, "Agent", field)
        )
        if agent is None:
            raise UserInputError.one(field, UserErrorCode.NOT_FOUND, "no such Agent")
        if not agent.active:
            raise UserInputError.one(field, UserErrorCode.INVALID, "the agent is deactivated")
        key = await case_key(info, input.order_id, input.refund_request_id)
        hold = await claims.reassign(ctx.session, ctx.shop_id, key, agent.id, ctx.now, _lease(info))
        # A hand-over starts a new claim (announced); to the holder, it renews it.
        await team_events.claimed(ctx.session, ctx.shop_id, hold, ctx.principal.agent_id, ctx.now)
        return ClaimType(hold=hold)

    claim, errors = await run(info, info.context.require_admin, work)
    return ClaimPayload(claim=claim, user_errors=errors)
