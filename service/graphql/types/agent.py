"""Agents, their claims, and the ``viewer``: who is calling."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from service.db import models
from service.graphql.described import described_enum
from service.graphql.relay import Node, to_global_id
from service.team.claims import Hold


class TokenRole(Enum):
    AGENT = "agent"
    INTEGRATION = "integration"
    ADMIN = "admin"


described_enum(
    TokenRole,
    "What a token (or the agent it identifies) may do.",
    {
        "AGENT": "Reads, records actions, claims cases.",
        "INTEGRATION": "Ingests orders, shipments and refunds (a shop-level token, no agent).",
        "ADMIN": "Everything an agent and an integration may, plus shop policy, agents and"
        " reassigning claims.",
    },
)


@strawberry.type(name="Agent", description="A named person on the shop's CS team (子账号).")
class AgentType(Node):
    row: strawberry.Private[models.Agent]

    @classmethod
    def from_model(cls, row: models.Agent) -> AgentType:
        return cls(id=strawberry.ID(to_global_id("Agent", row.id)), row=row)

    @strawberry.field(description="The name colleagues know the agent by.")
    def display_name(self) -> str:
        return self.row.display_name

    @strawberry.field(description="What the agent's tokens may do (AGENT or ADMIN).")
    def role(self) -> TokenRole:
        return TokenRole(self.row.role.value)

    @strawberry.field(description="False once an admin deactivated the agent.")
    def active(self) -> bool:
        return self.row.active

    @strawberry.field(description="When the agent was deactivated (UTC); null while active.")
    def deactivated_at(self) -> datetime | None:
        return self.row.deactivated_at


@strawberry.type(name="Claim", description="Who works a case, and until when the lease runs.")
class ClaimType:
    hold: strawberry.Private[Hold]

    @strawberry.field(description="Global id of the agent holding the case.")
    def agent_id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("Agent", self.hold.agent_id))

    @strawberry.field(description="The holder's display name.")
    def agent_name(self) -> str:
        return self.hold.agent_name

    @strawberry.field(description="When the holder first claimed it (renewals keep this time).")
    def claimed_at(self) -> datetime:
        return self.hold.claimed_at

    @strawberry.field(
        description="When the lease ends unless renewed (claim the case again to renew);"
        " after it anyone may claim the case."
    )
    def expires_at(self) -> datetime:
        return self.hold.expires_at


@strawberry.type(
    description="Who is calling: the token's role and, for an agent's token, the agent."
)
class Viewer:
    role: TokenRole = strawberry.field(description="What the calling token may do.")
    agent: AgentType | None = strawberry.field(
        description="The agent the token identifies; null for a shop-level token."
    )
