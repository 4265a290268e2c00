"""ORM models; importing this package registers every table on ``Base.metadata``."""

from service.db.models.agent import Agent, CaseClaim
from service.db.models.audit import ActionRecord
from service.db.models.case_state import CaseState
from service.db.models.events import CaseEvent, WebhookDelivery, WebhookEndpoint
from service.db.models.evidence import EvidenceItem, EvidenceSource
from service.db.models.exemption import Exemption
from service.db.models.idempotency import IdempotencyKey
from service.db.models.order import Order, OrderLine
from service.db.models.refund import RefundRequest
from service.db.models.shipment import Shipment, TrackingEvent
from service.db.models.shop import Shop
from service.db.models.token import ApiToken, Role

__all__ = [
    "ActionRecord",
    "Agent",
    "ApiToken",
    "CaseClaim",
    "CaseEvent",
    "CaseState",
    "EvidenceItem",
    "EvidenceSource",
    "Exemption",
    "IdempotencyKey",
    "Order",
    "OrderLine",
    "RefundRequest",
    "Role",
    "Shipment",
    "Shop",
    "TrackingEvent",
    "WebhookDelivery",
    "WebhookEndpoint",
]
