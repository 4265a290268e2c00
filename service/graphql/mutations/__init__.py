"""Root mutation fields; each lives in its own module.

Every mutation answers with the changed object and ``userErrors``: a rejected input,
a forbidden role (code FORBIDDEN) or an unknown id (code NOT_FOUND, whether the id does
not exist, belongs to another shop or names another type) writes nothing.
"""

from __future__ import annotations

import strawberry

from service.graphql.mutations.append_tracking_events import (
    AppendTrackingEventsPayload,
    append_tracking_events,
)
from service.graphql.mutations.attach_evidence import AttachEvidencePayload, attach_evidence
from service.graphql.mutations.create_refund_request import (
    CreateRefundRequestPayload,
    create_refund_request,
)
from service.graphql.mutations.exemptions import (
    ExemptionPayload,
    declare_exemption,
    revoke_exemption,
)
from service.graphql.mutations.record_action import RecordActionPayload, record_action
from service.graphql.mutations.record_actions import RecordActionsPayload, record_actions
from service.graphql.mutations.record_shipment import RecordShipmentPayload, record_shipment
from service.graphql.mutations.team import (
    ClaimPayload,
    CreateAgentPayload,
    DeactivateAgentPayload,
    ReleaseClaimPayload,
    claim_case,
    create_agent,
    deactivate_agent,
    reassign_claim,
    release_claim,
)
from service.graphql.mutations.update_refund_status import (
    UpdateRefundStatusPayload,
    update_refund_status,
)
from service.graphql.mutations.update_shop_policy import (
    UpdateShopPolicyPayload,
    update_shop_policy,
)
from service.graphql.mutations.upsert_orders import UpsertOrdersPayload, upsert_orders
from service.graphql.mutations.upsert_shipments import UpsertShipmentsPayload, upsert_shipments
from service.graphql.webhooks import (
    CreateWebhookEndpointPayload,
    DeleteWebhookEndpointPayload,
    ReplayWebhookDeliveryPayload,
    UpdateWebhookEndpointPayload,
    create_webhook_endpoint,
    delete_webhook_endpoint,
    replay_webhook_delivery,
    update_webhook_endpoint,
)

INGEST = " Needs an integration or admin token."


@strawberry.type(description="Ingest data, record what agents did, and manage shop policy.")
class Mutation:
    upsert_orders: UpsertOrdersPayload = strawberry.mutation(
        resolver=upsert_orders,
        description="Insert or update orders by order number, all or none: one rejected"
        " order rejects the batch." + INGEST,
    )
    record_shipment: RecordShipmentPayload = strawberry.mutation(
        resolver=record_shipment,
        description="Record a parcel (and its tracking events) for an order, or update one."
        " Events have the same effects as in appendTrackingEvents." + INGEST,
    )
    upsert_shipments: UpsertShipmentsPayload = strawberry.mutation(
        resolver=upsert_shipments,
        description="Insert or update parcels by order number and tracking number, all or"
        " none: one rejected parcel rejects the batch. Events have the same effects as in"
        " appendTrackingEvents." + INGEST,
    )
    append_tracking_events: AppendTrackingEventsPayload = strawberry.mutation(
        resolver=append_tracking_events,
        description="Add carrier tracking events to parcels, all or none; an event already"
        " stored (same parcel, time and kind) is skipped. A PICKUP event sets the parcel's"
        " pickup time when it has none; a SIGNED event moves a SHIPPED order to SIGNED." + INGEST,
    )
    create_refund_request: CreateRefundRequestPayload = strawberry.mutation(
        resolver=create_refund_request,
        description="Store a buyer's refund request on an order." + INGEST,
    )
    update_refund_status: UpdateRefundStatusPayload = strawberry.mutation(
        resolver=update_refund_status,
        description="Move a refund request to another status (see the input for the"
        " allowed transitions)." + INGEST,
    )
    attach_evidence: AttachEvidencePayload = strawberry.mutation(
        resolver=attach_evidence,
        description="Put a photo, record or proof on file for an order or refund request." + INGEST,
    )
    record_action: RecordActionPayload = strawberry.mutation(
        resolver=record_action,
        description="Record what an agent did: the decision is recomputed for the time they"
        " saw it and stored with the action, marked overridden when they differ. Needs an"
        " agent or admin token.",
    )
    record_actions: RecordActionsPayload = strawberry.mutation(
        resolver=record_actions,
        description="Record one action on up to 500 cases (e.g. a group's broadcast message"
        " sent), all or nothing: one rejected case rejects the call. Each record holds its"
        " case's decision, recomputed at now; the cases' claims end. Needs an agent or admin"
        " token.",
    )
    update_shop_policy: UpdateShopPolicyPayload = strawberry.mutation(
        resolver=update_shop_policy,
        description="Set or clear the shop's policy overrides. Needs an admin token.",
    )
    create_webhook_endpoint: CreateWebhookEndpointPayload = strawberry.mutation(
        resolver=create_webhook_endpoint,
        description="Register a URL to receive the shop's events, signed per Standard"
        " Webhooks; the secret is returned once. Needs an admin token.",
    )
    update_webhook_endpoint: UpdateWebhookEndpointPayload = strawberry.mutation(
        resolver=update_webhook_endpoint,
        description="Change, disable or re-enable a webhook endpoint. Needs an admin token.",
    )
    delete_webhook_endpoint: DeleteWebhookEndpointPayload = strawberry.mutation(
        resolver=delete_webhook_endpoint,
        description="Delete a webhook endpoint and its delivery log. Needs an admin token.",
    )
    replay_webhook_delivery: ReplayWebhookDeliveryPayload = strawberry.mutation(
        resolver=replay_webhook_delivery,
        description="Send a delivery again (any status), as soon as a worker gets to it."
        " Needs an admin token.",
    )
    create_agent: CreateAgentPayload = strawberry.mutation(
        resolver=create_agent,
        description="Add a named agent to the shop and issue their first token (shown once)."
        " Needs an admin token.",
    )
    deactivate_agent: DeactivateAgentPayload = strawberry.mutation(
        resolver=deactivate_agent,
        description="Deactivate an agent and revoke their tokens; a replica that cached a"
        " token accepts it for at most the token cache's lifetime. Needs an admin token.",
    )
    claim_case: ClaimPayload = strawberry.mutation(
        resolver=claim_case,
        description="Claim a case for the calling agent for the shop's lease (15 minutes by"
        " default), or renew the caller's own claim. Refused with CLAIMED_BY_OTHER while"
        " another agent's lease runs. Needs an agent's token.",
    )
    release_claim: ReleaseClaimPayload = strawberry.mutation(
        resolver=release_claim,
        description="End the caller's claim on a case (an admin may end anyone's)."
        " recordAction ends the claim too.",
    )
    declare_exemption: ExemptionPayload = strawberry.mutation(
        resolver=declare_exemption,
        description="Record a force-majeure exemption the platform granted (004 §4): the"
        " carrier's parcels bound for the region whose last movement falls in the period keep"
        " their action but lose the penalty, citing the exemption. Needs an admin token.",
    )
    revoke_exemption: ExemptionPayload = strawberry.mutation(
        resolver=revoke_exemption,
        description="Revoke an exemption: the cases it covered carry their penalty again."
        " Needs an admin token.",
    )
    reassign_claim: ClaimPayload = strawberry.mutation(
        resolver=reassign_claim,
        description="Hand a case to another agent, whoever holds it, with a fresh lease."
        " Needs an admin token.",
    )
