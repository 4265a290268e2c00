"""``caseEvents``: the shop's events pushed to an open dashboard over a websocket.

The socket speaks graphql-transport-ws; the token travels in ``connection_init``'s
payload (``{"token": "…"}`` or ``{"Authorization": "Bearer …"}``) and every
subscription on the socket sees only that token's shop. Events come from the local
bus (:mod:`service.events.bus`) after their transaction commits: published in-process
on SQLite, and on PostgreSQL by the replica's LISTEN connection
(:mod:`service.events.listener`), whichever replica or worker committed them.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated, Any

import orjson
import strawberry
from strawberry.exceptions import ConnectionRejectionError

from service.events import bus
from service.events import types as event_types
from service.graphql.errors import ClientError

TYPES = ", ".join(event_types.EVENT_TYPES)


@strawberry.type(name="CaseEvent", description="Something happened to a case of the shop.")
class CaseEventType:
    id: str = strawberry.field(description="Unique event id (the webhooks' `webhook-id`).")
    type: str = strawberry.field(description=f"The event type: {TYPES}.")
    timestamp: str = strawberry.field(description="When it happened (ISO 8601, UTC).")
    order_id: strawberry.ID | None = strawberry.field(
        description="The order's global id; null for endpoint events."
    )
    refund_request_id: strawberry.ID | None = strawberry.field(
        description="The refund request's global id, for a refund case."
    )
    action: str | None = strawberry.field(description="The case's action after the event.")
    rule_id: str | None = strawberry.field(description="The rule that decided it.")
    deadline_kind: str | None = strawberry.field(description="The case's urgent deadline kind.")
    due_at: str | None = strawberry.field(description="When that deadline falls (ISO 8601).")
    payload: str = strawberry.field(
        description="The whole event as JSON, exactly as webhooks receive it."
    )

    @classmethod
    def from_payload(cls, p: dict[str, Any]) -> CaseEventType:
        data = p.get("data", {})
        order, refund = data.get("orderId"), data.get("refundRequestId")
        return cls(
            id=p["id"],
            type=p["type"],
            timestamp=p["timestamp"],
            order_id=strawberry.ID(order) if order else None,
            refund_request_id=strawberry.ID(refund) if refund else None,
            action=data.get("action"),
            rule_id=data.get("ruleId"),
            deadline_kind=data.get("deadlineKind"),
            due_at=data.get("dueAt"),
            payload=orjson.dumps(p).decode(),
        )


@strawberry.type(description="Live updates over a websocket (graphql-transport-ws).")
class Subscription:
    @strawberry.subscription(
        description="The calling shop's case events as they are committed; `types` narrows"
        " them (empty or null: all)."
    )
    async def case_events(
        self,
        info: strawberry.Info,
        types: Annotated[
            list[str] | None,
            strawberry.argument(description=f"Event types to receive: {TYPES}."),
        ] = None,
    ) -> AsyncGenerator[CaseEventType, None]:
        wanted = set(types or [])
        unknown = wanted - set(event_types.EVENT_TYPES)
        if unknown:
            raise ClientError(f"unknown event types {sorted(unknown)}; use {TYPES}")
        shop_id = info.context.get("shop_id") if isinstance(info.context, dict) else None
        if shop_id is None:
            raise ClientError("not authenticated: send the token in connection_init")
        with bus.subscribe(shop_id) as queue:
            while True:
                payload = await queue.get()
                if not wanted or payload["type"] in wanted:
                    yield CaseEventType.from_payload(payload)


def token_of(params: object) -> str | None:
    """The token in a connection_init payload, if any."""
    if not isinstance(params, dict):
        return None
    token = params.get("token")
    if isinstance(token, str) and token.strip():
        return token.strip()
    header = params.get("Authorization") or params.get("authorization")
    if isinstance(header, str):
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    return None


__all__ = ["ConnectionRejectionError", "Subscription", "token_of"]
