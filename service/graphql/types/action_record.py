"""The ``ActionRecord`` object type: what an agent did with a recommendation.

It lives beside the mutation that creates it until a query exposes it too; then it
belongs in ``service/graphql/types/``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON

from service.db import models
from service.graphql.context import Info
from service.graphql.relay import Node, to_global_id
from service.graphql.types.agent import AgentType
from service.graphql.types.enums import Action
from service.graphql.types.order import OrderType
from service.graphql.types.refund import RefundRequestType
from service.team import agents


@strawberry.type(
    name="ActionRecord",
    description="What an agent did with a recommendation, and the decision they saw.",
)
class ActionRecordType(Node):
    row: strawberry.Private[models.ActionRecord]

    @classmethod
    def from_model(cls, row: models.ActionRecord) -> ActionRecordType:
        return cls(id=strawberry.ID(to_global_id("ActionRecord", row.id)), row=row)

    @strawberry.field(
        description="The action the service recommended, recomputed for decisionAt when recorded."
    )
    def recommended_action(self) -> Action:  # type: ignore[valid-type]
        return self.row.recommended_action

    @strawberry.field(description="Id of the rule that produced the recommendation (e.g. S6).")
    def rule_id(self) -> str:
        return self.row.rule_id

    @strawberry.field(description="The platform policy behind it (pdd or kuaishou).")
    def policy_id(self) -> str:
        return self.row.policy_id

    @strawberry.field(description="The policy's version (with shop overrides: +shop).")
    def policy_version(self) -> str:
        return self.row.policy_version

    @strawberry.field(description="The action the agent says they took.")
    def taken_action(self) -> Action:  # type: ignore[valid-type]
        return self.row.taken_action

    @strawberry.field(description="Whether the agent took another action than recommended.")
    def overridden(self) -> bool:
        return self.row.overridden

    @strawberry.field(description="The agent's free-text note; empty when none was given.")
    def note(self) -> str:
        return self.row.note

    @strawberry.field(
        description="The decision as the agent saw it: action, ruleId, rationale,"
        " deadlines (ISO times), moneyAtRisk (amounts as strings), policy, evaluatedAt."
    )
    def decision_snapshot(self) -> JSON:
        snapshot: Any = self.row.decision_snapshot
        return cast(JSON, snapshot)

    @strawberry.field(description="When the service stored the record (UTC, server clock).")
    def created_at(self) -> datetime:
        return self.row.created_at

    @strawberry.field(description="The order acted on (for a refund request, its order).")
    async def order(self, info: Info) -> OrderType:
        row = await info.context.loaders.order.load(self.row.order_id)
        return OrderType.from_model(row)

    @strawberry.field(
        description="The refund request acted on; null when the action was on the order."
    )
    async def refund_request(self, info: Info) -> RefundRequestType | None:
        if self.row.refund_request_id is None:
            return None
        row = await info.context.loaders.refund.load(self.row.refund_request_id)
        return RefundRequestType.from_model(row)

    @strawberry.field(description="The agent whose token recorded it; null for a shop-level token.")
    async def agent(self, info: Info) -> AgentType | None:
        if self.row.actor_agent_id is None:
            return None
        ctx = info.context
        async with ctx.db_lock:
            row = await agents.agent_of(ctx.session, ctx.shop_id, self.row.actor_agent_id)
        return AgentType.from_model(row) if row is not None else None
