"""Webhook endpoints and their delivery log: admin mutations and queries.

Secrets are shown once, in the payload of ``createWebhookEndpoint``; no query
returns them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from sqlalchemy import select

from service.db.models import CaseEvent, WebhookDelivery, WebhookEndpoint
from service.events import types as event_types
from service.events.endpoints import (
    EndpointError,
    create_endpoint,
    delete_endpoint,
    replay_delivery,
    update_endpoint,
)
from service.graphql.context import Info
from service.graphql.errors import UserError, UserErrorCode, UserInputError
from service.graphql.mutations.base import INPUT, run
from service.graphql.relay import decode_id, to_global_id

TYPES = ", ".join(event_types.EVENT_TYPES)
ENDPOINT = "WebhookEndpoint"
DELIVERY = "WebhookDelivery"


@strawberry.type(name="WebhookEndpoint", description="Where the shop's events are POSTed.")
class WebhookEndpointType:
    id: strawberry.ID = strawberry.field(description="Opaque global id of the endpoint.")
    url: str = strawberry.field(description="The URL events are POSTed to.")
    event_types: list[str] = strawberry.field(
        description=f"Event types delivered (empty: all): {TYPES}."
    )
    enabled: bool = strawberry.field(description="Whether events are delivered to it.")
    disabled_reason: str | None = strawberry.field(
        description="Why it was disabled (410 Gone, repeated failures, an admin); null when"
        " enabled."
    )
    consecutive_failures: int = strawberry.field(
        description="Failed deliveries since the last successful one."
    )

    @classmethod
    def from_model(cls, ep: WebhookEndpoint) -> WebhookEndpointType:
        return cls(
            id=strawberry.ID(to_global_id(ENDPOINT, ep.id)),
            url=ep.url,
            event_types=list(ep.event_types),
            enabled=ep.enabled,
            disabled_reason=ep.disabled_reason,
            consecutive_failures=ep.consecutive_failures,
        )


@strawberry.type(name="WebhookDelivery", description="One event sent (or to send) to one endpoint.")
class WebhookDeliveryType:
    id: strawberry.ID = strawberry.field(description="Opaque global id; pass it to replay.")
    endpoint_id: strawberry.ID = strawberry.field(description="The endpoint's global id.")
    event_id: str = strawberry.field(description="The event's id, sent as `webhook-id`.")
    event_type: str = strawberry.field(description="The event's type.")
    status: str = strawberry.field(
        description="PENDING (due or waiting for a retry), DELIVERED or FAILED (given up after"
        " 24 h, or the endpoint was disabled)."
    )
    attempts: int = strawberry.field(description="Attempts made so far.")
    next_attempt_at: datetime | None = strawberry.field(
        description="When the next attempt is due; null unless PENDING."
    )
    last_status_code: int | None = strawberry.field(
        description="HTTP status of the last answer; null when none came (timeout, refused)."
    )
    last_latency_ms: int | None = strawberry.field(
        description="Milliseconds the last attempt took."
    )
    last_error: str | None = strawberry.field(description="Why the last attempt failed.")
    created_at: datetime = strawberry.field(description="When the event was written.")
    delivered_at: datetime | None = strawberry.field(description="When a receiver took it.")


async def _delivery(info: Info, d: WebhookDelivery) -> WebhookDeliveryType:
    ev = await info.context.session.get(CaseEvent, d.event_id)
    assert ev is not None  # deliveries cascade with their event
    return delivery_node(d, ev.uid, ev.type)


def delivery_node(d: WebhookDelivery, event_uid: str, event_type: str) -> WebhookDeliveryType:
    return WebhookDeliveryType(
        id=strawberry.ID(to_global_id(DELIVERY, d.id)),
        endpoint_id=strawberry.ID(to_global_id(ENDPOINT, d.endpoint_id)),
        event_id=event_uid,
        event_type=event_type,
        status=d.status,
        attempts=d.attempts,
        next_attempt_at=d.next_attempt_at if d.status == "PENDING" else None,
        last_status_code=d.last_status_code,
        last_latency_ms=d.last_latency_ms,
        last_error=d.last_error,
        created_at=d.created_at,
        delivered_at=d.delivered_at,
    )


def _user_error(exc: EndpointError, prefix: tuple[str, ...] = INPUT) -> UserInputError:
    return UserInputError(
        [UserError(field=[*prefix, exc.field], code=UserErrorCode(exc.code), message=str(exc))]
    )


def _pk(global_id: strawberry.ID, kind: str, field: list[str]) -> int:
    pk = decode_id(global_id, kind)
    if pk is None:
        raise UserInputError(
            [UserError(field=field, code=UserErrorCode.NOT_FOUND, message=f"not a {kind} id")]
        )
    return pk


@strawberry.input(description="A new webhook endpoint.")
class CreateWebhookEndpointInput:
    url: str = strawberry.field(description="https URL to POST events to (http only in dev).")
    event_types: list[str] = strawberry.field(
        default_factory=list, description=f"Event types to deliver (empty: all): {TYPES}."
    )


@strawberry.type(description="The result of `createWebhookEndpoint`.")
class CreateWebhookEndpointPayload:
    endpoint: WebhookEndpointType | None = strawberry.field(
        description="The endpoint; null when rejected."
    )
    secret: str | None = strawberry.field(
        description="The signing secret (whsec_…), shown this once: verify each delivery's"
        " webhook-signature with it."
    )
    user_errors: list[UserError] = strawberry.field(description="Why it was rejected.")


async def create_webhook_endpoint(
    info: Info,
    input: Annotated[
        CreateWebhookEndpointInput, strawberry.argument(description="The URL and event types.")
    ],
) -> CreateWebhookEndpointPayload:
    async def work() -> WebhookEndpoint:
        try:
            return await create_endpoint(
                info.context.session,
                info.context.shop_id,
                input.url,
                input.event_types,
                info.context.settings,
            )
        except EndpointError as exc:
            raise _user_error(exc) from None

    ep, errors = await run(info, info.context.require_admin, work)
    if ep is None:
        return CreateWebhookEndpointPayload(endpoint=None, secret=None, user_errors=errors)
    return CreateWebhookEndpointPayload(
        endpoint=WebhookEndpointType.from_model(ep), secret=ep.secret, user_errors=[]
    )


@strawberry.input(description="Changes to a webhook endpoint; null leaves a value as is.")
class UpdateWebhookEndpointInput:
    id: strawberry.ID = strawberry.field(description="The endpoint's global id.")
    url: str | None = strawberry.field(default=None, description="A new URL.")
    event_types: list[str] | None = strawberry.field(
        default=None, description=f"New event types (empty: all): {TYPES}."
    )
    enabled: bool | None = strawberry.field(
        default=None, description="Disable (false) or re-enable (true) delivery."
    )


@strawberry.type(description="The result of `updateWebhookEndpoint`.")
class UpdateWebhookEndpointPayload:
    endpoint: WebhookEndpointType | None = strawberry.field(
        description="The endpoint; null when rejected."
    )
    user_errors: list[UserError] = strawberry.field(description="Why it was rejected.")


async def update_webhook_endpoint(
    info: Info,
    input: Annotated[
        UpdateWebhookEndpointInput, strawberry.argument(description="The endpoint and changes.")
    ],
) -> UpdateWebhookEndpointPayload:
    async def work() -> WebhookEndpoint:
        pk = _pk(input.id, ENDPOINT, [*INPUT, "id"])
        try:
            return await update_endpoint(
                info.context.session,
                info.context.shop_id,
                pk,
                info.context.settings,
                url=input.url,
                event_types=input.event_types,
                enabled=input.enabled,
            )
        except EndpointError as exc:
            raise _user_error(exc) from None

    ep, errors = await run(info, info.context.require_admin, work)
    endpoint = WebhookEndpointType.from_model(ep) if ep is not None else None
    return UpdateWebhookEndpointPayload(endpoint=endpoint, user_errors=errors)


@strawberry.type(description="The result of `deleteWebhookEndpoint`.")
class DeleteWebhookEndpointPayload:
    deleted_id: strawberry.ID | None = strawberry.field(
        description="The id of the endpoint deleted (with its delivery log); null when rejected."
    )
    user_errors: list[UserError] = strawberry.field(description="Why it was rejected.")


async def delete_webhook_endpoint(
    info: Info,
    id: Annotated[strawberry.ID, strawberry.argument(description="The endpoint's global id.")],
) -> DeleteWebhookEndpointPayload:
    async def work() -> strawberry.ID:
        pk = _pk(id, ENDPOINT, ["id"])
        try:
            await delete_endpoint(info.context.session, info.context.shop_id, pk)
        except EndpointError as exc:
            raise _user_error(exc, ()) from None
        return id

    deleted, errors = await run(info, info.context.require_admin, work)
    return DeleteWebhookEndpointPayload(deleted_id=deleted, user_errors=errors)


@strawberry.type(description="The result of `replayWebhookDelivery`.")
class ReplayWebhookDeliveryPayload:
    delivery: WebhookDeliveryType | None = strawberry.field(
        description="The delivery, pending again; null when rejected."
    )
    user_errors: list[UserError] = strawberry.field(description="Why it was rejected.")


async def replay_webhook_delivery(
    info: Info,
    id: Annotated[strawberry.ID, strawberry.argument(description="The delivery's global id.")],
) -> ReplayWebhookDeliveryPayload:
    async def work() -> WebhookDelivery:
        pk = _pk(id, DELIVERY, ["id"])
        try:
            return await replay_delivery(
                info.context.session, info.context.shop_id, pk, info.context.now
            )
        except EndpointError as exc:
            raise _user_error(exc, ()) from None

    d, errors = await run(info, info.context.require_admin, work)
    delivery = await _delivery(info, d) if d is not None else None
    return ReplayWebhookDeliveryPayload(delivery=delivery, user_errors=errors)


async def webhook_endpoints(info: Info) -> list[WebhookEndpointType]:
    info.context.require_admin()
    # Root fields resolve concurrently on one session: one at a time.
    async with info.context.db_lock:
        rows = await info.context.session.execute(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.shop_id == info.context.shop_id)
            .order_by(WebhookEndpoint.id)
        )
        return [WebhookEndpointType.from_model(ep) for ep in rows.scalars()]
